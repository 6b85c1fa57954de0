import { Kibana, KibanaProps } from '../../constructs/kibana';
import { find, Obj, resources, synth } from './logging-helpers';

const base: KibanaProps = {
  instance: 'logging',
  namespace: 'logging',
  image: { registry: 'docker.elastic.co', repository: 'kibana/kibana', tag: '8.15.3' },
  replicas: 1,
  resources: resources('512Mi', '1Gi'),
  elasticsearch: {
    url: 'http://elasticsearch.logging.svc:9200',
    port: 9200,
    peer: { pods: { 'app.kubernetes.io/name': 'elasticsearch' }, namespace: 'logging' },
  },
  credentialsSecret: 'kibana-credentials',
  ingress: { host: 'kibana.example.com', className: 'traefik', controllerNamespace: 'traefik' },
};

function render(props: Partial<KibanaProps> = {}): Obj[] {
  return synth(scope => new Kibana(scope, 'kb', { ...base, ...props }));
}
const deployment = (o: Obj[]) => find(o, 'Deployment', 'kibana', 'logging');
const envOf = (c: any): Record<string, any> => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('Kibana', () => {
  const objects = render();
  const spec = deployment(objects).spec.template.spec;
  const kibana = spec.containers[0];

  it('connects as kibana_system with the password from its Secret, never as elastic', () => {
    const env = envOf(kibana);
    expect(env.ELASTICSEARCH_HOSTS).toBe('http://elasticsearch.logging.svc:9200');
    expect(env.ELASTICSEARCH_USERNAME).toBe('kibana_system');
    expect(env.ELASTICSEARCH_PASSWORD).toEqual({ secretKeyRef: { name: 'kibana-credentials', key: 'password' } });
    expect(env.XPACK_SECURITY_ENCRYPTIONKEY).toEqual({ secretKeyRef: { name: 'kibana-credentials', key: 'encryptionKey' } });
    expect(JSON.stringify(kibana)).not.toContain('elasticsearch-credentials');
  });

  it('never reads the elastic password: the Elasticsearch setup Job sets kibana_system (requirement: Kibana uses kibana_system)', () => {
    expect(spec.initContainers).toBeUndefined();
    expect(JSON.stringify(deployment(objects))).not.toContain('elasticsearch-credentials');
    expect(JSON.stringify(deployment(objects))).not.toContain('ELASTIC_PASSWORD');
  });

  it('is ready on /api/status and alive while its port answers', () => {
    expect(kibana.readinessProbe.httpGet).toEqual({ path: '/api/status', port: 'http', scheme: 'HTTP' });
    expect(kibana.livenessProbe.tcpSocket.port).toBe('http');
    expect(kibana.startupProbe).toBeDefined();
  });

  it('runs restricted with a read-only root fs and writable data and /tmp', () => {
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 11000, runAsGroup: 11000, supplementalGroups: [0], seccompProfile: { type: 'RuntimeDefault' } });
    expect(kibana.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(kibana.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/tmp', '/usr/share/kibana/data']);
  });

  it('is published by an Ingress of the class, with the host and no TLS unless set', () => {
    const ing = find(objects, 'Ingress', 'kibana', 'logging');
    expect(ing.spec.ingressClassName).toBe('traefik');
    expect(ing.spec.rules[0].host).toBe('kibana.example.com');
    expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'kibana', port: { name: 'http' } });
    expect(ing.spec.tls).toBeUndefined();
    expect(envOf(kibana).SERVER_PUBLICBASEURL).toBe('http://kibana.example.com');
    const tls = render({ ingress: { ...base.ingress, tlsSecretName: 'kibana-tls' } });
    expect(find(tls, 'Ingress', 'kibana', 'logging').spec.tls).toEqual([{ hosts: ['kibana.example.com'], secretName: 'kibana-tls' }]);
    expect(envOf(deployment(tls).spec.template.spec.containers[0]).SERVER_PUBLICBASEURL).toBe('https://kibana.example.com');
  });

  it('allows only the ingress controller in, and only Elasticsearch 9200 (plus DNS) out', () => {
    const p = find(objects, 'NetworkPolicy', 'kibana', 'logging').spec;
    expect(p.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } }], ports: [{ port: 5601, protocol: 'TCP' }] }]);
    expect(p.egress).toHaveLength(2);
    expect(p.egress[0].ports).toEqual([{ port: 9200, protocol: 'TCP' }]);
  });

  it('has a PDB and spreads only when replicated', () => {
    expect(objects.filter(o => o.kind === 'PodDisruptionBudget')).toHaveLength(0);
    const two = render({ replicas: 2 });
    expect(find(two, 'PodDisruptionBudget', 'kibana', 'logging').spec.maxUnavailable).toBe(1);
    expect(deployment(two).spec.template.spec.topologySpreadConstraints).toHaveLength(1);
  });
});
