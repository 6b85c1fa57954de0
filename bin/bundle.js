'use strict';
// One-file build of a command for bin/run.js: the command's TypeScript, the
// constructs and the npm packages they import, bundled by esbuild into one
// CommonJS file and compiled with V8's code cache (bin/code-cache.js). Loading
// ~400 modules one by one (resolve, stat, read, wrap, compile, run) costs about
// 300 ms of `npm run synth`; the one file loads in about 75 ms.
//
// Never stale. A bundle is used only when every file it was built from has the
// content it had then: each input esbuild reports (sources, constructs, npm
// files) by sha1 of its content (or by its inode, size, mtime and ctime when
// those were recorded: see statKey), the package.json of every package an input
// belongs to, node_modules/.package-lock.json (what npm installed), and the
// listing of every folder holding an input (a new file there could change what
// an import resolves to). The key also holds Node's and V8's versions, the
// architecture, esbuild's version, the build options and this file's code. Any
// difference and the command runs from the sources, as without a bundle
// (bin/register.js).
//
// When to build: a bundle pays off only for a tree that is run more than once.
// A run from the sources records the files it loaded (same hashes); the next
// run of that command finds them unchanged and builds the bundle, then uses it.
// A tree that changes between runs (an edit, a test's copy of the project)
// never pays for a build. DOCKERCOINS_BUNDLE=0 turns bundles off.
//
// Files are written atomically (temporary file, rename): concurrent runs never
// read half a bundle or half a record.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const k8sL1 = require('./k8s-l1');

const ROOT = path.join(__dirname, '..');
const CACHE_DIR = process.env.DOCKERCOINS_BUNDLE_DIR || path.join(ROOT, 'node_modules', '.cache', 'dockercoins-bundle');
/** Files bin/run.js loads itself: required from disk at run time, never bundled. */
const OWN_LOADERS = ['register.js', 'transpile.js', 'code-cache.js', 'bundle.js', 'k8s-l1.js'].map(f => path.join(__dirname, f));

/** esbuild options: those of bin/transpile.js (the per-file path), bundled. */
function buildOptions(command, outfile, plugins = []) {
  const { OPTIONS } = require('./transpile');
  return {
    entryPoints: [path.join(ROOT, 'src', 'cli', `${command}.ts`)],
    bundle: true,
    platform: 'node',
    format: OPTIONS.format,
    target: OPTIONS.target,
    // The per-file transform reads no tsconfig.json: neither does the bundle (same class-field semantics).
    tsconfigRaw: '{}',
    // Resolve as Node does with bin/register.js: its extensions in its order (.js before .ts), a
    // package's "main" (not "module"), and no bundler-only export conditions.
    resolveExtensions: ['.js', '.json', '.ts'],
    mainFields: ['main'],
    conditions: [],
    outfile,
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
    logLevel: 'silent',
    sourcemap: false,
    plugins,
  };
}

/**
 * Reads every input itself (the hashes recorded are of the very bytes bundled), gives each input
 * that mentions `__dirname`/`__filename` its own, and leaves the loaders of bin/ external.
 */
