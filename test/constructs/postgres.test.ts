import { Testing } from 'cdk8s';
import { Postgres, PostgresProps, POSTGRES_CLIENT_LABEL } from '../../constructs/postgres';
import { guaranteed, sized } from '../../src/config/sizes';
import { VERSIONS } from '../../constructs/versions';
const POSTGRES_IMAGE = VERSIONS.postgres;

const base: PostgresProps = {
  instance: 'data',
  namespace: 'data',
  image: POSTGRES_IMAGE,
  resources: guaranteed('500m', '512Mi'),
  storage: { size: '5Gi', storageClassName: 'replicated' },
  shmSize: '128Mi',
  database: 'app',
  user: 'app',
  passwordSecret: { name: 'postgres-auth', key: 'password' },
  clientNamespaces: ['dockercoins'],
};

function render(props: Partial<PostgresProps> = {}): any[] {
  const chart = Testing.chart();
  new Postgres(chart, 'Postgres', { ...base, ...props });
  return Testing.synth(chart);
}
const find = (objs: any[], kind: string, name?: string) => objs.find(o => o.kind === kind && (!name || o.metadata.name === name));

describe('Postgres', () => {
  const objs = render();
  const sts = find(objs, 'StatefulSet');
  const pod = sts.spec.template.spec;
  const c = pod.containers[0];
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  test('one replica behind a headless Service of the same name', () => {
    expect(sts.spec.replicas).toBe(1);
    const svc = find(objs, 'Service', 'postgres');
    expect(sts.spec.serviceName).toBe('postgres');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 'postgres', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
  });

  test('data on a volumeClaimTemplate, PGDATA in a subdirectory of the mount', () => {
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data', labels: sts.spec.selector.matchLabels },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'replicated', resources: { requests: { storage: '5Gi' } } },
    }]);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
    expect(env.PGDATA).toBe('/var/lib/postgresql/data/pgdata');
  });

  test('password from the Secret, never a literal; host auth is never trust', () => {
    expect(env.POSTGRES_PASSWORD).toEqual({ secretKeyRef: { name: 'postgres-auth', key: 'password' } });
    expect(env.POSTGRES_HOST_AUTH_METHOD).toBe('scram-sha-256');
    expect(JSON.stringify(objs)).not.toMatch(/trust/i);
    expect(objs.some(o => o.kind === 'Secret')).toBe(false);
  });

  test('writable emptyDirs for the socket dir and /tmp, memory-backed /dev/shm with the configured size', () => {
    const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes[mounts['/var/run/postgresql']].emptyDir).toBeDefined();
    expect(volumes[mounts['/tmp']].emptyDir).toBeDefined();
    expect(volumes[mounts['/dev/shm']].emptyDir).toEqual({ medium: 'Memory', sizeLimit: '128Mi' });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('restricted profile as uid/gid 10070 with fsGroup 10070 (initdb under nss_wrapper)', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10070, runAsGroup: 10070, fsGroup: 10070, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 10070 });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('pg_isready readiness and startup, a TCP liveness that holds through crash recovery; startup long enough for initdb', () => {
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 5432 });
    for (const probe of [c.readinessProbe, c.startupProbe]) {
      expect(probe.exec.command).toEqual(['pg_isready', '-U', 'app', '-d', 'app', '-h', '127.0.0.1', '-p', '5432']);
    }
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
  });

  test('Guaranteed QoS: requests equal limits', () => {
    expect(c.resources.requests.cpu).toBe(c.resources.limits.cpu);
    expect(c.resources.requests.memory).toBe(c.resources.limits.memory);
  });

  test('limits above requests are refused (Guaranteed QoS)', () => {
    expect(() => render({ resources: sized('500m', '512Mi', '1', '512Mi') })).toThrow(/limits\.cpu: must equal requests\.cpu for Guaranteed QoS/);
  });

  test('fast shutdown on stop, within the grace period', () => {
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(c.lifecycle.preStop.exec.command.join(' ')).toMatch(/pg_ctl stop -D "\$PGDATA" -m fast -w -t 50/);
    expect(() => render({ terminationGracePeriodSeconds: 10 })).toThrow(/terminationGracePeriodSeconds must be at least 20/);
  });

  test('NetworkPolicy: only labelled clients (own and listed namespaces) on 5432, no egress', () => {
    const np = find(objs, 'NetworkPolicy', 'postgres');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress).toEqual([]);
    expect(np.spec.ingress).toEqual([{
      from: [
        { podSelector: { matchLabels: { [POSTGRES_CLIENT_LABEL]: 'true' } } },
        { podSelector: { matchLabels: { [POSTGRES_CLIENT_LABEL]: 'true' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dockercoins' } } },
      ],
      ports: [{ port: 5432, protocol: 'TCP' }],
    }]);
  });

  test('labelled client pods of the namespace may connect out to Postgres only (DNS included)', () => {
    const np = find(objs, 'NetworkPolicy', 'postgres-clients');
    expect(np.metadata.annotations['platform.dockercoins.io/selects-external-pods']).toMatch(/psql/);
    expect(np.spec.podSelector).toEqual({ matchLabels: { [POSTGRES_CLIENT_LABEL]: 'true' } });
    expect(np.spec.ingress).toEqual([]);
    expect(np.spec.egress[0]).toEqual({ to: [{ podSelector: { matchLabels: sts.spec.selector.matchLabels } }], ports: [{ port: 5432, protocol: 'TCP' }] });
    expect(np.spec.egress[1].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);
  });

  test('every object is namespaced and labelled', () => {
    for (const o of objs) {
      expect(o.metadata.namespace).toBe('data');
      expect(o.metadata.labels['app.kubernetes.io/name']).toBe('postgres');
      expect(o.metadata.labels['app.kubernetes.io/version']).toBe(POSTGRES_IMAGE.tag);
    }
  });
});
