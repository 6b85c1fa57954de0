/**
 * validate CLI: argument parsing (util.parseArgs, strict) and which folders
 * count as environments (synth's `.tmp-*` / `.old-*` staging folders do not).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RULES } from '../../src/analysis/validate';
import { main, USAGE } from '../../src/cli/validate';

const STACK = path.join(__dirname, '..', 'fixtures', 'analysis', 'stack');
const BROKEN = 'apiVersion: v1\nkind: Secret\nmetadata: {name: leftover, namespace: dockercoins}\nstringData: {password: x}\n';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function copyStack(to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(STACK)) fs.copyFileSync(path.join(STACK, f), path.join(to, f));
}

describe('validate CLI environments', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-args-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('skips synth staging and backup folders (any name starting with a dot) in an environments folder', async () => {
    const dist = path.join(tmp, 'dist');
    copyStack(path.join(dist, 'dev'));
    // Leftovers of a finished swap (the environment itself is present); a missing one is reported (test/cli/output.test.ts).
    for (const staged of ['.tmp-dev-123', '.old-dev-456']) {
      copyStack(path.join(dist, staged));
      fs.writeFileSync(path.join(dist, staged, '99-leftover.yaml'), BROKEN);
    }
    const r = await run([dist]);
    expect(r.err).toBe('');
    expect(r.out).toMatch(new RegExp(`^validate: \\d+ objects in ${path.join(dist, 'dev').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no problems\n$`));
    expect(r.code).toBe(0);
  });

  it('does not descend into dot-folders of one environment either', async () => {
    const env = path.join(tmp, 'dev');
    copyStack(env);
    copyStack(path.join(env, '.tmp-dev-1'));
    fs.writeFileSync(path.join(env, '.tmp-dev-1', '99-leftover.yaml'), BROKEN);
    const r = await run([env]);
    expect(r.out).toMatch(/: no problems\n$/);
    expect(r.code).toBe(0);
  });

  it('refuses a set without any object (a wrong path or a failed render must not pass)', async () => {
    const dist = path.join(tmp, 'dist');
    copyStack(path.join(dist, '.tmp-dev-1'));
    fs.writeFileSync(path.join(tmp, 'empty.yaml'), '# nothing yet\n---\n');
    for (const p of [dist, path.join(tmp, 'empty.yaml')]) {
      const r = await run([p]);
      expect(r).toEqual({ code: 2, out: '', err: `validate: ${p}: no Kubernetes objects (*.yaml, *.yml, *.json) found\n` });
    }
  });

  it('validates a dot-folder named explicitly', async () => {
    const staged = path.join(tmp, '.tmp-dev-1');
    copyStack(staged);
    fs.writeFileSync(path.join(staged, '99-leftover.yaml'), BROKEN);
    const r = await run([staged]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Secret dockercoins/leftover: [secret-values]');
  });
});

describe('validate CLI arguments', () => {
  it('the usage lists every rule', () => {
    for (const r of RULES) expect(USAGE).toContain(r);
  });

  it('--help and -h print the usage and exit 0, whatever else is given', async () => {
    for (const argv of [['--help'], ['-h'], ['some/path', '--help']]) {
      expect(await run(argv)).toEqual({ code: 0, out: USAGE, err: '' });
    }
  });

  it.each([['--bogus', '--bogus'], ['-x', '-x'], ['--strict=1', '--strict']])('unknown option %s exits 2 naming it', async (arg, name) => {
    const r = await run([arg]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`validate: unknown option ${name}\n${USAGE}`);
  });

  it('--help=value is a usage error', async () => {
    const r = await run(['--help=yes']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^validate: option --help does not take a value\n/);
  });

  it('treats everything after -- as a path, even when it starts with a dash', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-dash-'));
    try {
      const file = path.join(tmp, '-odd.yaml');
      fs.writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: odd, namespace: dockercoins}\n');
      const prev = process.cwd();
      process.chdir(tmp);
      try {
        const r = await run(['--', '-odd.yaml']);
        expect(r).toEqual({ code: 0, out: 'validate: 1 object in -odd.yaml: no problems\n', err: '' });
      } finally {
        process.chdir(prev);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
