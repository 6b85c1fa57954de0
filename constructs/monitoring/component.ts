import { Chart } from 'cdk8s';
import { admittedClients } from '../lib/clients';
import { tlsEnabled } from '../lib/certificates';
import { defineComponent, PLATFORM_VERSION, RequiredSecret } from '../lib/component';
import { recommendedLabels, selectorLabels } from '../lib/labels';
import { NODE_AGENTS_NAMESPACE, NODE_AGENTS_NAMESPACE_OFFER } from '../namespace';
import {
  KUBE_STATE_METRICS_IDENTITY, KUBE_STATE_METRICS_PORT, KubeStateMetrics, MetricsServer, NODE_EXPORTER_IDENTITY, NODE_EXPORTER_PORT, NodeExporter, Prometheus, PROMETHEUS_CLAIM,
  PROMETHEUS_IDENTITY, PROMETHEUS_PORT, PROMETHEUS_SERVICE,
} from '.';
import { PROMETHEUS_CLIENT_TLS_SECRET } from './prometheus';
import { clusterPanels } from './panels';
import { METRICS_SERVER_NAMESPACE } from './metrics-server';
import { workloadRules } from './rules';
import { metricsServerSchema, monitoringSchema } from './schema';

/** Kubelets serve metrics and cAdvisor on 10250 (node addresses). */
const KUBELET_PORT = 10250;

/**
 * Prometheus' query API in a monitoring namespace: its pods and port (what a
 * client such as Grafana offers to connect to) and the Service URL.
 */
export function prometheusQueryApi(m: { namespace: string; prometheus: { scrapeInterval: string } }) {
  return {
    namespace: m.namespace,
    pods: selectorLabels(PROMETHEUS_IDENTITY),
    port: PROMETHEUS_PORT,
    url: `http://${PROMETHEUS_SERVICE}.${m.namespace}.svc:${PROMETHEUS_PORT}`,
    scrapeInterval: m.prometheus.scrapeInterval,
  };
}

