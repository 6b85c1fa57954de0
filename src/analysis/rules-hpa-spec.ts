/**
 * The HorizontalPodAutoscalers the API server refuses and the OpenAPI schema cannot see
 * (kubernetes pkg/apis/autoscaling/validation, validateHorizontalPodAutoscalerSpec and what it
 * calls, commit 0fec7b0f7e2dfd4b0c6c57e086472546f6c69efa), part of `api-constraints`:
 *  - replicas: minReplicas at least 1 (0 only behind the alpha HPAScaleToZero gate, with an
 *    Object or External metric), maxReplicas at least 1 and at least minReplicas;
 *  - scaleTargetRef (and an Object metric's describedObject): a kind and a name, each a path
 *    segment (no '/' or '%', not '.' or '..');
 *  - each metric (autoscaling/v2): a type among Object, Pods, Resource, External and
 *    ContainerResource, the member of that type set and no other; metric names path segments;
 *    a target whose type is Utilization, Value or AverageValue, value and averageValue positive,
 *    averageUtilization at least 1; which targets each source takes (Pods: averageValue;
 *    Object: value or averageValue; External: one of them; Resource and ContainerResource:
 *    averageUtilization or averageValue, not both); a ContainerResource's container a DNS
 *    label and its resource a container resource name;
 *  - behavior: per direction a stabilizationWindowSeconds from 0 to 3600, a selectPolicy Max,
 *    Min or Disabled, at least one policy, each of type Pods or Percent with a value above 0
 *    and a periodSeconds from 1 to 1800;
 *  - autoscaling/v1: targetCPUUtilizationPercentage at least 1 (it converts to a Resource
 *    metric's averageUtilization).
 */
import { labelKeyProblems } from '../../constructs/lib/k8s-names';
import { isRecord, K8sObject } from './objects';
import { nameProblem } from './rules-names';
import { parseQuantity } from './rules-quantities';

/** validation.go MaxStabilizationWindowSeconds and MaxPeriodSeconds. */
export const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
export const MAX_PERIOD_SECONDS = 1800;

/** MetricSpec type -> the member it populates (validateMetricSpec's switch). */
const SOURCE_MEMBER: Readonly<Record<string, string>> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};
/** The members in the order validateMetricSpec looks at them: it validates the first one present. */
const MEMBER_ORDER = ['object', 'external', 'pods', 'resource', 'containerResource'];
const TARGET_TYPES = ['Utilization', 'Value', 'AverageValue'];
const SELECT_POLICIES = ['Max', 'Min', 'Disabled'];
const POLICY_TYPES = ['Pods', 'Percent'];
/** Container resources without a domain prefix (core helper IsStandardContainerResourceName). */
const STANDARD_CONTAINER_RESOURCES = /^(cpu|memory|ephemeral-storage|hugepages-.+)$/;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function objectReference(ref: unknown, where: string): string[] {
  const r = isRecord(ref) ? ref : {};
  const out: string[] = [];
  for (const field of ['kind', 'name'] as const) {
    const value = r[field];
    if (value === undefined || value === '') out.push(`${where}.${field} is required`);
    else if (typeof value === 'string') {
      const problem = nameProblem(`${where}.${field}`, value, 'path-segment');
      if (problem) out.push(problem);
    }
  }
  return out;
}

function metricName(id: unknown, where: string): string[] {
  const name = isRecord(id) ? id.name : undefined;
  if (name === undefined || name === '') return [`${where}.name is required (the metric's name)`];
  if (typeof name !== 'string') return [];
  const problem = nameProblem(`${where}.name`, name, 'path-segment');
  return problem ? [problem] : [];
}

