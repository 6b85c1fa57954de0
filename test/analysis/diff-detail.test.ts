/**
 * Long values in `npm run diff` output: the change itself must be visible,
 * not cut off behind a common prefix (issue: Traefik args, elasticsearch.yml).
 * Checked through the formatters, in text and Markdown.
 */
import fc from 'fast-check';
import { diffManifests, ManifestDiff } from '../../src/analysis/diff';
import { formatDiffMarkdown, formatDiffText } from '../../src/analysis/diff-format';
import { K8sObject, compareStrings } from '../../src/analysis/objects';

const TRAEFIK_ARGS = [
  '--global.checkNewVersion=false', '--global.sendAnonymousUsage=false', '--log.level=INFO', '--accesslog=true',
  '--accesslog.format=json', '--entryPoints.traefik.address=:8080/tcp', '--entryPoints.web.address=:8000/tcp',
  '--entryPoints.websecure.address=:8443/tcp', '--entryPoints.websecure.http.tls=true', '--entryPoints.metrics.address=:9100/tcp',
  '--ping=true', '--ping.entryPoint=traefik', '--metrics.prometheus=true', '--metrics.prometheus.entryPoint=metrics',
  '--providers.kubernetesingress=true', '--providers.kubernetesingress.ingressClass=traefik',
  '--providers.kubernetesingress.ingressendpoint.publishedservice=traefik/traefik', '--api=false',
];

const ELASTICSEARCH_YML = `cluster.name: "logging"
node.name: "\${NODE_NAME}"
network.host: "0.0.0.0"
node.store.allow_mmap: "false"
xpack.security.enabled: "true"
xpack.security.http.ssl.enabled: "false"
ingest.geoip.downloader.enabled: "false"
discovery.seed_hosts: "elasticsearch-headless"
cluster.initial_master_nodes: ["elasticsearch-0","elasticsearch-1","elasticsearch-2"]
xpack.security.transport.ssl.enabled: "true"
xpack.security.transport.ssl.verification_mode: "certificate"
xpack.security.transport.ssl.key: "certs/tls.key"
xpack.security.transport.ssl.certificate: "certs/tls.crt"
xpack.security.transport.ssl.certificate_authorities: "certs/ca.crt"
`;

function traefik(args: string[]): K8sObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'traefik', namespace: 'traefik' },
    spec: { selector: { matchLabels: { app: 'traefik' } }, template: { spec: { containers: [{ name: 'traefik', image: 'traefik:v3.3.4', args }] } } },
  };
}
const ARGS_PATH = 'spec.template.spec.containers[traefik].args';

function configMap(value: string): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elasticsearch-config', namespace: 'logging' }, data: { 'elasticsearch.yml': value } };
}
const YML_PATH = 'data["elasticsearch.yml"]';

function annotated(value: string): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'dc', annotations: { note: value } } };
}
const NOTE_PATH = 'metadata.annotations.note';

/** The summary after `path: ` and the detail lines under it, from text output. */
function textField(text: string, path: string): { summary: string; lines: string[] } {
  const all = text.split('\n');
  const i = all.findIndex((l) => l.startsWith(`    ${path}: `));
  if (i < 0) return { summary: '', lines: [] };
  const lines: string[] = [];
  for (let j = i + 1; j < all.length && all[j].startsWith('        '); j++) lines.push(all[j].slice(8));
  return { summary: all[i].slice(`    ${path}: `.length), lines };
}

