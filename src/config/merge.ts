/**
 * Deep merge for stack-config overrides: objects merge key by key, arrays of
 * objects with a `name` merge by name (so one instance can be tuned without
 * restating the others), other arrays and scalars replace.
 */
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
  if (isPlainObject(base) && isPlainObject(override)) {
    const result: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) result[key] = merge(base[key], value);
    return result;
  }
  return override;
}

function isNamedList(list: unknown[]): list is Array<{ name: unknown }> {
  return list.every(item => isPlainObject(item) && typeof item.name === 'string');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
