/**
 * One loader for what a Pulumi stack deploys, used by the Pulumi program
 * (src/pulumi/index.ts) and by `npm run synth -- --stack-config
 * Pulumi.<stack>.yaml`, so a reviewer sees an override's effect as YAML
 * before `pulumi up`. Stack = environment unless `dockercoins:environment`
 * says otherwise; `dockercoins:overrides` merges by name and is validated by
 * the same schema.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './errors';
import { EnvironmentConfig, loadEnvironment } from './index';

/** The project's config keys a stack may set (Pulumi.yaml `config:` and the secrets the charts declare). */
export const PROJECT = 'dockercoins';

export interface StackSettings {
  /** `dockercoins:environment`. @default - the stack name */
  readonly environment?: string;
  /** `dockercoins:overrides`. @default - none */
  readonly overrides?: unknown;
}

/** The validated environment a stack deploys. */
export function resolveStack(stack: string, settings: StackSettings): EnvironmentConfig {
  return loadEnvironment(settings.environment ?? stack, settings.overrides);
}

/** Stack name of a `Pulumi.<stack>.yaml` path. */
export function stackNameOf(file: string): string | undefined {
  return /^Pulumi\.([^.]+)\.yaml$/.exec(path.basename(file))?.[1];
}

/**
 * Reads a stack file as the Pulumi CLI would (strict YAML, `config:` keys
 * `<namespace>:<name>`), returning the project's settings. Secure values of
 * other keys are ignored; an overrides value must be a plain object.
 */
export function readStackFile(file: string): { stack: string; settings: StackSettings } {
  const stack = stackNameOf(file);
  const where = `--stack-config ${file}`;
  if (!stack) throw new ConfigError('(stack)', [`${where}: the file name must be Pulumi.<stack>.yaml (the stack name comes from it)`]);
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new ConfigError(stack, [`${where}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new ConfigError(stack, doc.errors.map(e => {
      const { line, col } = lines.linePos(e.pos[0]);
      return `${where}: not valid YAML: ${e.message.split('\n')[0]} (line ${line}, column ${col})`;
    }));
  }
  const root = (doc.toJS() ?? {}) as Record<string, unknown>;
  const config = (root.config ?? {}) as Record<string, unknown>;
  if (typeof config !== 'object' || Array.isArray(config)) throw new ConfigError(stack, [`${where}: config must be a mapping of <namespace>:<name> keys`]);
  const problems: string[] = [];
  for (const key of Object.keys(config)) {
    if (!/^[^:]+:[^:]+$/.test(key)) problems.push(`${where}: config key "${key}" is not of the form <namespace>:<name> (the Pulumi CLI refuses it)`);
    else if (key.startsWith(`${PROJECT}:`) && !['environment', 'overrides'].includes(key.slice(PROJECT.length + 1)) && !isSecure(config[key])) {
      problems.push(`${where}: config key "${key}" is not a setting of this project (dockercoins:environment, dockercoins:overrides, or a secret set with --secret)`);
    }
  }
  const environment = config[`${PROJECT}:environment`];
  if (environment !== undefined && typeof environment !== 'string') problems.push(`${where}: dockercoins:environment must be a string, got ${JSON.stringify(environment)}`);
  if (problems.length > 0) throw new ConfigError(stack, problems);
  return { stack, settings: { environment: environment as string | undefined, overrides: config[`${PROJECT}:overrides`] } };
}

function isSecure(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { secure?: unknown }).secure === 'string';
}
