import { Chart } from 'cdk8s';
import { defineComponent, Wiring } from '../lib/component';
import { compareCodePoints } from '../lib/order';
import { AdmissionPolicies } from '.';
import { admissionSchema } from './schema';

/**
 * The admission gate: the rule table's CEL checks as ValidatingAdmissionPolicies,
 * bound to every namespace the environment declares at that namespace's Pod
 * Security level (the namespaces come from the offers, never restated).
 * Wave 0: the policies exist before the first pod of wave 1 is created.
 */
export const admissionComponent = defineComponent({
  id: 'admission',
  configPath: ['admission'],
  schema: admissionSchema,
  enabled: (a) => a.enabled,
  offers: () => ({}),
  build(ctx) {
    // Chart id `pod-admission`: files and Pulumi groups of a wave are ordered by id, and the namespaces chart stays first.
    const chart = new Chart(ctx.app, 'pod-admission', { disableResourceNameHashes: true });
    new AdmissionPolicies(chart, 'policies', {
      namePrefix: ctx.config.namePrefix,
      action: ctx.config.action,
      namespaces: [
        ...ctx.wiring.namespaces.map((n) => ({ name: n.name, podSecurity: n.podSecurity })),
        ...foreignNamespaces(ctx.wiring),
      ],
      instance: ctx.platform.name,
    });
    return [{ id: 'pod-admission', wave: 0, chart }];
  },
});

/**
 * Namespaces the model runs workloads in but does not own (metrics-server in
 * kube-system): bound at `restricted`, the level validate assumes for a
 * namespace without a Namespace object, for the model's pods only (their
 * `app.kubernetes.io/name` is the workload's name; test/gates/admission.test.ts
 * proves every such pod is selected).
 */
function foreignNamespaces(wiring: Wiring): Array<{ name: string; podSecurity: 'restricted'; pods: string[] }> {
  const owned = new Set(wiring.namespaces.map((n) => n.name));
  const pods = new Map<string, Set<string>>();
  for (const w of wiring.workloads) {
    if (owned.has(w.namespace)) continue;
    pods.set(w.namespace, (pods.get(w.namespace) ?? new Set()).add(w.name));
  }
  return [...pods].sort(([a], [b]) => compareCodePoints(a, b))
    .map(([name, names]) => ({ name, podSecurity: 'restricted' as const, pods: [...names].sort(compareCodePoints) }));
}
