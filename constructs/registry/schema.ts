import { dnsLabel, image, port, resources, storage, z } from '../lib/schema';
import { emptyDirFits } from '../monitoring/schema';
import { VERSIONS } from '../versions';

/**
 * A self-hosted image registry (the course's `registry:2`). Nodes pull through
 * its node port at `127.0.0.1:<nodePort>` (runtimes accept plain HTTP for
 * loopback registries): DockerCoins images use it by setting `image.registry`.
 */
export const imageRegistrySchema = z.strictObject({
  /** Namespace of the registry (restricted), owned by it alone. */
  namespace: dnsLabel(),
  image: image().prefault(VERSIONS.registry),
  resources: resources('Burstable'),
  /** Where image layers are kept. */
  storage: storage(),
  /** Publish on this node port. @default - ClusterIP only */
  nodePort: port(30000, 32767).optional(),
}).superRefine((r, ctx) => {
  const fits = emptyDirFits(r.storage, r.resources.limits.ephemeralStorage);
  if (fits) ctx.addIssue({ code: 'custom', path: ['resources', 'limits', 'ephemeralStorage'], message: fits });
});
export type ImageRegistryConfig = z.infer<typeof imageRegistrySchema>;

/** The address nodes pull from when the registry has a node port. */
export function registryPullAddress(registry: ImageRegistryConfig): string | undefined {
  return registry.nodePort === undefined ? undefined : `127.0.0.1:${registry.nodePort}`;
}
