import { Chart } from 'cdk8s';
import { defineComponent } from '../lib/component';
import { tlsEnabled } from '../lib/certificates';
import { admittedClients } from '../lib/clients';
import { selectorLabels } from '../lib/labels';
import { Postgres, POSTGRES_PORT, POSTGRES_SERVICE, POSTGRES_TLS_SECRET } from '.';
import { postgresSchema } from './schema';

/**
 * The Postgres password Secret. Never rendered: Pulumi creates it from the
 * secret stack config value `dockercoins:postgresPassword`; on the kubectl path
 * an operator creates it first (docs/stateful.md).
 */
export const POSTGRES_SECRET = { name: 'postgres-auth', key: 'password', configKey: 'postgresPassword' } as const;

interface DataSection { namespace: string; instance: string }

/** Postgres in the `stateful` namespace, wave 1; declares its password Secret. */
export const postgresComponent = defineComponent({
  id: 'postgres',
  configPath: ['stateful', 'postgres'],
  schema: postgresSchema,
  offers(p, platform, environment) {
    const s = (environment as { stateful: DataSection }).stateful;
    return {
      footprints: [{ namespace: s.namespace, field: 'stateful.postgres', workload: 'postgres', pods: 1, why: '', resources: p.resources, claims: { count: 1, size: p.storage.size } }],
      claims: [{ storageClassName: p.storage.storageClassName, field: 'stateful.postgres.storage.storageClassName' }],
      dataStores: [{ store: 'postgres', field: 'stateful.postgres' }],
      workloads: [{ namespace: s.namespace, kind: 'StatefulSet' as const, name: POSTGRES_SERVICE, claims: ['data'] }],
      certificateSecrets: tlsEnabled(platform.certificates) ? [{ namespace: s.namespace, secretName: POSTGRES_TLS_SECRET, field: 'stateful.postgres' }] : [],
    };
  },
  build(ctx) {
    const p = ctx.config;
    const s = (ctx.environment as { stateful: DataSection }).stateful;
    const chart = new Chart(ctx.app, 'postgres', { disableResourceNameHashes: true });
    const postgres = new Postgres(chart, 'Postgres', {
      instance: s.instance,
      namespace: s.namespace,
      image: p.image,
      resources: p.resources,
      storage: ctx.withStorageClass(p.storage),
      shmSize: p.shmSize,
      database: p.database,
      user: p.user,
      passwordSecret: { name: POSTGRES_SECRET.name, key: POSTGRES_SECRET.key },
      clientNamespaces: p.clientNamespaces,
      clients: admittedClients(ctx.wiring.clients, { namespace: s.namespace, pods: selectorLabels({ name: POSTGRES_SERVICE, instance: s.instance }), port: POSTGRES_PORT }),
      certificates: ctx.certificates,
    });
    return [{
      id: 'postgres',
      wave: 1,
      chart,
      secrets: [{
        name: POSTGRES_SECRET.name, namespace: s.namespace, keys: { [POSTGRES_SECRET.key]: POSTGRES_SECRET.configKey }, labels: postgres.statefulSet.pod.labels,
        superuserKeys: [POSTGRES_SECRET.key],
      }],
    }];
  },
});
