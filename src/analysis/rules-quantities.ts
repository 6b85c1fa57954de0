/**
 * `quantities`: resource quantities that the API server accepts but that
 * cannot mean what was intended (`memory: 96m` is 96 millibytes, `cpu: 2Gi`
 * is two billion cores), negative values, memory too small for any process,
 * and syntax the schema's lax quantity format lets through (`1Y`, `2d`).
 *
 * Checked wherever quantities live: container and init container
 * requests/limits, emptyDir sizeLimit, ephemeral volume and StatefulSet
 * volumeClaimTemplate storage, PersistentVolumeClaims, ResourceQuota `hard`
 * and LimitRange items.
 */
import { K8sObject, allContainers, describeContainer, isRecord, podTemplateOf } from './objects';
import { schemaAcceptsQuantity } from './schema';

/** A parsed quantity: `96Mi` is `{ number: '96', suffix: 'Mi', value: 100663296 }`. */
export interface Quantity {
  negative: boolean;
  /** The digits as written, without sign. */
  number: string;
  /** Binary or decimal SI suffix, an exponent (`e3`), or ''. */
  suffix: string;
  value: number;
}

// The Kubernetes grammar (apimachinery resource.ParseQuantity): a signed
// decimal number and one optional suffix; no spaces, no other SI prefixes.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const MULTIPLIER: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Parses a quantity (YAML numbers included); undefined when Kubernetes would reject its syntax. */
export function parseQuantity(v: unknown): Quantity | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    return { negative: v < 0, number: String(Math.abs(v)), suffix: '', value: v };
  }
  if (typeof v !== 'string') return undefined;
  const m = QUANTITY.exec(v);
  if (!m) return undefined;
  const [, sign, number, exponent, si] = m;
  const magnitude = exponent ? Number(number) * 10 ** Number(exponent.slice(1)) : Number(number) * MULTIPLIER[si ?? ''];
  const value = sign === '-' ? -magnitude : magnitude;
  return { negative: value < 0, number, suffix: exponent ?? si ?? '', value };
}

/** What a resource name measures: `requests.cpu` cpu, `limits.memory` bytes, `pods` a count... */
export type Dimension = 'cpu' | 'bytes' | 'other';

/**
 * The dimension of a resource name as used in containers, quotas and
 * LimitRanges: the part after any `<prefix>/` and `requests.`/`limits.`.
 */
export function resourceDimension(name: string): Dimension {
  const base = name.slice(name.lastIndexOf('/') + 1).replace(/^(requests|limits)\./, '');
  if (base === 'cpu') return 'cpu';
  if (base === 'memory' || base === 'storage' || base === 'ephemeral-storage' || base.startsWith('hugepages-')) return 'bytes';
  return 'other';
}

