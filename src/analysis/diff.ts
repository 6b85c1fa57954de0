/**
 * Semantic diff of two sets of Kubernetes objects (e.g. the rendered dist/ of
 * an environment before and after a change): which objects are added,
 * removed or changed, which fields changed, and which changes are risky
 * (see diff-risks.ts).
 *
 * Objects are matched by (API group, kind, namespace, name), so moving an
 * object between files or bumping its API version is not add+remove. Lists
 * of named things (containers, ports, env, volumes, ...) are matched by name
 * and other lists of objects by content (NetworkPolicy rules, peers and
 * ports as sets), so inserting an item shows as one addition rather than
 * every later item changing. Lists of scalars (args) are one value; the
 * formatters show which items changed (diff-detail.ts).
 */
import { K8sObject, compareStrings, isRecord, namespaceOf, objectRef } from './objects';
import { Risk, assessRisks } from './diff-risks';
import { diffSequence } from './diff-sequence';

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
 * List fields whose items are matched by `name` (or, for ports, number and
 * protocol) rather than by content.
 */
const NAMED_LISTS = new Set([
  'containers', 'initContainers', 'ephemeralContainers', 'ports', 'env', 'volumes', 'volumeMounts', 'volumeDevices', 'envFrom',
]);

/**
 * Lists that are sets, per kind: their order means nothing, so an item is
 * matched by content wherever it sits (NetworkPolicy rules and, within a
 * rule, its peers and ports).
 */
const UNORDERED_LISTS: Record<string, RegExp> = {
  NetworkPolicy: /^spec\.(ingress|egress)(\[\d+\]\.(from|to|ports))?$/,
};

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

/** JSON with sorted keys: equal for deep-equal values whatever their key order. */
function contentKey(v: unknown): string {
  const canon = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(canon);
    if (isRecord(x)) return Object.fromEntries(Object.keys(x).filter((k) => x[k] !== undefined).sort(compareStrings).map((k) => [k, canon(x[k])]));
    return x;
  };
  return JSON.stringify(canon(v)) ?? 'undefined';
}

