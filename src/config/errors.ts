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
export function knownFields(schema: z.ZodType, path: readonly PropertyKey[], input?: unknown): string[] {
  let current: any = schema;
  let value: any = input;
  const unwrap = () => {
    for (;;) {
      const def = current?._zod?.def;
      if (!def) return;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') current = def.innerType;
      else if (def.type === 'pipe') current = def.in;
      // A (discriminated) union of objects: the option whose literal fields the input matches
      // (`certificates: { source: 'cert-manager', ... }` lists cert-manager's fields).
      else if (def.type === 'union') current = unionOption(def.options, value) ?? def.options[0];
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
    value = value !== null && typeof value === 'object' ? value[key as string] : undefined;
  }
  unwrap();
  const def = current?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape).sort() : [];
}

/** The object option of a union whose literal fields all equal the input's. */
function unionOption(options: readonly any[], value: unknown): any {
  if (value === null || typeof value !== 'object') return undefined;
  return options.find(o => {
    let inner = o;
    while (inner?._zod?.def && ['optional', 'default', 'prefault', 'pipe'].includes(inner._zod.def.type)) inner = inner._zod.def.innerType ?? inner._zod.def.in;
    const shape = inner?._zod?.def?.type === 'object' ? inner._zod.def.shape : undefined;
    if (!shape) return false;
    const literals = Object.entries(shape).filter(([, f]: [string, any]) => f?._zod?.def?.type === 'literal');
    return literals.length > 0 && literals.every(([k, f]: [string, any]) => f._zod.def.values.includes((value as Record<string, unknown>)[k]));
  });
}

/** Every zod issue as `path: reason` lines, in the project's style. */
export function issueLines(error: z.ZodError, input: unknown, schema: z.ZodType): string[] {
  return error.issues.flatMap(issue => {
    if (issue.code === 'unrecognized_keys') {
      const fields = knownFields(schema, issue.path, input);
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
