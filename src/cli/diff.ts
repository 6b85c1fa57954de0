/**
 * `diff`: semantic diff of rendered manifests (src/analysis/diff.ts).
 *
 *   diff [--env <env>] [--ref <git-ref>] [--against <env>] [--dist <dir>] [--format text|markdown]
 *
 * Options are parsed by node's util.parseArgs (strict): `--env prod` and
 * `--env=prod` both work, an unknown option is refused (exit 2).
 *
 * Compares dist/<env> in the working tree with the same folder at a git ref
 * (default HEAD), or with another environment's folder (--against). Without
 * --env every environment folder of dist/ (working tree or ref) is compared.
 * Exit codes: 0 no differences, 1 differences, 2 error.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { K8sObject, compareStrings, isKustomizationFile, loadManifests, parseManifests } from '../analysis/objects';
import { diffManifests, ManifestDiff } from '../analysis/diff';
import { formatDiffMarkdown, formatDiffText } from '../analysis/diff-format';

/** Process surroundings, injectable for tests. */
export interface DiffCliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Working directory (default process.cwd()). */
  cwd?: string;
  /** Whether stdout is a terminal (colours); default process.stdout.isTTY. */
  isTTY?: boolean;
  /** Environment variables (NO_COLOR); default process.env. */
  env?: Record<string, string | undefined>;
}

export const USAGE = `usage: diff [--env <env>] [--ref <git-ref>] [--against <env>] [--dist <dir>] [--format text|markdown]

Semantic diff of rendered manifests, with risk flags (replacements, data
loss, widened RBAC, loosened NetworkPolicies and security contexts, scale
to zero, removed TLS, Secret values in the manifests). Options take their
value as --env prod or --env=prod.

  --env <env>        environment folder under the dist directory (default: all)
  --ref <git-ref>    compare with the committed manifests at this ref (default HEAD)
  --against <env>    compare with another environment's folder instead of git (needs --env)
  --dist <dir>       rendered manifests directory (default dist)
  --format <f>       text (default; coloured on a terminal unless NO_COLOR is set) or markdown
  -h, --help         show this help

Exit status: 0 no differences, 1 differences, 2 error.
`;

interface Options {
  env?: string;
  ref: string;
  against?: string;
  dist: string;
  format: 'text' | 'markdown';
}

class UsageError extends Error {}

const OPTIONS = {
  env: { type: 'string' },
  ref: { type: 'string' },
  against: { type: 'string' },
  dist: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * node's parseArgs errors, reworded to name the option and nothing else: an
 * unknown `--opt=value` may carry a secret, so its value is never echoed.
 */
function usageError(err: unknown): UsageError {
  const code = (err as { code?: string }).code;
  const message = String((err as Error).message ?? err);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      // node quotes the option without any `=value`.
      return new UsageError(`unknown option ${quoted}`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument ${quoted}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // e.g. `'--env <value>' argument missing`, `'-h, --help' does not take an argument`
      const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
      if (OPTIONS[option.slice(2) as keyof typeof OPTIONS]?.type === 'boolean') return new UsageError(`${option} takes no value`);
      // Ambiguous: the next argument starts with '-', so it is not taken as the value.
      const hint = message.includes('ambiguous') ? ` (write ${option}=<value> for a value starting with -)` : '';
      return new UsageError(`${option} needs a value${hint}`);
    }
    default:
      return new UsageError(message);
  }
}

function parseOptions(argv: string[]): Options | 'help' {
  let values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw usageError(err);
  }
  if (values.help) return 'help';
  for (const name of ['env', 'ref', 'against', 'dist', 'format'] as const) {
    if (values[name] === '') throw new UsageError(`--${name} needs a value`);
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'markdown') throw new UsageError(`--format must be text or markdown, not ${format}`);
  if (values.against !== undefined && values.env === undefined) throw new UsageError('--against needs --env');
  if (values.against !== undefined && values.ref !== undefined) throw new UsageError('--against and --ref cannot be combined');
  const ref = values.ref ?? 'HEAD';
  // A ref starting with '-' would be read by git as an option.
  if (ref.startsWith('-')) throw new UsageError(`invalid git ref ${ref}`);
  for (const env of [values.env, values.against]) {
    if (env !== undefined && (env.includes('/') || env.includes('\\') || env === '.' || env === '..')) throw new UsageError(`invalid environment name ${env}`);
  }
  return { env: values.env, ref, against: values.against, dist: values.dist ?? 'dist', format };
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err: any) {
    const detail = String(err?.stderr ?? err?.message ?? err).trim().split('\n')[0];
    throw new Error(`git ${args[0]} failed: ${detail}`);
  }
}

