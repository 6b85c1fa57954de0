import { image, resources, setupJob, z } from '../lib/schema';
import { VERSIONS } from '../versions';

/** Elasticsearch metrics for Prometheus (`exporters.elasticsearch`): cluster health, indexing, JVM and disk; needs `logging`. */
export const elasticsearchExporterSchema = z.strictObject({
  image: image().prefault(VERSIONS.elasticsearchExporter),
  resources: resources('Burstable'),
  /** The Job that creates the monitor-only user with the elastic password. @default SETUP_JOB_RESOURCES */
  setup: setupJob(),
});
export type ElasticsearchExporterConfig = z.infer<typeof elasticsearchExporterSchema>;
