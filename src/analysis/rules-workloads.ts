/**
 * `workload-spec`: the parts of an apps/v1 workload spec that the API server's
 * own validation refuses and that the OpenAPI schema cannot express, so that
 * `validate` does not pass a manifest `kubectl apply` then rejects:
 *  - a selector, not empty, that matches the pod template's labels;
 *  - rolling-update budgets that can make progress;
 *  - update strategies of a known type (Deployment: RollingUpdate or Recreate,
 *    no rollingUpdate with Recreate; StatefulSet and DaemonSet: RollingUpdate or
 *    OnDelete, a StatefulSet's rollingUpdate not with OnDelete and its partition
 *    not negative), a StatefulSet's podManagementPolicy and claim retention
 *    policy, minReadySeconds and revisionHistoryLimit not negative, and a
 *    Deployment's progressDeadlineSeconds (600 when left out) above its
 *    minReadySeconds (ValidateDeploymentStrategy, ValidateDeploymentSpec,
 *    ValidateStatefulSetSpec, ValidateStatefulSetUpdateStrategy,
 *    ValidateDaemonSetUpdateStrategy).
 *
 * Encoded from kubernetes/kubernetes pkg/apis/apps/validation/validation.go
 * (ValidateDeploymentSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec,
 * ValidateReplicaSetSpec, ValidateRollingUpdateDeployment,
 * ValidateRollingUpdateDaemonSet, IsNotMoreThan100Percent) and the defaults of
 * pkg/apis/apps/v1/defaults.go (a Deployment's missing maxSurge/maxUnavailable
 * is 25%, a DaemonSet's missing maxUnavailable is 1 and maxSurge 0), which the
 * server applies before validating. A StatefulSet's maxUnavailable is left out:
 * whether the server reads it depends on the MaxUnavailableStatefulSet feature gate.
 */
import { K8sObject, isAppsWorkload, isRecord } from './objects';
import { matchesSelector } from './network';

type IntOrPercent = number | string | undefined;

/** The value of an int-or-percent as the API server compares it with 0, or the problem with it (also a PDB's bounds). */
export function budget(value: IntOrPercent, field: string): { value: number } | { problem: string } {
  if (typeof value === 'number') return { value };
  // validation.IsValidPercent: digits followed by '%'.
  const m = /^([0-9]+)%$/.exec(value ?? '');
  if (!m) return { problem: `${field} ${JSON.stringify(value)} is not a number or a percentage (e.g. 1 or 25%)` };
  const percent = Number(m[1]);
  if (percent > 100) return { problem: `${field} ${value} must not be greater than 100%` };
  return { value: percent };
}

