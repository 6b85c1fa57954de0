import { image, resources, z } from '../lib/schema';
import { VERSIONS } from '../versions';

/** Redis metrics and the DockerCoins mining signal for Prometheus (`exporters.redis`): one exporter per DockerCoins instance. */
export const redisExporterSchema = z.strictObject({
  image: image().prefault(VERSIONS.redisExporter),
  resources: resources('Burstable'),
});
export type RedisExporterConfig = z.infer<typeof redisExporterSchema>;
