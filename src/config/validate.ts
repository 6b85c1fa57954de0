import { parseQuantity } from '../../constructs/lib/quantity';
import { resourceProblems } from '../../constructs/lib/resources';
import { ContainerResources, ImageRef, QosClass, ResourceAmounts, TolerationSpec } from '../../constructs/lib/types';
import { checkLogging } from './sections/logging';
import { DockerCoinsInstanceConfig, EnvironmentConfig } from './types';
import { checkStateful } from './sections/stateful';
import { checkEdge } from './sections/edge';

/** A configuration that must not render. Lists every problem, each naming the environment and the field. */
export class ConfigError extends Error {
  constructor(public readonly environment: string, public readonly problems: readonly string[]) {
    super(`Invalid configuration for environment "${environment}":\n${problems.map(p => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IMAGE_REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY = /^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/;

/**
 * Collects problems as `field.path: reason`. Each check reads a value of
 * unknown type, because stack overrides arrive as untyped YAML.
 */
export class Checker {
  public readonly problems: string[] = [];

  add(path: string, reason: string): void {
    this.problems.push(`${path}: ${reason}`);
  }

  string(path: string, value: unknown): value is string {
    if (typeof value !== 'string') { this.add(path, `must be a string, got ${describe(value)}`); return false; }
    return true;
  }

  boolean(path: string, value: unknown): value is boolean {
    if (typeof value !== 'boolean') { this.add(path, `must be true or false, got ${describe(value)}`); return false; }
    return true;
  }

  integer(path: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
    if (typeof value !== 'number' || !Number.isInteger(value)) { this.add(path, `must be a whole number, got ${describe(value)}`); return false; }
    if (value < min) { this.add(path, `must be at least ${min}, got ${value}`); return false; }
    if (value > max) { this.add(path, `must be at most ${max}, got ${value}`); return false; }
    return true;
  }

  dnsLabel(path: string, value: unknown): value is string {
    if (!this.string(path, value)) return false;
    if (value.length > 63 || !DNS_LABEL.test(value)) {
      this.add(path, `"${value}" is not a valid DNS label (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)`);
      return false;
    }
    return true;
  }

  dnsSubdomain(path: string, value: unknown): value is string {
    if (!this.string(path, value)) return false;
    if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
      this.add(path, `"${value}" is not a valid DNS subdomain name (lower-case labels separated by dots)`);
      return false;
    }
    return true;
  }

  host(path: string, value: unknown): value is string {
    if (!this.string(path, value)) return false;
    const labels = value.split('.');
    const valid = value.length <= 253 && labels.length >= 2 && labels.every(l => l.length <= 63 && DNS_LABEL.test(l))
      && !/^[0-9]+$/.test(labels[labels.length - 1]);
    if (!valid) this.add(path, `"${value}" is not a valid DNS host name (e.g. dockercoins.example.com; no scheme, port, path or wildcard)`);
    return valid;
  }

  quantity(path: string, value: unknown, options: { positive?: boolean } = {}): value is string {
    if (!this.string(path, value)) return false;
    const parsed = parseQuantity(value);
    if (parsed === undefined) { this.add(path, `"${value}" is not a valid Kubernetes quantity (e.g. 100m, 0.5, 64Mi, 1Gi)`); return false; }
    if (parsed < 0 || (options.positive && parsed === 0)) { this.add(path, `must be greater than zero, got "${value}"`); return false; }
    return true;
  }

  image(path: string, value: unknown): value is ImageRef {
    if (!this.object(path, value)) return false;
    const v = value as Record<string, unknown>;
    let ok = true;
    if (this.string(`${path}.registry`, v.registry) && v.registry !== '' && !REGISTRY.test(v.registry)) {
      this.add(`${path}.registry`, `"${v.registry}" is not a valid registry host (e.g. registry.example.com:5000)`); ok = false;
    }
    if (this.string(`${path}.repository`, v.repository) && !IMAGE_REPOSITORY.test(v.repository)) {
      this.add(`${path}.repository`, `"${v.repository}" is not a valid image repository (lower-case path such as dockercoins/rng)`); ok = false;
    }
    if (this.string(`${path}.tag`, v.tag)) {
      if (v.tag === '') { this.add(`${path}.tag`, 'is empty: pin an immutable tag'); ok = false; }
      else if (v.tag === 'latest') { this.add(`${path}.tag`, '"latest" is not allowed: pin an immutable tag so rollouts are reproducible'); ok = false; }
      else if (!IMAGE_TAG.test(v.tag)) { this.add(`${path}.tag`, `"${v.tag}" is not a valid image tag`); ok = false; }
    }
    return ok;
  }

  amounts(path: string, value: unknown): value is ResourceAmounts {
    if (!this.object(path, value)) return false;
    const v = value as Record<string, unknown>;
    const cpu = this.quantity(`${path}.cpu`, v.cpu, { positive: true });
    const memory = this.quantity(`${path}.memory`, v.memory, { positive: true });
    const storage = this.quantity(`${path}.ephemeralStorage`, v.ephemeralStorage, { positive: true });
    return cpu && memory && storage;
  }

  resources(path: string, value: unknown, qos: QosClass): value is ContainerResources {
    if (!this.object(path, value)) return false;
    const v = value as Record<string, unknown>;
    const requests = this.amounts(`${path}.requests`, v.requests);
    const limits = this.amounts(`${path}.limits`, v.limits);
    if (!requests || !limits) return false;
    for (const problem of resourceProblems(v as unknown as ContainerResources, qos)) this.problems.push(`${path}.${problem}`);
    return true;
  }

  tolerations(path: string, value: unknown): value is TolerationSpec[] {
    if (value === undefined) return true;
    if (!Array.isArray(value)) { this.add(path, `must be a list, got ${describe(value)}`); return false; }
    value.forEach((t, i) => {
      const p = `${path}[${i}]`;
      if (!this.object(p, t)) return;
      const tol = t as Record<string, unknown>;
      if (tol.operator !== undefined && tol.operator !== 'Exists' && tol.operator !== 'Equal') this.add(`${p}.operator`, `must be Exists or Equal, got ${describe(tol.operator)}`);
      if (tol.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(tol.effect as string)) {
        this.add(`${p}.effect`, `must be NoSchedule, PreferNoSchedule or NoExecute, got ${describe(tol.effect)}`);
      }
      if (tol.operator === 'Exists' && tol.value !== undefined) this.add(`${p}.value`, 'must be empty when operator is Exists');
    });
    return true;
  }

  cidr(path: string, value: unknown): value is string {
    if (!this.string(path, value)) return false;
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m || m.slice(1, 5).some(o => Number(o) > 255) || Number(m[5]) > 32) {
      this.add(path, `"${value}" is not a valid IPv4 CIDR (e.g. 10.0.0.0/16)`);
      return false;
    }
    return true;
  }

  cidrs(path: string, value: unknown): value is string[] {
    if (!Array.isArray(value) || value.length === 0) { this.add(path, `must be a non-empty list of CIDRs, got ${describe(value)}`); return false; }
    return value.map((v, i) => this.cidr(`${path}[${i}]`, v)).every(Boolean);
  }

  /**
   * A namespace's ResourceQuota and LimitRange (fields `quota` and `limitRange`
   * under `path`). Returns whether the quota is usable for further checks.
   */
  guardrails(path: string, quota: unknown, limitRange: unknown): boolean {
    const q = quota as Record<string, unknown>;
    const quotaOk = this.object(`${path}.quota`, quota)
      && [this.amounts(`${path}.quota.requests`, q.requests), this.amounts(`${path}.quota.limits`, q.limits),
        this.integer(`${path}.quota.pods`, q.pods, 1), this.integer(`${path}.quota.persistentVolumeClaims`, q.persistentVolumeClaims, 0),
        this.quantity(`${path}.quota.storage`, q.storage)].every(Boolean);
    if (this.object(`${path}.limitRange`, limitRange)) {
      const lr = limitRange as unknown as { defaultRequest: ResourceAmounts; defaultLimit: ResourceAmounts; max: ResourceAmounts };
      if ([this.amounts(`${path}.limitRange.defaultRequest`, lr.defaultRequest), this.amounts(`${path}.limitRange.defaultLimit`, lr.defaultLimit), this.amounts(`${path}.limitRange.max`, lr.max)].every(Boolean)) {
        for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
          if (parseQuantity(lr.defaultLimit[key])! < parseQuantity(lr.defaultRequest[key])!) this.add(`${path}.limitRange.defaultLimit.${key}`, `${lr.defaultLimit[key]} is below defaultRequest.${key} ${lr.defaultRequest[key]}`);
          if (parseQuantity(lr.max[key])! < parseQuantity(lr.defaultLimit[key])!) this.add(`${path}.limitRange.max.${key}`, `${lr.max[key]} is below defaultLimit.${key} ${lr.defaultLimit[key]}`);
        }
      }
    }
    return quotaOk;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): value is T {
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      this.add(path, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
      return false;
    }
    return true;
  }

  object(path: string, value: unknown): value is Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) { this.add(path, `must be an object, got ${describe(value)}`); return false; }
    return true;
  }

  /** Names must be unique within a list (e.g. instance names, namespaces). */
  unique(path: string, values: Array<{ key: string; value: string }>): void {
    const seen = new Map<string, string>();
    for (const { key, value } of values) {
      const first = seen.get(value);
      if (first) this.add(key, `"${value}" is already used by ${first}; ${path} must be unique`);
      else seen.set(value, key);
    }
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value}"`;
  return Array.isArray(value) ? 'a list' : typeof value === 'object' && value !== null ? 'an object' : String(value);
}

/** Checks a whole environment; throws a ConfigError listing every problem. */
export function validateEnvironment(env: EnvironmentConfig): EnvironmentConfig {
  const c = new Checker();
  const name = typeof env.name === 'string' ? env.name : '(unnamed)';
  c.dnsLabel('name', env.name);
  c.integer('nodes', env.nodes, 1);
  if (env.storageClass !== undefined) c.dnsSubdomain('storageClass', env.storageClass);
  if (c.object('ingress', env.ingress)) {
    c.dnsSubdomain('ingress.className', env.ingress.className);
    c.dnsLabel('ingress.controllerNamespace', env.ingress.controllerNamespace);
    c.boolean('ingress.awaitLoadBalancer', env.ingress.awaitLoadBalancer);
  }
  if (c.object('cluster', env.cluster)) {
    c.cidrs('cluster.apiServerCidrs', env.cluster.apiServerCidrs);
    c.integer('cluster.apiServerPort', env.cluster.apiServerPort, 1, 65535);
    c.cidrs('cluster.nodeCidrs', env.cluster.nodeCidrs);
  }
  if (!Array.isArray(env.dockercoins) || env.dockercoins.length === 0) {
    c.add('dockercoins', 'must list at least one instance');
  } else {
    env.dockercoins.forEach((instance, i) => checkInstance(c, `dockercoins[${typeof instance?.name === 'string' ? instance.name : i}]`, instance, env));
    c.unique('instance names', env.dockercoins.map((d, i) => ({ key: `dockercoins[${i}].name`, value: d.name })));
    c.unique('namespaces', env.dockercoins.map((d, i) => ({ key: `dockercoins[${d.name ?? i}].namespace`, value: d.namespace })));
    c.unique('hosts', env.dockercoins.map((d, i) => ({ key: `dockercoins[${d.name ?? i}].host`, value: d.host })));
    c.unique('node ports', env.dockercoins.filter(d => d.webui?.nodePort !== undefined)
      .map((d, i) => ({ key: `dockercoins[${d.name ?? i}].webui.nodePort`, value: String(d.webui.nodePort) })));
  }
  checkStateful(c, 'stateful', env.stateful, env);
  if (env.edge !== undefined) checkEdge(c, 'edge', env.edge, env);
  if (env.logging !== undefined) checkLogging(c, 'logging', env.logging, env);
  if (c.problems.length > 0) throw new ConfigError(name, c.problems);
  return env;
}

function checkInstance(c: Checker, path: string, d: DockerCoinsInstanceConfig, env: EnvironmentConfig): void {
  if (!c.object(path, d)) return;
  c.dnsLabel(`${path}.name`, d.name);
  c.dnsLabel(`${path}.namespace`, d.namespace);
  c.host(`${path}.host`, d.host);
  if (d.tlsSecretName !== undefined) c.dnsSubdomain(`${path}.tlsSecretName`, d.tlsSecretName);
  if (c.object(`${path}.settings`, d.settings)) {
    for (const [key, value] of Object.entries(d.settings)) {
      if (!ENV_VAR_NAME.test(key)) c.add(`${path}.settings.${key}`, `"${key}" is not a valid environment variable name`);
      if (typeof value !== 'string') c.add(`${path}.settings.${key}`, `must be a string, got ${describe(value)} (quote it in YAML)`);
    }
  }
  if (c.object(`${path}.availability`, d.availability)) {
    c.boolean(`${path}.availability.disruptionBudgets`, d.availability.disruptionBudgets);
    c.oneOf(`${path}.availability.spread`, d.availability.spread, ['none', 'preferred', 'required'] as const);
  }
  const sized = (key: 'rng' | 'hasher' | 'worker' | 'webui' | 'redis', qos: QosClass): boolean => {
    const p = `${path}.${key}`;
    if (!c.object(p, d[key])) return false;
    c.image(`${p}.image`, d[key].image);
    return c.resources(`${p}.resources`, d[key].resources, qos);
  };
  if (sized('rng', 'Burstable')) c.tolerations(`${path}.rng.tolerations`, d.rng.tolerations);
  if (sized('hasher', 'Burstable') && c.object(`${path}.hasher.autoscaling`, d.hasher.autoscaling)) {
    const a = d.hasher.autoscaling;
    const p = `${path}.hasher.autoscaling`;
    const min = c.integer(`${p}.minReplicas`, a.minReplicas, 1);
    const max = c.integer(`${p}.maxReplicas`, a.maxReplicas, 1);
    if (min && max && a.minReplicas > a.maxReplicas) c.add(`${p}.minReplicas`, `${a.minReplicas} is above maxReplicas ${a.maxReplicas}`);
    c.integer(`${p}.targetCpuUtilization`, a.targetCpuUtilization, 1, 100);
  }
  if (sized('worker', 'Burstable')) c.integer(`${path}.worker.replicas`, d.worker.replicas, 1);
  if (sized('webui', 'Burstable')) {
    c.integer(`${path}.webui.replicas`, d.webui.replicas, 1);
    if (d.webui.nodePort !== undefined) c.integer(`${path}.webui.nodePort`, d.webui.nodePort, 30000, 32767);
  }
  if (sized('redis', 'Guaranteed') && d.redis.persistence !== undefined && c.object(`${path}.redis.persistence`, d.redis.persistence)) {
    c.quantity(`${path}.redis.persistence.size`, d.redis.persistence.size, { positive: true });
    if (d.redis.persistence.storageClassName !== undefined) c.dnsSubdomain(`${path}.redis.persistence.storageClassName`, d.redis.persistence.storageClassName);
  }
  const quotaOk = c.guardrails(path, d.quota, d.limitRange);
  if (quotaOk && c.problems.length === 0) checkQuotaFits(c, path, d, env.nodes);
}

/**
 * The quota must admit the workloads at full scale: HPA maximum, one surge pod
 * per rolling Deployment and rng on every node. A quota that is too small makes
 * ReplicaSets fail to create pods, silently, in the middle of a rollout.
 */
function checkQuotaFits(c: Checker, path: string, d: DockerCoinsInstanceConfig, nodes: number): void {
  const surge = 1;
  const pods: Array<{ count: number; resources: ContainerResources }> = [
    { count: nodes + surge, resources: d.rng.resources },
    { count: d.hasher.autoscaling.maxReplicas + surge, resources: d.hasher.resources },
    { count: d.worker.replicas + surge, resources: d.worker.resources },
    { count: d.webui.replicas + surge, resources: d.webui.resources },
    { count: d.redis.persistence ? 1 : 1 + surge, resources: d.redis.resources },
  ];
  const podCount = pods.reduce((sum, p) => sum + p.count, 0);
  if (podCount > d.quota.pods) c.add(`${path}.quota.pods`, `${d.quota.pods} is below the ${podCount} pods needed at full scale (HPA maximum, rollout surge, rng on ${nodes} nodes)`);
  for (const side of ['requests', 'limits'] as const) {
    for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      const needed = pods.reduce((sum, p) => sum + p.count * parseQuantity(p.resources[side][key])!, 0);
      const allowed = parseQuantity(d.quota[side][key])!;
      if (needed > allowed * (1 + 1e-9)) {
        c.add(`${path}.quota.${side}.${key}`, `${d.quota[side][key]} is below the ${formatAmount(key, needed)} the workloads need at full scale (HPA maximum, rollout surge, rng on ${nodes} nodes)`);
      }
    }
  }
  if (d.redis.persistence) {
    if (d.quota.persistentVolumeClaims < 1) c.add(`${path}.quota.persistentVolumeClaims`, 'must be at least 1 when redis.persistence is set');
    if (parseQuantity(d.redis.persistence.size)! > parseQuantity(d.quota.storage)!) c.add(`${path}.quota.storage`, `${d.quota.storage} is below redis.persistence.size ${d.redis.persistence.size}`);
  }
}

function formatAmount(key: string, value: number): string {
  if (key === 'cpu') return `${Math.round(value * 1000)}m`;
  return `${Math.ceil(value / 2 ** 20)}Mi`;
}
