/**
 * `npm run synth -- --watch`: a long-lived synth. After a save under src/ or
 * constructs/, the environments are validated and rendered again in this
 * process, the environments whose files changed are written (through
 * writeOutput: owned folders, lock, atomic swap), and one line per environment
 * says which objects were added, removed or changed (diffManifests, on the
 * objects of the round's own render, those of the manifest files whose bytes
 * changed: nothing is rendered again for it). A
 * configuration or rendering error is printed and nothing is written: the
 * output keeps the last good render. The latency printed (and read by `npm run
 * bench`) runs from the first file event of a save to the files written and
 * the summary made.
 *
 * Reloading. Modules are cached by require, so a round first drops from the
 * cache every module whose source changed (or was deleted) and every module
 * that imports one of them, directly or not (the import graph is read from
 * require's own record of who required whom). The next require loads those
 * again; every other module, node_modules included, stays loaded and warm.
 * A file imported by everything (constructs/lib/labels.ts...) therefore
 * reloads nearly all of the model, which is what a fresh `npm run synth`
 * would load too; those of them whose source did not change run the script
 * compiled for them before (bin/register.js reuseCompiled: no compile, their
 * compiled functions stay compiled). Whether a file changed is decided by
 * content (sha1 of the source each module was compiled from, kept by
 * bin/register.js), so editor saves that fire several events, or touch a file,
 * cost one check and no render. Changes outside src/ and constructs/
 * (node_modules, package.json) and changes to the watcher's own files (SELF)
 * need a restart.
 *
 * Every round renders every environment (the same validation and rendering as
 * `npm run synth`, nothing reused from an earlier round but the modules that
 * did not change), then writes only the environments whose files differ
 * from the output folder.

 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ManifestDiff } from '../analysis/diff';
import type { K8sObject } from '../analysis/objects';
import type { ChartFile, RenderedFile } from '../render';

/** One environment as synth renders it, with its objects (the summary's input). */
export interface EnvironmentRender {
  readonly files: RenderedFile[];
  readonly objects: K8sObject[];
  /** The objects by the manifest file that holds them. */
  readonly chartFiles: readonly ChartFile[];
}

