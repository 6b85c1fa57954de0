'use strict';
/**
 * One Node test environment (one vm context) per jest worker, reused by every test file the
 * worker runs, so that the modules those files load are evaluated and JIT-compiled once per
 * worker instead of once per file (test/setup/worker-runtime.js shares the module registry).
 *
 * Why: in stock jest each of our ~100 test files re-evaluates cdk8s, cdk8s-plus-27, zod, yaml
 * and the whole model in a fresh context and renders the environments with a cold JIT. Measured
 * here (2 cores, jest alone, two runs each): 69-71 s wall and 131 CPU-s with a context per file,
 * 60-61 s and 114 CPU-s shared, the same 3,019 tests passing.
 *
 * What a test file still gets to itself: its own jest-circus state, `expect`, console and mocks
 * (jest restores spies after every file); `process.env` as it was when the worker started and
 * real timers (this environment restores both before every file); fresh modules inside
 * `jest.isolateModules`.
 * What it shares with the files before it in the same worker: module-level state of the modules
 * they loaded, and properties they put on the global object. What a shared file is refused, as
 * it would depend on which files ran before it (test/setup/worker-runtime.js): loading Pulumi's
 * SDK, and `jest.mock` and the other ways of replacing a module.
 *
 * A file that needs a context of its own opts out with jest's own docblock pragma
 * `@jest-environment node` (the Pulumi suites: the SDK keeps its run state on the global
 * object). Coverage runs (`jest --coverage`) are isolated too: coverage counters live on the
 * context's global, and jest adds each file's counters to the total. So is `jest --watch
 * --runInBand`: it runs every round in jest's own process, where a registry kept from the last
 * round would serve the modules as they were before the save (jest's workers, in every other
 * mode, are new processes for each run: jest-runner 29.7's #createParallelTestRun starts them and
 * ends them; @jest/core's shouldRunInBand keeps watch rounds in band only with --runInBand).
 */
const { TestEnvironment: NodeEnvironment } = require('jest-environment-node');

/** Marks an environment shared across files; the runtime reads it (a symbol survives module copies). */
const SHARED = Symbol.for('dockercoins.test.sharedWorkerEnvironment');

/** The environments of this worker, by everything that shapes a context (see contextKey). */
const environments = new Map();

function contextKey(config) {
  return JSON.stringify([config.projectConfig.id, config.projectConfig.testEnvironmentOptions]);
}

class WorkerEnvironment extends NodeEnvironment {
  constructor(config, context) {
    const { collectCoverage, runInBand, watch, watchAll } = config.globalConfig;
    const isolated = Boolean(collectCoverage || (runInBand && (watch || watchAll)));
    const key = contextKey(config);
    if (!isolated && environments.has(key)) return environments.get(key);
    super(config, context);
    if (isolated) return;
    environments.set(key, this);
    this[SHARED] = {
      moduleRegistry: new Map(),
      sourceMapRegistry: new Map(),
      fileTransforms: new Map(),
      cjsNamedExports: new Map(),
    };
    this.initialEnv = { ...this.global.process.env };
  }

  async setup() {
    await super.setup();
    if (!this[SHARED]) return;
    restoreEnv(this.global.process.env, this.initialEnv);
    // Real timers for every file, whatever the last one left installed (stock jest disposes of
    // the fake timers with the context).
    this.fakeTimersModern?.useRealTimers();
    this.fakeTimers?.useRealTimers();
  }

  async teardown() {
    // A shared context lives as long as its worker; the next file of this worker runs in it.
    if (!this[SHARED]) await super.teardown();
  }
}

/** Makes `env` hold exactly the variables of `initial` (a file may have set or deleted some). */
function restoreEnv(env, initial) {
  for (const name of Object.keys(env)) if (!Object.hasOwn(initial, name)) delete env[name];
  for (const [name, value] of Object.entries(initial)) if (env[name] !== value) env[name] = value;
}

module.exports = WorkerEnvironment;
module.exports.default = WorkerEnvironment;
module.exports.TestEnvironment = WorkerEnvironment;
module.exports.SHARED = SHARED;
module.exports.restoreEnv = restoreEnv;