/** Suffixes that only make sense for sizes. */
const SIZE_SUFFIXES = new Set(['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'k', 'M', 'G', 'T', 'P', 'E']);
const FRACTION_SUFFIXES: Record<string, string> = { m: 'milli-, 1/1000 byte', u: 'micro-, 1/1000000 byte', n: 'nano-, 1/1000000000 byte' };

/**
 * Container memory floor (requests and limits). The runtime's init process
 * alone needs a few MiB: below that runc fails with "container init was
 * OOM-killed (memory limit too low?)", and Docker refuses limits under 6 MiB.
 * So a smaller value is a missing or wrong unit (`128` for `128Mi`).
 */
export const CONTAINER_MEMORY_FLOOR = 4 * 2 ** 20;

const SYNTAX = 'is not a valid quantity (a number with one of the suffixes n u m k M G T P E Ki Mi Gi Ti Pi Ei, or an exponent like 1e3)';

/** The value as written: strings quoted, numbers bare. */
export function formatValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * What is wrong with one quantity, or undefined. Values of the wrong type,
 * and strings the schema's quantity format rejects, are left to `schema`.
 */
export function quantityProblem(v: unknown, dimension: Dimension, containerMemory = false): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const q = parseQuantity(v);
  if (!q) return typeof v === 'string' && schemaAcceptsQuantity(v) ? SYNTAX : undefined;
  if (q.negative) return 'must not be negative';
  if (dimension === 'cpu' && SIZE_SUFFIXES.has(q.suffix)) {
    return `has the byte unit ${q.suffix}; cpu is counted in cores (2) or millicores (500m)`;
  }
  if (dimension === 'bytes' && FRACTION_SUFFIXES[q.suffix]) {
    return `has the suffix ${q.suffix} (${FRACTION_SUFFIXES[q.suffix]}); for mebibytes write ${q.number}Mi`;
  }
  if (containerMemory && q.value < CONTAINER_MEMORY_FLOOR) {
    return 'is below 4Mi: no container starts in that little memory (missing or wrong unit?)';
  }
  return undefined;
}

/** `base` plus a map key in the schema's path style (`pointerToPath`): `spec.hard.pods`, `spec.hard["limits.cpu"]`. */
export function keyPath(base: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** Checks every entry of a `resource name -> quantity` map. */
function checkMap(where: string, map: unknown, out: string[], memoryFloor = false, dimensionOf: (k: string) => Dimension = resourceDimension): void {
  if (!isRecord(map)) return;
  for (const [k, v] of Object.entries(map)) {
    const problem = quantityProblem(v, dimensionOf(k), memoryFloor && k === 'memory');
    if (problem) out.push(`${keyPath(where, k)} ${formatValue(v)} ${problem}`);
  }
}

function checkClaimSpec(where: string, spec: unknown, out: string[]): void {
  if (!isRecord(spec) || !isRecord(spec.resources)) return;
  for (const kind of ['requests', 'limits'] as const) checkMap(`${where}resources.${kind}`, spec.resources[kind], out);
}

/**
 * Whether the API server lets a request differ from its limit: native resources (no domain, or a
 * kubernetes.io domain) but hugepages (kubernetes pkg/apis/core/helper IsOvercommitAllowed).
 */
export function overcommitAllowed(name: string): boolean {
  const slash = name.indexOf('/');
  const native = slash < 0 || name.slice(0, slash) === 'kubernetes.io' || name.slice(0, slash).endsWith('.kubernetes.io');
  return native && !name.startsWith('hugepages-');
}

/**
 * A container's requests against its limits as validateResourceRequirements judges them: a
 * request at most its limit; for resources that cannot be overcommitted (extended resources such
 * as nvidia.com/gpu, hugepages) a limit, equal to the request. Quantities with a problem of their
 * own are skipped: comparing them would only mislead (a memory limit of 96m is 0.096 bytes).
 */
function requestsWithinLimits(container: string, resources: Record<string, any>): string[] {
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const limits = isRecord(resources.limits) ? resources.limits : {};
  const out: string[] = [];
  const sound = (name: string, v: unknown) => quantityProblem(v, resourceDimension(name), name === 'memory') === undefined;
  for (const [name, value] of Object.entries(requests)) {
    const request = parseQuantity(value);
    if (!request || !sound(name, value)) continue;
    if (!Object.prototype.hasOwnProperty.call(limits, name)) {
      if (!overcommitAllowed(name)) out.push(`${container} resources.requests${keyPath('', name)} ${formatValue(value)} has no limit: ${name} cannot be overcommitted, so the API server needs a limit equal to the request`);
      continue;
    }
    const limit = parseQuantity(limits[name]);
    if (!limit || !sound(name, limits[name])) continue;
    if (!overcommitAllowed(name) && request.value !== limit.value) {
      out.push(`${container} resources.requests${keyPath('', name)} ${formatValue(value)} differs from its limit ${formatValue(limits[name])}: ${name} cannot be overcommitted, request and limit must be equal`);
    } else if (request.value > limit.value) {
      out.push(`${container} resources.requests${keyPath('', name)} ${formatValue(value)} is above its limit ${formatValue(limits[name])}: the API server refuses a request above its limit (raise the limit or lower the request)`);
    }
  }
  return out;
}

/** Quantities of a pod spec: container resources, emptyDir sizes, ephemeral volume claims. */
export function checkPodQuantities(podSpec: Record<string, any>): string[] {
  const out: string[] = [];
  for (const ref of allContainers(podSpec)) {
    if (ref.list === 'ephemeralContainers') continue; // they cannot have resources
    const resources = ref.container.resources;
    if (!isRecord(resources)) continue;
    for (const kind of ['requests', 'limits'] as const) {
      checkMap(`${describeContainer(ref)} resources.${kind}`, resources[kind], out, true);
    }
    out.push(...requestsWithinLimits(describeContainer(ref), resources));
  }
  for (const v of Array.isArray(podSpec.volumes) ? podSpec.volumes : []) {
    if (!isRecord(v)) continue;
    if (isRecord(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
      const problem = quantityProblem(v.emptyDir.sizeLimit, 'bytes');
      if (problem) out.push(`volume ${v.name} emptyDir.sizeLimit ${formatValue(v.emptyDir.sizeLimit)} ${problem}`);
    }
    checkClaimSpec(`volume ${v.name} ephemeral.volumeClaimTemplate.spec.`, v.ephemeral?.volumeClaimTemplate?.spec, out);
  }
  return out;
}

/** Quantities of one object, wherever its kind keeps them. */
export function checkQuantities(o: K8sObject): string[] {
  const out: string[] = [];
  const tpl = podTemplateOf(o);
  if (tpl) out.push(...checkPodQuantities(tpl.spec));
  if (o.kind === 'StatefulSet' && Array.isArray(o.spec?.volumeClaimTemplates)) {
    for (const t of o.spec.volumeClaimTemplates) {
      if (isRecord(t)) checkClaimSpec(`volumeClaimTemplate ${t.metadata?.name ?? '?'} spec.`, t.spec, out);
    }
  }
  if (o.kind === 'PersistentVolumeClaim') checkClaimSpec('spec.', o.spec, out);
  if (o.kind === 'ResourceQuota') checkMap('spec.hard', o.spec?.hard, out);
  if (o.kind === 'LimitRange' && Array.isArray(o.spec?.limits)) {
    o.spec.limits.forEach((item: unknown, i: number) => {
      if (!isRecord(item)) return;
      for (const field of ['max', 'min', 'default', 'defaultRequest'] as const) checkMap(`spec.limits[${i}].${field}`, item[field], out);
      // a ratio, not an amount of the resource
      checkMap(`spec.limits[${i}].maxLimitRequestRatio`, item.maxLimitRequestRatio, out, false, () => 'other');
    });
  }
  return out;
}
