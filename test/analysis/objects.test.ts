import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { compareStrings, isClusterScoped, loadManifests, MAX_MANIFEST_DEPTH, MAX_MANIFEST_FILE_BYTES, nestedDeeperThan, objectRef, parseManifests, podTemplateOf, K8sObject } from '../../src/analysis/objects';
import { validateManifests } from '../../src/analysis/validate';

const podSpec = { containers: [{ name: 'c', image: 'i:1' }] };

describe('parseManifests', () => {
  it('reads multiple documents and skips empty ones', () => {
    const objs = parseManifests('---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n');
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/a', 'Secret/b']);
  });

  it('names the source in parse errors', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: [unclosed\n', 'dist/dev/app.yaml')).toThrow(/dist\/dev\/app\.yaml/);
  });

  it('rejects documents that are not Kubernetes objects, naming the source', () => {
    expect(() => parseManifests('just a string\n', 'x.yaml')).toThrow(/x\.yaml: document 1: expected a Kubernetes object/);
    expect(() => parseManifests('kind: Foo\nmetadata: {name: a}\n', 'y.yaml')).toThrow(/y\.yaml.*apiVersion/);
  });

  it('refuses a YAML bomb (aliases of aliases) naming the source and the document, and reads a few aliases', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const name of 'bcdefgh') levels.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(', ')}]`);
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n${levels.join('\n')}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n`;
    expect(() => parseManifests(bomb, 'hand/bomb.yaml')).toThrow(/^hand\/bomb\.yaml: YAML document 2: .*alias.*write the repeated values out\)$/);
    const few = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: &l {app: x}, annotations: *l}\n');
    expect(few[0].metadata.annotations).toEqual({ app: 'x' });
  });

  it('reads and checks a manifest nested MAX_MANIFEST_DEPTH levels deep, in flow and in block style; one more level is refused naming source and document', () => {
    // Levels: the root object, then under its field x n - 1 arrays (flow) or mappings (block).
    const flow = (n: number) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"x":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    const block = (n: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\nx:\n${Array.from({ length: n - 1 }, (_, i) => `${'  '.repeat(i + 1)}a:`).join('\n')} 1\n`;
    for (const [style, text] of [['flow', flow], ['block', block]] as const) {
      const objects = parseManifests(text(MAX_MANIFEST_DEPTH), `${style}.yaml`);
      expect({ style, depth: nestedDeeperThan(objects[0], MAX_MANIFEST_DEPTH - 1) && !nestedDeeperThan(objects[0], MAX_MANIFEST_DEPTH) }).toEqual({ style, depth: true });
      // The rules recurse too: at the bound they run without exhausting the stack (schema finds the unknown field).
      expect(validateManifests(objects).map(p => p.rule)).toContain('schema');
      expect(() => parseManifests(text(MAX_MANIFEST_DEPTH + 1), `hand/${style}.yaml`)).toThrow(`hand/${style}.yaml: document 1: nested more than 500 levels deep`);
    }
  });

  it('nestedDeeperThan is the recursive depth of objects and arrays, compared with the limit', () => {
    const depth = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depth)) : 0);
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.nat(10), (value, limit) => nestedDeeperThan(value, limit) === depth(value) > limit));
  });

  it('reads YAML as kubectl does (go-yaml v2, YAML 1.1): yes/no/on/off/y/n are booleans, 0644 is octal, keys too; 1:20 and dates stay strings', () => {
    const [o] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: {a: yes, b: No, c: on, d: OFF, e: y, f: n, g: 0644, h: 0x1F, i: 1:20, j: 2001-12-14, k: "yes", l: 1_000, on: key}\n');
    expect(o.x).toStrictEqual({ a: true, b: false, c: true, d: false, e: true, f: false, g: 420, h: 31, i: '1:20', j: '2001-12-14', k: 'yes', l: 1000, true: 'key' });
  });

  it('so a hand-written env value yes, which kubectl sends as a boolean, is refused where a string belongs', () => {
    const objects = parseManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n  - name: c\n    image: x:1\n    env: [{name: DEBUG, value: yes}]\n');
    expect(validateManifests(objects, ['schema']).map(p => p.message)).toEqual(['spec.containers[0].env[0].value: must be string']);
  });

  it('flattens kind: List', () => {
    const objs = parseManifests('apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n');
    expect(objs).toHaveLength(1);
    expect(objs[0].kind).toBe('ConfigMap');
  });
});

describe('loadManifests', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n');
    fs.writeFileSync(path.join(dir, 'a.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    fs.writeFileSync(path.join(dir, 'sub', 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest');
    // synth stages into dot-folders (.tmp-<env>-<pid>, .old-<env>-<pid>); they are not part of the set
    fs.mkdirSync(path.join(dir, '.tmp-dev-1'));
    fs.writeFileSync(path.join(dir, '.tmp-dev-1', 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: staged}\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('recurses into directories in sorted order and ignores other extensions', () => {
    expect(loadManifests([dir]).map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
  });

  it('skips directories whose name starts with a dot, unless named explicitly', () => {
    expect(loadManifests([dir]).map((o) => o.metadata.name)).not.toContain('staged');
    expect(loadManifests([path.join(dir, '.tmp-dev-1')]).map((o) => o.metadata.name)).toEqual(['staged']);
  });

  it('reports a missing path by name', () => {
    expect(() => loadManifests([path.join(dir, 'nope')])).toThrow(/nope: no such file/);
  });

  it('refuses by name, before reading it, a file larger than MAX_MANIFEST_FILE_BYTES', () => {
    const odd = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-odd-'));
    try {
      const big = path.join(odd, 'big.yaml');
      fs.writeFileSync(big, '');
      fs.truncateSync(big, MAX_MANIFEST_FILE_BYTES + 1); // sparse: no disk written, and never read
      expect(() => loadManifests([big])).toThrow(`${big}: is 64.0 MiB: larger than the 64 MiB a manifest file may have here (split it; the API server takes at most 3 MiB per object)`);
    } finally {
      fs.rmSync(odd, { recursive: true, force: true });
    }
  });

  it('in a folder, refuses a FIFO named like a manifest (it would block the read) and a link to a folder; a pipe named explicitly is read', () => {
    const odd = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-odd-'));
    try {
      fs.mkdirSync(path.join(odd, 'fifo'));
      expect(spawnSync('mkfifo', [path.join(odd, 'fifo', 'x.yaml')]).status).toBe(0);
      expect(() => loadManifests([path.join(odd, 'fifo')])).toThrow(`${path.join(odd, 'fifo', 'x.yaml')}: not a regular file: a folder's manifests are files (name a pipe explicitly to read it)`);
      fs.mkdirSync(path.join(odd, 'links'));
      fs.symlinkSync(dir, path.join(odd, 'links', 'folder.yaml'));
      expect(() => loadManifests([path.join(odd, 'links')])).toThrow(`${path.join(odd, 'links', 'folder.yaml')}: is a folder, not a file (a link to a folder?)`);
      // A shell pipe, as `kubectl get -o yaml | validate /dev/stdin` gives one (spawnSync's input is a socket, which /dev/stdin cannot open).
      const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(__dirname, '..', '..', 'bin', 'register'))}) && require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'analysis', 'objects.ts'))}).loadManifests(['/dev/stdin']).map(o => o.metadata.name)))`;
      const piped = spawnSync('sh', ['-c', 'printf "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: piped}\\n" | "$0" -e "$1"', process.execPath, script], { encoding: 'utf8' });
      expect({ out: piped.stdout, err: piped.stderr }).toEqual({ out: '["piped"]', err: '' });
    } finally {
      fs.rmSync(odd, { recursive: true, force: true });
    }
  });
});

describe('objectRef / isClusterScoped', () => {
  it('includes the namespace for namespaced kinds only', () => {
    expect(objectRef({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hasher', namespace: 'dockercoins' } })).toBe('Deployment dockercoins/hasher');
    expect(objectRef({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'traefik' } })).toBe('ClusterRole traefik');
    expect(objectRef({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } })).toBe('Service default/x');
    expect(isClusterScoped('Namespace')).toBe(true);
    expect(isClusterScoped('ConfigMap')).toBe(false);
  });
});

describe('podTemplateOf', () => {
  const meta = { name: 'w', namespace: 'n' };
  const tpl = { metadata: { labels: { app: 'w' } }, spec: podSpec };
  it.each([
    ['Deployment', { spec: { template: tpl } }],
    ['StatefulSet', { spec: { template: tpl } }],
    ['DaemonSet', { spec: { template: tpl } }],
    ['ReplicaSet', { spec: { template: tpl } }],
    ['Job', { spec: { template: tpl } }],
    ['CronJob', { spec: { jobTemplate: { spec: { template: tpl } } } }],
  ])('finds the template of a %s', (kind, rest) => {
    const o = { apiVersion: 'x', kind, metadata: meta, ...rest } as K8sObject;
    expect(podTemplateOf(o)).toEqual({ metadata: tpl.metadata, spec: podSpec });
  });

  it('treats a Pod as its own template', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: podSpec };
    expect(podTemplateOf(pod)?.metadata.labels).toEqual({ a: 'b' });
    expect(podTemplateOf(pod)?.spec).toBe(podSpec);
  });

  it('returns undefined for non-workloads', () => {
    expect(podTemplateOf({ apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { template: tpl } })).toBeUndefined();
  });
});

describe('compareStrings', () => {
  const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0)!);
  const byCodePoints = (a: string, b: string) => {
    const x = codePoints(a);
    const y = codePoints(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
  };

  it('orders by code point, not UTF-16 code unit or locale', () => {
    // U+FF01 sorts before U+1F600 by code point, after it by UTF-16 code unit (surrogate 0xD83D)
    expect(compareStrings('\uFF01', '\u{1F600}')).toBe(-1);
    expect(compareStrings('B', 'a')).toBe(-1); // a locale compare puts a first
    expect(compareStrings('a', 'a')).toBe(0);
    expect(compareStrings('a', 'ab')).toBe(-1);
  });

  it('agrees with comparing code point sequences for any strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => compareStrings(a, b) === byCodePoints(a, b)));
  });
});
