'use strict';
/**
 * jest's runtime, sharing one module registry among the test files a worker runs in the same
 * shared environment (test/setup/worker-environment.js says why and what is shared). In any other
 * environment (a file's `@jest-environment` pragma, a coverage run, `--watch --runInBand`) it is
 * jest's runtime unchanged.
 *
 * It relies on jest-runtime 29.7.0's private fields (`_moduleRegistry`, `_sourceMapRegistry`,
 * `_fileTransforms`, `_cjsNamedExports`, `_testPath`, `_cacheFS`, `_internalModuleRegistry`,
 * `jestObjectCaches`); the version is pinned in package.json, and test/setup/worker-runtime.test.ts
 * fails if one is gone (the registries and `_testPath` are checked, the others are called).
 */
const Runtime = require('jest-runtime').default;
const { SHARED } = require('./worker-environment');

/** The registries a shared runtime takes from its environment instead of starting empty. */
const SHARED_FIELDS = {
  moduleRegistry: '_moduleRegistry',
  sourceMapRegistry: '_sourceMapRegistry',
  fileTransforms: '_fileTransforms',
  cjsNamedExports: '_cjsNamedExports',
};

/**
 * Packages that keep run state on the global object, so that two test files using them in one
 * context see each other's runs: Pulumi's SDK (its mocks, stack resource and registered resources,
 * runtime/state.js). A file in a shared context that loads one fails at once, naming the pragma
 * that gives it a context of its own, rather than failing or passing by which files ran before it.
 */
const CONTEXT_STATEFUL = [/[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]/];

/** The jest object's ways of replacing modules (jest-runtime 29.7 `_createJestObjectFor`). */
const MODULE_MOCKING = ['mock', 'doMock', 'setMock', 'unstable_mockModule', 'enableAutomock', 'autoMockOn', 'createMockFromModule', 'genMockFromModule'];

/** What every refusal of a shared context tells the author of the file to do. */
const OWN_CONTEXT = 'Give the file a context of its own: start it with /** @jest-environment node */ (test/setup/worker-environment.js).';

/** A private field this file relies on is not there: jest changed under it. */
function jestChanged(field) {
  return new Error(`jest-runtime has no ${field}: test/setup/worker-runtime.js needs updating for this jest version`);
}

class WorkerRuntime extends Runtime {
  constructor(config, environment, ...rest) {
    super(config, environment, ...rest);
    const shared = environment[SHARED];
    this.sharesModules = Boolean(shared);
    if (!shared) return;
    if (typeof this._testPath !== 'string') throw jestChanged('_testPath');
    for (const [name, field] of Object.entries(SHARED_FIELDS)) {
      if (!(this[field] instanceof Map)) throw jestChanged(`${field} Map`);
      this[field] = shared[name];
    }
    // Setup files run for every test file (they install per-file hooks); the test file is its own.
    for (const file of [...config.setupFiles, ...config.setupFilesAfterEnv, this._testPath]) shared.moduleRegistry.delete(file);
  }

  _execModule(module, ...rest) {
    if (this.sharesModules && CONTEXT_STATEFUL.some(pattern => pattern.test(module.filename))) {
      throw new Error(`${this._testPath} loads ${module.filename} in a worker context shared with other test files; that package keeps its run state on the global object. ${OWN_CONTEXT}`);
    }
    return super._execModule(module, ...rest);
  }

  /**
   * `jest.mock` and its kin are refused in a shared context: a module the earlier files loaded
   * keeps the real dependency it was given, so the mock would reach only this file's own
   * requires, and which modules those are depends on which files ran before it.
   */
  _createJestObjectFor(from) {
    const jestObject = super._createJestObjectFor(from);
    if (!this.sharesModules) return jestObject;
    const refuse = name => () => {
      throw new Error(`${this._testPath}: jest.${name} in a worker context shared with other test files would not reach the modules they loaded. ${OWN_CONTEXT}`);
    };
    for (const name of MODULE_MOCKING) jestObject[name] = refuse(name);
    return jestObject;
  }

  teardown() {
    if (!this.sharesModules) return super.teardown();
    // Per-file state only. The modules stay for the next file, and this runtime stays usable:
    // the modules it loaded call back into it for the modules they require later.
    this.restoreAllMocks();
    // The test file's own module (and what only it holds, such as renders kept in its constants)
    // is garbage once the file is done, as in stock jest; nothing requires a test file.
    this._moduleRegistry.delete(this._testPath);
    this._mainModule = null;
    this._cacheFS.clear();
    this.jestObjectCaches.clear();
    this._internalModuleRegistry.clear();
    this._isolatedModuleRegistry = null;
    this._isolatedMockRegistry = null;
  }
}

module.exports = WorkerRuntime;
module.exports.default = WorkerRuntime;
module.exports.MODULE_MOCKING = MODULE_MOCKING;
