import { ContainerResources, ImageRef } from '../../../constructs/lib/types';
import type { Checker } from '../validate';
import { checkEmptyDirFits, checkStorage, StorageConfig } from './storage';

/** The Docker Distribution registry, pinned. */
export const REGISTRY_IMAGE: ImageRef = { registry: '', repository: 'registry', tag: '2.8.3' };

/**
 * A self-hosted image registry (the course's `registry:2`). Nodes pull from it
 * through its node port at `127.0.0.1:<nodePort>` (container runtimes accept
 * plain HTTP for loopback registries), so DockerCoins images use it by setting
 * `image.registry` to that address.
 */
export interface ImageRegistryConfig {
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Where image layers are kept. */
  readonly storage: StorageConfig;
  /** Publish on this node port (30000-32767). @default - ClusterIP only */
  readonly nodePort?: number;
}

export function checkImageRegistry(c: Checker, path: string, value: unknown): value is ImageRegistryConfig {
  if (!c.object(path, value)) return false;
  const r = value as Record<string, unknown>;
  c.dnsLabel(`${path}.namespace`, r.namespace);
  c.image(`${path}.image`, r.image);
  const resources = c.resources(`${path}.resources`, r.resources, 'Burstable');
  if (checkStorage(c, `${path}.storage`, r.storage) && resources) {
    checkEmptyDirFits(c, path, r.storage, (r.resources as ContainerResources).limits.ephemeralStorage);
  }
  if (r.nodePort !== undefined) c.integer(`${path}.nodePort`, r.nodePort, 30000, 32767);
  return true;
}

/** The address nodes pull from when the registry has a node port. */
export function registryPullAddress(registry: ImageRegistryConfig): string | undefined {
  return registry.nodePort === undefined ? undefined : `127.0.0.1:${registry.nodePort}`;
}
