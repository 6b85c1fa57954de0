/**
 * The Elasticsearch exporter, per requirement and environment. Facts of the
 * exporter, read from prometheus-community/elasticsearch_exporter at tag
 * v1.9.0 (commit 4301b8d6), the pinned image:
 * - Dockerfile: `FROM quay.io/prometheus/busybox-...:glibc`, `USER nobody`
 *   (its `EXPOSE 7979` is stale: main.go listens on `:9114` by default,
 *   `webflag.AddFlags(kingpin.CommandLine, ":9114")`);
 * - main.go flags `--es.uri`, `--es.all`, `--es.timeout`,
 *   `--web.telemetry-path` (and the toolkit's `--web.listen-address`);
 *   credentials from the environment variables ES_USERNAME and ES_PASSWORD;
 *   `/healthz` answers 200;
 * - collector/cluster_health.go: `elasticsearch_cluster_health_status{cluster,color}`
 *   for color in green, yellow, red (1 for the current one).
 */
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { secretInventory } from '../../src/secrets';
import { VERSIONS } from '../../constructs/versions';
import { find, podSpec, renderObjects } from '../helpers';
import { parse as parseYaml } from 'yaml';

// --es.ca: the PEM CA file for https (main.go `esCA = kingpin.Flag("es.ca", ...)`), set where the environment has TLS.
// --collector.snapshots: collector/collector.go registers each collector's flag as `collector.<name>`, snapshots.go
// `registerCollector("snapshots", defaultDisabled, ...)`; set where the logging stack takes snapshots.
const FLAGS = ['--es.uri', '--es.all', '--es.timeout', '--es.ca', '--web.listen-address', '--web.telemetry-path', '--collector.snapshots'];

describe.each(Object.keys(ENVIRONMENTS))('%s: elasticsearch_exporter', env => {
  const config = loadEnvironment(env);
  const objects = renderObjects(env);
  const ns = config.logging!.namespace;
  const deployment = find(objects, 'Deployment', 'elasticsearch-exporter', ns);
  const spec = podSpec(deployment);
  const container = spec.containers[0];

  test('the pinned image as uid/gid 65534 (USER nobody), listening on 9114 with the flags main.go defines, every one known', () => {
    expect(container.image).toBe(`${VERSIONS.elasticsearchExporter.registry}/${VERSIONS.elasticsearchExporter.repository}:${VERSIONS.elasticsearchExporter.tag}`);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 });
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9114, protocol: 'TCP' }]);
    for (const arg of container.args) expect(FLAGS).toContain(arg.split('=')[0]);
    expect(container.args).toContain(`--es.uri=${config.certificates.source !== 'none' ? 'https' : 'http'}://elasticsearch.${ns}.svc:9200`);
    expect(container.args).toContain('--web.listen-address=:9114');
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9114', 'prometheus.io/path': '/metrics' });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'metrics' });
  });

  test('the URL names the rendered Elasticsearch Service on its HTTP port', () => {
    const svc = find(objects, 'Service', 'elasticsearch', ns);
    expect(svc.spec.ports.map((p: any) => p.port)).toContain(9200);
  });

  test('credentials only from Secrets: the monitor-only user\'s password from elasticsearch-monitoring-credentials (in SECRETS.md); the superuser only in the setup Job', () => {
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'ES_USERNAME', value: 'elasticsearch-exporter' },
      { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'elasticsearch-monitoring-credentials', key: 'password' } } },
    ]));
    expect(container.env.some((e: any) => e.name === 'ELASTIC_PASSWORD')).toBe(false);
    expect(spec.initContainers).toBeUndefined();
    const job = objects.find(o => o.kind === 'Job' && o.metadata.namespace === ns && /^elasticsearch-exporter-setup-[0-9a-f]{8}$/.test(o.metadata.name))!;
    const setup = podSpec(job).containers[0];
    const script = setup.command.join(' ');
    // A monitor-only role (cluster and indices `monitor`: no document read, no write) and its user; where the
    // logging stack takes snapshots, also `monitor_snapshot` (list repositories and snapshots, nothing else).
    const cluster = ['monitor', ...(config.logging!.elasticsearch.snapshots ? ['monitor_snapshot'] : [])];
    expect(script).toContain(`/_security/role/elasticsearch-exporter '${JSON.stringify({ cluster, indices: [{ names: ['*'], privileges: ['monitor'] }] })}'`);
    expect(script).toContain('/_security/user/elasticsearch-exporter');
    expect(setup.env).toEqual(expect.arrayContaining([
      { name: 'ELASTIC_PASSWORD', valueFrom: { secretKeyRef: { name: 'elasticsearch-credentials', key: 'password' } } },
    ]));
    const inventory = secretInventory(renderCharts(config));
    expect(inventory.find(s => s.namespace === ns && s.name === 'elasticsearch-monitoring-credentials')).toMatchObject({ source: 'pulumi', keys: { password: 'elasticMonitoringPassword' } });
    expect(inventory.find(s => s.namespace === ns && s.name === 'elasticsearch-credentials')!.usedBy).toContain(`Job ${ns}/${job.metadata.name}`);
    expect(inventory.find(s => s.namespace === ns && s.name === 'elasticsearch-credentials')!.usedBy).not.toContain(`Deployment ${ns}/elasticsearch-exporter`);
  });

  test('health alerts read the exporter: red always, yellow only for a cluster of several nodes (a single node never assigns replicas)', () => {
    const cm = find(objects, 'ConfigMap', 'prometheus-rules', config.edge!.monitoring.namespace);
    const group = parseYaml(cm.data['elasticsearch.rules.yml']).groups[0];
    const alerts = Object.fromEntries(group.rules.map((r: any) => [r.alert, r]));
    expect(alerts.ElasticsearchClusterRed.expr).toBe('max by (namespace, cluster) (elasticsearch_cluster_health_status{color="red"}) == 1');
    expect(alerts.ElasticsearchClusterRed.labels.severity).toBe('critical');
    if (config.logging!.elasticsearch.nodes > 1) {
      expect(alerts.ElasticsearchClusterYellow.expr).toBe('max by (namespace, cluster) (elasticsearch_cluster_health_status{color="yellow"}) == 1');
      expect(alerts.ElasticsearchClusterYellow.labels.severity).toBe('warning');
    } else {
      expect(alerts.ElasticsearchClusterYellow).toBeUndefined();
    }
  });
});

test('prod runs a multi-node Elasticsearch, so the yellow alert is rendered somewhere (the branch above is not vacuous)', () => {
  expect(loadEnvironment('prod').logging!.elasticsearch.nodes).toBeGreaterThan(1);
});
