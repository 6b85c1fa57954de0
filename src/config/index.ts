import { dev } from './environments/dev';
import { prod } from './environments/prod';
import { staging } from './environments/staging';
import { mergeOverrides } from './merge';
import { EnvironmentConfig } from './types';
import { ConfigError, validateEnvironment } from './validate';

export * from './types';
export { ConfigError, validateEnvironment } from './validate';

/** Every environment, in rendering order. */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfig>> = { dev, staging, prod };

/**
 * Fields that may be absent from an environment yet set by an override. Any
 * other override key the environment lacks is a typo and is refused.
 */
const OPTIONAL_FIELDS = new Set(['storageClass', 'tlsSecretName', 'nodePort', 'persistence', 'storageClassName', 'tolerations',
  // stateful (src/config/sections/stateful.ts)
  'stateful', 'storageClasses', 'parameters', 'reclaimPolicy', 'volumeBindingMode', 'allowVolumeExpansion', 'isDefault', 'ui',
  // edge (src/config/sections/edge.ts)
  'edge', 'loadBalancer', 'dashboardHost', 'ingressHost', 'imageRegistry',
  // logging (src/config/sections/logging.ts)
  'logging', 'dockerRuntime']);

/**
 * The validated configuration of an environment, with optional overrides (from
 * Pulumi stack config) merged in and validated the same way.
 */
export function loadEnvironment(name: string, overrides?: unknown): EnvironmentConfig {
  const base = ENVIRONMENTS[name];
  if (!base) {
    throw new ConfigError(name, [`environment: unknown environment "${name}"; known: ${Object.keys(ENVIRONMENTS).join(', ')}`]);
  }
  if (overrides === undefined) return validateEnvironment(base);
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new ConfigError(name, ['overrides: must be an object of environment fields']);
  }
  const unknown = unknownFields(base, overrides, '');
  if (unknown.length > 0) throw new ConfigError(name, unknown.map(path => `${path}: unknown field (check the spelling against src/config/types.ts)`));
  const merged = mergeOverrides(base, overrides);
  if ('name' in overrides && (overrides as { name: unknown }).name !== name) {
    throw new ConfigError(name, ['name: cannot be overridden (it is the environment itself)']);
  }
  return validateEnvironment(merged);
}

function unknownFields(base: unknown, override: unknown, path: string): string[] {
  if (Array.isArray(override) && Array.isArray(base)) {
    const template = base[0];
    return override.flatMap((item, i) => {
      const match = base.find(b => isObject(b) && isObject(item) && b.name === item.name) ?? template;
      const label = isObject(item) && typeof item.name === 'string' ? item.name : String(i);
      return unknownFields(match, item, `${path}[${label}]`);
    });
  }
  if (!isObject(override) || !isObject(base)) return [];
  // Free-form maps (settings) accept any key.
  if (path.endsWith('.settings') || path.endsWith('.parameters')) return [];
  return Object.entries(override).flatMap(([key, value]) => {
    const child = path ? `${path}.${key}` : key;
    if (!(key in base)) return OPTIONAL_FIELDS.has(key) ? [] : [child];
    return unknownFields(base[key], value, child);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
