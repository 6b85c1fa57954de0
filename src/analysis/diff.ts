/**
 * Semantic diff of two sets of Kubernetes objects (e.g. the rendered dist/ of
 * an environment before and after a change): which objects are added,
 * removed or changed, which fields changed, and which changes are risky
 * (see diff-risks.ts).
 *
 * Objects are matched by (API group, kind, namespace, name), so moving an
 * object between files or bumping its API version is not add+remove. Lists
 * of named things (containers, ports, env, volumes, ...) are matched by name,
 * so inserting a container does not show every later one as changed.
 */
import { K8sObject, compareStrings, isRecord, namespaceOf, objectRef } from './objects';
import { Risk, assessRisks } from './diff-risks';

export type { Risk, RiskCode } from './diff-risks';

/** One changed field. `before`/`after` are undefined when absent. */
export interface FieldChange {
  /** e.g. `spec.template.spec.containers[hasher].image` */
  path: string;
  before?: unknown;
  after?: unknown;
}

/** What happened to one object. */
export interface ObjectDiff {
  /** Identity key: `group/kind/namespace/name` (core group is empty). */
  key: string;
  /** `objectRef` of the object, e.g. `Deployment dockercoins/hasher`. */
  ref: string;
  change: 'added' | 'removed' | 'changed';
  /** Field changes (only for `changed`), Secret values masked. */
  fields: FieldChange[];
  risks: Risk[];
}

/** The whole diff, objects sorted by key. Unchanged objects are omitted. */
export interface ManifestDiff {
  objects: ObjectDiff[];
  added: number;
  removed: number;
  changed: number;
  /** Count of risks over all objects. */
  risks: number;
}

/** The mask shown instead of Secret values. */
export const MASK = '***';

/** API group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core). */
export function apiGroup(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Identity of an object across versions of the manifests. */
export function objectKey(o: K8sObject): string {
  return `${apiGroup(o.apiVersion)}/${o.kind}/${namespaceOf(o) ?? ''}/${o.metadata.name}`;
}

/**
 * List fields whose items are matched by `name` rather than position. Lists
 * elsewhere (args, rules, ...) are compared by index, and lists of scalars
 * are compared as a whole value.
 */
const NAMED_LISTS = new Set([
  'containers', 'initContainers', 'ephemeralContainers', 'ports', 'env', 'volumes', 'volumeMounts', 'volumeDevices', 'envFrom',
]);

/** Key of a list item for NAMED_LISTS, or undefined if it has none. */
function itemKey(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  if (typeof item.name === 'string') return item.name;
  // Unnamed ports: identify by number and protocol.
  const port = item.containerPort ?? item.port;
  if (typeof port === 'number') return `${port}/${item.protocol ?? 'TCP'}`;
  return undefined;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function join(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/** Recursively lists the differences between two values. */
function diffValues(before: unknown, after: unknown, path: string, lastKey: string, out: FieldChange[]): void {
  if (deepEqual(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareStrings);
    for (const k of keys) diffValues(before[k], after[k], join(path, k), k, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && !(before.every(isScalar) && after.every(isScalar))) {
    const named = NAMED_LISTS.has(lastKey) && [...before, ...after].every((x) => itemKey(x) !== undefined);
    if (named) {
      const b = new Map(before.map((x) => [itemKey(x)!, x]));
      const a = new Map(after.map((x) => [itemKey(x)!, x]));
      // Keep the after order, then removed items in before order.
      const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
      for (const k of keys) diffValues(b.get(k), a.get(k), `${path}[${k}]`, '', out);
    } else {
      for (let i = 0; i < Math.max(before.length, after.length); i++) diffValues(before[i], after[i], `${path}[${i}]`, '', out);
    }
    return;
  }
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  out.push(change);
}

/**
 * Field changes of a Secret with data/stringData values replaced by MASK:
 * the keys and the fact that a value changed stay visible, the values never.
 */
function secretFieldChanges(before: K8sObject, after: K8sObject): FieldChange[] {
  const out: FieldChange[] = [];
  diffValues(before, after, '', '', out);
  return out.map((c) => {
    if (!/^(data|stringData)\b/.test(c.path)) return c;
    const masked: FieldChange = { path: c.path };
    if (c.before !== undefined) masked.before = maskValue(c.before);
    if (c.after !== undefined) masked.after = maskValue(c.after);
    return masked;
  });
}

function maskValue(v: unknown): unknown {
  return isRecord(v) ? Object.fromEntries(Object.keys(v).map((k) => [k, MASK])) : MASK;
}

/** Indexes objects by key; a later duplicate replaces an earlier one. */
function index(objects: K8sObject[]): Map<string, K8sObject> {
  return new Map(objects.map((o) => [objectKey(o), o]));
}

/**
 * Compares two object sets. `before` is the old state (e.g. a git ref),
 * `after` the new one (the working tree). Unchanged objects are omitted.
 */
export function diffManifests(before: K8sObject[], after: K8sObject[]): ManifestDiff {
  const b = index(before);
  const a = index(after);
  const keys = [...new Set([...b.keys(), ...a.keys()])].sort(compareStrings);
  const objects: ObjectDiff[] = [];
  for (const key of keys) {
    const old = b.get(key);
    const neu = a.get(key);
    let d: ObjectDiff;
    if (!old) d = { key, ref: objectRef(neu!), change: 'added', fields: [], risks: [] };
    else if (!neu) d = { key, ref: objectRef(old), change: 'removed', fields: [], risks: [] };
    else {
      const fields = old.kind === 'Secret' ? secretFieldChanges(old, neu) : diffFields(old, neu);
      if (fields.length === 0) continue;
      d = { key, ref: objectRef(neu), change: 'changed', fields, risks: [] };
    }
    d.risks = assessRisks(old, neu);
    objects.push(d);
  }
  return {
    objects,
    added: objects.filter((o) => o.change === 'added').length,
    removed: objects.filter((o) => o.change === 'removed').length,
    changed: objects.filter((o) => o.change === 'changed').length,
    risks: objects.reduce((n, o) => n + o.risks.length, 0),
  };
}

function diffFields(before: K8sObject, after: K8sObject): FieldChange[] {
  const out: FieldChange[] = [];
  diffValues(before, after, '', '', out);
  return out;
}

