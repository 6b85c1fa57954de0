import { ApiObject, App, Chart, IResolver, Lazy, ResolutionContext } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import cdk8sResolve = require('cdk8s/lib/resolve');
import { ENVIRONMENTS, loadEnvironment } from '../src/config';
import { buildApp } from '../src/render';
import { fastResolve, hasBuiltInResolversOnly, synthCharts } from '../src/synth-charts';

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

  test("cdk8s' resolve is back in place after rendering, also when rendering throws", () => {
    const stock = cdk8sResolve.resolve;
    const app = new App({ outdir: 'unused' });
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' }, data: { x: Lazy.any({ produce: () => { throw new Error('boom'); } }) } });
    expect(() => synthCharts(app, [chart])).toThrow(/boom/);
    expect(cdk8sResolve.resolve).toBe(stock);
  });
});
