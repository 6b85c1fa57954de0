import type { z } from 'zod';
import { issueReason, listItemKey } from '../../constructs/lib/schema';

/** A configuration that must not render. Lists every problem, each naming the environment and the field. */
export class ConfigError extends Error {
  constructor(public readonly environment: string, public readonly problems: readonly string[]) {
    super(`Invalid configuration for environment "${environment}":\n${problems.map(p => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Lists whose items are named: paths show the name (`dockercoins[blue]`) when it is unique in the list. */
const NAMED_LISTS = new Set(['dockercoins', 'storageClasses']);

/** A zod path as a config path, naming list items by their `name` where it identifies them. */
export function formatPath(path: readonly PropertyKey[], input: unknown): string {
  let out = '';
  let value: unknown = input;
  let parentKey: PropertyKey | undefined;
  for (const key of path) {
    if (typeof key === 'number') {
      const list = Array.isArray(value) ? value : [];
      out += `[${NAMED_LISTS.has(String(parentKey)) ? listItemKey(list, key) : key}]`;
    } else {
      out += out === '' ? String(key) : `.${String(key)}`;
    }
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    parentKey = key;
  }
  return out;
}

/** Field names a strict object at `path` accepts (for "unknown field" messages). */
export function knownFields(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: any = schema;
  const unwrap = () => {
    for (;;) {
      const def = current?._zod?.def;
      if (!def) return;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') current = def.innerType;
      else if (def.type === 'pipe') current = def.in;
      else return;
    }
  };
  for (const key of path) {
    unwrap();
    const def = current?._zod?.def;
    if (def?.type === 'object') current = def.shape[key as string];
    else if (def?.type === 'array') current = def.element;
    else if (def?.type === 'record') current = def.valueType;
    else return [];
  }
  unwrap();
  const def = current?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape).sort() : [];
}

/** Every zod issue as `path: reason` lines, in the project's style. */
export function issueLines(error: z.ZodError, input: unknown, schema: z.ZodType): string[] {
  return error.issues.flatMap(issue => {
    if (issue.code === 'unrecognized_keys') {
      const fields = knownFields(schema, issue.path);
      return issue.keys.map(key => `${formatPath([...issue.path, key], input)}: unknown field; the fields here are ${fields.join(', ')}`);
    }
    const path = formatPath(issue.path, input) || '(top level)';
    const last = issue.path[issue.path.length - 1];
    if (issue.code === 'invalid_type' && issue.expected === 'array' && NAMED_LISTS.has(String(last))) {
      return [`${path}: must be a list of named items (each with a name; overrides merge by name: [{ name: ..., ... }]), got ${describeKind((issue as { input?: unknown }).input)}`];
    }
    return [`${path}: ${issueReason(issue as never)}`];
  });
}

function describeKind(value: unknown): string {
  if (value === undefined) return 'nothing';
  return Array.isArray(value) ? 'a list' : typeof value === 'object' && value !== null ? 'an object' : JSON.stringify(value);
}
