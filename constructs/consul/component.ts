import { Chart } from 'cdk8s';
import { defineComponent } from '../lib/component';
import { tlsEnabled } from '../lib/certificates';
import { Consul, consulApiPort, CONSUL_DATA_CLAIM, CONSUL_NAME, CONSUL_PORTS, consulPods, CONSUL_TLS_SECRET } from '.';
import { consulPanels, consulRules } from './rules';
import { consulSchema } from './schema';

interface DataSection { namespace: string; instance: string }
const dataSection = (environment: unknown) => (environment as { stateful: DataSection }).stateful;

/** Consul servers in the `stateful` namespace, wave 1. */
export const consulComponent = defineComponent({
  id: 'consul',
  configPath: ['stateful', 'consul'],
  schema: consulSchema,
  check(k, platform) {
    const problems = k.antiAffinity === 'required' && k.replicas > platform.nodes
      ? [{ path: 'stateful.consul.antiAffinity', reason: `"required" places each of the ${k.replicas} servers on its own node, but the environment plans ${platform.nodes} nodes; extra servers would stay Pending` }]
      : [];
    if (k.ui && tlsEnabled(platform.certificates)) {
      problems.push({ path: 'stateful.consul.ui', reason: `is not available where the environment has TLS (certificates.source "${platform.certificates.source}"): the API is HTTPS only and the UI Ingress would route to plain HTTP; remove it and use kubectl -n <namespace> port-forward svc/consul 8501` });
    }
    return problems;
  },
  offers(k, platform, environment) {
    const s = dataSection(environment);
    const tls = tlsEnabled(platform.certificates);
    return {
      // StatefulSets do not surge: a rolling update replaces one pod at a time.
      footprints: [{ namespace: s.namespace, field: 'stateful.consul', workload: 'consul', pods: k.replicas, why: `${k.replicas} servers`, resources: k.resources, claims: { count: k.replicas, size: k.storage.size } }],
      claims: [{ storageClassName: k.storage.storageClassName, field: 'stateful.consul.storage.storageClassName' }],
      workloads: [{ namespace: s.namespace, kind: 'StatefulSet' as const, name: CONSUL_NAME, claims: [CONSUL_DATA_CLAIM] }],
      certificateSecrets: tls ? [{ namespace: s.namespace, secretName: CONSUL_TLS_SECRET, field: 'stateful.consul' }] : [],
      // Consul's own telemetry (telemetry.prometheus_retention_time): leadership and raft health.
      // Over TLS, scraped on the HTTPS API with the server's certificate verified for the client Service name.
      scrapeTargets: [{ namespace: s.namespace, pods: consulPods(s.instance), port: consulApiPort(tls), ...(tls ? { tls: { serverName: `consul.${s.namespace}.svc` } } : {}) }],
      alertRules: [consulRules()],
      panels: consulPanels(),
      routes: k.ui
        ? [{ host: k.ui.host, field: 'stateful.consul.ui.host', path: '/' as const, tlsSecretName: k.ui.tlsSecretName, backend: { namespace: s.namespace, pods: consulPods(s.instance), port: CONSUL_PORTS.http } }]
        : [],
    };
  },
  build(ctx) {
    const k = ctx.config;
    const s = dataSection(ctx.environment);
    const chart = new Chart(ctx.app, 'consul', { disableResourceNameHashes: true });
    new Consul(chart, 'Consul', {
      instance: s.instance,
      namespace: s.namespace,
      image: k.image,
      resources: k.resources,
      replicas: k.replicas,
      join: k.join,
      antiAffinity: k.antiAffinity,
      storage: ctx.withStorageClass(k.storage),
      datacenter: k.datacenter,
      clientNamespaces: k.clientNamespaces,
      apiServer: { cidrs: ctx.platform.cluster.apiServerCidrs, port: ctx.platform.cluster.apiServerPort },
      ui: k.ui ? ctx.ingressRoute(k.ui.host, k.ui.tlsSecretName) : undefined,
      metricsScrapers: ctx.wiring.metricsScraper ? [ctx.wiring.metricsScraper] : [],
      certificates: ctx.certificates,
    });
    return [{ id: 'consul', wave: 1, chart }];
  },
});
