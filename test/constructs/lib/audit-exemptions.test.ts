/**
 * The hardened pod derives its auditor exemptions from what its spec already
 * states (host access, waived probes, API access, low ids, the environment's
 * pull policy), renders them on the controller with their reasons, and
 * refuses a spec that would need one without saying why. Tiers give every
 * pod its PriorityClass; the environment's spread reaches replicated
 * workloads only; replicated workloads get a budget.
 */
import { App, Chart, Testing } from 'cdk8s';
import { exemptionAnnotations, exemptionReasonKey } from '../../../constructs/lib/audit-exemptions';
import { priorityClassFor } from '../../../constructs/lib/priority';
import {
  HardenedDaemonSet, HardenedDeployment, HardenedDeploymentProps, HardenedStatefulSet, IMAGE_PULL_POLICY_CONTEXT, SPREAD_CONTEXT,
} from '../../../constructs/lib/workload';
import { ConfigError, validateEnvironment } from '../../../src/config';
import { sized } from '../../../src/config/sizes';
import { envCopy } from '../../helpers';

const base: HardenedDeploymentProps = {
  identity: { name: 'app', instance: 'app', component: 'backend', partOf: 'test', version: '1.0.0' },
  namespace: 'apps',
  tier: 'app',
  runAs: { user: 10001, group: 10001 },
  qos: 'Burstable',
  terminationGracePeriodSeconds: 10,
  replicas: 1,
  containers: [{
    name: 'app', image: { registry: '', repository: 'app', tag: '1.0.0' }, resources: sized('10m', '16Mi', '100m', '32Mi'),
    probes: { readiness: { check: { http: { path: '/', port: 8080 } }, timings: { initialDelaySeconds: 1, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 } },
      liveness: { check: { tcp: { port: 8080 } }, timings: { initialDelaySeconds: 1, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 } } },
  }],
};

function render(make: (chart: Chart) => void, context: Record<string, string> = { [IMAGE_PULL_POLICY_CONTEXT]: 'Always' }): any[] {
  const app = new App();
  for (const [k, v] of Object.entries(context)) app.node.setContext(k, v);
  const chart = new Chart(app, 'test');
  make(chart);
  return Testing.synth(chart) as any[];
}
const deployment = (props: Partial<HardenedDeploymentProps>, context?: Record<string, string>) =>
  render(c => new HardenedDeployment(c, 'App', { ...base, ...props }), context);
const kind = (objs: any[], k: string) => objs.find(o => o.kind === k);

