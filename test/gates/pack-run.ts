/**
 * Runs the policy pack's own validate functions the way the engine calls
 * them: resource policies once per resource, stack policies once over all.
 */
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { policies } from '../../policy/policies';
import type { K8sObject } from '../../src/analysis/objects';

/** A resource as the policy pack receives it. */
export interface Resource { type: string; name: string; urn: string; props: Record<string, any> }

export interface Violation { policy: string; level: string; message: string }

/** `kubernetes:<group>/<version>:<Kind>`, as pulumi-kubernetes' yaml/v2 RegisterResource names types (`core` for the core group). */
export function typeToken(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** Objects as the children a ConfigGroup named `group` registers (stack `stack`, project `dockercoins`). */
export function asGroupChildren(objects: readonly K8sObject[], group = 'manifests', stack = 'test'): Resource[] {
  return objects.map((obj) => {
    const type = typeToken(obj.apiVersion, obj.kind);
    const name = `${group}:${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
    return { type, name, urn: `urn:pulumi:${stack}::dockercoins::kubernetes:yaml/v2:ConfigGroup$${type}::${name}`, props: JSON.parse(JSON.stringify(obj)) };
  });
}

/** Every violation the pack reports for the resources. */
export function runPack(resources: readonly Resource[]): Violation[] {
  const out: Violation[] = [];
  for (const policy of policies) {
    const report = (message: string) => out.push({ policy: policy.name, level: policy.enforcementLevel ?? 'advisory', message });
    if ('validateResource' in policy && policy.validateResource) {
      const validate = (policy as ResourceValidationPolicy).validateResource as (args: ResourceValidationArgs, report: (m: string) => void) => void;
      // The fields the pack reads; the rest of ResourceValidationArgs (helpers, options) is not used by it.
      for (const r of resources) validate({ type: r.type, name: r.name, urn: r.urn, props: r.props } as unknown as ResourceValidationArgs, report);
    } else {
      const args = { resources: resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props }) as unknown as PolicyResource), stackTags: new Map() } as unknown as StackValidationArgs;
      (policy as StackValidationPolicy).validateStack(args, report);
    }
  }
  return out;
}
