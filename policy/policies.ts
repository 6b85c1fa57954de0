/**
 * One Pulumi policy per rule of the rule table (constructs/lib/rule-table.ts),
 * calling the rule's own function (src/analysis/validate.ts RULE_CHECKS) on
 * the Kubernetes objects the program registers:
 *  - rules of scope `object` are resource policies: each Kubernetes resource
 *    alone;
 *  - rules of scope `set` (a namespace's Pod Security label, LimitRanges,
 *    selectors, backends, duplicates) are stack policies over every
 *    Kubernetes resource of the stack;
 *  - `error` rules are mandatory (the preview or update fails), `warning`
 *    rules advisory.
 *
 * What the pack sees: the program deploys each chart as a
 * kubernetes:yaml/v2:ConfigGroup, whose provider registers one resource per
 * object, typed `kubernetes:<group>/<version>:<Kind>` (`core/v1` for the core
 * group; `kubernetes:<apiVersion>:<Kind>` for custom resources), named
 * `<group name>:<namespace>/<name>`, with the object itself as its inputs
 * (pulumi/pulumi-kubernetes provider/pkg/provider/yaml/v2/yaml.go `register`,
 * sdk/go/kubernetes/yaml/v2/kinds.go `RegisterResource`, commit
 * 94977969d64112b04e19945818a7d5d5f38f631d). The engine runs analyzers on
 * every registered resource, children of components included (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go `analyzeAll`, commit
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8). The ConfigGroup itself and the
 * provider are not Kubernetes objects and are skipped.
 */
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { RULE_TABLE, RuleId, RuleSpec } from '../constructs/lib/rule-table';
import { K8sObject, objectRef } from '../src/analysis/objects';
import { RULE_CHECKS, ruleContext } from '../src/analysis/validate';

/** The pack's name (`pulumi preview --policy-pack` prints it with each violation). */
export const POLICY_PACK_NAME = 'dockercoins';

/**
 * Type token of the program's Environment component (src/pulumi/program.ts
 * ENVIRONMENT_TYPE; test/gates/pulumi-policy.test.ts proves they are equal).
 * The Secrets it creates as direct children hold values from secret stack
 * config by design.
 */
export const ENVIRONMENT_TYPE = 'dockercoins:platform:Environment';

/** Modules of the Kubernetes provider whose resources are components or patches, not objects. */
const NOT_OBJECTS = /^(yaml(\/v\d+)?|helm\.sh\/v\d+|kustomize(\/v\d+)?)$/;

/**
 * The Kubernetes object a Pulumi resource stands for, as the rules read it,
 * or undefined for anything else (components, providers, `*Patch` and `*List`
 * resources, other providers' resources). apiVersion and kind come from the
 * inputs when present (they always are for Kubernetes resources), else from
 * the type token; a missing metadata.name (auto-naming) is the resource name.
 * Unknown values of a preview (undefined) are dropped.
 */
export function kubernetesObject(type: string, props: Record<string, unknown>, name: string): K8sObject | undefined {
  const m = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
  if (!m || NOT_OBJECTS.test(m[1]) || /(Patch|List)$/.test(m[2])) return undefined;
  const tokenApiVersion = m[1].startsWith('core/') ? m[1].slice('core/'.length) : m[1];
  const clean = defined(props) as Record<string, any>;
  const metadata = typeof clean.metadata === 'object' && clean.metadata !== null ? clean.metadata : {};
  return {
    ...clean,
    apiVersion: typeof clean.apiVersion === 'string' ? clean.apiVersion : tokenApiVersion,
    kind: typeof clean.kind === 'string' ? clean.kind : m[2],
    metadata: { ...metadata, name: typeof metadata.name === 'string' ? metadata.name : name.slice(name.lastIndexOf('/') + 1) },
  };
}

function defined(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(defined);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, defined(x)]));
  return v;
}

/** Whether a resource is a Secret the Environment component creates from secret stack config (its URN's type chain says so). */
export function isProgramSecret(urn: string): boolean {
  return urn.split('::')[2] === `${ENVIRONMENT_TYPE}$kubernetes:core/v1:Secret`;
}

/** The messages of one rule for one resource's object, with the Pulumi gate's exemption. */
function findings(rule: RuleId, o: K8sObject, index: number, ctx: ReturnType<typeof ruleContext>, urn: string): string[] {
  if (rule === 'secret-values' && o.kind === 'Secret' && isProgramSecret(urn)) return [];
  return RULE_CHECKS[rule](o, index, ctx).map((m) => `${objectRef(o)}: [${rule}] ${m}`);
}

function describe(rule: RuleSpec): string {
  return `${rule.summary}. Why: ${rule.reason}.${rule.pulumi.note ? ` (${rule.pulumi.note})` : ''}`;
}

function resourcePolicy(rule: RuleSpec & { id: RuleId }): ResourceValidationPolicy {
  return {
    name: rule.id,
    description: describe(rule),
    enforcementLevel: rule.severity === 'error' ? 'mandatory' : 'advisory',
    validateResource: (args, reportViolation) => {
      const o = kubernetesObject(args.type, args.props, args.name);
      if (!o) return;
      for (const m of findings(rule.id, o, 0, ruleContext([o]), args.urn)) reportViolation(m);
    },
  };
}

function stackPolicy(rule: RuleSpec & { id: RuleId }): StackValidationPolicy {
  return {
    name: rule.id,
    description: describe(rule),
    enforcementLevel: rule.severity === 'error' ? 'mandatory' : 'advisory',
    validateStack: (args, reportViolation: ReportViolation) => {
      const resources = args.resources.flatMap((r: PolicyResource) => {
        const o = kubernetesObject(r.type, r.props, r.name);
        return o ? [{ o, urn: r.urn }] : [];
      });
      const objects = resources.map((r) => r.o);
      const ctx = ruleContext(objects);
      resources.forEach(({ o, urn }, i) => {
        for (const m of findings(rule.id, o, i, ctx, urn)) reportViolation(m, urn);
      });
    },
  };
}

/** Every rule of the table as a policy, in table order. */
export const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = RULE_TABLE.map((rule) => (
  rule.scope === 'object' ? resourcePolicy(rule) : stackPolicy(rule)
));
