import { ApiObject, App, Chart, IResolver, Lazy, ResolutionContext } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import cdk8sResolve = require('cdk8s/lib/resolve');
import { ENVIRONMENTS, loadEnvironment } from '../src/config';
import { buildApp } from '../src/render';
import { fastResolve, hasBuiltInResolversOnly, resolveAndSanitize, SanitizeOptions, synthCharts } from '../src/synth-charts';
import cdk8sUtil = require('cdk8s/lib/_util');
import * as fs from 'fs';
import * as path from 'path';

// synthCharts does cdk8s' app-wide preparation once instead of once per chart; its results must be
// exactly what cdk8s' own Chart.toJson() returns, chart by chart, or its errors.

describe('synthCharts renders what Chart.toJson() renders', () => {
  test.each(Object.keys(ENVIRONMENTS))('%s: every chart, object for object and in order', env => {
    const config = loadEnvironment(env);
    const fast = buildApp(config);
    const stock = buildApp(config);
    const rendered = synthCharts(fast.app, fast.charts.map(c => c.chart));
    const expected = stock.charts.map(c => c.chart.toJson());
    expect(rendered).toEqual(expected);
    // Key order too: the YAML is written in it.
    expect(JSON.stringify(rendered)).toBe(JSON.stringify(expected));
  });

  function smallApp(link: 'none' | 'objects' | 'charts' | 'nested') {
    const app = new App({ outdir: 'unused' });
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    const first = new ApiObject(a, 'first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
    const second = new ApiObject(a, 'second', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } });
    const other = new ApiObject(b, 'other', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } });
    const charts = [a, b];
    if (link === 'objects') first.node.addDependency(second); // second must come first
    if (link === 'charts') a.addDependency(b);
    if (link === 'nested') charts.push(new Chart(b, 'inner'));
    void other;
    return { app, charts };
  }

  test.each(['none', 'objects', 'charts', 'nested'] as const)('an app with %s dependencies: the same objects in the same order', link => {
    const fast = smallApp(link);
    const stock = smallApp(link);
    expect(synthCharts(fast.app, fast.charts)).toEqual(stock.charts.map(c => c.toJson()));
  });

  test('an object dependency reorders the chart (the fallback is taken, not the shortcut)', () => {
    const { app, charts } = smallApp('objects');
    expect((synthCharts(app, charts)[0] as Array<{ metadata: { name: string } }>).map(o => o.metadata.name)).toEqual(['second', 'first']);
  });

  test("a construct's validation error is thrown with cdk8s' message", () => {
    const make = () => {
      const { app, charts } = smallApp('none');
      const broken = new Construct(charts[1], 'broken');
      broken.node.addValidation({ validate: () => ['replicas must be positive'] });
      return { app, charts };
    };
    const stock = make();
    let expected = '';
    try { stock.charts[0].toJson(); } catch (e) { expected = (e as Error).message; }
    expect(expected).toContain('replicas must be positive');
    const fast = make();
    expect(() => synthCharts(fast.app, fast.charts)).toThrow(expected);
  });
});

