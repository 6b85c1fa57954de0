import { App, Chart } from 'cdk8s';
import { Consul } from '../../constructs/consul';
import { recommendedLabels } from '../../constructs/lib/labels';
import { platformNamespace } from './namespaces';
import { Postgres } from '../../constructs/postgres';
import { StorageClass } from '../../constructs/storage';
import { EnvironmentConfig } from '../config';
import { ingressRoute, PLATFORM_VERSION, StackChart, withEnvironmentStorageClass } from '../stack';

/**
 * The Postgres password Secret. Never rendered: Pulumi creates it from the
 * secret stack config value `dockercoins:postgresPassword`; on the kubectl path
 * an operator creates it first (docs/stateful.md).
 */
export const POSTGRES_SECRET = { name: 'postgres-auth', key: 'password', configKey: 'postgresPassword' } as const;

/**
 * Charts of the stateful services:
 * - `storage` (wave 0, only when StorageClasses are configured): cluster-scoped
 *   classes, which must exist before the first claim asks for them;
 * - `consul` and `postgres` (wave 1): platform services that applications
 *   (wave 2) may depend on. Postgres declares its password Secret, which Pulumi
 *   creates after the namespaces wave and before this chart.
 * Their namespace (restricted, with quota, LimitRange and default deny) goes
 * into the shared `namespaces` chart.
 */
export function buildStateful(app: App, namespaces: Chart, env: EnvironmentConfig): StackChart[] {
  const s = env.stateful;
  if (!s) return [];
  const charts: StackChart[] = [];
  const platform = (name: string, component: string) =>
    ({ name, instance: s.instance, component, partOf: 'dockercoins', version: PLATFORM_VERSION });

  if (s.storageClasses && s.storageClasses.length > 0) {
    const storage = new Chart(app, 'storage', { disableResourceNameHashes: true });
    for (const sc of s.storageClasses) {
      new StorageClass(storage, `StorageClass-${sc.name}`, { ...sc, labels: recommendedLabels(storage, platform(sc.name, 'storage')) });
    }
    charts.push({ id: 'storage', wave: 0, chart: storage });
  }

  platformNamespace(namespaces, {
    name: s.namespace,
    instance: s.instance,
    partOf: 'dockercoins',
    podSecurity: 'restricted',
    quota: s.quota,
    limitRange: s.limitRange,
    viewer: true,
  });

  const consulChart = new Chart(app, 'consul', { disableResourceNameHashes: true });
  new Consul(consulChart, 'Consul', {
    instance: s.instance,
    namespace: s.namespace,
    image: s.consul.image,
    resources: s.consul.resources,
    replicas: s.consul.replicas,
    join: s.consul.join,
    antiAffinity: s.consul.antiAffinity,
    storage: withEnvironmentStorageClass(s.consul.storage, env),
    datacenter: s.consul.datacenter,
    clientNamespaces: s.consul.clientNamespaces,
    apiServer: { cidrs: env.cluster.apiServerCidrs, port: env.cluster.apiServerPort },
    ui: s.consul.ui ? ingressRoute(env, s.consul.ui.host, s.consul.ui.tlsSecretName) : undefined,
  });
  charts.push({ id: 'consul', wave: 1, chart: consulChart });

  const postgresChart = new Chart(app, 'postgres', { disableResourceNameHashes: true });
  const postgres = new Postgres(postgresChart, 'Postgres', {
    instance: s.instance,
    namespace: s.namespace,
    image: s.postgres.image,
    resources: s.postgres.resources,
    storage: withEnvironmentStorageClass(s.postgres.storage, env),
    shmSize: s.postgres.shmSize,
    database: s.postgres.database,
    user: s.postgres.user,
    passwordSecret: { name: POSTGRES_SECRET.name, key: POSTGRES_SECRET.key },
    clientNamespaces: s.postgres.clientNamespaces,
  });
  charts.push({
    id: 'postgres',
    wave: 1,
    chart: postgresChart,
    secrets: [{
      name: POSTGRES_SECRET.name,
      namespace: s.namespace,
      keys: { [POSTGRES_SECRET.key]: POSTGRES_SECRET.configKey },
      labels: postgres.statefulSet.pod.labels,
    }],
  });
  return charts;
}
