import { image, resources, z } from '../lib/schema';
import { VERSIONS } from '../versions';

/** Elasticsearch metrics for Prometheus (`exporters.elasticsearch`): cluster health, indexing, JVM and disk; needs `logging`. */
export const elasticsearchExporterSchema = z.strictObject({
  image: image().prefault(VERSIONS.elasticsearchExporter),
  resources: resources('Burstable'),
});
export type ElasticsearchExporterConfig = z.infer<typeof elasticsearchExporterSchema>;
