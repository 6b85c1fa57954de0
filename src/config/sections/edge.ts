import type { EnvironmentConfig } from '../types';
import type { Checker } from '../validate';
import { checkMonitoring, MonitoringConfig } from './monitoring';
import { checkImageRegistry, ImageRegistryConfig } from './registry';
import { checkTraefik, TraefikConfig } from './traefik';

export * from './monitoring';
export * from './registry';
export * from './storage';
export * from './traefik';

/** The edge (Traefik), the metrics (Prometheus and agents) and the optional image registry of an environment. */
export interface EdgeConfig {
  readonly traefik: TraefikConfig;
  readonly monitoring: MonitoringConfig;
  /** @default - no self-hosted registry */
  readonly imageRegistry?: ImageRegistryConfig;
}

/** Namespace shared by node agents (node-exporter, log shippers): privileged, see src/stacks/edge.ts. */
export const NODE_AGENTS_NAMESPACE = 'node-agents';

export function checkEdge(c: Checker, path: string, value: unknown, env: EnvironmentConfig): void {
  if (!c.object(path, value)) return;
  const e = value as Record<string, unknown>;
  checkTraefik(c, `${path}.traefik`, e.traefik, env);
  const monitoring = checkMonitoring(c, `${path}.monitoring`, e.monitoring, env);
  const registry = e.imageRegistry !== undefined && checkImageRegistry(c, `${path}.imageRegistry`, e.imageRegistry);

  // Each namespace has one owner and one Pod Security level; each host one router.
  const instances = Array.isArray(env.dockercoins) ? env.dockercoins : [];
  const t = e.traefik as Partial<TraefikConfig> | undefined;
  const m = e.monitoring as Partial<MonitoringConfig> | undefined;
  const namespaces: Owned[] = [
    ...[NODE_AGENTS_NAMESPACE, 'kube-system', 'default'].map(value => ({ key: `the reserved namespace ${value}`, value })),
    { key: 'ingress.controllerNamespace', value: env.ingress?.controllerNamespace },
    ...instances.map((d, i) => ({ key: `dockercoins[${d?.name ?? i}].namespace`, value: d?.namespace })),
  ];
  checkDistinct(c, 'namespaces', namespaces, [
    { key: `${path}.monitoring.namespace`, value: monitoring ? m?.namespace : undefined },
    { key: `${path}.imageRegistry.namespace`, value: registry ? (e.imageRegistry as ImageRegistryConfig).namespace : undefined },
  ]);
  checkDistinct(c, 'hosts', instances.map((d, i) => ({ key: `dockercoins[${d?.name ?? i}].host`, value: d?.host })), [
    { key: `${path}.traefik.dashboardHost`, value: t?.dashboardHost },
    { key: `${path}.monitoring.prometheus.ingressHost`, value: m?.prometheus?.ingressHost },
  ]);
  // A node port is cluster-wide.
  const nodePorts = instances.map((d, i) => ({ key: `dockercoins[${d?.name ?? i}].webui.nodePort`, value: d?.webui?.nodePort === undefined ? undefined : String(d.webui.nodePort) }));
  const registryPort = registry ? (e.imageRegistry as ImageRegistryConfig).nodePort : undefined;
  checkDistinct(c, 'node ports', nodePorts, [{ key: `${path}.imageRegistry.nodePort`, value: registryPort === undefined ? undefined : String(registryPort) }]);
}

interface Owned { key: string; value: unknown }

/** Each of `mine` must differ from `others` and from each other (duplicates among `others` are reported elsewhere). */
function checkDistinct(c: Checker, what: string, others: Owned[], mine: Owned[]): void {
  const seen = others.filter(o => typeof o.value === 'string');
  for (const o of mine) {
    if (typeof o.value !== 'string') continue;
    const first = seen.find(s => s.value === o.value);
    if (first) c.add(o.key, `"${o.value}" is already used by ${first.key}; ${what} must be unique`);
    else seen.push(o);
  }
}
