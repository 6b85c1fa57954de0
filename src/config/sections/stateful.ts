import type { ConsulProps } from '../../../constructs/consul';
import type { IngressRoute } from '../../../constructs/lib/ingress';
import { parseQuantity } from '../../../constructs/lib/quantity';
import type { ImageRef } from '../../../constructs/lib/types';
import type { LimitRangeSpec, QuotaSpec } from '../../../constructs/namespace';
import type { PostgresProps, VolumeSpec } from '../../../constructs/postgres';
import type { StorageClassSpec } from '../../../constructs/storage';
import type { EnvironmentConfig } from '../types';
import { Checker, describe } from '../validate';

/** Consul and Postgres, in their own restricted namespace, and the StorageClasses the platform creates. */
export interface StatefulConfig {
  /** Namespace of Consul and Postgres (a DNS label), e.g. `data`. */
  readonly namespace: string;
  /** Instance name (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** Namespace ResourceQuota; checked to admit every server and claim below. */
  readonly quota: QuotaSpec;
  /** Namespace LimitRange (defaults for pods made outside this model, e.g. a psql client pod). */
  readonly limitRange: LimitRangeSpec;
  /**
   * StorageClasses to create (cluster-scoped, before any claim). Leave empty
   * where the cluster already provides the class named by `storageClass`.
   * @default - none
   */
  readonly storageClasses?: readonly StorageClassSpec[];
  readonly consul: ConsulConfig;
  readonly postgres: PostgresConfig;
}

/**
 * Consul servers: the construct's props an environment chooses (documented on
 * `ConsulProps`). `storage.storageClassName` defaults to the environment's
 * `storageClass`; `ui` is published through the environment's ingress
 * controller. The HTTP API behind the UI has no ACLs here: publish it only
 * where the network is trusted (dev) or with authentication in front.
 */
export type ConsulConfig = Pick<ConsulProps, 'image' | 'replicas' | 'antiAffinity' | 'resources' | 'storage'>
  & Required<Pick<ConsulProps, 'join' | 'datacenter' | 'clientNamespaces'>>
  & { readonly ui?: Pick<IngressRoute, 'host' | 'tlsSecretName'> };

/**
 * Postgres: the construct's props an environment chooses (documented on
 * `PostgresProps`); `storage.storageClassName` defaults to the environment's
 * `storageClass`.
 */
export type PostgresConfig = Pick<PostgresProps, 'image' | 'resources' | 'storage' | 'shmSize' | 'database' | 'user'>
  & Required<Pick<PostgresProps, 'clientNamespaces'>>;

const POSTGRES_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const PROVISIONER = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/;
const PARAMETER_KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/** Validates `stateful` of an environment. */
export function checkStateful(c: Checker, path: string, value: unknown, env: EnvironmentConfig): void {
  if (value === undefined) return;
  if (!c.object(path, value)) return;
  const s = value as unknown as StatefulConfig;
  const before = c.problems.length;
  c.dnsLabel(`${path}.namespace`, s.namespace);
  c.dnsLabel(`${path}.instance`, s.instance);
  if (Array.isArray(env.dockercoins) && env.dockercoins.some(d => d?.namespace === s.namespace)) {
    c.add(`${path}.namespace`, `"${s.namespace}" is already a DockerCoins namespace; stateful services get their own (e.g. "data")`);
  }
  checkStorageClasses(c, `${path}.storageClasses`, s.storageClasses);
  checkConsul(c, `${path}.consul`, s.consul, env);
  checkPostgres(c, `${path}.postgres`, s.postgres);
  const quotaOk = checkQuota(c, path, s);
  if (quotaOk && c.problems.length === before) checkQuotaFits(c, path, s);
}

