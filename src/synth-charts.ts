/**
 * The JSON of several charts of one app, with the app-wide work done once.
 *
 * cdk8s' `Chart.toJson()` (cdk8s/lib/chart.js → `App._synthChart`, cdk8s 2.70.106) prepares the whole
 * app for every chart it renders: it walks every construct of the app to turn construct
 * dependencies into chart and object dependencies, and again to call every construct's validations,
 * then orders the chart's own ApiObjects with a `DependencyGraph` of the chart. Rendering N charts
 * that way walks the app N times: quadratic in the number of charts (one per DockerCoins instance).
 *
 * Here the app is walked once: its validations run once (the same error text as cdk8s), and where
 * no construct declares a dependency and no chart nests another, the app-wide dependency step has
 * nothing to add, so each chart's objects are its ApiObjects in its own `DependencyGraph`'s order,
 * exactly what `toJson()` returns. Otherwise every chart falls back to `toJson()` itself.
 * test/render-synth-charts.test.ts proves the results equal `toJson()`'s, for every environment and
 * for apps with dependencies.
 */
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import type { IConstruct } from 'constructs';

export function synthCharts(app: App, charts: readonly Chart[]): unknown[][] {
  const all = app.node.findAll();
  const needsStockPath = all.some(c => c.node.dependencies.length > 0 || (c instanceof Chart && c.node.children.some(child => child instanceof Chart)));
  if (needsStockPath) return charts.map(chart => chart.toJson());
  const errors: string[] = [];
  for (const construct of all) {
    for (const error of construct.node.validate()) errors.push(`[${construct.node.path}] ${error}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  return charts.map(chart => new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c as IConstruct) === chart)
    .map(o => o.toJson()));
}
