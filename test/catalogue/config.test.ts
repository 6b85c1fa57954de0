/**
 * Runs every catalogued bad configuration input (config-cases.ts) the way a
 * user meets it, checks the exact message, and checks that nothing was
 * written: the --out folder of each CLI case keeps its previous rendering,
 * the environment-file copies keep their dist/, and the committed dist/ is
 * byte-identical after the whole table.
 *
 * CLI cases run the commands' own `main` (what bin/run.js calls) in this
 * process, and a sample of them also as real processes (`node bin/run.js ...`,
 * a few at a time): every bin/run.js dispatch case and one or two per kind of
 * mistake. With DOCKERCOINS_STRESS=1 (`npm run test:stress`) every CLI case
 * is also run as a process.
 */
import { execFile, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ConfigError, ENVIRONMENTS, loadEnvironment, validateEnvironment } from '../../src/config';
import { writeOutput } from '../../src/cli/output';
import { renderEnvironment } from '../../src/render';
import { inProcess } from '../helpers/cli';
import { CliArgsCase, CONFIG_CASES, ConfigCase, EnvironmentFileCase, OverrideCase, StackFileCase } from './config-cases';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const PARALLEL = 3;
const STRESS = process.env.DOCKERCOINS_STRESS === '1';
/** Commands whose `main` runs in-process; anything else (bin/run.js's own dispatch) only as a process. */
const IN_PROCESS = new Set(['synth', 'validate', 'diff']);
/** CLI cases also run as `node bin/run.js` in `npm test` (all of them under stress). */
const SPAWN_SAMPLE = new Set([
  'override-namespace-node-agents', 'override-memory-96m', 'override-dockercoins-as-map', 'override-debug-true',
  'stack-file-yaml', 'cli-synth-stack-into-dist', 'cli-validate-missing-path', 'cli-diff-format',
]);

const ofKind = <K extends ConfigCase['kind']>(kind: K) => CONFIG_CASES.filter((c): c is Extract<ConfigCase, { kind: K }> => c.kind === kind);
const OVERRIDES = ofKind('override');
const STACK_FILES = ofKind('stack-file');
const ENVIRONMENT_FILES = ofKind('environment-file');
const CLI_ARGS = ofKind('cli-args');

/** Every file and folder under `dir` (dot-files included) with a hash of its content; {} when absent. */
function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    const stat = fs.lstatSync(abs);
    if (stat.isSymbolicLink()) out[rel] = `link ${fs.readlinkSync(abs)}`;
    else if (stat.isDirectory()) {
      out[rel || '.'] = 'dir';
      for (const name of fs.readdirSync(abs).sort()) walk(path.join(rel, name));
    } else out[rel] = createHash('sha256').update(fs.readFileSync(abs)).digest('hex');
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}

/** The message of a refused configuration, as synth prints it. */
const refusal = (environment: string, lines: readonly string[], outcome: string) =>
  `Invalid configuration for environment "${environment}":\n${lines.map(l => `  - ${l}`).join('\n')}\n${outcome}\n`;

/** A problem line starts with a config path (or the stack file) and gives a reason. */
const PROBLEM_LINE = /^(--stack-config \S+|[A-Za-z][\w-]*(\[[^\]]+\])*(\.[A-Za-z][\w-]*(\[[^\]]+\])*)*): \S/;

interface Run { status: number | null; stdout: string; stderr: string }

/** Runs a command's `main` (as bin/run.js does) with stdout and stderr captured. */
const node = (args: readonly string[], cwd: string): Promise<Run> => new Promise(resolve => {
  execFile(process.execPath, [path.join(cwd, 'bin', 'run.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
    resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
  });
});

async function inBatches<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) { const i = next++; results[i] = await run(items[i]); }
  }));
  return results;
}

let tmp: string;
let distBefore: Record<string, string>;
/** Per CLI case: how it ran (in-process, as a process), and the scratch folder before and after. */
interface CliResult { runs: Array<{ how: string; run: Run }>; dir: string; out: string; file?: string; before: Record<string, string>; after: Record<string, string> }
const cliResults = new Map<string, CliResult>();

