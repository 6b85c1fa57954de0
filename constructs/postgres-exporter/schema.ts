import { image, resources, setupJob, z } from '../lib/schema';
import { VERSIONS } from '../versions';

/** Postgres metrics for Prometheus (`exporters.postgres`); needs `stateful.postgres`. */
export const postgresExporterSchema = z.strictObject({
  image: image().prefault(VERSIONS.postgresExporter),
  resources: resources('Burstable'),
  /** The Job that creates the exporter's pg_monitor role with the superuser's password. @default SETUP_JOB_RESOURCES */
  setup: setupJob(),
});
export type PostgresExporterConfig = z.infer<typeof postgresExporterSchema>;
