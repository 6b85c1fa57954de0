import { dev } from './environments/dev';
import { prod } from './environments/prod';
import { staging } from './environments/staging';
import { environmentFile } from './delivery';
import { ConfigError, issueLines } from './errors';
import { mergeOverrides, NamedItemFinding, namedItemFindings } from './merge';
import { environmentSchema, EnvironmentConfig, EnvironmentOverlay } from './schema';
import { activeComponents, wiringProblems } from './wiring';

export * from './schema';
export { ConfigError } from './errors';
export { DELIVERY_ENGINES, pulumiRefusal } from './delivery';
export type { DeliveryConfig, DeliveryEngine } from './delivery';

/** Every environment file (overlays on the component defaults), in rendering order. */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentOverlay>> = { dev, staging, prod };

/**
 * Validates an environment (an overlay, or a full config) and returns it with
 * defaults filled in; throws a ConfigError listing every problem, each with
 * its path from the top of the config. The same function validates
 * environment files, Pulumi overrides and tests.
 */
export function validateEnvironment(input: unknown): EnvironmentConfig {
  const name = typeof (input as { name?: unknown })?.name === 'string' ? (input as { name: string }).name : '(unnamed)';
  const parsed = environmentSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new ConfigError(name, issueLines(parsed.error, input, environmentSchema));
  const env = parsed.data;
  const active = activeComponents(env);
  const problems = [
    ...active.flatMap(a => a.component.check?.(a.config, env, env) ?? []),
    ...wiringProblems(env, active),
  ];
  if (problems.length > 0) throw new ConfigError(name, problems.map(p => `${p.path}: ${p.reason}`));
  return env;
}

/**
 * The validated configuration of an environment, with optional overrides
 * (from Pulumi stack config or `synth --stack-config`) merged in by name and
 * validated the same way: misspelt or misplaced fields are refused by path.
 */
export function loadEnvironment(name: string, overrides?: unknown): EnvironmentConfig {
  const base = ENVIRONMENTS[name];
  if (!base) {
    throw new ConfigError(name, [`environment: unknown environment "${name}"; known: ${Object.keys(ENVIRONMENTS).join(', ')}`]);
  }
  const env = validateEnvironment(base);
  if (overrides === undefined) return env;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new ConfigError(name, [`overrides: must be an object of environment fields (e.g. { dockercoins: [{ name: dockercoins, worker: { replicas: 4 } }] }), got ${Array.isArray(overrides) ? 'a list' : JSON.stringify(overrides)}`]);
  }
  if ('name' in overrides && (overrides as { name: unknown }).name !== name) {
    throw new ConfigError(name, ['name: cannot be overridden (it is the environment itself; select another stack or set dockercoins:environment)']);
  }
  if ('delivery' in overrides) {
    // A stack choosing another engine would make two engines own one environment.
    throw new ConfigError(name, [`delivery: cannot be overridden: ${environmentFile(name)} chooses the one engine that delivers ${name} (${env.delivery.engine}); change it there`]);
  }
  // Lists of named items merge by name: an item without one would replace the whole list, a new name adds an item.
  const items = namedItemFindings(env, overrides);
  if (items.unnamed.length > 0) {
    throw new ConfigError(name, items.unnamed.map(i => `${i.path}: has no name, but override items of ${i.list} merge by name into those of ${name} (${i.known.join(', ')}): name the item to change, e.g. [{ name: ${i.known[0]}, ... }]`));
  }
  try {
    return validateEnvironment(mergeOverrides(env, overrides));
  } catch (e) {
    if (!(e instanceof ConfigError) || items.added.length === 0) throw e;
    throw new ConfigError(name, collapseAddedItems(e.problems, items.added, name));
  }
}

/**
 * An override item whose name matches none of the base (often a typo of the
 * name) adds a new item, which then lacks every required field: one line
 * naming the known items says so, instead of one "got nothing" per field.
 */
function collapseAddedItems(problems: readonly string[], added: readonly NamedItemFinding[], env: string): string[] {
  const out = [...problems];
  for (const item of added) {
    const missing = out.filter(p => p.startsWith(`${item.path}.`) && p.endsWith(', got nothing'));
    if (missing.length === 0) continue;
    const fields = missing.map(p => p.slice(item.path.length + 1, p.indexOf(': ')));
    const at = out.indexOf(missing[0]);
    const line = `${item.path}: "${item.name}" matches no item of ${item.list} in ${env} (${item.known.join(', ')}), so the override adds a new item, which lacks ${fields.join(', ')}: correct the name to change an existing item, or give every field of a new one`;
    out.splice(at, 1, line);
    for (const p of missing.slice(1)) out.splice(out.indexOf(p), 1);
  }
  return out;
}
