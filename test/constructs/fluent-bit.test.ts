import { FluentBit, FluentBitProps } from '../../constructs/fluent-bit';
import { find, Obj, resources, synth } from './logging-helpers';

const base: FluentBitProps = {
  instance: 'logging',
  namespace: 'node-agents',
  image: { registry: 'cr.fluentbit.io', repository: 'fluent/fluent-bit', tag: '3.1.9' },
  resources: resources('64Mi', '256Mi'),
  tolerations: [{ operator: 'Exists' }],
  elasticsearch: {
    host: 'elasticsearch.logging.svc',
    port: 9200,
    peer: { pods: { 'app.kubernetes.io/name': 'elasticsearch' }, namespace: 'logging' },
    credentialsSecret: 'fluent-bit-credentials',
    username: 'fluent-bit',
  },
  apiServer: { cidrs: ['10.10.0.0/24'], port: 6443 },
  metricsScrapers: [{ namespace: 'monitoring', pods: { 'app.kubernetes.io/name': 'prometheus' } }],
};

function render(props: Partial<FluentBitProps> = {}): Obj[] {
  return synth(scope => new FluentBit(scope, 'fb', { ...base, ...props }));
}
const ds = (objects: Obj[]) => find(objects, 'DaemonSet', 'fluent-bit', 'node-agents');
const container = (objects: Obj[]) => ds(objects).spec.template.spec.containers[0];
const conf = (objects: Obj[]) => find(objects, 'ConfigMap', 'fluent-bit-config', 'node-agents').data['fluent-bit.conf'] as string;

/** `Key value` lines of one [SECTION] of the classic config (first section with that name and plugin). */
function section(text: string, header: string, plugin: string): Record<string, string> {
  const blocks = text.split(/\n(?=\[)/).filter(b => b.startsWith(`[${header}]`));
  for (const b of blocks) {
    const entries = b.split('\n').slice(1).map(l => l.trim()).filter(l => l && !l.startsWith('#'))
      .map(l => { const m = /^(\S+)\s+(.*)$/.exec(l)!; return [m[1], m[2]] as [string, string]; });
    const kv = Object.fromEntries(entries);
    if (header === 'SERVICE' || kv.Name === plugin) return kv;
  }
  throw new Error(`no [${header}] ${plugin}`);
}

describe('Fluent Bit pipeline', () => {
  const text = conf(render());

  it('tails container logs in CRI and Docker formats with a position DB on the node', () => {
    const tail = section(text, 'INPUT', 'tail');
    expect(tail.Path).toBe('/var/log/containers/*.log');
    expect(tail['multiline.parser']).toBe('docker, cri');
    expect(tail.DB).toBe('/var/lib/fluent-bit/tail.db');
    expect(tail.Exclude_Path).toBe('/var/log/containers/fluent-bit-*_node-agents_*.log');
  });

  it('enriches with Kubernetes metadata and merges JSON logs', () => {
    const k = section(text, 'FILTER', 'kubernetes');
    expect(k.Merge_Log).toBe('On');
    expect(k.Labels).toBe('On');
    expect(k.Kube_URL).toBe('https://kubernetes.default.svc:443');
  });

  it('ships to the Elasticsearch Service on 9200 as its own user with the password from the environment (ES 8: no type names)', () => {
    const es = section(text, 'OUTPUT', 'es');
    expect(es.Host).toBe('elasticsearch.logging.svc');
    expect(es.Port).toBe('9200');
    expect(es.HTTP_User).toBe('fluent-bit');
    expect(es.HTTP_Passwd).toBe('${ES_PASSWORD}');
    expect(es.Suppress_Type_Name).toBe('On');
    expect(es.Logstash_Prefix).toBe('kubernetes');
    expect(container(render()).env).toEqual([{ name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'fluent-bit-credentials', key: 'password' } } }]);
  });

  it('only creates documents (its role grants create_doc, which cannot overwrite): Write_Operation create with generated ids', () => {
    // fluent/fluent-bit plugins/out_es/es.c (d55459d4) defaults write_operation to "create"; set explicitly so a default change cannot break the role.
    const es = section(text, 'OUTPUT', 'es');
    expect(es.Write_Operation).toBe('create');
    expect(es.Generate_ID).toBe('On');
  });

  it('serves health on 2020 for the probes', () => {
    const s = section(text, 'SERVICE', '');
    expect(s.HTTP_Server).toBe('On');
    expect(s.HTTP_Port).toBe('2020');
    expect(s.Health_Check).toBe('On');
  });
});

