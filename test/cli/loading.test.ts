import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// What the run path loads, and how: only cdk8s-plus-27's L1 module, source
// maps for the .ts files only, and transpile caches that never serve a stale
// entry. The run path's cache
// (bin/register.js, node_modules/.cache/dockercoins-ts) and jest's (keyed by
// bin/jest-transform.js) are keyed by content, file name (the run path's map names
// the file only) or path (jest's), options, esbuild version and the transpiler's own
// code, never by file name, size or time alone.

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transform = require('../../bin/jest-transform.js') as {
  getCacheKey(source: string, filename: string, options: { configString: string; instrument: boolean }): string;
  process(source: string, filename: string, options: { instrument: boolean }): { code: string; map: { sources: string[] } };
};

describe('transpile caches', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transpile-cache-'));
    fs.cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (file: string) => spawnSync(process.execPath, ['-r', path.join(dir, 'bin', 'register.js'), '-p', `require(${JSON.stringify(file)}).value`], { cwd: dir, encoding: 'utf8' });

  test('bin/register.js: the same path with new content (same size, same mtime) runs the new content', () => {
    const file = path.join(dir, 'value.ts');
    fs.writeFileSync(file, 'export const value: number = 1;\n');
    const { mtime } = fs.statSync(file);
    expect(run(file).stdout.trim()).toBe('1');
    fs.writeFileSync(file, 'export const value: number = 2;\n');
    fs.utimesSync(file, mtime, mtime);
    expect(run(file).stdout.trim()).toBe('2');
    // Back to the first content: served from the cache, and still right.
    fs.writeFileSync(file, 'export const value: number = 1;\n');
    fs.utimesSync(file, mtime, mtime);
    expect(run(file).stdout.trim()).toBe('1');
  });

  test('bin/register.js: stack traces name the .ts lines; a changed transpiler (bin/transpile.js) keys every file anew', () => {
    const file = path.join(dir, 'boom.ts');
    fs.writeFileSync(file, 'type Unused = { a: number };\n\nexport function boom(): never {\n  throw new Error("boom");\n}\nexport const value = (() => { try { boom(); } catch (e) { return (e as Error).stack!.split("\\n")[1]; } })();\n');
    expect(run(file).stdout).toContain(`${file}:4:9`);

    const key = (transpiler: string) => spawnSync(process.execPath, ['-p', `require(${JSON.stringify(transpiler)}).cacheKey('inline', 'a.ts', 'const a = 1;')`], { cwd: dir, encoding: 'utf8' }).stdout.trim();
    const transpiler = path.join(dir, 'bin', 'transpile.js');
    const before = key(transpiler);
    expect(before).toMatch(/^[0-9a-f]{40}$/);
    expect(key(transpiler)).toBe(before);
    fs.appendFileSync(transpiler, '// a change to the transpiler\n');
    expect(key(transpiler)).not.toBe(before);
  });

  test('bin/register.js: one entry serves a file at any path (a copy of the tree), and stack traces still name each copy\'s own path and line', () => {
    const source = `export const value = (() => { try {\n  throw new Error("copy ${Math.random()}");\n} catch (e) { return (e as Error).stack!.split("\\n")[1]; } })();\n`;
    const copies = ['one', 'two'].map(d => { fs.mkdirSync(path.join(dir, d)); const f = path.join(dir, d, 'copy.ts'); fs.writeFileSync(f, source); return f; });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { cacheKey } = require(path.join(dir, 'bin', 'transpile.js')) as { cacheKey(...parts: string[]): string };
    const entry = path.join(dir, 'node_modules', '.cache', 'dockercoins-ts', `${cacheKey('inline', 'copy.ts', source)}.js`);
    expect(fs.existsSync(entry)).toBe(false);
    expect(run(copies[0]).stdout).toContain(`${copies[0]}:2:9`);
    // The entry's inline map names the file, not its folder.
    const map = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(fs.readFileSync(entry, 'utf8'))?.[1];
    expect(JSON.parse(Buffer.from(map ?? '', 'base64').toString('utf8')).sources).toEqual(['copy.ts']);
    expect(run(copies[1]).stdout).toContain(`${copies[1]}:2:9`);
  });

  test('bin/jest-transform.js: the key follows content, path, jest config and coverage; the output follows the content', () => {
    const options = { configString: '{"rootDir":"/x"}', instrument: false };
    const key = transform.getCacheKey('export const a = 1;', '/p/a.ts', options);
    expect(transform.getCacheKey('export const a = 1;', '/p/a.ts', { ...options })).toBe(key);
    for (const other of [
      transform.getCacheKey('export const a = 2;', '/p/a.ts', options),
      transform.getCacheKey('export const a = 1;', '/p/b.ts', options),
      transform.getCacheKey('export const a = 1;', '/p/a.ts', { ...options, configString: '{"rootDir":"/y"}' }),
      transform.getCacheKey('export const a = 1;', '/p/a.ts', { ...options, instrument: true }),
    ]) expect(other).not.toBe(key);

    expect(transform.process('export const a: number = 1;', '/p/a.ts', { instrument: false }).code).toContain('const a = 1;');
    const second = transform.process('export const a: number = 2;', '/p/a.ts', { instrument: false });
    expect(second.code).toContain('const a = 2;');
    expect(second.map.sources).toEqual(['/p/a.ts']);
    // Coverage: esbuild's module helpers are not counted (they are not in the .ts file).
    expect(transform.process('export const a = 1;', '/p/a.ts', { instrument: true }).code).toMatch(/^\/\* istanbul ignore next \*\/ var __defProp = /m);
  });
});

