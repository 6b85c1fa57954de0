import { Chart } from 'cdk8s';
import { defineComponent } from '../lib/component';
import { selectorLabels } from '../lib/labels';
import { alertRule } from '../monitoring/rules';
import { POSTGRES_SERVICE, POSTGRES_TLS_SECRET } from '../postgres';
import { POSTGRES_SECRET } from '../postgres/component';
import { PostgresExporter, POSTGRES_EXPORTER_PORT } from '.';
import { PostgresExporterSetup } from './setup';
import { postgresPanels } from './panels';
import { postgresExporterSchema } from './schema';

interface Stateful { namespace: string; instance: string; postgres?: { database: string; user: string; image: { registry: string; repository: string; tag: string } } }

/**
 * The exporter's own Postgres role (pg_monitor) and its password Secret;
 * a setup Job creates it with the superuser's password, which the exporter
 * never reads.
 */
export const POSTGRES_EXPORTER_ROLE = { name: 'postgres_exporter', secret: { name: 'postgres-exporter-auth', key: 'password', configKey: 'postgresExporterPassword' } } as const;
const statefulOf = (environment: unknown) => (environment as { stateful?: Stateful }).stateful;
const identity = (instance: string) => selectorLabels({ name: 'postgres-exporter', instance });

/**
 * postgres_exporter next to Postgres, wave 2 (after the database and its
 * Secret). It offers its metrics port as a scrape target and its pods as a
 * footprint in the stateful namespace; Prometheus' egress and the quota check
 * pick both up from the wiring.
 */
export const postgresExporterComponent = defineComponent({
  id: 'postgres-exporter',
  configPath: ['exporters', 'postgres'],
  schema: postgresExporterSchema,
  check(_config, _platform, environment) {
    return statefulOf(environment)?.postgres ? [] : [{ path: 'exporters.postgres', reason: 'needs stateful.postgres (there is no Postgres to export metrics of): remove it or configure Postgres' }];
  },
  offers(config, _platform, environment) {
    const s = statefulOf(environment);
    if (!s) return {};
    return {
      scrapeTargets: [{ namespace: s.namespace, pods: identity(s.instance), port: POSTGRES_EXPORTER_PORT }],
      footprints: [
        { namespace: s.namespace, field: 'exporters.postgres', workload: 'postgres-exporter', pods: 2, why: '1 + 1 surge', resources: config.resources },
        { namespace: s.namespace, field: 'exporters.postgres.setup', workload: 'postgres-exporter-setup', pods: 1, why: '', resources: config.setup.resources },
      ],
      workloads: [{ namespace: s.namespace, kind: 'Deployment' as const, name: 'postgres-exporter' }],
      panels: s.postgres ? postgresPanels(s.postgres.database) : [],
      alertRules: [{
        name: 'postgres',
        rules: [alertRule({
          alert: 'PostgresDown',
          // pg_up: postgres_exporter's last connection to the database failed (collector/pg_up).
          expr: 'pg_up == 0',
          for: '2m',
          severity: 'critical',
          summary: 'Postgres {{ $labels.namespace }} does not accept connections',
          description: 'postgres_exporter in {{ $labels.namespace }} has failed to connect to Postgres for 2 minutes.',
        })],
      }],
    };
  },
  build(ctx) {
    const s = statefulOf(ctx.environment)!;
    const chart = new Chart(ctx.app, 'postgres-exporter', { disableResourceNameHashes: true });
    new PostgresExporter(chart, 'PostgresExporter', {
      instance: s.instance,
      namespace: s.namespace,
      image: ctx.config.image,
      resources: ctx.config.resources,
      postgres: {
        host: `${POSTGRES_SERVICE}.${s.namespace}.svc`, database: s.postgres!.database,
        user: POSTGRES_EXPORTER_ROLE.name, passwordSecret: { name: POSTGRES_EXPORTER_ROLE.secret.name, key: POSTGRES_EXPORTER_ROLE.secret.key },
        caSecret: ctx.certificates ? POSTGRES_TLS_SECRET : undefined,
      },
      scrapers: ctx.wiring.metricsScraper ? [ctx.wiring.metricsScraper] : [],
    });
    const setup = new PostgresExporterSetup(chart, 'Setup', {
      instance: s.instance,
      namespace: s.namespace,
      image: s.postgres!.image,
      resources: ctx.config.setup.resources,
      postgres: {
        host: `${POSTGRES_SERVICE}.${s.namespace}.svc`, database: s.postgres!.database,
        superuser: s.postgres!.user, superuserPassword: { name: POSTGRES_SECRET.name, key: POSTGRES_SECRET.key },
        caSecret: ctx.certificates ? POSTGRES_TLS_SECRET : undefined,
      },
      role: { name: POSTGRES_EXPORTER_ROLE.name, password: { name: POSTGRES_EXPORTER_ROLE.secret.name, key: POSTGRES_EXPORTER_ROLE.secret.key } },
    });
    const r = POSTGRES_EXPORTER_ROLE.secret;
    return [{ id: 'postgres-exporter', wave: 2, chart, secrets: [{ name: r.name, namespace: s.namespace, keys: { [r.key]: r.configKey }, labels: setup.pod.labels }] }];
  },
});
