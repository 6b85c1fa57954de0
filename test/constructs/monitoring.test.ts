import { parse } from 'yaml';
import { createHash } from 'crypto';
import { KUBE_STATE_METRICS_RESOURCES, PROMETHEUS_CLUSTER_RULES, retentionSize } from '../../constructs/monitoring';
import { checkPodSecurity } from '../../src/analysis/pod-security';
import { container, ENVS, find, maybe, Obj, podSpec, render } from '../helpers/edge';

const promConfig = (objects: Obj[]) => parse(find(objects, 'ConfigMap', 'prometheus-config', 'monitoring').data['prometheus.yml']);
const job = (config: any, name: string) => config.scrape_configs.find((j: any) => j.job_name === name);

describe('Prometheus server', () => {
  const dev = render('dev');

  test('prometheus.yml scrapes the API servers, kubelets, cAdvisor and annotated pods and Services', () => {
    const config = promConfig(dev);
    expect(config.global).toMatchObject({ scrape_interval: '30s', external_labels: { environment: 'dev' } });
    const api = job(config, 'kubernetes-apiservers');
    expect(api.kubernetes_sd_configs[0].role).toBe('endpointslice');
    expect(api.relabel_configs[0]).toMatchObject({ action: 'keep', regex: 'default;kubernetes;https' });
    expect(api.authorization.credentials_file).toBe('/var/run/secrets/kubernetes.io/serviceaccount/token');
    const cadvisor = job(config, 'kubernetes-cadvisor');
    expect(cadvisor).toMatchObject({ scheme: 'https', metrics_path: '/metrics/cadvisor', kubernetes_sd_configs: [{ role: 'node' }] });
    expect(job(config, 'kubernetes-nodes')).toMatchObject({ metrics_path: '/metrics', kubernetes_sd_configs: [{ role: 'node' }] });
    for (const [name, kind, role] of [['kubernetes-pods', 'pod', 'pod'], ['kubernetes-service-endpoints', 'service', 'endpointslice']]) {
      const j = job(config, name);
      expect(j.kubernetes_sd_configs[0].role).toBe(role);
      const relabel = (suffix: string) => j.relabel_configs.find((r: any) => r.source_labels[0] === `__meta_kubernetes_${kind}_annotation_prometheus_io_${suffix}`);
      expect(relabel('scrape')).toMatchObject({ action: 'keep', regex: 'true' });
      expect(relabel('path')).toMatchObject({ target_label: '__metrics_path__' });
      expect(j.relabel_configs.some((r: any) => r.target_label === '__address__' && r.source_labels.includes(`__meta_kubernetes_${kind}_annotation_prometheus_io_port`))).toBe(true);
    }
  });

  test('pod address relabelling puts the port annotation on the pod IP (IPv4 and IPv6)', () => {
    const rules = job(promConfig(dev), 'kubernetes-pods').relabel_configs.filter((r: any) => r.target_label === '__address__');
    const apply = (port: string, ip: string) => {
      let address = `${ip}:80`;
      for (const r of rules) {
        const m = new RegExp(`^(?:${r.regex})$`).exec(`${port};${ip}`);
        if (m) address = r.replacement.replace(/\$(\d)/g, (_: string, i: string) => m[Number(i)]);
      }
      return address;
    };
    expect(apply('9100', '10.1.2.3')).toBe('10.1.2.3:9100');
    expect(apply('9100', 'fd00::1:2')).toBe('[fd00::1:2]:9100');
  });

  test('config checksum on the pod template: changing the config rolls the pod', () => {
    const cm = find(dev, 'ConfigMap', 'prometheus-config', 'monitoring');
    const sum = find(dev, 'Deployment', 'prometheus', 'monitoring').spec.template.metadata.annotations['checksum/settings'];
    expect(sum).toBe(createHash('sha256').update(JSON.stringify(cm.data)).digest('hex'));
    const changed = render('dev', { edge: { monitoring: { prometheus: { scrapeInterval: '15s' } } } });
    expect(find(changed, 'Deployment', 'prometheus').spec.template.metadata.annotations['checksum/settings']).not.toBe(sum);
  });

  test('RBAC: read-only discovery access, token mounted', () => {
    const role = find(dev, 'ClusterRole', 'prometheus-monitoring');
    expect(role.rules).toEqual(PROMETHEUS_CLUSTER_RULES.map(r => ({ ...r, nonResourceURLs: (r as any).nonResourceUrLs, nonResourceUrLs: undefined })).map(r => JSON.parse(JSON.stringify(r))));
    for (const rule of role.rules) expect(rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    expect(role.rules.flatMap((r: any) => r.resources ?? [])).toEqual(expect.arrayContaining(['nodes', 'nodes/metrics', 'pods', 'services', 'endpointslices']));
    expect(role.rules.flatMap((r: any) => r.resources ?? [])).not.toContain('secrets');
    expect(role.rules.find((r: any) => r.nonResourceURLs)).toEqual({ nonResourceURLs: ['/metrics'], verbs: ['get'] });
    expect(find(dev, 'ClusterRoleBinding', 'prometheus-monitoring').subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]);
    expect(find(dev, 'ServiceAccount', 'prometheus', 'monitoring').automountServiceAccountToken).toBe(true);
  });

  test('storage: emptyDir in dev, a claim of the environment storage class elsewhere (Recreate), sized retention', () => {
    const d = find(dev, 'Deployment', 'prometheus', 'monitoring');
    expect(podSpec(d).volumes).toEqual(expect.arrayContaining([{ name: 'prometheus', emptyDir: { sizeLimit: '2Gi' } }]));
    expect(d.spec.strategy.type).toBe('RollingUpdate');
    expect(maybe(dev, 'PersistentVolumeClaim', 'prometheus-data')).toBeUndefined();
    expect(container(d).args).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=2d', `--storage.tsdb.retention.size=${retentionSize('2Gi')}`]));
    for (const [env, size, cls, retention] of [['staging', '20Gi', 'standard', '15d'], ['prod', '50Gi', 'replicated', '30d']]) {
      const objects = render(env);
      const pvc = find(objects, 'PersistentVolumeClaim', 'prometheus-data', 'monitoring');
      expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: size } } });
      const p = find(objects, 'Deployment', 'prometheus', 'monitoring');
      expect(p.spec.strategy).toEqual({ type: 'Recreate' });
      expect(podSpec(p).volumes).toEqual(expect.arrayContaining([{ name: 'data', persistentVolumeClaim: { claimName: 'prometheus-data' } }]));
      expect(container(p).volumeMounts).toEqual(expect.arrayContaining([{ name: 'data', mountPath: '/prometheus' }]));
      expect(container(p).args).toContain(`--storage.tsdb.retention.time=${retention}`);
    }
    expect(retentionSize('20Gi')).toBe('17408MB');
  });

  test('probes, restricted identity 65534 with fsGroup, read-only root', () => {
    const d = find(dev, 'Deployment', 'prometheus', 'monitoring');
    const c = container(d);
    expect(c.readinessProbe.httpGet.path).toBe('/-/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/-/healthy');
    expect(c.livenessProbe.initialDelaySeconds).toBeGreaterThanOrEqual(30);
    expect(podSpec(d).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(checkPodSecurity(podSpec(d), 'restricted')).toEqual([]);
    expect(c.image).toMatch(/^quay\.io\/prometheus\/prometheus:v3\.\d+\.\d+$/);
  });

  test('Ingress from config: dev and staging hosts, none in prod; TLS secret when set', () => {
    expect(find(dev, 'Ingress', 'prometheus', 'monitoring').spec.rules[0].host).toBe('prometheus.localhost');
    expect(find(render('staging'), 'Ingress', 'prometheus', 'monitoring').spec.rules[0].host).toBe('prometheus.staging.example.com');
    expect(maybe(render('prod'), 'Ingress', 'prometheus')).toBeUndefined();
    const tls = render('prod', { edge: { monitoring: { prometheus: { ingressHost: 'prometheus.example.com', tlsSecretName: 'prometheus-tls' } } } });
    const ing = find(tls, 'Ingress', 'prometheus', 'monitoring');
    expect(ing.spec.tls).toEqual([{ hosts: ['prometheus.example.com'], secretName: 'prometheus-tls' }]);
    expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'prometheus', port: { name: 'http' } });
    expect(container(find(tls, 'Deployment', 'prometheus')).args).toContain('--web.external-url=https://prometheus.example.com/');
  });
});

