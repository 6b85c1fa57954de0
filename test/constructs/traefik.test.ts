import { Chart, Testing } from 'cdk8s';
import { Traefik, TRAEFIK_CLUSTER_RULES, TraefikProps } from '../../constructs/traefik';
import { sized } from '../../src/config/sizes';
import { VERSIONS } from '../../constructs/versions';
const TRAEFIK_IMAGE = VERSIONS.traefik;
import { checkObjectsPodSecurity, checkPodSecurity } from '../../src/analysis/pod-security';
import { container, ENVS, find, maybe, Obj, podSpec, render } from '../helpers/edge';

const base: TraefikProps = {
  namespace: 'edge',
  mode: 'loadBalancer',
  image: TRAEFIK_IMAGE,
  resources: sized('100m', '64Mi', '500m', '128Mi'),
  loadBalancer: { replicas: 2, spread: 'preferred' },
  ingressClassName: 'traefik',
  dashboard: 'disabled',
  backends: [],
  apiServer: { cidrs: ['10.0.0.1/32'], port: 6443 },
  shutdown: { terminationGracePeriodSeconds: 60, requestAcceptGraceSeconds: 10 },
};

function synth(props: Partial<TraefikProps>): Obj[] {
  const chart = new Chart(Testing.app(), 'test');
  new Traefik(chart, 'Traefik', { ...base, ...props });
  return Testing.synth(chart) as Obj[];
}

const workload = (objects: Obj[]) => objects.find(o => o.kind === 'DaemonSet' || o.kind === 'Deployment')!;
const args = (objects: Obj[]): string[] => container(workload(objects), 'traefik').args;

