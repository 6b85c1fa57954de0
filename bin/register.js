'use strict';
// Runs TypeScript sources directly by transpiling each file with esbuild as it
// is required: no type-checking on the render path (`npm test` runs tsc).
// Transpiled files are cached in node_modules/.cache, keyed by content, file name,
// options, esbuild version and the transpiler's code (bin/transpile.js), so an
// unchanged tree loads without starting esbuild at all.
//
// Source maps: stack traces name lines of the .ts files. Node reads the map of
// every module it compiles while source maps are on, eagerly; the JavaScript
// in node_modules ships large inline maps (every file of cdk8s, with its
// sources) that cost tens of ms per run to decode, and nobody reads them. So
// maps are on while a .ts file compiles and off while a .js file compiles
// (unless node was started with --enable-source-maps: then on everywhere).
//
// useCodeCache() (bin/run.js) also compiles the CommonJS modules of
// node_modules with V8's code cache (bin/code-cache.js), and cdk8s-plus-27's L1
// module with its linear reducer (bin/k8s-l1.js).
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');
const { cacheKey, shownPath, transpile } = require('./transpile');
const k8sL1 = require('./k8s-l1');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'dockercoins-ts');

/**
 * sha1 of the source each .ts module was last compiled from, by file name:
 * `synth --watch` compares it with the file on disk to know what changed.
 */
const compiledSources = new Map();

function compile(source, filename) {
  // The inline map names its source by file name only: Node resolves it against the module's own
  // path (lib/internal/source_map/source_map_cache.js, sourcesToAbsolute), so stack traces still
  // name the full .ts path, and the transpiled file is the same wherever the tree lies. A copy of
  // the project (the tests' and the bench's scratch trees, a second checkout) then reuses the cache.
  const name = path.basename(filename);
  const key = cacheKey('inline', name, source);
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const { code } = transpile(source, name, 'inline', shownPath(filename));
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached); // atomic: concurrent runs never read half a file
    } catch {
      // A read-only tree still works, only slower.
    }
    return code;
  }
}

const mapsEverywhere = process.sourceMapsEnabled === true || process.execArgv.includes('--enable-source-maps')
  || /(^|\s)--enable-source-maps\b/.test(process.env.NODE_OPTIONS || '');
let mapsOn = mapsEverywhere;
/** Runs `load` with Node's source maps on or off, then restores the previous state. */
function withSourceMaps(on, load) {
  const before = process.sourceMapsEnabled ?? mapsOn;
  if (on !== before) { process.setSourceMapsEnabled(on); mapsOn = on; }
  try {
    load();
  } finally {
    if (mapsOn !== before) { process.setSourceMapsEnabled(before); mapsOn = before; }
  }
}

let codeCache;
const IN_NODE_MODULES = `${path.sep}node_modules${path.sep}`;
if (!mapsEverywhere) {
  const loadJavaScript = require.extensions['.js'];
  require.extensions['.js'] = function loadJavaScriptWithoutMaps(module, filename) {
    // Node's loader still reads the file and decides its format; only the compile step is cached.
    const cached = codeCache && filename.includes(IN_NODE_MODULES);
    if (cached) module._compile = (content, name, format) => codeCache.compile(module, k8sL1.applies(name) ? k8sL1.rewrite(content) : content, name, format);
    try {
      withSourceMaps(false, () => loadJavaScript(module, filename));
    } finally {
      if (cached) delete module._compile;
    }
  };
}
/**
 * With reuseCompiled() (`synth --watch`): the script each .ts file was first compiled to, by file
 * name, run again when that file is loaded again with the same source.
 */
let compiledScripts;

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const sha1 = crypto.createHash('sha1').update(source).digest('hex');
  compiledSources.set(filename, sha1);
  const compiled = compiledScripts && compiledScripts.get(filename);
  if (compiled && compiled.sha1 === sha1) return runAgain(compiled, module, filename);
  const code = compile(source, filename);
  withSourceMaps(true, () => module._compile(code, filename));
  if (compiledScripts) compiledScripts.set(filename, { sha1, code, script: undefined, registeredBy: module });
};
// Stack traces are formatted when read, usually after loading: maps on.
process.setSourceMapsEnabled(true);
mapsOn = true;

/**
 * `synth --watch` loads again every module that imports a changed one, most of them unchanged.
 * From reuseCompiled() on, such a module runs the script V8 compiled for it before, in a new
 * module scope (its own exports, require and module, as a fresh load): no parse and no compile,
 * and the functions V8 compiled (bytecode, baseline code) stay compiled. Stack traces keep the
 * .ts lines: Node drops the source map of a file with the module that registered it, so that
 * module is kept. The module wrapper sits on the first line (columns there are shifted).
 */
function reuseCompiled() {
  compiledScripts = compiledScripts || new Map();
}

function runAgain(compiled, module, filename) {
  if (!compiled.script) {
    compiled.script = new vm.Script(Module.wrap(compiled.code), { filename, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  }
  // What Node's module wrapper receives as `require`, as for the code bin/code-cache.js compiles.
  const moduleRequire = require('./code-cache').makeRequire(module);
  const wrapper = compiled.script.runInThisContext({ displayErrors: true });
  return wrapper.call(module.exports, module.exports, moduleRequire, module, filename, path.dirname(filename));
}

/** From now on, compile node_modules' CommonJS with V8's code cache (not with --enable-source-maps). */
function useCodeCache() {
  codeCache = codeCache || require('./code-cache');
}

module.exports = { compiledSources, useCodeCache, reuseCompiled, CACHE_DIR };
