import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/diff';
import { diffManifests } from '../../src/analysis/diff';
import { formatDiffText } from '../../src/analysis/diff-format';
import { loadManifests } from '../../src/analysis/objects';

// `diff` reads only the files that differ from git (one `ls-tree`, one `cat-file --batch`) and parses a file
// with the same bytes on both sides once. These tests prove the result is what comparing two full,
// separately parsed copies gives.

const configMap = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: dc}\ndata: {key: "${value}"}\n`;

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

describe('diff reads git once and parses identical files once, with the result of a full comparison', () => {
  let repo: string;
  let snapshot: string;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });

  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-sources-'));
    git('init', '-q');
    write(repo, 'dist/prod/10-a.k8s.yaml', configMap('a', '1') + '---\n' + configMap('moved', 'x'));
    write(repo, 'dist/prod/20-b.k8s.yaml', configMap('b', '2'));
    write(repo, 'dist/prod/flux/wave-10/c.yaml', configMap('c', '3'));
    write(repo, 'dist/prod/renamed-before.yaml', configMap('r', '4'));
    write(repo, 'dist/same/x.yaml', configMap('x', '5'));
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    // A copy of the committed tree, for the full comparison.
    snapshot = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-sources-head-'));
    fs.cpSync(path.join(repo, 'dist'), path.join(snapshot, 'dist'), { recursive: true });
    // Changes: `moved` leaves a changed file for an unchanged one's neighbour, a nested file changes,
    // a file is renamed with the same bytes, and `same` does not change at all.
    write(repo, 'dist/prod/10-a.k8s.yaml', configMap('a', '1b'));
    write(repo, 'dist/prod/20-b.k8s.yaml', configMap('b', '2') + '---\n' + configMap('moved', 'x'));
    write(repo, 'dist/prod/flux/wave-10/c.yaml', configMap('c', '3b'));
    fs.renameSync(path.join(repo, 'dist/prod/renamed-before.yaml'), path.join(repo, 'dist/prod/renamed-after.yaml'));
  });
  afterAll(() => {
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(snapshot, { recursive: true, force: true });
  });

  async function run(argv: string[]) {
    let out = '';
    let err = '';
    const code = await main(argv, { out: t => (out += t), err: t => (err += t), cwd: repo, isTTY: false, env: {} });
    return { code, out, err };
  }

  test.each(['prod', 'same'])('%s: the output equals a comparison of two separately parsed copies', async env => {
    const full = diffManifests(loadManifests([path.join(snapshot, 'dist', env)]), loadManifests([path.join(repo, 'dist', env)]));
    const r = await run(['--env', env]);
    expect(r.err).toBe('');
    expect(r.out).toBe(`=== ${env}: HEAD -> working tree ===\n${formatDiffText(full, { color: false })}\n`);
    expect(r.code).toBe(full.objects.length > 0 ? 1 : 0);
  });

  test('an object moved between files is not reported; changed and nested files are', async () => {
    const r = await run(['--env', 'prod']);
    expect(r.out).toContain('ConfigMap dc/a');
    expect(r.out).toContain('ConfigMap dc/c');
    expect(r.out).not.toContain('dc/moved');
    expect(r.out).not.toContain('dc/r');
  });

  test('a committed file that no longer parses is still an error when its bytes changed', async () => {
    write(repo, 'dist/same/x.yaml', 'kind: [unclosed\n');
    try {
      const r = await run(['--env', 'same']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^diff: .*x\.yaml/);
    } finally {
      write(repo, 'dist/same/x.yaml', configMap('x', '5'));
    }
  });
});
