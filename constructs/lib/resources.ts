import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { ContainerResources, QosClass, ResourceAmounts } from './types';
import { parseQuantity } from './quantity';

/**
 * Renders requests and limits for CPU, memory and ephemeral storage. Every
 * container in this project goes through here, so none ever falls back to a
 * library or LimitRange default.
 */
export function resourceRequirements(resources: ContainerResources): k8s.ResourceRequirements {
  return {
    requests: resourceQuantities(resources.requests),
    limits: resourceQuantities(resources.limits),
  };
}

/** Renders one side of a container's resources (also used for LimitRanges). */
export function resourceQuantities(a: ResourceAmounts): Record<string, k8s.Quantity> {
  return {
    'cpu': k8s.Quantity.fromString(a.cpu),
    'memory': k8s.Quantity.fromString(a.memory),
    'ephemeral-storage': k8s.Quantity.fromString(a.ephemeralStorage),
  };
}

/**
 * Checks that resources produce the intended QoS class and that no limit is
 * below its request. Returns problems as `field: reason` strings (empty when fine).
 */
export function resourceProblems(resources: ContainerResources, qos: QosClass): string[] {
  const problems: string[] = [];
  for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    const request = parseQuantity(resources.requests[key]);
    const limit = parseQuantity(resources.limits[key]);
    if (request === undefined) problems.push(`requests.${key}: "${resources.requests[key]}" is not a valid quantity`);
    if (limit === undefined) problems.push(`limits.${key}: "${resources.limits[key]}" is not a valid quantity`);
    if (request !== undefined && request <= 0) problems.push(`requests.${key}: must be greater than zero, got "${resources.requests[key]}"`);
    if (request === undefined || limit === undefined) continue;
    if (limit < request) {
      problems.push(`limits.${key}: ${resources.limits[key]} is below requests.${key} ${resources.requests[key]}`);
    } else if (qos === 'Guaranteed' && key !== 'ephemeralStorage' && limit !== request) {
      problems.push(`limits.${key}: must equal requests.${key} for Guaranteed QoS (requests ${resources.requests[key]}, limits ${resources.limits[key]})`);
    }
  }
  if (qos === 'Burstable' && problems.length === 0
    && parseQuantity(resources.requests.cpu) === parseQuantity(resources.limits.cpu)
    && parseQuantity(resources.requests.memory) === parseQuantity(resources.limits.memory)) {
    problems.push('limits: equal to requests for CPU and memory, which makes the pod Guaranteed, but this workload is designed as Burstable');
  }
  return problems;
}
