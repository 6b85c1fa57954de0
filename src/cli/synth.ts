import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ENVIRONMENTS, EnvironmentConfig, loadEnvironment, pulumiRefusal } from '../config';
import { readStackFile, resolveStack } from '../config/stack-config';
import { toYaml } from '../../constructs/lib/yaml';
import { ChartFile, ManifestObject, RenderedFile, renderEnvironment, renderEnvironmentAndObjects } from '../render';
import { parseArgs } from 'util';
import { ENV_MARKER, envMarkerContent, OutputError, writeOutput } from './output';
import type { SynthModule } from './watch';

const HELP = `usage: npm run synth -- [--env <name>]... [--out <dir>] [--check] [--prune] [--watch]
       npm run synth -- --stack-config Pulumi.<stack>.yaml --out <dir>
       npm run synth -- --print-config <env> [--stack-config Pulumi.<stack>.yaml]

Renders every environment (or the ones named with --env) into <dir>/<env>/
(default dist/). Configuration is validated first; on any error nothing is
written and the exit status is 1.

Synth only ever replaces folders it wrote itself (each holds a ${ENV_MARKER}
file); anything else in <dir> is left alone. Two synths writing one folder
run one after the other.

  --env <name>   render only this environment (repeatable); known: ${Object.keys(ENVIRONMENTS).join(', ')}
  --out <dir>    output directory (default: dist)
  --check        render in memory and compare with <dir>; exit 1 if they differ
  --prune        delete <dir>/<env>/ folders of environments that no longer exist
                 (only in a folder synth created; without it, synth refuses and names them)
  --watch        keep running: after each save under src/ or constructs/, validate and
                 render again, write the environments that changed and print, per
                 environment, the objects added, removed and changed; on an error print
                 it and keep the last good output (Ctrl-C stops)
  --stack-config <file>
                 render what \`pulumi up\` on that stack deploys (its dockercoins:environment
                 and dockercoins:overrides, the same loader and schema as the Pulumi program)
                 into <dir>/<stack>/; --out is required and may not be dist/
  --print-config <env>
                 print the merged, validated config of <env> (with --stack-config: of that stack) as YAML
  --help         show this help

Exit status: 0 written (or up to date), 1 refused or failed (nothing lost), 2 bad arguments.
`;

interface Options { envs: string[]; out: string; outGiven: boolean; check: boolean; prune: boolean; watch: boolean; stackConfig?: string; printConfig?: string }

class UsageError extends Error {}

function parseOptions(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: 'string', multiple: true },
        out: { type: 'string' },
        check: { type: 'boolean' },
        prune: { type: 'boolean' },
        watch: { type: 'boolean' },
        'stack-config': { type: 'string' },
        'print-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    // node's parseArgs says "argument is ambiguous" for `--env --out x`: say what to write instead.
    const option = /^Option '(--[a-z-]+)/.exec((e as Error).message)?.[1];
    if ((e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option && /argument (missing|is ambiguous)/.test((e as Error).message)) {
      throw new UsageError(`${option} needs a value: ${option} <value> (or ${option}=<value> when the value starts with -)`);
    }
    throw new UsageError((e as Error).message);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out needs a folder');
  if (values.watch && (values.check || values['stack-config'] !== undefined || values['print-config'] !== undefined)) {
    throw new UsageError(`--watch renders every save into <dir>: drop ${values.check ? '--check' : values['stack-config'] !== undefined ? '--stack-config' : '--print-config'}`);
  }
  const envs = values.env ?? [];
  const known = Object.keys(ENVIRONMENTS);
  for (const env of envs) {
    if (!known.includes(env)) throw new UsageError(`--env ${JSON.stringify(env)}: unknown environment; known: ${known.join(', ')}`);
  }
  if (values.prune && envs.length > 0) throw new UsageError('--prune needs every environment rendered: drop --env');
  const stackConfig = values['stack-config'];
  const printConfig = values['print-config'];
  if (printConfig !== undefined && !stackConfig && !known.includes(printConfig)) throw new UsageError(`--print-config ${JSON.stringify(printConfig)}: unknown environment; known: ${known.join(', ')}`);
  if (stackConfig !== undefined && printConfig === undefined) {
    if (envs.length > 0 || values.prune || values.check) throw new UsageError('--stack-config renders one stack: drop --env, --prune and --check');
    if (values.out === undefined) throw new UsageError('--stack-config needs --out <dir> (dist/ holds the environments, not stacks)');
    if (path.resolve(values.out) === path.resolve('dist')) throw new UsageError(`--out ${values.out}: dist/ holds the environments as synth renders them; render a stack elsewhere`);
  }
  return { envs: [...new Set(envs)], out: values.out ?? 'dist', outGiven: values.out !== undefined, check: values.check ?? false, prune: values.prune ?? false, watch: values.watch ?? false, stackConfig, printConfig };
}

/** Renders environments in memory; throws ConfigError listing every invalid environment. */
export function renderAll(names: string[]): Map<string, RenderedFile[]> {
  return new Map([...renderAllWithObjects(names)].map(([env, r]) => [env, r.files]));
}

