import { Testing } from 'cdk8s';
import { Consul, CONSUL_CLIENT_LABEL, ConsulProps, consulFaultTolerance } from '../../constructs/consul';
import { sized } from '../../src/config/sizes';
import { VERSIONS } from '../../constructs/versions';
const CONSUL_IMAGE = VERSIONS.consul;

const base: ConsulProps = {
  instance: 'data',
  namespace: 'data',
  image: CONSUL_IMAGE,
  resources: sized('100m', '128Mi', '500m', '256Mi'),
  replicas: 3,
  antiAffinity: 'required',
  storage: { size: '2Gi', storageClassName: 'replicated' },
  apiServer: { cidrs: ['10.0.0.0/24'], port: 6443 },
  security: {
    gossipKey: { name: 'consul-gossip-key', key: 'key' },
    managementToken: { name: 'consul-management-token', key: 'token' },
    agentToken: { name: 'consul-agent-token', key: 'token' },
  },
};

function render(props: Partial<ConsulProps> = {}): any[] {
  const chart = Testing.chart();
  new Consul(chart, 'Consul', { ...base, ...props });
  return Testing.synth(chart);
}
const find = (objs: any[], kind: string, name?: string) => objs.find(o => o.kind === kind && (!name || o.metadata.name === name));
const sts = (objs: any[]) => find(objs, 'StatefulSet', 'consul');
const container = (objs: any[]) => sts(objs).spec.template.spec.containers[0];
const config = (objs: any[]) => JSON.parse(find(objs, 'ConfigMap', 'consul-config').data['server.json']);

