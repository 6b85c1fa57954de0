import { ENVIRONMENTS, EnvironmentConfig, loadEnvironment, validateEnvironment } from '../src/config';
import type { K8sObject } from '../src/analysis/objects';
import { renderCharts } from '../src/render';

export const ENV_NAMES = Object.keys(ENVIRONMENTS);

/**
 * An environment's model with Pulumi as its delivery engine. The Pulumi
 * program refuses environments another engine delivers (dev: kubectl,
 * staging: Argo CD); its tests still run it on every environment's shape
 * (blue/green instances, the dev-only registry), through this variant.
 */
export function asPulumiDelivered(name: string): EnvironmentConfig {
  return validateEnvironment({ ...ENVIRONMENTS[name], delivery: { engine: 'pulumi' } });
}

/** All objects of an environment, in rendering order. */
export function renderObjects(env: string | EnvironmentConfig): K8sObject[] {
  const config = typeof env === 'string' ? loadEnvironment(env) : env;
  return renderCharts(config).flatMap(c => c.objects);
}

/** Deep copy of an environment, for tests that break one field. */
export function envCopy(name: string): any {
  return JSON.parse(JSON.stringify(loadEnvironment(name)));
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet'];

/** Pod template spec of a workload object. */
export function podSpec(o: any): any {
  if (o.kind === 'Pod') return o.spec;
  if (o.kind === 'CronJob') return o.spec.jobTemplate.spec.template.spec;
  return o.spec.template.spec;
}

export function podTemplateMeta(o: any): any {
  if (o.kind === 'CronJob') return o.spec.jobTemplate.spec.template.metadata;
  return o.spec.template.metadata;
}

export function workloads(objects: K8sObject[]): any[] {
  return objects.filter(o => WORKLOAD_KINDS.includes(o.kind));
}

export function find(objects: K8sObject[], kind: string, name: string, namespace?: string): any {
  const o = objects.find(x => x.kind === kind && x.metadata.name === name && (!namespace || x.metadata.namespace === namespace));
  if (!o) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} rendered`);
  return o;
}

/** Every container (init and regular) of a workload, with its owner for messages. */
export function containers(o: any): Array<{ owner: string; container: any }> {
  const spec = podSpec(o);
  return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => ({ owner: `${o.kind} ${o.metadata.namespace}/${o.metadata.name} container ${c.name}`, container: c }));
}
