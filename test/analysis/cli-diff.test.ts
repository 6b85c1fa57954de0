import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { main } from '../../src/cli/diff';

const deployment = (name: string, replicas: number) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: dc}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: ${name}, image: "${name}:1"}]}\n`;

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

describe('diff CLI', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });

  async function run(argv: string[], extra: { isTTY?: boolean; env?: Record<string, string> } = {}) {
    let out = '';
    let err = '';
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: repo, isTTY: extra.isTTY ?? false, env: extra.env ?? {} });
    return { code, out, err };
  }

  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-cli-'));
    git('init', '-q');
    write(repo, 'dist/dev/app.yaml', deployment('web', 2));
    write(repo, 'dist/prod/app.yaml', deployment('web', 3));
    write(repo, 'dist/old/app.yaml', deployment('legacy', 1));
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    // working tree changes: dev scales to zero, old is deleted, new env appears
    write(repo, 'dist/dev/app.yaml', deployment('web', 0));
    fs.rmSync(path.join(repo, 'dist/old'), { recursive: true });
    write(repo, 'dist/qa/app.yaml', deployment('web', 1));
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('compares one environment with HEAD and exits 1 on differences', async () => {
    const r = await run(['--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    expect(r.out).toBe([
      '=== dev: HEAD -> working tree ===',
      '~ Deployment dc/web',
      '    spec.replicas: 2 -> 0',
      '    ! [scale-to-zero] replicas drop from 2 to 0',
      '0 added, 0 removed, 1 changed, 1 risk',
      '',
      '',
    ].join('\n'));
  });

  it('exits 0 when the environment is unchanged', async () => {
    const r = await run(['--env=prod']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no changes');
  });

  it('compares every environment of the working tree and the ref', async () => {
    const r = await run([]);
    expect(r.code).toBe(1);
    const titles = r.out.split('\n').filter((l) => l.startsWith('==='));
    expect(titles).toEqual(['=== dev: HEAD -> working tree ===', '=== old: HEAD -> working tree ===', '=== prod: HEAD -> working tree ===', '=== qa: HEAD -> working tree ===']);
    expect(r.out).toContain('- Deployment dc/legacy');
    expect(r.out).toContain('+ Deployment dc/web');
  });

  it('compares two environments with --against', async () => {
    const r = await run(['--env', 'prod', '--against', 'dev', '--format', 'markdown']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('## prod compared with dev');
    expect(r.out).toContain('| `spec.replicas` | `0` | `3` |');
  });

  it('colours text only on a terminal without NO_COLOR', async () => {
    expect((await run(['--env', 'dev'], { isTTY: true })).out).toMatch(/\x1b\[/);
    expect((await run(['--env', 'dev'], { isTTY: true, env: { NO_COLOR: '1' } })).out).not.toMatch(/\x1b\[/);
    expect((await run(['--env', 'dev'], { isTTY: false })).out).not.toMatch(/\x1b\[/);
    expect((await run(['--env', 'dev', '--format', 'markdown'], { isTTY: true })).out).not.toMatch(/\x1b\[/);
  });

  it.each([
    [['--format', 'html'], /--format must be text or markdown/],
    [['--against', 'dev'], /--against needs --env/],
    [['--bogus'], /unknown option --bogus/],
    [['--env'], /--env needs a value/],
    [['--env', '../x'], /invalid environment name/],
    [['--ref=--output=/tmp/x'], /invalid git ref/],
    [['--ref', '--output=/tmp/x'], /^diff: --ref needs a value/],
    [['--env', 'dev', 'extra'], /^diff: unexpected argument extra\n/],
    [['--help=yes'], /^diff: --help takes no value\n/],
  ])('exits 2 on usage error %j', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('exits 2 for an unknown ref or environment, with a clear message', async () => {
    const badRef = await run(['--env', 'dev', '--ref', 'nope']);
    expect(badRef).toEqual({ code: 2, out: '', err: 'diff: unknown git ref nope\n' });
    const badEnv = await run(['--env', 'staging']);
    expect(badEnv.code).toBe(2);
    expect(badEnv.err).toMatch(/dist\/staging: no such environment folder/);
  });

  it('prints help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: diff/);
    expect(await run(['--env', 'dev', '-h'])).toEqual({ code: 0, out: r.out, err: '' });
  });

  it('accepts every option as --name value and --name=value', async () => {
    const spaced = await run(['--env', 'prod', '--against', 'dev', '--format', 'markdown', '--dist', 'dist']);
    expect(spaced.code).toBe(1);
    expect(await run(['--env=prod', '--against=dev', '--format=markdown', '--dist=dist'])).toEqual(spaced);
  });

  it('does not take the next option as a value', async () => {
    // The old parser diffed an environment named "--format=markdown".
    const r = await run(['--env', '--format=markdown']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^diff: --env needs a value \(write --env=<value> for a value starting with -\)\n/);
  });

  it('refuses any unknown option with exit 2, naming the option and never echoing its value', async () => {
    const known = ['env', 'ref', 'against', 'dist', 'format', 'help'];
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((n) => !known.includes(n));
    await fc.assert(
      fc.asyncProperty(name, fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), { nil: undefined }), async (option, value) => {
        const r = await run(['--env', 'dev', value === undefined ? `--${option}` : `--${option}=${value}`]);
        expect(r.code).toBe(2);
        expect(r.out).toBe('');
        expect(r.err.split('\n')[0]).toBe(`diff: unknown option --${option}`);
        if (value !== undefined) expect(r.err).not.toContain(`--${option}=${value}`);
      }),
      { numRuns: 50 },
    );
  });
});
