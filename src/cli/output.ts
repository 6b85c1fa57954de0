/**
 * Writing rendered environments into an output folder (dist/ by default)
 * without ever touching what synth does not own.
 *
 * Ownership: every `<out>/<env>/` synth writes carries ENV_MARKER naming its
 * environment; `<out>/` carries ROOT_MARKER only when synth created it (or it
 * was empty). Synth replaces `<out>/<env>/` only when it is absent or marked
 * as that environment, never deletes anything unmarked, and prunes a marked
 * folder of an environment that no longer exists only inside a marked root
 * and only when asked (`--prune`): otherwise it refuses and says so.
 *
 * Concurrency and kills: one writer at a time per folder (LOCK_FILE, taken
 * with an exclusive create, waited for, broken only when its process is dead).
 * Each environment is staged in `.tmp-<env>-<pid>` (files that did not change
 * are hard links of the current ones: unchangedFileLinker) and swapped in by two
 * renames (`<env>` -> `.old-<env>-<pid>`, staged -> `<env>`). Linux has no
 * portable rename-exchange for directories in Node, so a kill between the two
 * renames leaves the complete old copy in `.old-*`: the next writer restores it
 * before anything else (`recoverInterrupted`), and readers skip dot-folders.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareCodePoints } from '../../constructs/lib/order';
import { RenderedFile } from '../render';

/** Marks `<out>/<env>/` as written by synth for one environment. kubectl and Argo CD read only *.yaml/*.yml/*.json. */
export const ENV_MARKER = '.synth-environment';
/** Marks `<out>/` as created by synth: only there may synth prune environments that no longer exist. */
export const ROOT_MARKER = '.synth-output';
/** Held by the one synth writing `<out>/`. */
export const LOCK_FILE = '.synth.lock';

const STAGING = /^\.tmp-(.+)-(\d+)$/;
const BACKUP = /^\.old-(.+)-(\d+)$/;

export function envMarkerContent(env: string): string {
  return `${JSON.stringify({ writtenBy: 'npm run synth', environment: env })}\n`;
}
const ROOT_MARKER_CONTENT = `${JSON.stringify({ writtenBy: 'npm run synth', owns: 'the environment folders marked with .synth-environment' })}\n`;

/** A refusal or failure the user can act on; nothing was written, or what was written was rolled back. */
export class OutputError extends Error {}

export interface WriteOptions {
  /** Every environment was rendered (no --env): a marked folder of an unknown environment is stale. */
  readonly allEnvironments: boolean;
  /** Remove stale environment folders (only in a marked root). */
  readonly prune: boolean;
  /** How long to wait for another synth holding the lock. @default 60000 */
  readonly lockTimeoutMs?: number;
  /** Progress and notes (stale folders, waiting). @default - stderr */
  readonly note?: (line: string) => void;
  /** Test hook: called before each filesystem step, to simulate a kill or a full disk there. */
  readonly beforeStep?: (step: string) => void;
}

export interface WriteResult {
  /** Environment folders written. */
  readonly written: string[];
  /** Stale environment folders removed (--prune). */
  readonly pruned: string[];
  /** Interrupted swaps restored or leftovers removed before writing. */
  readonly recovered: string[];
}

