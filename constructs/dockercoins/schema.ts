import {
  dnsLabel, dnsSubdomain, host, image, int, limitRange, port, quota, resources, settings, spreadPolicy, storageRequest, tolerations, z,
} from '../lib/schema';
import { VERSIONS } from '../versions';

/**
 * One DockerCoins instance (the course runs `blue` and `green` side by side):
 * its own namespace, quota, LimitRange and web UI host. Defaults: the pinned
 * images of constructs/versions.ts and no extra settings.
 */
export const dockercoinsInstanceSchema = z.strictObject({
  /** Instance name (`app.kubernetes.io/instance`), a DNS label, unique in the environment. */
  name: dnsLabel(),
  /** Namespace, owned by this instance alone. */
  namespace: dnsLabel(),
  /** Host of the web UI Ingress. */
  host: host(),
  /** TLS Secret for `host`. @default - no TLS */
  tlsSecretName: dnsSubdomain().optional(),
  /**
   * Environment variables every service reads. The images read only `DEBUG`
   * (docs/images.md). @default {}
   */
  settings: settings().prefault({}).superRefine((s, ctx) => {
    // rng.py and worker.py: os.environ.get("DEBUG", "").lower().startswith("y") (docs/images.md).
    const debug = s.DEBUG;
    if (debug !== undefined && !['yes', 'no'].includes(debug)) {
      ctx.addIssue({ code: 'custom', path: ['DEBUG'], message: `"${debug}" is ${/^y/i.test(debug) ? 'read as on' : 'not read as on'} by the DockerCoins images (they test for a value starting with "y"): write "yes" or "no"` });
    }
  }),
  availability: z.strictObject({
    /** PodDisruptionBudgets (maxUnavailable 1) for every Deployment but Redis, single-replica ones too. Replicated Deployments (the autoscaled hasher included) get one either way (constructs/lib/workload.ts). */
    disruptionBudgets: z.boolean(),
    spread: spreadPolicy(),
  }),
  /** rng runs on every node (DaemonSet). */
  rng: z.strictObject({ image: image().prefault(VERSIONS.rng), resources: resources('Burstable'), tolerations: tolerations().optional() }),
  /** hasher is autoscaled on CPU. */
  hasher: z.strictObject({
    image: image().prefault(VERSIONS.hasher),
    resources: resources('Burstable'),
    autoscaling: z.strictObject({ minReplicas: int(1), maxReplicas: int(1), targetCpuUtilization: int(1, 100) })
      .superRefine((a, ctx) => {
        if (a.minReplicas > a.maxReplicas) ctx.addIssue({ code: 'custom', path: ['minReplicas'], message: `${a.minReplicas} is above maxReplicas ${a.maxReplicas}` });
      }),
  }),
  worker: z.strictObject({ image: image().prefault(VERSIONS.worker), resources: resources('Burstable'), replicas: int(1) }),
  webui: z.strictObject({
    image: image().prefault(VERSIONS.webui),
    resources: resources('Burstable'),
    replicas: int(1),
    /** Also publish webui on this node port (laptop clusters). @default - ClusterIP only */
    nodePort: port(30000, 32767).optional(),
  }),
  redis: z.strictObject({
    image: image().prefault(VERSIONS.redis),
    resources: resources('Guaranteed'),
    /** Keep data on a claim of the environment's storage class. @default - emptyDir (lost with the pod) */
    persistence: storageRequest().optional(),
  }),
  quota: quota(),
  limitRange: limitRange(),
});
export type DockerCoinsInstanceConfig = z.infer<typeof dockercoinsInstanceSchema>;

/** Every instance of the environment; at least one. */
export const dockercoinsSchema = z.array(dockercoinsInstanceSchema).min(1, { error: 'must list at least one instance' })
  .superRefine((instances, ctx) => {
    const seen = new Map<string, number>();
    instances.forEach((d, i) => {
      const first = seen.get(d.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${d.name}" is already used by dockercoins[${first}].name; instance names must be unique` });
      else seen.set(d.name, i);
    });
  });
