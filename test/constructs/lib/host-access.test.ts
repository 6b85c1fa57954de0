import { Chart, Testing } from 'cdk8s';
import { HardenedDaemonSet, HardenedDaemonSetProps, HOST_ACCESS_ANNOTATION } from '../../../constructs/lib/workload';
import { sized } from '../../../src/config/sizes';

const base: HardenedDaemonSetProps = {
  identity: { name: 'agent', instance: 'agent', component: 'node-agent', partOf: 'test', version: '1.0.0' },
  namespace: 'node-agents',
  tier: 'node-agent',
  runAs: { user: 65534, group: 65534 },
  qos: 'Burstable',
  terminationGracePeriodSeconds: 10,
  containers: [{
    name: 'agent', image: { registry: '', repository: 'agent', tag: '1.0.0' }, resources: sized('10m', '16Mi', '100m', '32Mi'),
    probes: { waivedBecause: 'test' }, ports: [{ name: 'metrics', containerPort: 9100 }],
  }],
};

function synth(props: Partial<HardenedDaemonSetProps>): any {
  const chart = new Chart(Testing.app(), 'test');
  new HardenedDaemonSet(chart, 'Agent', { ...base, ...props });
  return (Testing.synth(chart) as any[]).find(o => o.kind === 'DaemonSet');
}

describe('HardenedPod host access (shared helper extension)', () => {
  test('default: no host namespaces, no host paths, surge rollout', () => {
    const ds = synth({});
    const spec = ds.spec.template.spec;
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.hostPID).toBeUndefined();
    expect(spec.volumes ?? []).toEqual([]);
    expect(ds.spec.updateStrategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  test('hostAccess renders host namespaces, read-only hostPath mounts in every container, and the reason', () => {
    const ds = synth({
      hostAccess: {
        reason: 'reads the node', network: true, pid: true,
        paths: [{ name: 'proc', hostPath: '/proc', mountPath: '/host/proc' }, { name: 'state', hostPath: '/var/lib/agent', mountPath: '/state', writable: true }],
      },
    });
    const spec = ds.spec.template.spec;
    expect(spec).toMatchObject({ hostNetwork: true, hostPID: true, dnsPolicy: 'ClusterFirstWithHostNet' });
    expect(spec.volumes).toEqual([{ name: 'proc', hostPath: { path: '/proc', type: 'Directory' } }, { name: 'state', hostPath: { path: '/var/lib/agent', type: 'Directory' } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'proc', mountPath: '/host/proc', readOnly: true }, { name: 'state', mountPath: '/state', readOnly: false }]);
    expect(ds.spec.template.metadata.annotations[HOST_ACCESS_ANNOTATION]).toBe('reads the node');
    // container stays hardened
    expect(spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
    expect(ds.spec.updateStrategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('hostPort is rendered and makes the DaemonSet replace pods in place', () => {
    const ds = synth({ containers: [{ ...base.containers[0], ports: [{ name: 'web', containerPort: 8000, hostPort: 80 }] }] });
    expect(ds.spec.template.spec.containers[0].ports).toEqual([{ name: 'web', containerPort: 8000, hostPort: 80, protocol: 'TCP' }]);
    expect(ds.spec.updateStrategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('refuses host access without a reason, surge with node ports, and the port sysctl with host network', () => {
    expect(() => synth({ hostAccess: { reason: ' ', pid: true } })).toThrow(/hostAccess needs a reason/);
    expect(() => synth({ hostAccess: { reason: 'x', network: true }, maxSurge: 1 })).toThrow(/maxSurge must be 0/);
    expect(() => synth({ hostAccess: { reason: 'x', network: true }, bindsPrivilegedPorts: true })).toThrow(/cannot be combined/);
  });

  test('writable host paths and their type check are explicit; the rest mount read-only', () => {
    const spec = synth({ hostAccess: { reason: 'tails /var/log', paths: [{ name: 'varlog', hostPath: '/var/log' }, { name: 'state', hostPath: '/var/lib/agent', mountPath: '/state', writable: true, type: 'DirectoryOrCreate' }] } }).spec.template.spec;
    expect(spec.volumes).toEqual(expect.arrayContaining([
      { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
      { name: 'state', hostPath: { path: '/var/lib/agent', type: 'DirectoryOrCreate' } },
    ]));
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'state', mountPath: '/state', readOnly: false },
    ]);
    expect(spec.securityContext.runAsNonRoot).toBe(true);
  });

  test('runs as root only with runAsRoot, keeping every other restriction', () => {
    const spec = synth({ hostAccess: { reason: 'root-owned log files', runAsRoot: true } }).spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: false, runAsUser: 0, runAsGroup: 0 });
    expect(spec.containers[0].securityContext).toMatchObject({
      runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
  });
});
