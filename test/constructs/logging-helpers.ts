import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import type { K8sObject } from '../../src/analysis/objects';

/** A rendered object (the one object type; see src/analysis/objects.ts). */
export type Obj = K8sObject;

/** Renders whatever `build` adds to a fresh chart. */
export function synth(build: (scope: Construct) => void): Obj[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
  build(chart);
  return Testing.synth(chart) as Obj[];
}

export function find(objects: Obj[], kind: string, name: string, namespace?: string): Obj {
  const o = objects.find(x => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
  if (!o) throw new Error(`${kind} ${namespace ?? '*'}/${name} not rendered; have: ${objects.map(x => `${x.kind} ${x.metadata.name}`).join(', ')}`);
  return o;
}

export const resources = (memory = '1Gi', memoryLimit = '1Gi') => ({
  requests: { cpu: '100m', memory, ephemeralStorage: '64Mi' },
  limits: { cpu: '1', memory: memoryLimit, ephemeralStorage: '256Mi' },
});
