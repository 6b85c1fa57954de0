/**
 * The ResourceQuotas the API server refuses and the OpenAPI schema cannot see (kubernetes
 * pkg/apis/core/validation ValidateResourceQuotaSpec, validateResourceQuotaScopes,
 * validateScopedResourceSelectorRequirement, ValidateResourceQuotaResourceName,
 * ValidateResourceQuantityValue, with the sets of pkg/apis/core/helper/helpers.go), part of
 * `api-constraints`:
 *  - `hard` names: without a '/', a resource quota tracks (cpu, requests.memory, pods,
 *    services.nodeports, hugepages-..., ...); with one, a qualified name (count/deployments.apps,
 *    requests.nvidia.com/gpu);
 *  - object counts and extended resources are whole numbers (pods: 10, not 10.5 or 1500m);
 *  - scopes and scopeSelector scope names: Terminating, NotTerminating, BestEffort,
 *    NotBestEffort, PriorityClass, CrossNamespacePodAffinity; each applies to the hard resources
 *    it can count (BestEffort: pods; the others: pods, cpu and memory, their requests and
 *    limits); never BestEffort with NotBestEffort nor Terminating with NotTerminating;
 *  - scopeSelector expressions: Exists for every scope but PriorityClass; values exactly for
 *    In and NotIn; no other operator.
 * Negative amounts are the `quantities` rule's.
 */
import { labelKeyProblems } from '../../constructs/lib/k8s-names';
import { isRecord, K8sObject } from './objects';
import { keyPath, parseQuantity } from './rules-quantities';

/** helpers.go standardQuotaResources. */
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers',
  'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers',
]);
/** helpers.go integerResources (the object counts). */
const INTEGER_RESOURCES = new Set(['pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
/** helpers.go podComputeQuotaResources. */
const POD_COMPUTE_RESOURCES = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);
/** helpers.go standardResourceQuotaScopes and CrossNamespacePodAffinity (IsStandardResourceQuotaScope). */
export const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const CONFLICTING_SCOPES: ReadonlyArray<readonly [string, string]> = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];

/** IsQuotaHugePageResourceName. */
const isQuotaHugePages = (name: string) => name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
const isStandardQuotaResource = (name: string) => STANDARD_QUOTA_RESOURCES.has(name) || isQuotaHugePages(name);

/**
 * IsIntegerResourceName: an object count, or an extended resource (not native, not written as
 * requests.<name>: count/deployments.apps, example.com/widgets).
 */
function isIntegerResource(name: string): boolean {
  if (INTEGER_RESOURCES.has(name)) return true;
  const native = !name.includes('/') || name.includes('kubernetes.io/');
  return !native && !name.startsWith('requests.') && labelKeyProblems(`requests.${name}`).length === 0;
}

/** IsResourceQuotaScopeValidForResource. */
function scopeCounts(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  if (QUOTA_SCOPES.includes(scope)) return resource === 'pods' || POD_COMPUTE_RESOURCES.has(resource);
  return true;
}

function scopeProblems(scopes: string[], hard: string[], where: (i: number) => string): string[] {
  const out: string[] = [];
  scopes.forEach((scope, i) => {
    if (!QUOTA_SCOPES.includes(scope)) {
      out.push(`${where(i)} ${JSON.stringify(scope)} is not a quota scope (${QUOTA_SCOPES.join(', ')})`);
      return;
    }
    const uncounted = hard.filter(r => isStandardQuotaResource(r) && !scopeCounts(scope, r));
    if (uncounted.length > 0) {
      const counts = scope === 'BestEffort' ? 'pods only' : 'pods, cpu and memory (and their requests. and limits.)';
      out.push(`${where(i)} ${scope} cannot limit ${uncounted.join(', ')}: it counts ${counts}; move them to a quota without this scope`);
    }
  });
  for (const [a, b] of CONFLICTING_SCOPES) if (scopes.includes(a) && scopes.includes(b)) out.push(`scopes ${a} and ${b} conflict: no pod is both, so the quota would match nothing`);
  return out;
}

/** Why the API server refuses this ResourceQuota's spec. */
export function checkQuotaSpec(o: K8sObject): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  const hardMap = isRecord(spec.hard) ? spec.hard : {};
  const hard = Object.keys(hardMap);
  const out: string[] = [];
  for (const name of hard) {
    const at = keyPath('spec.hard', name);
    if (!name.includes('/')) {
      if (!isStandardQuotaResource(name)) out.push(`${at} is not a resource a quota tracks (cpu, memory, requests.cpu, limits.memory, pods, services, count/<resource>.<group>, ...)`);
    } else {
      for (const p of labelKeyProblems(name)) out.push(`${at}: the name ${p}`);
    }
    const q = parseQuantity(hardMap[name]);
    // ValidateResourceQuantityValue: MilliValue() % 1000 == 0, MilliValue rounding up (1.0001 is 1001m); the
    // tolerance absorbs the float error of a decimal written with an exponent (1.1e1).
    if (q && !q.negative && isIntegerResource(name) && Math.ceil(q.value * 1e3 - 1e-6) % 1000 !== 0) {
      out.push(`${at} ${JSON.stringify(hardMap[name])} must be a whole number: ${name} counts objects or devices`);
    }
  }
  if (Array.isArray(spec.scopes)) out.push(...scopeProblems(spec.scopes.map(String), hard, i => `spec.scopes[${i}]`));
  const expressions = isRecord(spec.scopeSelector) && Array.isArray(spec.scopeSelector.matchExpressions) ? spec.scopeSelector.matchExpressions : [];
  const names = expressions.map((e: unknown) => String(isRecord(e) ? e.scopeName : ''));
  out.push(...scopeProblems(names, hard, i => `spec.scopeSelector.matchExpressions[${i}].scopeName`));
  expressions.forEach((e: unknown, i: number) => {
    const expression = isRecord(e) ? e : {};
    const at = `spec.scopeSelector.matchExpressions[${i}]`;
    const values = Array.isArray(expression.values) ? expression.values.length : 0;
    const operator = String(expression.operator ?? '');
    if (QUOTA_SCOPES.includes(names[i]) && names[i] !== 'PriorityClass' && operator !== 'Exists') out.push(`${at}.operator ${JSON.stringify(operator)} must be Exists for scope ${names[i]} (only PriorityClass takes In, NotIn and DoesNotExist)`);
    if (operator === 'In' || operator === 'NotIn') {
      if (values === 0) out.push(`${at}.values is empty: ${operator} needs at least one value`);
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values > 0) out.push(`${at}.values must be empty for ${operator}`);
    } else out.push(`${at}.operator ${JSON.stringify(operator)} must be In, NotIn, Exists or DoesNotExist`);
  });
  return out;
}
