import * as fc from 'fast-check';
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';

// bin/k8s-l1.js: bin/run.js loads cdk8s-plus-27's L1 module with a linear reducer in place of the
// generated spread reducer. Requirement: the converters give the same JSON, key for key and in
// order (the YAML is written in that order). test/golden compares dist/ (rendered that way) with
// the render of the unchanged module under jest; this compares the converters on generated input.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const l1 = require('../../bin/k8s-l1.js') as { applies(f: string): boolean; rewrite(s: string): string; SPREAD_REDUCER: string };
const file = require.resolve('cdk8s-plus-27/lib/imports/k8s');
const source = fs.readFileSync(file, 'utf8');

/** The L1 module compiled from `text`, as a module of its own. */
function load(text: string): Record<string, (x: unknown) => unknown> {
  const m = new Module(file) as Module & { _compile(content: string, filename: string): void; paths: string[] };
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  m._compile(text, file);
  return m.exports as Record<string, (x: unknown) => unknown>;
}

describe("cdk8s-plus-27's L1 converters with the linear reducer", () => {
  const stock = load(source);
  const fast = load(l1.rewrite(source));

  test('the installed module has the pattern (hundreds of converters) and none is left after the rewrite', () => {
    expect(l1.applies(file)).toBe(true);
    expect(source.split(l1.SPREAD_REDUCER).length - 1).toBeGreaterThan(400);
    expect(l1.rewrite(source)).not.toContain(l1.SPREAD_REDUCER);
    // Every converter's final filter of its `result` is one loop, with no entries array.
    expect(source.split('Object.entries(result).reduce').length - 1).toBeGreaterThan(400);
    expect(l1.rewrite(source)).not.toContain('Object.entries(result).reduce');
    expect(l1.rewrite('const unrelated = 1;\n')).toBe('const unrelated = 1;\n');
  });

  const key = fc.constantFrom('app', 'tier', '0', '10', '2', '__proto__', 'constructor', 'a.b/c', '');
  const map = fc.dictionary(key, fc.option(fc.string({ maxLength: 3 }), { nil: undefined }), { maxKeys: 5 });
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const meta = fc.record({ name: maybe(fc.string({ maxLength: 4 })), namespace: maybe(fc.string({ maxLength: 4 })), labels: maybe(map), annotations: maybe(map) }, { requiredKeys: [] });
  const container = fc.record({ name: fc.string({ maxLength: 4 }), image: maybe(fc.string({ maxLength: 4 })), args: maybe(fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 })), env: maybe(fc.array(fc.record({ name: fc.string({ maxLength: 3 }), value: maybe(fc.string({ maxLength: 3 })) }), { maxLength: 2 })) }, { requiredKeys: ['name'] });
  const podSpec = fc.record({ containers: fc.array(container, { maxLength: 2 }), nodeSelector: maybe(map), serviceAccountName: maybe(fc.string({ maxLength: 3 })), hostNetwork: maybe(fc.boolean()) }, { requiredKeys: ['containers'] });
  const deployment = fc.record({ metadata: maybe(meta), spec: maybe(fc.record({ replicas: maybe(fc.integer()), selector: fc.record({ matchLabels: maybe(map) }), template: fc.record({ metadata: maybe(meta), spec: maybe(podSpec) }, { requiredKeys: [] }) }, { requiredKeys: ['selector', 'template'] })) }, { requiredKeys: [] });
  const configMap = fc.record({ metadata: maybe(meta), data: maybe(map), binaryData: maybe(map) }, { requiredKeys: [] });

  test.each([
    ['toJson_ObjectMeta', meta],
    ['toJson_PodSpec', podSpec],
    ['toJson_KubeDeploymentProps', deployment],
    ['toJson_KubeConfigMapProps', configMap],
  ] as const)('%s: the same JSON, in the same key order, with own __proto__ members', (name, input: fc.Arbitrary<unknown>) => {
    expect(typeof stock[name]).toBe('function');
    fc.assert(fc.property(input, x => {
      const a = stock[name](x);
      const b = fast[name](x);
      expect(b).toStrictEqual(a);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      const keys = (v: unknown): unknown => (v && typeof v === 'object' ? [Object.getPrototypeOf(v) === Object.prototype || Array.isArray(v), Object.keys(v), Object.values(v).map(keys)] : v);
      expect(keys(b)).toEqual(keys(a));
    }), { numRuns: 300 });
  });
});
