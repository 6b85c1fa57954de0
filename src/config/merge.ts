/**
 * Deep merge for stack-config overrides: objects merge key by key, arrays of
 * objects with a `name` merge by name (so one instance can be tuned without
 * restating the others), other arrays and scalars replace. An object that
 * picks another variant of a tagged union (a different `source`, as in
 * `certificates: { source: 'external' }` over cert-manager) replaces the base:
 * the fields of the other variant would not be valid in it.
 */
import { isRecord } from '../../constructs/lib/record';
export function mergeOverrides<T>(base: T, override: unknown): T {
  return merge(base, override) as T;
}

function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (Array.isArray(base) && Array.isArray(override) && isNamedList(base) && isNamedList(override)) {
    const result = base.map(item => {
      const patch = override.find(o => o.name === item.name);
      return patch ? merge(item, patch) : item;
    });
    for (const o of override) if (!base.some(b => b.name === o.name)) result.push(o);
    return result;
  }
  if (isRecord(base) && isRecord(override)) {
    if (otherVariant(base, override)) return override;
    const result: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      const tag = INNER_UNION_TAGS[key];
      const replaces = tag !== undefined && isRecord(base[key]) && isRecord(value) && typeof value[tag] === 'string' && (base[key] as Record<string, unknown>)[tag] !== value[tag];
      result[key] = replaces ? value : merge(base[key], value);
    }
    return result;
  }
  return override;
}

/**
 * Tags of the config's tagged unions (`certificates.source`, `certificates.ingressIssuer.type`,
 * `logging.elasticsearch.snapshots.repository.type`: an s3 override replaces an fs repository).
 */
const UNION_TAGS = ['source'] as const;
const INNER_UNION_TAGS: Readonly<Record<string, string>> = { ingressIssuer: 'type', repository: 'type' };

function otherVariant(base: Record<string, unknown>, override: Record<string, unknown>): boolean {
  return UNION_TAGS.some(tag => typeof base[tag] === 'string' && typeof override[tag] === 'string' && base[tag] !== override[tag]);
}

function isNamedList(list: unknown[]): list is Array<{ name: unknown }> {
  return list.every(item => isRecord(item) && typeof item.name === 'string');
}

/** An override item of a list of named items: one without a name, or one whose name is new (it adds an item). */
export interface NamedItemFinding {
  /** Config path of the item, as problem lines write it (`dockercoins[0]`, `dockercoins[dockercoin]`). */
  readonly path: string;
  /** Config path of the list. */
  readonly list: string;
  /** Names of the list's items in the base. */
  readonly known: readonly string[];
  /** The item's name; undefined when it has none. */
  readonly name?: string;
}

/** Where an override meets lists of named items: items without a name (refused) and items it adds. */
export function namedItemFindings(base: unknown, override: unknown, path = ''): { unnamed: NamedItemFinding[]; added: NamedItemFinding[] } {
  const found = { unnamed: [] as NamedItemFinding[], added: [] as NamedItemFinding[] };
  if (Array.isArray(base) && base.length > 0 && isNamedList(base) && Array.isArray(override)) {
    const known = base.map(b => String(b.name));
    override.forEach((item, i) => {
      if (!isRecord(item) || typeof item.name !== 'string') { found.unnamed.push({ path: `${path}[${i}]`, list: path, known }); return; }
      const match = base.find(b => b.name === item.name);
      if (!match) { found.added.push({ path: `${path}[${item.name}]`, list: path, known, name: item.name }); return; }
      const inner = namedItemFindings(match, item, `${path}[${item.name}]`);
      found.unnamed.push(...inner.unnamed);
      found.added.push(...inner.added);
    });
  } else if (isRecord(base) && isRecord(override)) {
    for (const [key, value] of Object.entries(override)) {
      const inner = namedItemFindings(base[key], value, path === '' ? key : `${path}.${key}`);
      found.unnamed.push(...inner.unnamed);
      found.added.push(...inner.added);
    }
  }
  return found;
}
