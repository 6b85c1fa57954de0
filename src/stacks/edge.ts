import { App, Chart } from 'cdk8s';
import { selectorLabels } from '../../constructs/lib/labels';
import { PeerSpec, PodPortRef } from '../../constructs/lib/network';
import {
  KUBE_STATE_METRICS_IDENTITY, KUBE_STATE_METRICS_PORT, KubeStateMetrics, MetricsServer, NODE_EXPORTER_PORT, NodeExporter, Prometheus,
} from '../../constructs/monitoring';
import { PodSecurityLevel } from '../../constructs/namespace';
import { nodeAgentsNamespace, platformNamespace } from './namespaces';
import { ImageRegistry } from '../../constructs/registry';
import { Traefik, TRAEFIK_PORTS } from '../../constructs/traefik';
import { CONSUL_PORTS } from '../../constructs/consul';
import { FLUENT_BIT_HTTP_PORT } from '../../constructs/fluent-bit';
import { KIBANA_PORT } from '../../constructs/kibana';
import { LOGGING_INSTANCE, LOGGING_NAMESPACE } from './logging';
import { EnvironmentConfig } from '../config';
import { EdgeConfig, NODE_AGENTS_NAMESPACE, StorageConfig } from '../config/sections/edge';
import { ingressAnnotations, ingressRoute, StackChart, withEnvironmentStorageClass } from '../stack';

/** Waves: controllers the apps' Ingresses and images need come before the apps (wave 2). */
export const EDGE_WAVES = { traefik: 1, registry: 1, metricsServer: 1, monitoring: 2 } as const;

/** Selector labels of the Traefik pods. */
export const TRAEFIK_SELECTOR = selectorLabels({ name: 'traefik', instance: 'traefik' });
/** Selector labels of the Prometheus server pods. */
export const PROMETHEUS_SELECTOR = selectorLabels({ name: 'prometheus', instance: 'prometheus' });
/** Prometheus serves its UI and API on 9090. */
export const PROMETHEUS_PORT = 9090;

/**
 * Every pod port an Ingress of the environment routes to: the only places
 * Traefik may connect to. Components with an Ingress add their backend here
 * (and admit the controller namespace on that port in their own policy).
 */
export function ingressBackends(env: EnvironmentConfig): PodPortRef[] {
  const backends: PodPortRef[] = env.dockercoins.map(d => ({
    namespace: d.namespace, pods: selectorLabels({ name: 'webui', instance: d.name }), port: 80,
  }));
  const prometheus = env.edge?.monitoring.prometheus;
  if (prometheus?.ingressHost) backends.push({ namespace: env.edge!.monitoring.namespace, pods: PROMETHEUS_SELECTOR, port: PROMETHEUS_PORT });
  const stateful = env.stateful;
  if (stateful?.consul.ui) backends.push({ namespace: stateful.namespace, pods: selectorLabels({ name: 'consul', instance: stateful.instance }), port: CONSUL_PORTS.http });
  if (env.logging) backends.push({ namespace: LOGGING_NAMESPACE, pods: selectorLabels({ name: 'kibana', instance: LOGGING_INSTANCE }), port: KIBANA_PORT });
  return backends;
}

/**
 * Every pod port Prometheus may scrape besides the nodes (kubelet, cAdvisor,
 * node-exporter on node addresses): the only pods it may connect to.
 * Components exposing metrics add their port here (and admit
 * `prometheusPeer` on that port in their own policy).
 */
export function scrapeTargets(env: EnvironmentConfig): PodPortRef[] {
  const edge = env.edge;
  if (!edge) return [];
  const targets: PodPortRef[] = [{ namespace: env.ingress.controllerNamespace, pods: TRAEFIK_SELECTOR, port: TRAEFIK_PORTS.metrics }];
  if (edge.monitoring.kubeStateMetrics.enabled) {
    targets.push({ namespace: edge.monitoring.namespace, pods: selectorLabels(KUBE_STATE_METRICS_IDENTITY), port: KUBE_STATE_METRICS_PORT });
  }
  if (env.logging) targets.push({ namespace: NODE_AGENTS_NAMESPACE, pods: selectorLabels({ name: 'fluent-bit', instance: LOGGING_INSTANCE }), port: FLUENT_BIT_HTTP_PORT });
  return targets;
}

/** The Prometheus server pods, as a NetworkPolicy peer (scrape targets admit it). */
export function prometheusPeer(edge: EdgeConfig): PeerSpec {
  return { namespace: edge.monitoring.namespace, pods: PROMETHEUS_SELECTOR };
}

