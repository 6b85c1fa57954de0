import { Chart } from 'cdk8s';
import { defineComponent, PLATFORM_VERSION, RequiredSecret } from '../lib/component';
import { recommendedLabels, selectorLabels } from '../lib/labels';
import { ELASTICSEARCH_HTTP_PORT, ELASTICSEARCH_NAME, ELASTICSEARCH_TLS_SECRET, elasticsearchUrl } from '../elasticsearch';
import { LOG_SNAPSHOTS, LOGGING_INSTANCE, LOGGING_SECRETS } from '../logging/component';
import { elasticImage, LoggingConfig } from '../logging/schema';
import { ELASTICSEARCH_EXPORTER_NAME, ELASTICSEARCH_EXPORTER_PORT, ELASTICSEARCH_EXPORTER_SETUP_NAME, ElasticsearchExporter } from '.';
import { elasticsearchPanels, elasticsearchRules } from './rules';
import { elasticsearchExporterSchema } from './schema';

/** The Secret of the monitoring user's password and its Pulumi config key (namespace `dockercoins`). Never rendered. */
export const ELASTICSEARCH_EXPORTER_SECRET = { name: 'elasticsearch-monitoring-credentials', keys: { password: 'elasticMonitoringPassword' } } as const;

const loggingOf = (environment: unknown) => (environment as { logging?: LoggingConfig }).logging;
const identity = selectorLabels({ name: ELASTICSEARCH_EXPORTER_NAME, instance: LOGGING_INSTANCE });
const setupIdentity = selectorLabels({ name: ELASTICSEARCH_EXPORTER_SETUP_NAME, instance: LOGGING_INSTANCE });
const elasticsearch = selectorLabels({ name: ELASTICSEARCH_NAME, instance: LOGGING_INSTANCE });

/**
 * elasticsearch_exporter beside Elasticsearch, wave 2 (after the logging
 * stack). It offers its metrics port (Prometheus' egress), its footprint and
 * workload, the health alerts and the Elasticsearch dashboard row, and its
 * pods as a client of Elasticsearch's HTTP port, which the logging component
 * admits in the Elasticsearch policy.
 */
export const elasticsearchExporterComponent = defineComponent({
  id: 'elasticsearch-exporter',
  configPath: ['exporters', 'elasticsearch'],
  schema: elasticsearchExporterSchema,
  check(_config, _platform, environment) {
    return loggingOf(environment) ? [] : [{ path: 'exporters.elasticsearch', reason: 'needs logging (there is no Elasticsearch to export metrics of): remove it or configure logging' }];
  },
  offers(config, _platform, environment) {
    const l = loggingOf(environment);
    if (!l) return {};
    return {
      scrapeTargets: [{ namespace: l.namespace, pods: identity, port: ELASTICSEARCH_EXPORTER_PORT }],
      footprints: [
        { namespace: l.namespace, field: 'exporters.elasticsearch', workload: ELASTICSEARCH_EXPORTER_NAME, pods: 2, why: '1 + 1 surge', resources: config.resources },
        { namespace: l.namespace, field: 'exporters.elasticsearch.setup', workload: ELASTICSEARCH_EXPORTER_SETUP_NAME, pods: 1, why: '', resources: config.setup.resources },
      ],
      workloads: [{ namespace: l.namespace, kind: 'Deployment' as const, name: ELASTICSEARCH_EXPORTER_NAME }],
      clients: [
        { from: { namespace: l.namespace, pods: identity }, to: { namespace: l.namespace, pods: elasticsearch, port: ELASTICSEARCH_HTTP_PORT } },
        { from: { namespace: l.namespace, pods: setupIdentity }, to: { namespace: l.namespace, pods: elasticsearch, port: ELASTICSEARCH_HTTP_PORT } },
      ],
      alertRules: [elasticsearchRules(l.elasticsearch.nodes, l.elasticsearch.snapshots ? { repository: LOG_SNAPSHOTS.repository, alertAfter: l.elasticsearch.snapshots.alertAfter } : undefined)],
      panels: elasticsearchPanels(),
    };
  },
  build(ctx) {
    const l = loggingOf(ctx.environment)!;
    const chart = new Chart(ctx.app, 'elasticsearch-exporter', { disableResourceNameHashes: true });
    new ElasticsearchExporter(chart, 'ElasticsearchExporter', {
      instance: LOGGING_INSTANCE,
      namespace: l.namespace,
      image: ctx.config.image,
      resources: ctx.config.resources,
      elasticsearch: {
        // https, verified against the CA of Elasticsearch's certificate, where the environment has TLS.
        url: elasticsearchUrl(l.namespace, ctx.certificates !== undefined),
        caSecret: ctx.certificates ? ELASTICSEARCH_TLS_SECRET : undefined,
        port: ELASTICSEARCH_HTTP_PORT,
        pods: elasticsearch,
        setupImage: elasticImage(l, 'elasticsearch'),
        superuserSecret: LOGGING_SECRETS.elastic.name,
      },
      credentialsSecret: ELASTICSEARCH_EXPORTER_SECRET.name,
      setupResources: ctx.config.setup.resources,
      // Snapshot stats (the repository's newest snapshots) only where the logging stack takes snapshots.
      snapshots: l.elasticsearch.snapshots !== undefined,
      scrapers: ctx.wiring.metricsScraper ? [ctx.wiring.metricsScraper] : [],
    });
    const labels = recommendedLabels(chart, { name: ELASTICSEARCH_EXPORTER_NAME, instance: LOGGING_INSTANCE, component: 'credentials', partOf: 'monitoring', version: PLATFORM_VERSION });
    const secrets: RequiredSecret[] = [{ name: ELASTICSEARCH_EXPORTER_SECRET.name, namespace: l.namespace, keys: { ...ELASTICSEARCH_EXPORTER_SECRET.keys }, labels }];
    return [{ id: 'elasticsearch-exporter', wave: 2, chart, secrets }];
  },
});
