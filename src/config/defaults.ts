import { ContainerResources, ImageRef } from '../../constructs/lib/types';

/** Released DockerCoins images (Docker Hub); an environment may override registry and tag per component. */
export const DOCKERCOINS_TAG = 'v0.1';
export function dockercoinsImage(service: 'rng' | 'hasher' | 'worker' | 'webui', tag = DOCKERCOINS_TAG, registry = ''): ImageRef {
  return { registry, repository: `dockercoins/${service}`, tag };
}

/** Official Redis image, pinned. */
export const REDIS_IMAGE: ImageRef = { registry: '', repository: 'redis', tag: '7.4.2-alpine' };

/**
 * Requests and limits in one line: `sized('50m', '32Mi', '200m', '64Mi')`.
 * Ephemeral storage covers logs and emptyDirs.
 */
export function sized(cpu: string, memory: string, cpuLimit: string, memoryLimit: string, ephemeral = '64Mi', ephemeralLimit = '256Mi'): ContainerResources {
  return {
    requests: { cpu, memory, ephemeralStorage: ephemeral },
    limits: { cpu: cpuLimit, memory: memoryLimit, ephemeralStorage: ephemeralLimit },
  };
}

/** Guaranteed QoS: limits equal requests for CPU and memory. */
export function guaranteed(cpu: string, memory: string, ephemeral = '64Mi', ephemeralLimit = '512Mi'): ContainerResources {
  return sized(cpu, memory, cpu, memory, ephemeral, ephemeralLimit);
}

/** Elastic Stack release used by Elasticsearch AND Kibana (one setting, they must match). */
export const ELASTIC_VERSION = '8.15.3';
export const ELASTIC_REGISTRY = 'docker.elastic.co';
/** Fluent Bit, pinned. */
export const FLUENT_BIT_IMAGE: ImageRef = { registry: 'cr.fluentbit.io', repository: 'fluent/fluent-bit', tag: '3.1.9' };
