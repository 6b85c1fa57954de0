import { parseAllDocuments } from 'yaml';
import { toYaml } from '../constructs/lib/yaml';
import { ENV_NAMES, renderObjects } from './helpers';

/** Parses a stream as kubectl (YAML 1.1) and as a YAML 1.2 parser would. */
function parseBoth(text: string): { v11: unknown[]; v12: unknown[] } {
  const parse = (version: '1.1' | '1.2') => parseAllDocuments(text, { version }).map(d => {
    expect(d.errors).toEqual([]);
    return d.toJS();
  });
  return { v11: parse('1.1'), v12: parse('1.2') };
}

describe('YAML emitter', () => {
  test.each(ENV_NAMES)('every rendered object of %s reads back identically in YAML 1.1 and 1.2', env => {
    const objects = renderObjects(env);
    const { v11, v12 } = parseBoth(toYaml(...objects));
    expect(v11).toEqual(objects);
    expect(v12).toEqual(objects);
  });

  const tricky = [
    'yes', 'no', 'on', 'off', 'y', 'N', 'true', 'False', 'null', '~', '', ' ', ' leading', 'trailing ', '0755', '0x1F', '1e3', '1_000',
    '1:20', '.inf', '-.NaN', '2024-01-01', '3.', '-', '--', '---', '- item', '--save', '-c', 'a: b', 'a #b', 'ends:', '#comment', '&anchor',
    '*alias', '!tag', '|', '>', '@at', '`tick', '%pct', '"quoted"', "'single'", '[list]', '{map}', '?', ':', 'key: value: x',
    'line1\nline2', 'line1\nline2\n', 'line1\n\n', '\nleading newline', 'trailing space \nx', 'tab\tinside', 'ctrl\u0001char', 'unicode ✓ é',
    '    indented\nblock', 'sum by (instance) (rate(container_cpu_usage_seconds_total{namespace="x"}[5m]))', '<<', '=',
  ];
  test.each(tricky)('round-trips the string %j as a value and as a key', s => {
    const doc = { [s]: s, list: [s, { [s]: [s] }], nested: { deeper: s } };
    const { v11, v12 } = parseBoth(toYaml(doc));
    expect(v11).toEqual([doc]);
    expect(v12).toEqual([doc]);
  });

  test('renders scalars, empty collections and nested sequences', () => {
    const doc = { n: 1, f: 0.5, neg: -2, t: true, nul: null, empty: {}, none: [], nested: [[1, 2], [], [{ a: 1 }]], skipped: undefined };
    const text = toYaml(doc);
    expect(text).not.toContain('skipped');
    const { v12 } = parseBoth(text);
    const { skipped: _skipped, ...expected } = doc;
    expect(v12).toEqual([expected]);
  });

  test('writes the conventional block style', () => {
    expect(toYaml({ metadata: { name: 'x' }, spec: { ports: [{ name: 'http', port: 80 }] }, data: { 'a.conf': 'x\ny\n' } })).toBe([
      'metadata:', '  name: x', 'spec:', '  ports:', '    - name: http', '      port: 80', 'data:', '  a.conf: |', '    x', '    y', '',
    ].join('\n'));
  });
});
