import { Chart } from 'cdk8s';
import { defineComponent, RequiredSecret } from '../lib/component';
import { selectorLabels } from '../lib/labels';
import { prometheusQueryApi } from '../monitoring/component';
import { Grafana, GRAFANA_NAME, GRAFANA_PORT } from '.';
import { dashboardFiles } from './dashboards';
import { grafanaSchema } from './schema';

/** `app.kubernetes.io/instance` of Grafana. */
export const GRAFANA_INSTANCE = 'grafana';
const pods = selectorLabels({ name: GRAFANA_NAME, instance: GRAFANA_INSTANCE });

/** The Secret of the admin credentials and its keys -> Pulumi config keys (namespace `dockercoins`). Never rendered. */
export const GRAFANA_SECRET = { name: 'grafana-admin', keys: { password: 'grafanaAdminPassword', secretKey: 'grafanaSecretKey' } } as const;

interface Monitoring { namespace: string; prometheus: { scrapeInterval: string } }
const monitoringOf = (environment: unknown) => (environment as { edge?: { monitoring?: Monitoring } }).edge?.monitoring;

/**
 * Grafana in Prometheus' namespace, wave 2. It offers its route (host, TLS,
 * its pods and port: Traefik's egress and the host check pick it up), its
 * workload and footprint, and itself as a client of Prometheus' query API,
 * which the monitoring component admits. Its datasource is what monitoring
 * offers as `metricsQuery`; its dashboards are the panels every deployed
 * component offers.
 */
export const grafanaComponent = defineComponent({
  id: 'grafana',
  configPath: ['grafana'],
  schema: grafanaSchema,
  check(_g, _platform, environment) {
    return monitoringOf(environment) ? [] : [{ path: 'grafana', reason: 'needs edge.monitoring (its only datasource is Prometheus): remove it or configure monitoring' }];
  },
  offers(g, _platform, environment) {
    const m = monitoringOf(environment);
    if (!m) return {};
    const api = prometheusQueryApi(m);
    return {
      routes: [{ host: g.host, field: 'grafana.host', path: '/' as const, tlsSecretName: g.tlsSecretName, backend: { namespace: m.namespace, pods, port: GRAFANA_PORT } }],
      workloads: [{ namespace: m.namespace, kind: 'Deployment' as const, name: GRAFANA_NAME }],
      footprints: [{ namespace: m.namespace, field: 'grafana', workload: GRAFANA_NAME, pods: 2, why: '1 + 1 surge', resources: g.resources }],
      clients: [{ from: { namespace: m.namespace, pods }, to: { namespace: api.namespace, pods: api.pods, port: api.port } }],
    };
  },
  build(ctx) {
    const g = ctx.config;
    const ns = monitoringOf(ctx.environment)!.namespace;
    const prometheus = ctx.wiring.metricsQuery;
    if (!prometheus) throw new Error('grafana: the model offers no metrics query API (edge.monitoring)');
    const chart = new Chart(ctx.app, 'grafana', { disableResourceNameHashes: true });
    const grafana = new Grafana(chart, 'Grafana', {
      instance: GRAFANA_INSTANCE,
      namespace: ns,
      image: g.image,
      resources: g.resources,
      storageSize: g.storageSize,
      adminUser: g.adminUser,
      adminSecret: GRAFANA_SECRET.name,
      ingress: ctx.ingressRoute(g.host, g.tlsSecretName),
      clients: [ctx.wiring.ingressController ?? { namespace: ctx.platform.ingress.controllerNamespace }],
      prometheus,
      dashboards: dashboardFiles(ctx.wiring.panels, prometheus.scrapeInterval),
    });
    const secrets: RequiredSecret[] = [{ name: GRAFANA_SECRET.name, namespace: ns, keys: { ...GRAFANA_SECRET.keys }, labels: grafana.pod.labels }];
    return [{ id: 'grafana', wave: 2, chart, secrets }];
  },
});
