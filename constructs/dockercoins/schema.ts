import { parseQuantity } from '../lib/quantity';
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
      ctx.addIssue({ code: 'custom', path: ['DEBUG'], message: `"${debug}" is not read as ${/^y/i.test(debug) ? 'intended' : 'on'} by the DockerCoins images (they test for a value starting with "y"): write "yes" or "no"` });
    }
  }),
  availability: z.strictObject({
    /** PodDisruptionBudgets (maxUnavailable 1) for the replicated Deployments. */
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

/** The services of an instance, with the QoS class each is designed for. */
export const DOCKERCOINS_SERVICES = ['rng', 'hasher', 'worker', 'webui', 'redis'] as const;

/**
 * The quota must admit the workloads at full scale: HPA maximum, one surge pod
 * per rolling Deployment and rng on every node. A quota that is too small makes
 * ReplicaSets fail to create pods, silently, in the middle of a rollout.
 */
export function quotaProblems(d: DockerCoinsInstanceConfig, nodes: number): Array<{ path: string; reason: string }> {
  const problems: Array<{ path: string; reason: string }> = [];
  const surge = 1;
  const pods = [
    { count: nodes + surge, resources: d.rng.resources },
    { count: d.hasher.autoscaling.maxReplicas + surge, resources: d.hasher.resources },
    { count: d.worker.replicas + surge, resources: d.worker.resources },
    { count: d.webui.replicas + surge, resources: d.webui.resources },
    { count: d.redis.persistence ? 1 : 1 + surge, resources: d.redis.resources },
  ];
  const scale = `(HPA maximum, rollout surge, rng on ${nodes} nodes)`;
  const podCount = pods.reduce((sum, p) => sum + p.count, 0);
  if (podCount > d.quota.pods) problems.push({ path: 'quota.pods', reason: `${d.quota.pods} is below the ${podCount} pods needed at full scale ${scale}` });
  for (const side of ['requests', 'limits'] as const) {
    for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      const needed = pods.reduce((sum, p) => sum + p.count * parseQuantity(p.resources[side][key])!, 0);
      if (needed > parseQuantity(d.quota[side][key])! * (1 + 1e-9)) {
        problems.push({ path: `quota.${side}.${key}`, reason: `${d.quota[side][key]} is below the ${formatAmount(key, needed)} the workloads need at full scale ${scale}` });
      }
    }
  }
  if (d.redis.persistence) {
    if (d.quota.persistentVolumeClaims < 1) problems.push({ path: 'quota.persistentVolumeClaims', reason: 'must be at least 1 when redis.persistence is set' });
    if (parseQuantity(d.redis.persistence.size)! > parseQuantity(d.quota.storage)!) problems.push({ path: 'quota.storage', reason: `${d.quota.storage} is below redis.persistence.size ${d.redis.persistence.size}` });
  }
  return problems;
}

export function formatAmount(key: string, value: number): string {
  if (key === 'cpu') return `${Math.round(value * 1000)}m`;
  return `${Math.ceil(value / 2 ** 20)}Mi`;
}
