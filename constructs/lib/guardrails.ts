import { parseQuantity } from './quantity';
import type { ContainerResources } from './types';
import type { LimitRangeSpec } from '../namespace';

/** A container's resources and the config field they come from. */
export interface SizedContainer { readonly field: string; readonly resources: ContainerResources }

/**
 * Every container must fit under its namespace's LimitRange `max`: admission
 * refuses a pod whose limit is above it (and a request above the max too), so
 * the rollout would stall with pods that never get created.
 */
export function limitRangeProblems(containers: readonly SizedContainer[], limitRange: LimitRangeSpec, limitRangeField: string): Array<{ path: string; reason: string }> {
  const problems: Array<{ path: string; reason: string }> = [];
  for (const c of containers) {
    for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      const max = parseQuantity(limitRange.max[key])!;
      const limit = parseQuantity(c.resources.limits[key])!;
      if (limit > max * (1 + 1e-9)) {
        problems.push({
          path: `${c.field}.resources.limits.${key}`,
          reason: `${c.resources.limits[key]} is above the namespace LimitRange max ${limitRange.max[key]} (${limitRangeField}.max.${key}): admission would refuse the pod; lower the limit or raise the max`,
        });
      }
    }
  }
  return problems;
}
