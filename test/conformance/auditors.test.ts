/**
 * The auditors platform teams run on dist/<env>/ (issue 12, "Done when"):
 * kube-score 1.20.0 with 0 CRITICAL outside annotated, reasoned exemptions;
 * Polaris 9.6 with a score >= 95 in staging and prod, >= 92 in dev, and no
 * danger outside the node agents. Both tools are encoded from their sources
 * (./auditors/kube-score.ts, ./auditors/polaris.ts, each check citing its
 * file and commit); failures print the check and the object.
 *
 * The encodings are also checked against themselves: each check fails on a
 * manifest that breaks it (a check that cannot fail proves nothing), and the
 * score follows Polaris' formula.
 */
import * as path from 'path';
import fc from 'fast-check';
import { K8sObject, loadManifests } from '../../src/analysis/objects';
import { validateManifests } from '../../src/analysis/validate';
import { formatKubeScore, kubeScore, kubeScoreCriticals } from './auditors/kube-score';
import { formatPolaris, polarisAudit, yamlReadsAsString } from './auditors/polaris';
import { exemptionReasonKey } from '../../constructs/lib/audit-exemptions';
import { ENV_NAMES } from '../helpers';

const DIST = path.join(__dirname, '..', '..', 'dist');
const dist = (env: string): K8sObject[] => loadManifests([path.join(DIST, env)]);
const POLARIS_TARGET: Record<string, number> = { dev: 92, staging: 95, prod: 95 };
const NODE_AGENTS = 'node-agents';

describe.each(ENV_NAMES)('dist/%s under the auditors', env => {
  const objects = dist(env);
  const ks = kubeScore(objects);
  const polaris = polarisAudit(objects);

  test('kube-score: no CRITICAL (each printed with its object)', () => {
    expect(kubeScoreCriticals(ks).map(formatKubeScore)).toEqual([]);
  });

  test('kube-score: every ignored check is ignored by annotation with a reason next to it', () => {
    const ignored = ks.filter(r => r.ignored);
    for (const r of ignored) {
      const [kind, ref] = r.object.split(' ');
      const [ns, name] = ref.includes('/') ? ref.split('/') : [undefined, ref];
      const o = objects.find(x => x.kind === kind && x.metadata.name === name && x.metadata.namespace === ns)!;
      const annotations = { ...(o.spec?.template?.metadata?.annotations ?? {}), ...(o.metadata.annotations ?? {}) };
      expect([r.object, r.check, (annotations[exemptionReasonKey('kube-score', r.check)] ?? '').trim() !== '']).toEqual([r.object, r.check, true]);
    }
  });

  test(`Polaris: score >= ${POLARIS_TARGET[env]}`, () => {
    const failing = polaris.results.filter(r => !r.success).map(formatPolaris);
    expect({ score: polaris.score, failing: polaris.score >= POLARIS_TARGET[env] ? [] : failing })
      .toEqual({ score: expect.any(Number), failing: [] });
    expect(polaris.score).toBeGreaterThanOrEqual(POLARIS_TARGET[env]);
  });

  test('Polaris: no danger at all (node agents included: their host access is exempted with its reason)', () => {
    expect(polaris.results.filter(r => !r.success && r.severity === 'danger').map(formatPolaris)).toEqual([]);
  });

  test('Polaris: danger-level checks are exempted only on node agents and on bindings to roles the API server creates', () => {
    const dangerous = new Set(['hostNetworkSet', 'hostPIDSet', 'hostIPCSet', 'runAsRootAllowed', 'runAsPrivileged', 'privilegeEscalationAllowed',
      'dangerousCapabilities', 'tagNotSpecified', 'sensitiveContainerEnvVar', 'sensitiveConfigmapContent']);
    for (const e of polaris.exemptions.filter(x => dangerous.has(x.check))) {
      expect([e.object, e.check, e.object.split(' ')[1].startsWith(`${NODE_AGENTS}/`)]).toEqual([e.object, e.check, true]);
    }
    const rbac = polaris.exemptions.filter(x => /rolebinding|clusterrole/i.test(x.check));
    for (const e of rbac) expect(e.object).toMatch(/^(ClusterRoleBinding metrics-server:system:auth-delegator|RoleBinding kube-system\/metrics-server-auth-reader)$/);
  });

  test('every exemption the auditors honour passes validate (audit-exemption: each has its reason)', () => {
    expect(validateManifests(objects).filter(p => p.rule === 'audit-exemption')).toEqual([]);
  });
});

