import { Elasticsearch, ElasticsearchProps } from '../../constructs/elasticsearch';
import { find, Obj, resources, synth } from './logging-helpers';

const base: ElasticsearchProps = {
  instance: 'logging',
  namespace: 'logging',
  image: { registry: 'docker.elastic.co', repository: 'elasticsearch/elasticsearch', tag: '8.15.3' },
  nodes: 1,
  heap: '512Mi',
  resources: resources('1Gi', '1Gi'),
  storage: { size: '10Gi', storageClassName: 'replicated' },
  credentialsSecret: 'elasticsearch-credentials',
  httpClients: [{ pods: { 'app.kubernetes.io/name': 'kibana' } }],
};

function render(props: Partial<ElasticsearchProps> = {}): Obj[] {
  return synth(scope => new Elasticsearch(scope, 'es', { ...base, ...props }));
}
const threeNodes: Partial<ElasticsearchProps> = { nodes: 3, transportTlsSecret: 'elasticsearch-transport-tls', heap: '1Gi', resources: resources('2Gi', '2Gi') };

function settingsOf(objects: Obj[]): Record<string, unknown> {
  const yaml = find(objects, 'ConfigMap', 'elasticsearch-config', 'logging').data['elasticsearch.yml'] as string;
  // Each line is `key: <JSON value>`.
  return Object.fromEntries(yaml.trim().split('\n').map(line => {
    const i = line.indexOf(': ');
    return [line.slice(0, i), JSON.parse(line.slice(i + 2))];
  }));
}
const sts = (objects: Obj[]) => find(objects, 'StatefulSet', 'elasticsearch', 'logging');
const mainContainer = (objects: Obj[]) => sts(objects).spec.template.spec.containers.find((c: any) => c.name === 'elasticsearch');

