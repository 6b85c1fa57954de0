import { checkHardening, checkObjectsPodSecurity, namespacePodSecurityLevel } from '../src/analysis/pod-security';
import { validateSchema } from '../src/analysis/schema';
import { formatProblem, validateManifests } from '../src/analysis/validate';
import { K8sObject } from '../src/analysis/objects';
import { ENVIRONMENTS } from '../src/config';
import { ENV_NAMES, podSpec, renderObjects, workloads } from './helpers';

describe.each(ENV_NAMES)('policies of %s', env => {
  const objects = renderObjects(env) as K8sObject[];

  test('every object is valid against the Kubernetes OpenAPI schema (types, required fields, no unknown fields)', () => {
    const problems = objects.flatMap(o => validateSchema(o).map(p => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  test('every pod passes the Pod Security level its namespace enforces', () => {
    const violations = checkObjectsPodSecurity(objects).flatMap(r => r.violations.map(v => `${r.object} (${r.level}): ${v.message}`));
    expect(violations).toEqual([]);
  });

  test('the application namespaces enforce "restricted", and their pods are hardened beyond it', () => {
    for (const w of workloads(objects)) {
      const level = namespacePodSecurityLevel(objects, w.metadata.namespace);
      if (level !== 'restricted') continue;
      expect({ workload: w.metadata.name, problems: checkHardening(podSpec(w)).map(v => v.message) }).toEqual({ workload: w.metadata.name, problems: [] });
    }
    for (const d of ENVIRONMENTS[env].dockercoins) expect(namespacePodSecurityLevel(objects, d.namespace)).toBe('restricted');
  });

  test('the manifest validator finds nothing (probes, resources, tags, secrets, selectors, backends)', () => {
    expect(validateManifests(objects).map(formatProblem)).toEqual([]);
  });
});