/** Reads manifests from a git tree; only what `git ls-tree` lists is read. */
class GitSource {
  readonly top: string;
  readonly distRel: string;

  constructor(
    private readonly ref: string,
    distAbs: string,
    cwd: string,
  ) {
    this.top = git(['rev-parse', '--show-toplevel'], cwd).trim();
    // Resolve symlinks on both sides so the relative path is correct (e.g. /tmp on macOS).
    const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : p);
    this.distRel = path.relative(real(this.top), path.join(real(path.dirname(distAbs)), path.basename(distAbs))).split(path.sep).join('/');
    if (this.distRel.startsWith('..')) throw new Error(`${distAbs} is outside the git repository ${this.top}`);
    try {
      git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], this.top);
    } catch {
      throw new Error(`unknown git ref ${ref}`);
    }
  }

  /** Environment folder names under dist/ at the ref. */
  environments(): string[] {
    const out = git(['ls-tree', '-d', '--name-only', '-z', this.ref, '--', `${this.distRel}/`], this.top);
    return out.split('\0').filter(Boolean).map((p) => p.slice(p.lastIndexOf('/') + 1));
  }

  /** Objects of dist/<env> at the ref, or undefined when the folder does not exist there. */
  load(env: string): K8sObject[] | undefined {
    const dir = `${this.distRel}/${env}`;
    const files = git(['ls-tree', '-r', '--name-only', '-z', this.ref, '--', `${dir}/`], this.top)
      .split('\0')
      .filter((f) => /\.(ya?ml|json)$/i.test(f) && !isKustomizationFile(f))
      .sort(compareStrings);
    if (files.length === 0) return undefined;
    return files.flatMap((f) => parseManifests(git(['show', `${this.ref}:${f}`], this.top), `${this.ref}:${f}`));
  }
}

function workingEnvironments(distAbs: string): string[] {
  if (!fs.existsSync(distAbs)) return [];
  return fs.readdirSync(distAbs, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
}

function loadWorking(distAbs: string, env: string): K8sObject[] | undefined {
  const dir = path.join(distAbs, env);
  return fs.existsSync(dir) ? loadManifests([dir]) : undefined;
}

/** Runs the CLI with `argv` (without node and script). Returns the exit code. */
export async function main(argv: string[], io: DiffCliIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseOptions(argv);
  } catch (err) {
    io.err(`diff: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    io.out(USAGE);
    return 0;
  }
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const color = opts.format === 'text' && (io.isTTY ?? process.stdout.isTTY === true) && !env.NO_COLOR;
  const distAbs = path.resolve(cwd, opts.dist);

  const results: Array<{ title: string; diff: ManifestDiff }> = [];
  try {
    if (opts.against !== undefined) {
      const envName = opts.env!;
      const before = loadWorking(distAbs, opts.against);
      const after = loadWorking(distAbs, envName);
      if (!before) throw new Error(`${path.join(opts.dist, opts.against)}: no such environment folder`);
      if (!after) throw new Error(`${path.join(opts.dist, envName)}: no such environment folder`);
      results.push({ title: `${envName} compared with ${opts.against}`, diff: diffManifests(before, after) });
    } else {
      const source = new GitSource(opts.ref, distAbs, cwd);
      const envs = opts.env !== undefined ? [opts.env] : [...new Set([...workingEnvironments(distAbs), ...source.environments()])].sort(compareStrings);
      if (envs.length === 0) throw new Error(`no environment folders in ${opts.dist} (working tree or ${opts.ref})`);
      for (const e of envs) {
        const before = source.load(e);
        const after = loadWorking(distAbs, e);
        if (!before && !after) throw new Error(`${path.join(opts.dist, e)}: no such environment folder (working tree or ${opts.ref})`);
        results.push({ title: `${e}: ${opts.ref} -> working tree`, diff: diffManifests(before ?? [], after ?? []) });
      }
    }
  } catch (err) {
    io.err(`diff: ${(err as Error).message}\n`);
    return 2;
  }

  for (const r of results) {
    if (opts.format === 'markdown') io.out(formatDiffMarkdown(r.diff, r.title) + '\n');
    else io.out(`=== ${r.title} ===\n${formatDiffText(r.diff, { color })}\n`);
  }
  return results.some((r) => r.diff.objects.length > 0) ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
