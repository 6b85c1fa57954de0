/**
 * The Prometheus rules the model generates, checked per requirement:
 * - every rule file has Prometheus' rule-file structure (prometheus/prometheus
 *   model/rulefmt/rulefmt.go, v3.2.1: `RuleGroups{groups}`, `RuleGroup{name,
 *   interval, query_offset, limit, rules, labels}`, `Rule{record, alert, expr,
 *   for, keep_firing_for, labels, annotations}`, parsed with KnownFields(true)
 *   so an unknown key is an error; `RuleNode.Validate`: exactly one of record
 *   and alert, an expr, no annotations/for on a recording rule, a valid metric
 *   name without braces; group names unique in a file);
 * - every expr parses with Prometheus' own PromQL grammar
 *   (@prometheus-io/lezer-promql, the grammar of the Prometheus UI), no error node;
 * - every metric a rule reads comes from a scrape target the model has, by
 *   prefix, from the component that offers it;
 * - every workload the model renders is covered by the generated workload rules;
 * - every alert has a runbook section, and its runbook_url points at it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { RUNBOOKS_URL, runbookAnchor } from '../../constructs/monitoring/rules';
import { find, renderObjects, workloads } from '../helpers';
import { metricNames, metricSourceProblem, parseErrors, SOURCES } from './metric-sources';

const ENV_NAMES = Object.keys(ENVIRONMENTS);

/** rulefmt.go: the yaml keys of each level (anything else fails `decoder.KnownFields(true)`). */
const GROUPS_KEYS = ['groups'];
const GROUP_KEYS = ['name', 'interval', 'query_offset', 'limit', 'rules', 'labels'];
const RULE_KEYS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];
/** Legacy metric and label names (model.IsValidMetricName / LabelName.IsValid without UTF-8). */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^(?:[0-9]+(?:ms|s|m|h|d|w|y))+$/;

interface RuleFile { file: string; content: any }

function ruleFilesOf(env: string): RuleFile[] {
  const objects = renderObjects(env);
  const config = loadEnvironment(env);
  const cm = find(objects, 'ConfigMap', 'prometheus-rules', config.edge!.monitoring.namespace);
  return Object.entries(cm.data as Record<string, string>).map(([file, text]) => ({ file, content: parseYaml(text) }));
}

const allRules = (files: RuleFile[]) => files.flatMap(f => f.content.groups.flatMap((g: any) => g.rules.map((r: any) => ({ file: f.file, group: g.name, rule: r }))));

