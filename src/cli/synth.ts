import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ENVIRONMENTS, loadEnvironment } from '../config';
import { RenderedFile, renderEnvironment } from '../render';

const HELP = `usage: npm run synth -- [--env <name>]... [--out <dir>] [--check]

Renders every environment (or the ones named with --env) into <dir>/<env>/
(default dist/). Configuration is validated first; on any error nothing is
written and the exit status is 1.

  --env <name>   render only this environment (repeatable); known: ${Object.keys(ENVIRONMENTS).join(', ')}
  --out <dir>    output directory (default: dist)
  --check        render in memory and compare with <dir>; exit 1 if they differ
  --help         show this help
`;

interface Options { envs: string[]; out: string; check: boolean }

function parseArgs(argv: string[]): Options | string {
  const options: Options = { envs: [], out: 'dist', check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return HELP;
    if (arg === '--check') { options.check = true; continue; }
    if (arg === '--env' || arg === '--out') {
      const value = argv[++i];
      if (!value || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      if (arg === '--env') options.envs.push(value); else options.out = value;
      continue;
    }
    throw new UsageError(`unknown argument "${arg}"`);
  }
  return options;
}

class UsageError extends Error {}

/** Renders environments in memory; throws ConfigError listing every invalid environment. */
export function renderAll(names: string[]): Map<string, RenderedFile[]> {
  const errors: ConfigError[] = [];
  const configs = names.flatMap(name => {
    try { return [loadEnvironment(name)]; } catch (e) {
      if (e instanceof ConfigError) { errors.push(e); return []; }
      throw e;
    }
  });
  if (errors.length > 0) throw new AggregateConfigError(errors);
  return new Map(configs.map(env => [env.name, renderEnvironment(env, { topology: true })]));
}

export class AggregateConfigError extends Error {
  constructor(public readonly errors: ConfigError[]) {
    super(errors.map(e => e.message).join('\n'));
  }
}

/**
 * Replaces <out>/<env>/ for each rendered environment. Everything is rendered
 * before the first write, and each folder is swapped in by rename, so a failed
 * render leaves the previous output untouched.
 */
export function writeRendered(out: string, rendered: Map<string, RenderedFile[]>, pruneOthers: boolean): void {
  fs.mkdirSync(out, { recursive: true });
  const staged = [...rendered.entries()].map(([env, files]) => {
    const tmp = path.join(out, `.tmp-${env}-${process.pid}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp);
    for (const file of files) fs.writeFileSync(path.join(tmp, file.name), file.content);
    return { env, tmp };
  });
  for (const { env, tmp } of staged) {
    const target = path.join(out, env);
    const old = path.join(out, `.old-${env}-${process.pid}`);
    if (fs.existsSync(target)) fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
  }
  if (pruneOthers) {
    for (const entry of fs.readdirSync(out, { withFileTypes: true })) {
      if (entry.isDirectory() && !rendered.has(entry.name)) fs.rmSync(path.join(out, entry.name), { recursive: true, force: true });
    }
  }
}

/** Files that differ between the rendered output and <out>; empty when up to date. */
export function staleFiles(out: string, rendered: Map<string, RenderedFile[]>): string[] {
  const stale: string[] = [];
  for (const [env, files] of rendered) {
    const dir = path.join(out, env);
    const expected = new Set(files.map(f => f.name));
    for (const file of files) {
      const p = path.join(dir, file.name);
      if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== file.content) stale.push(p);
    }
    if (fs.existsSync(dir)) for (const name of fs.readdirSync(dir)) if (!expected.has(name)) stale.push(path.join(dir, name));
  }
  return stale.sort();
}

export function main(argv: string[]): number {
  let options: Options | string;
  try { options = parseArgs(argv); } catch (e) {
    process.stderr.write(`synth: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (typeof options === 'string') { process.stdout.write(options); return 0; }
  const names = options.envs.length > 0 ? options.envs : Object.keys(ENVIRONMENTS);
  let rendered: Map<string, RenderedFile[]>;
  try {
    rendered = renderAll(names);
  } catch (e) {
    if (e instanceof AggregateConfigError) {
      process.stderr.write(`${e.message}\nNothing was written: ${options.out}/ is unchanged.\n`);
      return 1;
    }
    process.stderr.write(`synth failed while rendering: ${(e as Error).stack ?? e}\nNothing was written: ${options.out}/ is unchanged.\n`);
    return 1;
  }
  if (options.check) {
    const stale = staleFiles(options.out, rendered);
    if (stale.length > 0) {
      process.stderr.write(`${options.out}/ is out of date with the code; run \`npm run synth\` and commit:\n${stale.map(s => `  ${s}`).join('\n')}\n`);
      return 1;
    }
    process.stdout.write(`${options.out}/ is up to date (${names.join(', ')}).\n`);
    return 0;
  }
  writeRendered(options.out, rendered, options.envs.length === 0);
  for (const [env, files] of rendered) process.stdout.write(`${options.out}/${env}/: ${files.map(f => f.name).join(', ')}\n`);
  return 0;
}
