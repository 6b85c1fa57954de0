/**
 * Field rules of the environment configuration, as zod schemas: one place for
 * every format (DNS names, hosts, quantities by unit kind, images, CIDRs,
 * resources, guardrails), each with the message a user can act on. Component
 * schemas (constructs/<component>/schema.ts) are built from these; types are
 * inferred from the schemas, never written a second time.
 *
 * Every object is strict: an unknown key is refused with its full path,
 * whether it comes from an environment file, a Pulumi override or a test.
 */
import { isDns1123Label, isDns1123Subdomain, labelKeyProblems, labelValueProblems } from './k8s-names';
import { z } from 'zod';
import { parseCidr } from './cidr';
import { parseQuantity } from './quantity';
import { isRecord } from './record';
import { resourceProblems } from './resources';
import type { QosClass } from './types';

export { z };

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IMAGE_REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY = /^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/;
/** Prometheus durations: one or more `<number><unit>`, units ms, s, m, h, d, w, y. */
const DURATION = /^(?:[0-9]+(?:ms|s|m|h|d|w|y))+$/;

/** How a value reads in a message. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value}"`;
  return Array.isArray(value) ? 'a list' : typeof value === 'object' && value !== null ? 'an object' : String(value);
}

type Ctx = z.core.$RefinementCtx<unknown>;
const fail = (ctx: Ctx, message: string, path: PropertyKey[] = []) => ctx.addIssue({ code: 'custom', message, path });

/**
 * One schema per factory and arguments (JSON of the arguments), built on first use and then
 * shared by every parent that asks for it. zod schemas are immutable values (every method,
 * `.optional()`, `.default()`..., returns a new schema), so one instance may sit under many
 * parents. Why: `synth --watch` reloads the component schemas on a save of a module they import
 * (constructs/versions.ts, for image defaults); this module stays loaded, so the ~1,500 of the
 * ~2,000 schema instances a reload built before are built once, and stay warm.
 */
export function shared<A extends unknown[], R>(build: (...args: A) => R): (...args: A) => R {
  const built = new Map<string, R>();
  return (...args: A) => {
    // JSON drops functions (every function would key alike): such arguments are a programming error here.
    if (!isJsonValue(args)) throw new TypeError('shared(): the arguments of a shared schema factory must be JSON values (no functions, symbols, bigints or class instances)');
    const key = JSON.stringify(args);
    let schema = built.get(key);
    if (schema === undefined) built.set(key, (schema = build(...args)));
    return schema;
  };
}

function isJsonValue(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (isRecord(value) && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isJsonValue);
  return false;
}

/** A string checked by `rule`, which returns the reason it is wrong (or undefined). */
function stringRule(rule: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const reason = rule(value);
    if (reason) fail(ctx, reason);
  });
}

export const dnsLabel = shared(() => stringRule(v => (!isDns1123Label(v)
  ? `"${v}" is not a valid DNS label (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)`
  : undefined)));

export const dnsSubdomain = shared(() => stringRule(v => (!isDns1123Subdomain(v)
  ? `"${v}" is not a valid DNS subdomain name (lower-case labels separated by dots)` : undefined)));

/** A host an Ingress publishes: at least two labels, no scheme, port, path, wildcard or upper case. */
export const host = shared(() => stringRule(v => {
  const labels = v.split('.');
  const valid = v.length <= 253 && labels.length >= 2 && labels.every(isDns1123Label)
    && !/^[0-9]+$/.test(labels[labels.length - 1]);
  return valid ? undefined : `"${v}" is not a valid DNS host name (e.g. dockercoins.example.com; no scheme, port, path or wildcard)`;
}));


/** Seconds of a valid Prometheus duration (`1h30m` → 5400; Prometheus' model.ParseDuration: a year is 365 days, a week 7). */
export function durationSeconds(v: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const [, n, u] of v.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * unit[u];
  return total;
}

export const duration = shared(() => stringRule(v => (!DURATION.test(v) || !/[1-9]/.test(v)
  ? `"${v}" is not a valid Prometheus duration (a positive number with a unit ms, s, m, h, d, w or y, e.g. 15d, 12h, 1h30m)` : undefined)));

/** Kubernetes' int32 fields (replicas, ports, seconds...) hold at most this; a bigger count is refused here, not by the API server. */
export const INT32_MAX = 2_147_483_647;

