/**
 * `npm run synth -- --watch`: a long-lived synth. After a save under src/ or
 * constructs/, the environments are validated and rendered again in this
 * process, the environments whose files changed are written (through
 * writeOutput: owned folders, lock, atomic swap), and one line per environment
 * says which objects were added, removed or changed (diffManifests). A
 * configuration or rendering error is printed and nothing is written: the
 * output keeps the last good render.
 *
 * Reloading. Modules are cached by require, so a round first drops from the
 * cache every module whose source changed (or was deleted) and every module
 * that imports one of them, directly or not (the import graph is read from
 * require's own record of who required whom). The next require loads those
 * again; every other module, node_modules included, stays loaded and warm.
 * A file imported by everything (constructs/lib/labels.ts...) therefore
 * reloads nearly all of the model, which is what a fresh `npm run synth`
 * would load too. Whether a file changed is decided by content (sha1 of the
 * source each module was compiled from, kept by bin/register.js), so editor
 * saves that fire several events, or touch a file, cost one check and no
 * render. Changes outside src/ and constructs/ (node_modules, package.json)
 * and changes to this file need a restart.
 *
 * Every round renders every environment (the same validation and rendering as
 * `npm run synth`, nothing reused from an earlier round but the modules that
 * did not change), then writes only the environments whose files differ
 * from the output folder.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { K8sObject } from '../analysis/objects';
import type { RenderedFile } from '../render';

/** What watch needs from src/cli/synth.ts, loaded again each round (synth passes its own loader: no import cycle). */
export interface SynthModule {
  renderAll(names: string[]): Map<string, RenderedFile[]>;
  staleFiles(out: string, rendered: Map<string, RenderedFile[]>): string[];
  AggregateConfigError: new (...args: never[]) => Error;
}

export interface WatchOptions {
  /** Environments to render (--env); empty: every environment, as the config defines them each round. */
  readonly envs: readonly string[];
  readonly out: string;
  readonly prune: boolean;
  /** Loads src/cli/synth.ts (a fresh copy once its dependencies were dropped from the cache). */
  readonly loadSynth: () => SynthModule;
}

/**
 * Wait after the first file event of a batch, so that an editor's save (often several events
 * within a millisecond: truncate and write, or write a temporary file and rename it) is one
 * round. A round that reads a half-written file fails and the next event renders it again.
 */
const DEBOUNCE_MS = 5;

const ROOT = path.resolve(__dirname, '..', '..');
const WATCHED = ['src', 'constructs'].map(d => path.join(ROOT, d));
const SELF = __filename;

const isProjectModule = (file: string) => file.endsWith('.ts') && WATCHED.some(dir => file.startsWith(dir + path.sep)) && file !== SELF;
const relative = (file: string) => path.relative(ROOT, file);
const sha1 = (text: string) => crypto.createHash('sha1').update(text).digest('hex');

/** sha1 of the source each .ts module was compiled from (bin/register.js); empty under another loader. */
function compiledSources(): Map<string, string> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../bin/register') as { compiledSources: Map<string, string> }).compiledSources;
  } catch {
    return new Map();
  }
}

/** Loaded project modules that `changed` are, or that import them (directly or not). */
export function dependents(changed: Iterable<string>): Set<string> {
  const importers = new Map<string, Set<string>>();
  for (const mod of Object.values(require.cache)) {
    if (!mod) continue;
    for (const child of mod.children) {
      let set = importers.get(child.filename);
      if (!set) importers.set(child.filename, (set = new Set()));
      set.add(mod.filename);
    }
  }
  const out = new Set<string>();
  const todo = [...changed];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (out.has(file)) continue;
    out.add(file);
    for (const importer of importers.get(file) ?? []) if (isProjectModule(importer)) todo.push(importer);
  }
  return out;
}

/**
 * The environments a change can affect, when it is known: every changed module is an
 * environment's own file (src/config/environments/<env>.ts) that no module but the environment
 * registry (src/config/index.ts) imports. Each environment renders from the shared model and its
 * own file only, and the shared model did not change: the others render as before. undefined
 * (every environment) otherwise.
 */
