/**
 * Grafana dashboards as typed data, rendered to Grafana's dashboard JSON
 * model from the panels components offer (constructs/lib/panels.ts). The
 * JSON fields are those of Grafana's dashboard model (grafana/grafana
 * docs/sources/dashboards/build-dashboards/view-dashboard-json-model): a
 * dashboard has `uid`, `title`, `tags`, `time`, `refresh`, `schemaVersion`
 * and `panels`; a panel has `id`, `type`, `title`, `gridPos {x, y, w, h}` on a
 * 24-column grid, `datasource {type, uid}` and `targets` (for Prometheus
 * `{refId, expr, legendFormat}`); a `row` panel starts a group.
 */
import { DASHBOARDS, DashboardId, PanelOffer } from '../lib/panels';

/** uid of the provisioned Prometheus datasource: every panel names it. */
export const PROMETHEUS_DATASOURCE_UID = 'prometheus';
/** The dashboard schema version written (Grafana 11/12 migrate older ones at load). */
export const DASHBOARD_SCHEMA_VERSION = 39;

const GRID_COLUMNS = 24;
const ROW_HEIGHT = 1;
const PANEL_HEIGHT = { timeseries: 8, stat: 5 } as const;
const PANEL_WIDTH = { timeseries: 12, stat: 6 } as const;

const datasource = { type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID };
const refId = (i: number) => String.fromCharCode(65 + i);

function renderPanel(p: PanelOffer, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  const targets = p.queries.map((q, i) => ({ refId: refId(i), datasource, expr: q.expr, legendFormat: q.legend, range: p.kind === 'timeseries', instant: p.kind === 'stat' }));
  const defaults: Record<string, unknown> = { unit: p.unit };
  if (p.mappings?.length) {
    defaults.mappings = [{ type: 'value', options: Object.fromEntries(p.mappings.map((m, i) => [String(m.value), { text: m.text, color: m.color, index: i }])) }];
  }
  return {
    id,
    type: p.kind,
    title: p.title,
    description: p.description,
    gridPos,
    datasource,
    targets,
    fieldConfig: { defaults, overrides: [] },
    options: p.kind === 'stat'
      ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: p.mappings?.length ? 'background' : 'value', graphMode: 'none', textMode: 'auto' }
      : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}

/**
 * One dashboard: a row per distinct `row` (the dashboard's row order), its panels laid out
 * left to right, wrapping at 24 columns. Ids are sequential, so the output is
 * deterministic.
 */
export function renderDashboard(id: DashboardId, panels: readonly PanelOffer[], refresh: string): Record<string, unknown> {
  const meta = DASHBOARDS[id];
  const mine = panels.filter(p => p.dashboard === id);
  const offered = [...new Set(mine.map(p => p.row))];
  const rows = [...(meta.rows as readonly string[]).filter(r => offered.includes(r)), ...offered.filter(r => !(meta.rows as readonly string[]).includes(r))];
  const out: Record<string, unknown>[] = [];
  let y = 0;
  let nextId = 1;
  for (const row of rows) {
    out.push({ id: nextId++, type: 'row', title: row, collapsed: false, gridPos: { x: 0, y, w: GRID_COLUMNS, h: ROW_HEIGHT }, panels: [] });
    y += ROW_HEIGHT;
    let x = 0;
    let lineHeight = 0;
    for (const p of mine.filter(q => q.row === row)) {
      const w = PANEL_WIDTH[p.kind];
      const h = PANEL_HEIGHT[p.kind];
      if (x + w > GRID_COLUMNS) { y += lineHeight; x = 0; lineHeight = 0; }
      out.push(renderPanel(p, nextId++, { x, y, w, h }));
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return {
    uid: meta.uid,
    title: meta.title,
    tags: [...meta.tags],
    timezone: 'browser',
    editable: false,
    graphTooltip: 1,
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    version: 1,
    refresh,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [] },
    annotations: { list: [] },
    panels: out,
  };
}

/** Every dashboard that has at least one panel, as `<uid>.json` file contents (stable key order). */
export function dashboardFiles(panels: readonly PanelOffer[], refresh: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const id of Object.keys(DASHBOARDS) as DashboardId[]) {
    if (!panels.some(p => p.dashboard === id)) continue;
    files[`${DASHBOARDS[id].uid}.json`] = `${JSON.stringify(renderDashboard(id, panels, refresh), null, 2)}\n`;
  }
  return files;
}
