/**
 * One rule set, four gates: the rule table (constructs/lib/rule-table.ts) is
 * the only list of rules. For each gate, this proves
 *  (a) it runs no rule the table lacks, and
 *  (b) every table rule reaches it as the table claims,
 * by running the gate itself on the bad-input catalogue (which breaks every
 * rule) and on the rendered environments:
 *  - synth / validate: validateManifests;
 *  - the cdk8s plugin: DockerCoinsValidation.validate with a cdk8s context;
 *  - the Pulumi policy pack: its policies' validate functions;
 *  - admission: the rendered ValidatingAdmissionPolicies' validations.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BAD_MANIFESTS } from '../catalogue/manifests';
import { ENV_NAMES, renderObjects } from '../helpers';
import { asGroupChildren, runPack } from './pack-run';
import { admissionPod, evaluatePolicy } from './admission-eval';
import { policies } from '../../policy/policies';
import { ADVICE, DockerCoinsValidation } from '../../src/analysis/cdk8s-validation-plugin';
import { K8sObject, objectRef, parseManifests } from '../../src/analysis/objects';
import { namespacePodSecurityLevel } from '../../src/analysis/pod-security';
import { RULE_CHECKS, RULE_SUMMARIES, RULES, ruleContext, validateManifests } from '../../src/analysis/validate';
import { RULE_TABLE } from '../../constructs/lib/rule-table';
import { policySpec } from '../../constructs/admission';

const TABLE = RULE_TABLE.map((r) => r.id as string);
const WITH_CEL = RULE_TABLE.filter((r) => 'checks' in r.admission).map((r) => r.id as string);
const cases = BAD_MANIFESTS.map((b) => ({ id: b.id, yaml: b.yaml, objects: parseManifests(b.yaml) }));
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

describe('the rule table', () => {
  test('every rule has an id, a severity, a summary, a reason, a scope and an entry for every gate', () => {
    expect(new Set(TABLE).size).toBe(TABLE.length);
    for (const r of RULE_TABLE) {
      expect(r.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(['error', 'warning']).toContain(r.severity);
      expect(r.summary.length).toBeGreaterThan(10);
      expect(r.reason.length).toBeGreaterThan(10);
      expect(['object', 'set']).toContain(r.scope);
      expect(r.cdk8s.recommendation.length * r.cdk8s.fix.length).toBeGreaterThan(0);
      if ('none' in r.admission) expect({ rule: r.id, why: r.admission.none }).toEqual({ rule: r.id, why: expect.stringMatching(/^not (expressible|needed) in CEL( here)?: .{20,}/) });
      else expect(r.admission.checks.length).toBeGreaterThan(0);
    }
  });

  test('validate derives its rule list, summaries and functions from it', () => {
    expect([...RULES]).toEqual(TABLE);
    expect(Object.keys(RULE_SUMMARIES)).toEqual(TABLE);
    for (const r of RULE_TABLE) expect(RULE_SUMMARIES[r.id]).toBe(r.summary);
    expect(Object.keys(RULE_CHECKS).sort()).toEqual([...TABLE].sort());
  });

  test('a rule of scope object gives the same findings on its object alone as in the whole set', () => {
    const sets = [...cases.map((c) => c.objects), ...ENV_NAMES.map((e) => renderObjects(e))];
    const objectRules = RULE_TABLE.filter((r) => r.scope === 'object').map((r) => r.id);
    for (const objects of sets) {
      const ctx = ruleContext(objects);
      objects.forEach((o, i) => {
        for (const rule of objectRules) {
          expect({ o: objectRef(o), rule, alone: RULE_CHECKS[rule](o, 0, ruleContext([o])) }).toEqual({ o: objectRef(o), rule, alone: RULE_CHECKS[rule](o, i, ctx) });
        }
      });
    }
  });
});

describe('synth / validate', () => {
  test('reports only table rules, and every table rule on the catalogue', () => {
    const seen = sorted(cases.flatMap((c) => validateManifests(c.objects).map((p) => p.rule)));
    expect(seen.filter((r) => !TABLE.includes(r))).toEqual([]);
    expect(TABLE.filter((r) => !seen.includes(r))).toEqual([]);
  });
});

describe('the cdk8s plugin', () => {
  let tmp: string;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-cdk8s-')); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('has the table\'s advice for exactly the table\'s rules', () => {
    expect(Object.keys(ADVICE)).toEqual(TABLE);
  });

  test('reports only table rules, each with its table advice, and every table rule on the catalogue', async () => {
    const seen: string[] = [];
    for (const c of cases) {
      const file = path.join(tmp, `${c.id}.k8s.yaml`);
      fs.writeFileSync(file, c.yaml);
      const violations: Array<{ ruleName: string; recommendation: string; fix: string }> = [];
      await new DockerCoinsValidation().validate({
        manifests: [file],
        report: { addViolation: (v) => violations.push(v), submit: () => undefined },
        logger: { log: () => undefined },
      });
      for (const v of violations) {
        seen.push(v.ruleName);
        const rule = RULE_TABLE.find((r) => r.id === v.ruleName);
        expect({ rule: v.ruleName, advice: rule?.cdk8s }).toEqual({ rule: v.ruleName, advice: { recommendation: v.recommendation, fix: v.fix } });
      }
    }
    expect(sorted(seen).filter((r) => !TABLE.includes(r))).toEqual([]);
    expect(TABLE.filter((r) => !seen.includes(r))).toEqual([]);
  });
});

describe('the Pulumi policy pack', () => {
  test('has one policy per table rule and no other', () => {
    expect(policies.map((p) => p.name)).toEqual(TABLE);
  });

  test('reports only table rules, and every table rule on the catalogue deployed as ConfigGroups', () => {
    const seen = sorted(cases.flatMap((c) => runPack(asGroupChildren(c.objects, c.id)).map((v) => v.policy)));
    expect(seen.filter((r) => !TABLE.includes(r))).toEqual([]);
    expect(TABLE.filter((r) => !seen.includes(r))).toEqual([]);
  });

  test('reports on each catalogue case exactly what validate reports', () => {
    for (const c of cases) {
      const pack = runPack(asGroupChildren(c.objects, c.id)).map((v) => v.message).sort();
      const validate = validateManifests(c.objects).map((p) => `${p.object}: [${p.rule}] ${p.message}`).sort();
      expect({ id: c.id, pack }).toEqual({ id: c.id, pack: validate });
    }
  });
});

describe('admission', () => {
  const rulesOf = (spec: ReturnType<typeof policySpec>) => sorted((spec.validations ?? []).map((v) => /^\[([a-z-]+)\//.exec(v.message ?? '')![1]));

  test.each(ENV_NAMES)('the policies rendered for %s hold only table rules with CEL, and all of them', (env) => {
    const objects = renderObjects(env);
    const rendered = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy');
    const all = sorted(rendered.flatMap((p) => rulesOf(p.spec)));
    expect(all.filter((r) => !WITH_CEL.includes(r))).toEqual([]);
    // the restricted policy (every environment has restricted namespaces) carries every rule with CEL
    expect(rulesOf(rendered.find((p) => p.metadata.name.endsWith('-restricted'))!.spec)).toEqual(sorted(WITH_CEL));
  });

  test('every rule with CEL refuses some catalogue pod; no rule without CEL has a validation', () => {
    const refused = new Set<string>();
    for (const c of cases) {
      for (const o of c.objects as K8sObject[]) {
        const p = admissionPod(o);
        if (!p) continue;
        for (const f of evaluatePolicy(policySpec(namespacePodSecurityLevel(c.objects, p.namespace)), p.pod).failures) refused.add(f.rule);
      }
    }
    expect(sorted(refused)).toEqual(sorted(WITH_CEL));
    expect(rulesOf(policySpec('restricted')).filter((r) => !WITH_CEL.includes(r))).toEqual([]);
  });
});