describe('Fluent Bit DaemonSet', () => {
  const objects = render();

  it('mounts /var/log read-only and only the state directory writable', () => {
    const spec = ds(objects).spec.template.spec;
    expect(spec.volumes).toEqual(expect.arrayContaining([
      { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
      { name: 'state', hostPath: { path: '/var/lib/fluent-bit', type: 'DirectoryOrCreate' } },
    ]));
    const mounts = container(objects).volumeMounts;
    expect(mounts).toContainEqual({ name: 'varlog', mountPath: '/var/log', readOnly: true });
    expect(mounts).toContainEqual({ name: 'state', mountPath: '/var/lib/fluent-bit', readOnly: false });
    expect(mounts).toContainEqual({ name: 'config', mountPath: '/fluent-bit/etc/conf', readOnly: true });
    expect(mounts.filter((m: any) => m.readOnly === false).map((m: any) => m.name)).toEqual(['state']);
  });

  it('mounts Docker container logs only on Docker runtimes', () => {
    expect(ds(objects).spec.template.spec.volumes.map((v: any) => v.name)).not.toContain('docker-containers');
    const docker = render({ dockerRuntime: true });
    expect(container(docker).volumeMounts).toContainEqual({ name: 'docker-containers', mountPath: '/var/lib/docker/containers', readOnly: true });
  });

  it('runs as root without capabilities, escalation or a writable root filesystem, and says why', () => {
    const spec = ds(objects).spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(objects).securityContext).toEqual({
      runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, allowPrivilegeEscalation: false, privileged: false,
      readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(ds(objects).spec.template.metadata.annotations['platform.dockercoins.io/host-access-reason']).toMatch(/\/var\/log/);
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.hostPID).toBeUndefined();
  });

  it('probes / (liveness) and the health endpoint (readiness) on 2020', () => {
    const c = container(objects);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/', port: 'http', scheme: 'HTTP' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/api/v1/health', port: 'http', scheme: 'HTTP' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 2020, protocol: 'TCP' }]);
  });

  it('tolerates every taint, replaces pods in place, and advertises its metrics', () => {
    const d = ds(objects);
    expect(d.spec.template.spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(d.spec.updateStrategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(d.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '2020' });
  });

  it('rolls when the pipeline changes', () => {
    const a = ds(objects).spec.template.metadata.annotations['checksum/settings'];
    const other = render({ elasticsearch: { ...base.elasticsearch, host: 'elasticsearch.other.svc' } });
    expect(ds(other).spec.template.metadata.annotations['checksum/settings']).not.toBe(a);
  });

  it('reads pods and namespaces only (ClusterRole bound to its ServiceAccount, token mounted)', () => {
    const role = find(objects, 'ClusterRole', 'fluent-bit');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }]);
    const binding = find(objects, 'ClusterRoleBinding', 'fluent-bit');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'fluent-bit', namespace: 'node-agents' }]);
    expect(binding.roleRef.name).toBe('fluent-bit');
    expect(ds(objects).spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  it('may reach Elasticsearch 9200, the API server and DNS; only the metrics scrapers may reach 2020', () => {
    const p = find(objects, 'NetworkPolicy', 'fluent-bit', 'node-agents').spec;
    expect(p.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
      ports: [{ port: 2020, protocol: 'TCP' }],
    }]);
    expect(find(render({ metricsScrapers: undefined }), 'NetworkPolicy', 'fluent-bit', 'node-agents').spec.ingress).toEqual([]);
    expect(p.egress[0].ports).toEqual([{ port: 9200, protocol: 'TCP' }]);
    expect(p.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.10.0.0/24' } }], ports: [{ port: 6443, protocol: 'TCP' }] });
    expect(p.egress[2].ports.map((x: any) => x.port)).toEqual([53, 53]);
  });
});