describe('node-exporter', () => {
  test.each(ENVS)('%s: a DaemonSet on every node in the privileged node-agents namespace, read-only host mounts, non-root', env => {
    const objects = render(env);
    const ns = find(objects, 'Namespace', 'node-agents');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.annotations?.['platform.dockercoins.io/pod-security-reason']).toMatch(/Node agents/);
    const ds = find(objects, 'DaemonSet', 'node-exporter', 'node-agents');
    const spec = podSpec(ds);
    expect(spec).toMatchObject({ hostNetwork: true, hostPID: true, dnsPolicy: 'ClusterFirstWithHostNet', tolerations: [{ operator: 'Exists' }] });
    expect(spec.volumes.filter((v: any) => v.hostPath).map((v: any) => v.hostPath.path).sort()).toEqual(['/', '/proc', '/sys']);
    const c = container(ds);
    const hostMounts = c.volumeMounts.filter((m: any) => ['proc', 'sys', 'root'].includes(m.name));
    expect(hostMounts).toHaveLength(3);
    for (const m of hostMounts) expect(m.readOnly).toBe(true);
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(ds.spec.template.metadata.annotations['platform.dockercoins.io/host-access-reason']).toMatch(/node-exporter/);
    expect(ds.spec.template.metadata.annotations['prometheus.io/port']).toBe('9100');
    expect(ds.spec.updateStrategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(c.args).toContain('--web.listen-address=$(HOST_IP):9100');
  });
});

