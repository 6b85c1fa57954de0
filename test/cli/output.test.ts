/**
 * Synth's output folder: ownership (never delete what synth did not write),
 * refusal to prune silently, atomic swaps under kills, serialized concurrent
 * runs, and one actionable line on a full or read-only disk.
 *
 * `npm test` runs a few concurrent pairs and kills; `npm run test:stress`
 * (DOCKERCOINS_STRESS=1) runs 20 pairs and 50+ kills.
 */
import { spawn, spawnSync } from 'child_process';
import fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENV_MARKER, LOCK_FILE, OutputError, ROOT_MARKER, acquireLock, envMarkerContent, recoverInterrupted, writeOutput } from '../../src/cli/output';
import { RenderedFile } from '../../src/render';

const ROOT = path.join(__dirname, '..', '..');
const STRESS = process.env.DOCKERCOINS_STRESS === '1';
const RUN_JS = path.join(ROOT, 'bin', 'run.js');

const rendered = (tag: string, envs = ['dev', 'staging', 'prod']) =>
  new Map<string, RenderedFile[]>(envs.map(env => [env, [
    { name: '00-a.k8s.yaml', content: `# ${env} a ${tag}\n` },
    { name: '10-b.k8s.yaml', content: `# ${env} b ${tag}\n` },
  ]]));
const quiet = { note: () => undefined };