describe('Consul', () => {
  const objs = render();
  const c = container(objs);
  const pod = sts(objs).spec.template.spec;

  test('bootstrap_expect equals the replica count', () => {
    expect(sts(objs).spec.replicas).toBe(3);
    expect(config(objs).bootstrap_expect).toBe(3);
    expect(config(render({ replicas: 5, antiAffinity: 'preferred' })).bootstrap_expect).toBe(5);
  });

  test('even or zero replicas are refused', () => {
    expect(() => render({ replicas: 2 })).toThrow(/replicas must be an odd number >= 1/);
    expect(() => render({ replicas: 0 })).toThrow(/replicas must be an odd number >= 1/);
  });

  test('Parallel pod management (readiness needs a leader, which needs bootstrap_expect servers)', () => {
    expect(sts(objs).spec.podManagementPolicy).toBe('Parallel');
  });

  test('headless Service publishes not-ready addresses; the client Service serves 8500', () => {
    const headless = find(objs, 'Service', 'consul-server');
    expect(sts(objs).spec.serviceName).toBe('consul-server');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.ports.map((p: any) => `${p.port}/${p.protocol}`)).toEqual(expect.arrayContaining(['8300/TCP', '8301/TCP', '8301/UDP']));
    const client = find(objs, 'Service', 'consul');
    expect(client.spec.clusterIP).toBeUndefined();
    expect(client.spec.ports).toEqual([{ name: 'http', port: 8500, targetPort: 'http', protocol: 'TCP' }]);
  });

  test('DNS join (default): one -retry-join per replica, no token, no RBAC', () => {
    const joins = c.command.filter((a: string) => a.startsWith('-retry-join='));
    expect(joins).toEqual([0, 1, 2].map(i => `-retry-join=consul-${i}.consul-server.data.svc.cluster.local`));
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objs, 'ServiceAccount', 'consul').automountServiceAccountToken).toBe(false);
    expect(objs.filter(o => o.kind === 'Role' || o.kind === 'RoleBinding' || o.kind === 'ClusterRole')).toEqual([]);
    expect(find(objs, 'NetworkPolicy', 'consul').spec.egress.some((r: any) => r.to.some((p: any) => p.ipBlock))).toBe(false);
  });

  test('Kubernetes join: namespace from the downward API, token mounted, exactly a pods get/list Role and its binding, API egress', () => {
    const k = render({ join: 'kubernetes' });
    const kc = container(k);
    const joins = kc.command.filter((a: string) => a.startsWith('-retry-join='));
    expect(joins).toEqual(['-retry-join=provider=k8s namespace="$(NAMESPACE)" label_selector="app.kubernetes.io/name=consul,app.kubernetes.io/instance=data"']);
    expect(kc.env).toContainEqual({ name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    expect(sts(k).spec.template.spec.automountServiceAccountToken).toBe(true);
    const rbac = k.filter(o => ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
    expect(rbac.map(o => o.kind).sort()).toEqual(['Role', 'RoleBinding']);
    expect(find(k, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    expect(find(k, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'consul', namespace: 'data' }]);
    expect(find(k, 'RoleBinding').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'consul-discovery' });
    expect(find(k, 'NetworkPolicy', 'consul').spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ port: 6443, protocol: 'TCP' }] });
  });

  test('anti-affinity on the hostname: required or preferred, as configured', () => {
    const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: sts(objs).spec.selector.matchLabels } };
    expect(pod.affinity.podAntiAffinity).toEqual({ requiredDuringSchedulingIgnoredDuringExecution: [term] });
    const preferred = sts(render({ antiAffinity: 'preferred' })).spec.template.spec.affinity.podAntiAffinity;
    expect(preferred).toEqual({ preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] });
  });

  test('PDB keeps quorum: maxUnavailable = (replicas - 1) / 2, none for a single server', () => {
    expect(find(objs, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(find(render({ replicas: 5, antiAffinity: 'preferred' }), 'PodDisruptionBudget').spec.maxUnavailable).toBe(2);
    expect(find(render({ replicas: 1 }), 'PodDisruptionBudget')).toBeUndefined();
    expect([1, 3, 5, 7].map(consulFaultTolerance)).toEqual([0, 1, 2, 3]);
  });

  test('leaves gracefully on SIGTERM (leave_on_terminate, as consul-k8s servers): a preStop consul leave would need an operator:write token under default deny', () => {
    expect(c.lifecycle).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15);
    expect(config(objs).leave_on_terminate).toBe(true);
  });

  test('data on a volumeClaimTemplate mounted at /consul/data; config read-only from a ConfigMap', () => {
    expect(sts(objs).spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'], storageClassName: 'replicated', resources: { requests: { storage: '2Gi' } },
    });
    expect(c.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'data', mountPath: '/consul/data' },
      { name: 'config', mountPath: '/consul/config', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]));
    expect(config(objs).data_dir).toBe('/consul/data');
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'consul-config' } });
    expect(sts(objs).spec.template.metadata.annotations['checksum/settings']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('readiness requires a leader; liveness only an answering agent', () => {
    expect(c.readinessProbe.exec.command.join(' ')).toMatch(/wget .*http:\/\/127\.0\.0\.1:8500\/v1\/status\/leader \| grep -q ':'/);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/v1/status/leader', port: 'http', scheme: 'HTTP' });
  });

  test('restricted profile as uid/gid 10100 with fsGroup 10100 (entrypoint bypassed, so any uid)', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10100, runAsGroup: 10100, fsGroup: 10100 });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.command.slice(0, 2)).toEqual(['consul', 'agent']);
    expect(c.image).toBe(`hashicorp/consul:${CONSUL_IMAGE.tag}`);
  });

  test('NetworkPolicy: RPC and gossip between servers, labelled clients on 8500', () => {
    const np = find(objs, 'NetworkPolicy', 'consul');
    const selector = sts(objs).spec.selector.matchLabels;
    const peerPorts = np.spec.ingress[0].ports.map((p: any) => `${p.port}/${p.protocol}`);
    expect(np.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: selector } }]);
    expect(peerPorts).toEqual(['8300/TCP', '8301/TCP', '8301/UDP', '8302/TCP', '8302/UDP']);
    expect(np.spec.ingress[1]).toEqual({ from: [{ podSelector: { matchLabels: { [CONSUL_CLIENT_LABEL]: 'true' } } }], ports: [{ port: 8500, protocol: 'TCP' }] });
  });

  test('labelled client pods of the namespace may reach the HTTP API', () => {
    const np = find(objs, 'NetworkPolicy', 'consul-clients');
    expect(np.spec.podSelector).toEqual({ matchLabels: { [CONSUL_CLIENT_LABEL]: 'true' } });
    expect(np.spec.egress[0]).toEqual({ to: [{ podSelector: { matchLabels: sts(objs).spec.selector.matchLabels } }], ports: [{ port: 8500, protocol: 'TCP' }] });
  });

  test('UI Ingress only when a host is set, and then the controller namespace may reach 8500', () => {
    expect(find(objs, 'Ingress')).toBeUndefined();
    const ui = render({ ui: { host: 'consul.example.com', className: 'traefik', controllerNamespace: 'traefik', tlsSecretName: 'consul-tls' } });
    const ing = find(ui, 'Ingress', 'consul-ui');
    expect(ing.spec.ingressClassName).toBe('traefik');
    expect(ing.spec.rules[0]).toEqual({ host: 'consul.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'consul', port: { name: 'http' } } } }] } });
    expect(ing.spec.tls).toEqual([{ hosts: ['consul.example.com'], secretName: 'consul-tls' }]);
    expect(find(ui, 'NetworkPolicy', 'consul').spec.ingress[1].from).toContainEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } });
  });

  test('kubernetes join without API server endpoints is refused', () => {
    expect(() => render({ join: 'kubernetes', apiServer: undefined })).toThrow(/join "kubernetes" needs apiServer/);
  });
});