export function changedEnvironments(changed: readonly string[]): Set<string> | undefined {
  if (changed.length === 0) return undefined;
  const registry = path.join(ROOT, 'src', 'config', 'index.ts');
  const envDir = path.join(ROOT, 'src', 'config', 'environments');
  const envs = new Set<string>();
  for (const file of changed) {
    if (path.dirname(file) !== envDir || !file.endsWith('.ts')) return undefined;
    const importers = Object.values(require.cache).filter(m => m?.children.some(c => c.filename === file)).map(m => m!.filename);
    if (importers.length !== 1 || importers[0] !== registry) return undefined;
    envs.add(path.basename(file, '.ts'));
  }
  return envs;
}

/** Drops modules from require's cache (and resolutions that may name a moved or deleted file). */
function unload(files: Set<string>, clearResolutions: boolean): void {
  for (const file of files) delete require.cache[file];
  const pathCache = (require('module') as { _pathCache?: Record<string, string> })._pathCache;
  if (!pathCache) return;
  for (const [key, value] of Object.entries(pathCache)) if (clearResolutions || files.has(value)) delete pathCache[key];
}

function isFolder(file: string): boolean {
  try { return fs.statSync(file).isDirectory(); } catch { return false; }
}

function tsFilesUnder(dir: string): string[] {
  return folders(dir).flatMap(d => {
    try { return fs.readdirSync(d).filter(n => n.endsWith('.ts')).map(n => path.join(d, n)); } catch { return []; }
  });
}

/** Every folder under `dir` (itself included), skipping dot-folders and node_modules. */
function folders(dir: string): string[] {
  const out = [dir];
  let entries: fs.Dirent[] = [];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') out.push(...folders(path.join(dir, e.name)));
  return out;
}

/** The message and the frames of the stack that are in the model (an esbuild syntax error has none worth showing). */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const own = (e.stack ?? '').split('\n').filter(line => /^\s+at /.test(line) && WATCHED.some(dir => line.includes(dir + path.sep)));
  return [`${e.name}: ${e.message}`, ...own.slice(0, 8)].join('\n');
}

function objectsOf(env: string): K8sObject[] {
  // Fresh modules of this round (the cache was cleared of everything that changed).
  const { loadEnvironment } = require('../config') as typeof import('../config');
  const { renderCharts } = require('../render') as typeof import('../render');
  return renderCharts(loadEnvironment(env)).flatMap(c => c.objects);
}

function list(refs: string[]): string {
  const shown = refs.slice(0, 4).join(', ');
  return refs.length > 4 ? `${shown} and ${refs.length - 4} more` : shown;
}

/** One line per environment: what the round changed in it. */
function summary(env: string, before: K8sObject[] | undefined, after: K8sObject[]): string {
  if (before === undefined) return `${env}: written (${after.length} objects)`;
  const { diffManifests } = require('../analysis/diff') as typeof import('../analysis/diff');
  const diff = diffManifests(before, after);
  if (diff.objects.length === 0) return `${env}: files rewritten, objects unchanged`;
  const of = (change: 'added' | 'removed' | 'changed') => {
    const refs = diff.objects.filter(o => o.change === change).map(o => o.ref);
    return refs.length > 0 ? `${refs.length} ${change} (${list(refs)})` : `0 ${change}`;
  };
  return `${env}: ${of('added')}, ${of('removed')}, ${of('changed')}`;
}

/**
 * Renders and writes once, then again after every change, until SIGINT or
 * SIGTERM. Resolves with the exit status: 0 when stopped, 1 when the output
 * folder cannot be written or the sources cannot be watched.
 */