/** What watch needs from src/cli/synth.ts, loaded again each round (synth passes its own loader: no import cycle). */
export interface SynthModule {
  renderAllWithObjects(names: string[]): Map<string, EnvironmentRender>;
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
/** The watcher's own files: never reloaded (their code runs the rounds); a change needs a restart. */
const SELF = new Set([__filename]);

const isProjectModule = (file: string) => file.endsWith('.ts') && WATCHED.some(dir => file.startsWith(dir + path.sep)) && !SELF.has(file);
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

/** Of the files named by events, the loaded modules whose source differs from what they were compiled from, or that are gone. */
function changedModules(events: readonly string[], sources: Map<string, string>): string[] {
  return events.filter(file => {
    if (!require.cache[file]) return false;
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { return true; }
    return sources.get(file) !== sha1(text);
  });
}

/** Loaded project modules that `changed` are, or that import them (directly or not). */
export function dependents(changed: Iterable<string>): Set<string> {
  const importers = new Map<string, Set<string>>();
  // Only project modules import project modules (node_modules never import the model): the
  // importers of the rest of the cache need not be read.
  for (const mod of Object.values(require.cache)) {
    if (!mod || !isProjectModule(mod.filename)) continue;
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
  // A save that does not parse: the message names the file, line and column; the frames are only the import chain.
  if ((e as NodeJS.ErrnoException).code === transpileSyntaxErrorCode()) return `${e.name}: ${e.message}`;
  const own = (e.stack ?? '').split('\n').filter(line => /^\s+at /.test(line) && WATCHED.some(dir => line.includes(dir + path.sep)));
  return [`${e.name}: ${e.message}`, ...own.slice(0, 8)].join('\n');
}

/** bin/transpile.js's code for a source esbuild cannot parse; undefined under another loader. */
function transpileSyntaxErrorCode(): string | undefined {
  try { return (require('../../bin/transpile') as { SYNTAX_ERROR: string }).SYNTAX_ERROR; } catch { return undefined; }
}

function list(refs: string[]): string {
  const shown = refs.slice(0, 4).join(', ');
  return refs.length > 4 ? `${shown} and ${refs.length - 4} more` : shown;
}

/** Whether two JSON values are equal (objects: the same keys, in any order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every(k => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The objects the summary must compare: those of the manifest files whose bytes changed (a file
 * with the same bytes holds the same objects: `npm run diff` compares what it parses from them).
 * Every object when an object key occurs twice (diffManifests counts the last one of a key, which
 * may sit in an unchanged file).
 */
function objectsToCompare(before: EnvironmentRender, after: EnvironmentRender, objectKey: (o: K8sObject) => string): [K8sObject[], K8sObject[]] {
  const contents = (r: EnvironmentRender) => new Map(r.files.map(f => [f.name, f.content]));
  const was = contents(before);
  const now = contents(after);
  const unchanged = (file: string) => was.has(file) && was.get(file) === now.get(file);
  const changed = (r: EnvironmentRender) => r.chartFiles.filter(c => !unchanged(c.name)).flatMap(c => c.objects);
  const unique = (objects: K8sObject[]) => new Set(objects.map(objectKey)).size === objects.length;
  if (!unique(before.objects) || !unique(after.objects)) return [before.objects, after.objects];
  return [changed(before), changed(after)];
}

/** One line per environment: what the round changed in it. */
export function summary(env: string, before: EnvironmentRender | undefined, after: EnvironmentRender): string {
  if (before === undefined) return `${env}: written (${after.objects.length} objects)`;
  const { diffManifests, objectKey } = require('../analysis/diff') as typeof import('../analysis/diff');
  const [was, now] = objectsToCompare(before, after, objectKey);
  // diffManifests judges each object key on its own (the last object of a key counts), and objects
  // equal as JSON values have no changed field: it needs only the others (a save changes few objects).
  const last = (objects: K8sObject[]) => new Map(objects.map(o => [objectKey(o), o]));
  const a = last(was);
  const b = last(now);
  const same = new Set([...a].filter(([key, o]) => b.has(key) && sameJson(o, b.get(key))).map(([key]) => key));
  return summaryLine(env, diffManifests(was.filter(o => !same.has(objectKey(o))), now.filter(o => !same.has(objectKey(o)))));
}

/** The summary line of an environment's object diff. */
export function summaryLine(env: string, diff: Pick<ManifestDiff, 'objects'>): string {
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
  /** Each environment as last written, for the summaries. */
  const current = new Map<string, EnvironmentRender>();
  let lastNames: string[] = [];
  let lastFailed = false;
  /** sha1 of the watcher's own files as it started (a change is reported, not loaded). */
  const selfSources = new Map<string, string>();
  for (const file of SELF) { try { selfSources.set(file, sha1(fs.readFileSync(file, 'utf8'))); } catch { /* another loader */ } }


  const output = () => require('./output') as typeof import('./output');
  const environmentNames = (): string[] => {
    if (options.envs.length > 0) return [...options.envs];
    const { ENVIRONMENTS } = require('../config') as typeof import('../config');
    return Object.keys(ENVIRONMENTS);
  };
  const refused = (what: string, message: string) => err(`watch: ${what}: refused. Nothing was written: ${out}/ keeps the last good output.\n${message}`);
  const failed = (what: string, text: string) => err(`watch: ${what}: rendering failed. Nothing was written: ${out}/ keeps the last good output.\n${text}`);

  interface Rendered { synth: SynthModule; renders: Map<string, EnvironmentRender>; names: string[] }

  /** Validates and renders the environments (synth's renderAll, with their objects); prints the refusal and returns undefined on any error. */
  const render = (what: string, only?: ReadonlySet<string>): Rendered | undefined => {
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
      return { synth, renders: synth.renderAllWithObjects(subset), names: envNames };
    } catch (e) {
      if (synth && e instanceof synth.AggregateConfigError) refused(what, (e as Error).message);
      else failed(what, describeError(e));
      return undefined;
    }
  };

  const filesOf = (renders: Map<string, EnvironmentRender>) => new Map([...renders].map(([env, r]) => [env, r.files]));

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

  const pending = new Set<string>();
  let firstEventAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let filesAddedOrRemoved = false;
  const watchers = new Map<string, fs.FSWatcher>();
  /** Set by SIGINT or SIGTERM: called once the round in progress (if any) has ended. */
  let stopNow: (() => void) | undefined;

  const round = () => {
    timer = undefined;
    running = true;
    try {
      roundOnce();
    } finally {
      running = false;
    }
    if (stopNow) stopNow();
    else if (pending.size > 0 && timer === undefined) timer = setTimeout(round, DEBOUNCE_MS);
  };

  const roundOnce = () => {
    const startedAt = firstEventAt;
    const events = [...pending];
    pending.clear();
    const clearResolutions = filesAddedOrRemoved;
    filesAddedOrRemoved = false;
    // What changed: loaded modules whose source differs from what they were compiled from, or that are gone.
    const changed = changedModules(events.filter(file => !SELF.has(file)), sources);
    for (const file of events.filter(f => SELF.has(f))) {
      let now: string | undefined;
      try { now = sha1(fs.readFileSync(file, 'utf8')); } catch { /* deleted */ }
      if (now === selfSources.get(file)) continue;
      if (now !== undefined) selfSources.set(file, now);
      log(`watch: ${relative(file)} changed: stop and start the watcher to run its new code`);
    }
    // After a failed round any save may be the fix (a file that did not load is not in the cache): try again.
    if (changed.length === 0 && !lastFailed) return;
    const what = `change in ${list((changed.length > 0 ? changed : events).map(relative))}`;
    const only = lastFailed || clearResolutions ? undefined : changedEnvironments(changed);
    const renderedAt = performance.now();
    unload(dependents(changed), clearResolutions);
    const result = render(what, only);
    if (!result) { lastFailed = true; return; }
    const { synth, renders, names: envNames } = result;
    const rendered = filesOf(renders);
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
    const summaryStart = performance.now();
    // The summary of each written environment, from this round's objects (nothing rendered again).
    const lines = envNames.map(env => (toWrite.includes(env) ? summary(env, current.get(env), renders.get(env)!) : `${env}: unchanged`));
    for (const env of toWrite) current.set(env, renders.get(env)!);
    for (const env of [...current.keys()]) if (!envNames.includes(env)) current.delete(env);
    const doneAt = performance.now();
    lastFailed = false;
    lastNames = envNames;
    // From the first file event of the batch to the files written and the summary made (the latency `npm run bench` reports).
    const timing = `${Math.round(doneAt - startedAt)} ms after the save (reload and render ${Math.round(writeStart - renderedAt)} ms; write ${Math.round(summaryStart - writeStart)} ms; summary ${Math.round(doneAt - summaryStart)} ms)`;
    log(written.length > 0
      ? `watch: ${what}: wrote ${written.map(env => `${out}/${env}/`).join(', ')} ${timing}`
      : `watch: ${what}: no file changed, nothing written; checked ${timing}`);
    for (const line of lines) log(`watch:   ${line}`);
  };

  // Start-up: the same render and write as `npm run synth`. An invalid configuration is
  // reported and waited for (the next save retries); an output folder synth may not write ends it.
  const started = ((): number | undefined => {
    const first = render('start');
    if (first) {
      const written = write(filesOf(first.renders), true, 'start');
      if (written === undefined) return 1;
      for (const [env, r] of first.renders) current.set(env, r);
      // Load and run the summary's diff once now, not in the first round.
      const [env, r] = [...current][0] ?? [];
      if (env !== undefined && r !== undefined) {
        const fewer = r.objects.slice(1);
        summary(env, { ...r, files: [] }, { files: [], objects: fewer, chartFiles: [{ name: '', objects: fewer }] });
      }
      lastNames = first.names;
      log(`watch: wrote ${written.map(env => `${out}/${env}/`).join(', ')}`);
    } else {
      lastFailed = true;
    }
    // Warm esbuild now: the first changed file is then transpiled in milliseconds.
    try { (require('../../bin/transpile') as { warmUp(): void }).warmUp(); } catch { /* another loader */ }
    return undefined;
  })();

  const onEvent = (dir: string, filename: string | Buffer | null) => {
    const name = filename ? filename.toString() : '';
    const file = path.join(dir, name);
    const before = pending.size;
    if (!name) {
      // No name: treat every loaded module of that folder as possibly changed.
      for (const loaded of Object.keys(require.cache)) if (path.dirname(loaded) === dir && isProjectModule(loaded)) pending.add(loaded);
    } else if (name.endsWith('.ts') || SELF.has(file)) {
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
    // The first event of a batch (one that arrives during a round starts the next batch).
    if (before === 0) firstEventAt = performance.now();
    if (timer === undefined && !running && !stopNow) timer = setTimeout(round, DEBOUNCE_MS);
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

  if (started !== undefined) return Promise.resolve(started);
  return new Promise<number>(resolve => {
    const finish = () => {
      for (const w of watchers.values()) w.close();
      watchers.clear();
      log('watch: stopped');
      resolve(0);
    };
    const stop = () => {
      if (stopNow) return;
      stopNow = finish;
      if (timer !== undefined) { clearTimeout(timer); timer = undefined; }
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      // Signals are handled between rounds: a round in progress ends (and writes) first.
      if (!running) finish();
    };
    try {
      for (const dir of WATCHED) addWatchers(dir);
    } catch (e) {
      err(`watch: cannot watch ${WATCHED.map(relative).join(', ')}: ${(e as Error).message}`);
      resolve(1);
      return;
    }
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    log(`watch: watching ${WATCHED.map(d => `${relative(d)}/`).join(' and ')} for changes (Ctrl-C to stop)`);
  });
}