describe('kube-state-metrics', () => {
  test('enabled by flag, restricted, watches exactly what it reports (no secrets)', () => {
    const objects = render('prod');
    const d = find(objects, 'Deployment', 'kube-state-metrics', 'monitoring');
    expect(checkPodSecurity(podSpec(d), 'restricted')).toEqual([]);
    const role = find(objects, 'ClusterRole', 'kube-state-metrics-monitoring');
    const watched = role.rules.flatMap((r: any) => r.resources);
    expect(watched.sort()).toEqual(Object.values(KUBE_STATE_METRICS_RESOURCES).flat().sort());
    expect(watched).not.toContain('secrets');
    expect(role.rules.every((r: any) => r.verbs.join() === 'list,watch')).toBe(true);
    expect(container(d).args).toContain(`--resources=${[...watched].sort().join(',')}`);
    const off = render('prod', { edge: { monitoring: { kubeStateMetrics: { enabled: false } } } });
    expect(maybe(off, 'Deployment', 'kube-state-metrics')).toBeUndefined();
    expect(maybe(off, 'ClusterRole', 'kube-state-metrics-monitoring')).toBeUndefined();
  });
});

describe('metrics-server', () => {
  test('dev installs it in kube-system (pinned, restricted, upstream RBAC and APIService); staging and prod do not', () => {
    const objects = render('dev');
    const d = find(objects, 'Deployment', 'metrics-server', 'kube-system');
    expect(container(d).image).toBe('registry.k8s.io/metrics-server/metrics-server:v0.7.2');
    expect(container(d).args).toContain('--kubelet-insecure-tls');
    expect(checkPodSecurity(podSpec(d), 'restricted')).toEqual([]);
    expect(podSpec(d).priorityClassName).toBe('system-cluster-critical');
    expect(find(objects, 'APIService', 'v1beta1.metrics.k8s.io').spec).toMatchObject({
      group: 'metrics.k8s.io', version: 'v1beta1', service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
    });
    expect(find(objects, 'Service', 'metrics-server', 'kube-system').spec.ports[0]).toMatchObject({ port: 443, targetPort: 'https' });
    const reader = find(objects, 'ClusterRole', 'system:aggregated-metrics-reader');
    expect(reader.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-view']).toBe('true');
    expect(find(objects, 'ClusterRoleBinding', 'metrics-server:system:auth-delegator').roleRef.name).toBe('system:auth-delegator');
    expect(find(objects, 'RoleBinding', 'metrics-server-auth-reader', 'kube-system').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' });
    expect(find(objects, 'ClusterRoleBinding', 'system:metrics-server').subjects).toEqual([{ kind: 'ServiceAccount', name: 'metrics-server', namespace: 'kube-system' }]);
    // kube-system is not ours: never rendered as a Namespace
    expect(maybe(objects, 'Namespace', 'kube-system')).toBeUndefined();
    for (const env of ['staging', 'prod']) expect(maybe(render(env), 'Deployment', 'metrics-server')).toBeUndefined();
  });
});