function ownPaths(hashes) {
  return {
    name: 'own-paths',
    setup(build) {
      build.onResolve({ filter: /\/bin\/[a-z-]+(\.js)?$/ }, args => {
        const file = path.resolve(args.resolveDir, args.path.endsWith('.js') ? args.path : `${args.path}.js`);
        return OWN_LOADERS.includes(file) ? { path: file, external: true } : undefined;
      });
      build.onLoad({ filter: /.*/ }, async args => {
        const bytes = await fs.promises.readFile(args.path);
        hashes.set(args.path, sha1(bytes));
        const loader = /\.ts$/.test(args.path) ? 'ts' : /\.json$/.test(args.path) ? 'json' : 'js';
        const text = bytes.toString('utf8');
        const contents = k8sL1.applies(args.path) ? k8sL1.rewrite(text) : text;
        if (!/\b__(dirname|filename)\b/.test(contents)) return { contents, loader };
        const header = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
        // On the first line, so that the file's own lines keep their numbers.
        return { contents: `${header} ${contents.startsWith('#!') ? `//${contents.slice(2)}` : contents}`, loader };
      });
    },
  };
}

let keyBase;
/** What decides a bundle besides its inputs. */
function baseKey() {
  keyBase = keyBase || crypto.createHash('sha1')
    .update([process.version, process.versions.v8, process.arch, require('esbuild/package.json').version].join('\0'))
    .update(JSON.stringify(buildOptions('<command>', '<out>'), (k, v) => (k === 'plugins' ? undefined : v)))
    .update(fs.readFileSync(__filename))
    .update(fs.readFileSync(path.join(__dirname, 'transpile.js')))
    .update(fs.readFileSync(path.join(__dirname, 'k8s-l1.js')))
    .digest('hex');
  return keyBase;
}

const sha1 = data => crypto.createHash('sha1').update(data).digest('hex');
function fileHash(file) {
  try { return sha1(fs.readFileSync(file)); } catch { return 'absent'; }
}
/**
 * A file's identity and times (device, inode, size, mtime and ctime in ns), when it is safe to
 * stand for its content: any write gives the file a new ctime, which no program can set back
 * (utimes sets ctime to now). A file changed less than RACY_NS before it was looked at gets none
 * (undefined): a second write within the file system's timestamp granularity could keep its
 * times, so its content is hashed on every check (as git treats "racily clean" files).
 */
const RACY_NS = 2_000_000_000n;
function statKey(file, nowNs) {
  let st;
  try { st = fs.statSync(file, { bigint: true }); } catch { return undefined; }
  if (nowNs !== undefined && (st.ctimeNs > nowNs - RACY_NS || st.mtimeNs > nowNs - RACY_NS)) return undefined;
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

function listingHash(dir) {
  try { return sha1(fs.readdirSync(dir).sort().join('\0')); } catch { return 'absent'; }
}

/** The package.json of the package `file` belongs to (under node_modules), or undefined. */
function packageJsonOf(file) {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length - 1) return undefined;
  const depth = parts[at + 1].startsWith('@') ? 3 : 2;
  return parts.slice(0, at + depth).concat('package.json').join(path.sep);
}

/**
 * The fingerprint of a set of input files (absolute paths): each file's hash,
 * the package.json of its package, the project's package.json, npm's record of
 * what it installed, and the listing of each folder holding an input.
 */
function fingerprintOf(inputs) {
  const files = new Set(inputs);
  for (const file of inputs) {
    const pkg = packageJsonOf(file);
    if (pkg) files.add(pkg);
  }
  files.add(path.join(ROOT, 'node_modules', '.package-lock.json'));
  files.add(path.join(ROOT, 'package.json'));
  // The folders of the inputs themselves (a package's root holds its package.json, already hashed).
  const dirs = new Set(inputs.map(f => path.dirname(f)));
  const now = nowNs();
  return {
    // [file, sha1 of its content, its stat key or null]: the stat is taken before the content is read.
    files: [...files].sort().map(f => { const st = statKey(f, now); return [f, fileHash(f), st ?? null]; }),
    dirs: [...dirs].sort().map(d => [d, listingHash(d)]),
  };
}

/** Whether every file and folder of a fingerprint is as it was: the same stat key, else the same content. */
function unchanged(fingerprint) {
  return fingerprint.files.every(([f, h, st]) => (st !== null && st !== undefined && statKey(f) === st) || fileHash(f) === h)
    && fingerprint.dirs.every(([d, h]) => listingHash(d) === h);
}

function recordFile(command) {
  return path.join(CACHE_DIR, `${command}-${sha1(ROOT).slice(0, 12)}.json`);
}

function writeAtomic(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

function readRecord(command) {
  try {
    const record = JSON.parse(fs.readFileSync(recordFile(command), 'utf8'));
    return record && record.key === baseKey() ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the bundle of `command`; returns its file, or undefined when an input changed while esbuild read the tree. */
async function build(command) {
  const esbuild = require('esbuild');
  const hashes = new Map();
  const result = await esbuild.build(buildOptions(command, path.join(CACHE_DIR, `${command}.js`), [ownPaths(hashes)]));
  const inputs = Object.keys(result.metafile.inputs).map(f => path.resolve(ROOT, f));
  const fingerprint = fingerprintOf(inputs);
  // What was bundled is what the record says: each input as esbuild got it from the plugin,
  // and the packages and folders that decided resolution unchanged by now.
  const bundled = new Map(fingerprint.files.map(([f, h]) => [f, h]));
  for (const file of inputs) bundled.set(file, hashes.get(file));
  if (inputs.some(f => !hashes.has(f)) || fingerprint.files.some(([f, h]) => bundled.get(f) !== h)) return undefined;
  const code = result.outputFiles[0].contents;
  const file = path.join(CACHE_DIR, `${command}-${sha1(code)}.js`);
  const previous = readRecord(command);
  writeAtomic(file, code);
  writeAtomic(recordFile(command), JSON.stringify({ key: baseKey(), kind: 'bundle', bundle: file, ...fingerprint }));
  // The bundle it replaces (a run that still reads it finds it gone and runs from the sources).
  if (previous && previous.bundle && previous.bundle !== file) fs.rmSync(previous.bundle, { force: true });
  return file;
}

/** Runs the bundle file as a CommonJS module resolving like src/cli/<command>.ts; returns its exports. */
function loadFile(file, command) {
  const codeCache = require('./code-cache');
  const as = path.join(ROOT, 'src', 'cli', `${command}.ts`);
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(as));
  codeCache.compile(mod, fs.readFileSync(file, 'utf8'), file, 'commonjs');
  mod.loaded = true;
  return mod.exports;
}

/**
 * The exports of `command` from a fresh bundle, building it when this tree ran
 * unchanged before; undefined otherwise (the caller loads the sources, and this
 * run's inputs are recorded at exit).
 */
async function load(command) {
  if (process.env.DOCKERCOINS_BUNDLE === '0') return undefined;
  // DOCKERCOINS_BUNDLE_TRACE=1: say on stderr what this run loads (test/cli/bundle.test.ts).
  const trace = process.env.DOCKERCOINS_BUNDLE_TRACE === '1' ? line => process.stderr.write(`bundle: ${line}\n`) : () => undefined;
  try {
    const record = readRecord(command);
    if (record && unchanged(record)) {
      if (record.kind === 'bundle' && fs.existsSync(record.bundle)) {
        trace(`using ${record.bundle}`);
        return loadFile(record.bundle, command);
      }
      const file = await build(command);
      if (file) {
        trace(`built ${file}`);
        return loadFile(file, command);
      }
    }
  } catch (e) {
    // No cache folder, no esbuild service...: the sources still work.
    trace(`failed: ${e && e.message}`);
  }
  trace('sources');
  process.on('exit', () => recordSources(command));
  return undefined;
}

/** At exit of a run from the sources: the files it loaded, so that the next run knows the tree is unchanged. */
function recordSources(command) {
  try {
    // A bundle built meanwhile (by another run of this tree) stays the record while it is fresh.
    const current = readRecord(command);
    if (current && current.kind === 'bundle' && unchanged(current)) return;
    const loaded = Object.keys(require.cache).filter(f => f.startsWith(ROOT + path.sep) && !OWN_LOADERS.includes(f));
    writeAtomic(recordFile(command), JSON.stringify({ key: baseKey(), kind: 'sources', ...fingerprintOf(loaded) }));
  } catch {
    // A read-only tree still works, only slower.
  }
}

module.exports = { load, build, fingerprintOf, unchanged, recordFile, CACHE_DIR };
