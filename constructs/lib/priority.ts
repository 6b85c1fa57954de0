/**
 * The platform's priority tiers. Every pod belongs to exactly one, from what
 * its component is; its `priorityClassName` is the tier's PriorityClass
 * (created by constructs/priority-classes, values from typed config). Under
 * node pressure the scheduler preempts, and the kubelet evicts, lower tiers
 * first: the node agents that keep the node observable, then the ingress
 * that every request crosses, the data the apps keep, the monitoring that
 * says what broke, and the apps.
 */
export const PRIORITY_TIERS = ['node-agent', 'ingress', 'data', 'monitoring', 'app'] as const;
export type PriorityTier = (typeof PRIORITY_TIERS)[number];

/** Name of a tier's PriorityClass (cluster-scoped, so prefixed with the platform's name). */
export function priorityClassFor(tier: PriorityTier): string {
  return `dockercoins-${tier}`;
}
