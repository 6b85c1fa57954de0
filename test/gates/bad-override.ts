/**
 * The deliberately bad change both in-cluster and Pulumi gates must stop: the
 * DockerCoins worker made privileged and stripped of its limits. The typed
 * config cannot say this (no field makes a container privileged, and limits
 * are required), so it is what a stack transformation, a hand edit of the
 * rendered objects or a `kubectl edit` does; `dockercoins:overrides` of the
 * same fields are refused by config validation first (test/gates/pulumi-policy.test.ts).
 */
import type { K8sObject } from '../../src/analysis/objects';

/** The object the bad change targets. */
export const BAD_TARGET = { kind: 'Deployment', name: 'worker' } as const;

/** Whether `o` is the target (any namespace). */
export function isBadTarget(o: { kind?: unknown; metadata?: { name?: unknown } }): boolean {
  return o.kind === BAD_TARGET.kind && o.metadata?.name === BAD_TARGET.name;
}

/** The bad change, applied in place to a Deployment: every container privileged, no limits. */
export function makeBad<T extends K8sObject>(o: T): T {
  for (const c of o.spec.template.spec.containers) {
    c.securityContext = { ...c.securityContext, privileged: true };
    if (c.resources) delete c.resources.limits;
  }
  return o;
}

/** A copy of the objects with the bad change made to the target. */
export function withBadOverride(objects: readonly K8sObject[]): K8sObject[] {
  return objects.map((o) => (isBadTarget(o) ? makeBad(JSON.parse(JSON.stringify(o))) : o));
}
