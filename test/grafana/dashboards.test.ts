/**
 * The provisioned dashboards, per requirement:
 * - each is Grafana dashboard JSON (uid, title, schemaVersion, panels on the
 *   24-column grid without overlaps, unique ids, every query on the
 *   provisioned Prometheus datasource);
 * - every panel query parses with Prometheus' PromQL grammar
 *   (@prometheus-io/lezer-promql) and names a metric that a scrape target of
 *   the model produces, or a recording rule the model defines (the metric
 *   catalogue of the rule tests, test/monitoring/metric-sources.ts);
 * - the dashboards show what the issue asks for: DockerCoins (mining rate,
 *   coins, per-service CPU and replicas, HPA), platform (Traefik traffic and
 *   5xx per router, Elasticsearch health and ingest, Postgres, Consul),
 *   cluster (nodes, pods by namespace);
 * - panels come from what components offer: a component that is not deployed
 *   takes its panels with it, and what remains still names only metrics with
 *   a source (a property over every subset of the optional exporters).
 */
import fc from 'fast-check';
import { ENVIRONMENTS, EnvironmentConfig, loadEnvironment, validateEnvironment } from '../../src/config';
import type { K8sObject } from '../../src/analysis/objects';
import { envCopy, find, renderObjects } from '../helpers';
import { metricNames, metricSourceProblem, parseErrors } from '../monitoring/metric-sources';

const ENV_NAMES = Object.keys(ENVIRONMENTS);

interface Dashboard { uid: string; title: string; schemaVersion: number; panels: any[]; [k: string]: unknown }

function dashboardsOf(objects: K8sObject[], config: EnvironmentConfig): Record<string, Dashboard> {
  const cm = find(objects, 'ConfigMap', 'grafana-dashboards', config.edge!.monitoring.namespace);
  return Object.fromEntries(Object.entries(cm.data as Record<string, string>).map(([file, text]) => [file, JSON.parse(text)]));
}

const queriesOf = (d: Dashboard) => d.panels.filter(p => p.type !== 'row').flatMap(p => p.targets.map((t: any) => ({ panel: p.title as string, expr: t.expr as string })));

/** Every panel problem of a rendered environment: grammar errors and metrics without a source. */
function panelProblems(objects: K8sObject[], config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  for (const [file, d] of Object.entries(dashboardsOf(objects, config))) {
    for (const { panel, expr } of queriesOf(d)) {
      for (const e of parseErrors(expr)) problems.push(`${file} "${panel}": ${e}`);
      const names = metricNames(expr);
      if (names.length === 0) problems.push(`${file} "${panel}": names no metric: ${expr}`);
      for (const name of names) {
        const problem = metricSourceProblem(name, { config, objects });
        if (problem) problems.push(`${file} "${panel}": ${problem}`);
      }
    }
  }
  return problems;
}

