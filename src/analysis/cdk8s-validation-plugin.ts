/**
 * A cdk8s CLI validation plugin running our review rules during
 * `cdk8s synth`. The CLI loads plugins with require(), so the entry point
 * named in cdk8s.yaml is the JS shim next to this file
 * (cdk8s-validation-plugin.js), which registers a TypeScript hook and loads
 * this module.
 *
 * The cdk8s-cli types are not imported on purpose: cdk8s-cli is a dev tool
 * and its classes are only needed structurally (`validate(context)`).
 */
import * as fs from 'fs';
import { K8sObject, isKustomizationFile, objectRef, parseManifests } from './objects';
import { Problem, RULES, validateManifests } from './validate';
import { RULE_TABLE } from '../../constructs/lib/rule-table';

/** The part of cdk8s-cli's ValidationContext this plugin uses. */
export interface ValidationContextLike {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }>;
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  readonly logger: { log(message: string): void };
}

/** Plugin properties (`properties:` in cdk8s.yaml). */
export interface DockerCoinsValidationProps {
  /** Rule ids to skip, e.g. `[schema]` while a CRD without schema is in use. */
  skip?: string[];
}

/** What each rule protects against and how to fix it, for the cdk8s report: the rule table's `cdk8s` entry of every rule. */
export const ADVICE: Readonly<Record<string, { recommendation: string; fix: string }>> = Object.fromEntries(RULE_TABLE.map((r) => [r.id, r.cdk8s]));

/** Runs `validateManifests` over all manifests of the synthesized app. */
export class DockerCoinsValidation {
  private readonly skip: Set<string>;

  constructor(props: DockerCoinsValidationProps = {}) {
    const unknown = (props.skip ?? []).filter((r) => !(RULES as readonly string[]).includes(r));
    if (unknown.length > 0) throw new Error(`DockerCoinsValidation: unknown rule(s) in skip: ${unknown.join(', ')}`);
    this.skip = new Set(props.skip ?? []);
  }

  async validate(context: ValidationContextLike): Promise<void> {
    // All manifests together: cross-object rules need the whole app.
    const objects: K8sObject[] = [];
    const fileOf = new Map<K8sObject, string>();
    // The CLI lists every *.yaml of the output, kustomization.yaml included: build instructions, not objects.
    for (const file of context.manifests.filter((f) => !isKustomizationFile(f))) {
      for (const o of parseManifests(fs.readFileSync(file, 'utf8'), file)) {
        objects.push(o);
        fileOf.set(o, file);
      }
    }
    const problems = validateManifests(objects).filter((p) => !this.skip.has(p.rule));
    const byRef = new Map<string, K8sObject>();
    for (const o of objects) byRef.set(objectRef(o), o);

    const byRule = new Map<string, Problem[]>();
    for (const p of problems) byRule.set(p.rule, [...(byRule.get(p.rule) ?? []), p]);
    for (const [rule, ps] of byRule) {
      // One violating resource per object, with every message as a location.
      const perObject = new Map<string, string[]>();
      for (const p of ps) perObject.set(p.object, [...(perObject.get(p.object) ?? []), p.message]);
      context.report.addViolation({
        ruleName: rule,
        recommendation: ADVICE[rule].recommendation,
        fix: ADVICE[rule].fix,
        violatingResources: [...perObject].map(([object, messages]) => {
          const o = byRef.get(object);
          return {
            // cdk8s maps resourceName to the construct path by metadata.name.
            resourceName: o?.metadata.name ?? object,
            locations: messages.map((m) => `${object}: ${m}`),
            manifestPath: (o && fileOf.get(o)) ?? '',
          };
        }),
      });
    }
    context.logger.log(`dockercoins validation: ${objects.length} objects, ${problems.length} problems`);
    context.report.submit(problems.length === 0 ? 'success' : 'failure', { objects: String(objects.length), problems: String(problems.length) });
  }
}