/** Writes each rendered environment into `<out>/<env>/`, atomically per folder, owning nothing else. */
export function writeOutput(out: string, rendered: Map<string, RenderedFile[]>, options: WriteOptions): WriteResult {
  const note = options.note ?? ((line: string) => process.stderr.write(`${line}\n`));
  const step = options.beforeStep ?? (() => undefined);
  ensureRoot(out);
  const release = acquireLock(out, options.lockTimeoutMs ?? 60_000, note);
  try {
    const recovered = recoverInterrupted(out);
    const { stale } = checkOwnership(out, rendered, options, note);
    const staged: { env: string; tmp: string }[] = [];
    try {
      for (const [env, files] of rendered) {
        const tmp = path.join(out, `.tmp-${env}-${process.pid}`);
        step(`stage ${env}`);
        fs.mkdirSync(tmp);
        staged.push({ env, tmp });
        fs.writeFileSync(path.join(tmp, ENV_MARKER), envMarkerContent(env));
        const reuse = unchangedFileLinker(path.join(out, env), path.join(tmp, ENV_MARKER));
        for (const file of files) {
          step(`write ${env}/${file.name}`);
          // Delivery files live in sub-folders of the environment (argocd/, flux/wave-<n>/, applyset/): inside the staged folder too.
          const target = path.join(tmp, ...file.name.split('/'));
          if (file.name.includes('/')) fs.mkdirSync(path.dirname(target), { recursive: true });
          if (!reuse(file, target)) fs.writeFileSync(target, file.content);
        }
      }
    } catch (e) {
      for (const { tmp } of staged) fs.rmSync(tmp, { recursive: true, force: true });
      throw asOutputError(e, out, 'Nothing was replaced');
    }
    const written: string[] = [];
    for (const { env, tmp } of staged) {
      const target = path.join(out, env);
      const old = path.join(out, `.old-${env}-${process.pid}`);
      try {
        step(`swap ${env}: keep old`);
        if (fs.existsSync(target)) fs.renameSync(target, old);
        step(`swap ${env}: move new`);
        fs.renameSync(tmp, target);
      } catch (e) {
        if (!fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
        for (const s of staged) fs.rmSync(s.tmp, { recursive: true, force: true });
        throw asOutputError(e, out, `${written.length > 0 ? `Replaced: ${written.join(', ')}; the others` : 'Every folder'} kept its previous content`);
      }
      step(`swap ${env}: drop old`);
      fs.rmSync(old, { recursive: true, force: true });
      written.push(env);
    }
    const pruned: string[] = [];
    if (options.prune) {
      for (const env of stale) {
        fs.rmSync(path.join(out, env), { recursive: true, force: true });
        pruned.push(env);
        note(`synth: removed ${path.join(out, env)}/: environment "${env}" no longer exists (--prune)`);
      }
    }
    return { written, pruned, recovered };
  } finally {
    release();
  }
}

/**
 * Stages a file that did not change by hard-linking the current one instead of writing it again:
 * returns whether it did. Writing is what staging costs (a new file and its data, about 0.6 ms a
 * file on the machine of docs/benchmarks.md against 0.02 ms for a link), and most saves change few files.
 * The staged folder must still look exactly as if every file had been written: a file is linked
 * only when it is a regular file with exactly the rendered bytes, it has no other link (a
 * user's hard link elsewhere must not start to share synth's output), and it has the owner and
 * mode a fresh write gets here (those of the staged marker just written). Anything else, or a
 * file system without hard links (link fails), writes the file as before. The one visible
 * difference: an unchanged file keeps its modification time. The old folder is removed after
 * the swap, so each file has one link again once the write ends (or, after a kill, once
 * recoverInterrupted has run).
 */
function unchangedFileLinker(current: string, freshFile: string): (file: RenderedFile, target: string) => boolean {
  let fresh: fs.Stats;
  try { fresh = fs.statSync(freshFile); } catch { return () => false; }
  return (file, target) => {
    const existing = path.join(current, ...file.name.split('/'));
    let stat: fs.Stats;
    try { stat = fs.lstatSync(existing); } catch { return false; }
    if (!stat.isFile() || stat.nlink !== 1 || stat.mode !== fresh.mode || stat.uid !== fresh.uid || stat.gid !== fresh.gid) return false;
    if (stat.size !== Buffer.byteLength(file.content)) return false;
    try {
      if (fs.readFileSync(existing, 'utf8') !== file.content) return false;
      fs.linkSync(existing, target);
      return true;
    } catch {
      return false;
    }
  };
}

/** Creates `<out>/` if needed; marks it as synth's when synth creates it or finds it empty. */
function ensureRoot(out: string): void {
  let stat: fs.Stats | undefined;
  try { stat = fs.statSync(out); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw asOutputError(e, out, 'Nothing was written');
  }
  if (stat && !stat.isDirectory()) throw new OutputError(`synth: --out ${out} is not a folder; pass a folder (it may not exist yet). Nothing was written.`);
  const enclosing = enclosingEnvironmentFolder(out);
  if (enclosing) {
    const where = enclosing.itself ? 'is' : 'is inside';
    throw new OutputError(`synth: --out ${out} ${where} ${enclosing.dir}/, the folder synth writes for environment "${enclosing.env}" (its ${ENV_MARKER} says so): `
      + `the next synth of that environment replaces the folder and drops what is written there, and kubectl, validate and diff would read both copies. Pass a folder outside it. Nothing was written.`);
  }
  try {
    if (!stat) fs.mkdirSync(out, { recursive: true });
    if (fs.readdirSync(out).length === 0) writeFileAtomic(path.join(out, ROOT_MARKER), ROOT_MARKER_CONTENT);
  } catch (e) {
    throw asOutputError(e, out, 'Nothing was written');
  }
}

/**
 * Refuses before writing when a target folder is not synth's, or when a
 * marked folder belongs to an environment that no longer exists (unless
 * pruning is allowed and possible). Returns the stale folders.
 */
function checkOwnership(out: string, rendered: Map<string, RenderedFile[]>, options: WriteOptions, note: (line: string) => void): { stale: string[] } {
  const problems: string[] = [];
  for (const env of rendered.keys()) {
    const target = path.join(out, env);
    const owner = folderOwner(target);
    if (owner === 'absent' || owner === env) continue;
    problems.push(owner === undefined
      ? `${target}/ exists and was not written by synth (no ${ENV_MARKER} in it): synth never replaces a folder it does not own. Move it away, or pass another --out.`
      : `${target}/ holds environment "${owner}", not "${env}" (its ${ENV_MARKER} says so). Move it away, or pass another --out.`);
  }
  const stale = options.allEnvironments ? markedEnvironments(out).filter(env => !rendered.has(env)) : [];
  if (stale.length > 0) {
    const rootMarked = fs.existsSync(path.join(out, ROOT_MARKER));
    const known = [...rendered.keys()].join(', ');
    for (const env of stale) {
      if (!rootMarked) {
        note(`synth: note: ${path.join(out, env)}/ was rendered for environment "${env}", which no longer exists (known: ${known}); left in place because ${out}/ was not created by synth.`);
      } else if (!options.prune) {
        problems.push(`${path.join(out, env)}/ holds environment "${env}", which no longer exists (known: ${known}). If it was renamed or removed on purpose, rerun with --prune to delete that folder; otherwise restore the environment in src/config/environments/.`);
      }
    }
    if (!rootMarked) return { stale: [] };
  }
  if (problems.length > 0) throw new OutputError(`${problems.map(p => `synth: ${p}`).join('\n')}\nNothing was written: ${out}/ is unchanged.`);
  return { stale };
}

/**
 * The environment folder `out` is or lies in (the nearest of it and its ancestors holding a valid
 * ENV_MARKER), resolved through symbolic links; undefined when there is none.
 */
function enclosingEnvironmentFolder(out: string): { dir: string; env: string; itself: boolean } | undefined {
  let existing = path.resolve(out);
  // The nearest existing ancestor: --out may name a folder that does not exist yet.
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  let dir: string;
  try { dir = fs.realpathSync(existing); } catch { return undefined; }
  for (let first = true; ; first = false) {
    const env = folderOwner(dir);
    if (env !== undefined && env !== 'absent') {
      const relative = path.relative(process.cwd(), dir);
      const shown = relative === '' ? '.' : relative.startsWith('..') ? dir : relative;
      return { dir: shown, env, itself: first && existing === path.resolve(out) };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The environment a folder's marker names; 'absent' when there is no such folder; undefined when it is not synth's. */
export function folderOwner(dir: string): string | 'absent' | undefined {
  let stat: fs.Stats;
  try { stat = fs.lstatSync(dir); } catch { return 'absent'; }
  if (!stat.isDirectory()) return undefined;
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, ENV_MARKER), 'utf8')) as { environment?: unknown };
    return typeof marker.environment === 'string' ? marker.environment : undefined;
  } catch {
    return undefined;
  }
}

