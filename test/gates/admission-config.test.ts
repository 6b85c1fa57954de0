/**
 * The `admission` config section (constructs/admission/schema.ts): typed,
 * strict, with documented defaults, and what each setting renders.
 */
import { loadEnvironment } from '../../src/config';
import { renderObjects } from '../helpers';

const kinds = (env: ReturnType<typeof loadEnvironment>) => renderObjects(env).filter((o) => o.apiVersion === 'admissionregistration.k8s.io/v1');

describe('admission config', () => {
  test('defaults: enabled, Deny, names prefixed dockercoins', () => {
    const env = loadEnvironment('prod');
    expect((env as any).admission).toEqual({ enabled: true, action: 'Deny', namePrefix: 'dockercoins' });
    const objects = kinds(env);
    expect(objects.length).toBeGreaterThan(3);
    for (const o of objects) expect(o.metadata.name.startsWith('dockercoins-')).toBe(true);
  });

  test('enabled: false renders no policy and no binding (for clusters older than 1.30)', () => {
    expect(kinds(loadEnvironment('prod', { admission: { enabled: false } }))).toEqual([]);
  });

  test('action: Warn binds with [Warn, Audit] (Deny and Warn may not be combined)', () => {
    const bindings = kinds(loadEnvironment('dev', { admission: { action: 'Warn', namePrefix: 'shop' } })).filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(bindings.length).toBeGreaterThan(3);
    for (const b of bindings) {
      expect(b.spec.validationActions).toEqual(['Warn', 'Audit']);
      expect(b.spec.policyName).toMatch(/^shop-pods-(privileged|baseline|restricted)$/);
    }
  });

  test('unknown fields and wrong values are refused with their path', () => {
    expect(() => loadEnvironment('prod', { admission: { action: 'Block' } })).toThrow(/admission\.action/);
    expect(() => loadEnvironment('prod', { admission: { enable: true } })).toThrow(/admission\.enable/);
  });
});
