/**
 * Prometheus alerting and recording rules, as data. Two sources, both offers
 * (constructs/lib/component.ts):
 * - `workloads`: every Deployment, StatefulSet and DaemonSet a component
 *   renders. `workloadRules` generates, per namespace, the availability,
 *   rollout, crash-loop, autoscaler-at-maximum and claim-almost-full alerts
 *   from kube-state-metrics and kubelet metrics, with matchers naming exactly
 *   the offered workloads (nothing copied by hand);
 * - `alertRules`: groups a component offers about the metrics it exposes
 *   (Traefik 5xx, Postgres down, ...), next to the scrape target they read.
 *
 * The file format is Prometheus' rule file (model/rulefmt/rulefmt.go,
 * `RuleGroups` → `RuleGroup{name, interval, rules}` → `Rule{record | alert,
 * expr, for, labels, annotations}`); test/monitoring/rules.test.ts checks the
 * rendered files against it and parses every `expr` with Prometheus' own
 * PromQL grammar. Every alert has a section in docs/runbooks.md, which its
 * `runbook_url` annotation points at.
 */
/**
 * A workload a component renders, as kube-state-metrics reports it: the
 * `workloads` offer (constructs/lib/component.ts `WorkloadOffer`). Defined
 * here, where the rules are generated from it, so that the contract depends on
 * the rules' types and not the other way round.
 */
export interface RuleWorkload {
  readonly namespace: string;
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  /** Object name (also the HorizontalPodAutoscaler's, when `autoscaled`). */
  readonly name: string;
  /** A HorizontalPodAutoscaler of the same name owns its replica count. @default false */
  readonly autoscaled?: boolean;
  /**
   * Claims its pods mount: claim names, or for a StatefulSet its
   * volumeClaimTemplate names (claims `<template>-<name>-<ordinal>`). @default - none
   */
  readonly claims?: readonly string[];
  /**
   * Claims (rendered PersistentVolumeClaim objects) that every pod of a
   * StatefulSet mounts besides its templates, e.g. a shared snapshot
   * repository. @default - none
   */
  readonly sharedClaims?: readonly string[];
}

/** Where docs/runbooks.md is read; each alert links `<RUNBOOKS_URL>#<anchor>`. Repository-relative until the repository has a published address. */
export const RUNBOOKS_URL = 'docs/runbooks.md';

export type Severity = 'critical' | 'warning';

/** An alerting rule (rulefmt `Rule` with `alert`). */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold before it fires. @default - at once */
  readonly for?: string;
  readonly labels: { readonly severity: Severity } & Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

/** A recording rule (rulefmt `Rule` with `record`): a level:metric:operations name. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export type Rule = AlertingRule | RecordingRule;

/** A rulefmt `RuleGroup`: rules evaluated in order, recording rules before the alerts that read them. */
export interface RuleGroup {
  /** Unique across the environment; also the rule file name (`<name>.rules.yml`). */
  readonly name: string;
  /** Evaluation interval. @default - the global evaluation_interval */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

/** The docs/runbooks.md anchor of an alert: its name in lower case (GitHub-style heading ids). */
export function runbookAnchor(alert: string): string {
  return alert.toLowerCase();
}

export interface AlertSpec {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
}

/** An alerting rule with its severity and its runbook link. */
export function alertRule(spec: AlertSpec): AlertingRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    ...(spec.for ? { for: spec.for } : {}),
    labels: { severity: spec.severity },
    annotations: { summary: spec.summary, description: spec.description, runbook_url: `${RUNBOOKS_URL}#${runbookAnchor(spec.alert)}` },
  };
}

/** A label matcher list, `{a="b",c=~"d|e"}`, with values escaped for PromQL strings. */
export function selector(matchers: Readonly<Record<string, string | readonly string[]>>): string {
  const quote = (v: string) => JSON.stringify(v);
  const parts = Object.entries(matchers).map(([label, value]) => (typeof value === 'string'
    ? `${label}=${quote(value)}`
    : value.length === 1 ? `${label}=${quote(value[0])}` : `${label}=~${quote(value.map(escapeRegex).join('|'))}`));
  return `{${parts.join(',')}}`;
}