describe('Traefik construct', () => {
  test('hostPort mode: a DaemonSet binding 80/443 on the node from unprivileged container ports, on control-plane nodes too', () => {
    const objects = synth({ mode: 'hostPort', loadBalancer: undefined });
    const ds = find(objects, 'DaemonSet', 'traefik', 'edge');
    const ports = container(ds, 'traefik').ports;
    expect(ports).toEqual(expect.arrayContaining([
      { name: 'web', containerPort: 8000, hostPort: 80, protocol: 'TCP' },
      { name: 'websecure', containerPort: 8443, hostPort: 443, protocol: 'TCP' },
    ]));
    expect(ports.find((p: any) => p.name === 'traefik').hostPort).toBeUndefined();
    expect(ports.find((p: any) => p.name === 'metrics').hostPort).toBeUndefined();
    expect(podSpec(ds).tolerations).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
    // A surge pod would wait forever for the host ports: replace in place.
    expect(ds.spec.updateStrategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(maybe(objects, 'Service', 'traefik')).toBeUndefined();
    expect(args(objects).some(a => a.includes('publishedservice'))).toBe(false);
    // hostPort is the only thing beyond restricted: baseline flags exactly that.
    const violations = checkPodSecurity(podSpec(ds), 'restricted');
    expect([...new Set(violations.map(v => v.rule))]).toEqual(['host-ports']); // one per host port
  });

  test('hostPort mode keeps the container hardened: non-root, no escalation, drop ALL, read-only root', () => {
    const c = container(workload(synth({ mode: 'hostPort', loadBalancer: undefined })), 'traefik');
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(Traefik.podSecurity('hostPort')).toEqual({ podSecurity: 'privileged', podSecurityReason: expect.stringContaining('hostPort') });
    expect(Traefik.podSecurity('loadBalancer')).toEqual({ podSecurity: 'restricted' });
  });

  test('loadBalancer mode: Deployment with replicas, PDB, spread, LoadBalancer Service 80/443 -> 8000/8443, published service', () => {
    const objects = synth({});
    const d = find(objects, 'Deployment', 'traefik', 'edge');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(podSpec(d).topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' });
    expect(find(objects, 'PodDisruptionBudget', 'traefik', 'edge').spec.maxUnavailable).toBe(1);
    const svc = find(objects, 'Service', 'traefik', 'edge');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports).toEqual([
      { name: 'web', port: 80, targetPort: 'web', protocol: 'TCP' },
      { name: 'websecure', port: 443, targetPort: 'websecure', protocol: 'TCP' },
    ]);
    expect(args(objects)).toContain('--providers.kubernetesingress.ingressendpoint.publishedservice=edge/traefik');
    expect(container(d).ports.every((p: any) => p.hostPort === undefined)).toBe(true);
    expect(checkPodSecurity(podSpec(d), 'restricted')).toEqual([]);
  });

  test('a single replica gets no PodDisruptionBudget (it could only block drains)', () => {
    expect(maybe(synth({ loadBalancer: { replicas: 1, spread: 'none' } }), 'PodDisruptionBudget', 'traefik')).toBeUndefined();
  });

  test('readiness on /ping of the traefik entry point (8080), liveness on its socket, metrics on 9100 with scrape annotations, access logs, Ingress provider for its class', () => {
    const objects = synth({});
    const d = workload(objects);
    const c = container(d, 'traefik');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ping', port: 'traefik', scheme: 'HTTP' });
    // Liveness must hold while /ping answers 503 during the drain: the entry point accepting connections.
    expect(c.livenessProbe.httpGet).toBeUndefined();
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'traefik' });
    expect(c.ports).toEqual(expect.arrayContaining([{ name: 'traefik', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9100, protocol: 'TCP' }]));
    expect(d.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100', 'prometheus.io/path': '/metrics' });
    expect(args(objects)).toEqual(expect.arrayContaining([
      '--accesslog=true', '--ping=true', '--metrics.prometheus=true', '--metrics.prometheus.entryPoint=metrics',
      '--entryPoints.metrics.address=:9100/tcp', '--entryPoints.traefik.address=:8080/tcp',
      '--providers.kubernetesingress=true', '--providers.kubernetesingress.ingressClass=traefik',
    ]));
    expect(c.image).toMatch(/^traefik:v3\.\d+\.\d+$/);
    expect(podSpec(d).automountServiceAccountToken).toBe(true);
    expect(find(objects, 'ServiceAccount', 'traefik', 'edge').automountServiceAccountToken).toBe(true);
  });

  test('default IngressClass for the Traefik controller', () => {
    const ic = find(synth({}), 'IngressClass', 'traefik');
    expect(ic.spec).toEqual({ controller: 'traefik.io/ingress-controller' });
    expect(ic.metadata.annotations).toEqual({ 'ingressclass.kubernetes.io/is-default-class': 'true' });
  });

  test('RBAC: exactly the Ingress provider rules, bound to its ServiceAccount, read-only except Ingress status', () => {
    const objects = synth({});
    const role = find(objects, 'ClusterRole', 'traefik-edge');
    expect(role.rules).toEqual(TRAEFIK_CLUSTER_RULES);
    const writes = role.rules.filter((r: any) => r.verbs.some((v: string) => !['get', 'list', 'watch'].includes(v)));
    expect(writes).toEqual([{ apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] }]);
    const binding = find(objects, 'ClusterRoleBinding', 'traefik-edge');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'traefik-edge' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'traefik', namespace: 'edge' }]);
  });

  test('dashboard insecure: --api.insecure and, with a host, an Ingress to its own traefik port', () => {
    const objects = synth({ mode: 'hostPort', loadBalancer: undefined, dashboard: 'insecure', dashboardHost: 'traefik.localhost', dashboardRoute: { host: 'traefik.localhost', className: 'traefik', annotations: { 'pulumi.com/skipAwait': 'true' } } });
    expect(args(objects)).toEqual(expect.arrayContaining(['--api.dashboard=true', '--api.insecure=true']));
    const ing = find(objects, 'Ingress', 'traefik-dashboard', 'edge');
    expect(ing.spec.rules[0].host).toBe('traefik.localhost');
    expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'traefik-dashboard', port: { name: 'traefik' } });
    expect(find(objects, 'Service', 'traefik-dashboard', 'edge').spec.ports[0].port).toBe(8080);
    expect(ing.metadata.annotations).toEqual({ 'pulumi.com/skipAwait': 'true' });
  });

  test('dashboard port-forward-only: no insecure flag, no Ingress; a file-provider router on the unpublished traefik entry point', () => {
    const objects = synth({ dashboard: 'port-forward-only' });
    const a = args(objects);
    expect(a.some(x => x.startsWith('--api.insecure'))).toBe(false);
    expect(a).toContain('--api.dashboard=true');
    expect(objects.filter(o => o.kind === 'Ingress')).toEqual([]);
    const cm = find(objects, 'ConfigMap', 'traefik-dynamic', 'edge');
    expect(cm.data['dynamic.yml']).toContain('service: api@internal');
    expect(cm.data['dynamic.yml']).toMatch(/entryPoints:\s*\n\s*- traefik/);
    expect(workload(objects).spec.template.metadata.annotations['checksum/settings']).toMatch(/^[0-9a-f]{64}$/);
    // 8080 is in no Service
    expect(objects.filter(o => o.kind === 'Service').flatMap(s => s.spec.ports.map((p: any) => p.targetPort))).not.toContain('traefik');
  });

  test('dashboard disabled: --api=false', () => {
    const a = args(synth({ dashboard: 'disabled' }));
    expect(a).toContain('--api=false');
    expect(a.some(x => x.startsWith('--api.'))).toBe(false);
  });

  test('refuses an insecure dashboard behind a load balancer, and a dashboard host without insecure', () => {
    expect(() => synth({ dashboard: 'insecure' })).toThrow(/only allowed in hostPort mode/);
    expect(() => synth({ dashboard: 'port-forward-only', dashboardHost: 'traefik.example.com' })).toThrow(/dashboardHost needs dashboard "insecure"/);
    expect(() => synth({ loadBalancer: undefined })).toThrow(/needs loadBalancer/);
  });

  test('NetworkPolicy: entry points from anywhere, metrics from the scrapers, egress only to the backends, the API server and DNS', () => {
    const objects = synth({
      backends: [{ namespace: 'logging', pods: { 'app.kubernetes.io/name': 'kibana' }, port: 5601 }],
      metricsScrapers: [{ namespace: 'monitoring', pods: { 'app.kubernetes.io/name': 'prometheus' } }],
    });
    const np = find(objects, 'NetworkPolicy', 'traefik', 'edge');
    expect(np.spec.ingress[0]).toEqual({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8000, protocol: 'TCP' }, { port: 8443, protocol: 'TCP' }] });
    expect(np.spec.ingress[1].ports).toEqual([{ port: 9100, protocol: 'TCP' }]);
    expect(np.spec.ingress).toHaveLength(2);
    expect(np.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kibana' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'logging' } } }], ports: [{ port: 5601, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ port: 6443, protocol: 'TCP' }] },
      { to: [{ podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
    ]);
  });
});