describe('Elasticsearch single node', () => {
  const objects = render();

  it('runs one node with discovery.type=single-node and no cluster bootstrap settings', () => {
    expect(sts(objects).spec.replicas).toBe(1);
    const s = settingsOf(objects);
    expect(s['discovery.type']).toBe('single-node');
    expect(s['cluster.initial_master_nodes']).toBeUndefined();
    expect(s['discovery.seed_hosts']).toBeUndefined();
    expect(s['xpack.security.transport.ssl.enabled']).toBeUndefined();
  });

  it('has security on, mmap off (vm.max_map_count is node-level) and no internet calls', () => {
    const s = settingsOf(objects);
    expect(s['xpack.security.enabled']).toBe('true');
    expect(s['node.store.allow_mmap']).toBe('false');
    expect(s['ingest.geoip.downloader.enabled']).toBe('false');
  });

  it('puts data on a volumeClaimTemplate with the configured size, class and access mode', () => {
    const [claim] = sts(objects).spec.volumeClaimTemplates;
    expect(claim.metadata.name).toBe('data');
    expect(claim.spec.resources.requests.storage).toBe('10Gi');
    expect(claim.spec.storageClassName).toBe('replicated');
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(mainContainer(objects).volumeMounts).toContainEqual({ name: 'data', mountPath: '/usr/share/elasticsearch/data' });
  });

  it('sets -Xms = -Xmx from the heap and the elastic password from the Secret', () => {
    const env = mainContainer(objects).env as any[];
    expect(env.find(e => e.name === 'ES_JAVA_OPTS').value).toMatch(/^-Xms512m -Xmx512m /);
    expect(env.find(e => e.name === 'ELASTIC_PASSWORD')).toEqual({ name: 'ELASTIC_PASSWORD', valueFrom: { secretKeyRef: { name: 'elasticsearch-credentials', key: 'password' } } });
    expect(env.find(e => e.name === 'NODE_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
  });

  it('runs as uid/gid 11000 in the root group (the image files are 1000:0, g=u) with fsGroup 11000, restricted, read-only root fs with writable config, /tmp and logs', () => {
    const spec = sts(objects).spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsUser: 11000, runAsGroup: 11000, fsGroup: 11000, supplementalGroups: [0], runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...spec.containers, ...spec.initContainers]) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    const mounts = mainContainer(objects).volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/tmp', '/usr/share/elasticsearch/logs', '/usr/share/elasticsearch/config']));
    const configVolume = spec.volumes.find((v: any) => v.name === 'config');
    expect(configVolume.emptyDir).toBeDefined();
  });

  it('seeds the config emptyDir from the image and our elasticsearch.yml in an init container', () => {
    const [init] = sts(objects).spec.template.spec.initContainers;
    expect(init.image).toBe('docker.elastic.co/elasticsearch/elasticsearch:8.15.3');
    expect(init.command.join(' ')).toContain('cp -R /usr/share/elasticsearch/config/. /mnt/config/');
    expect(init.command.join(' ')).toContain('/mnt/settings/elasticsearch.yml /mnt/config/elasticsearch.yml');
    expect(init.volumeMounts).toEqual(expect.arrayContaining([{ name: 'config', mountPath: '/mnt/config' }]));
  });

  it('rolls the nodes when a setting changes (checksum annotation)', () => {
    const a = sts(objects).spec.template.metadata.annotations['checksum/settings'];
    const b = sts(render(threeNodes)).spec.template.metadata.annotations['checksum/settings'];
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it('is ready on authenticated cluster health and alive while transport answers', () => {
    const c = mainContainer(objects);
    expect(c.readinessProbe.exec.command.join(' ')).toContain('/_cluster/health?local=true');
    expect(c.readinessProbe.exec.command.join(' ')).toContain('-u "elastic:${ELASTIC_PASSWORD}"');
    expect(c.livenessProbe.tcpSocket.port).toBe('transport');
    expect(c.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(6);
    expect(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds).toBeGreaterThanOrEqual(300);
  });

  it('has no PDB and no anti-affinity for a single node', () => {
    expect(objects.filter(o => o.kind === 'PodDisruptionBudget')).toHaveLength(0);
    expect(sts(objects).spec.template.spec.affinity).toBeUndefined();
  });
});

describe('Elasticsearch three nodes', () => {
  const objects = render(threeNodes);

  it('bootstraps a cluster through the headless Service with the pod names as initial masters', () => {
    const s = settingsOf(objects);
    expect(s['discovery.type']).toBeUndefined();
    expect(s['discovery.seed_hosts']).toBe('elasticsearch-headless');
    expect(s['cluster.initial_master_nodes']).toEqual(['elasticsearch-0', 'elasticsearch-1', 'elasticsearch-2']);
    expect(s['node.name']).toBe('${NODE_NAME}');
    expect(sts(objects).spec.serviceName).toBe('elasticsearch-headless');
    expect(sts(objects).spec.podManagementPolicy).toBe('Parallel');
  });

  it('headless Service publishes not-ready addresses on http and transport', () => {
    const svc = find(objects, 'Service', 'elasticsearch-headless', 'logging');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.publishNotReadyAddresses).toBe(true);
    expect(svc.spec.ports.map((p: any) => p.port)).toEqual([9200, 9300]);
    const client = find(objects, 'Service', 'elasticsearch', 'logging');
    expect(client.spec.ports.map((p: any) => p.port)).toEqual([9200]);
  });

  it('requires anti-affinity across nodes and has a PDB of maxUnavailable 1', () => {
    const term = sts(objects).spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(term.labelSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'elasticsearch', 'app.kubernetes.io/instance': 'logging' });
    expect(find(objects, 'PodDisruptionBudget', 'elasticsearch', 'logging').spec.maxUnavailable).toBe(1);
  });

  it('uses transport TLS from the Secret, mounted below the config directory', () => {
    const s = settingsOf(objects);
    expect(s['xpack.security.transport.ssl.enabled']).toBe('true');
    expect(s['xpack.security.transport.ssl.verification_mode']).toBe('certificate');
    expect(s['xpack.security.transport.ssl.certificate_authorities']).toBe('certs/ca.crt');
    const volume = sts(objects).spec.template.spec.volumes.find((v: any) => v.name === 'certs');
    expect(volume.secret.secretName).toBe('elasticsearch-transport-tls');
    expect(mainContainer(objects).volumeMounts).toContainEqual({ name: 'certs', mountPath: '/usr/share/elasticsearch/config/certs', readOnly: true });
  });

  it('allows 9200 and 9300 between the nodes, and 9200 from the listed clients only', () => {
    const policy = find(objects, 'NetworkPolicy', 'elasticsearch', 'logging');
    const [nodes, clients] = policy.spec.ingress;
    expect(nodes.ports.map((p: any) => p.port)).toEqual([9200, 9300]);
    expect(nodes.from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'elasticsearch', 'app.kubernetes.io/instance': 'logging' } } }]);
    expect(clients.ports.map((p: any) => p.port)).toEqual([9200]);
    expect(clients.from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kibana' } } }]);
  });
});

describe('Elasticsearch refuses unsafe shapes', () => {
  it.each([
    [{ nodes: 2, transportTlsSecret: 't' }, /nodes must be 1 or an odd number >= 3, got 2/],
    [{ nodes: 3 }, /multi-node cluster needs transportTlsSecret/],
    [{ heap: '768Mi' }, /limits.memory 1Gi must be at least twice the heap 768Mi/],
    [{ heap: '500M' }, /heap "500M" must be a whole number of MiB/],
  ] as Array<[Partial<ElasticsearchProps>, RegExp]>)('%j', (props, message) => {
    expect(() => render(props)).toThrow(message);
  });
});
