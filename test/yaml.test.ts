import * as fc from 'fast-check';
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
    '1:20', '.inf', '-.NaN', '.', '-.', '._', 'e5', '.e1', '1.e2', '2024-01-01', '3.', '-', '--', '---', '- item', '--save', '-c', 'a: b', 'a #b', 'ends:', '#comment', '&anchor',
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

// dist/ staying byte-identical when the emitter changes is test/golden's job (the committed
// files are the snapshot); here: any document the model could produce reads back as itself.
describe('YAML emitter, any JSON-like document', () => {
  // Strings from the characters that decide quoting, blocks and indentation.
  const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '1', '.', '-', ':', ' ', '\t', '\n', '#', '"', "'", '|', '>', '{', '[', '&', '*', '!', '~', 'é', '\u0001', 'y', 'e', 'x', '_'), maxLength: 12 });
  const value: fc.Arbitrary<unknown> = fc.letrec(tie => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(text, fc.option(tie('node'), { nil: undefined }), { maxKeys: 4 })),
  })).node;

  test('strings of tricky characters, numbers, nested collections and undefined members read back identically in YAML 1.1 and 1.2, alone and as a stream', () => {
    fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), docs => {
      // What the API server would store: JSON drops undefined members and the sign of -0.
      const expected = JSON.parse(JSON.stringify(docs));
      const { v11, v12 } = parseBoth(toYaml(...docs));
      expect(v11).toEqual(expected);
      expect(v12).toEqual(expected);
    }), { numRuns: 400 });
  });
});
