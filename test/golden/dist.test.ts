/**
 * Golden copy: the committed dist/<env>/ is exactly what the code renders.
 * Each environment's in-memory render (the files `npm run synth` writes,
 * topology diagram included) is compared with the committed files byte for
 * byte; reviewers read the YAML diff in dist/ next to the code diff, so any
 * change of the output must come with its re-rendered files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { renderEnvironment } from '../../src/render';
import { ENV_MARKER, envMarkerContent, ROOT_MARKER } from '../../src/cli/output';
import { filesUnder } from '../../src/cli/synth';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const ENV_NAMES = Object.keys(ENVIRONMENTS);
const FIX = 'Run `npm run synth` and review the diff (`git diff dist/`) before committing it with the code.';

const RENDERED = ENV_NAMES.map(env => [env, renderEnvironment(loadEnvironment(env), { topology: true })] as const);
const FILES = RENDERED.flatMap(([env, files]) => files.map(f => [env, f.name, f.content] as const));

/** Where two texts first differ, as `line N: committed "..." / rendered "..."`. */
function firstDifference(committed: string, rendered: string): string {
  const a = committed.split('\n');
  const b = rendered.split('\n');
  const show = (line: string | undefined) => (line === undefined ? '(end of file)' : JSON.stringify(line.length > 160 ? `${line.slice(0, 160)}...` : line));
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `first difference at line ${i + 1}: committed ${show(a[i])}, rendered ${show(b[i])}`;
  }
  return 'same text, different bytes (encoding)';
}

/** Why `<dist>/<env>/<name>` is not byte for byte `content`, or undefined when it is. */
function fileProblem(dist: string, env: string, name: string, content: string): string | undefined {
  const file = path.join(dist, env, ...name.split('/'));
  const where = path.relative(ROOT, file);
  if (!fs.existsSync(file)) return `${where} is missing: the code renders it but it is not committed. ${FIX}`;
  const committed = fs.readFileSync(file);
  if (committed.equals(Buffer.from(content, 'utf8'))) return undefined;
  return `${where} differs from what the code renders (${firstDifference(committed.toString('utf8'), content)}). ${FIX}`;
}

/** Committed files of `<dist>/<env>/` the code no longer renders, and a missing or foreign synth marker. */
function folderProblems(dist: string, env: string, names: readonly string[]): string[] {
  const dir = path.join(dist, env);
  const where = (f: string) => path.relative(ROOT, path.join(dir, f));
  if (!fs.existsSync(dir)) return [`${where('')}/ is missing. ${FIX}`];
  const stale = filesUnder(dir).filter(f => f !== ENV_MARKER && !names.includes(f));
  const problems = stale.map(f => `${where(f)} is committed but no longer rendered. ${FIX}`);
  const marker = path.join(dir, ENV_MARKER);
  if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== envMarkerContent(env)) {
    problems.push(`${where(ENV_MARKER)} is missing or names another environment (synth would refuse to replace the folder). ${FIX}`);
  }
  return problems;
}

/** Fails with the problem itself as the message (no 15,000-line diff). */
function expectNone(problems: Array<string | undefined>): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) throw new Error(found.join('\n'));
}

describe('dist/ is the golden copy of the rendered manifests', () => {
  test.each(FILES)('dist/%s/%s is byte for byte what the code renders', (env, name, content) => {
    expectNone([fileProblem(DIST, env, name, content)]);
  });

  test.each(RENDERED.map(([env, files]) => [env, files.map(f => f.name)] as const))('dist/%s/ holds no file the code no longer renders, and its synth marker', (env, names) => {
    expectNone(folderProblems(DIST, env, names));
  });

  test('dist/ holds one folder per environment, none of a renamed or removed one', () => {
    const folders = fs.readdirSync(DIST, { withFileTypes: true }).filter(e => e.isDirectory() && !e.name.startsWith('.')).map(e => e.name);
    expectNone(folders.filter(f => !ENV_NAMES.includes(f))
      .map(f => `dist/${f}/ is no environment any more: run \`npm run synth -- --prune\` and review the diff.`));
    expectNone(ENV_NAMES.filter(env => !folders.includes(env)).map(env => `dist/${env}/ is missing. ${FIX}`));
    expect(fs.existsSync(path.join(DIST, ROOT_MARKER))).toBe(true);
  });
});

