import { HardenedDaemonSet, PodProps } from '../../constructs/lib/workload';
import { synth } from '../constructs/logging-helpers';

const props: PodProps = {
  identity: { name: 'agent', instance: 'x', component: 'agent', partOf: 'x', version: '1' },
  namespace: 'node-agents',
  runAs: { user: 10001, group: 10001 },
  qos: 'Burstable',
  terminationGracePeriodSeconds: 10,
  containers: [{
    name: 'agent',
    image: { registry: '', repository: 'agent', tag: '1' },
    resources: { requests: { cpu: '10m', memory: '16Mi', ephemeralStorage: '16Mi' }, limits: { cpu: '100m', memory: '32Mi', ephemeralStorage: '32Mi' } },
    probes: { waivedBecause: 'test' },
  }],
};
const podSpec = (extra: Partial<PodProps>) =>
  synth(s => new HardenedDaemonSet(s, 'ds', { ...props, ...extra })).find(o => o.kind === 'DaemonSet')!.spec.template.spec;

describe('HardenedPod hostAccess (node agents)', () => {
  it('is restricted by default: non-root, no hostPath', () => {
    const spec = podSpec({});
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(spec.containers[0].securityContext.runAsNonRoot).toBe(true);
    expect((spec.volumes ?? []).some((v: any) => v.hostPath)).toBe(false);
  });

  it('adds hostPath volumes mounted into the containers, read-only unless said otherwise', () => {
    const spec = podSpec({ hostAccess: { reason: 'reads /var/log', paths: [{ name: 'varlog', hostPath: '/var/log' }, { name: 'state', hostPath: '/var/lib/agent', mountPath: '/state', writable: true, type: 'DirectoryOrCreate' }] } });
    expect(spec.volumes).toEqual(expect.arrayContaining([
      { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
      { name: 'state', hostPath: { path: '/var/lib/agent', type: 'DirectoryOrCreate' } },
    ]));
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'state', mountPath: '/state', readOnly: false },
    ]);
    // Not root unless asked.
    expect(spec.securityContext.runAsNonRoot).toBe(true);
  });

  it('runs as root only with runAsRoot, keeping every other restriction', () => {
    const spec = podSpec({ hostAccess: { reason: 'root-owned files', runAsRoot: true } });
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: false, runAsUser: 0, runAsGroup: 0 });
    expect(spec.containers[0].securityContext).toMatchObject({
      runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
  });

  it('needs a reason, rendered as an annotation', () => {
    expect(() => podSpec({ hostAccess: { reason: ' ', runAsRoot: true } })).toThrow(/hostAccess needs a reason/);
    const ds = synth(s => new HardenedDaemonSet(s, 'ds', { ...props, hostAccess: { reason: 'because', runAsRoot: true } })).find(o => o.kind === 'DaemonSet')!;
    expect(ds.spec.template.metadata.annotations['platform.dockercoins.io/host-access-reason']).toBe('because');
  });
});