/** One environment as renderAll renders it, with its objects. */
export interface RenderedEnvironment {
  readonly files: RenderedFile[];
  /** Every chart's objects, in deployment order (renderCharts). */
  readonly objects: ManifestObject[];
  /** The same objects by the manifest file that holds them. */
  readonly chartFiles: readonly ChartFile[];
}

/** renderAll, with each environment's objects (for `synth --watch`'s summary). */
export function renderAllWithObjects(names: string[]): Map<string, RenderedEnvironment> {
  const errors: ConfigError[] = [];
  const configs = names.flatMap(name => {
    try { return [loadEnvironment(name)]; } catch (e) {
      if (e instanceof ConfigError) { errors.push(e); return []; }
      throw e;
    }
  });
  if (errors.length > 0) throw new AggregateConfigError(errors);
  return new Map(configs.map(env => [env.name, renderEnvironmentAndObjects(env, { topology: true })]));
}

export class AggregateConfigError extends Error {
  constructor(public readonly errors: ConfigError[]) {
    super(errors.map(e => e.message).join('\n'));
  }
}

/** Files that differ between the rendered output and <out>; empty when up to date. */
export function staleFiles(out: string, rendered: Map<string, RenderedFile[]>): string[] {
  const stale: string[] = [];
  for (const [env, files] of rendered) {
    const dir = path.join(out, env);
    const expected = new Set([ENV_MARKER, ...files.map(f => f.name)]);
    const marker = path.join(dir, ENV_MARKER);
    if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== envMarkerContent(env)) stale.push(marker);
    for (const file of files) {
      const p = path.join(dir, file.name);
      if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== file.content) stale.push(p);
    }
    for (const name of filesUnder(dir)) if (!expected.has(name)) stale.push(path.join(dir, ...name.split('/')));
  }
  return stale.sort();
}

/** Every file under `dir`, as `/`-separated names relative to it (rendered names of sub-folder files look the same); an empty folder counts as an entry. */
export function filesUnder(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const name = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) {
      const inside = filesUnder(path.join(dir, e.name), name);
      out.push(...(inside.length > 0 ? inside : [name]));
    } else out.push(name);
  }
  return out;
}

/**
 * Crash testing: DOCKERCOINS_SYNTH_KILL_AT=<step prefix> makes the process
 * SIGKILL itself right before that write step (test/cli/output.test.ts), so
 * the kill tests can stop synth at every step, not only where a timer lands.
 */
function killHook(): ((step: string) => void) | undefined {
  const at = process.env.DOCKERCOINS_SYNTH_KILL_AT;
  if (!at) return undefined;
  return step => { if (step.startsWith(at)) process.kill(process.pid, 'SIGKILL'); };
}

export function main(argv: string[]): number | Promise<number> {
  let options: Options | 'help';
  try { options = parseOptions(argv); } catch (e) {
    process.stderr.write(`synth: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (options === 'help') { process.stdout.write(HELP); return 0; }
  if (options.printConfig !== undefined || options.stackConfig !== undefined) return stackMain(options);
  if (options.watch) {
    const { watch } = require('./watch') as typeof import('./watch');
    // loadSynth: this module, loaded again once what it imports changed (watch drops changed modules from require's cache).
    return watch({ envs: options.envs, out: options.out, prune: options.prune, loadSynth: () => require(__filename) as SynthModule });
  }
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
  try {
    const result = writeOutput(options.out, rendered, { allEnvironments: options.envs.length === 0, prune: options.prune, beforeStep: killHook() });
    for (const line of result.recovered) process.stderr.write(`synth: recovered an interrupted run: ${line}\n`);
  } catch (e) {
    if (e instanceof OutputError) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
  for (const [env, files] of rendered) process.stdout.write(`${options.out}/${env}/: ${files.map(f => f.name).join(', ')}\n`);
  return 0;
}

/** --print-config and --stack-config: what one environment or stack resolves to. */
function stackMain(options: Options): number {
  let env: EnvironmentConfig;
  let stack: string;
  try {
    if (options.stackConfig) {
      const file = readStackFile(options.stackConfig);
      stack = file.stack;
      env = resolveStack(file.stack, file.settings);
    } else {
      stack = options.printConfig!;
      env = loadEnvironment(stack);
    }
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`${e.message}\nNothing was written.\n`); return 1; }
    throw e;
  }
  if (options.printConfig !== undefined) {
    process.stdout.write(toYaml(env as unknown as Record<string, unknown>));
    return 0;
  }
  // `pulumi up` refuses an environment another engine delivers: so does rendering what it would deploy.
  const refusal = pulumiRefusal(env);
  if (refusal) { process.stderr.write(`synth: --stack-config ${options.stackConfig}: ${refusal}\nNothing was written.\n`); return 1; }
  // What `pulumi up` deploys carries managed-by: pulumi.
  const rendered = new Map([[stack, renderEnvironment(env, { topology: true, engine: 'pulumi' })]]);
  try {
    writeOutput(options.out, rendered, { allEnvironments: false, prune: false, beforeStep: killHook() });
  } catch (e) {
    if (e instanceof OutputError) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
  process.stdout.write(`${options.out}/${stack}/: what \`pulumi up -s ${stack}\` deploys (environment ${env.name}): ${rendered.get(stack)!.map(f => f.name).join(', ')}\n`);
  return 0;
}