/** Names of the marked environment folders directly in `<out>/` (dot-folders excluded). */
export function markedEnvironments(out: string): string[] {
  let entries: fs.Dirent[];
  try { entries = fs.readdirSync(out, { withFileTypes: true }); } catch { return []; }
  return entries
    .filter(e => e.isDirectory() && !e.name.startsWith('.') && folderOwner(path.join(out, e.name)) === e.name)
    .map(e => e.name)
    .sort(compareCodePoints);
}

/**
 * Finishes or undoes what a killed synth left (call with the lock held):
 * restores `.old-<env>-*` when `<env>` is missing, and removes other
 * synth leftovers (only folders that are empty or carry the marker).
 */
export function recoverInterrupted(out: string): string[] {
  const recovered: string[] = [];
  const entries = fs.readdirSync(out, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name).sort(compareCodePoints);
  for (const name of entries) {
    const backup = BACKUP.exec(name);
    if (!backup || !isSynthLeftover(path.join(out, name), backup[1])) continue;
    const target = path.join(out, backup[1]);
    if (!fs.existsSync(target)) {
      fs.renameSync(path.join(out, name), target);
      recovered.push(`restored ${target}/ from ${name}/`);
    } else {
      fs.rmSync(path.join(out, name), { recursive: true, force: true });
      recovered.push(`removed ${name}/`);
    }
  }
  for (const name of entries) {
    const staging = STAGING.exec(name);
    if (!staging || !fs.existsSync(path.join(out, name)) || !isSynthLeftover(path.join(out, name), staging[1])) continue;
    fs.rmSync(path.join(out, name), { recursive: true, force: true });
    recovered.push(`removed ${name}/`);
  }
  return recovered;
}