/** Every file of a folder tree, relative path -> content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`); else out[`${rel}${e.name}`] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

let out: string;
beforeEach(() => { out = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-out-')); });
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

describe('ownership: synth replaces only the folders it wrote', () => {
  test('regression: folders and files that are not environments survive --out <dir> (it deleted .git, src, test)', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.stringMatching(/^[a-z.][a-z0-9._-]{0,12}$/).filter(n => !['dev', 'staging', 'prod', '.', '..'].includes(n) && !n.startsWith('.synth') && !/^\.(tmp|old)-/.test(n)), { minLength: 1, maxLength: 6 }),
      names => {
        const dir = fs.mkdtempSync(path.join(out, 'p-'));
        for (const [i, name] of names.entries()) {
          if (i % 2 === 0) { fs.mkdirSync(path.join(dir, name)); fs.writeFileSync(path.join(dir, name, 'keep'), name); } else fs.writeFileSync(path.join(dir, name), name);
        }
        const before = tree(dir);
        writeOutput(dir, rendered('new'), { allEnvironments: true, prune: true, ...quiet });
        const after = tree(dir);
        for (const [file, content] of Object.entries(before)) expect(after[file]).toBe(content);
      },
    ), { numRuns: 25 });
  });

  test('an environment-named folder synth did not write is refused by name, and nothing is written', () => {
    fs.mkdirSync(path.join(out, 'prod'));
    fs.writeFileSync(path.join(out, 'prod', 'mine.yaml'), 'hand-written');
    const before = tree(out);
    expect(() => writeOutput(out, rendered('new'), { allEnvironments: true, prune: false, ...quiet }))
      .toThrow(`synth: ${path.join(out, 'prod')}/ exists and was not written by synth (no ${ENV_MARKER} in it): synth never replaces a folder it does not own. Move it away, or pass another --out.\nNothing was written: ${out}/ is unchanged.`);
    expect(tree(out)).toEqual(before);
  });

  test('a folder marked for another environment is refused', () => {
    fs.mkdirSync(path.join(out, 'prod'));
    fs.writeFileSync(path.join(out, 'prod', ENV_MARKER), envMarkerContent('staging'));
    expect(() => writeOutput(out, rendered('new'), { allEnvironments: true, prune: false, ...quiet })).toThrow(/holds environment "staging", not "prod"/);
  });

  test('an empty or new folder becomes synth-owned (root marker), a populated one does not', () => {
    writeOutput(path.join(out, 'fresh'), rendered('a'), { allEnvironments: true, prune: false, ...quiet });
    expect(fs.existsSync(path.join(out, 'fresh', ROOT_MARKER))).toBe(true);
    fs.mkdirSync(path.join(out, 'busy'));
    fs.writeFileSync(path.join(out, 'busy', 'README'), 'x');
    writeOutput(path.join(out, 'busy'), rendered('a'), { allEnvironments: true, prune: false, ...quiet });
    expect(fs.existsSync(path.join(out, 'busy', ROOT_MARKER))).toBe(false);
    expect(fs.readFileSync(path.join(out, 'busy', 'prod', ENV_MARKER), 'utf8')).toBe(envMarkerContent('prod'));
  });

  test('regression: renaming an environment never deletes its folder silently: refused without --prune, removed with it', () => {
    writeOutput(out, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    const renamed = rendered('new', ['dev', 'staging', 'production']);
    const before = tree(out);
    expect(() => writeOutput(out, renamed, { allEnvironments: true, prune: false, ...quiet }))
      .toThrow(`synth: ${path.join(out, 'prod')}/ holds environment "prod", which no longer exists (known: dev, staging, production). If it was renamed or removed on purpose, rerun with --prune to delete that folder; otherwise restore the environment in src/config/environments/.\nNothing was written: ${out}/ is unchanged.`);
    expect(tree(out)).toEqual(before);
    const notes: string[] = [];
    const result = writeOutput(out, renamed, { allEnvironments: true, prune: true, note: l => notes.push(l) });
    expect(result.pruned).toEqual(['prod']);
    expect(fs.existsSync(path.join(out, 'prod'))).toBe(false);
    expect(notes).toEqual([`synth: removed ${path.join(out, 'prod')}/: environment "prod" no longer exists (--prune)`]);
  });

  test('in a folder synth did not create, a stale environment folder is only reported, even with --prune', () => {
    fs.writeFileSync(path.join(out, 'README'), 'not synth');
    writeOutput(out, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    const notes: string[] = [];
    writeOutput(out, rendered('new', ['dev', 'staging']), { allEnvironments: true, prune: true, note: l => notes.push(l) });
    expect(fs.existsSync(path.join(out, 'prod', '00-a.k8s.yaml'))).toBe(true);
    expect(notes.join('\n')).toContain(`${path.join(out, 'prod')}/ was rendered for environment "prod", which no longer exists`);
  });

  test('rendering some environments (--env) never prunes the others', () => {
    writeOutput(out, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    writeOutput(out, rendered('new', ['dev']), { allEnvironments: false, prune: false, ...quiet });
    expect(fs.readFileSync(path.join(out, 'prod', '00-a.k8s.yaml'), 'utf8')).toBe('# prod a old\n');
    expect(fs.readFileSync(path.join(out, 'dev', '00-a.k8s.yaml'), 'utf8')).toBe('# dev a new\n');
  });

  test('--out naming a file is refused with one line', () => {
    const file = path.join(out, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => writeOutput(file, rendered('a'), { allEnvironments: true, prune: false, ...quiet })).toThrow(`synth: --out ${file} is not a folder; pass a folder (it may not exist yet). Nothing was written.`);
  });
});

describe('--out inside an environment folder synth writes is refused', () => {
  // Found by hand: `synth --out dist/dev` wrote dist/dev/{dev,staging,prod}/, which the next
  // `npm run synth` dropped with dist/dev, and which validate read as duplicates of every object.
  test('property: any depth below any marked environment folder (existing or not, through a symbolic link): refused, nothing written', () => {
    writeOutput(out, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    const before = tree(out);
    fc.assert(fc.property(
      fc.constantFrom('dev', 'staging', 'prod'),
      fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/), { maxLength: 3 }),
      fc.boolean(),
      (env, below, viaLink) => {
        let base = path.join(out, env);
        if (viaLink) {
          base = path.join(os.tmpdir(), `synth-link-${process.pid}`);
          fs.rmSync(base, { force: true });
          fs.symlinkSync(path.join(out, env), base);
        }
        try {
          const target = path.join(base, ...below);
          expect(() => writeOutput(target, rendered('new'), { allEnvironments: true, prune: false, ...quiet }))
            .toThrow(new RegExp(`^synth: --out .* ${below.length === 0 ? 'is' : 'is inside'} .*${env}/, the folder synth writes for environment "${env}" .*Pass a folder outside it\\. Nothing was written\\.$`, 's'));
          expect(tree(out)).toEqual(before);
        } finally {
          if (viaLink) fs.rmSync(base, { force: true });
        }
      }), { numRuns: 40 });
  });

  test('control: the output folder itself (written again) and a folder next to its environments are accepted', () => {
    writeOutput(out, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    writeOutput(out, rendered('again'), { allEnvironments: true, prune: false, ...quiet });
    const sibling = path.join(out, 'review');
    writeOutput(sibling, rendered('review'), { allEnvironments: true, prune: false, ...quiet });
    expect(fs.readFileSync(path.join(sibling, 'dev', '00-a.k8s.yaml'), 'utf8')).toBe('# dev a review\n');
    expect(fs.readFileSync(path.join(out, 'dev', '00-a.k8s.yaml'), 'utf8')).toBe('# dev a again\n');
  });
});

describe('failures while writing: one actionable line, nothing half-written', () => {
  const fail = (code: string, at: string) => (step: string) => {
    if (step.startsWith(at)) throw Object.assign(new Error(`${code}: simulated`), { code, path: path.join(out, '.tmp-prod-1', 'x') });
  };

  test.each([
    ['ENOSPC', 'write prod/10-b', 'the disk is full: free some space and rerun'],
    ['EROFS', 'stage dev', 'the file system is read-only: pass a writable --out'],
    ['EACCES', 'write staging/00-a', 'permission denied: pass a folder you can write, or fix its permissions'],
  ])('%s at "%s": previous output intact, no .tmp-* left, message says what to do', (code, at, hint) => {
    writeOutput(out, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    const before = tree(out);
    let error: unknown;
    try { writeOutput(out, rendered('new'), { allEnvironments: true, prune: false, ...quiet, beforeStep: fail(code, at) }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(OutputError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(`(${code}): ${hint}.`);
    expect(message).not.toMatch(/\n\s+at /);
    expect(tree(out)).toEqual(before);
  });

  test('a failure during the swaps keeps every folder complete (old or new)', () => {
    writeOutput(out, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    expect(() => writeOutput(out, rendered('new'), { allEnvironments: true, prune: false, ...quiet, beforeStep: fail('EIO', 'swap staging: move new') })).toThrow(OutputError);
    for (const env of ['dev', 'staging', 'prod']) {
      const files = tree(path.join(out, env));
      const tags = new Set(Object.entries(files).filter(([n]) => n !== ENV_MARKER).map(([, c]) => c.split(' ')[3]));
      expect(tags.size).toBe(1);
    }
    expect(fs.readdirSync(out).filter(n => n.startsWith('.tmp') || n.startsWith('.old'))).toEqual([]);
  });

  test('the synth CLI turns an unwritable --out into one line and exit 1', () => {
    const blocker = path.join(out, 'file');
    fs.writeFileSync(blocker, 'x');
    const result = spawnSync(process.execPath, [RUN_JS, 'synth', '--env', 'dev', '--out', path.join(blocker, 'sub')], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('(ENOTDIR): a part of the path is a file, not a folder: pass another --out.');
  });
});

describe('unchanged files are staged as hard links of the current ones, and the result is what writing them would give', () => {
  const stat = (env: string, name: string) => fs.statSync(path.join(out, env, name));
  const write = (files: Map<string, RenderedFile[]>) => writeOutput(out, files, { allEnvironments: true, prune: false, ...quiet });

  test('an unchanged file keeps its inode (no data written); a changed one is a new file; each has one link after the write', () => {
    write(rendered('v1'));
    const before = stat('dev', '00-a.k8s.yaml');
    const next = rendered('v1');
    next.get('dev')![1] = { name: '10-b.k8s.yaml', content: '# dev b v2\n' };
    const changedBefore = stat('dev', '10-b.k8s.yaml');
    write(next);
    expect(stat('dev', '00-a.k8s.yaml').ino).toBe(before.ino);
    expect(stat('dev', '10-b.k8s.yaml').ino).not.toBe(changedBefore.ino);
    expect(fs.readFileSync(path.join(out, 'dev', '10-b.k8s.yaml'), 'utf8')).toBe('# dev b v2\n');
    for (const env of ['dev', 'staging', 'prod']) for (const name of ['00-a.k8s.yaml', '10-b.k8s.yaml', ENV_MARKER]) expect(stat(env, name).nlink).toBe(1);
  });

  test('a file with another link (a user\'s hard link elsewhere) is written anew: synth output never shares an inode with a file it does not own', () => {
    write(rendered('v1'));
    const theirs = path.join(out, 'their-copy.yaml');
    fs.linkSync(path.join(out, 'dev', '00-a.k8s.yaml'), theirs);
    write(rendered('v1'));
    expect(stat('dev', '00-a.k8s.yaml').ino).not.toBe(fs.statSync(theirs).ino);
    fs.writeFileSync(theirs, 'edited\n');
    expect(fs.readFileSync(path.join(out, 'dev', '00-a.k8s.yaml'), 'utf8')).toBe('# dev a v1\n');
  });

  test('a file whose mode differs from a fresh write (chmod by hand) is written anew, with the mode a fresh write gets', () => {
    write(rendered('v1'));
    const fresh = stat('dev', ENV_MARKER).mode;
    fs.chmodSync(path.join(out, 'dev', '00-a.k8s.yaml'), 0o600);
    write(rendered('v1'));
    expect(stat('dev', '00-a.k8s.yaml').mode).toBe(fresh);
  });

  test('a symbolic link in place of a file is never followed: the file is written', () => {
    write(rendered('v1'));
    const elsewhere = path.join(out, 'elsewhere.yaml');
    fs.writeFileSync(elsewhere, '# dev a v1\n');
    fs.rmSync(path.join(out, 'dev', '00-a.k8s.yaml'));
    fs.symlinkSync(elsewhere, path.join(out, 'dev', '00-a.k8s.yaml'));
    write(rendered('v1'));
    expect(fs.lstatSync(path.join(out, 'dev', '00-a.k8s.yaml')).isFile()).toBe(true);
    expect(stat('dev', '00-a.k8s.yaml').ino).not.toBe(fs.statSync(elsewhere).ino);
  });

  test('a file system without hard links (link fails) gets every file written', () => {
    write(rendered('v1'));
    // The fs module itself (the import above is a namespace copy whose properties cannot be redefined).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const link = jest.spyOn(require('fs') as typeof fs, 'linkSync').mockImplementation(() => { throw Object.assign(new Error('EPERM: simulated'), { code: 'EPERM' }); });
    try {
      const before = stat('dev', '00-a.k8s.yaml').ino;
      write(rendered('v1'));
      expect(link).toHaveBeenCalled();
      expect(stat('dev', '00-a.k8s.yaml').ino).not.toBe(before);
      expect(tree(path.join(out, 'dev'))['00-a.k8s.yaml']).toBe('# dev a v1\n');
    } finally {
      link.mockRestore();
    }
  });

  test('property: over any sequence of renders (files added, removed, changed, sub-folders, hand edits), each folder holds exactly the rendered files, each with one link', () => {
    const name = fc.constantFrom('00-a.k8s.yaml', '10-b.k8s.yaml', 'argocd/app.yaml', 'flux/wave-1/x.yaml');
    const content = fc.constantFrom('a\n', 'b\n', 'é ✓\n', '', 'a\nb\n');
    const render = fc.dictionary(name, content, { minKeys: 1 });
    fc.assert(fc.property(fc.array(fc.tuple(render, fc.option(name)), { minLength: 1, maxLength: 5 }), steps => {
      const dir = fs.mkdtempSync(path.join(out, 'p-'));
      for (const [files, handEdited] of steps) {
        const map = new Map([['dev', Object.entries(files).map(([n, c]) => ({ name: n, content: c }))]]);
        writeOutput(dir, map, { allEnvironments: true, prune: false, ...quiet });
        const got = tree(path.join(dir, 'dev'));
        expect(got).toEqual({ ...files, [ENV_MARKER]: envMarkerContent('dev') });
        for (const n of Object.keys(got)) expect(fs.statSync(path.join(dir, 'dev', ...n.split('/'))).nlink).toBe(1);
        // A hand edit in place (same inode) before the next render: the next render must not keep it.
        if (handEdited !== null && files[handEdited] !== undefined) fs.appendFileSync(path.join(dir, 'dev', ...handEdited.split('/')), 'edit\n');
      }
    }), { numRuns: 40 });
  });
});

describe('interrupted runs are recovered', () => {
  test('a kill between the two renames leaves the old copy in .old-*; the next run restores it first', () => {
    writeOutput(out, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    fs.renameSync(path.join(out, 'prod'), path.join(out, '.old-prod-999999'));
    fs.mkdirSync(path.join(out, '.tmp-prod-999999'));
    fs.writeFileSync(path.join(out, '.tmp-prod-999999', ENV_MARKER), envMarkerContent('prod'));
    expect(recoverInterrupted(out)).toEqual([`restored ${path.join(out, 'prod')}/ from .old-prod-999999/`, 'removed .tmp-prod-999999/']);
    expect(fs.readFileSync(path.join(out, 'prod', '00-a.k8s.yaml'), 'utf8')).toBe('# prod a old\n');
  });

  test('leftovers that are not synth\'s (no marker, not empty) are never deleted', () => {
    fs.mkdirSync(path.join(out, '.tmp-notes-12'));
    fs.writeFileSync(path.join(out, '.tmp-notes-12', 'mine'), 'x');
    recoverInterrupted(out);
    expect(fs.readFileSync(path.join(out, '.tmp-notes-12', 'mine'), 'utf8')).toBe('x');
  });

  test('a lock left by a dead process is broken; a live holder is waited for, then refused with a clear message', () => {
    fs.writeFileSync(path.join(out, LOCK_FILE), `999999 ${os.hostname()}\n`);
    const release = acquireLock(out, 1000, () => undefined);
    expect(fs.readFileSync(path.join(out, LOCK_FILE), 'utf8')).toBe(`${process.pid} ${os.hostname()}\n`);
    const notes: string[] = [];
    expect(() => acquireLock(out, 100, l => notes.push(l))).toThrow(`synth: another synth (pid ${process.pid}) has been writing ${out}/ for over 0 s; wait for it, or delete ${path.join(out, LOCK_FILE)} if no synth is running. Nothing was written.`);
    expect(notes).toEqual([`synth: waiting for another synth (pid ${process.pid}) writing ${out}/`]);
    release();
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  });
});

/** The committed render of every environment, as written by synth (the "new" copy). */
function expectedEnvironments(): Record<string, Record<string, string>> {
  return Object.fromEntries(['dev', 'staging', 'prod'].map(env => [env, tree(path.join(ROOT, 'dist', env))]));
}

