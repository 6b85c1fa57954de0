/**
 * What every delivery engine needs to know about the rendered environment,
 * derived from the model (the components' offers) and the rendered objects,
 * never from a hand list: which objects hold data (never pruned or deleted
 * by an engine), which workloads an autoscaler scales (their replica count
 * is not the model's), the waves and their charts, the namespaces and the
 * cluster-scoped kinds.
 */
import type { WorkloadOffer } from '../../constructs/lib/component';
import { PLATFORM_VERSION } from '../../constructs/lib/component';
import type { K8sObject } from '../analysis/objects';

/** A rendered chart as the engines see it. */
export interface DeliveryChart {
  readonly id: string;
  readonly wave: number;
  /** Its file in dist/<env>/. */
  readonly file: string;
  readonly objects: readonly K8sObject[];
}

/** `kind/namespace/name` (namespace empty for cluster-scoped objects). */
export type ObjectKey = string;
export const objectKey = (kind: string, namespace: string | undefined, name: string): ObjectKey => `${kind}/${namespace ?? ''}/${name}`;
export const keyOf = (o: K8sObject): ObjectKey => objectKey(o.kind, o.metadata.namespace, o.metadata.name);

/**
 * The objects that hold data, from the workloads the components offer:
 * a workload with claims holds data in them, so
 * - a StatefulSet with claims (its volumeClaimTemplates: deleting or
 *   replacing it is how its claims get lost or orphaned);
 * - the PersistentVolumeClaims a Deployment mounts, and those every pod of a
 *   StatefulSet shares (`sharedClaims`; rendered objects);
 * - the Namespace of either (deleting a namespace deletes every claim in it).
 * Claims created from volumeClaimTemplates are not rendered objects: no
 * engine tracks them, so no engine prunes them.
 */
export function dataObjectKeys(workloads: readonly WorkloadOffer[], claims: readonly { namespace: string; name: string }[] = []): Set<ObjectKey> {
  const keys = new Set<ObjectKey>();
  // Claims of no offered workload (a CronJob's, e.g. the backups claim), and their namespace.
  for (const c of claims) {
    keys.add(objectKey('Namespace', undefined, c.namespace));
    keys.add(objectKey('PersistentVolumeClaim', c.namespace, c.name));
  }
  for (const w of workloads) {
    const claims = w.claims ?? [];
    const shared = w.sharedClaims ?? [];
    if (claims.length === 0 && shared.length === 0) continue;
    keys.add(objectKey('Namespace', undefined, w.namespace));
    if (w.kind === 'StatefulSet' && claims.length > 0) keys.add(objectKey('StatefulSet', w.namespace, w.name));
    if (w.kind !== 'StatefulSet') for (const claim of claims) keys.add(objectKey('PersistentVolumeClaim', w.namespace, claim));
    // Claims a StatefulSet's pods mount besides their templates are rendered objects of their own.
    for (const claim of shared) keys.add(objectKey('PersistentVolumeClaim', w.namespace, claim));
  }
  return keys;
}

/** A workload whose replica count a HorizontalPodAutoscaler owns. */
export interface ScaledWorkload { readonly group: string; readonly kind: string; readonly namespace: string; readonly name: string }

/** The autoscaled workloads the components offer (their HPA has the workload's name). */
export function autoscaledWorkloads(workloads: readonly WorkloadOffer[]): ScaledWorkload[] {
  return workloads.filter(w => w.autoscaled).map(w => ({ group: 'apps', kind: w.kind, namespace: w.namespace, name: w.name }));
}

/** The API group of an object ('' for the core group). */
export function groupOf(o: Pick<K8sObject, 'apiVersion'>): string {
  return o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
}

/** Waves in order, each with its charts in deployment order. */
export function wavesOf(charts: readonly DeliveryChart[]): { wave: number; charts: DeliveryChart[] }[] {
  const waves = [...new Set(charts.map(c => c.wave))].sort((a, b) => a - b);
  return waves.map(wave => ({ wave, charts: charts.filter(c => c.wave === wave) }));
}

/** Every namespace the environment's objects live in or declare, sorted. */
export function namespacesOf(charts: readonly DeliveryChart[]): string[] {
  const names = new Set<string>();
  for (const o of charts.flatMap(c => c.objects)) {
    if (o.kind === 'Namespace') names.add(o.metadata.name);
    else if (o.metadata.namespace) names.add(o.metadata.namespace);
  }
  return sortCodePoints(names);
}

/** Group and kind of every cluster-scoped object (rendered without a namespace), sorted. */
export function clusterKindsOf(charts: readonly DeliveryChart[]): { group: string; kind: string }[] {
  const seen = new Map<string, { group: string; kind: string }>();
  for (const o of charts.flatMap(c => c.objects)) {
    if (o.metadata.namespace !== undefined) continue;
    const gk = { group: groupOf(o), kind: o.kind };
    seen.set(`${gk.group}/${gk.kind}`, gk);
  }
  return [...seen.entries()].sort(([a], [b]) => compare(a, b)).map(([, gk]) => gk);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const sortCodePoints = (values: Iterable<string>) => [...values].sort(compare);

/** Labels of every object an engine's delivery files hold. */
export function deliveryLabels(env: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': `dockercoins-${env}`,
    'app.kubernetes.io/instance': env,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'dockercoins',
    'app.kubernetes.io/version': PLATFORM_VERSION,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/** Returns the object with annotations added (a copy; the rendered object is not changed). */
export function withAnnotations(o: K8sObject, annotations: Record<string, string>): K8sObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), ...annotations } } };
}
