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
 *
 * Resolving values: `ApiObject.toJson()` and its metadata's `toJson()` call cdk8s' `resolve()`
 * (cdk8s/lib/resolve.js) on every value of every object, and for each value it walks up the
 * construct tree to the App for its resolvers (`App.of`), copies the key path and asks each
 * resolver through a new context object: about a third of rendering. Where the app has exactly
 * cdk8s' built-in resolvers (Lazy, implicit tokens, number-or-string unions), `fastResolve` does
 * what they do, in their order, without that bookkeeping (none of them reads the key path).
 * Both call sites hand resolve's result straight to `sanitizeValue` (cdk8s/lib/_util.js: drop
 * null and undefined, sort keys, refuse class instances), which walks the whole tree again: while
 * the charts render, `resolve` only marks its value and `sanitizeValue` resolves and sanitises a
 * marked value in one walk (`resolveAndSanitize`), so cdk8s' own toJson, JSON patches and the L1
 * converters still run. test/render-synth-charts.test.ts checks that no other cdk8s module calls
 * either, and compares the one walk with the two on generated values. Other resolvers: cdk8s' own
 * `resolve` and `sanitizeValue`.
 */
import { ApiObject, App, Chart, DependencyGraph, Lazy } from 'cdk8s';
import type { IConstruct } from 'constructs';
import cdk8sResolve = require('cdk8s/lib/resolve');
import cdk8sUtil = require('cdk8s/lib/_util');

