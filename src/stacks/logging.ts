import { NODE_AGENTS_NAMESPACE } from '../config/sections/edge';
import { App, Chart } from 'cdk8s';
import { Elasticsearch, ELASTICSEARCH_HTTP_PORT } from '../../constructs/elasticsearch';
import { FluentBit } from '../../constructs/fluent-bit';
import { Kibana } from '../../constructs/kibana';
import { recommendedLabels, selectorLabels } from '../../constructs/lib/labels';
import { nodeAgentsNamespace, platformNamespace } from './namespaces';
import { EnvironmentConfig } from '../config';
import { LoggingConfig } from '../config/sections/logging';
import { ingressRoute, PLATFORM_VERSION, RequiredSecret, StackChart, withEnvironmentStorageClass } from '../stack';

/** Namespace of node agents (shared with node-exporter). */
export { NODE_AGENTS_NAMESPACE };
/** Namespace of Elasticsearch and Kibana. */
export const LOGGING_NAMESPACE = 'logging';
/** Instance name of the logging stack. */
export const LOGGING_INSTANCE = 'logging';

/** Secret names and the Pulumi config keys (namespace `dockercoins`) of their values. */
export const LOGGING_SECRETS = {
  /** Password of the `elastic` superuser; in `logging` (Elasticsearch, Kibana setup) and `node-agents` (Fluent Bit). */
  elastic: { name: 'elasticsearch-credentials', keys: { password: 'elasticPassword' } },
  /** Password of `kibana_system` and Kibana's encryption key. */
  kibana: { name: 'kibana-credentials', keys: { password: 'kibanaSystemPassword', encryptionKey: 'kibanaEncryptionKey' } },
  /** Transport TLS of a multi-node cluster (PEM). */
  transportTls: { name: 'elasticsearch-transport-tls', keys: { 'ca.crt': 'elasticTransportCa', 'tls.crt': 'elasticTransportCert', 'tls.key': 'elasticTransportKey' } },
} as const;

/** Elastic image of a product, tagged with the one stack version (Kibana must match Elasticsearch). */
export function elasticImage(logging: LoggingConfig, product: 'elasticsearch' | 'kibana') {
  return { registry: logging.elasticRegistry, repository: `${product}/${product}`, tag: logging.elasticVersion };
}

/**
 * Centralized logging: the `logging` (restricted) and `node-agents`
 * (privileged) namespaces in the namespaces chart, and one chart with
 * Elasticsearch, Kibana and Fluent Bit. Wave 1: a platform service the apps'
 * logs flow into; it depends only on the namespaces and its Secrets.
 */
export function buildLogging(app: App, namespaces: Chart, env: EnvironmentConfig): StackChart[] {
  const logging = env.logging;
  if (!logging) return [];
  platformNamespace(namespaces, { name: LOGGING_NAMESPACE, partOf: 'logging', podSecurity: 'restricted' });
  nodeAgentsNamespace(namespaces);

  const chart = new Chart(app, 'logging', { disableResourceNameHashes: true });
  const instance = LOGGING_INSTANCE;
  const kibanaPeer = { pods: selectorLabels({ name: 'kibana', instance }) };
  const fluentBitPeer = { pods: selectorLabels({ name: 'fluent-bit', instance }), namespace: NODE_AGENTS_NAMESPACE };
  const es = logging.elasticsearch;
  const multiNode = es.nodes > 1;

  const elasticsearch = new Elasticsearch(chart, 'Elasticsearch', {
    instance,
    namespace: LOGGING_NAMESPACE,
    image: elasticImage(logging, 'elasticsearch'),
    nodes: es.nodes,
    heap: es.heap,
    resources: es.resources,
    storage: withEnvironmentStorageClass(es.storage, env),
    credentialsSecret: LOGGING_SECRETS.elastic.name,
    transportTlsSecret: multiNode ? LOGGING_SECRETS.transportTls.name : undefined,
    httpClients: [kibanaPeer, fluentBitPeer],
  });
  const esPeer = { pods: elasticsearch.pod.selector, namespace: LOGGING_NAMESPACE };

  new Kibana(chart, 'Kibana', {
    instance,
    namespace: LOGGING_NAMESPACE,
    image: elasticImage(logging, 'kibana'),
    replicas: logging.kibana.replicas,
    resources: logging.kibana.resources,
    elasticsearch: { url: elasticsearch.url, port: ELASTICSEARCH_HTTP_PORT, peer: esPeer, superuserSecret: LOGGING_SECRETS.elastic.name },
    credentialsSecret: LOGGING_SECRETS.kibana.name,
    ingress: ingressRoute(env, logging.kibana.host, logging.kibana.tlsSecretName),
  });

  new FluentBit(chart, 'FluentBit', {
    instance,
    namespace: NODE_AGENTS_NAMESPACE,
    image: logging.fluentBit.image,
    resources: logging.fluentBit.resources,
    tolerations: logging.fluentBit.tolerations,
    dockerRuntime: logging.fluentBit.dockerRuntime,
    elasticsearch: {
      host: `${elasticsearch.serviceName}.${LOGGING_NAMESPACE}.svc`,
      port: ELASTICSEARCH_HTTP_PORT,
      peer: esPeer,
      credentialsSecret: LOGGING_SECRETS.elastic.name,
    },
    apiServer: { cidrs: env.cluster.apiServerCidrs, port: env.cluster.apiServerPort },
    monitoringNamespace: 'monitoring',
  });

  const secretLabels = recommendedLabels(chart, { name: 'logging', instance, component: 'credentials', partOf: 'logging', version: PLATFORM_VERSION });
  const secret = (s: { name: string; keys: Readonly<Record<string, string>> }, namespace: string): RequiredSecret =>
    ({ name: s.name, namespace, keys: { ...s.keys }, labels: secretLabels });
  const secrets: RequiredSecret[] = [
    secret(LOGGING_SECRETS.elastic, LOGGING_NAMESPACE),
    secret(LOGGING_SECRETS.elastic, NODE_AGENTS_NAMESPACE),
    secret(LOGGING_SECRETS.kibana, LOGGING_NAMESPACE),
  ];
  if (multiNode) secrets.push(secret(LOGGING_SECRETS.transportTls, LOGGING_NAMESPACE));
  return [{ id: 'logging', wave: 1, chart, secrets }];
}