export function watch(options: WatchOptions): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const sources = compiledSources();
  const out = options.out;
  /** Objects of each environment as last written, for the summaries. */
  const current = new Map<string, K8sObject[]>();
  let lastNames: string[] = [];
  let lastFailed = false;

  const output = () => require('./output') as typeof import('./output');
  const environmentNames = (): string[] => {
    if (options.envs.length > 0) return [...options.envs];
    const { ENVIRONMENTS } = require('../config') as typeof import('../config');
    return Object.keys(ENVIRONMENTS);
  };

  /** Validates and renders every environment (synth's renderAll); prints the refusal and returns undefined on any error. */
  const render = (what: string, only?: ReadonlySet<string>): { synth: SynthModule; rendered: Map<string, RenderedFile[]>; names: string[] } | undefined => {
    let synth: SynthModule | undefined;
    try {
      synth = options.loadSynth();
      const envNames = environmentNames();
      const { ENVIRONMENTS } = require('../config') as typeof import('../config');
      const unknown = envNames.filter(n => !Object.prototype.hasOwnProperty.call(ENVIRONMENTS, n));
      if (unknown.length > 0) {
        err(`watch: ${what}: --env ${unknown.join(', ')}: no such environment any more (known: ${Object.keys(ENVIRONMENTS).join(', ')}). Nothing was written: ${out}/ keeps the last good output.`);
        return undefined;
      }
      // Only the environments a round can change, when it knows them (see `changedEnvironments`)
      // and the set of environments is the one last rendered.
      const known = only !== undefined && [...only].every(n => envNames.includes(n)) && envNames.join('\0') === lastNames.join('\0');
      const subset = known ? envNames.filter(n => only.has(n)) : envNames;
      return { synth, rendered: synth.renderAll(subset), names: envNames };
    } catch (e) {
      if (synth && e instanceof synth.AggregateConfigError) {
        err(`watch: ${what}: refused. Nothing was written: ${out}/ keeps the last good output.\n${(e as Error).message}`);
      } else {
        err(`watch: ${what}: rendering failed. Nothing was written: ${out}/ keeps the last good output.\n${describeError(e)}`);
      }
      return undefined;
    }
  };

  /** Writes `rendered` (all, or only the environments whose files differ); undefined when writing failed. */
  const write = (rendered: Map<string, RenderedFile[]>, all: boolean, what: string): string[] | undefined => {
    const { writeOutput, OutputError } = output();
    try {
      const result = writeOutput(out, rendered, { allEnvironments: all && options.envs.length === 0, prune: options.prune, note: line => err(line) });
      for (const line of result.recovered) err(`watch: recovered an interrupted run: ${line}`);
      return result.written;
    } catch (e) {
      if (e instanceof OutputError) { err(`watch: ${what}: ${e.message}`); return undefined; }
      err(`watch: ${what}: writing failed: ${(e as Error)?.stack ?? e}`);
      return undefined;
    }
  };

  // Start-up: the same render and write as `npm run synth`. An invalid configuration is
  // reported and waited for (the next save retries); an output folder synth may not write ends it.
  const first = render('start');
  if (first) {
    const written = write(first.rendered, true, 'start');
    if (written === undefined) return Promise.resolve(1);
    for (const env of first.names) current.set(env, objectsOf(env));
    lastNames = first.names;
    log(`watch: wrote ${written.map(env => `${out}/${env}/`).join(', ')}`);
  } else {
    lastFailed = true;
  }

  // Warm esbuild now: the first changed file is then transpiled in milliseconds.
  try { (require('../../bin/transpile') as { warmUp(): void }).warmUp(); } catch { /* another loader */ }

  const pending = new Set<string>();
  let firstEventAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let filesAddedOrRemoved = false;
  const watchers = new Map<string, fs.FSWatcher>();

  const round = () => {
    timer = undefined;
    const startedAt = firstEventAt;
    const events = [...pending];
    pending.clear();
    const clearResolutions = filesAddedOrRemoved;
    filesAddedOrRemoved = false;
    // What changed: loaded modules whose source differs from what they were compiled from, or that are gone.
    const changed = events.filter(file => {
      if (!require.cache[file]) return false;
      let text: string;
      try { text = fs.readFileSync(file, 'utf8'); } catch { return true; }
      return sources.get(file) !== sha1(text);
    });
    if (changed.includes(SELF)) {
      changed.splice(changed.indexOf(SELF), 1);
      try { sources.set(SELF, sha1(fs.readFileSync(SELF, 'utf8'))); } catch { /* deleted */ }
      log(`watch: ${relative(SELF)} changed: stop and start the watcher to run its new code`);
    }
    // After a failed round any save may be the fix (a file that did not load is not in the cache): try again.
    if (changed.length === 0 && !lastFailed) return;
    const what = `change in ${list((changed.length > 0 ? changed : events).map(relative))}`;
    const only = lastFailed || clearResolutions ? undefined : changedEnvironments(changed);
    unload(dependents(changed), clearResolutions);
    const renderedAt = performance.now();
    const result = render(what, only);
    if (!result) { lastFailed = true; return; }
    const { synth, rendered, names: envNames } = result;
    const setChanged = envNames.join('\0') !== lastNames.join('\0');
    const toWrite = envNames.filter(env => rendered.has(env) && synth.staleFiles(out, new Map([[env, rendered.get(env)!]])).length > 0);
    let written: string[] = [];
    const writeStart = performance.now();
    if (toWrite.length > 0 || (setChanged && options.envs.length === 0)) {
      // A new or removed environment: write them all, so that writeOutput judges stale folders as synth does.
      const subset = setChanged ? rendered : new Map(toWrite.map(env => [env, rendered.get(env)!]));
      if (write(subset, setChanged, what) === undefined) { lastFailed = true; return; }
      written = toWrite;
    }
    const doneAt = performance.now();
    lastFailed = false;
    lastNames = envNames;
    // From the first file event of the batch to the files written (the latency `npm run bench` reports).
    const timing = `${Math.round(doneAt - startedAt)} ms after the save (reload and render ${Math.round(writeStart - renderedAt)} ms, write ${Math.round(doneAt - writeStart)} ms)`;
    log(written.length > 0
      ? `watch: ${what}: wrote ${written.map(env => `${out}/${env}/`).join(', ')} ${timing}`
      : `watch: ${what}: no file changed, nothing written; checked ${timing}`);
    for (const env of envNames) {
      if (!toWrite.includes(env)) { log(`watch:   ${env}: unchanged`); continue; }
      const objects = objectsOf(env);
      log(`watch:   ${summary(env, current.get(env), objects)}`);
      current.set(env, objects);
    }
    for (const env of [...current.keys()]) if (!envNames.includes(env)) current.delete(env);
  };

  const onEvent = (dir: string, filename: string | Buffer | null) => {
    const name = filename ? filename.toString() : '';
    const file = path.join(dir, name);
    if (!name) {
      // No name: treat every loaded module of that folder as possibly changed.
      for (const loaded of Object.keys(require.cache)) if (path.dirname(loaded) === dir && isProjectModule(loaded)) pending.add(loaded);
    } else if (name.endsWith('.ts')) {
      pending.add(file);
      if (!fs.existsSync(file) || !require.cache[file]) filesAddedOrRemoved = true;
    } else if (isFolder(file)) {
      // A new folder: watch it and what it holds.
      filesAddedOrRemoved = true;
      addWatchers(file);
      for (const f of tsFilesUnder(file)) pending.add(f);
    } else if (watchers.has(file)) {
      // A watched folder removed: its modules are gone.
      filesAddedOrRemoved = true;
      for (const [d, w] of watchers) if (d === file || d.startsWith(file + path.sep)) { w.close(); watchers.delete(d); }
      for (const loaded of Object.keys(require.cache)) if (loaded.startsWith(file + path.sep)) pending.add(loaded);
    }
    if (pending.size === 0) return;
    if (timer === undefined) {
      firstEventAt = performance.now();
      timer = setTimeout(round, DEBOUNCE_MS);
    }
  };

  const addWatchers = (dir: string) => {
    let stat: fs.Stats;
    try { stat = fs.statSync(dir); } catch { return; }
    if (!stat.isDirectory()) return;
    for (const d of folders(dir)) {
      if (watchers.has(d)) continue;
      try {
        const w = fs.watch(d, { persistent: true }, (_type, filename) => onEvent(d, filename));
        w.on('error', () => { w.close(); watchers.delete(d); });
        watchers.set(d, w);
      } catch {
        // Removed in the meantime.
      }
    }
  };

  return new Promise<number>(resolve => {
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      log('watch: stopped');
      resolve(0);
    };
    try {
      for (const dir of WATCHED) addWatchers(dir);
    } catch (e) {
      err(`watch: cannot watch ${WATCHED.map(relative).join(', ')}: ${(e as Error).message}`);
      resolve(1);
      return;
    }
    // Signals are handled between rounds (a round is synchronous): a stop never interrupts a write.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    log(`watch: watching ${WATCHED.map(d => `${relative(d)}/`).join(' and ')} for changes (Ctrl-C to stop)`);
  });
}