function checkStorageClasses(c: Checker, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) { c.add(path, `must be a list, got ${describe(value)}`); return; }
  const classes = value as StorageClassSpec[];
  classes.forEach((sc, i) => {
    const p = `${path}[${typeof sc?.name === 'string' ? sc.name : i}]`;
    if (!c.object(p, sc)) return;
    c.dnsSubdomain(`${p}.name`, sc.name);
    if (c.string(`${p}.provisioner`, sc.provisioner) && (sc.provisioner.length > 253 || !PROVISIONER.test(sc.provisioner))) {
      c.add(`${p}.provisioner`, `"${sc.provisioner}" is not a valid provisioner name (a CSI driver such as driver.longhorn.io, or kubernetes.io/<plugin>)`);
    }
    if (sc.parameters !== undefined && c.object(`${p}.parameters`, sc.parameters)) {
      for (const [key, v] of Object.entries(sc.parameters)) {
        if (!PARAMETER_KEY.test(key)) c.add(`${p}.parameters.${key}`, `"${key}" is not a valid parameter name`);
        if (typeof v !== 'string') c.add(`${p}.parameters.${key}`, `must be a string, got ${describe(v)} (quote it in YAML)`);
      }
    }
    if (sc.reclaimPolicy !== undefined) c.oneOf(`${p}.reclaimPolicy`, sc.reclaimPolicy, ['Retain', 'Delete'] as const);
    if (sc.volumeBindingMode !== undefined) c.oneOf(`${p}.volumeBindingMode`, sc.volumeBindingMode, ['WaitForFirstConsumer', 'Immediate'] as const);
    if (sc.allowVolumeExpansion !== undefined) c.boolean(`${p}.allowVolumeExpansion`, sc.allowVolumeExpansion);
    if (sc.isDefault !== undefined) c.boolean(`${p}.isDefault`, sc.isDefault);
  });
  c.unique('storage class names', classes.map((sc, i) => ({ key: `${path}[${i}].name`, value: sc?.name })));
  if (classes.filter(sc => sc?.isDefault).length > 1) c.add(path, 'at most one StorageClass may be the cluster default (isDefault)');
}

function checkVolume(c: Checker, path: string, value: unknown): boolean {
  if (!c.object(path, value)) return false;
  const v = value as unknown as VolumeSpec;
  const size = c.quantity(`${path}.size`, v.size, { positive: true });
  const cls = v.storageClassName === undefined || c.dnsSubdomain(`${path}.storageClassName`, v.storageClassName);
  return size && cls;
}

function checkNamespaces(c: Checker, path: string, value: unknown): void {
  if (!Array.isArray(value)) { c.add(path, `must be a list of namespaces, got ${describe(value)}`); return; }
  value.forEach((ns, i) => c.dnsLabel(`${path}[${i}]`, ns));
}

function checkConsul(c: Checker, path: string, value: unknown, env: EnvironmentConfig): void {
  if (!c.object(path, value)) return;
  const k = value as unknown as ConsulConfig;
  c.image(`${path}.image`, k.image);
  if (c.integer(`${path}.replicas`, k.replicas, 1, 7) && k.replicas % 2 === 0) {
    c.add(`${path}.replicas`, `must be odd, got ${k.replicas}: ${k.replicas} servers tolerate no more failures than ${k.replicas - 1} (quorum is a majority) and make each write slower`);
  }
  c.oneOf(`${path}.join`, k.join, ['dns', 'kubernetes'] as const);
  if (c.oneOf(`${path}.antiAffinity`, k.antiAffinity, ['preferred', 'required'] as const)
    && k.antiAffinity === 'required' && typeof k.replicas === 'number' && typeof env.nodes === 'number' && k.replicas > env.nodes) {
    c.add(`${path}.antiAffinity`, `"required" places each of the ${k.replicas} servers on its own node, but the environment plans ${env.nodes} nodes; extra servers would stay Pending`);
  }
  c.resources(`${path}.resources`, k.resources, 'Burstable');
  checkVolume(c, `${path}.storage`, k.storage);
  c.dnsLabel(`${path}.datacenter`, k.datacenter);
  checkNamespaces(c, `${path}.clientNamespaces`, k.clientNamespaces);
  if (k.ui !== undefined && c.object(`${path}.ui`, k.ui)) {
    c.host(`${path}.ui.host`, k.ui.host);
    if (k.ui.tlsSecretName !== undefined) c.dnsSubdomain(`${path}.ui.tlsSecretName`, k.ui.tlsSecretName);
  }
}