describe('Traefik in the environments', () => {
  test('dev runs hostPort mode in a privileged namespace with the reason; staging and prod run loadBalancer mode in restricted ones', () => {
    const expected = { dev: ['DaemonSet', 'privileged'], staging: ['Deployment', 'restricted'], prod: ['Deployment', 'restricted'] } as const;
    for (const env of ENVS) {
      const objects = render(env);
      const ns = find(objects, 'Namespace', 'traefik');
      expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(expected[env][1]);
      if (expected[env][1] === 'privileged') expect(ns.metadata.annotations?.['platform.dockercoins.io/pod-security-reason']).toMatch(/hostPort/);
      expect(maybe(objects, expected[env][0], 'traefik', 'traefik')).toBeDefined();
      expect(checkObjectsPodSecurity(objects.filter(o => o.metadata.namespace === 'traefik' || o.kind === 'Namespace'))).toEqual([]);
    }
    expect(find(render('staging'), 'Deployment', 'traefik').spec.replicas).toBe(2);
    expect(find(render('prod'), 'Deployment', 'traefik').spec.replicas).toBe(3);
  });

  test('dashboard: insecure with an Ingress in dev, port-forward only in staging, disabled in prod', () => {
    const a = (env: string) => container(find(render(env), env === 'dev' ? 'DaemonSet' : 'Deployment', 'traefik')).args as string[];
    expect(a('dev')).toContain('--api.insecure=true');
    expect(find(render('dev'), 'Ingress', 'traefik-dashboard', 'traefik').spec.rules[0].host).toBe('traefik.localhost');
    expect(a('staging').some(x => x.includes('insecure'))).toBe(false);
    expect(a('staging')).toContain('--api.dashboard=true');
    expect(a('prod')).toContain('--api=false');
    for (const env of ['staging', 'prod']) expect(maybe(render(env), 'Ingress', 'traefik-dashboard')).toBeUndefined();
  });

  test('Ingresses get an address only where Traefik publishes one: skipAwait exactly in hostPort mode', () => {
    for (const env of ENVS) {
      const objects = render(env);
      const ingresses = objects.filter(o => o.kind === 'Ingress');
      expect(ingresses.length).toBeGreaterThan(0);
      for (const ing of ingresses) {
        expect(ing.metadata.annotations?.['pulumi.com/skipAwait']).toBe(env === 'dev' ? 'true' : undefined);
        expect(ing.spec.ingressClassName).toBe('traefik');
      }
    }
  });
});