/** The lines of the ```diff block that follows the field's heading in Markdown output. */
function markdownField(md: string, path: string): string[] {
  const all = md.split('\n');
  const i = all.findIndex((l) => l.startsWith(`\`${path}\`: `));
  if (i < 0) return [];
  const open = all.findIndex((l, j) => j > i && /^`{3,}diff$/.test(l));
  const fence = all[open].slice(0, -'diff'.length);
  const close = all.findIndex((l, j) => j > open && l === fence);
  return all.slice(open + 1, close);
}

/** Both renderings of one field's detail lines. */
function detailLines(d: ManifestDiff, path: string): { text: string[]; markdown: string[] } {
  return { text: textField(formatDiffText(d), path).lines, markdown: markdownField(formatDiffMarkdown(d), path) };
}

/** Rebuilds the after list from the before list and the `- [i] v` / `+ [j] v` lines. */
function applyListLines(before: unknown[], lines: string[]): unknown[] {
  const removed = new Set<number>();
  const added = new Map<number, unknown>();
  for (const l of lines) {
    const m = /^([-+]) \[(\d+)\] (.*)$/.exec(l);
    if (!m) throw new Error(`not a list line: ${l}`);
    if (m[1] === '-') removed.add(Number(m[2]));
    else added.set(Number(m[2]), JSON.parse(m[3]));
  }
  const kept = before.filter((_, i) => !removed.has(i));
  const out: unknown[] = [];
  for (let j = 0; kept.length > 0 || added.size > 0; j++) {
    if (added.has(j)) {
      out.push(added.get(j));
      added.delete(j);
    } else if (kept.length > 0) out.push(kept.shift());
    else throw new Error(`gap at ${j}`);
  }
  return out;
}

/** Applies unified-diff hunks (`@@ -a,b +c,d @@`, then ` `/`-`/`+` lines) to a text. */
function applyHunks(before: string, lines: string[]): string {
  const src = before.split('\n');
  const out: string[] = [];
  let pos = 0;
  for (let k = 0; k < lines.length; ) {
    const m = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(lines[k++]);
    if (!m) throw new Error(`not a hunk header: ${lines[k - 1]}`);
    const start = Number(m[2]) === 0 ? Number(m[1]) : Number(m[1]) - 1;
    out.push(...src.slice(pos, start));
    pos = start;
    while (k < lines.length && !lines[k].startsWith('@@')) {
      const l = lines[k++];
      const t = l.slice(1);
      if (l[0] === '+') out.push(t);
      else {
        if (src[pos] !== t) throw new Error(`line ${pos + 1} is ${JSON.stringify(src[pos])}, hunk says ${JSON.stringify(t)}`);
        if (l[0] === ' ') out.push(t);
        pos++;
      }
    }
  }
  return [...out, ...src.slice(pos)].join('\n');
}

describe('lists of scalars show the items added and removed', () => {
  it('shows a changed and an inserted Traefik arg, text and Markdown', () => {
    const after = [...TRAEFIK_ARGS];
    after[4] = '--accesslog.format=common';
    after.splice(10, 0, '--ping.terminatingStatusCode=204');
    const d = diffManifests([traefik(TRAEFIK_ARGS)], [traefik(after)]);
    const expected = ['- [4] "--accesslog.format=json"', '+ [4] "--accesslog.format=common"', '+ [10] "--ping.terminatingStatusCode=204"'];
    expect(textField(formatDiffText(d), ARGS_PATH)).toEqual({ summary: '1 item removed, 2 added (18 -> 19 items)', lines: expected });
    expect(markdownField(formatDiffMarkdown(d), ARGS_PATH)).toEqual(expected);
    expect(formatDiffMarkdown(d)).toContain(`| \`${ARGS_PATH}\` | see below | 1 item removed, 2 added (18 -> 19 items) |`);
  });

  it('for any two lists, the reported added and removed items rebuild the new list from the old', () => {
    const item = fc.oneof(fc.constantFrom('--a', '--b', '--c', '--d=1', '--d=2'), fc.string({ maxLength: 20 }), fc.integer({ min: -3, max: 3 }), fc.boolean());
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.array(item, { maxLength: 12 }), (before, after) => {
        fc.pre(JSON.stringify(before) !== JSON.stringify(after));
        const d = diffManifests([traefik(before as string[])], [traefik(after as string[])]);
        const { text, markdown } = detailLines(d, ARGS_PATH);
        expect(applyListLines(before, text)).toEqual(after);
        expect(markdown).toEqual(text);
      }),
    );
  });

  it('shows where a long item changed', () => {
    const long = `--providers.file.directory=/etc/traefik/${'x'.repeat(150)}/dynamic`;
    const d = diffManifests([traefik(['--a', long])], [traefik(['--a', long.replace('dynamic', 'static')])]);
    expect(detailLines(d, ARGS_PATH).text).toEqual([
      `- [1] from character 192: …"${'x'.repeat(19)}/dynamic"`,
      `+ [1] from character 192: …"${'x'.repeat(19)}/static"`,
    ]);
  });
});

