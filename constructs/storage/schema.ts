import { labelKeyProblems } from '../lib/k8s-names';
import { dnsSubdomain, z } from '../lib/schema';

const PARAMETER_KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/** StorageClasses the platform creates (cluster-scoped, before any claim); data-safe defaults in the construct. */
export const storageClassesSchema = z.array(z.strictObject({
  /** Class name, the `storageClassName` claims refer to. */
  name: dnsSubdomain(),
  /** Volume plugin or CSI driver, e.g. `driver.longhorn.io`. */
  provisioner: z.string().superRefine((v, ctx) => {
    // The API server's grammar (ValidateStorageClass: a qualified name, case aside): validate's too.
    const problems = labelKeyProblems(v.toLowerCase());
    if (problems.length > 0) ctx.addIssue({ code: 'custom', message: `"${v}" is not a valid provisioner name (a CSI driver such as driver.longhorn.io, or kubernetes.io/<plugin>): ${problems.join('; ')}` });
  }),
  /** Provisioner-specific parameters. @default - none */
  parameters: z.record(
    z.string().superRefine((k, ctx) => { if (!PARAMETER_KEY.test(k)) ctx.addIssue({ code: 'custom', message: `"${k}" is not a valid parameter name` }); }),
    z.string({ error: iss => `must be a string, got ${typeof iss.input === 'string' ? `"${iss.input}"` : String(iss.input)} (quote it in YAML)` }),
  ).optional(),
  /** @default Retain */
  reclaimPolicy: z.enum(['Retain', 'Delete']).optional(),
  /** @default WaitForFirstConsumer */
  volumeBindingMode: z.enum(['WaitForFirstConsumer', 'Immediate']).optional(),
  /** @default true */
  allowVolumeExpansion: z.boolean().optional(),
  /** @default false */
  isDefault: z.boolean().optional(),
})).superRefine((classes, ctx) => {
  const seen = new Map<string, number>();
  classes.forEach((sc, i) => {
    const first = seen.get(sc.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${sc.name}" is already used by stateful.storageClasses[${first}].name; storage class names must be unique` });
    else seen.set(sc.name, i);
  });
  if (classes.filter(sc => sc.isDefault).length > 1) ctx.addIssue({ code: 'custom', message: 'at most one StorageClass may be the cluster default (isDefault)' });
});
export type StorageClassesConfig = z.infer<typeof storageClassesSchema>;