describe('exemptions derived from the spec', () => {
  test('a plain pod has none, and its tier names its PriorityClass', () => {
    const d = kind(deployment({}), 'Deployment');
    expect(d.metadata.annotations).toBeUndefined();
    expect(d.spec.template.spec.priorityClassName).toBe(priorityClassFor('app'));
  });

  test('waived probes: Polaris liveness and readiness exemptions carry the waiver', () => {
    const d = kind(deployment({ containers: [{ ...base.containers[0], probes: { waivedBecause: 'no port' } }] }), 'Deployment');
    expect(d.metadata.annotations).toMatchObject({
      'polaris.fairwinds.com/livenessProbeMissing-exempt': 'true', [exemptionReasonKey('polaris', 'livenessProbeMissing')]: 'app: no port',
      'polaris.fairwinds.com/readinessProbeMissing-exempt': 'true',
    });
  });

  test('a token needs apiAccessReason, which becomes the reason', () => {
    expect(() => deployment({ automountServiceAccountToken: true })).toThrow('apps/app: automountServiceAccountToken needs an apiAccessReason');
    const d = kind(deployment({ automountServiceAccountToken: true, apiAccessReason: 'watches pods' }), 'Deployment');
    expect(d.metadata.annotations[exemptionReasonKey('polaris', 'automountServiceAccountToken')]).toBe('watches pods');
  });

  test('ids below 10000 need runAs.lowIdReason (kube-score container-security-context-user-group-id)', () => {
    expect(() => deployment({ runAs: { user: 999, group: 1000 } })).toThrow('apps/app container "app": uid 999 / gid 1000 is below 10000; run as a higher id or give runAs.lowIdReason');
    const d = kind(deployment({ runAs: { user: 999, group: 1000, lowIdReason: 'the image checks its uid' } }), 'Deployment');
    expect(d.metadata.annotations).toMatchObject({ 'kube-score/ignore': 'container-security-context-user-group-id' });
  });

  test('host access is for node agents only, and each host feature is exempted with the stated reason', () => {
    const agent = { ...base, namespace: 'node-agents', hostAccess: { reason: 'reads /proc', network: true, pid: true, paths: [{ name: 'proc', hostPath: '/proc' }] } };
    expect(() => render(c => new HardenedDaemonSet(c, 'A', agent))).toThrow('node-agents/app: a pod with hostAccess is a node agent (tier node-agent), not app');
    const ds = kind(render(c => new HardenedDaemonSet(c, 'A', { ...agent, tier: 'node-agent' })), 'DaemonSet');
    for (const check of ['hostNetworkSet', 'hostPIDSet', 'hostPathSet', 'missingNetworkPolicy', 'topologySpreadConstraint']) {
      expect([check, ds.metadata.annotations[`polaris.fairwinds.com/${check}-exempt`]]).toEqual([check, 'true']);
    }
    expect(ds.metadata.annotations[exemptionReasonKey('polaris', 'hostPIDSet')]).toBe('reads /proc');
    expect(ds.spec.template.spec.priorityClassName).toBe('dockercoins-node-agent');
  });

  test('an environment that does not always pull says so to both tools', () => {
    const d = kind(deployment({}, { [IMAGE_PULL_POLICY_CONTEXT]: 'IfNotPresent' }), 'Deployment');
    expect(d.metadata.annotations['kube-score/ignore']).toBe('container-image-pull-policy');
    expect(d.metadata.annotations['polaris.fairwinds.com/pullPolicyNotAlways-exempt']).toBe('true');
  });

  test('an autoscaled Deployment leaves replicas to the HPA and says so to Polaris; it gets a budget', () => {
    const objs = deployment({ replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas: 4, targetCpuUtilization: 70 } });
    expect(kind(objs, 'Deployment').spec.replicas).toBeUndefined();
    expect(kind(objs, 'Deployment').metadata.annotations[exemptionReasonKey('polaris', 'deploymentMissingReplicas')]).toMatch(/HorizontalPodAutoscaler owns the replica count \(1 to 4\)/);
    expect(kind(objs, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
  });

  test('exemptionAnnotations refuses an empty reason and joins reasons of the same check', () => {
    expect(() => exemptionAnnotations([{ tool: 'polaris', check: 'hostPIDSet', reason: ' ' }])).toThrow('polaris exemption of hostPIDSet needs a reason');
    expect(exemptionAnnotations([
      { tool: 'kube-score', check: 'b', reason: 'x' }, { tool: 'kube-score', check: 'a', reason: 'y' }, { tool: 'kube-score', check: 'a', reason: 'z' },
    ])).toEqual({ 'kube-score/ignore': 'a,b', [exemptionReasonKey('kube-score', 'a')]: 'y z', [exemptionReasonKey('kube-score', 'b')]: 'x' });
  });
});

describe('spread and budgets for replicated workloads', () => {
  const spread = (objs: any[], k: string) => kind(objs, k).spec.template.spec.topologySpreadConstraints;
  test.each([
    ['none', 3, undefined],
    ['preferred', 1, undefined],
    ['preferred', 3, 'ScheduleAnyway'],
    ['required', 3, 'DoNotSchedule'],
  ] as const)('environment spread %s, %d replicas', (policy, replicas, expected) => {
    const ctx = { [IMAGE_PULL_POLICY_CONTEXT]: 'Always', [SPREAD_CONTEXT]: policy };
    const d = deployment({ replicas }, ctx);
    expect(spread(d, 'Deployment')?.[0]?.whenUnsatisfiable).toBe(expected);
    expect(kind(d, 'PodDisruptionBudget') !== undefined).toBe(replicas > 1);
    const s = render(c => new HardenedStatefulSet(c, 'S', { ...base, replicas, serviceName: 'app' }), ctx);
    expect(spread(s, 'StatefulSet')?.[0]?.whenUnsatisfiable).toBe(expected);
  });
  test('a component\'s own spread wins over the environment\'s', () => {
    const d = deployment({ replicas: 3, spread: 'none' }, { [IMAGE_PULL_POLICY_CONTEXT]: 'Always', [SPREAD_CONTEXT]: 'required' });
    expect(spread(d, 'Deployment')).toBeUndefined();
  });
});

describe('priorityClasses config', () => {
  test('tier values must decrease in tier order; the error names the field', () => {
    const env = envCopy('prod');
    env.priorityClasses.monitoring.value = 900_000;
    let problems: readonly string[] = [];
    try { validateEnvironment(env); } catch (e) { problems = (e as ConfigError).problems; }
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^priorityClasses\.monitoring\.value: 900000 is not below data's 800000: tiers go node-agent > ingress > data > monitoring > app/)]));
  });
});