export const int = shared((min: number, max: number = INT32_MAX) => z.int().min(min).max(max));

/** A whole TCP port in a range. */
export const port = shared((min: number = 1, max: number = 65535) => int(min, max));

const BYTE_SUFFIX = /(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$/;
const QUANTITY_HINT = 'is not a valid Kubernetes quantity (e.g. 100m, 0.5, 64Mi, 1Gi)';

/** What a quantity measures: the unit rules and floors differ. */
export type QuantityKind = 'cpu' | 'memory' | 'storage';

/**
 * A Kubernetes quantity of a kind. CPU must not carry a byte suffix; memory
 * and storage must not use `m` (milli: `96m` is 0.096 bytes, not 96 MiB).
 * `floor` (bytes or cores) refuses values too small to be meant.
 */
export const quantity = shared((kind: QuantityKind, options: { positive?: boolean; floor?: { value: number; text: string; why: string } } = {}) =>
  stringRule(v => {
    const parsed = parseQuantity(v);
    if (parsed === undefined) return `"${v}" ${QUANTITY_HINT}`;
    if (parsed < 0 || (options.positive && parsed === 0)) return `must be greater than zero, got "${v}"`;
    if (kind === 'cpu' && BYTE_SUFFIX.test(v)) return `"${v}" has a byte unit, but CPU is counted in cores: write e.g. 500m, 1 or 2`;
    if (kind !== 'cpu' && /[0-9.]m$/.test(v)) return `"${v}" is ${parsed} bytes (the suffix m means milli): write ${v.slice(0, -1)}Mi for mebibytes`;
    if (kind !== 'cpu' && /[0-9.][nu]$/.test(v)) return `"${v}" is a fraction of a byte: write a size such as 64Mi`;
    if (options.floor && parsed > 0 && parsed < options.floor.value) return `"${v}" is below ${options.floor.text}: ${options.floor.why}`;
    return undefined;
  }));

/** No container starts in less: the runtime's own overhead is a few MiB. */
const CONTAINER_MEMORY_FLOOR = { value: 4 * 2 ** 20, text: '4Mi', why: 'no container runs in less (the runtime and the process need a few MiB); did you mean Mi?' };
/** Ephemeral storage holds logs and the writable layer. */
const EPHEMERAL_FLOOR = { value: 2 ** 20, text: '1Mi', why: 'logs and writable layers need more; did you mean Mi?' };

/** Requests or limits of one container (or LimitRange defaults): every amount set, with its unit kind. */
export const containerAmounts = shared(() => z.strictObject({
  /** CPU in cores, e.g. `100m` or `0.5`. */
  cpu: quantity('cpu', { positive: true }),
  /** Memory, e.g. `64Mi`. */
  memory: quantity('memory', { positive: true, floor: CONTAINER_MEMORY_FLOOR }),
  /** Ephemeral storage (logs, emptyDirs on disk, writable layers), e.g. `100Mi`. */
  ephemeralStorage: quantity('storage', { positive: true, floor: EPHEMERAL_FLOOR }),
}));

/** Requests and limits of a container designed for a QoS class (limits >= requests; Guaranteed: equal CPU and memory). */
export const resources = shared((qos: QosClass) => z.strictObject({ requests: containerAmounts(), limits: containerAmounts() })
  .superRefine((r, ctx) => {
    // An amount its own rule refuses (unparsable, not positive, wrong unit kind) is reported there, once:
    // comparing it with the other side would only mislead (CPU "100Mi" is 104857600 cores).
    const wrong = new Set(AMOUNT_KEYS.filter(k => wrongUnit(k, r.requests[k]) || wrongUnit(k, r.limits[k])));
    for (const problem of resourceProblems(r, qos)) {
      const [field, ...rest] = problem.split(': ');
      const key = field.split('.')[1] as (typeof AMOUNT_KEYS)[number] | undefined;
      if (key === undefined ? wrong.size > 0 : wrong.has(key)) continue;
      fail(ctx, rest.join(': '), field.split('.'));
    }
  }));

const AMOUNT_KEYS = ['cpu', 'memory', 'ephemeralStorage'] as const;

/** The amount is refused by its own `quantity` rule regardless of floors: unparsable, not positive, CPU in bytes, bytes in milli-units. */
function wrongUnit(key: (typeof AMOUNT_KEYS)[number], value: string): boolean {
  const parsed = parseQuantity(value);
  if (parsed === undefined || parsed <= 0) return true;
  return key === 'cpu' ? BYTE_SUFFIX.test(value) : /[0-9.][mnu]$/.test(value);
}

/** A container image, split so registry and tag can be overridden; the tag is pinned. */
export const image = shared(() => z.strictObject({
  /** Registry host (and optional path), e.g. `registry.example.com:5000`. Empty = Docker Hub. */
  registry: stringRule(v => (v !== '' && !REGISTRY.test(v) ? `"${v}" is not a valid registry host (e.g. registry.example.com:5000)` : undefined)),
  /** Repository, e.g. `dockercoins/rng`. */
  repository: stringRule(v => (IMAGE_REPOSITORY.test(v) ? undefined : `"${v}" is not a valid image repository (lower-case path such as dockercoins/rng)`)),
  /** Immutable tag; never `latest`. */
  tag: stringRule(v => {
    if (v === '') return 'is empty: pin an immutable tag';
    if (v === 'latest') return '"latest" is not allowed: pin an immutable tag so rollouts are reproducible';
    return IMAGE_TAG.test(v) ? undefined : `"${v}" is not a valid image tag`;
  }),
}));

/** An IPv4 CIDR in canonical form (no host bits: `10.10.0.5/8` is refused, as NetworkPolicy would mask it silently). */
export const cidr = shared(() => stringRule(v => {
  const parsed = parseCidr(v);
  if (!parsed) return `"${v}" is not a valid IPv4 CIDR (e.g. 10.0.0.0/16)`;
  if (parsed.hostBits) return `"${v}" has host bits set below the /${parsed.prefix} prefix: write ${parsed.canonical}`;
  return undefined;
}));

export { parseCidr };

export const cidrs = shared(() => z.array(cidr()).min(1, { error: 'must be a non-empty list of CIDRs' }));

export const tolerations = shared(() => z.array(z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal'], { error: iss => `must be Exists or Equal, got ${describe(iss.input)}` }).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], { error: iss => `must be NoSchedule, PreferNoSchedule or NoExecute, got ${describe(iss.input)}` }).optional(),
}).superRefine((t, ctx) => {
  // What the API server's ValidateTolerations refuses (kubernetes pkg/apis/core/validation), in its words' order.
  if (t.key !== undefined && t.key !== '') {
    const problems = labelKeyProblems(t.key);
    if (problems.length > 0) fail(ctx, `"${t.key}" is not a taint key: ${problems.join('; ')}`, ['key']);
  } else if (t.operator !== 'Exists') {
    fail(ctx, 'must be Exists when key is empty (a toleration of every taint)', ['operator']);
  }
  if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') fail(ctx, 'must be empty when operator is Exists', ['value']);
  else if (t.value !== undefined) {
    const problems = labelValueProblems(t.value);
    if (problems.length > 0) fail(ctx, `"${t.value}" is not a taint value: it ${problems.join('; ')}`, ['value']);
  }
})));

