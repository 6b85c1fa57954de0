/**
 * `limit-range`: containers the LimitRanger admission plugin would refuse,
 * because a limit is above the `max` or a request below the `min` of a
 * `type: Container` LimitRange of their namespace (only LimitRanges among the
 * validated objects are known). `type: Pod` and PVC items are not checked.
 */
import { K8sObject, allContainers, describeContainer, isRecord, namespaceOf, objectRef } from './objects';
import { parseQuantity, quantityProblem, resourceDimension } from './rules-quantities';

/** LimitRanges by namespace, in input order. */
export function limitRangesByNamespace(objects: K8sObject[]): Map<string, K8sObject[]> {
  const out = new Map<string, K8sObject[]>();
  for (const o of objects) {
    if (o.kind !== 'LimitRange' || o.apiVersion !== 'v1') continue;
    const ns = namespaceOf(o) ?? 'default';
    out.set(ns, [...(out.get(ns) ?? []), o]);
  }
  return out;
}

/** Explicit container limits above `max` and requests below `min`, container by container. */
export function checkLimitRanges(podSpec: Record<string, any>, limitRanges: K8sObject[]): string[] {
  const items = limitRanges.flatMap((lr) =>
    (Array.isArray(lr.spec?.limits) ? lr.spec.limits : [])
      .filter((i: unknown) => isRecord(i) && i.type === 'Container')
      .map((item: Record<string, any>) => ({ ref: objectRef(lr), item })));
  const out: string[] = [];
  if (items.length === 0) return out;
  for (const c of allContainers(podSpec)) {
    if (c.list === 'ephemeralContainers') continue; // no resources, not subject to LimitRanges
    const res = isRecord(c.container.resources) ? c.container.resources : {};
    const who = describeContainer(c);
    for (const { ref, item } of items) {
      for (const m of outOfBounds(res.limits, item.max, 'max')) out.push(`${who} limits.${m} of ${ref}`);
      for (const m of outOfBounds(res.requests, item.min, 'min')) out.push(`${who} requests.${m} of ${ref}`);
    }
  }
  return out;
}

/** `memory 2Gi is above max 1Gi` for each value beyond its bound (both must be valid). */
function outOfBounds(values: unknown, bounds: unknown, bound: 'max' | 'min'): string[] {
  if (!isRecord(values) || !isRecord(bounds)) return [];
  const out: string[] = [];
  for (const [name, b] of Object.entries(bounds)) {
    const v = parseQuantity(values[name])?.value;
    const limit = parseQuantity(b)?.value;
    // a bound that is itself wrong is reported by `quantities`; comparing with it is noise
    if (v === undefined || limit === undefined || quantityProblem(b, resourceDimension(name)) !== undefined) continue;
    if (bound === 'max' ? v > limit : v < limit) out.push(`${name} ${values[name]} is ${bound === 'max' ? 'above' : 'below'} ${bound} ${b}`);
  }
  return out;
}
