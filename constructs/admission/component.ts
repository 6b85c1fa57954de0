import { Chart } from 'cdk8s';
import { defineComponent } from '../lib/component';
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
    const chart = new Chart(ctx.app, 'admission', { disableResourceNameHashes: true });
    new AdmissionPolicies(chart, 'policies', {
      namePrefix: ctx.config.namePrefix,
      action: ctx.config.action,
      namespaces: ctx.wiring.namespaces.map((n) => ({ name: n.name, podSecurity: n.podSecurity })),
      instance: ctx.platform.name,
    });
    return [{ id: 'admission', wave: 0, chart }];
  },
});
