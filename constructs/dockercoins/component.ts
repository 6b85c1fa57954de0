import { Chart } from 'cdk8s';
import { defineComponent } from '../lib/component';
import { listItemKey } from '../lib/schema';
import type { ClientNeed } from '../lib/component';
import type { PeerSpec } from '../lib/network';
import { DockerCoins, DOCKERCOINS_HTTP_PORT, DOCKERCOINS_REDIS_CLAIM, DOCKERCOINS_REDIS_PORT, dockercoinsPods } from '.';
import { dockercoinsPanels } from './panels';
import { DockerCoinsInstanceConfig, dockercoinsSchema } from './schema';

/** Chart id of an instance: the file name in dist/<env>/ (`dockercoins` keeps the course's plain name). */
export function instanceChartId(instance: { name: string }): string {
  return instance.name === 'dockercoins' ? 'dockercoins' : `dockercoins-${instance.name}`;
}

/** The client pods other components offer for an instance's Redis, as peers of its policy. */
function redisClients(needs: readonly ClientNeed[], instance: { name: string; namespace: string }): PeerSpec[] {
  const redis = dockercoinsPods('redis', instance.name);
  const same = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  return needs
    .filter(n => n.to.namespace === instance.namespace && same(n.to.pods, redis) && n.to.port === DOCKERCOINS_REDIS_PORT)
    .map(n => (n.from.namespace === instance.namespace ? { pods: n.from.pods } : { pods: n.from.pods, namespace: n.from.namespace }));
}

/** A config path naming an instance (by name when names are unique, else by index). */
const at = (instances: readonly DockerCoinsInstanceConfig[], i: number) => `dockercoins[${listItemKey(instances, i)}]`;

/** DockerCoins (rng, hasher, worker, redis, webui): one chart and one restricted namespace per instance, wave 2. */
export const dockercoinsComponent = defineComponent({
  id: 'dockercoins',
  configPath: ['dockercoins'],
  schema: dockercoinsSchema,
  required: true,
  offers(instances, platform) {
    // Full scale: HPA maximum, rng on every node, one surge pod per rolling update (Redis with a claim is Recreate).
    const footprints = instances.flatMap((d, i) => {
      const field = at(instances, i);
      const f = (workload: 'rng' | 'hasher' | 'worker' | 'webui' | 'redis', pods: number, why: string, claims?: { count: number; size: string }) =>
        ({ namespace: d.namespace, field: `${field}.${workload}`, workload, pods, why, resources: d[workload].resources, claims });
      return [
        f('rng', platform.nodes + 1, `${platform.nodes} nodes + 1 surge`),
        f('hasher', d.hasher.autoscaling.maxReplicas + 1, `HPA maximum ${d.hasher.autoscaling.maxReplicas} + 1 surge`),
        f('worker', d.worker.replicas + 1, `${d.worker.replicas} replicas + 1 surge`),
        f('webui', d.webui.replicas + 1, `${d.webui.replicas} replicas + 1 surge`),
        d.redis.persistence ? f('redis', 1, 'one pod, its claim is Recreate', { count: 1, size: d.redis.persistence.size }) : f('redis', 2, '1 + 1 surge'),
      ];
    });
    const workloads = instances.flatMap(d => [
      { namespace: d.namespace, kind: 'DaemonSet' as const, name: 'rng' },
      { namespace: d.namespace, kind: 'Deployment' as const, name: 'hasher', autoscaled: true },
      { namespace: d.namespace, kind: 'Deployment' as const, name: 'worker' },
      { namespace: d.namespace, kind: 'Deployment' as const, name: 'webui' },
      { namespace: d.namespace, kind: 'Deployment' as const, name: 'redis', claims: d.redis.persistence ? [DOCKERCOINS_REDIS_CLAIM] : [] },
    ]);
    return {
      footprints,
      namespaces: instances.map((d, i) => ({
        name: d.namespace, field: `${at(instances, i)}.namespace`, instance: d.name, partOf: 'dockercoins',
        podSecurity: 'restricted' as const, quota: d.quota, limitRange: d.limitRange, guardrailsField: at(instances, i), viewer: true,
      })),
      routes: instances.map((d, i) => ({
        host: d.host, field: `${at(instances, i)}.host`, path: '/' as const, tlsSecretName: d.tlsSecretName,
        backend: { namespace: d.namespace, pods: dockercoinsPods('webui', d.name), port: DOCKERCOINS_HTTP_PORT },
      })),
      claims: instances.flatMap((d, i) => (d.redis.persistence ? [{ storageClassName: d.redis.persistence.storageClassName, field: `${at(instances, i)}.redis.persistence.storageClassName` }] : [])),
      nodePorts: instances.flatMap((d, i) => (d.webui.nodePort === undefined ? [] : [{ port: d.webui.nodePort, field: `${at(instances, i)}.webui.nodePort` }])),
      workloads,
      panels: dockercoinsPanels(workloads),
    };
  },
  build(ctx) {
    return ctx.config.map(instance => {
      const id = instanceChartId(instance);
      const chart = new Chart(ctx.app, id, { disableResourceNameHashes: true });
      new DockerCoins(chart, 'DockerCoins', {
        instance: instance.name,
        namespace: instance.namespace,
        settings: instance.settings,
        ingress: ctx.ingressRoute(instance.host, instance.tlsSecretName),
        availability: instance.availability,
        rng: instance.rng,
        hasher: instance.hasher,
        worker: instance.worker,
        webui: { ...instance.webui, nodePortSources: ctx.platform.cluster.nodeCidrs },
        redis: {
          ...instance.redis,
          persistence: instance.redis.persistence ? ctx.withStorageClass(instance.redis.persistence) : undefined,
          // Other components' pods that offer to connect to this instance's Redis (e.g. redis-exporter).
          clients: redisClients(ctx.wiring.clients, instance),
        },
      });
      return { id, wave: 2, chart };
    });
  },
});
