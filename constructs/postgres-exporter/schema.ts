import { image, resources, z } from '../lib/schema';
import { VERSIONS } from '../versions';

/** Postgres metrics for Prometheus (`exporters.postgres`); needs `stateful.postgres`. */
export const postgresExporterSchema = z.strictObject({
  image: image().prefault(VERSIONS.postgresExporter),
  resources: resources('Burstable'),
});
export type PostgresExporterConfig = z.infer<typeof postgresExporterSchema>;