const RUNBOOKS = fs.readFileSync(path.join(__dirname, '../../docs/runbooks.md'), 'utf8');
/** GitHub heading ids of docs/runbooks.md (lower case, spaces to dashes, punctuation dropped). */
const ANCHORS = new Set([...RUNBOOKS.matchAll(/^#{2,3} (.+)$/gm)].map(m => m[1].trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));

describe.each(ENV_NAMES)('%s: Prometheus rules', env => {
  const files = ruleFilesOf(env);
  const rules = allRules(files);
  const config = loadEnvironment(env);
  const objects = renderObjects(env);

  test('Prometheus loads them: rule_files names their mount, the pod mounts the ConfigMap there and rolls on a change', () => {
    const ns = config.edge!.monitoring.namespace;
    const prom = parseYaml(find(objects, 'ConfigMap', 'prometheus-config', ns).data['prometheus.yml']);
    expect(prom.rule_files).toEqual(['/etc/prometheus-rules/*.rules.yml']);
    const pod = find(objects, 'Deployment', 'prometheus', ns).spec.template;
    expect(pod.spec.volumes).toContainEqual({ name: 'rules', configMap: { name: 'prometheus-rules' } });
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: 'rules', mountPath: '/etc/prometheus-rules', readOnly: true });
    expect(pod.metadata.annotations['checksum/rules']).toMatch(/^[0-9a-f]{64}$/);
    for (const f of files) expect(f.file).toMatch(/^[a-z0-9-]+\.rules\.yml$/);
  });

  test('rulefmt structure: only known keys at every level, names, durations, record xor alert, no annotations or for on recording rules', () => {
    const problems: string[] = [];
    for (const { file, content } of files) {
      const unknown = (where: string, o: object, keys: string[]) => Object.keys(o).filter(k => !keys.includes(k)).forEach(k => problems.push(`${file} ${where}: unknown key ${k}`));
      unknown('top level', content, GROUPS_KEYS);
      const names = new Set<string>();
      for (const g of content.groups) {
        unknown(`group ${g.name}`, g, GROUP_KEYS);
        if (typeof g.name !== 'string' || g.name === '') problems.push(`${file}: a group without a name`);
        if (names.has(g.name)) problems.push(`${file}: group ${g.name} repeated`);
        names.add(g.name);
        if (g.interval !== undefined && !DURATION.test(g.interval)) problems.push(`${file} ${g.name}: interval ${g.interval}`);
        if (!Array.isArray(g.rules) || g.rules.length === 0) problems.push(`${file} ${g.name}: no rules`);
        for (const r of g.rules) {
          const at = `${file} ${g.name} ${r.alert ?? r.record}`;
          unknown(at, r, RULE_KEYS);
          if ((r.record === undefined) === (r.alert === undefined)) problems.push(`${at}: exactly one of record and alert`);
          if (typeof r.expr !== 'string' || r.expr === '') problems.push(`${at}: no expr`);
          if (r.for !== undefined && !DURATION.test(r.for)) problems.push(`${at}: for ${r.for}`);
          for (const k of Object.keys(r.labels ?? {})) if (!LABEL_NAME.test(k) || k === '__name__') problems.push(`${at}: label ${k}`);
          for (const k of Object.keys(r.annotations ?? {})) if (!LABEL_NAME.test(k)) problems.push(`${at}: annotation ${k}`);
          if (r.record !== undefined) {
            if (!METRIC_NAME.test(r.record) || /[{}]/.test(r.record)) problems.push(`${at}: invalid recording rule name`);
            if (r.annotations !== undefined || r.for !== undefined || r.keep_firing_for !== undefined) problems.push(`${at}: annotations/for on a recording rule`);
            if (r.record.split(':').length !== 3) problems.push(`${at}: not level:metric:operations`);
          } else {
            if (!/^[A-Z][A-Za-z0-9]+$/.test(r.alert)) problems.push(`${at}: alert name`);
            for (const text of [...Object.values(r.annotations ?? {}), ...Object.values(r.labels ?? {})] as string[]) {
              if ((text.match(/{{/g) ?? []).length !== (text.match(/}}/g) ?? []).length) problems.push(`${at}: unbalanced template braces in "${text}"`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(rules.length).toBeGreaterThan(20);
  });

  test('every expr parses with Prometheus\' PromQL grammar (@prometheus-io/lezer-promql), without an error node', () => {
    const problems = rules.flatMap(({ file, rule }) => parseErrors(rule.expr).map(e => `${file} ${rule.alert ?? rule.record}: ${e}`));
    expect(problems).toEqual([]);
  });

  test('the grammar check bites: a broken expr has an error node', () => {
    expect(parseErrors('sum by (namespace) (rate(redis_key_value{key="hashes"[1m]))')).not.toEqual([]);
    expect(parseErrors('rate(kube_pod_info[5m]) >')).not.toEqual([]);
  });

  test('every metric a rule reads is scraped: each name maps by prefix to an active component offering scrape targets, or to a Prometheus job', () => {
    const problems: string[] = [];
    for (const { file, rule } of rules) {
      for (const name of metricNames(rule.expr)) {
        const problem = metricSourceProblem(name, { config, objects });
        if (problem) problems.push(`${file} ${rule.alert ?? rule.record}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
    // Every source the rules rely on is used somewhere (the table is not vacuous).
    const used = new Set(rules.flatMap(r => metricNames(r.rule.expr)).map(n => SOURCES.find(s => n.startsWith(s.prefix))?.prefix));
    for (const prefix of ['kube_', 'pg_', 'redis_', 'traefik_', 'fluentbit_', 'consul_', 'kubelet_', 'elasticsearch_']) expect(used).toContain(prefix);
  });

  test('every workload the model renders has an unavailable, a rollout and a crash-loop rule naming it; every HPA an at-maximum rule; every claim an almost-full rule', () => {
    const problems: string[] = [];
    const byAlert = (alert: string) => rules.filter(r => r.rule.alert === alert).map(r => r.rule.expr as string);
    const label = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset' } as const;
    const matches = (expr: string, ns: string, key: string, value: string) => {
      const m = new RegExp(`\\{namespace="${ns}",${key}(=~?)"([^"]+)"`).exec(expr);
      if (!m) return false;
      return m[1] === '=' ? m[2] === value : new RegExp(`^(?:${m[2].replace(/\\\\/g, '\\')})$`).test(value);
    };
    for (const w of workloads(objects).filter(o => o.kind in label)) {
      const ns = w.metadata.namespace;
      const kind = w.kind as keyof typeof label;
      const pod = kind === 'Deployment' ? `${w.metadata.name}-5d8f7c9b4-x2k9q` : kind === 'StatefulSet' ? `${w.metadata.name}-0` : `${w.metadata.name}-k2x9q`;
      if (!byAlert(`${kind}ReplicasUnavailable`).some(e => matches(e, ns, label[kind], w.metadata.name))) problems.push(`${kind} ${ns}/${w.metadata.name}: no ReplicasUnavailable rule`);
      if (!byAlert(`${kind}RolloutStuck`).some(e => matches(e, ns, label[kind], w.metadata.name))) problems.push(`${kind} ${ns}/${w.metadata.name}: no RolloutStuck rule`);
      if (!byAlert('PodCrashLooping').some(e => matches(e, ns, 'pod', pod))) problems.push(`${kind} ${ns}/${w.metadata.name}: no PodCrashLooping rule matching its pod ${pod}`);
    }
    for (const hpa of objects.filter(o => o.kind === 'HorizontalPodAutoscaler')) {
      if (!byAlert('HorizontalPodAutoscalerAtMaximum').some(e => matches(e, hpa.metadata.namespace!, 'horizontalpodautoscaler', hpa.metadata.name))) problems.push(`HPA ${hpa.metadata.namespace}/${hpa.metadata.name}: no at-maximum rule`);
    }
    const claims = [
      ...objects.filter(o => o.kind === 'PersistentVolumeClaim').map(o => ({ ns: o.metadata.namespace!, name: o.metadata.name })),
      ...objects.filter(o => o.kind === 'StatefulSet').flatMap((s: any) => (s.spec.volumeClaimTemplates ?? []).map((t: any) => ({ ns: s.metadata.namespace, name: `${t.metadata.name}-${s.metadata.name}-0` }))),
    ];
    for (const c of claims) {
      // Exactly one: a claim two rules name would page twice (the backups claim once had its own copy).
      const naming = byAlert('PersistentVolumeClaimAlmostFull').filter(e => matches(e, c.ns, 'persistentvolumeclaim', c.name)).length;
      if (naming !== 1) problems.push(`claim ${c.ns}/${c.name}: ${naming} almost-full rules (want exactly 1)`);
    }
    expect(problems).toEqual([]);
    expect(claims.length).toBeGreaterThan(0);
  });

  test('the crash-loop pod patterns do not cross workloads: postgres does not match postgres-exporter pods, redis not redis-exporter pods', () => {
    const crash = rules.filter(r => r.rule.alert === 'PodCrashLooping').map(r => r.rule.expr as string);
    const podRegex = (ns: string) => {
      const e = crash.find(x => x.includes(`namespace="${ns}"`))!;
      return new RegExp(`^(?:${/pod=~"([^"]+)"/.exec(e)![1].replace(/\\\\/g, '\\')})$`);
    };
    const data = config.stateful?.namespace;
    if (data) {
      expect(podRegex(data).test('postgres-0')).toBe(true);
      expect(podRegex(data).test('postgres-exporter-5d8f7c9b4-x2k9q')).toBe(true); // its own Deployment's pattern
      const postgresOnly = new RegExp('^(?:postgres-[0-9]+)$');
      expect(postgresOnly.test('postgres-exporter-5d8f7c9b4-x2k9q')).toBe(false);
    }
    const ns = config.dockercoins[0].namespace;
    expect(podRegex(ns).test('redis-7c9b45d8f-x2k9q')).toBe(true);
    expect(podRegex(ns).test('something-else-7c9b45d8f-x2k9q')).toBe(false);
  });

  test('HPA at its maximum for 15 minutes compares current replicas with the spec maximum', () => {
    const hpa = rules.find(r => r.rule.alert === 'HorizontalPodAutoscalerAtMaximum')!.rule;
    expect(hpa.for).toBe('15m');
    expect(hpa.expr).toMatch(/^kube_horizontalpodautoscaler_status_current_replicas\{.*\} >= on \(namespace, horizontalpodautoscaler\) kube_horizontalpodautoscaler_spec_max_replicas\{/);
  });

  test('a claim is almost full above 80 % of its requested size (kubelet volume stats over the claim\'s request)', () => {
    const claim = rules.find(r => r.rule.alert === 'PersistentVolumeClaimAlmostFull')!.rule;
    expect(claim.expr).toMatch(/kubelet_volume_stats_used_bytes.*\/ on \(namespace, persistentvolumeclaim\).*kube_persistentvolumeclaim_resource_requests_storage_bytes.*> 0\.8$/);
  });

  test('DockerCoins: the mining rate is recorded from the hashes key; mining stopped for 5 minutes while workers are available alerts', () => {
    const dc = files.find(f => f.file === 'dockercoins.rules.yml')!.content.groups[0].rules;
    expect(dc[0]).toEqual({ record: 'dockercoins:hashes:rate1m', expr: 'sum by (namespace) (rate(redis_key_value{db="db0",key="hashes"}[1m]))' });
    expect(dc[1]).toEqual({ record: 'dockercoins:coins:count', expr: 'sum by (namespace) (redis_key_size{db="db0",key="wallet"})' });
    const stopped = dc.find((r: any) => r.alert === 'DockerCoinsMiningStopped');
    expect(stopped.expr).toBe('max_over_time(dockercoins:hashes:rate1m[5m]) == 0 and on (namespace) min_over_time(kube_deployment_status_replicas_available{deployment="worker"}[5m]) > 0');
    expect(stopped.labels.severity).toBe('critical');
  });

  test('Consul without a leader, Postgres down, Fluent Bit output errors and dropped retries, Traefik 5xx ratio per router', () => {
    const expr = (alert: string) => rules.find(r => r.rule.alert === alert)?.rule.expr;
    expect(expr('ConsulNoLeader')).toBe('max by (namespace) (consul_server_isLeader) < 1');
    expect(expr('PostgresDown')).toBe('pg_up == 0');
    expect(expr('FluentBitOutputErrors')).toContain('rate(fluentbit_output_errors_total[5m])');
    expect(expr('FluentBitOutputRetriesFailed')).toContain('increase(fluentbit_output_retries_failed_total[10m])');
    expect(expr('TraefikRouterHighErrorRatio')).toContain('sum by (router) (rate(traefik_router_requests_total{code=~"5.."}[5m]))');
  });

  test('every alert has a runbook section in docs/runbooks.md, and its runbook_url points at that anchor', () => {
    const problems: string[] = [];
    for (const { rule } of rules.filter(r => r.rule.alert)) {
      const anchor = runbookAnchor(rule.alert);
      if (rule.annotations?.runbook_url !== `${RUNBOOKS_URL}#${anchor}`) problems.push(`${rule.alert}: runbook_url ${rule.annotations?.runbook_url}`);
      if (!ANCHORS.has(anchor)) problems.push(`${rule.alert}: no section "${rule.alert}" in docs/runbooks.md`);
      if (!['critical', 'warning'].includes(rule.labels?.severity)) problems.push(`${rule.alert}: severity ${rule.labels?.severity}`);
      for (const k of ['summary', 'description']) if (!rule.annotations?.[k]) problems.push(`${rule.alert}: no ${k}`);
    }
    expect(problems).toEqual([]);
  });
});

test('the runbook is not a dead list: every section of docs/runbooks.md is an alert some environment renders, or a general section', () => {
  const alerts = new Set(ENV_NAMES.flatMap(env => allRules(ruleFilesOf(env)).filter(r => r.rule.alert).map(r => runbookAnchor(r.rule.alert))));
  const sections = [...RUNBOOKS.matchAll(/^## (.+)$/gm)].map(m => m[1].trim());
  const alertSections = sections.filter(s => /^[A-Z][A-Za-z0-9]+$/.test(s));
  expect(alertSections.filter(s => !alerts.has(runbookAnchor(s)))).toEqual([]);
});
