import { Chart } from 'cdk8s';
import { admittedClients } from '../lib/clients';
import { defineComponent, PLATFORM_VERSION, RequiredSecret } from '../lib/component';
import { selectorLabels } from '../lib/labels';
import { recommendedLabels } from '../lib/labels';
import { NODE_AGENTS_NAMESPACE, NODE_AGENTS_NAMESPACE_OFFER } from '../namespace';
import { tlsEnabled } from '../lib/certificates';
import { Elasticsearch, ELASTICSEARCH_HTTP_PORT, ELASTICSEARCH_NAME, ELASTICSEARCH_SNAPSHOTS_CLAIM, ELASTICSEARCH_TLS_SECRET, SnapshotRepository } from '../elasticsearch';
import { ElasticsearchSetup, elasticsearchSetupPods } from '../elasticsearch/setup';
import { FLUENT_BIT_HTTP_PORT, FLUENT_BIT_INDEX_PREFIX, FLUENT_BIT_TLS_SECRET, FluentBit, fluentBitPods } from '../fluent-bit';
import { fluentBitRules } from '../fluent-bit/rules';
import { Kibana, KIBANA_PORT, kibanaPods } from '../kibana';
import { elasticImage, LoggingConfig, loggingSchema } from './schema';

/** Instance name of the logging stack. */
export const LOGGING_INSTANCE = 'logging';

/** Secret names and the Pulumi config keys (namespace `dockercoins`) of their values. */
export const LOGGING_SECRETS = {
  /** Password of the `elastic` superuser: the nodes (bootstrap password) and the setup Job only, in the logging namespace only. */
  elastic: { name: 'elasticsearch-credentials', keys: { password: 'elasticPassword' }, superuserKeys: ['password'] },
  /** Password of `kibana_system` (Kibana; set by the setup Job) and Kibana's encryption key. */
  kibana: { name: 'kibana-credentials', keys: { password: 'kibanaSystemPassword', encryptionKey: 'kibanaEncryptionKey' } },
  /** Password of the `fluent-bit` user: Fluent Bit (node-agents) and the setup Job that creates the user (logging). */
  fluentBit: { name: 'fluent-bit-credentials', keys: { password: 'fluentBitPassword' } },
  /** Access and secret key of an s3 snapshot repository (into the nodes' keystore). */
  snapshotS3: { name: 'elasticsearch-snapshot-credentials', keys: { accessKey: 'elasticSnapshotAccessKey', secretKey: 'elasticSnapshotSecretKey' } },
  /** Transport TLS of a multi-node cluster (PEM). */
  transportTls: { name: 'elasticsearch-transport-tls', keys: { 'ca.crt': 'elasticTransportCa', 'tls.crt': 'elasticTransportCert', 'tls.key': 'elasticTransportKey' } },
} as const;

/** The Elasticsearch user Fluent Bit writes as, and its role (create documents in its indices, nothing else). */
export const FLUENT_BIT_USER = { username: 'fluent-bit', role: 'fluent-bit-writer', indices: [`${FLUENT_BIT_INDEX_PREFIX}-*`] } as const;

/** The ILM policy and index template of the log indices Fluent Bit writes (and the indices each snapshot holds). */
export const LOG_LIFECYCLE = { name: `${FLUENT_BIT_INDEX_PREFIX}-logs`, indices: [...FLUENT_BIT_USER.indices] } as const;
/** The snapshot repository and SLM policy of the logging stack. */
export const LOG_SNAPSHOTS = { repository: 'logs', policy: 'nightly-logs' } as const;

/** The node side of the snapshot repository (claim or S3 client), from the config. */
function snapshotRepository(l: LoggingConfig, storageClass: <T extends { readonly storageClassName?: string }>(s: T) => T): SnapshotRepository | undefined {
  const r = l.elasticsearch.snapshots?.repository;
  if (!r) return undefined;
  if (r.type === 'fs') return { ...storageClass({ type: 'fs' as const, size: r.size, storageClassName: r.storageClassName }), accessMode: r.accessMode };
  return { ...r, credentialsSecret: LOGGING_SECRETS.snapshotS3.name };
}

const kibana = kibanaPods(LOGGING_INSTANCE);
const fluentBit = fluentBitPods(LOGGING_INSTANCE);