/** validateMetricTarget, then which of value, averageValue and averageUtilization the source takes. */
function target(t: unknown, where: string, takes: 'pods' | 'object' | 'external' | 'resource'): string[] {
  const mt = isRecord(t) ? t : {};
  const out: string[] = [];
  if (mt.type === undefined || mt.type === '') out.push(`${where}.type is required (Utilization, Value or AverageValue)`);
  else if (!TARGET_TYPES.includes(String(mt.type))) out.push(`${where}.type ${JSON.stringify(mt.type)} must be Utilization, Value or AverageValue`);
  for (const field of ['value', 'averageValue'] as const) {
    if (mt[field] === undefined) continue;
    const q = parseQuantity(mt[field]);
    if (q && q.value <= 0) out.push(`${where}.${field} ${JSON.stringify(mt[field])} must be positive`);
  }
  if (isInt(mt.averageUtilization) && mt.averageUtilization < 1) out.push(`${where}.averageUtilization ${mt.averageUtilization} must be at least 1 (percent of the request)`);
  const has = (f: string) => mt[f] !== undefined && mt[f] !== null;
  if (takes === 'pods' && !has('averageValue')) out.push(`${where}.averageValue is required: a Pods metric targets a per-pod average value`);
  if (takes === 'object' && !has('value') && !has('averageValue')) out.push(`${where} sets neither value nor averageValue: an Object metric needs one`);
  if (takes === 'external') {
    if (!has('value') && !has('averageValue')) out.push(`${where} sets neither value nor averageValue: an External metric needs one`);
    else if (has('value') && has('averageValue')) out.push(`${where} sets both value and averageValue: an External metric takes one`);
  }
  if (takes === 'resource') {
    if (!has('averageUtilization') && !has('averageValue')) out.push(`${where} sets neither averageUtilization nor averageValue: a resource metric needs one`);
    else if (has('averageUtilization') && has('averageValue')) out.push(`${where} sets both averageUtilization and averageValue: a resource metric takes one`);
  }
  return out;
}

function containerResourceName(name: string, where: string): string[] {
  if (STANDARD_CONTAINER_RESOURCES.test(name)) return [];
  if (!name.includes('/')) return [`${where} ${JSON.stringify(name)} is neither a standard resource (cpu, memory, ephemeral-storage, hugepages-<size>) nor domain-prefixed (example.com/gpu)`];
  return labelKeyProblems(name).map(p => `${where} ${JSON.stringify(name)} ${p}`);
}

function metric(spec: unknown, i: number): string[] {
  const where = `spec.metrics[${i}]`;
  const m = isRecord(spec) ? spec : {};
  const out: string[] = [];
  const type = typeof m.type === 'string' ? m.type : '';
  const member = Object.hasOwn(SOURCE_MEMBER, type) ? SOURCE_MEMBER[type] : undefined;
  if (type === '') out.push(`${where}.type is required (${Object.keys(SOURCE_MEMBER).join(', ')})`);
  else if (!member) out.push(`${where}.type ${JSON.stringify(m.type)} must be one of ${Object.keys(SOURCE_MEMBER).join(', ')}`);
  const present = MEMBER_ORDER.filter(f => m[f] !== undefined && m[f] !== null);
  if (member && !present.includes(member)) out.push(`${where}.${member} is required for type ${type}`);
  for (const other of present) if (other !== member && present.length > 1) out.push(`${where}.${other} is set besides ${member ?? 'the metric'}: a metric populates the member of its type only`);
  // The API server validates the first member present (validateMetricSpec's typesPresent.Len() == 1).
  const first = present[0];
  const src = first === undefined ? {} : m[first];
  if (!isRecord(src)) return out;
  const at = `${where}.${first}`;
  switch (first) {
    case 'object':
      out.push(...objectReference(src.describedObject, `${at}.describedObject`), ...metricName(src.metric, `${at}.metric`), ...target(src.target, `${at}.target`, 'object'));
      break;
    case 'external':
      out.push(...metricName(src.metric, `${at}.metric`), ...target(src.target, `${at}.target`, 'external'));
      break;
    case 'pods':
      out.push(...metricName(src.metric, `${at}.metric`), ...target(src.target, `${at}.target`, 'pods'));
      break;
    case 'resource':
      if (src.name === undefined || src.name === '') out.push(`${at}.name is required (e.g. cpu)`);
      out.push(...target(src.target, `${at}.target`, 'resource'));
      break;
    case 'containerResource':
      if (src.name === undefined || src.name === '') out.push(`${at}.name is required (e.g. cpu)`);
      else if (typeof src.name === 'string') out.push(...containerResourceName(src.name, `${at}.name`));
      if (src.container === undefined || src.container === '') out.push(`${at}.container is required (the container whose usage counts)`);
      else if (typeof src.container === 'string') {
        const problem = nameProblem(`${at}.container`, src.container, 'dns1123-label');
        if (problem) out.push(problem);
      }
      out.push(...target(src.target, `${at}.target`, 'resource'));
      break;
  }
  return out;
}

