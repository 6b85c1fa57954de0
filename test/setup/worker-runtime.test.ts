/**
 * The shared worker context of `npm test` (test/setup/worker-environment.js, worker-runtime.js):
 * what a test file shares with the files before it in its worker and what it keeps to itself.
 * The files of test/fixtures/worker-runtime/ run under those, in one worker and in name order,
 * each recording what it saw.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'worker-runtime');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MODULE_MOCKING } = require('./worker-runtime.js') as { MODULE_MOCKING: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WorkerEnvironment = require('./worker-environment.js') as { new (config: unknown, context: unknown): object; restoreEnv(env: Record<string, string | undefined>, initial: Record<string, string>): void };

describe('test files of one worker, run in a shared context', () => {
  let seen: Record<string, any>;
  let run: { status: number | null; stdout: string; stderr: string; error?: Error };

  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-runtime-'));
    const out = path.join(dir, 'seen.jsonl');
    run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', path.join(FIXTURE, 'jest.config.js'), '--runInBand', '--ci', '--cacheDirectory', path.join(dir, 'cache')], {
      // Bounded: timers a file left fake would stall the next file (its timeout runs on them too).
      cwd: FIXTURE, encoding: 'utf8', env: { ...process.env, WORKER_RUNTIME_OUT: out, WORKER_RUNTIME_MOCKING: JSON.stringify(MODULE_MOCKING) }, timeout: 60_000,
    });
    if (run.error) throw new Error(`the fixture project did not finish: ${run.error.message}`);
    seen = Object.fromEntries(fs.readFileSync(out, 'utf8').trim().split('\n').map(l => JSON.parse(l)).map(r => [r.file, r]));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every fixture file ran and passed', () => {
    expect(run.stderr).toMatch(/Tests:\s+6 passed, 6 total/);
    expect(Object.keys(seen).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  test('a later file gets the module instances an earlier file loaded (evaluated once per worker)', () => {
    expect(seen.a.loadedBy).toEqual(['a']);
    expect(seen.b.loadedBy).toEqual(['a', 'b']);
  });

  test('setup files run again before every file', () => {
    expect([seen.a.setupRuns, seen.b.setupRuns]).toEqual([1, 2]);
  });

  test("environment variables, spies and fake timers of an earlier file are gone (process.env, mocks and real timers restored)", () => {
    expect(seen.a.spied).toBe(-1);
    expect(seen.b.left).toBeNull();
    expect(seen.b.spied).toBe(2);
    expect(seen.b.timerFired).toBe(true);
  });

  test('a stack through a shared module is mapped to its .ts lines in a later file (source maps are shared)', () => {
    expect(seen.b.thrownAt).toMatch(/^state\.ts:5:\d+\)?$/);
  });

  test('a file with `@jest-environment node` gets a context and modules of its own', () => {
    expect(seen.c.loadedBy).toEqual([]);
    expect(seen.c.setupRuns).toBe(1);
  });

  test('a shared file that loads the Pulumi SDK is refused with the pragma that fixes it', () => {
    expect(seen.d.message).toContain('d-pulumi.spec.js loads');
    expect(seen.d.message).toContain('/** @jest-environment node */');
  });

  test('jest.mock and every other way of replacing a module is refused in a shared context, naming the pragma', () => {
    const refused = Object.entries(seen.f.refused as Record<string, string | null>);
    expect(MODULE_MOCKING).toEqual(expect.arrayContaining(['mock', 'doMock', 'setMock', 'unstable_mockModule', 'enableAutomock']));
    expect(refused.map(([name]) => name)).toEqual(MODULE_MOCKING);
    for (const [name, message] of refused) {
      expect(message).toContain(`f-mock.spec.js: jest.${name} in a worker context shared`);
      expect(message).toContain('/** @jest-environment node */');
    }
  });

  test('jest.isolateModules gives fresh instances in a shared context', () => {
    expect(seen.e.same).toBe(false);
    expect(seen.e.isolatedLoadedBy).toEqual([]);
    expect(seen.e.loadedBy).toEqual(['a', 'b']);
  });
});

describe('the worker environment', () => {
  const config = (collectCoverage: boolean, run: { runInBand?: boolean; watch?: boolean; watchAll?: boolean } = {}) => ({
    globalConfig: { collectCoverage, ...run },
    projectConfig: { id: 'worker-environment-test', testEnvironmentOptions: {} },
  });
  const context = { console, docblockPragmas: {}, testPath: __filename };

  test('is one per worker and project configuration', () => {
    expect(new WorkerEnvironment(config(false), context)).toBe(new WorkerEnvironment(config(false), context));
    expect(new WorkerEnvironment(config(false), context)).not.toBe(new WorkerEnvironment({ ...config(false), projectConfig: { id: 'another project', testEnvironmentOptions: {} } }, context));
  });

  test('is a fresh one for every file of a coverage run (jest adds up each file\'s counters)', () => {
    expect(new WorkerEnvironment(config(true), context)).not.toBe(new WorkerEnvironment(config(true), context));
  });

  test('is a fresh one for every file of `--watch --runInBand` (jest\'s own process runs every round; a kept registry would hold the modules as they were before a save)', () => {
    for (const run of [{ runInBand: true, watch: true }, { runInBand: true, watchAll: true }]) {
      expect(new WorkerEnvironment(config(false, run), context)).not.toBe(new WorkerEnvironment(config(false, run), context));
    }
    // Watching with workers: jest starts new worker processes for every round, so they share.
    expect(new WorkerEnvironment(config(false, { watch: true }), context)).toBe(new WorkerEnvironment(config(false, { watch: true }), context));
  });

  test('restores any set of environment variables to the initial one (set, changed, deleted)', () => {
    const vars = fc.dictionary(fc.constantFrom('A', 'B', 'C', 'PATH', 'X_1', 'toString'), fc.string(), { maxKeys: 6 });
    fc.assert(fc.property(vars, vars, (initial, current) => {
      const env: Record<string, string | undefined> = { ...current };
      WorkerEnvironment.restoreEnv(env, initial);
      expect(env).toEqual(initial);
    }));
  });
});
