import type { ContainerResources } from '../../constructs/lib/types';

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