beforeAll(async () => {
  distBefore = treeHash(DIST);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'config-catalogue-'));
  // A previous rendering per stack name: what a refused synth must leave as it was.
  const previous = new Map<string, string>();
  const previousRendering = (stack: string) => {
    if (!previous.has(stack)) {
      const dir = path.join(tmp, `previous-${stack}`);
      const env = ENVIRONMENTS[stack] ? stack : 'dev';
      writeOutput(dir, new Map([[stack, renderEnvironment(loadEnvironment(env), { topology: true, engine: 'pulumi' })]]), { allEnvironments: false, prune: false, note: () => undefined });
      previous.set(stack, dir);
    }
    return previous.get(stack)!;
  };
  const jobs: Array<{ id: string; argv: string[]; dir: string; out: string; file?: string }> = [];
  const scratch = (id: string, stack: string) => {
    const dir = path.join(tmp, id);
    fs.mkdirSync(dir);
    const out = path.join(dir, 'out');
    fs.cpSync(previousRendering(stack), out, { recursive: true });
    return { dir, out };
  };
  for (const c of OVERRIDES) {
    const stack = c.stack ?? c.env;
    const { dir, out } = scratch(c.id, stack);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, stringify({ config: { 'dockercoins:environment': c.env, 'dockercoins:overrides': c.overrides } }));
    jobs.push({ id: c.id, argv: ['synth', '--stack-config', file, '--out', out], dir, out, file });
  }
  for (const c of STACK_FILES) {
    const { dir, out } = scratch(c.id, /^Pulumi\.([^.]+)\.yaml$/.exec(c.file)?.[1] ?? 'dev');
    const file = path.join(dir, c.file);
    fs.writeFileSync(file, c.body);
    jobs.push({ id: c.id, argv: ['synth', '--stack-config', file, '--out', out], dir, out, file });
  }
  for (const c of CLI_ARGS) {
    const { dir, out } = scratch(c.id, 'dev');
    fs.writeFileSync(path.join(dir, 'Pulumi.dev.yaml'), 'config:\n  dockercoins:environment: dev\n');
    jobs.push({ id: c.id, argv: c.argv.map(a => fill(a, dir, out)), dir, out });
  }
  const before = jobs.map(j => treeHash(j.dir));
  const results = jobs.map(() => [] as CliResult['runs']);
  for (const [i, j] of jobs.entries()) {
    if (IN_PROCESS.has(j.argv[0])) results[i].push({ how: 'main() in-process', run: await inProcess(j.argv) });
  }
  const spawned = jobs.flatMap((j, i) => (STRESS || SPAWN_SAMPLE.has(j.id) || !IN_PROCESS.has(j.argv[0]) ? [i] : []));
  const runs = await inBatches(spawned, PARALLEL, i => node(jobs[i].argv, ROOT));
  spawned.forEach((i, k) => results[i].push({ how: 'node bin/run.js', run: runs[k] }));
  jobs.forEach((j, i) => cliResults.set(j.id, { runs: results[i], dir: j.dir, out: j.out, file: j.file, before: before[i], after: treeHash(j.dir) }));
}, 300_000);

