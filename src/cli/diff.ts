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
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { K8sObject, compareStrings, isKustomizationFile, loadManifests, manifestFiles, parseManifests } from '../analysis/objects';
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

/** A manifest file's text and where it came from (for parse errors). */
interface ManifestText { rel: string; source: string; text: string }

/** Git's object id of a blob with this content (`git hash-object`), computed in-process. */
function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * Reads manifests from a git tree; only what `git ls-tree` lists is read. One `ls-tree` lists every file
 * of the dist folder with its blob id; files whose bytes equal the working tree's are not read from git
 * at all, the others in one `git cat-file --batch`.
 */
class GitSource {
  readonly top: string;
  readonly distRel: string;
  /** dist-relative path (`prod/10-consul.k8s.yaml`) -> blob id, for every manifest file at the ref. */
  private readonly blobs = new Map<string, string>();

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
    // `<mode> blob <id>\t<path>` per file, NUL-terminated; paths are relative to the top (--full-tree).
    const prefix = this.distRel === '' ? '' : `${this.distRel}/`;
    const listing = git(['ls-tree', '-r', '--full-tree', '-z', ref, '--', prefix === '' ? '.' : prefix], this.top);
    for (const entry of listing.split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab < 0) continue;
      const [, type, id] = entry.slice(0, tab).split(' ');
      const file = entry.slice(tab + 1);
      if (type === 'blob' && file.startsWith(prefix) && /\.(ya?ml|json)$/i.test(file) && !isKustomizationFile(file)) this.blobs.set(file.slice(prefix.length), id);
    }
  }

  /** Environment folder names under dist/ at the ref. */
  environments(): string[] {
    return [...new Set([...this.blobs.keys()].filter((f) => f.includes('/')).map((f) => f.slice(0, f.indexOf('/'))))];
  }

  /**
   * Manifest files of dist/<env> at the ref (code-point order of their paths), or undefined when the folder
   * has none there. `working` maps dist-relative paths to the working tree's bytes: a file with the same
   * blob id is taken from there instead of git.
   */
  load(env: string, working: ReadonlyMap<string, Buffer>): ManifestText[] | undefined {
    const files = [...this.blobs.keys()].filter((f) => f.startsWith(`${env}/`)).sort(compareStrings);
    if (files.length === 0) return undefined;
    const texts = new Map<string, string>();
    const missing: string[] = [];
    for (const f of files) {
      const mine = working.get(f);
      if (mine !== undefined && blobId(mine) === this.blobs.get(f)) texts.set(f, mine.toString('utf8'));
      else missing.push(f);
    }
    if (missing.length > 0) {
      for (const [f, text] of this.catFiles(missing)) texts.set(f, text);
    }
    const at = (f: string) => `${this.ref}:${this.distRel === '' ? '' : `${this.distRel}/`}${f}`;
    return files.map((f) => ({ rel: f, source: at(f), text: texts.get(f)! }));
  }

  /** The contents of these dist-relative files at the ref, read by one `git cat-file --batch`. */
  private catFiles(files: readonly string[]): Map<string, string> {
    const ids = files.map((f) => this.blobs.get(f)!);
    let out: Buffer;
    try {
      out = execFileSync('git', ['cat-file', '--batch'], { cwd: this.top, input: ids.join('\n') + '\n', maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err: any) {
      throw new Error(`git cat-file failed: ${String(err?.stderr ?? err?.message ?? err).trim().split('\n')[0]}`);
    }
    // Each object: `<id> <type> <size>\n<size bytes>\n`.
    const texts = new Map<string, string>();
    let at = 0;
    files.forEach((f, i) => {
      const eol = out.indexOf(0x0a, at);
      const header = out.subarray(at, eol).toString('utf8').split(' ');
      if (header[0] !== ids[i] || header[1] !== 'blob') throw new Error(`git cat-file: unexpected answer for ${f}: ${header.join(' ')}`);
      const size = Number(header[2]);
      texts.set(f, out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
      at = eol + 1 + size + 1;
    });
    return texts;
  }
}

function workingEnvironments(distAbs: string): string[] {
  if (!fs.existsSync(distAbs)) return [];
  return fs.readdirSync(distAbs, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
}

/** The working tree's manifest files of dist/<env> (what `loadManifests` reads), by dist-relative path. */
function workingFiles(distAbs: string, env: string): Map<string, Buffer> | undefined {
  const dir = path.join(distAbs, env);
  if (!fs.existsSync(dir)) return undefined;
  const files = new Map<string, Buffer>();
  for (const file of manifestFiles(dir)) files.set(path.relative(distAbs, file).split(path.sep).join('/'), fs.readFileSync(file));
  return files;
}

function loadWorking(distAbs: string, env: string): K8sObject[] | undefined {
  const dir = path.join(distAbs, env);
  return fs.existsSync(dir) ? loadManifests([dir]) : undefined;
}

/** The diff of two identical sets of objects. */
const NO_DIFFERENCES: ManifestDiff = Object.freeze({ objects: [], added: 0, removed: 0, changed: 0, risks: 0 }) as ManifestDiff;

/** Whether the ref's files of an environment are exactly the working tree's, byte for byte. */
function sameFiles(committed: readonly ManifestText[], working: ReadonlyMap<string, Buffer>): boolean {
  return committed.length === working.size && committed.every((m) => working.get(m.rel)?.toString('utf8') === m.text);
}

/**
 * Both sides of one environment, each file parsed once: a file with the same bytes on both sides is
 * parsed once and its objects are used on both (diffing them finds nothing, as two parses would).
 */
function loadPair(before: readonly ManifestText[] | undefined, working: ReadonlyMap<string, Buffer> | undefined, distAbs: string): { before?: K8sObject[]; after?: K8sObject[] } {
  const parsed = new Map<string, K8sObject[]>();
  const after = working === undefined ? undefined : [...working.keys()].sort(compareStrings).flatMap((rel) => {
    const objects = parseManifests(working.get(rel)!.toString('utf8'), path.join(distAbs, ...rel.split('/')));
    parsed.set(rel, objects);
    return objects;
  });
  const same = (m: ManifestText) => working?.get(m.rel)?.toString('utf8') === m.text;
  return {
    before: before?.flatMap((m) => (same(m) ? parsed.get(m.rel)! : parseManifests(m.text, m.source))),
    after,
  };
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
        const working = workingFiles(distAbs, e);
        const committed = source.load(e, working ?? new Map());
        // The same files with the same bytes: the same objects, so nothing to parse or compare.
        if (committed && working && sameFiles(committed, working)) {
          results.push({ title: `${e}: ${opts.ref} -> working tree`, diff: NO_DIFFERENCES });
          continue;
        }
        const { before, after } = loadPair(committed, working, distAbs);
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
