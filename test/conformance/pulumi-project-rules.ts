/**
 * The Pulumi CLI's own rules for Pulumi.yaml and Pulumi.<stack>.yaml, as read
 * in pulumi/pulumi at commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8
 * (2026-08-21). Mocks never see these: the CLI applies them before the
 * program starts. Each rule cites where it lives.
 *
 * - sdk/go/common/workspace/project.json: the project schema (top-level
 *   properties; `runtime` is a string or {name, options}; a config entry is a
 *   string/integer/boolean/array value or a ConfigTypeDeclaration with only
 *   type, items, description, secret, default, value; type is one of
 *   string, integer, boolean, array, object; an array type needs `items`).
 * - sdk/go/common/workspace/project.go, ValidateProject and Project.Validate:
 *   a non-empty `name`; not both `default` and `value`; a key namespaced by
 *   the project (no `:` or `<project>:` prefix) may be typed and its default
 *   must match the type (ValidateConfigValue); a key of another namespace
 *   must not declare a type or a default and must give a `value`.
 * - pkg/workspace/config.go, mergeConfig: a project-namespaced key with
 *   neither `default` nor `value` is REQUIRED on every stack: "Stack '<s>' is
 *   missing configuration value '<k>'" and nothing runs.
 *   validateStackConfigValue: a stack value of a typed key must match the type
 *   (`must be of type`); a `secret: true` key must be encrypted.
 * - sdk/go/common/resource/config/key.go, ParseKey: stack config keys are
 *   `<namespace>:<name>` (or the legacy `<ns>:config:<name>`).
 */
import { isRecord } from '../../constructs/lib/record';

export type Problem = string;

// project.json's properties, plus `requiredPulumiVersion` (a Project field in project.go, a semver range
// checked against the CLI; the JSON schema admits it through additionalProperties: true).
const PROJECT_PROPERTIES = new Set(['name', 'description', 'author', 'website', 'license', 'runtime', 'main', 'config', 'stackConfigDir', 'backend', 'options', 'template', 'packages', 'plugins', 'requiredPulumiVersion']);
const DECLARATION_FIELDS = new Set(['type', 'items', 'description', 'secret', 'default', 'value']);
const SIMPLE_TYPES = new Set(['string', 'integer', 'boolean', 'array', 'object']);

interface Declaration { type?: string; items?: { type: string; items?: unknown }; default?: unknown; value?: unknown; secret?: boolean }

/** ValidateConfigValue in project.go: does a value match a declared type? */
export function matchesType(type: string, items: Declaration['items'], value: unknown): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    // YAML numbers arrive as floats; whole numbers and integer strings pass.
    case 'integer': return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^[+-]?\d+$/.test(value));
    case 'boolean': return typeof value === 'boolean' || value === 'true' || value === 'false';
    case 'object': return isRecord(value);
    case 'array': return Array.isArray(value) && items !== undefined && value.every(v => matchesType(items.type, items.items as Declaration['items'], v));
    default: return false;
  }
}

/** The key as the CLI parses it (parseConfigKey + ParseKey): [namespace, name], or undefined when unparsable. */
export function parseConfigKey(projectName: string, key: string): [string, string] | undefined {
  const colons = key.split(':').length - 1;
  if (colons === 0) return [projectName, key];
  if (colons === 1) { const i = key.indexOf(':'); return [key.slice(0, i), key.slice(i + 1)]; }
  if (colons === 2) { const [ns, mod, name] = key.split(':'); return mod === 'config' ? [ns, name] : undefined; }
  return undefined;
}

/** Problems the CLI reports for a project file alone. */
export function checkProject(project: unknown): Problem[] {
  if (!isRecord(project)) return ['project must be a mapping'];
  const problems: Problem[] = [];
  if (typeof project.name !== 'string' || project.name === '') problems.push("project is missing a non-empty string 'name' attribute");
  for (const key of Object.keys(project)) if (!PROJECT_PROPERTIES.has(key)) problems.push(`${key}: not a project property`);
  const runtime = project.runtime;
  if (!(typeof runtime === 'string' && runtime !== '') && !(isRecord(runtime) && typeof runtime.name === 'string' && runtime.name !== '' && Object.keys(runtime).every(k => k === 'name' || k === 'options'))) {
    problems.push('runtime: must be a runtime name or {name, options}');
  }
  const config = project.config ?? {};
  if (!isRecord(config)) return [...problems, 'config: must be a mapping of keys to declarations'];
  const name = String(project.name);
  for (const [key, raw] of Object.entries(config)) {
    if (!isRecord(raw)) continue; // a plain value
    for (const field of Object.keys(raw)) if (!DECLARATION_FIELDS.has(field)) problems.push(`config.${key}.${field}: not allowed in a config declaration`);
    const decl = raw as Declaration;
    if (decl.default !== undefined && decl.value !== undefined) problems.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    const byProject = !key.includes(':') || key.startsWith(`${name}:`);
    if (byProject) {
      if (decl.type !== undefined && !SIMPLE_TYPES.has(decl.type)) problems.push(`config.${key}.type: must be one of ${[...SIMPLE_TYPES].join(', ')}`);
      if (decl.type === 'array' && decl.items === undefined) problems.push(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
      if (decl.type !== undefined && decl.default !== undefined && !matchesType(decl.type, decl.items, decl.default)) {
        problems.push(`The default value specified for configuration key '${key}' is not of the expected type '${decl.type}'`);
      }
    } else {
      if (decl.type !== undefined) problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
      if (decl.default !== undefined) problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a default value`);
      if (decl.value === undefined) problems.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
    }
  }
  return problems;
}

/** Problems the CLI reports before running the program on a stack (mergeConfig + validateStackConfigValues). */
export function checkStack(project: Record<string, unknown>, stackName: string, stackFile: unknown): Problem[] {
  const problems: Problem[] = [];
  const name = String(project.name);
  const stackConfig = isRecord(stackFile) && stackFile.config !== undefined ? stackFile.config : {};
  if (!isRecord(stackConfig)) return [`Pulumi.${stackName}.yaml: config must be a mapping`];
  const values = new Map<string, unknown>();
  for (const [key, value] of Object.entries(stackConfig)) {
    const parsed = parseConfigKey(name, key);
    if (!parsed || !key.includes(':')) {
      problems.push(`could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
      continue;
    }
    values.set(parsed.join(':'), value);
  }
  const declared = isRecord(project.config) ? project.config : {};
  const missing: string[] = [];
  for (const key of Object.keys(declared).sort()) {
    const parsed = parseConfigKey(name, key);
    if (!parsed) { problems.push(`could not parse ${key} as a configuration key`); continue; }
    const decl = (isRecord(declared[key]) ? declared[key] : { value: declared[key] }) as Declaration;
    const found = values.has(parsed.join(':'));
    if (!found && decl.default === undefined && decl.value === undefined && parsed[0] === name) { missing.push(key); continue; }
    if (!found || decl.type === undefined) continue;
    const value = values.get(parsed.join(':'));
    const secure = isRecord(value) && typeof value.secure === 'string';
    if (decl.secret && !secure) problems.push(`Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`);
    if (!secure && !matchesType(decl.type, decl.items, value)) problems.push(`Stack '${stackName}' with configuration key '${key}' must be of type '${decl.type}'`);
  }
  if (missing.length === 1) problems.push(`Stack '${stackName}' is missing configuration value '${missing[0]}'`);
  if (missing.length > 1) problems.push(`Stack '${stackName}' is missing configuration values ${missing.slice(0, -1).map(k => `'${k}'`).join(', ')} and '${missing[missing.length - 1]}'`);
  return problems;
}