describe('the golden comparison can fail, naming the file and what to run', () => {
  let dist: string;
  const [env, files] = RENDERED[0];
  beforeEach(() => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-'));
    fs.mkdirSync(path.join(dist, env));
    for (const f of files) {
      const file = path.join(dist, env, ...f.name.split('/'));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, f.content);
    }
    fs.writeFileSync(path.join(dist, env, ENV_MARKER), envMarkerContent(env));
  });
  afterEach(() => fs.rmSync(dist, { recursive: true, force: true }));
  const where = (name: string) => path.relative(ROOT, path.join(dist, env, name));

  test('an exact copy passes', () => {
    expect(files.map(f => fileProblem(dist, env, f.name, f.content)).filter(Boolean)).toEqual([]);
    expect(folderProblems(dist, env, files.map(f => f.name))).toEqual([]);
  });

  test('a file edited by hand is reported with its line', () => {
    const f = files[0];
    const lines = f.content.split('\n');
    fs.writeFileSync(path.join(dist, env, f.name), [lines[0], '# edited by hand', ...lines.slice(1)].join('\n'));
    expect(fileProblem(dist, env, f.name, f.content))
      .toBe(`${where(f.name)} differs from what the code renders (first difference at line 2: committed "# edited by hand", rendered ${JSON.stringify(lines[1])}). ${FIX}`);
  });

  test('one changed byte (a trailing newline, CRLF line endings) is reported', () => {
    const f = files[0];
    fs.writeFileSync(path.join(dist, env, f.name), `${f.content}\n`);
    expect(fileProblem(dist, env, f.name, f.content)).toMatch(/differs from what the code renders \(first difference at line \d+: committed "", rendered \(end of file\)\)/);
    fs.writeFileSync(path.join(dist, env, f.name), f.content.replace(/\n/g, '\r\n'));
    expect(fileProblem(dist, env, f.name, f.content)).toContain('first difference at line 1:');
  });

  test('a file the code renders but nobody committed, and a committed file the code no longer renders, are reported', () => {
    const f = files[files.length - 1];
    fs.rmSync(path.join(dist, env, f.name));
    expect(fileProblem(dist, env, f.name, f.content)).toBe(`${where(f.name)} is missing: the code renders it but it is not committed. ${FIX}`);
    fs.writeFileSync(path.join(dist, env, '30-removed.k8s.yaml'), 'kind: ConfigMap\n');
    expect(folderProblems(dist, env, files.map(x => x.name))).toEqual([`${where('30-removed.k8s.yaml')} is committed but no longer rendered. ${FIX}`]);
  });

  test('a stale file in a delivery sub-folder (a wave folder of a removed wave) is reported by its path', () => {
    fs.mkdirSync(path.join(dist, env, 'flux', 'wave-3'), { recursive: true });
    fs.writeFileSync(path.join(dist, env, 'flux', 'wave-3', 'kustomization.yaml'), 'resources: []\n');
    expect(folderProblems(dist, env, files.map(x => x.name))).toEqual([`${where('flux/wave-3/kustomization.yaml')} is committed but no longer rendered. ${FIX}`]);
  });

  test('a missing or foreign synth marker is reported', () => {
    fs.writeFileSync(path.join(dist, env, ENV_MARKER), envMarkerContent('another'));
    expect(folderProblems(dist, env, files.map(x => x.name))).toEqual([expect.stringContaining(`${where(ENV_MARKER)} is missing or names another environment`)]);
  });
});