/** The Traefik pods, as a NetworkPolicy peer (backends admit it). */
export function traefikPeer(env: EnvironmentConfig): PeerSpec {
  return { namespace: env.ingress.controllerNamespace, pods: TRAEFIK_SELECTOR };
}

/**
 * Traefik, Prometheus with its agents, and the optional image registry:
 * namespaces into `namespaces` (wave 0), one chart per component.
 */
export function buildEdge(app: App, namespaces: Chart, env: EnvironmentConfig): StackChart[] {
  const edge = env.edge;
  if (!edge) return [];
  const charts: StackChart[] = [];
  const t = edge.traefik;
  const m = edge.monitoring;
  const ns = (name: string, level: { podSecurity: PodSecurityLevel; podSecurityReason?: string }, partOf: string) =>
    platformNamespace(namespaces, { name, partOf, ...level });
  const apiServer = { cidrs: env.cluster.apiServerCidrs, port: env.cluster.apiServerPort };
  const claimClass = (storage: StorageConfig) => (storage.type === 'persistentVolumeClaim'
    ? withEnvironmentStorageClass(storage, env) : storage);

  ns(env.ingress.controllerNamespace, Traefik.podSecurity(t.mode), 'edge');
  const traefik = new Chart(app, 'traefik', { disableResourceNameHashes: true });
  new Traefik(traefik, 'Traefik', {
    namespace: env.ingress.controllerNamespace,
    mode: t.mode,
    image: t.image,
    resources: t.resources,
    loadBalancer: t.loadBalancer,
    ingressClassName: env.ingress.className,
    dashboard: t.dashboard,
    dashboardHost: t.dashboardHost,
    ingressAnnotations: ingressAnnotations(env),
    backends: ingressBackends(env),
    metricsScrapers: [prometheusPeer(edge)],
    apiServer,
  });
  charts.push({ id: 'traefik', wave: EDGE_WAVES.traefik, chart: traefik });

  const registry = edge.imageRegistry;
  if (registry) {
    ns(registry.namespace, { podSecurity: 'restricted' }, 'edge');
    const chart = new Chart(app, 'registry', { disableResourceNameHashes: true });
    new ImageRegistry(chart, 'Registry', {
      namespace: registry.namespace,
      image: registry.image,
      resources: registry.resources,
      storage: claimClass(registry.storage),
      nodePort: registry.nodePort,
      // Pulls come from the container runtime on the nodes.
      clients: env.cluster.nodeCidrs.map(cidr => ({ cidr })),
    });
    charts.push({ id: 'registry', wave: EDGE_WAVES.registry, chart });
  }

  if (m.metricsServer.enabled) {
    const chart = new Chart(app, 'metrics-server', { disableResourceNameHashes: true });
    new MetricsServer(chart, 'MetricsServer', {
      image: m.metricsServer.image,
      resources: m.metricsServer.resources,
      kubeletInsecureTls: m.metricsServer.kubeletInsecureTls,
      apiServer,
      nodeCidrs: env.cluster.nodeCidrs,
    });
    charts.push({ id: 'metrics-server', wave: EDGE_WAVES.metricsServer, chart });
  }

  ns(m.namespace, { podSecurity: 'restricted' }, 'monitoring');
  nodeAgentsNamespace(namespaces);
  const monitoring = new Chart(app, 'monitoring', { disableResourceNameHashes: true });
  const p = m.prometheus;
  new Prometheus(monitoring, 'Prometheus', {
    namespace: m.namespace,
    image: p.image,
    resources: p.resources,
    retention: p.retention,
    scrapeInterval: p.scrapeInterval,
    storage: claimClass(p.storage),
    externalLabels: { environment: env.name },
    ingress: p.ingressHost
      ? ingressRoute(env, p.ingressHost, p.tlsSecretName)
      : undefined,
    clients: [traefikPeer(env)],
    scrapeTargets: scrapeTargets(env),
    apiServer,
    nodes: { cidrs: env.cluster.nodeCidrs, ports: [10250, NODE_EXPORTER_PORT] },
  });
  new NodeExporter(monitoring, 'NodeExporter', { namespace: NODE_AGENTS_NAMESPACE, image: m.nodeExporter.image, resources: m.nodeExporter.resources });
  if (m.kubeStateMetrics.enabled) {
    new KubeStateMetrics(monitoring, 'KubeStateMetrics', {
      namespace: m.namespace,
      image: m.kubeStateMetrics.image,
      resources: m.kubeStateMetrics.resources,
      scrapers: [prometheusPeer(edge)],
      apiServer,
    });
  }
  charts.push({ id: 'monitoring', wave: EDGE_WAVES.monitoring, chart: monitoring });
  return charts;
}
