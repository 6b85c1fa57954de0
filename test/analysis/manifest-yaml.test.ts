import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../../constructs/lib/yaml';
import { KUBECTL_YAML, manifestFiles } from '../../src/analysis/objects';
import { parseEmitterStream } from '../../src/analysis/manifest-yaml';

// src/analysis/manifest-yaml.ts reads the project's own YAML style without the `yaml` package.
// Requirement: it never gives a value `yaml` would not (validate and diff must judge the same
// objects), and it reads every file synth writes (else it saves nothing).

const DIST = path.join(__dirname, '..', '..', 'dist');

/**
 * What `yaml` reads, or undefined when it reports an error; the same under YAML 1.2 and as kubectl
 * reads (YAML 1.1, parseManifests' KUBECTL_YAML), or the test fails: the emitter's style is read
 * alike by both, which is what lets the fast reader stand in for either.
 */
function viaYaml(text: string): unknown[] | undefined {
  const read = (options: Parameters<typeof parseAllDocuments>[1]) => {
    const docs = parseAllDocuments(text, options);
    if (docs.some(d => d.errors.length > 0)) return undefined;
    return docs.map(d => d.toJS({ maxAliasCount: 100 }) as unknown);
  };
  const core = read({ prettyErrors: true });
  const kubectl = read(KUBECTL_YAML);
  if (core !== undefined && kubectl !== undefined) expect(kubectl).toStrictEqual(core);
  return core;
}

describe('the reader of the emitter style', () => {
  test('reads every manifest of dist/ (and kustomization.yaml) as `yaml` does', () => {
    const files = ['dev', 'staging', 'prod'].flatMap(env => [...manifestFiles(path.join(DIST, env)), path.join(DIST, env, 'kustomization.yaml')]);
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const fast = parseEmitterStream(text);
      expect({ file, read: fast !== undefined }).toEqual({ file, read: true });
      expect(fast).toStrictEqual(viaYaml(text));
    }
  });

  const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '1', '.', '-', ':', ' ', '\t', '\n', '#', '"', "'", '|', '>', '{', '[', '&', '*', '!', '~', 'é', '\u0001', '\u007f', 'y', 'e', 'x', '_', '\\'), maxLength: 10 });
  const value: fc.Arbitrary<unknown> = fc.letrec(tie => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(text, tie('node'), { maxKeys: 4 })),
  })).node;
  const root = fc.dictionary(text, value, { minKeys: 1, maxKeys: 5 });
  /** A stream as synth writes it, with the variations a file may have: a header comment, empty documents. */
  const stream = fc.record({
    docs: fc.array(root, { minLength: 1, maxLength: 3 }),
    header: fc.boolean(),
    leading: fc.boolean(),
    trailing: fc.boolean(),
  }).map(({ docs, header, leading, trailing }) => `${header ? '# header\n' : ''}${leading ? '---\n' : ''}${toYaml(...docs)}${trailing ? '---\n' : ''}`);

  test('generated streams of the emitter: the same documents as `yaml`, or left to it', () => {
    let plain = 0;
    let read = 0;
    fc.assert(fc.property(stream, s => {
      const fast = parseEmitterStream(s);
      if (fast !== undefined) expect(fast).toStrictEqual(viaYaml(s));
      // Coverage: the emitter writes DEL raw inside quotes, which the reader leaves to `yaml`; the rest it reads.
      if (!s.includes('\x7f')) { plain++; if (fast !== undefined) read++; }
    }), { numRuns: 600 });
    expect(read).toBe(plain);
  });

  /** Edits that leave the style: indentation, separators, comments, flow syntax, tabs, blank lines... */
  const edit = fc.record({
    at: fc.nat(),
    col: fc.nat(),
    what: fc.constantFrom(' ', '  ', '\t', '#', ' #x', '---', '...', '- ', ': ', ':', '"', "'", '{', '}', '[', ']', ',', '&a ', '*a', '!!str ', '|', '>', '? ', '\n', '\n\n', '\r', '%YAML 1.1\n', 'key: 1\n', 'key:\n'),
    remove: fc.nat({ max: 3 }),
  });

  test('generated edits of those streams: whatever it reads, `yaml` reads the same and without errors', () => {
    fc.assert(fc.property(stream, fc.array(edit, { minLength: 1, maxLength: 3 }), (s, edits) => {
      let t = s;
      for (const e of edits) {
        const lines = t.split('\n');
        const line = e.at % lines.length;
        const col = e.col % (lines[line].length + 1);
        lines[line] = lines[line].slice(0, col) + e.what + lines[line].slice(col + e.remove);
        t = lines.join('\n');
      }
      const fast = parseEmitterStream(t);
      if (fast !== undefined) expect(fast).toStrictEqual(viaYaml(t));
    }), { numRuns: 3000 });
  });

  test.each([
    ['a flow mapping', '{"apiVersion": "v1"}\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a comment after content', 'a: 1\n# note\n'],
    ['CRLF line ends', 'a: 1\r\n'],
    ['no final newline', 'a: 1'],
    ['an anchor', 'a: &x 1\nb: 2\n'],
    ['a key without a value', 'a:\nb: 1\n'],
    ['a sequence at the key\'s indentation', 'a:\n- 1\n'],
    ['a number YAML reads otherwise', 'a: 1.0\n'],
    ['a YAML 1.1 boolean', 'a: yes\n'],
    ['a root sequence', '- a: 1\n'],
    // test:stress, seed -18547931: an edit made `... ":` of a quoted key; `yaml` reads a document end marker there.
    ['a document end marker', '# header\n"": ""\n... ":\n  "": ""\n---\n'],
    ['content after a document start marker', '--- a: 1\n'],
  ])('%s is left to `yaml`', (_what, t) => {
    expect(parseEmitterStream(t)).toBeUndefined();
  });
});
