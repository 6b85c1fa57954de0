/**
 * The metric catalogue the rule and dashboard tests share: which scrape
 * target of the model produces a metric name (by prefix), and the PromQL
 * helpers that read names out of an expression with Prometheus' own grammar
 * (@prometheus-io/lezer-promql, the grammar of the Prometheus UI).
 */
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import type { EnvironmentConfig } from '../../src/config';
import { activeComponents } from '../../src/config/wiring';
import type { K8sObject } from '../../src/analysis/objects';
import { find } from '../helpers';

/** Metric name prefix -> where it is scraped: a component's scrape target offer, or a job of prometheus.yml. */
export const SOURCES: ReadonlyArray<{ prefix: string; component?: string; job?: string }> = [
  { prefix: 'kube_', component: 'monitoring' }, // kube-state-metrics, offered by the monitoring component
  { prefix: 'pg_', component: 'postgres-exporter' },
  { prefix: 'redis_', component: 'redis-exporter' },
  { prefix: 'traefik_', component: 'traefik' },
  { prefix: 'fluentbit_', component: 'logging' },
  { prefix: 'consul_', component: 'consul' },
  { prefix: 'alertmanager_', component: 'alertmanager' },
  { prefix: 'elasticsearch_', component: 'elasticsearch-exporter' },
  { prefix: 'node_', job: 'kubernetes-pods' }, // node-exporter: annotated host-network pods of the monitoring component
  { prefix: 'kubelet_', job: 'kubernetes-nodes' },
  { prefix: 'container_', job: 'kubernetes-cadvisor' },
];

/** Metric names of an expression: VectorSelector > Identifier nodes (functions, keywords and aggregations are not). */
export function metricNames(expr: string): string[] {
  const tree = parser.parse(expr);
  const names = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.type.name === 'Identifier' && node.node.parent?.type.name === 'VectorSelector') names.add(expr.slice(node.from, node.to));
    },
  });
  return [...names];
}

/** Error nodes of the parse, with some context. */
export function parseErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({ enter(node) { if (node.type.isError) errors.push(`error node at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`); } });
  return errors;
}

/** The recording rules Prometheus loads in an environment (the `prometheus-rules` ConfigMap). */
export function recordedNames(objects: K8sObject[], config: EnvironmentConfig): Set<string> {
  const cm = find(objects, 'ConfigMap', 'prometheus-rules', config.edge!.monitoring.namespace);
  const names = new Set<string>();
  for (const text of Object.values(cm.data as Record<string, string>)) {
    for (const g of parseYaml(text).groups) for (const r of g.rules) if (r.record) names.add(r.record);
  }
  return names;
}

/**
 * Why a metric name has no source in an environment, or undefined when it
 * has one: a recording rule the model defines, or a prefix whose component
 * is active and offers scrape targets, or whose Prometheus job exists.
 */
export function metricSourceProblem(name: string, context: { config: EnvironmentConfig; objects: K8sObject[] }): string | undefined {
  const known = catalogueOf(context);
  if (known.recorded.has(name)) return undefined;
  const source = SOURCES.find(s => name.startsWith(s.prefix));
  if (!source) return `${name} has no known source`;
  if (source.job && !known.jobs.has(source.job)) return `${name} needs job ${source.job}`;
  if (source.component && !known.scraped.has(source.component)) return `${name} comes from ${source.component}, which offers no scrape target`;
  return undefined;
}

/** What an environment scrapes and records, computed once per rendered object list. */
const CATALOGUES = new WeakMap<K8sObject[], { recorded: Set<string>; jobs: Set<string>; scraped: Set<string> }>();
function catalogueOf(context: { config: EnvironmentConfig; objects: K8sObject[] }) {
  let known = CATALOGUES.get(context.objects);
  if (!known) {
    const prom = parseYaml(find(context.objects, 'ConfigMap', 'prometheus-config', context.config.edge!.monitoring.namespace).data['prometheus.yml']);
    known = {
      recorded: recordedNames(context.objects, context.config),
      jobs: new Set(prom.scrape_configs.map((j: any) => j.job_name as string)),
      scraped: new Set(activeComponents(context.config).filter(a => (a.offers.scrapeTargets ?? []).length > 0).map(a => a.component.id)),
    };
    CATALOGUES.set(context.objects, known);
  }
  return known;
}
