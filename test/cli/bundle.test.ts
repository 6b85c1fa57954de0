import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// bin/bundle.js: `node bin/run.js <command>` runs one esbuild bundle of the command once the tree
// ran unchanged before. Requirement (issue "Fast feedback"): a cache never serves a stale result —
// the bundle is used only while every input (code, config, dependency versions) is as it was, and
// its output is the sources' output.

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bundle = require('../../bin/bundle.js') as {
  fingerprintOf(inputs: string[]): { files: [string, string, string | null][]; dirs: [string, string][] };
  unchanged(fingerprint: { files: [string, string, string | null][]; dirs: [string, string][] }): boolean;
};

describe('bundled commands (bin/bundle.js)', () => {
  let project: string;
  let cache: string;
  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-project-'));
    cache = path.join(project, 'bundle-cache');
    for (const entry of ['bin', 'src', 'constructs', 'dist', 'package.json']) fs.cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  const synth = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['bin/run.js', 'synth', ...args], {
      cwd: project, encoding: 'utf8', env: { ...process.env, DOCKERCOINS_BUNDLE_DIR: cache, DOCKERCOINS_BUNDLE_TRACE: '1' },
    });
    return { status: r.status, stdout: r.stdout, loaded: /^bundle: (sources|built|using)/m.exec(r.stderr)?.[1], stderr: r.stderr };
  };
  const printDev = () => synth('--print-config', 'dev');

  test('the bundle renders byte for byte what the sources render (dist/ up to date with either)', () => {
    const first = printDev();
    expect(first).toMatchObject({ status: 0, loaded: 'sources' });
    // The tree ran unchanged: the second run builds the bundle and runs it, the next ones reuse it.
    expect(printDev()).toMatchObject({ status: 0, loaded: 'built', stdout: first.stdout });
    expect(synth('--check')).toMatchObject({ status: 0, loaded: 'using', stdout: 'dist/ is up to date (dev, staging, prod).\n' });
  });

  test('an edited input (same size, same mtime) is never served from the old bundle; the new tree gets its own', () => {
    const versions = path.join(project, 'constructs', 'versions.ts');
    const original = fs.readFileSync(versions, 'utf8');
    const { mtime } = fs.statSync(versions);
    expect(original).toContain("hub('redis', '7.4.2-alpine')");
    const before = printDev();
    expect(before.loaded).toBe('using');
    expect(before.stdout).toContain('tag: 7.4.2-alpine');
    try {
      fs.writeFileSync(versions, original.replace("hub('redis', '7.4.2-alpine')", "hub('redis', '7.4.3-alpine')"));
      fs.utimesSync(versions, mtime, mtime);
      const edited = printDev();
      expect(edited.loaded).toBe('sources');
      expect(edited.stdout).toContain('tag: 7.4.3-alpine');
      expect(edited.stdout).not.toContain('tag: 7.4.2-alpine');
      expect(printDev()).toMatchObject({ loaded: 'built', stdout: edited.stdout });
    } finally {
      fs.writeFileSync(versions, original);
    }
    // Back to the first content: not the tree of the last bundle, so from the sources; the first output.
    expect(printDev()).toMatchObject({ loaded: 'sources', stdout: before.stdout });
  });

  test('an edited environment file is an input too', () => {
    const dev = path.join(project, 'src', 'config', 'environments', 'dev.ts');
    const original = fs.readFileSync(dev, 'utf8');
    expect(printDev()).toMatchObject({ loaded: 'built', stdout: expect.stringContaining('DEBUG: "yes"') });
    try {
      fs.writeFileSync(dev, original.replace("DEBUG: 'yes'", "DEBUG: 'no'"));
      expect(printDev()).toMatchObject({ loaded: 'sources', stdout: expect.stringContaining('DEBUG: "no"') });
    } finally {
      fs.writeFileSync(dev, original);
    }
  });

  test("validate's bundle carries the model validators of the rendered kinds: none is loaded from node_modules at run time, same report", () => {
    // A preload that prints, at exit, how many model files Node itself loaded (src/analysis/schema-models.ts).
    // Outside the project: a file of the tree that the bundle does not contain would make it stale.
    const preload = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-preload-')), 'count-models.js');
    fs.writeFileSync(preload, "process.on('exit', () => process.stderr.write(`model files loaded: ${Object.keys(require.cache).filter(f => /node_modules[\\\\/](@kubernetes-models|kubernetes-models)[\\\\/]/.test(f)).length}\\n`));\n");
    const validate = () => {
      const r = spawnSync(process.execPath, ['-r', preload, 'bin/run.js', 'validate'], {
        cwd: project, encoding: 'utf8', env: { ...process.env, DOCKERCOINS_BUNDLE_DIR: cache, DOCKERCOINS_BUNDLE_TRACE: '1' },
      });
      return { status: r.status, stdout: r.stdout, loaded: /^bundle: (sources|built|using)/m.exec(r.stderr)?.[1], models: Number(/^model files loaded: (\d+)$/m.exec(r.stderr)?.[1]) };
    };
    const sources = validate();
    expect(sources).toMatchObject({ status: 0, loaded: 'sources', stdout: expect.stringContaining('no problems') });
    expect(sources.models).toBeGreaterThan(100);
    try {
      expect(validate()).toEqual({ ...sources, loaded: 'built', models: 0 });
    } finally {
      fs.rmSync(path.dirname(preload), { recursive: true, force: true });
    }
  });

  test('DOCKERCOINS_BUNDLE=0 runs the sources', () => {
    const r = spawnSync(process.execPath, ['bin/run.js', 'synth', '--print-config', 'dev'], {
      cwd: project, encoding: 'utf8', env: { ...process.env, DOCKERCOINS_BUNDLE_DIR: cache, DOCKERCOINS_BUNDLE_TRACE: '1', DOCKERCOINS_BUNDLE: '0' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('bundle:');
  });
});

describe('the fingerprint of a bundle (what decides that it is stale)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-fingerprint-'));
    fs.mkdirSync(path.join(dir, 'node_modules', 'pkg', 'lib'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'node_modules', '@scope', 'pkg'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
    fs.writeFileSync(path.join(dir, 'node_modules', 'pkg', 'package.json'), '{"version":"1.0.0","main":"lib/index.js"}');
    fs.writeFileSync(path.join(dir, 'node_modules', 'pkg', 'lib', 'index.js'), 'exports.x = 1;\n');
    fs.writeFileSync(path.join(dir, 'node_modules', '@scope', 'pkg', 'package.json'), '{"version":"1.0.0"}');
    fs.writeFileSync(path.join(dir, 'node_modules', '@scope', 'pkg', 'index.js'), 'exports.y = 1;\n');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const inputs = () => [path.join(dir, 'src', 'a.ts'), path.join(dir, 'node_modules', 'pkg', 'lib', 'index.js'), path.join(dir, 'node_modules', '@scope', 'pkg', 'index.js')];
  const sameTimes = (file: string, content: string) => {
    const { mtime } = fs.statSync(file);
    fs.writeFileSync(file, content);
    fs.utimesSync(file, mtime, mtime);
  };

  test.each([
    ['a source, same size and mtime', () => sameTimes(path.join(dir, 'src', 'a.ts'), 'export const a = 2;\n')],
    ['a dependency file', () => sameTimes(path.join(dir, 'node_modules', 'pkg', 'lib', 'index.js'), 'exports.x = 2;\n')],
    ["a dependency's version (its package.json)", () => fs.writeFileSync(path.join(dir, 'node_modules', 'pkg', 'package.json'), '{"version":"1.0.1","main":"lib/index.js"}')],
    ["a scoped dependency's package.json", () => fs.writeFileSync(path.join(dir, 'node_modules', '@scope', 'pkg', 'package.json'), '{"version":"2.0.0"}')],
    ['a new file next to a source (an import could resolve to it)', () => fs.writeFileSync(path.join(dir, 'src', 'a.js'), 'exports.a = 3;\n')],
    ['a removed input', () => fs.rmSync(path.join(dir, 'src', 'a.ts'))],
  ])('a change to %s makes it stale', (_what, change) => {
    const fingerprint = bundle.fingerprintOf(inputs());
    expect(bundle.unchanged(fingerprint)).toBe(true);
    change();
    expect(bundle.unchanged(fingerprint)).toBe(false);
  });

  test('a file changed in the last 2 s is checked by its content; an older one by inode, size, mtime and ctime, which any write changes', () => {
    const file = path.join(dir, 'src', 'a.ts');
    const recent = bundle.fingerprintOf([file]).files.find(([f]) => f === file)!;
    expect(recent[2]).toBeNull();
    // 2.1 s later by the clock bin/bundle.js reads (Date.now), without waiting for them.
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 2100);
    const fingerprint = bundle.fingerprintOf([file]);
    expect(fingerprint.files.find(([f]) => f === file)![2]).toMatch(/^\d+:\d+:\d+:\d+:\d+$/);
    expect(bundle.unchanged(fingerprint)).toBe(true);
    // Same size, mtime set back: ctime still moves (no program can set it).
    sameTimes(file, 'export const a = 9;\n');
    expect(bundle.unchanged(fingerprint)).toBe(false);
  });

  test("every input's package.json and npm's install record are part of it", () => {
    const files = bundle.fingerprintOf(inputs()).files.map(([f]) => f);
    expect(files).toEqual(expect.arrayContaining([
      path.join(dir, 'node_modules', 'pkg', 'package.json'),
      path.join(dir, 'node_modules', '@scope', 'pkg', 'package.json'),
      path.join(ROOT, 'node_modules', '.package-lock.json'),
      path.join(ROOT, 'package.json'),
    ]));
  });
});
