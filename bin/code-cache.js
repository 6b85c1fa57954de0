'use strict';
// V8 code cache for the CommonJS modules of node_modules, for the commands of
// bin/run.js. Node 20 compiles every module from source on every run: about
// 60 ms of `npm run synth` go to compiling cdk8s, zod, yaml and the k8s API
// (Node 22 has module.enableCompileCache() for this). Here such a module is
// compiled by vm.Script with the code V8 produced for it in an earlier run, and
// run with the same arguments Node gives it (exports, require, module,
// __filename, __dirname). ES modules and anything else go the usual way. The
// module is wrapped in Node's function header on its first line, so stack
// traces keep their line numbers; columns of that first line are shifted.
//
// Never stale: an entry is keyed by the file's path and content, Node's and
// V8's versions, the architecture and this file's code; V8 itself refuses data
// made by another version or under other V8 flags (it checks a hash of them),
// and the module is then compiled from source and its entry written again.
// Entries are written when the process exits (a killed process writes none),
// each atomically.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'dockercoins-v8');

let keyBase;
/** The cache file of a module with this path and content. */
function entryFor(filename, content) {
  if (!keyBase) {
    keyBase = crypto.createHash('sha1')
      .update([process.version, process.versions.v8, process.arch].join('\0'))
      .update(fs.readFileSync(__filename))
      .digest('hex');
  }
  const key = crypto.createHash('sha1').update(keyBase).update('\0').update(filename).update('\0').update(content).digest('hex');
  return path.join(CACHE_DIR, `${key}.bin`);
}

/** Scripts compiled without usable cache data: their data is written at exit. */
const toWrite = [];
let exitHook = false;

function writeEntries() {
  try { fs.mkdirSync(CACHE_DIR, { recursive: true }); } catch { return; }
  for (const { script, file } of toWrite.splice(0)) {
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, file); // atomic: concurrent runs never read half an entry
    } catch {
      // A read-only tree still works, only slower.
    }
  }
}

/** `require` for code compiled here: what Node's module wrapper receives. */
function makeRequire(mod) {
  const require = id => mod.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.resolve.paths = request => Module._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/**
 * Module.prototype._compile for one CommonJS module, through the cache. Node's
 * own for ES modules ('module'), and for source that does not compile as
 * CommonJS (Node then reports the error, or loads it as an ES module).
 */
function compile(mod, content, filename, format) {
  if (format === 'module') return Module.prototype._compile.call(mod, content, filename, format);
  const file = entryFor(filename, content);
  let cachedData;
  try { cachedData = fs.readFileSync(file); } catch { /* not cached yet */ }
  let script;
  try {
    // A hashbang is only valid at the very start of a script: keep its columns, as a comment.
    const source = Module.wrap(content.startsWith('#!') ? `//${content.slice(2)}` : content);
    script = new vm.Script(source, { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  } catch {
    return Module.prototype._compile.call(mod, content, filename, format);
  }
  if (cachedData === undefined || script.cachedDataRejected) {
    toWrite.push({ script, file });
    if (!exitHook) { exitHook = true; process.on('exit', writeEntries); }
  }
  const wrapper = script.runInThisContext({ displayErrors: true });
  return wrapper.call(mod.exports, mod.exports, makeRequire(mod), mod, filename, path.dirname(filename));
}

module.exports = { compile, entryFor, makeRequire, CACHE_DIR };