/** A minimal Deployment that passes both tools' pod checks, for the self-tests below. */
function goodDeployment(): K8sObject[] {
  const labels = { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'app' };
  const container = {
    name: 'app', image: 'example/app:1.0', imagePullPolicy: 'Always',
    resources: { requests: { cpu: '10m', memory: '16Mi', 'ephemeral-storage': '16Mi' }, limits: { cpu: '100m', memory: '32Mi', 'ephemeral-storage': '32Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } }, livenessProbe: { tcpSocket: { port: 8080 } },
    securityContext: { runAsUser: 10001, runAsGroup: 10001, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    ports: [{ name: 'http', containerPort: 8080 }],
  };
  return [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'ns', labels },
      spec: {
        replicas: 2, selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false, priorityClassName: 'p', securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
            affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } } }] } },
            containers: [container],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'app', namespace: 'ns' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 'http' }] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'app', namespace: 'ns' }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'app', namespace: 'ns' },
      spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'app' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
    },
  ];
}

describe('the encodings can fail (each check on a manifest that breaks it)', () => {
  const mutate = (f: (d: any, all: K8sObject[]) => void) => {
    const objs = goodDeployment();
    f(objs[0], objs);
    return objs;
  };
  const c = (d: any) => d.spec.template.spec.containers[0];

  test('the reference manifest passes both', () => {
    expect(kubeScoreCriticals(kubeScore(goodDeployment())).map(formatKubeScore)).toEqual([]);
    const p = polarisAudit(goodDeployment());
    expect(p.results.filter(r => !r.success).map(formatPolaris)).toEqual([]);
    expect(p.score).toBe(100);
  });

  test.each([
    ['container-image-pull-policy', (d: any) => { c(d).imagePullPolicy = 'IfNotPresent'; }],
    ['container-security-context-user-group-id', (d: any) => { c(d).securityContext.runAsGroup = 1000; }],
    ['container-security-context-readonlyrootfilesystem', (d: any) => { delete c(d).securityContext.readOnlyRootFilesystem; }],
    ['container-security-context-privileged', (d: any) => { c(d).securityContext.privileged = true; }],
    ['pod-probes-identical', (d: any) => { c(d).livenessProbe = { httpGet: { path: '/ready', port: 8080 } }; }],
    ['pod-probes', (d: any) => { delete c(d).readinessProbe; }],
    ['container-resources', (d: any) => { delete c(d).resources.limits.memory; }],
    ['container-ephemeral-storage-request-and-limit', (d: any) => { delete c(d).resources.limits['ephemeral-storage']; }],
    ['container-image-tag', (d: any) => { c(d).image = 'example/app:latest'; }],
    ['pod-networkpolicy', (_d: any, all: K8sObject[]) => { all.splice(3, 1); }],
    ['deployment-has-poddisruptionbudget', (_d: any, all: K8sObject[]) => { all.splice(2, 1); }],
    ['deployment-targeted-by-hpa-does-not-have-replicas-configured', (_d: any, all: K8sObject[]) => {
      all.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'app', namespace: 'ns' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' }, minReplicas: 2, maxReplicas: 3 } });
    }],
  ])('kube-score %s', (check, f) => {
    const criticals = kubeScoreCriticals(kubeScore(mutate(f as any)));
    expect(criticals.map(r => r.check)).toContain(check);
    // and the tool's own annotation silences exactly that check
    const ignored = mutate((d, all) => { (f as any)(d, all); d.metadata.annotations = { 'kube-score/ignore': check }; });
    expect(kubeScoreCriticals(kubeScore(ignored)).map(r => r.check)).not.toContain(check);
  });

  test('kube-score networkpolicy-targets-pod: a policy selecting no pod of its namespace', () => {
    const objs = mutate((_d, all) => { all[3].spec.podSelector = { matchLabels: { role: 'client' } }; });
    expect(kubeScoreCriticals(kubeScore(objs)).map(r => `${r.object} ${r.check}`)).toContain('NetworkPolicy ns/app networkpolicy-targets-pod');
  });

  test.each([
    ['pullPolicyNotAlways', (d: any) => { c(d).imagePullPolicy = 'IfNotPresent'; }],
    ['priorityClassNotSet', (d: any) => { delete d.spec.template.spec.priorityClassName; }],
    ['topologySpreadConstraint', (d: any) => { delete d.spec.template.spec.topologySpreadConstraints; }],
    ['deploymentMissingReplicas', (d: any) => { d.spec.replicas = 1; }],
    ['metadataAndInstanceMismatched', (d: any) => { d.metadata.labels['app.kubernetes.io/instance'] = 'stack'; }],
    ['automountServiceAccountToken', (d: any) => { d.spec.template.spec.automountServiceAccountToken = true; }],
    ['runAsRootAllowed', (d: any) => { c(d).securityContext.runAsUser = 0; c(d).securityContext.runAsNonRoot = false; }],
    ['hostNetworkSet', (d: any) => { d.spec.template.spec.hostNetwork = true; }],
    ['hostPIDSet', (d: any) => { d.spec.template.spec.hostPID = true; }],
    ['hostPathSet', (d: any) => { d.spec.template.spec.volumes = [{ name: 'h', hostPath: { path: '/var/log' } }]; }],
    ['livenessProbeMissing', (d: any) => { delete c(d).livenessProbe; }],
    ['notReadOnlyRootFilesystem', (d: any) => { c(d).securityContext.readOnlyRootFilesystem = false; }],
    ['sensitiveContainerEnvVar', (d: any) => { c(d).env = [{ name: 'DB_PASSWORD', value: 'x' }]; }],
    // Polaris' policy match is `oneOf` over the pod labels: a policy naming two of them does not count.
    ['missingNetworkPolicy', (_d: any, all: K8sObject[]) => { all[3].spec.podSelector.matchLabels['app.kubernetes.io/instance'] = 'app'; }],
    ['missingPodDisruptionBudget', (_d: any, all: K8sObject[]) => { all.splice(2, 1); }],
  ])('Polaris %s', (check, f) => {
    const audit = polarisAudit(mutate(f as any));
    expect(audit.results.filter(r => !r.success).map(r => r.check)).toContain(check);
    const exempt = polarisAudit(mutate((d, all) => { (f as any)(d, all); d.metadata.annotations = { [`polaris.fairwinds.com/${check}-exempt`]: 'true' }; }));
    expect(exempt.results.filter(r => r.check === check)).toEqual([]);
    expect(exempt.exemptions.map(e => e.check)).toContain(check);
  });

  test('Polaris RoleBindings: a ClusterRole not in the files fails, a Role of the namespace passes', () => {
    const binding = (roleRef: any): K8sObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'viewer', namespace: 'ns' }, roleRef, subjects: [] });
    const builtIn = polarisAudit([binding({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' })]);
    expect(builtIn.results.filter(r => !r.success).map(r => r.check).sort())
      .toEqual(['rolebindingClusterAdminClusterRole', 'rolebindingClusterAdminRole', 'rolebindingClusterRolePodExecAttach']);
    const own = polarisAudit([binding({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'viewer' }),
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'viewer', namespace: 'ns' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }]);
    expect(own.results.filter(r => !r.success)).toEqual([]);
    const exec = polarisAudit([binding({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'viewer' }),
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'viewer', namespace: 'ns' }, rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }] }]);
    expect(exec.dangers).toBe(2); // rolePodExecAttach on the Role, rolebindingRolePodExecAttach on the binding
  });

  test('property: the Polaris score is floor(100 * 2s / (2s + w + 2d)) (pkg/validator/summary.go)', () => {
    fc.assert(fc.property(fc.nat(20), fc.nat(20), fc.nat(5), (replicasOk, extraWarnings, _d) => {
      const objs: K8sObject[] = [];
      for (let i = 0; i < extraWarnings + replicasOk; i++) {
        const [d] = goodDeployment();
        d.metadata.name = `app${i}`;
        d.metadata.labels!['app.kubernetes.io/instance'] = `app${i}`;
        if (i < extraWarnings) d.spec.replicas = 1; // deploymentMissingReplicas
        objs.push(d);
      }
      const a = polarisAudit(objs);
      const total = 2 * a.successes + a.warnings + 2 * a.dangers;
      expect(a.score).toBe(total === 0 ? 100 : Math.floor(100 * 2 * a.successes / total));
    }), { numRuns: 30 });
  });

  test('go-yaml reads unquoted numbers, bools and nulls as non-strings (the templates\' `const: {{ $value }}`)', () => {
    for (const v of ['1.19', '10', 'true', 'yes', 'off', '~', '0x1f', '1e3']) expect([v, yamlReadsAsString(v)]).toEqual([v, false]);
    for (const v of ['v0.1', '8.15.3', 'dockercoins', 'cdk8s', 'v3.3.4']) expect([v, yamlReadsAsString(v)]).toEqual([v, true]);
  });
});
