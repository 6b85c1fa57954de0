import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { filesUnder, main } from '../../src/cli/synth';

const ROOT = path.join(__dirname, '..', '..');

/** Lines a child prints, with a wait for the next one matching a pattern. */
class Lines {
  private readonly lines: string[] = [];
  private seen = 0;
  private waiters: Array<() => void> = [];

  constructor(child: ChildProcess) {
    let buffer = '';
    const take = (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
  }

  get all(): string { return this.lines.join('\n'); }

  /** Resolves with the first line after the ones already waited for that matches; rejects after `ms`. */
  next(pattern: RegExp, ms = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms; output:\n${this.all}`)), ms);
      const look = () => {
        for (; this.seen < this.lines.length; this.seen++) {
          if (pattern.test(this.lines[this.seen])) {
            clearTimeout(timer);
            resolve(this.lines[this.seen++]);
            return;
          }
        }
        this.waiters.push(look);
      };
      look();
    });
  }
}

const exited = (child: ChildProcess) => new Promise<number | null>(resolve => {
  if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
  else child.once('exit', code => resolve(code));
});

describe('npm run synth -- --watch', () => {
  let project: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    // A copy of the project: the test edits its sources.
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-'));
    for (const entry of ['bin', 'src', 'constructs', 'package.json']) fs.cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited(child); }
    child = undefined;
    fs.rmSync(project, { recursive: true, force: true });
  });

  const edit = (file: string, from: string, to: string) => {
    const p = path.join(project, file);
    const text = fs.readFileSync(p, 'utf8');
    expect(text).toContain(from);
    fs.writeFileSync(p, text.replace(from, to));
  };

  test('re-renders after a save, keeps the last good output on errors, stops cleanly on SIGINT', async () => {
    const out = path.join(project, 'out');
    child = spawn(process.execPath, ['bin/run.js', 'synth', '--watch', '--out', out], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = new Lines(child);
    await lines.next(/^watch: watching src\/ and constructs\/ for changes/);
    const dockercoins = path.join(out, 'dev', '20-dockercoins.k8s.yaml');
    expect(fs.readFileSync(dockercoins, 'utf8')).toContain('DEBUG: "yes"');
    const files = (env: string) => filesUnder(path.join(out, env)).map(f => [f, fs.readFileSync(path.join(out, env, f), 'utf8')]);
    const prodBefore = files('prod');

    // A save in an environment file: that environment is written, one line per environment says what changed.
    edit('src/config/environments/dev.ts', "DEBUG: 'yes'", "DEBUG: 'no'");
    const written = await lines.next(/^watch: change in src\/config\/environments\/dev\.ts: wrote /);
    expect(written).toMatch(new RegExp(`wrote ${out}/dev/ \\d+ ms after the save`));
    expect(await lines.next(/^watch: {3}dev: /)).toMatch(/^watch: {3}dev: 0 added, 0 removed, \d+ changed \(ConfigMap dockercoins\/dockercoins-settings/);
    expect(await lines.next(/^watch: {3}staging: /)).toBe('watch:   staging: unchanged');
    expect(await lines.next(/^watch: {3}prod: /)).toBe('watch:   prod: unchanged');
    expect(fs.readFileSync(dockercoins, 'utf8')).toContain('DEBUG: "no"');

    // A save in a module most of the model imports reloads its importers too: every environment follows.
    edit('constructs/versions.ts', "hub('redis', '7.4.2-alpine')", "hub('redis', '7.4.3-alpine')");
    await lines.next(/^watch: change in constructs\/versions\.ts: wrote .*\/dev\/, .*\/staging\/, .*\/prod\/ \d+ ms after the save/);
    for (const env of ['dev', 'staging', 'prod']) {
      expect(await lines.next(new RegExp(`^watch: {3}${env}: `))).toMatch(/: 0 added, 0 removed, [1-9]\d* changed \(/);
      expect(files(env).filter(([f]) => f.startsWith('20-dockercoins')).every(([, text]) => text.includes('redis:7.4.3-alpine'))).toBe(true);
    }
    const lastGood = { dev: files('dev'), prod: files('prod') };
    expect(lastGood.prod).not.toEqual(prodBefore);

    // A config error: the message, nothing written, and the watcher goes on.
    edit('src/config/environments/prod.ts', 'replicas: 10 }', 'replicas: 0 }');
    await lines.next(/^watch: change in src\/config\/environments\/prod\.ts: refused\. Nothing was written: .* keeps the last good output\.$/);
    await lines.next(/^Invalid configuration for environment "prod":$/);
    await lines.next(/dockercoins\[dockercoins\]\.worker\.replicas: must be at least 1, got 0/);
    // A save elsewhere does not write either while prod is invalid: synth validates every environment first.
    edit('src/config/environments/dev.ts', "DEBUG: 'no'", "DEBUG: 'yes'");
    await lines.next(/^watch: change in src\/config\/environments\/dev\.ts: refused\./);
    expect({ dev: files('dev'), prod: files('prod') }).toEqual(lastGood);
    // The fix: rendered and written again.
    edit('src/config/environments/prod.ts', 'replicas: 0 }', 'replicas: 10 }');
    await lines.next(/^watch: change in src\/config\/environments\/prod\.ts: wrote .*\/dev\/ \d+ ms/);
    expect(fs.readFileSync(dockercoins, 'utf8')).toContain('DEBUG: "yes"');
    const good = { dev: files('dev'), prod: files('prod') };

    // A syntax error: reported, nothing written; the fix renders what was there.
    edit('constructs/versions.ts', "hub('redis', '7.4.3-alpine')", "hub('redis', '7.4.3-alpine'");
    await lines.next(/^watch: change in constructs\/versions\.ts: rendering failed\. Nothing was written/);
    // The file as the user opens it (relative path, 1-based line and column), its line and a caret; no stack frames.
    // (A missing ")" is found at the next token: `traefik:` on the line after the next.)
    const source = fs.readFileSync(path.join(project, 'constructs', 'versions.ts'), 'utf8').split('\n');
    const at = source.findIndex(l => l.startsWith('  traefik: hub('));
    expect(await lines.next(/^SyntaxError: /)).toBe(`SyntaxError: constructs/versions.ts:${at + 1}:10: Expected ")" but found ":"`);
    expect(await lines.next(/./)).toBe(`    ${source[at]}`);
    expect(await lines.next(/./)).toBe(`    ${' '.repeat(9)}^`);
    expect(await lines.next(/./)).toBe('(TypeScript that does not parse: fix the file; `npm run typecheck` also reports its type errors)');
    edit('constructs/versions.ts', "hub('redis', '7.4.3-alpine'", "hub('redis', '7.4.3-alpine')");
    // The very next line: no stack frames were printed after the hint.
    expect(await lines.next(/./)).toMatch(/^watch: change in constructs\/versions\.ts: no file changed, nothing written/);

    // A module deleted under its importers: reported; put back, all is as before.
    const sizes = path.join(project, 'src', 'config', 'sizes.ts');
    const kept = fs.readFileSync(sizes, 'utf8');
    fs.rmSync(sizes);
    await lines.next(/^watch: change in src\/config\/sizes\.ts: rendering failed\. Nothing was written/);
    await lines.next(/Cannot find module '\.\.\/sizes'/);
    fs.writeFileSync(sizes, kept);
    await lines.next(/^watch: change in src\/config\/sizes\.ts: no file changed, nothing written/);
    expect({ dev: files('dev'), prod: files('prod') }).toEqual(good);

    // SIGINT: stops between rounds, exit 0, no lock or staging folder left behind.
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    expect(lines.all).toMatch(/watch: stopped$/);
    expect(fs.readdirSync(out).filter(f => f.startsWith('.synth.lock') || f.startsWith('.tmp-') || f.startsWith('.old-'))).toEqual([]);
  });

  /** Every file under `dir`, with its content. */
  const tree = (dir: string) => filesUnder(dir).sort().map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
  /** `synth` of the copy into its own folder (a fresh process, no watcher): what the watcher must have written. */
  const synthOf = () => {
    const other = path.join(project, 'synth-out');
    const result = spawnSync(process.execPath, ['bin/run.js', 'synth', '--out', other], { cwd: project, encoding: 'utf8', env: { ...process.env, DOCKERCOINS_BUNDLE: '0' } });
    expect(result.status).toBe(0);
    return tree(other);
  };
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const out = path.join(project, 'out');
    child = spawn(process.execPath, ['bin/run.js', 'synth', '--watch', '--out', out], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const lines = new Lines(child);
    await lines.next(/^watch: watching src\/ and constructs\/ for changes/);
    return { out, lines };
  };
  const SHARED_SAVE = ['constructs/versions.ts', "hub('redis', '7.4.2-alpine')", "hub('redis', '7.4.3-alpine')"] as const;
  const renderLog = () => path.join(project, 'renders.log');
  /** The copy's renderCharts logs the environment of each render it makes. */
  const logRenders = () => edit('src/render.ts', 'export function renderCharts(env: EnvironmentConfig, engine: Engine = \'cdk8s\'): RenderedChart[] {\n',
    "export function renderCharts(env: EnvironmentConfig, engine: Engine = 'cdk8s'): RenderedChart[] {\n"
    + "  if (process.env.WATCH_TEST_RENDER_LOG) require('fs').appendFileSync(process.env.WATCH_TEST_RENDER_LOG, `${env.name}\\n`);\n");
  const renders = () => fs.readFileSync(renderLog(), 'utf8').trim().split('\n').sort();

  // Requirement (issue 15): a save in a shared module renders every environment once and writes
  // exactly what `synth` writes; the summary comes from that render (nothing is rendered again for it).
  test('a shared save: each environment rendered once (the summary renders nothing), the output is byte-identical to synth', async () => {
    logRenders();
    const { out, lines } = await start({ WATCH_TEST_RENDER_LOG: renderLog() });
    fs.writeFileSync(renderLog(), '');
    edit(...SHARED_SAVE);
    const wrote = await lines.next(/^watch: change in constructs\/versions\.ts: wrote /);
    expect(wrote).toMatch(/ \d+ ms after the save \(reload and render \d+ ms; write \d+ ms; summary \d+ ms\)$/);
    for (const env of ['dev', 'staging', 'prod']) expect(await lines.next(new RegExp(`^watch: {3}${env}: `))).toMatch(/: 0 added, 0 removed, [1-9]\d* changed \(/);
    expect(renders()).toEqual(['dev', 'prod', 'staging']);
    expect(tree(out)).toEqual(synthOf());
  });

  // Requirement: the latency the watcher reports (and bench reads) ends after the summary is made.
  test('the reported latency includes the summary', async () => {
    // The copy's diffManifests (the summary's diff) takes at least 250 ms a call.
    edit('src/analysis/diff.ts', 'export function diffManifests(before: K8sObject[], after: K8sObject[]): ManifestDiff {\n',
      'export function diffManifests(before: K8sObject[], after: K8sObject[]): ManifestDiff {\n  for (const until = Date.now() + 250; Date.now() < until;);\n');
    const { lines } = await start();
    edit(...SHARED_SAVE);
    const wrote = await lines.next(/^watch: change in constructs\/versions\.ts: wrote /);
    const [, total, summaryMs] = / (\d+) ms after the save .*; summary (\d+) ms\)$/.exec(wrote)!.map(Number);
    // Three environments written, three summaries.
    expect(summaryMs).toBeGreaterThanOrEqual(750);
    expect(total).toBeGreaterThanOrEqual(summaryMs);
  });

  test.each([['--check'], ['--print-config', 'dev'], ['--stack-config', 'Pulumi.dev.yaml', '--out', 'x']])('--watch %j is refused (exit 2), nothing rendered', (...extra) => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(main(['--watch', ...extra])).toBe(2);
      expect(String(stderr.mock.calls[0][0]).split('\n')[0]).toBe(`synth: --watch renders every save into <dir>: drop ${extra[0]}`);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('which environments a save can change (changedEnvironments)', () => {
  // Requirement: a save re-renders the environments it changes. Only an environment's own file,
  // imported by the registry alone, limits the round to that environment; any other module, or an
  // environment file something else imports, re-renders every environment.
  test("an environment's own file: that environment; a shared module, or an environment file another module imports: all", () => {
    const root = path.join(__dirname, '..', '..');
    const script = `
      require('./bin/register');
      const Module = require('module');
      const path = require('path');
      const { changedEnvironments } = require('./src/cli/watch.ts');
      require('./src/config');
      const file = name => path.join(process.cwd(), name);
      const show = s => (s === undefined ? 'all' : [...s].sort().join(','));
      const before = [
        show(changedEnvironments([file('src/config/environments/dev.ts')])),
        show(changedEnvironments([file('src/config/environments/dev.ts'), file('src/config/environments/prod.ts')])),
        show(changedEnvironments([file('constructs/versions.ts')])),
        show(changedEnvironments([file('src/config/environments/dev.ts'), file('src/config/sizes.ts')])),
        show(changedEnvironments([])),
      ];
      // staging's file importing dev's: a save in dev's may change staging too.
      require.cache[file('src/config/environments/staging.ts')].children.push(require.cache[file('src/config/environments/dev.ts')]);
      console.log(JSON.stringify([...before, show(changedEnvironments([file('src/config/environments/dev.ts')])), show(changedEnvironments([file('src/config/environments/prod.ts')]))]));`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(['dev', 'dev,prod', 'all', 'all', 'all', 'all', 'prod']);
  });
});

describe('reloading unchanged modules (bin/register.js reuseCompiled)', () => {
  // Requirement: a module loaded again with the same source runs the script compiled for it before
  // (no compile), as a fresh load (new exports), and its stack traces still name its .ts lines.
  test('no compile, fresh exports, .ts lines in stack traces', () => {
    const root = path.join(__dirname, '..', '..');
    const script = `
      const register = require('./bin/register');
      register.reuseCompiled();
      const Module = require('module');
      const path = require('path');
      const { dependents } = require('./src/cli/watch.ts');
      const file = name => path.join(process.cwd(), name);
      const frame = config => { try { config.loadEnvironment('nope'); } catch (e) { return e.stack.split('\\n').find(l => l.includes('config/index.ts')); } };
      require('./src/cli/synth.ts');
      const before = require('./src/config');
      const compile = Module.prototype._compile;
      let compiled = 0;
      Module.prototype._compile = function (...args) { if (args[1].endsWith('.ts')) compiled++; return compile.apply(this, args); };
      const dropped = dependents([file('constructs/versions.ts')]);
      for (const f of dropped) delete require.cache[f];
      require('./src/cli/synth.ts');
      const after = require('./src/config');
      console.log(JSON.stringify({ dropped: dropped.size, compiled, fresh: before !== after && before.ENVIRONMENTS !== after.ENVIRONMENTS, frames: [frame(before), frame(after)] }));`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const { dropped, compiled, fresh, frames } = JSON.parse(result.stdout);
    expect(dropped).toBeGreaterThan(20);
    expect(compiled).toBe(0);
    expect(fresh).toBe(true);
    const line = fs.readFileSync(path.join(root, 'src/config/index.ts'), 'utf8').split('\n').findIndex(l => l.includes('environment: unknown environment')) + 1;
    expect(frames[0]).toMatch(new RegExp(`src/config/index\\.ts:${line}:\\d+\\)$`));
    expect(frames[1]).toBe(frames[0]);
  });
});
