import { parseQuantity } from './quantity';
import type { ContainerResources } from './types';
import type { LimitRangeSpec, QuotaSpec } from '../namespace';

/**
 * What a workload occupies in its namespace at full scale: the pods it may
 * run at once (HPA maximum, DaemonSet on every node, plus rollout surge), the
 * resources of each pod, and the claims it makes. Components offer these;
 * the namespace's quota and LimitRange are checked against the sum, whoever
 * runs there (src/config/wiring.ts).
 */
export interface Footprint {
  readonly namespace: string;
  /** Config field of the workload (its resources are at `<field>.resources`). */
  readonly field: string;
  /** Short name in messages, e.g. `hasher`. */
  readonly workload: string;
  /** Pods at full scale, and why that many (e.g. `HPA maximum 10 + 1 surge`). */
  readonly pods: number;
  readonly why: string;
  /** Resources of one pod (its one container as configured). */
  readonly resources: ContainerResources;
  /** Claims at full scale and the size of each. @default - none */
  readonly claims?: { readonly count: number; readonly size: string };
}

export interface QuotaTarget {
  readonly namespace: string;
  /** Config field of the namespace's quota and LimitRange parent, e.g. `dockercoins[blue]`. */
  readonly field: string;
  readonly quota?: QuotaSpec;
  readonly limitRange?: LimitRangeSpec;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function formatAmount(key: 'cpu' | 'memory' | 'ephemeralStorage', value: number): string {
  return key === 'cpu' ? `${Math.round(value * 1000)}m` : `${Math.ceil(value / MiB)}Mi`;
}

/**
 * The namespace's quota must admit every workload at full scale, else
 * ReplicaSets fail to create pods silently in the middle of a rollout and
 * claims stay Pending; every container must fit under the LimitRange `max`,
 * else admission refuses the pod.
 */
export function guardrailProblems(target: QuotaTarget, footprints: readonly Footprint[]): Array<{ path: string; reason: string }> {
  const problems: Array<{ path: string; reason: string }> = [];
  const here = footprints.filter(f => f.namespace === target.namespace);
  const q = target.quota;
  if (q && here.length > 0) {
    const breakdown = here.map(f => `${f.workload} ${f.pods}${f.why ? ` (${f.why})` : ''}`).join(', ');
    const pods = here.reduce((sum, f) => sum + f.pods, 0);
    if (pods > q.pods) problems.push({ path: `${target.field}.quota.pods`, reason: `${q.pods} is below the ${pods} pods needed at full scale: ${breakdown}` });
    for (const side of ['requests', 'limits'] as const) {
      for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
        const needed = here.reduce((sum, f) => sum + f.pods * parseQuantity(f.resources[side][key])!, 0);
        if (needed > parseQuantity(q[side][key])! * (1 + 1e-9)) {
          problems.push({ path: `${target.field}.quota.${side}.${key}`, reason: `${q[side][key]} is below the ${formatAmount(key, needed)} the workloads need at full scale: ${breakdown}` });
        }
      }
    }
    const claiming = here.filter(f => f.claims && f.claims.count > 0);
    const claims = claiming.reduce((sum, f) => sum + f.claims!.count, 0);
    const claimList = claiming.map(f => `${f.workload} ${f.claims!.count} x ${f.claims!.size}`).join(', ');
    if (claims > q.persistentVolumeClaims) problems.push({ path: `${target.field}.quota.persistentVolumeClaims`, reason: `${q.persistentVolumeClaims} is below the ${claims} claims: ${claimList}` });
    const storage = claiming.reduce((sum, f) => sum + f.claims!.count * parseQuantity(f.claims!.size)!, 0);
    if (storage > parseQuantity(q.storage)! * (1 + 1e-9)) {
      problems.push({ path: `${target.field}.quota.storage`, reason: `${q.storage} is below the ${storage % GiB === 0 ? `${storage / GiB}Gi` : `${Math.ceil(storage / MiB)}Mi`} claimed: ${claimList}` });
    }
  }
  const lr = target.limitRange;
  if (lr) {
    for (const f of here) {
      for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
        if (parseQuantity(f.resources.limits[key])! > parseQuantity(lr.max[key])! * (1 + 1e-9)) {
          problems.push({
            path: `${f.field}.resources.limits.${key}`,
            reason: `${f.resources.limits[key]} is above the namespace LimitRange max ${lr.max[key]} (${target.field}.limitRange.max.${key}): admission would refuse the pod; lower the limit or raise the max`,
          });
        }
      }
    }
  }
  return problems;
}