function checkPostgres(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value)) return;
  const p = value as unknown as PostgresConfig;
  if (c.image(`${path}.image`, p.image) && !/alpine/.test(p.image.tag)) {
    c.add(`${path}.image.tag`, `"${p.image.tag}" is not an alpine tag; the security context runs as the alpine image's postgres uid/gid 70 (Debian images use 999)`);
  }
  const resourcesOk = c.resources(`${path}.resources`, p.resources, 'Guaranteed');
  checkVolume(c, `${path}.storage`, p.storage);
  if (c.quantity(`${path}.shmSize`, p.shmSize, { positive: true }) && resourcesOk) {
    const limit = parseQuantity(p.resources.limits.memory);
    if (limit !== undefined && parseQuantity(p.shmSize)! >= limit) {
      c.add(`${path}.shmSize`, `${p.shmSize} must be below limits.memory ${p.resources.limits.memory}: /dev/shm is memory-backed and counts against the limit`);
    }
  }
  for (const key of ['database', 'user'] as const) {
    if (c.string(`${path}.${key}`, p[key]) && !POSTGRES_IDENTIFIER.test(p[key])) {
      c.add(`${path}.${key}`, `"${p[key]}" is not a plain Postgres identifier (lower-case letters, digits and _, at most 63 characters)`);
    }
  }
  checkNamespaces(c, `${path}.clientNamespaces`, p.clientNamespaces);
}

function checkQuota(c: Checker, path: string, s: StatefulConfig): boolean {
  const ok = c.guardrails(path, s.quota, s.limitRange);
  return ok && typeof s.limitRange === 'object' && s.limitRange !== null;
}

/**
 * The quota must admit every server and the database (StatefulSets do not
 * surge: a rolling update replaces one pod at a time), and their claims: a
 * claim over quota is refused and its pod stays Pending.
 */
function checkQuotaFits(c: Checker, path: string, s: StatefulConfig): void {
  const pods = [
    { count: s.consul.replicas, resources: s.consul.resources },
    { count: 1, resources: s.postgres.resources },
  ];
  const podCount = pods.reduce((sum, p) => sum + p.count, 0);
  if (podCount > s.quota.pods) c.add(`${path}.quota.pods`, `${s.quota.pods} is below the ${podCount} pods of ${s.consul.replicas} Consul servers and Postgres`);
  for (const side of ['requests', 'limits'] as const) {
    for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      const needed = pods.reduce((sum, p) => sum + p.count * parseQuantity(p.resources[side][key])!, 0);
      if (needed > parseQuantity(s.quota[side][key])! * (1 + 1e-9)) {
        c.add(`${path}.quota.${side}.${key}`, `${s.quota[side][key]} is below the ${key === 'cpu' ? `${Math.round(needed * 1000)}m` : `${Math.ceil(needed / 2 ** 20)}Mi`} that Consul and Postgres need`);
      }
    }
  }
  const claims = s.consul.replicas + 1;
  if (claims > s.quota.persistentVolumeClaims) c.add(`${path}.quota.persistentVolumeClaims`, `${s.quota.persistentVolumeClaims} is below the ${claims} claims (one per Consul server, one for Postgres)`);
  const storage = s.consul.replicas * parseQuantity(s.consul.storage.size)! + parseQuantity(s.postgres.storage.size)!;
  if (storage > parseQuantity(s.quota.storage)! * (1 + 1e-9)) {
    c.add(`${path}.quota.storage`, `${s.quota.storage} is below the ${Math.ceil(storage / 2 ** 30)}Gi claimed (${s.consul.replicas} x consul.storage.size ${s.consul.storage.size} + postgres.storage.size ${s.postgres.storage.size})`);
  }
}

/** Consul server image, pinned (alpine based; the consul user is uid 100, gid 1000). */
export const CONSUL_IMAGE: ImageRef = { registry: '', repository: 'hashicorp/consul', tag: '1.19.2' };

/** Official Postgres alpine image, pinned (postgres user uid/gid 70). */
export const POSTGRES_IMAGE: ImageRef = { registry: '', repository: 'postgres', tag: '16.4-alpine' };