function isSynthLeftover(dir: string, env: string): boolean {
  const owner = folderOwner(dir);
  if (owner === env) return true;
  try { return fs.readdirSync(dir).length === 0; } catch { return false; }
}

/**
 * Takes `<out>/.synth.lock`, waiting while a live synth holds it. A lock whose
 * process is gone (killed) is broken. Returns the release function.
 */
export function acquireLock(out: string, timeoutMs: number, note: (line: string) => void): () => void {
  const lock = path.join(out, LOCK_FILE);
  const me = `${process.pid} ${os.hostname()}\n`;
  const deadline = Date.now() + timeoutMs;
  let waitingNoted = false;
  for (;;) {
    try {
      fs.writeFileSync(lock, me, { flag: 'wx' });
      return () => { try { if (fs.readFileSync(lock, 'utf8') === me) fs.unlinkSync(lock); } catch { /* already gone */ } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asOutputError(e, out, 'Nothing was written');
    }
    let holder = '';
    try { holder = fs.readFileSync(lock, 'utf8'); } catch { continue; }
    const [pidText, host] = holder.trim().split(' ');
    const pid = Number(pidText);
    // A holder killed between creating and filling the lock leaves it incomplete: stale after a grace period.
    const incomplete = !holder.endsWith('\n') && Date.now() - mtimeMs(lock) > 5_000;
    if (incomplete || (holder.endsWith('\n') && host === os.hostname() && !processAlive(pid))) {
      breakStaleLock(lock, holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new OutputError(`synth: another synth (pid ${pidText}) has been writing ${out}/ for over ${Math.round(timeoutMs / 1000)} s; wait for it, or delete ${lock} if no synth is running. Nothing was written.`);
    }
    if (!waitingNoted) { note(`synth: waiting for another synth (pid ${pidText}) writing ${out}/`); waitingNoted = true; }
    sleepMs(25);
  }
}

/** Removes a dead holder's lock, unless another process replaced it in the meantime. */
function breakStaleLock(lock: string, holder: string): void {
  const aside = `${lock}.stale-${process.pid}`;
  try { fs.renameSync(lock, aside); } catch { return; }
  let moved = '';
  try { moved = fs.readFileSync(aside, 'utf8'); } catch { /* gone */ }
  if (moved !== holder) {
    // We moved a live lock taken after our read: put it back (only if the name is still free).
    try { fs.linkSync(aside, lock); } catch { /* a third writer holds it now */ }
  }
  try { fs.unlinkSync(aside); } catch { /* gone */ }
}

function mtimeMs(file: string): number {
  try { return fs.statSync(file).mtimeMs; } catch { return Date.now(); }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void { Atomics.wait(sleeper, 0, 0, ms); }

function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

const HINTS: Record<string, string> = {
  ENOSPC: 'the disk is full: free some space and rerun',
  EDQUOT: 'the disk quota is exhausted: free some space and rerun',
  EROFS: 'the file system is read-only: pass a writable --out',
  EACCES: 'permission denied: pass a folder you can write, or fix its permissions',
  EPERM: 'operation not permitted: pass a folder you can write, or fix its permissions',
  ENOTDIR: 'a part of the path is a file, not a folder: pass another --out',
  EMFILE: 'too many open files: raise the limit (ulimit -n) and rerun',
};

/** One actionable line from a filesystem error (no stack trace). */
function asOutputError(e: unknown, out: string, outcome: string): OutputError {
  if (e instanceof OutputError) return e;
  const err = e as NodeJS.ErrnoException;
  const hint = (err.code && HINTS[err.code]) ?? 'fix the cause and rerun';
  const where = err.path ? ` ${err.path}` : '';
  return new OutputError(`synth: cannot write${where} (${err.code ?? err.message}): ${hint}. ${outcome}: ${out}/ holds complete previous or new environment folders only.`);
}

