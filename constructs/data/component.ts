import { defineComponent } from '../lib/component';
import { dataNamespaceSchema } from './schema';

/**
 * The `stateful` section's namespace. It builds nothing itself: the stack
 * builder declares the namespace it offers (with its quota and LimitRange,
 * checked against the footprints of whatever runs there), and Consul and
 * Postgres run in it.
 */
export const dataNamespaceComponent = defineComponent({
  id: 'data-namespace',
  configPath: ['stateful'],
  schema: dataNamespaceSchema,
  offers(s) {
    return {
      namespaces: [{
        name: s.namespace, field: 'stateful.namespace', instance: s.instance, partOf: 'dockercoins', podSecurity: 'restricted' as const,
        quota: s.quota, limitRange: s.limitRange, guardrailsField: 'stateful', viewer: true,
      }],
    };
  },
  build: () => [],
});