describe("fastResolve resolves as cdk8s' resolve with the built-in resolvers", () => {
  // What synthCharts stands in for cdk8s' resolve while it renders (src/synth-charts.ts).
  class Token { constructor(private readonly to: unknown) {} resolve() { return this.to; } }
  class Union { constructor(readonly value: unknown) {} }
  class Opaque { constructor(readonly data: number) {} }
  const leaf = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
  const value: fc.Arbitrary<unknown> = fc.letrec(tie => ({
    node: fc.oneof({ depthSize: 'small' },
      leaf,
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'value', 'resolve'), tie('node'), { maxKeys: 3 }),
      tie('node').map(v => Lazy.any({ produce: () => v })),
      tie('node').map(v => new Token(v)),
      fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean()).map(v => new Union(v)),
      fc.integer().map(n => new Opaque(n))),
  })).node;

  test('on generated values: Lazy, tokens, number-or-string unions, other objects, nested collections, null and undefined', () => {
    const app = new App({ outdir: 'unused' });
    const chart = new Chart(app, 'c');
    const object = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap' });
    fc.assert(fc.property(value, v => {
      expect(fastResolve([], v, object)).toStrictEqual(cdk8sResolve.resolve([], v, object));
    }), { numRuns: 500 });
  });

  test('resolveAndSanitize is sanitizeValue(resolve(...)) in one walk, for every sanitize option: the same value, or the same error', () => {
    const app = new App({ outdir: 'unused' });
    const chart = new Chart(app, 'c');
    const object = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap' });
    const outcome = (f: () => unknown) => { try { return { value: JSON.stringify(f()) ?? 'undefined' }; } catch (e) { return { error: (e as Error).message }; } };
    const options = fc.record({ sortKeys: fc.option(fc.boolean(), { nil: undefined }), filterEmptyArrays: fc.option(fc.boolean(), { nil: undefined }), filterEmptyObjects: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: [] });
    fc.assert(fc.property(value, options, (v, o: SanitizeOptions) => {
      expect(outcome(() => resolveAndSanitize(v, o))).toEqual(outcome(() => cdk8sUtil.sanitizeValue(cdk8sResolve.resolve([], v, object), o)));
    }), { numRuns: 1000 });
  });

  test('keys come out in sanitizeValue\'s order, for few and many keys, any characters (surrogates and integer-like keys too)', () => {
    const key = fc.oneof(fc.string({ maxLength: 4, unit: 'binary' }), fc.nat(30).map(String), fc.constantFrom('a', 'B', '_', 'é', '\u{1F600}', '\uFFFF'));
    fc.assert(fc.property(fc.dictionary(key, fc.integer(), { maxKeys: 40, noNullPrototype: true }), d => {
      expect(Object.keys(resolveAndSanitize(d, {}))).toEqual(Object.keys(cdk8sUtil.sanitizeValue(d, {})));
    }), { numRuns: 500 });
  });

  test('cdk8s calls resolve only where its result goes straight to sanitizeValue (what the one walk relies on)', () => {
    // Every call of the two functions in cdk8s' and the L1 imports' compiled code, cdk8s 2.70.106.
    const lib = path.dirname(require.resolve('cdk8s/lib/index.js'));
    const files = [...fs.readdirSync(lib).filter(f => f.endsWith('.js')).map(f => path.join(lib, f)), require.resolve('cdk8s-plus-27/lib/imports/k8s.js')];
    const calls = files.flatMap(file => (fs.readFileSync(file, 'utf8').match(/\(0, (?:resolve_1\.resolve|_util_1\.sanitizeValue)\)\([^\n]*/g) ?? []).map(c => `${path.basename(file)}: ${c.trim()}`));
    expect(calls).toEqual([
      'api-object.js: (0, _util_1.sanitizeValue)((0, resolve_1.resolve)([], data, this), { sortKeys });',
      'metadata.js: (0, _util_1.sanitizeValue)(x, { filterEmptyArrays: true, filterEmptyObjects: true });',
      'metadata.js: (0, resolve_1.resolve)([], {',
    ]);
    // metadata.js: `sanitize(resolve([], {...}, this.apiObject))` with `sanitize = x => sanitizeValue(x, {...})`.
    expect(fs.readFileSync(path.join(lib, 'metadata.js'), 'utf8')).toMatch(/return sanitize\(\(0, resolve_1\.resolve\)\(\[\], \{/);
  });

  test('an app with a resolver of its own renders through cdk8s\' resolve (its resolver applies)', () => {
    const upper: IResolver = { resolve: (c: ResolutionContext) => { if (typeof c.value === 'string' && c.key.at(-1) === 'note' && c.value !== c.value.toUpperCase()) c.replaceValue(c.value.toUpperCase()); } };
    const make = () => {
      const app = new App({ outdir: 'unused', resolvers: [upper] });
      const chart = new Chart(app, 'c');
      new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' }, data: { note: 'quiet' } });
      return { app, chart };
    };
    const fast = make();
    expect(hasBuiltInResolversOnly(fast.app)).toBe(false);
    expect(hasBuiltInResolversOnly(new App({ outdir: 'unused' }))).toBe(true);
    const rendered = synthCharts(fast.app, [fast.chart]);
    expect(rendered).toEqual([make().chart.toJson()]);
    expect(JSON.stringify(rendered)).toContain('"note":"QUIET"');
  });

  test("cdk8s' resolve and sanitizeValue are back in place after rendering, also when rendering throws", () => {
    const stock = cdk8sResolve.resolve;
    const stockSanitize = cdk8sUtil.sanitizeValue;
    const app = new App({ outdir: 'unused' });
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' }, data: { x: Lazy.any({ produce: () => { throw new Error('boom'); } }) } });
    expect(() => synthCharts(app, [chart])).toThrow(/boom/);
    expect(cdk8sResolve.resolve).toBe(stock);
    expect(cdk8sUtil.sanitizeValue).toBe(stockSanitize);
  });
});