function scalingRules(rules: unknown, where: string): string[] {
  if (!isRecord(rules)) return [];
  const out: string[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (isInt(window) && (window < 0 || window > MAX_STABILIZATION_WINDOW_SECONDS)) out.push(`${where}.stabilizationWindowSeconds ${window} must be from 0 to ${MAX_STABILIZATION_WINDOW_SECONDS}`);
  if (rules.selectPolicy !== undefined && !SELECT_POLICIES.includes(String(rules.selectPolicy))) out.push(`${where}.selectPolicy ${JSON.stringify(rules.selectPolicy)} must be Max, Min or Disabled`);
  // Left out, the policies are defaulted (autoscaling/v2 defaults.go copyHPAScalingRules copies what is not nil); an
  // empty list is not nil, so it stays and is refused.
  const policies = Array.isArray(rules.policies) ? rules.policies : [];
  if (Array.isArray(rules.policies) && policies.length === 0) out.push(`${where}.policies is empty: give at least one policy, or leave policies out for the defaults`);
  policies.forEach((p: unknown, i: number) => {
    const policy = isRecord(p) ? p : {};
    const at = `${where}.policies[${i}]`;
    if (!POLICY_TYPES.includes(String(policy.type))) out.push(`${at}.type ${JSON.stringify(policy.type ?? '')} must be Pods or Percent`);
    if (isInt(policy.value) && policy.value <= 0) out.push(`${at}.value ${policy.value} must be above 0`);
    if (isInt(policy.periodSeconds) && (policy.periodSeconds <= 0 || policy.periodSeconds > MAX_PERIOD_SECONDS)) out.push(`${at}.periodSeconds ${policy.periodSeconds} must be from 1 to ${MAX_PERIOD_SECONDS}`);
  });
  return out;
}

/** Why the API server refuses this HorizontalPodAutoscaler's spec (any autoscaling/ version). */
export function checkHpaSpec(o: K8sObject): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  const out: string[] = [];
  const { minReplicas: min, maxReplicas: max } = spec;
  if (isInt(min) && min < 1) out.push(`spec.minReplicas ${min} must be at least 1 (scaling to 0 needs the alpha HPAScaleToZero feature gate and an Object or External metric)`);
  if (isInt(max) && max < 1) out.push(`spec.maxReplicas ${max} must be at least 1`);
  else if (isInt(max) && isInt(min) && max < min) out.push(`spec.maxReplicas ${max} is below spec.minReplicas ${min}: the API server refuses it; raise maxReplicas or lower minReplicas`);
  out.push(...objectReference(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  if (o.apiVersion === 'autoscaling/v1') {
    const cpu = spec.targetCPUUtilizationPercentage;
    if (isInt(cpu) && cpu < 1) out.push(`spec.targetCPUUtilizationPercentage ${cpu} must be at least 1`);
    return out;
  }
  (Array.isArray(spec.metrics) ? spec.metrics : []).forEach((m: unknown, i: number) => out.push(...metric(m, i)));
  if (isRecord(spec.behavior)) {
    out.push(...scalingRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'), ...scalingRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return out;
}