describe('multi-line strings show the changed lines', () => {
  it('shows one changed elasticsearch.yml setting with two lines of context', () => {
    const d = diffManifests([configMap(ELASTICSEARCH_YML)], [configMap(ELASTICSEARCH_YML.replace('"elasticsearch-headless"', '"es-headless"'))]);
    const expected = [
      '@@ -6,5 +6,5 @@',
      ' xpack.security.http.ssl.enabled: "false"',
      ' ingest.geoip.downloader.enabled: "false"',
      '-discovery.seed_hosts: "elasticsearch-headless"',
      '+discovery.seed_hosts: "es-headless"',
      ' cluster.initial_master_nodes: ["elasticsearch-0","elasticsearch-1","elasticsearch-2"]',
      ' xpack.security.transport.ssl.enabled: "true"',
    ];
    expect(textField(formatDiffText(d), YML_PATH)).toEqual({ summary: '1 line removed, 1 added (15 -> 15 lines)', lines: expected });
    expect(markdownField(formatDiffMarkdown(d), YML_PATH)).toEqual(expected);
  });

  it('for any two texts, the hunks turn the old text into the new one, with at most two lines of context', () => {
    const text = fc.array(fc.constantFrom('a: 1', 'b: 2', 'c: 3', '', '  - x'), { maxLength: 15 }).map((ls) => ls.join('\n'));
    fc.assert(
      fc.property(text, text, (before, after) => {
        fc.pre(before !== after && (before.includes('\n') || after.includes('\n')));
        const d = diffManifests([configMap(before)], [configMap(after)]);
        const { text: lines, markdown } = detailLines(d, YML_PATH);
        expect(applyHunks(before, lines)).toBe(after);
        expect(markdown).toEqual(lines);
        // Context: at most 2 lines at either end of a hunk, at most 4 between two changes.
        const hunks: string[] = [];
        for (const l of lines) {
          if (l.startsWith('@@')) hunks.push('');
          else hunks[hunks.length - 1] += l[0];
        }
        for (const signs of hunks) expect(signs).not.toMatch(/^ {3}| {3}$| {5}/);
      }),
    );
  });

  it('shows where a long line in a multi-line value changed', () => {
    const line = `dashboard: {"panels":[${'{"id":1},'.repeat(30)}{"id":2}]}`;
    const d = diffManifests([configMap(`a\n${line}\nb`)], [configMap(`a\n${line.replace('"id":2', '"id":3')}\nb`)]);
    const lines = detailLines(d, YML_PATH).text;
    expect(lines[2]).toMatch(/^-\[from character 299\] ….*"id":2\}\]\}$/);
    expect(lines[3]).toMatch(/^\+\[from character 299\] ….*"id":3\}\]\}$/);
  });
});

describe('long single-line strings show where they differ', () => {
  it('for any long string changed in the middle, shows the position and the differing part', () => {
    const ascii = (min: number, max: number) => fc.string({ minLength: min, maxLength: max });
    fc.assert(
      // Long enough to be cut in both formats (text cuts at 120, Markdown at 200).
      fc.property(ascii(110, 200), ascii(0, 10), ascii(0, 10), ascii(110, 200), (prefix, x, y, suffix) => {
        const before = `${prefix}${x}${suffix}`;
        const after = `${prefix}${y}${suffix}`;
        fc.pre(before !== after);
        let first = 0;
        while (before[first] === after[first]) first++;
        const d = diffManifests([annotated(before)], [annotated(after)]);
        for (const [summary, lines] of [
          [textField(formatDiffText(d), NOTE_PATH).summary, textField(formatDiffText(d), NOTE_PATH).lines],
          [formatDiffMarkdown(d).split('\n').find((l) => l.startsWith(`\`${NOTE_PATH}\`: `))!.slice(NOTE_PATH.length + 4), markdownField(formatDiffMarkdown(d), NOTE_PATH)],
        ] as const) {
          expect(summary).toBe(`differs from character ${first + 1} (${before.length} -> ${after.length} characters)`);
          expect(lines).toHaveLength(2);
          // Each excerpt is a piece of its string around the first difference.
          for (const [line, full] of [[lines[0], before], [lines[1], after]] as const) {
            const body: string = JSON.parse(line.slice(2).replace(/^…/, '').replace(/…$/, ''));
            const at = [...Array(body.length + 1).keys()].some((k) => first - k >= 0 && full.slice(first - k, first - k + body.length) === body);
            expect(at).toBe(true);
          }
          expect(lines[0]).not.toBe(lines[1]);
        }
      }),
    );
  });
});

describe('output ordering', () => {
  it('renders object keys in code-point order whatever their order in the YAML', () => {
    const key = fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom('a', 'B', 'b', 'Z', '_', 'é', 'É', '1') });
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 2, maxLength: 6 }), (keys) => {
        const value = Object.fromEntries(keys.map((k) => [k, 1]));
        const sorted = JSON.stringify(Object.fromEntries([...keys].sort(compareStrings).map((k) => [k, 1])));
        const d = diffManifests([annotated('x')], [{ ...annotated('x'), spec: { v: value } }]);
        expect(formatDiffText(d)).toContain(`spec: + {"v":${sorted}}`);
        expect(formatDiffMarkdown(d)).toContain(`| \`spec\` |  | \`{"v":${sorted}}\` |`);
      }),
    );
  });
});