function join(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/** Where the lists being compared sit, to choose how their items are matched. */
interface Context {
  kind: string;
}

/** Recursively lists the differences between two values. */
function diffValues(before: unknown, after: unknown, path: string, lastKey: string, ctx: Context, out: FieldChange[]): void {
  if (deepEqual(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareStrings);
    for (const k of keys) diffValues(before[k], after[k], join(path, k), k, ctx, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && !(before.every(isScalar) && after.every(isScalar))) {
    const unordered = UNORDERED_LISTS[ctx.kind]?.test(path) ?? false;
    const named = !unordered && NAMED_LISTS.has(lastKey) && uniqueKeys(before) && uniqueKeys(after);
    if (named) {
      const b = new Map(before.map((x) => [itemKey(x)!, x]));
      const a = new Map(after.map((x) => [itemKey(x)!, x]));
      // Keep the after order, then removed items in before order.
      const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
      for (const k of keys) diffValues(b.get(k), a.get(k), `${path}[${k}]`, '', ctx, out);
    } else {
      // Added and paired items are named by their index in the after list, removed ones by their index before.
      for (const m of matchItems(before, after, unordered)) {
        diffValues(m.before === undefined ? undefined : before[m.before], m.after === undefined ? undefined : after[m.after], `${path}[${m.after ?? m.before}]`, '', ctx, out);
      }
    }
    return;
  }
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  out.push(change);
}

/** Whether every item has a NAMED_LISTS key and no key repeats (a repeat would hide an item). */
function uniqueKeys(list: unknown[]): boolean {
  const keys = list.map(itemKey);
  return keys.every((k) => k !== undefined) && new Set(keys).size === keys.length;
}

/** A before item and the after item it became; one side is missing for a removal or an addition. */
interface ItemMatch {
  before?: number;
  after?: number;
}

/**
 * Matches the items of two lists by content, so inserting an item shows as
 * one addition instead of changing every later index. Equal items match
 * first (anywhere for a set, in order otherwise); a leftover removed item
 * is then paired with a leftover added item of the same shape (some field
 * path in common), so an edited item shows its changed fields. Returns the
 * after items in order, then the removed ones; equal items are included.
 */
function matchItems(before: unknown[], after: unknown[], unordered: boolean): ItemMatch[] {
  const bKeys = before.map(contentKey);
  const aKeys = after.map(contentKey);
  const pairs = new Map<number, number>(); // after index -> before index
  // Groups of leftover removed and added items that may pair up.
  const groups: Array<{ removed: number[]; added: number[] }> = [];
  if (unordered) {
    const free = new Map<string, number[]>();
    bKeys.forEach((k, i) => free.set(k, [...(free.get(k) ?? []), i]));
    const added: number[] = [];
    aKeys.forEach((k, j) => {
      const i = free.get(k)?.shift();
      if (i === undefined) added.push(j);
      else pairs.set(j, i);
    });
    const used = new Set(pairs.values());
    groups.push({ removed: bKeys.map((_, i) => i).filter((i) => !used.has(i)), added });
  } else {
    let group: { removed: number[]; added: number[] } | undefined;
    for (const e of diffSequence(bKeys, aKeys, (k) => k)) {
      if (e.op === 'keep') {
        pairs.set(e.bIndex, e.aIndex);
        group = undefined;
        continue;
      }
      if (!group) groups.push((group = { removed: [], added: [] }));
      if (e.op === 'remove') group.removed.push(e.aIndex);
      else group.added.push(e.bIndex);
    }
  }
  const removed = new Set<number>();
  for (const g of groups) {
    for (const [i, j] of pairBySimilarity(g.removed.map((i) => before[i]), g.added.map((j) => after[j]))) pairs.set(g.added[j], g.removed[i]);
    for (const i of g.removed) removed.add(i);
  }
  for (const i of pairs.values()) removed.delete(i);
  return [
    ...after.map((_, j): ItemMatch => (pairs.has(j) ? { before: pairs.get(j), after: j } : { after: j })),
    ...[...removed].sort((x, y) => x - y).map((i): ItemMatch => ({ before: i })),
  ];
}

/**
 * Pairs removed items with added ones that look like edits of them: most
 * equal leaves first, then most shared field paths; items with no field path
 * in common stay a removal and an addition. Returns [removed, added] indices.
 */
function pairBySimilarity(removed: unknown[], added: unknown[]): Array<[number, number]> {
  if (removed.length === 0 || added.length === 0) return [];
  const r = removed.map(leaves);
  const a = added.map(leaves);
  const candidates: Array<{ i: number; j: number; equal: number; shared: number }> = [];
  r.forEach((ri, i) =>
    a.forEach((aj, j) => {
      let shared = 0;
      let equal = 0;
      for (const [p, v] of ri) {
        if (!aj.has(p)) continue;
        shared++;
        if (aj.get(p) === v) equal++;
      }
      if (shared > 0) candidates.push({ i, j, equal, shared });
    }),
  );
  candidates.sort((x, y) => y.equal - x.equal || y.shared - x.shared || x.i - y.i || x.j - y.j);
  const usedR = new Set<number>();
  const usedA = new Set<number>();
  const out: Array<[number, number]> = [];
  for (const c of candidates) {
    if (usedR.has(c.i) || usedA.has(c.j)) continue;
    usedR.add(c.i);
    usedA.add(c.j);
    out.push([c.i, c.j]);
  }
  return out;
}

/** Leaf paths of a value (list indices dropped) with their content, e.g. `podSelector.matchLabels.app` -> `"web"`. */
function leaves(v: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (x: unknown, path: string) => {
    if (isRecord(x) && Object.keys(x).length > 0) for (const k of Object.keys(x)) walk(x[k], `${path}.${k}`);
    else if (Array.isArray(x) && x.length > 0 && !x.every(isScalar)) x.forEach((y) => walk(y, `${path}[]`));
    else out.set(path, `${out.has(path) ? `${out.get(path)},` : ''}${contentKey(x)}`);
  };
  walk(v, '');
  return out;
}

/**
 * Field changes of a Secret with data/stringData values replaced by MASK:
 * the keys and the fact that a value changed stay visible, the values never.
 */
function secretFieldChanges(before: K8sObject, after: K8sObject): FieldChange[] {
  const out: FieldChange[] = [];
  diffValues(before, after, '', '', { kind: after.kind }, out);
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
  diffValues(before, after, '', '', { kind: after.kind }, out);
  return out;
}

