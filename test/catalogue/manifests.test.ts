/**
 * Runs every catalogued bad manifest through the validate CLI, as a user
 * would (`npm run validate -- <folder>`), and checks the exact output; then
 * checks that the committed dist/ still validates clean.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseManifests } from '../../src/analysis/objects';
import { RULES } from '../../src/analysis/validate';
import { main } from '../../src/cli/validate';
import { BAD_MANIFESTS } from './manifests';

const DIST = path.join(__dirname, '..', '..', 'dist');

async function validate(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** `Pod shop/web: [quantities] ...` -> rule and object. */
function parse(line: string): { object: string; rule: string } {
  const m = /^(.*?): \[([a-z-]+)\] /.exec(line);
  if (!m) throw new Error(`not a problem line: ${line}`);
  return { object: m[1], rule: m[2] };
}

describe('catalogue of bad manifests', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-manifests-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('has at least 45 entries with unique ids, and covers every rule', () => {
    expect(BAD_MANIFESTS.length).toBeGreaterThanOrEqual(45);
    expect(new Set(BAD_MANIFESTS.map((b) => b.id)).size).toBe(BAD_MANIFESTS.length);
    const covered = new Set(BAD_MANIFESTS.flatMap((b) => b.expected.map((l) => parse(l).rule)));
    expect(RULES.filter((r) => !covered.has(r))).toEqual([]);
  });

  it.each(BAD_MANIFESTS.map((b) => [b.id, b] as const))('%s: validate prints exactly the expected lines and exits 1', async (id, bad) => {
    const dir = path.join(tmp, id);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifests.yaml'), bad.yaml);
    const objects = parseManifests(bad.yaml).length;
    const affected = new Set(bad.expected.map((l) => parse(l).object)).size;
    const n = bad.expected.length;
    const r = await validate([dir]);
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual([
      ...bad.expected,
      `validate: ${n} problem${n === 1 ? '' : 's'} in ${affected} of ${objects} objects (${dir})`,
      '',
    ]);
    expect(r.code).toBe(1);
  });
});

describe('committed dist/', () => {
  it('validates with no problem in every environment', async () => {
    const envs = fs.readdirSync(DIST, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
    expect(envs).toEqual(expect.arrayContaining(['dev', 'prod', 'staging']));
    const r = await validate([DIST]);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^validate: \d+ objects in .*: no problems\n$/);
    expect(r.code).toBe(0);
  });
});