describe.each(ENV_NAMES)('%s: dashboards', env => {
  const config = loadEnvironment(env);
  const objects = renderObjects(env);
  const dashboards = dashboardsOf(objects, config);

  test('three dashboards, each Grafana dashboard JSON: uid = file name, title, schemaVersion, not editable, every query on the provisioned Prometheus datasource', () => {
    expect(Object.keys(dashboards).sort()).toEqual(['cluster.json', 'dockercoins.json', 'platform.json']);
    for (const [file, d] of Object.entries(dashboards)) {
      expect(`${d.uid}.json`).toBe(file);
      expect(typeof d.title).toBe('string');
      expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(d.editable).toBe(false);
      for (const p of d.panels.filter(x => x.type !== 'row')) {
        expect(['timeseries', 'stat']).toContain(p.type);
        expect(p.datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
        expect(new Set(p.targets.map((t: any) => t.refId)).size).toBe(p.targets.length);
      }
    }
  });

  test('layout: unique panel ids, every panel inside the 24-column grid, no two panels overlapping', () => {
    for (const d of Object.values(dashboards)) {
      const ids = d.panels.map(p => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const boxes = d.panels.map(p => p.gridPos);
      for (const b of boxes) {
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.x + b.w).toBeLessThanOrEqual(24);
        expect(b.w).toBeGreaterThan(0);
        expect(b.h).toBeGreaterThan(0);
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap ? `${d.uid}: ${d.panels[i].title} overlaps ${d.panels[j].title}` : '').toBe('');
        }
      }
    }
  });

  test('every panel query parses with Prometheus\' PromQL grammar and names metrics that a scrape target of the model produces or a recording rule defines', () => {
    expect(panelProblems(objects, config)).toEqual([]);
    expect(Object.values(dashboards).flatMap(queriesOf).length).toBeGreaterThan(25);
  });

  test('DockerCoins: the mining rate (dockercoins:hashes:rate1m), the coins, CPU and replicas per service, every autoscaler', () => {
    const q = queriesOf(dashboards['dockercoins.json']);
    const reads = (metric: string) => q.filter(x => metricNames(x.expr).includes(metric));
    expect(reads('dockercoins:hashes:rate1m').map(x => x.panel)).toEqual(['Mining rate (hashes/s)']);
    expect(reads('dockercoins:coins:count')).toHaveLength(1);
    const cpu = reads('container_cpu_usage_seconds_total')[0].expr;
    for (const d of config.dockercoins) expect(cpu).toContain(d.namespace);
    for (const service of ['rng', 'hasher', 'worker', 'webui', 'redis']) expect(cpu).toContain(service);
    expect(reads('kube_deployment_status_replicas_available')[0].expr).toMatch(/deployment=~"hasher\|redis\|webui\|worker"/);
    expect(reads('kube_daemonset_status_number_ready')[0].expr).toMatch(/daemonset="rng"/);
    for (const m of ['kube_horizontalpodautoscaler_status_current_replicas', 'kube_horizontalpodautoscaler_status_desired_replicas', 'kube_horizontalpodautoscaler_spec_max_replicas']) {
      expect(reads(m)[0].expr).toContain('horizontalpodautoscaler="hasher"');
    }
    // Rows in the dashboard's order: the business signal first.
    expect(dashboards['dockercoins.json'].panels.filter(p => p.type === 'row').map(p => p.title)).toEqual(['Mining', 'Services', 'Autoscaling']);
  });

  test('platform: Traefik traffic, 5xx and latency per router; Elasticsearch health and ingest; Postgres; Consul', () => {
    const d = dashboards['platform.json'];
    expect(d.panels.filter(p => p.type === 'row').map(p => p.title)).toEqual(['Traefik', 'Elasticsearch', 'Postgres', 'Consul']);
    const q = queriesOf(d);
    const byRouter = q.filter(x => x.expr.includes('by (router')).map(x => x.panel);
    expect(byRouter).toEqual(expect.arrayContaining(['Requests per router', '5xx ratio per router', 'Latency p95 per router']));
    expect(q.find(x => x.panel === '5xx ratio per router')!.expr).toContain('code=~"5.."');
    const names = new Set(q.flatMap(x => metricNames(x.expr)));
    for (const m of ['elasticsearch_cluster_health_status', 'elasticsearch_indices_indexing_index_total', 'pg_up', 'pg_stat_database_numbackends', 'consul_server_isLeader']) expect(names).toContain(m);
    const health = d.panels.find(p => p.title === 'Cluster health');
    expect(Object.values(health.fieldConfig.defaults.mappings[0].options).map((o: any) => o.text)).toEqual(['green', 'yellow', 'red']);
  });

  test('cluster: nodes (ready, CPU, memory, disk) and pods by namespace', () => {
    const q = queriesOf(dashboards['cluster.json']);
    const names = new Set(q.flatMap(x => metricNames(x.expr)));
    for (const m of ['kube_node_status_condition', 'node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'kube_pod_status_phase', 'container_memory_working_set_bytes']) expect(names).toContain(m);
    expect(q.filter(x => x.expr.startsWith('sum by (namespace')).length).toBeGreaterThanOrEqual(4);
  });

  test('Traefik exports the per-router series the panels read (--metrics.prometheus.addRoutersLabels=true, off by default)', () => {
    const traefik = objects.find(o => ['Deployment', 'DaemonSet'].includes(o.kind) && o.metadata.namespace === config.ingress.controllerNamespace && o.metadata.name === 'traefik') as any;
    expect(traefik.spec.template.spec.containers[0].args).toContain('--metrics.prometheus.addRoutersLabels=true');
  });
});

test('the checks bite: a broken query, a metric nobody scrapes and a query naming no metric are each reported', () => {
  expect(parseErrors('sum by (router) (rate(traefik_router_requests_total[5m])')).not.toEqual([]);
  const config = loadEnvironment('dev');
  const objects = renderObjects(config);
  expect(metricSourceProblem('mysql_up', { config, objects })).toBe('mysql_up has no known source');
  expect(metricNames('vector(1)')).toEqual([]);
  const c = envCopy('dev');
  delete c.exporters.postgres;
  const without = validateEnvironment(c);
  expect(metricSourceProblem('pg_up', { config: without, objects: renderObjects(without) })).toBe('pg_up comes from postgres-exporter, which offers no scrape target');
});

/** The optional exporters and the dashboard row each one offers. */
const OPTIONAL: ReadonlyArray<{ key: 'postgres' | 'redis' | 'elasticsearch'; dashboard: string; row: string }> = [
  { key: 'postgres', dashboard: 'platform.json', row: 'Postgres' },
  { key: 'redis', dashboard: 'dockercoins.json', row: 'Mining' },
  { key: 'elasticsearch', dashboard: 'platform.json', row: 'Elasticsearch' },
];

test('property: for any subset of the exporters removed from any environment, their rows disappear, the others stay, and every remaining query still has a source', () => {
  fc.assert(fc.property(fc.constantFrom(...ENV_NAMES), fc.subarray(OPTIONAL.map(o => o.key)), (env, removed) => {
    const c = envCopy(env);
    for (const key of removed) delete c.exporters[key];
    const config = validateEnvironment(c);
    const objects = renderObjects(config);
    const dashboards = dashboardsOf(objects, config);
    for (const o of OPTIONAL) {
      const rows = (dashboards[o.dashboard]?.panels ?? []).filter(p => p.type === 'row').map(p => p.title);
      expect(`${o.row}: ${rows.includes(o.row)}`).toBe(`${o.row}: ${!removed.includes(o.key)}`);
    }
    expect(panelProblems(objects, config)).toEqual([]);
  }), { numRuns: 12 });
});

test('without logging, the Elasticsearch exporter is refused with a path (it needs an Elasticsearch); removing both removes the Elasticsearch row', () => {
  const c = envCopy('dev');
  delete c.logging;
  expect(() => validateEnvironment(c)).toThrow(/exporters\.elasticsearch: needs logging/);
  delete c.exporters.elasticsearch;
  const config = validateEnvironment(c);
  const platform = dashboardsOf(renderObjects(config), config)['platform.json'];
  expect(platform.panels.filter(p => p.type === 'row').map(p => p.title)).toEqual(['Traefik', 'Postgres', 'Consul']);
});