export const spreadPolicy = shared(() => z.enum(['none', 'preferred', 'required']));

/** Free-form string settings (environment variables). */
export const settings = shared(() => z.record(z.string(), z.string({ error: iss => `must be a string, got ${describe(iss.input)} (quote it in YAML)` }))
  .superRefine((values, ctx) => {
    for (const key of Object.keys(values)) if (!ENV_VAR_NAME.test(key)) fail(ctx, `"${key}" is not a valid environment variable name`, [key]);
  }));

/** A claim a component asks for. */
export const storageRequest = shared(() => z.strictObject({
  /** Requested size, e.g. `10Gi`. */
  size: quantity('storage', { positive: true }),
  /** StorageClass. @default - the environment's `storageClass`, else the cluster default */
  storageClassName: dnsSubdomain().optional(),
}));

/** emptyDir (node disk, lost with the pod) or a claim (survives rescheduling). The one "emptyDir or claim" shape. */
export const storage = shared(() => z.strictObject({
  type: z.enum(['emptyDir', 'persistentVolumeClaim']),
  /** Size limit of the emptyDir, or requested size of the claim. */
  size: quantity('storage', { positive: true }),
  /** Only with `persistentVolumeClaim`. @default - the environment's `storageClass` */
  storageClassName: dnsSubdomain().optional(),
}).superRefine((s, ctx) => {
  if (s.type === 'emptyDir' && s.storageClassName !== undefined) fail(ctx, 'is only used with type "persistentVolumeClaim"', ['storageClassName']);
}));
export type StorageConfig = z.infer<ReturnType<typeof storage>>;

