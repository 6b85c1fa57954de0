/**
 * Issue 12's auditor items, one assertion per requirement, on the committed
 * dist/<env>/ objects (what kube-score and Polaris read), independent of the
 * tools' encodings in ./auditors: ids, probes, priority tiers, spread,
 * budgets, network policies, API tokens, the viewer role.
 */
import * as fs from 'fs';
import * as path from 'path';
import { K8sObject, loadManifests } from '../../src/analysis/objects';
import { matchesSelector } from '../../src/analysis/network';
import { exemptionReasonKey } from '../../constructs/lib/audit-exemptions';
import { PRIORITY_TIERS, priorityClassFor } from '../../constructs/lib/priority';
import { loadEnvironment } from '../../src/config';
import { ENV_NAMES } from '../helpers';

const DIST = path.join(__dirname, '..', '..', 'dist');
const CONTROLLERS = ['Deployment', 'StatefulSet', 'DaemonSet'];
const ref = (o: K8sObject) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
const reason = (o: K8sObject, tool: 'kube-score' | 'polaris', check: string) => (o.metadata.annotations?.[exemptionReasonKey(tool, check)] ?? '').trim();

describe.each(ENV_NAMES)('dist/%s', env => {
  const objects = loadManifests([path.join(DIST, env)]);
  const config = loadEnvironment(env);
  const controllers = objects.filter(o => CONTROLLERS.includes(o.kind));
  const spec = (o: K8sObject) => o.spec.template.spec;
  const labels = (o: K8sObject): Record<string, string> => o.spec.template.metadata.labels;
  const hpaMax = (o: K8sObject) => objects.find(h => h.kind === 'HorizontalPodAutoscaler' && h.metadata.namespace === o.metadata.namespace
    && h.spec.scaleTargetRef.name === o.metadata.name)?.spec.maxReplicas as number | undefined;
  const replicated = (o: K8sObject) => o.kind !== 'DaemonSet' && (hpaMax(o) ?? o.spec.replicas ?? 1) > 1;

  test('uid and gid >= 10000 in every container, unless it is a node agent running as root for its stated reason', () => {
    for (const o of controllers) {
      const s = spec(o);
      for (const c of [...(s.initContainers ?? []), ...s.containers]) {
        const uid = c.securityContext?.runAsUser ?? s.securityContext?.runAsUser;
        const gid = c.securityContext?.runAsGroup ?? s.securityContext?.runAsGroup;
        const high = uid >= 10000 && gid >= 10000;
        const excused = reason(o, 'kube-score', 'container-security-context-user-group-id') !== '';
        expect([ref(o), c.name, uid, gid, high || excused]).toEqual([ref(o), c.name, uid, gid, true]);
        if (!high) expect([ref(o), o.metadata.namespace]).toEqual([ref(o), 'node-agents']);
      }
    }
  });

  test('Elasticsearch and Kibana run in the root group as a supplementary group (their images\' files are 1000:0, g=u)', () => {
    for (const o of controllers.filter(x => ['elasticsearch', 'kibana'].includes(x.metadata.name))) {
      expect([ref(o), spec(o).securityContext.supplementalGroups]).toEqual([ref(o), [0]]);
    }
  });

  test('readiness and liveness differ in every container that has both (not the same check twice)', () => {
    const key = (p: any) => JSON.stringify(p.httpGet ? { http: [p.httpGet.path, p.httpGet.port] } : p.tcpSocket ? { tcp: p.tcpSocket.port } : { exec: p.exec?.command });
    for (const o of controllers) {
      for (const c of spec(o).containers) {
        if (c.readinessProbe && c.livenessProbe) expect([ref(o), c.name, key(c.readinessProbe) !== key(c.livenessProbe)]).toEqual([ref(o), c.name, true]);
      }
    }
  });

  test('a PriorityClass per tier, in wave 0, values decreasing node-agent > ingress > data > monitoring > app, none the global default', () => {
    const file = fs.readFileSync(path.join(DIST, env, '00-priority-classes.k8s.yaml'), 'utf8');
    const classes = objects.filter(o => o.kind === 'PriorityClass');
    expect(classes.map(c => c.metadata.name)).toEqual(PRIORITY_TIERS.map(priorityClassFor));
    for (const c of classes) expect(file).toContain(`name: ${c.metadata.name}`);
    const values = PRIORITY_TIERS.map(t => classes.find(c => c.metadata.name === priorityClassFor(t))!.value);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    expect(new Set(values).size).toBe(values.length);
    expect(classes.every(c => c.globalDefault === false)).toBe(true);
    expect(values).toEqual(PRIORITY_TIERS.map(t => config.priorityClasses[t].value));
  });

  test('every pod names its tier\'s PriorityClass: node agents, ingress, data, monitoring, apps (kube-system add-ons: system-cluster-critical)', () => {
    const expected = (o: K8sObject): string => {
      const ns = o.metadata.namespace;
      if (ns === 'kube-system') return 'system-cluster-critical';
      if (ns === 'node-agents') return priorityClassFor('node-agent');
      if (o.metadata.name === 'traefik') return priorityClassFor('ingress');
      if (['consul', 'postgres', 'elasticsearch', 'redis', 'registry'].includes(o.metadata.name)) return priorityClassFor('data');
      if (labels(o)['app.kubernetes.io/part-of'] === 'dockercoins') return priorityClassFor('app');
      return priorityClassFor('monitoring');
    };
    const names = new Set(objects.filter(o => o.kind === 'PriorityClass').map(o => o.metadata.name));
    for (const o of controllers) {
      const cls = spec(o).priorityClassName;
      expect([ref(o), cls]).toEqual([ref(o), expected(o)]);
      if (!cls.startsWith('system-')) expect([ref(o), names.has(cls)]).toEqual([ref(o), true]);
    }
  });

  test(`replicated workloads spread over nodes ${config.nodes > 1 ? '(multi-node: every one)' : '(single node: as configured only)'}`, () => {
    for (const o of controllers.filter(replicated)) {
      const tsc: any[] = spec(o).topologySpreadConstraints ?? [];
      const own = tsc.find(t => t.topologyKey === 'kubernetes.io/hostname' && matchesSelector(t.labelSelector, labels(o)));
      if (config.nodes > 1) expect([ref(o), !!own]).toEqual([ref(o), true]);
    }
  });

  test('every replicated Deployment and StatefulSet has a PodDisruptionBudget of its namespace that lets one pod go', () => {
    const pdbs = objects.filter(o => o.kind === 'PodDisruptionBudget');
    for (const o of controllers.filter(replicated)) {
      const pdb = pdbs.find(p => p.metadata.namespace === o.metadata.namespace && matchesSelector(p.spec.selector, labels(o)));
      expect([ref(o), !!pdb]).toEqual([ref(o), true]);
      expect([ref(o), pdb!.spec.maxUnavailable !== 0 && pdb!.spec.minAvailable !== '100%']).toEqual([ref(o), true]);
    }
  });

  test('every pod is selected by a NetworkPolicy of its own that declares both directions (node-network pods: exempt, policies do not apply)', () => {
    const netpols = objects.filter(o => o.kind === 'NetworkPolicy');
    for (const o of controllers) {
      if (spec(o).hostNetwork) {
        expect([ref(o), reason(o, 'polaris', 'missingNetworkPolicy') !== '']).toEqual([ref(o), true]);
        continue;
      }
      const own = netpols.find(n => n.metadata.namespace === o.metadata.namespace && Object.keys(n.spec.podSelector?.matchLabels ?? {}).length > 0
        && matchesSelector(n.spec.podSelector, labels(o)) && ['Ingress', 'Egress'].every(t => n.spec.policyTypes.includes(t)));
      expect([ref(o), own?.metadata.name !== undefined]).toEqual([ref(o), true]);
    }
  });

  test('a ServiceAccount token only where the pod calls the API: its ServiceAccount is bound to a role, and the reason is stated', () => {
    const bindings = objects.filter(o => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
    for (const o of controllers) {
      const s = spec(o);
      if (s.automountServiceAccountToken !== true) continue;
      const bound = bindings.some(b => (b.subjects ?? []).some((x: any) => x.kind === 'ServiceAccount' && x.name === s.serviceAccountName && x.namespace === o.metadata.namespace));
      expect([ref(o), bound, reason(o, 'polaris', 'automountServiceAccountToken') !== '']).toEqual([ref(o), true, true]);
    }
    const calling = new Set(controllers.filter(o => spec(o).automountServiceAccountToken === true).map(o => `${o.metadata.namespace}/${spec(o).serviceAccountName}`));
    for (const sa of objects.filter(o => o.kind === 'ServiceAccount')) {
      const id = `${sa.metadata.namespace}/${sa.metadata.name}`;
      expect([id, sa.automountServiceAccountToken]).toEqual([id, calling.has(id)]);
    }
  });

  test('an autoscaled Deployment leaves replicas to its HPA (and says why to Polaris)', () => {
    for (const o of controllers.filter(x => x.kind === 'Deployment' && hpaMax(x) !== undefined)) {
      expect([ref(o), o.spec.replicas, reason(o, 'polaris', 'deploymentMissingReplicas') !== '']).toEqual([ref(o), undefined, true]);
    }
  });

  test('the viewer is bound to a read-only Role in the manifests, never to a ClusterRole Polaris cannot see', () => {
    for (const b of objects.filter(o => o.kind === 'RoleBinding' && (o.subjects ?? []).some((s: any) => s.name === 'viewer'))) {
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'viewer' });
      const role = objects.find(r => r.kind === 'Role' && r.metadata.name === 'viewer' && r.metadata.namespace === b.metadata.namespace);
      expect(role?.rules.flatMap((r: any) => r.verbs).filter((v: string) => !['get', 'list', 'watch'].includes(v))).toEqual([]);
    }
  });

  test('NetworkPolicies selecting client pods made elsewhere carry kube-score\'s ignore with the same reason', () => {
    for (const n of objects.filter(o => o.kind === 'NetworkPolicy' && o.metadata.annotations?.['platform.dockercoins.io/selects-external-pods'])) {
      expect(n.metadata.annotations!['kube-score/ignore']).toBe('networkpolicy-targets-pod');
      expect(reason(n, 'kube-score', 'networkpolicy-targets-pod')).toBe(n.metadata.annotations!['platform.dockercoins.io/selects-external-pods']);
    }
  });
});