export function synthCharts(app: App, charts: readonly Chart[]): unknown[][] {
  const all = app.node.findAll();
  const needsStockPath = all.some(c => c.node.dependencies.length > 0 || (c instanceof Chart && c.node.children.some(child => child instanceof Chart)));
  if (needsStockPath) return charts.map(chart => chart.toJson());
  const errors: string[] = [];
  for (const construct of all) {
    for (const error of construct.node.validate()) errors.push(`[${construct.node.path}] ${error}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  // Without dependencies, a chart's DependencyGraph (cdk8s/lib/dependency.js) has no edges: its
  // topology is its vertices in the order of the object keyed by construct path, which is
  // findAll()'s pre-order except that integer-like keys would come first. An ApiObject's path has
  // a '/' (it sits in a chart), so the app's pre-order, taken chart by chart, is that order.
  const ownObjects = new Map<Chart, ApiObject[]>(charts.map(chart => [chart, []]));
  for (const c of all) {
    if (!(c instanceof ApiObject)) continue;
    if (!c.node.path.includes('/')) return withFastResolve(app, () => charts.map(chart => stockOrder(chart).map(o => o.toJson())));
    ownObjects.get(Chart.of(c as IConstruct))?.push(c);
  }
  return withFastResolve(app, () => charts.map(chart => ownObjects.get(chart)!.map(o => o.toJson())));
}

/** A chart's own ApiObjects in its DependencyGraph's order (what Chart.toJson() renders). */
function stockOrder(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c as IConstruct) === chart);
}

/** Whether the app resolves with cdk8s' built-in resolvers only, in their order (App's constructor adds them last). */
export function hasBuiltInResolversOnly(app: App): boolean {
  const kinds = [cdk8sResolve.LazyResolver, cdk8sResolve.ImplicitTokenResolver, cdk8sResolve.NumberStringUnionResolver];
  return app.resolvers.length === kinds.length && app.resolvers.every((r, i) => Object.getPrototypeOf(r) === kinds[i].prototype);
}

/** Runs `render` with the one-walk resolve and sanitise standing in for cdk8s' two, when the app's resolvers allow it. */
function withFastResolve<T>(app: App, render: () => T): T {
  if (!hasBuiltInResolversOnly(app)) return render();
  const stockResolve = cdk8sResolve.resolve;
  const stockSanitize = cdk8sUtil.sanitizeValue;
  cdk8sResolve.resolve = ((_key: string[], value: unknown) => new Unresolved(value)) as typeof stockResolve;
  cdk8sUtil.sanitizeValue = ((value: unknown, options?: SanitizeOptions) => (value instanceof Unresolved ? resolveAndSanitize(value.value, options ?? {}) : stockSanitize(value, options))) as typeof stockSanitize;
  try {
    return render();
  } finally {
    cdk8sResolve.resolve = stockResolve;
    cdk8sUtil.sanitizeValue = stockSanitize;
  }
}

/** A value `resolve` was asked for while rendering: resolved by the sanitizeValue it is handed to. */
class Unresolved {
  constructor(readonly value: unknown) {}
}

/** cdk8s' SanitizeOptions (cdk8s/lib/_util.d.ts). */
export interface SanitizeOptions { readonly filterEmptyObjects?: boolean; readonly filterEmptyArrays?: boolean; readonly sortKeys?: boolean }

/**
 * `sanitizeValue(fastResolve([], value), options)` in one walk: each node is resolved (the
 * resolvers applied until none applies), then sanitised as cdk8s' sanitizeValue does (null and
 * undefined dropped from objects, keys sorted unless sortKeys is false, empty arrays and objects
 * dropped when asked, an instance of a class refused with cdk8s' message), its members likewise.
 */
export function resolveAndSanitize(value: unknown, options: SanitizeOptions): any {
  const v = resolveNode(value);
  if (v == null) return undefined;
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    if (options.filterEmptyArrays && v.length === 0) return undefined;
    return v.map(x => resolveAndSanitize(x, options));
  }
  if (v.constructor.name !== 'Object') throw new Error(`can't render non-simple object of type '${v.constructor.name}'`);
  const out: Record<string, unknown> = {};
  const keys = options.sortKeys ?? true ? sortedKeys(v) : Object.keys(v);
  for (const k of keys) {
    const member = resolveAndSanitize((v as Record<string, unknown>)[k], options);
    if (member != null) out[k] = member;
  }
  if (options.filterEmptyObjects && Object.keys(out).length === 0) return undefined;
  return out;
}

/**
 * Object.keys(v).sort(): the same order (UTF-16 code units, what `<` compares on strings; keys are
 * distinct), by insertion for the few keys of most objects, where Array.prototype.sort's setup
 * costs more than the sorting (a fifth of resolving and sanitising).
 */
function sortedKeys(v: object): string[] {
  const keys = Object.keys(v);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
    keys[j + 1] = k;
  }
  return keys;
}

/** resolveValue's resolvers applied to one node until none applies; members are left to the caller. */
function resolveNode(value: any): any {
  for (;;) {
    if (value == null || (typeof value !== 'object' && typeof value !== 'function')) return value;
    if (value instanceof Lazy) value = value.produce();
    else if (typeof value.resolve === 'function') value = value.resolve();
    else if (value.constructor !== Object && (typeof value.value === 'number' || typeof value.value === 'string')) return { value: value.value };
    else return value;
  }
}

/**
 * cdk8s' `resolve(key, value, apiObject)` with the built-in resolvers: the first that applies
 * replaces the value, which is resolved again; arrays and plain objects are resolved member by
 * member; anything else is kept. LazyResolver: a Lazy is replaced by what it produces.
 * ImplicitTokenResolver: a value with a `resolve()` method by what it returns.
 * NumberStringUnionResolver: a value that is not a plain object, whose `value` is a number or a
 * string, by `{ value }`. test/render-synth-charts.test.ts compares it with cdk8s' on generated values.
 */
export function fastResolve(_key: string[], value: any, _apiObject?: ApiObject): any {
  return resolveValue(value);
}

function resolveValue(value: any): any {
  // Strings, numbers and booleans (most values): none of the resolvers applies (no Lazy, no
  // resolve(), no `value` of their own), so they stay; checked first, as four property reads on
  // their wrapper objects cost more than the rest of the walk.
  if (value == null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  if (value instanceof Lazy) return resolveValue(value.produce());
  if (typeof value.resolve === 'function') return resolveValue(value.resolve());
  if (value.constructor !== Object && (typeof value.value === 'number' || typeof value.value === 'string')) return resolveValue({ value: value.value });
  if (Array.isArray(value)) return value.map(resolveValue);
  if (value.constructor == Object) {
    const result: Record<string, unknown> = {};
    for (const k of Object.keys(value)) result[k] = resolveValue(value[k]);
    return result;
  }
  return value;
}
