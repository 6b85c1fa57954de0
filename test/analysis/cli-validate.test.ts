import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/validate';

const STACK = path.join(__dirname, '..', 'fixtures', 'analysis', 'stack');

async function run(argv: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const prev = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } finally {
    process.chdir(prev);
  }
}

describe('validate CLI', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-cli-'));
    // dist/ with two environments, one of them broken
    for (const env of ['dev', 'prod']) {
      fs.mkdirSync(path.join(tmp, 'dist', env), { recursive: true });
      for (const f of fs.readdirSync(STACK)) fs.copyFileSync(path.join(STACK, f), path.join(tmp, 'dist', env, f));
    }
    fs.writeFileSync(
      path.join(tmp, 'dist', 'prod', '99-extra.yaml'),
      'apiVersion: v1\nkind: Secret\nmetadata: {name: pg, namespace: dockercoins}\nstringData: {password: x}\n',
    );
    fs.writeFileSync(path.join(tmp, 'broken.yaml'), 'apiVersion: v1\nkind: [\n');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('exits 0 with a summary on a clean set', async () => {
    const r = await run([STACK]);
    expect(r).toEqual({ code: 0, out: expect.stringMatching(/^validate: \d+ objects in .*stack: no problems\n$/), err: '' });
  });

  it('checks dist/ by default, one environment at a time, and exits 1 on problems', async () => {
    const r = await run([], tmp);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'dist/prod: Secret dockercoins/pg: [secret-values] Secret has stringData (password); secret values must not be committed',
      expect.stringMatching(/^validate: 1 problem in 1 of \d+ objects \(dist\/dev, dist\/prod\)$/),
      '',
    ]);
  });

  it('exits 2 with a clear message for a missing path', async () => {
    const r = await run([path.join(tmp, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^validate: .*nope: no such file or directory\n$/);
    expect(r.out).toBe('');
  });

  it('exits 2 for an empty path, saying so (an unset shell variable), with nothing checked', async () => {
    expect(await run([''])).toEqual({ code: 2, out: '', err: 'validate: an empty path ("") was given: name a file or folder (an unset shell variable?)\n' });
  });

  it('exits 2 for unparsable YAML, naming the file', async () => {
    const r = await run([path.join(tmp, 'broken.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('broken.yaml');
  });

  it('exits 2 for a manifest nested deeper than any object (a run of brackets), naming the file, with nothing checked', async () => {
    const file = path.join(tmp, 'deep.json');
    fs.writeFileSync(file, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"x":"y"},"spec":${'['.repeat(20000)}${']'.repeat(20000)}}`);
    const r = await run([file]);
    expect(r).toEqual({ code: 2, out: '', err: `validate: ${file}: the stream: nested too deeply to read (the reader ran out of stack; a manifest may nest at most 500 levels): no Kubernetes object nests so deep; look for a generator that recursed or a run of brackets ([[[[...)\n` });
  });

  it('exits 2 for an unknown option and prints usage', async () => {
    const r = await run(['--strict']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option --strict[\s\S]*usage: validate/);
  });

  it('prints help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: validate \[paths\.\.\.\]/);
  });
});
