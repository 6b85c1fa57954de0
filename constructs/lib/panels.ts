/**
 * Dashboard panels as offers. A component offers panels about the metrics it
 * exposes (like its alert rules), and Grafana assembles its dashboards from
 * the union (`wiring.panels`): a component that is not deployed offers no
 * panel, so its panels disappear with it. Nothing here knows Grafana's JSON;
 * constructs/grafana/dashboards.ts renders it.
 */

/** The dashboards the model provisions. */
export const DASHBOARDS = {
  dockercoins: { uid: 'dockercoins', title: 'DockerCoins', tags: ['dockercoins'], rows: ['Mining', 'Services', 'Autoscaling'] },
  platform: { uid: 'platform', title: 'Platform services', tags: ['platform'], rows: ['Traefik', 'Elasticsearch', 'Postgres', 'Consul'] },
  cluster: { uid: 'cluster', title: 'Cluster', tags: ['kubernetes'], rows: ['Nodes', 'Pods'] },
} as const satisfies Record<string, { uid: string; title: string; tags: readonly string[]; rows: readonly string[] }>;
export type DashboardId = keyof typeof DASHBOARDS;

/**
 * Grafana unit ids the panels use (Grafana's valueFormats: `short`, `percentunit`
 * (0-1 as %), `reqps`, `ops` (per second), `bytes`, `s`, `none`).
 */
export type PanelUnit = 'short' | 'percentunit' | 'reqps' | 'ops' | 'bytes' | 's' | 'none';

/** One series query: a PromQL expression and its legend (`{{label}}` templates). */
export interface PanelQuery {
  readonly expr: string;
  readonly legend: string;
}

/** A value shown as text in a stat panel (e.g. 1 -> "leader"). */
export interface ValueMapping {
  readonly value: number;
  readonly text: string;
  readonly color: 'green' | 'yellow' | 'red';
}

/** A panel a component offers. */
export interface PanelOffer {
  readonly dashboard: DashboardId;
  /** Row the panel is grouped under (one per component or concern), e.g. `Traefik`: the dashboard's `rows` order, then others in offer order. */
  readonly row: string;
  readonly title: string;
  readonly description: string;
  /** `timeseries` for rates and levels over time, `stat` for a current value. */
  readonly kind: 'timeseries' | 'stat';
  readonly unit: PanelUnit;
  readonly queries: readonly PanelQuery[];
  /** Stat panels: values shown as text. @default - the number */
  readonly mappings?: readonly ValueMapping[];
}