/** The same outcome from every way the case ran. */
function expectRuns(r: CliResult, check: (run: Run) => void): void {
  expect(r.runs.length).toBeGreaterThan(0);
  for (const { how, run } of r.runs) {
    try { check(run); } catch (e) { throw new Error(`${how}: ${(e as Error).message}`); }
  }
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fill(text: string, dir: string, out: string): string {
  return text.replace(/\{out\}/g, out).replace(/\{tmp\}/g, dir).replace(/\{stack\}/g, path.join(dir, 'Pulumi.dev.yaml'));
}

function problemsOf(run: () => unknown): ConfigError {
  try { run(); } catch (e) {
    if (e instanceof ConfigError) return e;
    throw new Error(`crashed with ${(e as Error).stack ?? e} instead of a ConfigError`);
  }
  throw new Error('the configuration was accepted');
}

/** Every problem line names a path and a reason; the header names the environment. */
function expectWellFormed(e: ConfigError, environment: string): void {
  expect(e.environment).toBe(environment);
  expect(e.message.split('\n')[0]).toBe(`Invalid configuration for environment "${environment}":`);
  for (const line of e.problems) expect(line).toMatch(PROBLEM_LINE);
}

describe('Pulumi overrides', () => {
  test.each(OVERRIDES.map(c => [c.id, c] as const))('%s: loadEnvironment refuses with exactly the expected problems', (_id, c: OverrideCase) => {
    const e = problemsOf(() => loadEnvironment(c.env, c.overrides));
    expect(e.problems).toEqual(c.expected);
    expectWellFormed(e, c.env);
  });

  test.each(OVERRIDES.map(c => [c.id, c] as const))('%s: synth --stack-config exits 1 with exactly the message, --out untouched', (id, c: OverrideCase) => {
    const r = cliResults.get(id)!;
    expectRuns(r, run => {
      expect(run.stderr).toBe(refusal(c.env, c.expected, 'Nothing was written.'));
      expect(run.stdout).toBe('');
      expect(run.status).toBe(1);
    });
    expect(r.after).toEqual(r.before);
  });
});

describe('stack files', () => {
  test.each(STACK_FILES.map(c => [c.id, c] as const))('%s: synth --stack-config exits 1 with exactly the message, --out untouched', (id, c: StackFileCase) => {
    const r = cliResults.get(id)!;
    const lines = c.expected.map(l => l.replace(/\{file\}/g, r.file!));
    for (const line of lines) expect(line).toMatch(PROBLEM_LINE);
    expectRuns(r, run => {
      expect(run.stderr).toBe(refusal(c.environment, lines, 'Nothing was written.'));
      expect(run.status).toBe(1);
    });
    expect(r.after).toEqual(r.before);
  });
});

describe('environment files', () => {
  test.each(ENVIRONMENT_FILES.map(c => [c.id, c] as const))('%s: the edited overlay is refused with exactly the expected problems', (_id, c: EnvironmentFileCase) => {
    const overlay = JSON.parse(JSON.stringify(ENVIRONMENTS[c.env]));
    c.change(overlay);
    const e = problemsOf(() => validateEnvironment(overlay));
    expect(e.problems).toEqual(c.expected);
    expectWellFormed(e, c.env);
  });

  describe('in a copy of the project (npm run synth there)', () => {
    const edited = ENVIRONMENT_FILES.filter(c => c.edit);
    let project: string;
    const originals = new Map<string, string>();
    beforeAll(() => {
      project = fs.mkdtempSync(path.join(os.tmpdir(), 'config-catalogue-project-'));
      for (const entry of ['bin', 'src', 'constructs', 'package.json']) fs.cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
      // The user's last rendering, as committed.
      fs.cpSync(DIST, path.join(project, 'dist'), { recursive: true });
      for (const env of Object.keys(ENVIRONMENTS)) {
        const file = path.join(project, 'src', 'config', 'environments', `${env}.ts`);
        originals.set(env, fs.readFileSync(file, 'utf8'));
      }
    });
    afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

    test.each(edited.map(c => [c.id, c] as const))('%s: synth exits 1 with exactly the message and dist/ stays byte-identical', (_id, c: EnvironmentFileCase) => {
      const file = path.join(project, 'src', 'config', 'environments', `${c.env}.ts`);
      const source = originals.get(c.env)!;
      expect(source.split(c.edit!.from)).toHaveLength(2);
      fs.writeFileSync(file, source.replace(c.edit!.from, c.edit!.to));
      try {
        const before = treeHash(path.join(project, 'dist'));
        const r = spawnSync(process.execPath, ['bin/run.js', 'synth'], { cwd: project, encoding: 'utf8' });
        expect(r.stderr).toBe(refusal(c.env, c.expected, 'Nothing was written: dist/ is unchanged.'));
        expect(r.status).toBe(1);
        expect(treeHash(path.join(project, 'dist'))).toEqual(before);
      } finally {
        fs.writeFileSync(file, source);
      }
    });

    test('a syntax error in an environment file: synth exits 1 naming the file, line and column under a caret, no esbuild stack, dist/ byte-identical', () => {
      const file = path.join(project, 'src', 'config', 'environments', 'dev.ts');
      const source = originals.get('dev')!;
      // A comma typed twice: the kind of typo no schema sees (esbuild cannot parse the file).
      expect(source.split('\n  nodes: 1,\n')).toHaveLength(2);
      const line = source.slice(0, source.indexOf('\n  nodes: 1,\n') + 1).split('\n').length;
      fs.writeFileSync(file, source.replace('\n  nodes: 1,\n', '\n  nodes: 1,,\n'));
      try {
        const before = treeHash(path.join(project, 'dist'));
        const r = spawnSync(process.execPath, ['bin/run.js', 'synth'], { cwd: project, encoding: 'utf8' });
        expect(r.stderr).toBe([
          `synth: src/config/environments/dev.ts:${line}:12: Expected identifier but found ","`,
          '      nodes: 1,,',
          `    ${' '.repeat('  nodes: 1,'.length)}^`,
          '(TypeScript that does not parse: fix the file; `npm run typecheck` also reports its type errors)',
          'Nothing was run or written.',
          '',
        ].join('\n'));
        expect(r.status).toBe(1);
        expect(treeHash(path.join(project, 'dist'))).toEqual(before);
      } finally {
        fs.writeFileSync(file, source);
      }
    });
  });
});

describe('CLI arguments', () => {
  test.each(CLI_ARGS.map(c => [c.id, c] as const))('%s: exit 2 with the exact first line, nothing written', (id, c: CliArgsCase) => {
    const r = cliResults.get(id)!;
    expectRuns(r, run => {
      expect(run.stderr.split('\n')[0]).toBe(fill(c.firstLine, r.dir, r.out));
      expect(run.status).toBe(2);
    });
    expect(r.after).toEqual(r.before);
  });
});

describe('after the whole table', () => {
  test('the committed dist/ is byte-identical', () => {
    expect(treeHash(DIST)).toEqual(distBefore);
  });
});