/**
 * Elasticsearch, Kibana and Fluent Bit: one chart, wave 1 (a platform service
 * the apps' logs flow into; it needs only its namespaces and Secrets).
 */
export const loggingComponent = defineComponent({
  id: 'logging',
  configPath: ['logging'],
  schema: loggingSchema,
  check(l, platform) {
    // Each Elasticsearch node needs its own Kubernetes node (required anti-affinity).
    return l.elasticsearch.nodes > platform.nodes
      ? [{ path: 'logging.elasticsearch.nodes', reason: `${l.elasticsearch.nodes} Elasticsearch nodes need as many Kubernetes nodes (required anti-affinity), but the environment plans ${platform.nodes}` }]
      : [];
  },
  offers(l, platform) {
    const tls = tlsEnabled(platform.certificates);
    return {
      namespaces: [{ name: l.namespace, field: 'logging.namespace', partOf: 'logging', podSecurity: 'restricted' as const }, NODE_AGENTS_NAMESPACE_OFFER],
      routes: [{ host: l.kibana.host, field: 'logging.kibana.host', path: '/' as const, tlsSecretName: l.kibana.tlsSecretName, backend: { namespace: l.namespace, pods: kibana, port: KIBANA_PORT } }],
      scrapeTargets: [{ namespace: NODE_AGENTS_NAMESPACE, pods: fluentBit, port: FLUENT_BIT_HTTP_PORT }],
      claims: [
        { storageClassName: l.elasticsearch.storage.storageClassName, field: 'logging.elasticsearch.storage.storageClassName' },
        ...(l.elasticsearch.snapshots?.repository.type === 'fs'
          ? [{ storageClassName: l.elasticsearch.snapshots.repository.storageClassName, field: 'logging.elasticsearch.snapshots.repository.storageClassName' }] : []),
      ],
      workloads: [
        {
          namespace: l.namespace, kind: 'StatefulSet' as const, name: ELASTICSEARCH_NAME, claims: ['data'],
          ...(l.elasticsearch.snapshots?.repository.type === 'fs' ? { sharedClaims: [ELASTICSEARCH_SNAPSHOTS_CLAIM] } : {}),
        },
        { namespace: l.namespace, kind: 'Deployment' as const, name: kibana['app.kubernetes.io/name'] },
        { namespace: NODE_AGENTS_NAMESPACE, kind: 'DaemonSet' as const, name: fluentBit['app.kubernetes.io/name'] },
      ],
      alertRules: [fluentBitRules()],
      certificateSecrets: tls
        ? [{ namespace: l.namespace, secretName: ELASTICSEARCH_TLS_SECRET, field: 'logging.elasticsearch' }, { namespace: NODE_AGENTS_NAMESPACE, secretName: FLUENT_BIT_TLS_SECRET, field: 'logging.fluentBit' }]
        : [],
    };
  },
  build(ctx) {
    const l = ctx.config;
    const ns = l.namespace;
    const instance = LOGGING_INSTANCE;
    const chart = new Chart(ctx.app, 'logging', { disableResourceNameHashes: true });
    const es = l.elasticsearch;
    const multiNode = es.nodes > 1;
    const elasticsearch = new Elasticsearch(chart, 'Elasticsearch', {
      instance,
      namespace: ns,
      image: elasticImage(l, 'elasticsearch'),
      nodes: es.nodes,
      heap: es.heap,
      resources: es.resources,
      storage: ctx.withStorageClass(es.storage),
      credentialsSecret: LOGGING_SECRETS.elastic.name,
      // Where the environment has TLS, one certificate from its source serves HTTP and transport.
      transportTlsSecret: multiNode && !ctx.certificates ? LOGGING_SECRETS.transportTls.name : undefined,
      certificates: ctx.certificates,
      snapshots: snapshotRepository(l, s => ctx.withStorageClass(s)),
      httpClients: [
        { pods: kibana },
        { pods: elasticsearchSetupPods(instance) },
        { pods: fluentBit, namespace: NODE_AGENTS_NAMESPACE },
        // Other components' pods that offer to call the HTTP API (elasticsearch-exporter).
        ...admittedClients(ctx.wiring.clients, { namespace: ns, pods: selectorLabels({ name: ELASTICSEARCH_NAME, instance }), port: ELASTICSEARCH_HTTP_PORT }),
      ],
    });
    const esPeer = { pods: elasticsearch.pod.selector, namespace: ns };
    new ElasticsearchSetup(chart, 'Setup', {
      instance,
      namespace: ns,
      image: elasticImage(l, 'elasticsearch'),
      version: l.elasticVersion,
      resources: l.setup.resources,
      url: elasticsearch.url,
      elasticsearch: { peer: esPeer, port: ELASTICSEARCH_HTTP_PORT },
      caSecret: elasticsearch.tlsSecretName,
      superuserPassword: { name: LOGGING_SECRETS.elastic.name, key: 'password' },
      kibanaSystemPassword: { name: LOGGING_SECRETS.kibana.name, key: 'password' },
      writers: [{ ...FLUENT_BIT_USER, password: { name: LOGGING_SECRETS.fluentBit.name, key: 'password' } }],
      lifecycle: { ...LOG_LIFECYCLE, retention: l.retention },
      snapshots: es.snapshots ? {
        ...LOG_SNAPSHOTS,
        type: es.snapshots.repository.type === 'fs' ? { type: 'fs' } : { type: 's3', bucket: es.snapshots.repository.bucket, basePath: es.snapshots.repository.basePath },
        schedule: es.snapshots.schedule,
        retention: es.snapshots.retention,
        indices: LOG_LIFECYCLE.indices,
      } : undefined,
    });
    new Kibana(chart, 'Kibana', {
      instance,
      namespace: ns,
      image: elasticImage(l, 'kibana'),
      replicas: l.kibana.replicas,
      resources: l.kibana.resources,
      elasticsearch: { url: elasticsearch.url, port: ELASTICSEARCH_HTTP_PORT, peer: esPeer, caSecret: elasticsearch.tlsSecretName },
      credentialsSecret: LOGGING_SECRETS.kibana.name,
      ingress: ctx.ingressRoute(l.kibana.host, l.kibana.tlsSecretName),
    });
    new FluentBit(chart, 'FluentBit', {
      instance,
      namespace: NODE_AGENTS_NAMESPACE,
      image: l.fluentBit.image,
      resources: l.fluentBit.resources,
      tolerations: l.fluentBit.tolerations,
      dockerRuntime: l.fluentBit.dockerRuntime,
      elasticsearch: {
        host: `${elasticsearch.serviceName}.${ns}.svc`, port: ELASTICSEARCH_HTTP_PORT, peer: esPeer,
        credentialsSecret: LOGGING_SECRETS.fluentBit.name, username: FLUENT_BIT_USER.username, indexPrefix: FLUENT_BIT_INDEX_PREFIX,
        certificates: ctx.certificates,
      },
      apiServer: { cidrs: ctx.platform.cluster.apiServerCidrs, port: ctx.platform.cluster.apiServerPort },
      // Only the scraper the model runs (taken from what monitoring offers, wherever its namespace is).
      metricsScrapers: ctx.wiring.metricsScraper ? [ctx.wiring.metricsScraper] : [],
    });
    const labels = recommendedLabels(chart, { name: 'logging', instance, component: 'credentials', partOf: 'logging', version: PLATFORM_VERSION });
    const secret = (s: { name: string; keys: Readonly<Record<string, string>>; superuserKeys?: readonly string[] }, namespace: string): RequiredSecret => ({
      name: s.name, namespace, keys: { ...s.keys }, labels, ...(s.superuserKeys ? { superuserKeys: [...s.superuserKeys] } : {}),
    });
    const secrets = [
      secret(LOGGING_SECRETS.elastic, ns), secret(LOGGING_SECRETS.kibana, ns),
      secret(LOGGING_SECRETS.fluentBit, ns), secret(LOGGING_SECRETS.fluentBit, NODE_AGENTS_NAMESPACE),
    ];
    if (multiNode && !ctx.certificates) secrets.push(secret(LOGGING_SECRETS.transportTls, ns));
    if (es.snapshots?.repository.type === 's3') secrets.push(secret(LOGGING_SECRETS.snapshotS3, ns));
    return [{ id: 'logging', wave: 1, chart, secrets }];
  },
});
