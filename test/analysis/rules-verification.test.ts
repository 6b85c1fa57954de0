/** `insecure-skip-verify`: every place a setting can skip verification needs the reason; a stale reason is refused. */
import { validateManifests, formatProblem } from '../../src/analysis/validate';
import { checkConfigMapVerification, checkPodVerification, checkSpecVerification, skipVerifyPaths } from '../../src/analysis/rules-verification';
import { INSECURE_SKIP_VERIFY_REASON_ANNOTATION as A } from '../../constructs/lib/verification-annotations';

const cm = (text: string, annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', annotations }, data: { 'prometheus.yml': text } });

test('finds every true skip key at any depth in YAML or JSON, and ignores false', () => {
  expect(skipVerifyPaths({ a: [{ tls_config: { insecure_skip_verify: true } }, { tls_config: { insecure_skip_verify: false } }], b: { insecureSkipVerify: 'true' } })).toEqual(['a[0].tls_config.insecure_skip_verify', 'b.insecureSkipVerify']);
  expect(checkConfigMapVerification(cm('{"x": {"insecure_skip_verify": true}}'))).toHaveLength(1);
  expect(checkConfigMapVerification(cm('x:\n  insecure_skip_verify: false\n'))).toEqual([]);
  expect(checkConfigMapVerification(cm('x:\n  insecure_skip_verify: true\n', { [A]: 'kind: self-signed kubelets' }))).toEqual([]);
  expect(checkConfigMapVerification(cm('x:\n  insecure_skip_verify: true\n', { [A]: ' ' }))).toHaveLength(1);
});

test('a reason on an object that relaxes nothing is refused (stale)', () => {
  expect(checkConfigMapVerification(cm('x: {insecure_skip_verify: false}\n', { [A]: 'old reason' }))).toEqual([`annotation ${A} is set, but nothing here skips certificate verification: remove it`]);
});

test('container flags and APIService spec need the reason too', () => {
  const tpl = (args: string[], annotations?: Record<string, string>) => ({ metadata: { annotations }, spec: { containers: [{ name: 'ms', image: 'x:1', args }] } });
  expect(checkPodVerification(tpl(['--kubelet-insecure-tls']))).toEqual([`container ms argument --kubelet-insecure-tls skips TLS certificate verification without a reason: verify against the CA, or set annotation ${A}: <why this peer's certificate cannot be verified>`]);
  expect(checkPodVerification(tpl(['--insecure-skip-tls-verify=true']))).toHaveLength(1);
  expect(checkPodVerification(tpl(['--insecure-skip-tls-verify=false']))).toEqual([]);
  expect(checkPodVerification(tpl(['--kubelet-insecure-tls'], { [A]: 'kind cluster' }))).toEqual([]);
  const api = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { insecureSkipTLSVerify: true } };
  expect(checkSpecVerification(api)).toHaveLength(1);
  expect(validateManifests([api as any]).map(formatProblem).filter(l => l.includes('[insecure-skip-verify]'))).toEqual([
    `APIService v1beta1.metrics.k8s.io: [insecure-skip-verify] spec.insecureSkipTLSVerify skips TLS certificate verification without a reason: verify against the CA, or set annotation ${A}: <why this peer's certificate cannot be verified>`,
  ]);
});