/** Amounts of a namespace ResourceQuota. */
const quotaAmounts = shared(() => z.strictObject({
  cpu: quantity('cpu', { positive: true }),
  memory: quantity('memory', { positive: true }),
  ephemeralStorage: quantity('storage', { positive: true }),
}));

/** A namespace ResourceQuota. */
export const quota = shared(() => z.strictObject({
  requests: quotaAmounts(),
  limits: quotaAmounts(),
  pods: int(1),
  persistentVolumeClaims: int(0),
  /** Total storage of the namespace's claims. */
  storage: quantity('storage'),
}));

/** A namespace LimitRange: defaults for pods made outside the model, and the ceiling every container must fit under. */
export const limitRange = shared(() => z.strictObject({
  defaultRequest: containerAmounts(),
  defaultLimit: containerAmounts(),
  max: containerAmounts(),
}).superRefine((lr, ctx) => {
  for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    if (parseQuantity(lr.defaultLimit[key])! < parseQuantity(lr.defaultRequest[key])!) fail(ctx, `${lr.defaultLimit[key]} is below defaultRequest.${key} ${lr.defaultRequest[key]}`, ['defaultLimit', key]);
    if (parseQuantity(lr.max[key])! < parseQuantity(lr.defaultLimit[key])!) fail(ctx, `${lr.max[key]} is below defaultLimit.${key} ${lr.defaultLimit[key]}`, ['max', key]);
  }
}));

/** The reason text of a zod issue, in the project's style ("must be ...", "got ..."). */
const ITEM_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * How a config path names item `index` of a named list: by its `name` where that reads as a name (a DNS name, not
 * all digits, which would read as an index) and is unique in the list; else by index.
 */
export function listItemKey(list: readonly unknown[], index: number): string {
  const name = (list[index] as { name?: unknown } | undefined)?.name;
  const byName = typeof name === 'string' && ITEM_NAME.test(name) && !/^[0-9]+$/.test(name)
    && list.filter(item => (item as { name?: unknown } | undefined)?.name === name).length === 1;
  return byName ? name : String(index);
}

export function issueReason(issue: z.core.$ZodIssue & { input?: unknown }): string {
  const got = describe(issue.input);
  switch (issue.code) {
    case 'invalid_type': {
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      const expected = String(issue.expected);
      if (expected === 'int' || expected === 'number') return `must be a whole number, got ${got}`;
      if (expected === 'boolean') return `must be true or false, got ${got}`;
      if (expected === 'object' || expected === 'record') return `must be an object, got ${got}`;
      if (expected === 'array') return `must be a list, got ${got}`;
      return `must be a ${expected}, got ${got}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return issue.message.startsWith('Too small') ? `must list at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}` : issue.message;
      return `must be at least ${issue.minimum}, got ${got}`;
    case 'too_big':
      return `must be at most ${issue.maximum}, got ${got}`;
    case 'invalid_value':
      return issue.message.startsWith('Invalid option') ? `must be one of ${issue.values.join(', ')}, got ${got}` : issue.message;
    default:
      return issue.message;
  }
}

/** The default size of a setup Job: one shell running a handful of API calls (curl, consul, psql). */
export const SETUP_JOB_RESOURCES = {
  requests: { cpu: '50m', memory: '64Mi', ephemeralStorage: '64Mi' },
  limits: { cpu: '500m', memory: '128Mi', ephemeralStorage: '128Mi' },
} as const;

/**
 * A setup Job's section (it creates the identities the other pods use, see
 * constructs/lib/credential-annotations.ts). @default resources SETUP_JOB_RESOURCES
 */
export const setupJob = shared(() => z.strictObject({
  /** @default SETUP_JOB_RESOURCES (50m/64Mi requests, 500m/128Mi limits) */
  resources: resources('Burstable').prefault(() => ({ requests: { ...SETUP_JOB_RESOURCES.requests }, limits: { ...SETUP_JOB_RESOURCES.limits } })),
}).prefault({}));