function escapeRegex(v: string): string {
  return v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The kube-state-metrics label naming an object of each kind, and its metric prefix. */
const KIND = {
  Deployment: { label: 'deployment', prefix: 'kube_deployment' },
  StatefulSet: { label: 'statefulset', prefix: 'kube_statefulset' },
  DaemonSet: { label: 'daemonset', prefix: 'kube_daemonset' },
} as const;

/**
 * Pod names of a workload, as an RE2 alternative (Prometheus anchors
 * regexes): Deployment pods are `<name>-<template hash>-<5>`, StatefulSet
 * pods `<name>-<ordinal>`, DaemonSet pods `<name>-<5>`. The fixed shape
 * keeps `postgres` from matching `postgres-exporter-…` pods.
 */
function podPattern(w: RuleWorkload): string {
  const name = escapeRegex(w.name);
  if (w.kind === 'Deployment') return `${name}-[a-z0-9]+-[a-z0-9]{5}`;
  if (w.kind === 'StatefulSet') return `${name}-[0-9]+`;
  return `${name}-[a-z0-9]{5}`;
}

/** Claim names of a workload, as an RE2 alternative. */
function claimPatterns(w: RuleWorkload): string[] {
  return [
    ...(w.claims ?? []).map(c => (w.kind === 'StatefulSet' ? `${escapeRegex(c)}-${escapeRegex(w.name)}-[0-9]+` : escapeRegex(c))),
    ...(w.sharedClaims ?? []).map(escapeRegex),
  ];
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The generic rules of every offered workload, one group per concern, one
 * rule per namespace and kind (its matcher lists the offered objects):
 * unavailable replicas, stuck rollouts, crash loops, autoscalers at their
 * maximum for 15 minutes, and claims above 80 % of their requested size:
 * the workloads' claims and the standalone ones components offer as
 * `dataClaims` (the backups claim, mounted by CronJobs).
 */
export function workloadRules(workloads: readonly RuleWorkload[], dataClaims: readonly { readonly namespace: string; readonly name: string }[] = []): RuleGroup[] {
  const namespaces = [...new Set([...workloads.map(w => w.namespace), ...dataClaims.map(c => c.namespace)])].sort(byCodePoint);
  const availability: Rule[] = [];
  const rollouts: Rule[] = [];
  const crashes: Rule[] = [];
  const autoscalers: Rule[] = [];
  const claims: Rule[] = [];
  for (const ns of namespaces) {
    const here = workloads.filter(w => w.namespace === ns);
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet'] as const) {
      const names = [...new Set(here.filter(w => w.kind === kind).map(w => w.name))].sort(byCodePoint);
      if (names.length === 0) continue;
      const { label, prefix } = KIND[kind];
      const sel = selector({ namespace: ns, [label]: names });
      const on = `on (namespace, ${label})`;
      const [unavailable, progress] = ({
        Deployment: [
          `${prefix}_status_replicas_unavailable${sel} > 0`,
          `(${prefix}_status_observed_generation${sel} != ${on} ${prefix}_metadata_generation${sel}) or ${on} (${prefix}_status_replicas_updated${sel} != ${on} ${prefix}_spec_replicas${sel})`,
        ],
        StatefulSet: [
          `${prefix}_status_replicas_ready${sel} != ${on} ${prefix}_replicas${sel}`,
          `(${prefix}_status_observed_generation${sel} != ${on} ${prefix}_metadata_generation${sel}) or ${on} (${prefix}_status_replicas_updated${sel} != ${on} ${prefix}_replicas${sel})`,
        ],
        DaemonSet: [
          `${prefix}_status_number_unavailable${sel} > 0`,
          `(${prefix}_status_observed_generation${sel} != ${on} ${prefix}_metadata_generation${sel}) or ${on} (${prefix}_status_updated_number_scheduled${sel} != ${on} ${prefix}_status_desired_number_scheduled${sel})`,
        ],
      } as const)[kind];
      availability.push(alertRule({
        alert: `${kind}ReplicasUnavailable`,
        expr: unavailable,
        for: '15m',
        severity: 'warning',
        summary: `{{ $labels.namespace }}/{{ $labels.${label} }} has had unavailable pods for 15 minutes`,
        description: `${kind} {{ $labels.namespace }}/{{ $labels.${label} }} runs fewer available pods than it wants (value {{ $value }}).`,
      }));
      rollouts.push(alertRule({
        alert: `${kind}RolloutStuck`,
        expr: progress,
        for: '15m',
        severity: 'warning',
        summary: `The rollout of {{ $labels.namespace }}/{{ $labels.${label} }} has not finished for 15 minutes`,
        description: `${kind} {{ $labels.namespace }}/{{ $labels.${label} }}: the controller has not observed the latest generation, or not every pod runs the latest template.`,
      }));
    }
    const pods = [...new Set(here.map(podPattern))].sort(byCodePoint);
    if (pods.length > 0) crashes.push(alertRule({
      alert: 'PodCrashLooping',
      expr: `increase(kube_pod_container_status_restarts_total${rawSelector(ns, 'pod', pods)}[15m]) > 2`,
      for: '5m',
      severity: 'warning',
      summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} restarts repeatedly',
      description: '{{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} restarted more than twice in 15 minutes.',
    }));
    const hpas = [...new Set(here.filter(w => w.autoscaled).map(w => w.name))].sort(byCodePoint);
    if (hpas.length > 0) {
      const sel = selector({ namespace: ns, horizontalpodautoscaler: hpas });
      autoscalers.push(alertRule({
        alert: 'HorizontalPodAutoscalerAtMaximum',
        expr: `kube_horizontalpodautoscaler_status_current_replicas${sel} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas${sel}`,
        for: '15m',
        severity: 'warning',
        summary: 'Autoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at its maximum for 15 minutes',
        description: 'The autoscaler cannot add pods: demand may exceed what its maxReplicas allows.',
      }));
    }
    const standalone = dataClaims.filter(c => c.namespace === ns).map(c => escapeRegex(c.name));
    const claimed = [...new Set([...here.flatMap(claimPatterns), ...standalone])].sort(byCodePoint);
    if (claimed.length > 0) {
      const sel = rawSelector(ns, 'persistentvolumeclaim', claimed);
      claims.push(alertRule({
        alert: 'PersistentVolumeClaimAlmostFull',
        expr: `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes${sel}) / on (namespace, persistentvolumeclaim) max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_resource_requests_storage_bytes${sel}) > 0.8`,
        for: '10m',
        severity: 'warning',
        summary: 'Claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is above 80 % of its requested size',
        description: 'The volume holds {{ $value | humanizePercentage }} of the size the claim requests.',
      }));
    }
  }
  return [
    { name: 'kubernetes-workloads', rules: [...availability, ...rollouts, ...crashes] },
    { name: 'kubernetes-autoscaling', rules: autoscalers },
    { name: 'kubernetes-storage', rules: claims },
  ].filter(g => g.rules.length > 0);
}

/** `{namespace="ns",label=~"p1|p2"}` where the patterns are already regexes. */
function rawSelector(ns: string, label: string, patterns: readonly string[]): string {
  return `{namespace=${JSON.stringify(ns)},${label}=~${JSON.stringify(patterns.join('|'))}}`;
}

/** Group names must be unique (rulefmt refuses repeats in one file; one file per group keeps them unique across files). */
export function ruleGroupProblems(groups: readonly RuleGroup[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const g of groups) {
    if (seen.has(g.name)) problems.push(`rule group "${g.name}" is offered twice`);
    seen.add(g.name);
  }
  return problems;
}

/** The rule files Prometheus loads: one per group, `<name>.rules.yml` → `{ groups: [group] }`, in name order. */
export function ruleFiles(groups: readonly RuleGroup[]): Record<string, { groups: RuleGroup[] }> {
  const problems = ruleGroupProblems(groups);
  if (problems.length > 0) throw new Error(`prometheus rules: ${problems.join('; ')}`);
  return Object.fromEntries([...groups].sort((a, b) => byCodePoint(a.name, b.name)).map(g => [`${g.name}.rules.yml`, { groups: [g] }]));
}