describe('V8 code cache of node_modules (bin/code-cache.js, used by bin/run.js)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    fs.cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, 'vendor', 'node_modules', 'pkg'), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const pkg = (file: string) => path.join(dir, 'vendor', 'node_modules', 'pkg', file);
  /** Requires `file` in a fresh process with the code cache on (or off); prints what `expression` gives. */
  const run = (file: string, expression = 'm.value', cache = true) => spawnSync(process.execPath, ['-e', `
    require('./bin/register')${cache ? '.useCodeCache()' : ''};
    let m; try { m = require(${JSON.stringify(file)}); } catch (e) { m = { error: e.code || e.message }; }
    console.log(JSON.stringify(${expression}));`], { cwd: dir, encoding: 'utf8' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { entryFor } = require('../../bin/code-cache.js') as { entryFor(filename: string, content: string): string };

  test('the same path with new content (same size, same mtime) runs the new content; each content has its entry', () => {
    const file = pkg('index.js');
    fs.writeFileSync(file, 'exports.value = 1;\n');
    const { mtime } = fs.statSync(file);
    expect(run(file).stdout.trim()).toBe('1');
    expect(run(file).stdout.trim()).toBe('1'); // from the cache
    fs.writeFileSync(file, 'exports.value = 2;\n');
    fs.utimesSync(file, mtime, mtime);
    expect(run(file).stdout.trim()).toBe('2');
    fs.writeFileSync(file, 'exports.value = 1;\n');
    fs.utimesSync(file, mtime, mtime);
    expect(run(file).stdout.trim()).toBe('1');
  });

  test('a corrupt entry is refused by V8: the module compiles from source and the entry is written again', () => {
    const file = pkg('index.js');
    const source = 'exports.value = [1, 2, 3].map(x => x * 2).join();\n';
    fs.writeFileSync(file, source);
    expect(run(file).stdout.trim()).toBe('"2,4,6"');
    const entry = entryFor(fs.realpathSync(file), source);
    const good = fs.readFileSync(entry);
    fs.writeFileSync(entry, Buffer.from('not V8 code cache data at all'));
    expect(run(file).stdout.trim()).toBe('"2,4,6"');
    expect(fs.readFileSync(entry).length).toBeGreaterThan(100);
    expect(good.length).toBeGreaterThan(100);
  });

  test('what Node gives a module is kept: hashbang, __filename, require.resolve, line numbers; ES modules still refused', () => {
    const file = pkg('cli.js');
    fs.writeFileSync(file, '#!/usr/bin/env node\nexports.value = [__filename, __dirname, require.resolve("./other"), require.resolve.paths("x").length, require.main === module.parent, this === exports];\n\nexports.fail = () => { throw new Error("x"); };\n');
    fs.writeFileSync(pkg('other.js'), 'exports.other = true;\n');
    const real = fs.realpathSync(file);
    const plain = run(file, 'm.value', false).stdout;
    expect(JSON.parse(plain)).toEqual([real, path.dirname(real), path.join(path.dirname(real), 'other.js'), expect.any(Number), false, true]);
    for (let i = 0; i < 2; i++) expect(run(file).stdout).toBe(plain); // compiled, then from the cache
    const line = run(file, '(() => { try { m.fail(); } catch (e) { return e.stack.split("\\n")[1]; } })()');
    expect(JSON.parse(line.stdout)).toContain(`${real}:4:`);

    fs.mkdirSync(path.join(dir, 'vendor', 'node_modules', 'esm'));
    fs.writeFileSync(path.join(dir, 'vendor', 'node_modules', 'esm', 'package.json'), '{ "type": "module", "main": "index.js" }');
    fs.writeFileSync(path.join(dir, 'vendor', 'node_modules', 'esm', 'index.js'), 'export const value = 1;\n');
    const esm = path.join(dir, 'vendor', 'node_modules', 'esm', 'index.js');
    expect(run(esm, 'm.error ?? m.value').stdout).toBe(run(esm, 'm.error ?? m.value', false).stdout);
  });
});

describe('what the render path loads', () => {
  test("cdk8s-plus-27's L1 API only (its L2 classes are never used); source maps of the .ts files, none of node_modules", () => {
    const script = `
      require('./bin/register');
      require('./src/cli/synth.ts').renderAll(['dev']);
      const { findSourceMap } = require('module');
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        plus: loaded.filter(f => f.includes('/node_modules/cdk8s-plus-27/')).map(f => f.slice(f.indexOf('cdk8s-plus-27/'))),
        tsWithoutMap: loaded.filter(f => f.endsWith('.ts') && !findSourceMap(f)),
        jsWithMap: loaded.filter(f => f.includes('/node_modules/') && findSourceMap(f)).length,
      }));`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    // A construct importing \`{ k8s } from 'cdk8s-plus-27'\` loads all of it (~30 ms): import k8s = require('cdk8s-plus-27/lib/imports/k8s').
    expect(JSON.parse(result.stdout)).toEqual({ plus: ['cdk8s-plus-27/lib/imports/k8s.js'], tsWithoutMap: [], jsWithMap: 0 });
  });
});

describe('what the validate path loads', () => {
  test('no cdk8s, cdk8s-plus-27 or constructs: validate reads rendered objects, and the annotations it knows come from dependency-free modules', () => {
    const script = `
      require('./bin/register');
      require('./src/cli/validate.ts');
      console.log(JSON.stringify(Object.keys(require.cache).filter(f => /[\\\\/]node_modules[\\\\/](cdk8s|cdk8s-plus-27|constructs)[\\\\/]/.test(f))));`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});

describe("zod's configuration set by bin/run.js without loading zod", () => {
  test('globalThis.__zod_globalConfig set before zod loads is what z.config() reports (jitless parsers)', () => {
    const script = `
      globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
      const z = require('zod');
      console.log(JSON.stringify({ jitless: z.config().jitless, same: z.config() === globalThis.__zod_globalConfig }));`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(result.stdout)).toEqual({ jitless: true, same: true });
    const plain = spawnSync(process.execPath, ['-p', "require('zod').config().jitless === true"], { cwd: ROOT, encoding: 'utf8' });
    expect(plain.stdout.trim()).toBe('false');
  });
});
