import type { PanelOffer } from '../lib/panels';

/**
 * The Postgres row of the platform dashboard, from postgres_exporter v0.17.1's
 * default collectors: `pg_up`, `pg_stat_database_numbackends`,
 * `pg_stat_database_xact_commit` / `_xact_rollback` (collector/pg_stat_database.go)
 * and `pg_database_size_bytes` (collector/pg_database.go), labelled `datname`.
 */
export function postgresPanels(database: string): PanelOffer[] {
  const row = 'Postgres';
  const db = `{datname=${JSON.stringify(database)}}`;
  return [
    {
      dashboard: 'platform', row, kind: 'stat', unit: 'none',
      title: 'Postgres up',
      description: 'Whether postgres_exporter reaches Postgres (pg_up).',
      queries: [{ expr: 'min(pg_up)', legend: 'up' }],
      mappings: [{ value: 0, text: 'down', color: 'red' }, { value: 1, text: 'up', color: 'green' }],
    },
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 'short',
      title: `Connections to ${database}`,
      description: 'Backends connected to the application database.',
      queries: [{ expr: `sum(pg_stat_database_numbackends${db})`, legend: 'connections' }],
    },
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 'ops',
      title: `Transactions on ${database}`,
      description: 'Commits and rollbacks per second on the application database.',
      queries: [
        { expr: `sum(rate(pg_stat_database_xact_commit${db}[5m]))`, legend: 'commits' },
        { expr: `sum(rate(pg_stat_database_xact_rollback${db}[5m]))`, legend: 'rollbacks' },
      ],
    },
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 'bytes',
      title: `Size of ${database}`,
      description: 'On-disk size of the application database (compare with the claim size).',
      queries: [{ expr: `max(pg_database_size_bytes${db})`, legend: 'size' }],
    },
  ];
}
