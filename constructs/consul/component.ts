import { Chart } from 'cdk8s';
import { defineComponent, RequiredSecret, ScrapeTargetOffer } from '../lib/component';
import { tlsEnabled } from '../lib/certificates';
import { admittedClients } from '../lib/clients';
import { Consul, consulApiPort, CONSUL_CLIENT_LABEL, CONSUL_DATA_CLAIM, CONSUL_METRICS_PATH, CONSUL_NAME, CONSUL_PORTS, consulPods, CONSUL_TLS_SECRET } from '.';
import { ConsulSetup, ConsulTokenSpec } from './setup';
import { consulPanels, consulRules } from './rules';
import { consulSchema } from './schema';

interface DataSection { namespace: string; instance: string }

/**
 * Consul's Secrets (never rendered) and the Pulumi config keys of their
 * values. Tokens are token SecretIDs: lower-case UUIDs (`uuidgen | tr A-Z a-z`);
 * the gossip key is base64 of 32 random bytes (`consul keygen`).
 */
export const CONSUL_SECRETS = {
  gossip: { name: 'consul-gossip-key', key: 'key', configKey: 'consulGossipKey' },
  /** The ACL superuser (initial management token): the servers and the setup Job only. */
  management: { name: 'consul-management-token', key: 'token', configKey: 'consulManagementToken' },
  agent: { name: 'consul-agent-token', key: 'token', configKey: 'consulAgentToken' },
  /** Prometheus' token (agent:read): in the data namespace for the setup Job, in Prometheus' namespace for Prometheus. */
  metrics: { name: 'consul-metrics-token', key: 'token', configKey: 'consulMetricsToken' },
} as const;

/**
 * The tokens the setup Job creates. Node names are the pod names
 * (`consul-0`...), so the prefixes cover the servers and nothing else.
 * Agent token: what Consul's ACL docs give an agent (node write on its own
 * node, service read); metrics token: `/v1/agent/metrics` requires agent:read
 * (Consul's agent metrics API reference).
 */
export const CONSUL_TOKENS: readonly ConsulTokenSpec[] = [
  {
    policy: 'consul-server-agent', description: 'agent token of the Consul servers (node registration, anti-entropy)',
    rules: `node_prefix "${CONSUL_NAME}-" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}`,
    secret: { name: CONSUL_SECRETS.agent.name, key: CONSUL_SECRETS.agent.key },
  },
  {
    policy: 'prometheus-metrics', description: 'Prometheus scrapes /v1/agent/metrics of the Consul servers',
    rules: `agent_prefix "${CONSUL_NAME}-" {\n  policy = "read"\n}`,
    secret: { name: CONSUL_SECRETS.metrics.name, key: CONSUL_SECRETS.metrics.key },
  },
];
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
      footprints: [
        { namespace: s.namespace, field: 'stateful.consul', workload: 'consul', pods: k.replicas, why: `${k.replicas} servers`, resources: k.resources, claims: { count: k.replicas, size: k.storage.size } },
        { namespace: s.namespace, field: 'stateful.consul.setup', workload: 'consul-acl-setup', pods: 1, why: '', resources: k.setup.resources },
      ],
      claims: [{ storageClassName: k.storage.storageClassName, field: 'stateful.consul.storage.storageClassName' }],
      dataStores: [{ store: 'consul', field: 'stateful.consul' }],
      workloads: [{ namespace: s.namespace, kind: 'StatefulSet' as const, name: CONSUL_NAME, claims: [CONSUL_DATA_CLAIM] }],
      certificateSecrets: tls ? [{ namespace: s.namespace, secretName: CONSUL_TLS_SECRET, field: 'stateful.consul' }] : [],
      // Consul's own telemetry (telemetry.prometheus_retention_time): leadership and raft health,
      // with a token under default-deny ACLs: /v1/agent/metrics requires agent:read (Consul's
      // agent metrics API reference); Prometheus sends it as `Authorization: Bearer`, which the
      // HTTP API accepts in place of X-Consul-Token (developer.hashicorp.com/consul/api-docs/api-structure, "Authentication").
      // Over TLS, scraped on the HTTPS API with the server's certificate verified for the client Service name.
      scrapeTargets: [{
        namespace: s.namespace, pods: consulPods(s.instance), port: consulApiPort(tls),
        authorization: { secret: { ...CONSUL_SECRETS.metrics }, path: CONSUL_METRICS_PATH, params: { format: ['prometheus'] } },
        ...(tls ? { tls: { serverName: `consul.${s.namespace}.svc` } } : {}),
      } satisfies ScrapeTargetOffer],
      alertRules: [consulRules(k.replicas)],
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
    const consul = new Consul(chart, 'Consul', {
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
      clients: admittedClients(ctx.wiring.clients, { namespace: s.namespace, pods: consulPods(s.instance), port: consulApiPort(tlsEnabled(ctx.platform.certificates)) }),
      apiServer: { cidrs: ctx.platform.cluster.apiServerCidrs, port: ctx.platform.cluster.apiServerPort },
      ui: k.ui ? ctx.ingressRoute(k.ui.host, k.ui.tlsSecretName) : undefined,
      metricsScrapers: ctx.wiring.metricsScraper ? [ctx.wiring.metricsScraper] : [],
      security: { gossipKey: CONSUL_SECRETS.gossip, managementToken: CONSUL_SECRETS.management, agentToken: CONSUL_SECRETS.agent },
      certificates: ctx.certificates,
    });
    const setup = new ConsulSetup(chart, 'Setup', {
      instance: s.instance,
      namespace: s.namespace,
      image: k.image,
      resources: k.setup.resources,
      httpAddr: consul.httpAddr,
      caSecret: consul.tlsSecretName,
      managementToken: CONSUL_SECRETS.management,
      tokens: CONSUL_TOKENS,
      clientLabels: { [CONSUL_CLIENT_LABEL]: 'true' },
    });
    const labels = consul.statefulSet.pod.labels;
    const secret = (x: { name: string; key: string; configKey: string }, superuser = false): RequiredSecret => ({
      name: x.name, namespace: s.namespace, keys: { [x.key]: x.configKey }, labels: x === CONSUL_SECRETS.metrics ? setup.pod.labels : labels,
      ...(superuser ? { superuserKeys: [x.key] } : {}),
    });
    const secrets = [secret(CONSUL_SECRETS.gossip), secret(CONSUL_SECRETS.management, true), secret(CONSUL_SECRETS.agent), secret(CONSUL_SECRETS.metrics)];
    return [{ id: 'consul', wave: 1, chart, secrets }];
  },
});