function checkSelector(o: K8sObject): string[] {
  const kind = o.kind.toLowerCase();
  const selector = o.spec?.selector;
  const labels: Record<string, string> = isRecord(o.spec?.template?.metadata?.labels) ? o.spec.template.metadata.labels : {};
  if (selector === undefined || selector === null) {
    return [`spec.selector is missing: apps/v1 requires it and does not derive it from the template; select the template labels (e.g. matchLabels: {app.kubernetes.io/name: ..., app.kubernetes.io/instance: ...})`];
  }
  const count = (isRecord(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0)
    + (Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0);
  if (count === 0) return [`spec.selector is empty: the API server refuses it ("empty selector is invalid for ${kind}"); select the template labels`];
  if (!matchesSelector(selector, labels)) {
    return [`spec.selector ${JSON.stringify(selector)} does not match spec.template.metadata.labels ${JSON.stringify(labels)}: the API server refuses the ${o.kind} ("\`selector\` does not match template \`labels\`"); make the template labels include what the selector asks for`];
  }
  return [];
}

function checkRollingUpdate(o: K8sObject): string[] {
  const strategy = o.kind === 'Deployment' ? o.spec?.strategy : o.kind === 'DaemonSet' ? o.spec?.updateStrategy : undefined;
  // A missing type defaults to RollingUpdate on both kinds.
  if (!isRecord(strategy) || (strategy.type !== undefined && strategy.type !== 'RollingUpdate')) return [];
  const rolling = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const where = o.kind === 'Deployment' ? 'spec.strategy.rollingUpdate' : 'spec.updateStrategy.rollingUpdate';
  const defaults = o.kind === 'Deployment' ? { maxSurge: '25%', maxUnavailable: '25%' } : { maxSurge: 0, maxUnavailable: 1 };
  const surge = budget(rolling.maxSurge ?? defaults.maxSurge, `${where}.maxSurge`);
  const unavailable = budget(rolling.maxUnavailable ?? defaults.maxUnavailable, `${where}.maxUnavailable`);
  const problems = [surge, unavailable].flatMap(b => ('problem' in b ? [b.problem] : []));
  if (problems.length > 0 || !('value' in surge) || !('value' in unavailable)) return problems;
  const shown = (field: 'maxSurge' | 'maxUnavailable') => `${field} ${JSON.stringify(rolling[field] ?? defaults[field])}${rolling[field] === undefined ? ' (the default)' : ''}`;
  if (surge.value === 0 && unavailable.value === 0) {
    return [`${where}: ${shown('maxSurge')} and ${shown('maxUnavailable')}: a rollout could never replace a pod, and the API server refuses it; allow one of them`];
  }
  if (o.kind === 'DaemonSet' && surge.value !== 0 && unavailable.value !== 0) {
    return [`${where}: ${shown('maxSurge')} with ${shown('maxUnavailable')}: the API server refuses a DaemonSet with both non-zero ("may not be set when maxUnavailable is non-zero"); to surge, set maxUnavailable: 0`];
  }
  return [];
}

/** apps/v1 defaults.go: a Deployment's progressDeadlineSeconds when left out. */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

function checkStrategyAndTimings(o: K8sObject): string[] {
  const spec = o.spec as Record<string, any>;
  const out: string[] = [];
  const negative = (field: string) => typeof spec[field] === 'number' && spec[field] < 0;
  for (const field of ['minReadySeconds', 'revisionHistoryLimit'] as const) if (negative(field)) out.push(`spec.${field} ${spec[field]} must not be negative`);
  if (o.kind === 'Deployment') {
    const strategy = isRecord(spec.strategy) ? spec.strategy : {};
    const type = strategy.type ?? 'RollingUpdate';
    if (type !== 'RollingUpdate' && type !== 'Recreate') out.push(`spec.strategy.type ${JSON.stringify(type)} must be RollingUpdate or Recreate`);
    else if (type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) out.push('spec.strategy.rollingUpdate is set with type Recreate: the API server refuses it (remove rollingUpdate, or use RollingUpdate)');
    const deadline = typeof spec.progressDeadlineSeconds === 'number' ? spec.progressDeadlineSeconds : DEFAULT_PROGRESS_DEADLINE_SECONDS;
    const minReady = typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0;
    const shown = `spec.progressDeadlineSeconds ${deadline}${spec.progressDeadlineSeconds === undefined ? ' (the default)' : ''}`;
    if (deadline < 0) out.push(`${shown} must not be negative`);
    else if (deadline <= minReady) out.push(`${shown} must be greater than spec.minReadySeconds ${minReady}: a rollout would time out before any pod counts as available`);
  }
  if (o.kind === 'StatefulSet' || o.kind === 'DaemonSet') {
    const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {};
    const type = strategy.type ?? 'RollingUpdate';
    if (type !== 'RollingUpdate' && type !== 'OnDelete') out.push(`spec.updateStrategy.type ${JSON.stringify(type)} must be RollingUpdate or OnDelete`);
    if (o.kind === 'StatefulSet') {
      if (type === 'OnDelete' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) out.push('spec.updateStrategy.rollingUpdate is set with type OnDelete: only RollingUpdate takes it');
      const partition = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate.partition : undefined;
      if (typeof partition === 'number' && partition < 0) out.push(`spec.updateStrategy.rollingUpdate.partition ${partition} must not be negative`);
      if (spec.podManagementPolicy !== undefined && spec.podManagementPolicy !== 'OrderedReady' && spec.podManagementPolicy !== 'Parallel') out.push(`spec.podManagementPolicy ${JSON.stringify(spec.podManagementPolicy)} must be OrderedReady or Parallel`);
      const retention = isRecord(spec.persistentVolumeClaimRetentionPolicy) ? spec.persistentVolumeClaimRetentionPolicy : {};
      for (const field of ['whenDeleted', 'whenScaled'] as const) {
        if (retention[field] !== undefined && retention[field] !== 'Retain' && retention[field] !== 'Delete') out.push(`spec.persistentVolumeClaimRetentionPolicy.${field} ${JSON.stringify(retention[field])} must be Retain or Delete`);
      }
    }
  }
  return out;
}

/** The problems of a workload's selector and rolling-update budgets; none for other kinds. */
export function checkWorkloadSpec(o: K8sObject): string[] {
  if (!isAppsWorkload(o) || !isRecord(o.spec)) return [];
  return [...checkSelector(o), ...checkRollingUpdate(o), ...checkStrategyAndTimings(o)];
}
