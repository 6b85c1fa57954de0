import { EnvironmentConfig, loadEnvironment } from '../../src/config';
import type { K8sObject } from '../../src/analysis/objects';
import { renderCharts } from '../../src/render';

/** A rendered object (the one object type; see src/analysis/objects.ts). */
export type Obj = K8sObject;

/** Every rendered object of an environment (optionally with overrides). */
export function render(env: string | EnvironmentConfig, overrides?: unknown): Obj[] {
  const config = typeof env === 'string' ? loadEnvironment(env, overrides) : env;
  return renderCharts(config).flatMap(c => c.objects);
}

export function find(objects: Obj[], kind: string, name: string, namespace?: string): Obj {
  const found = objects.filter(o => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? '*'}/${name}, found ${found.length}`);
  return found[0];
}

export function maybe(objects: Obj[], kind: string, name: string, namespace?: string): Obj | undefined {
  return objects.find(o => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
}

/** The problems loadEnvironment reports (empty when valid). */
export function problems(env: string, overrides: unknown): string[] {
  try {
    loadEnvironment(env, overrides);
    return [];
  } catch (e) {
    return (e as { problems?: string[] }).problems ?? [String(e)];
  }
}

export function podSpec(o: Obj): Record<string, any> {
  return o.spec.template.spec;
}

export function container(o: Obj, name?: string): Record<string, any> {
  const cs = podSpec(o).containers as Record<string, any>[];
  return name ? cs.find(c => c.name === name)! : cs[0];
}

export const ENVS = ['dev', 'staging', 'prod'] as const;
