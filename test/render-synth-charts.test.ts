import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ENVIRONMENTS, loadEnvironment } from '../src/config';
import { buildApp } from '../src/render';
import { synthCharts } from '../src/synth-charts';

// synthCharts does cdk8s' app-wide preparation once instead of once per chart; its results must be
// exactly what cdk8s' own Chart.toJson() returns, chart by chart, or its errors.

describe('synthCharts renders what Chart.toJson() renders', () => {
  test.each(Object.keys(ENVIRONMENTS))('%s: every chart, object for object and in order', env => {
    const config = loadEnvironment(env);
    const fast = buildApp(config);
    const stock = buildApp(config);
    expect(synthCharts(fast.app, fast.charts.map(c => c.chart))).toEqual(stock.charts.map(c => c.chart.toJson()));
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
