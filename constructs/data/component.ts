import { defineComponent } from '../lib/component';
import { limitRangeProblems } from '../lib/guardrails';
import { parseQuantity } from '../lib/quantity';
import type { ContainerResources } from '../lib/types';
import { dataNamespaceSchema } from './schema';

interface StatefulSiblings {
  consul?: { replicas: number; resources: ContainerResources; storage: { size: string } };
  postgres?: { resources: ContainerResources; storage: { size: string } };
}

/**
 * The `stateful` section's namespace. It builds nothing itself: the stack
 * builder declares the namespace it offers, and Consul and Postgres run in it.
 */
export const dataNamespaceComponent = defineComponent({
  id: 'data-namespace',
  configPath: ['stateful'],
  schema: dataNamespaceSchema,
  check(s, _platform, environment) {
    const { consul, postgres } = (environment as { stateful: StatefulSiblings }).stateful;
    const problems = limitRangeProblems([
      ...(consul ? [{ field: 'stateful.consul', resources: consul.resources }] : []),
      ...(postgres ? [{ field: 'stateful.postgres', resources: postgres.resources }] : []),
    ], s.limitRange, 'stateful.limitRange');
    // The quota must admit every server and the database (StatefulSets do not
    // surge) and their claims: a claim over quota is refused and its pod stays Pending.
    const pods = [...(consul ? [{ count: consul.replicas, resources: consul.resources }] : []), ...(postgres ? [{ count: 1, resources: postgres.resources }] : [])];
    const who = `${consul ? `${consul.replicas} Consul servers` : ''}${consul && postgres ? ' and ' : ''}${postgres ? 'Postgres' : ''}`;
    const podCount = pods.reduce((sum, p) => sum + p.count, 0);
    const add = (path: string, reason: string) => problems.push({ path: `stateful.${path}`, reason });
    if (podCount > s.quota.pods) add('quota.pods', `${s.quota.pods} is below the ${podCount} pods of ${who}`);
    for (const side of ['requests', 'limits'] as const) {
      for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
        const needed = pods.reduce((sum, p) => sum + p.count * parseQuantity(p.resources[side][key])!, 0);
        if (needed > parseQuantity(s.quota[side][key])! * (1 + 1e-9)) {
          add(`quota.${side}.${key}`, `${s.quota[side][key]} is below the ${key === 'cpu' ? `${Math.round(needed * 1000)}m` : `${Math.ceil(needed / 2 ** 20)}Mi`} that ${who} need${pods.length === 1 && !consul ? 's' : ''}`);
        }
      }
    }
    const claims = (consul?.replicas ?? 0) + (postgres ? 1 : 0);
    if (claims > s.quota.persistentVolumeClaims) add('quota.persistentVolumeClaims', `${s.quota.persistentVolumeClaims} is below the ${claims} claims (one per Consul server, one for Postgres)`);
    const storage = (consul ? consul.replicas * parseQuantity(consul.storage.size)! : 0) + (postgres ? parseQuantity(postgres.storage.size)! : 0);
    if (storage > parseQuantity(s.quota.storage)! * (1 + 1e-9)) {
      const parts = [consul ? `${consul.replicas} x consul.storage.size ${consul.storage.size}` : '', postgres ? `postgres.storage.size ${postgres.storage.size}` : ''].filter(Boolean).join(' + ');
      add('quota.storage', `${s.quota.storage} is below the ${Math.ceil(storage / 2 ** 30)}Gi claimed (${parts})`);
    }
    return problems;
  },
  offers(s) {
    return {
      namespaces: [{ name: s.namespace, field: 'stateful.namespace', instance: s.instance, partOf: 'dockercoins', podSecurity: 'restricted' as const, quota: s.quota, limitRange: s.limitRange, viewer: true }],
    };
  },
  build: () => [],
});