/** Every environment folder is exactly the old copy or exactly the new one; no leftovers. */
function expectCompleteCopies(dir: string, oldCopy: Record<string, Record<string, string>>, newCopy: Record<string, Record<string, string>>) {
  for (const env of Object.keys(newCopy)) {
    const actual = tree(path.join(dir, env));
    expect([JSON.stringify(oldCopy[env]), JSON.stringify(newCopy[env])]).toContain(JSON.stringify(actual));
  }
}

/** A synth-owned folder holding an old rendering: the committed dist/ (what synth writes; test/cli/synth.test.ts checks it is up to date), marked. */
function prepareOld(dir: string): Record<string, Record<string, string>> {
  fs.cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
  // Make the old copy distinguishable: a comment at the end of every manifest.
  for (const env of ['dev', 'staging', 'prod']) {
    for (const f of fs.readdirSync(path.join(dir, env))) if (f.endsWith('.yaml')) fs.appendFileSync(path.join(dir, env, f), '# old copy\n');
  }
  return Object.fromEntries(['dev', 'staging', 'prod'].map(env => [env, tree(path.join(dir, env))]));
}

const runSynth = (dir: string, env: Record<string, string> = {}) => new Promise<{ code: number | null; signal: string | null; stderr: string }>(resolve => {
  const child = spawn(process.execPath, [RUN_JS, 'synth', '--out', dir], { cwd: ROOT, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', d => { stderr += d; });
  child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
});

describe('concurrency and kills (real processes)', () => {
  const pairs = STRESS ? 20 : 2;
  test(`${pairs} pairs of parallel synths into one folder: both succeed, every environment complete`, async () => {
    const expected = expectedEnvironments();
    for (let i = 0; i < pairs; i++) {
      const dir = path.join(out, `pair-${i}`);
      const oldCopy = prepareOld(dir);
      const [a, b] = await Promise.all([runSynth(dir), runSynth(dir)]);
      expect([a.code, b.code, a.stderr.replace(/synth: waiting.*\n/, ''), b.stderr.replace(/synth: waiting.*\n/, '')]).toEqual([0, 0, '', '']);
      expectCompleteCopies(dir, oldCopy, expected);
      expect(tree(path.join(dir, 'prod'))).toEqual(expected.prod);
      expect(fs.readdirSync(dir).filter(n => n.startsWith('.') && n !== ROOT_MARKER)).toEqual([]);
    }
  }, 120_000);

  // Every write step of one environment, plus the swap steps of all: where a kill lands decides what is left.
  const steps = STRESS
    ? ['stage dev', 'write dev/', 'write staging/', 'write prod/10', 'swap dev: keep old', 'swap dev: move new', 'swap dev: drop old', 'swap staging: move new', 'swap prod: keep old', 'swap prod: move new', 'swap prod: drop old']
    : ['write staging/', 'swap prod: move new'];
  test.each(steps)('killed at "%s": every environment is a complete old or new copy once the next reader recovers', async step => {
    const dir = path.join(out, 'killed');
    const oldCopy = prepareOld(dir);
    const killed = await runSynth(dir, { DOCKERCOINS_SYNTH_KILL_AT: step });
    expect(killed.signal).toBe('SIGKILL');
    recoverInterrupted(dir);
    expectCompleteCopies(dir, oldCopy, expectedEnvironments());
    const next = await runSynth(dir);
    expect(next.code).toBe(0);
    expect(fs.readdirSync(dir).filter(n => n.startsWith('.') && n !== ROOT_MARKER)).toEqual([]);
  }, 60_000);

  const timedKills = STRESS ? 50 : 2;
  test(`${timedKills} kills at random instants: never a partial environment, and the next run heals`, async () => {
    const expected = expectedEnvironments();
    const dir = path.join(out, 'timed');
    const oldCopy = prepareOld(dir);
    for (let i = 0; i < timedKills; i++) {
      const child = spawn(process.execPath, [RUN_JS, 'synth', '--out', dir], { cwd: ROOT });
      const delay = 200 + Math.floor(Math.random() * 700);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      await new Promise(r => child.on('exit', r));
      clearTimeout(timer);
      recoverInterrupted(dir);
      try { expectCompleteCopies(dir, oldCopy, expected); } catch (e) { throw new Error(`kill ${i} after ${delay} ms: ${(e as Error).message}`); }
    }
    expect((await runSynth(dir)).code).toBe(0);
    expect(tree(path.join(dir, 'dev'))).toEqual(expected.dev);
  }, 600_000);
});

describe('validate sees an interrupted swap instead of a missing environment', () => {
  test('dist/<env> absent with its .old-<env>-<pid> present: exit 2 with the way out', () => {
    const dir = path.join(out, 'dist');
    writeOutput(dir, rendered('old'), { allEnvironments: true, prune: false, ...quiet });
    fs.renameSync(path.join(dir, 'prod'), path.join(dir, '.old-prod-4242'));
    const result = spawnSync(process.execPath, [RUN_JS, 'validate', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`validate: ${path.join(dir, 'prod')}/ is missing: a synth was interrupted while replacing it, and its previous copy is in ${path.join(dir, '.old-prod-4242')}/; run \`npm run synth\` to restore and re-render it`);
  });
});