/** Prometheus with node-exporter and kube-state-metrics: one chart, wave 2 (it scrapes what the others offer). */
export const monitoringComponent = defineComponent({
  id: 'monitoring',
  configPath: ['edge', 'monitoring'],
  schema: monitoringSchema,
  offers(m, platform) {
    const prometheus = selectorLabels(PROMETHEUS_IDENTITY);
    return {
      // The client certificate Prometheus verifies HTTPS targets with (requested where TLS is on and a target serves it).
      certificateSecrets: tlsEnabled(platform.certificates) ? [{ namespace: m.namespace, secretName: PROMETHEUS_CLIENT_TLS_SECRET, field: 'edge.monitoring.prometheus' }] : [],
      namespaces: [{ name: m.namespace, field: 'edge.monitoring.namespace', partOf: 'monitoring', podSecurity: 'restricted' as const }, NODE_AGENTS_NAMESPACE_OFFER],
      routes: m.prometheus.ingressHost
        ? [{ host: m.prometheus.ingressHost, field: 'edge.monitoring.prometheus.ingressHost', path: '/' as const, tlsSecretName: m.prometheus.tlsSecretName, backend: { namespace: m.namespace, pods: prometheus, port: PROMETHEUS_PORT } }]
        : [],
      scrapeTargets: m.kubeStateMetrics.enabled ? [{ namespace: m.namespace, pods: selectorLabels(KUBE_STATE_METRICS_IDENTITY), port: KUBE_STATE_METRICS_PORT }] : [],
      metricsScraper: { namespace: m.namespace, pods: prometheus },
      metricsQuery: prometheusQueryApi(m),
      panels: clusterPanels(m.kubeStateMetrics.enabled),
      claims: m.prometheus.storage.type === 'persistentVolumeClaim' ? [{ storageClassName: m.prometheus.storage.storageClassName, field: 'edge.monitoring.prometheus.storage.storageClassName' }] : [],
      workloads: [
        { namespace: m.namespace, kind: 'Deployment' as const, name: PROMETHEUS_IDENTITY.name, claims: m.prometheus.storage.type === 'persistentVolumeClaim' ? [PROMETHEUS_CLAIM] : [] },
        ...(m.kubeStateMetrics.enabled ? [{ namespace: m.namespace, kind: 'Deployment' as const, name: KUBE_STATE_METRICS_IDENTITY.name }] : []),
        { namespace: NODE_AGENTS_NAMESPACE, kind: 'DaemonSet' as const, name: NODE_EXPORTER_IDENTITY.name },
      ],
    };
  },
  build(ctx) {
    const m = ctx.config;
    const p = m.prometheus;
    const apiServer = { cidrs: ctx.platform.cluster.apiServerCidrs, port: ctx.platform.cluster.apiServerPort };
    const scraper = ctx.wiring.metricsScraper!;
    const chart = new Chart(ctx.app, 'monitoring', { disableResourceNameHashes: true });
    new Prometheus(chart, 'Prometheus', {
      namespace: m.namespace,
      image: p.image,
      resources: p.resources,
      retention: p.retention,
      scrapeInterval: p.scrapeInterval,
      storage: p.storage.type === 'persistentVolumeClaim' ? ctx.withStorageClass(p.storage) : p.storage,
      externalLabels: { environment: ctx.platform.name },
      ingress: p.ingressHost ? ctx.ingressRoute(p.ingressHost, p.tlsSecretName) : undefined,
      clients: [
        ...(ctx.wiring.ingressController ? [ctx.wiring.ingressController] : []),
        // Components that offer to query it (Grafana).
        ...admittedClients(ctx.wiring.clients, prometheusQueryApi(m)),
      ],
      scrapeTargets: ctx.wiring.scrapeTargets,
      kubeletTls: p.kubeletTls,
      certificates: ctx.certificates,
      apiServer,
      nodes: { cidrs: ctx.platform.cluster.nodeCidrs, ports: [KUBELET_PORT, NODE_EXPORTER_PORT] },
      // Generated from what every component offers: its workloads, and the rules about its own metrics.
      rules: [...workloadRules(ctx.wiring.workloads, ctx.wiring.dataClaims), ...ctx.wiring.alertRules],
      alertmanager: ctx.wiring.alertmanager,
    });
    new NodeExporter(chart, 'NodeExporter', { namespace: NODE_AGENTS_NAMESPACE, image: m.nodeExporter.image, resources: m.nodeExporter.resources });
    if (m.kubeStateMetrics.enabled) {
      new KubeStateMetrics(chart, 'KubeStateMetrics', {
        namespace: m.namespace,
        image: m.kubeStateMetrics.image,
        resources: m.kubeStateMetrics.resources,
        scrapers: [scraper],
        apiServer,
      });
    }
    // Tokens of the scrape targets that need one, in Prometheus' namespace (the owner declares the same config key in its own).
    const secrets: RequiredSecret[] = [];
    for (const t of ctx.wiring.scrapeTargets) {
      const a = t.authorization;
      if (!a || secrets.some(s => s.name === a.secret.name)) continue;
      secrets.push({ name: a.secret.name, namespace: m.namespace, keys: { [a.secret.key]: a.secret.configKey }, labels: recommendedLabels(chart, { name: 'prometheus', instance: 'prometheus', component: 'credentials', partOf: 'monitoring', version: PLATFORM_VERSION }) });
    }
    return [{ id: 'monitoring', wave: 2, chart, secrets }];
  },
});

/** metrics-server in kube-system (upstream's layout), wave 1: the hasher HPA reads it. */
export const metricsServerComponent = defineComponent({
  id: 'metrics-server',
  configPath: ['edge', 'monitoring', 'metricsServer'],
  schema: metricsServerSchema,
  enabled: ms => ms.enabled,
  offers: () => ({ workloads: [{ namespace: METRICS_SERVER_NAMESPACE, kind: 'Deployment' as const, name: 'metrics-server' }] }),
  build(ctx) {
    const ms = ctx.config;
    const chart = new Chart(ctx.app, 'metrics-server', { disableResourceNameHashes: true });
    new MetricsServer(chart, 'MetricsServer', {
      image: ms.image,
      resources: ms.resources,
      kubeletTls: ms.kubeletTls,
      apiServer: { cidrs: ctx.platform.cluster.apiServerCidrs, port: ctx.platform.cluster.apiServerPort },
      nodeCidrs: ctx.platform.cluster.nodeCidrs,
    });
    return [{ id: 'metrics-server', wave: 1, chart }];
  },
});
