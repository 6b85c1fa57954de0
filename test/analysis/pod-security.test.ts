import {
  checkHardening,
  checkObjectsPodSecurity,
  checkPodSecurity,
  namespacePodSecurityLevel,
  PodSecurityLevel,
} from '../../src/analysis/pod-security';
import { K8sObject } from '../../src/analysis/objects';

/** A pod spec that satisfies restricted and the project hardening rules. */
function compliant(): Record<string, any> {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [{ name: 'init', image: 'busybox:1', securityContext: containerSc() }],
    containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }], securityContext: containerSc() }],
    volumes: [
      { name: 'tmp', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    ],
  };
}
function containerSc(): Record<string, any> {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
}
const rules = (spec: Record<string, any>, level: PodSecurityLevel, meta?: any) => checkPodSecurity(spec, level, meta).map((v) => v.rule);

describe('checkPodSecurity', () => {
  it('accepts the compliant spec at every level', () => {
    expect(checkPodSecurity(compliant(), 'restricted')).toEqual([]);
    expect(checkPodSecurity(compliant(), 'baseline')).toEqual([]);
  });

  it('never reports anything at privileged', () => {
    const s = compliant();
    s.hostNetwork = true;
    s.containers[0].securityContext.privileged = true;
    expect(checkPodSecurity(s, 'privileged')).toEqual([]);
  });

  // Each case: [rule, mutation making the spec violate it, levels where it is reported, expected message]
  const cases: Array<[string, (s: Record<string, any>) => void, PodSecurityLevel[], RegExp]> = [
    ['host-namespaces', (s) => { s.hostNetwork = true; }, ['baseline', 'restricted'], /hostNetwork must not be true/],
    ['host-namespaces', (s) => { s.hostPID = true; }, ['baseline', 'restricted'], /hostPID/],
    ['host-namespaces', (s) => { s.hostIPC = true; }, ['baseline', 'restricted'], /hostIPC/],
    ['host-process', (s) => { s.securityContext.windowsOptions = { hostProcess: true }; }, ['baseline', 'restricted'], /hostProcess/],
    ['privileged', (s) => { s.containers[0].securityContext.privileged = true; }, ['baseline', 'restricted'], /privileged must not be true/],
    ['privileged', (s) => { s.initContainers[0].securityContext.privileged = true; }, ['baseline', 'restricted'], /privileged/],
    ['capabilities', (s) => { s.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']; }, ['baseline', 'restricted'], /SYS_ADMIN must not be added/],
    ['host-path-volumes', (s) => { s.volumes.push({ name: 'h', hostPath: { path: '/var/log' } }); }, ['baseline', 'restricted'], /volume "h" uses hostPath/],
    ['host-ports', (s) => { s.containers[0].ports[0].hostPort = 80; }, ['baseline', 'restricted'], /hostPort 80/],
    ['apparmor', (s) => { s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }; }, ['baseline', 'restricted'], /appArmorProfile.type must be RuntimeDefault or Localhost, not Unconfined/],
    ['selinux', (s) => { s.securityContext.seLinuxOptions = { type: 'spc_t' }; }, ['baseline', 'restricted'], /seLinuxOptions.type spc_t/],
    ['selinux', (s) => { s.containers[0].securityContext.seLinuxOptions = { user: 'system_u' }; }, ['baseline', 'restricted'], /seLinuxOptions.user must not be set/],
    ['proc-mount', (s) => { s.containers[0].securityContext.procMount = 'Unmasked'; }, ['baseline', 'restricted'], /procMount must be Default, not Unmasked/],
    ['seccomp', (s) => { s.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }; }, ['baseline', 'restricted'], /seccompProfile.type must not be Unconfined/],
    ['sysctls', (s) => { s.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }, ['baseline', 'restricted'], /sysctl "kernel.msgmax" is not in the safe set/],
    ['volume-types', (s) => { s.volumes.push({ name: 'n', nfs: { server: 'x', path: '/' } }); }, ['restricted'], /volume "n" uses nfs/],
    ['allow-privilege-escalation', (s) => { delete s.containers[0].securityContext.allowPrivilegeEscalation; }, ['restricted'], /allowPrivilegeEscalation must be false/],
    ['allow-privilege-escalation', (s) => { s.initContainers[0].securityContext.allowPrivilegeEscalation = true; }, ['restricted'], /allowPrivilegeEscalation must be false/],
    ['capabilities', (s) => { s.containers[0].securityContext.capabilities.drop = ['NET_RAW']; }, ['restricted'], /drop must include ALL/],
    ['capabilities', (s) => { s.containers[0].securityContext.capabilities.add = ['CHOWN']; }, ['restricted'], /CHOWN must not be added \(restricted allows only NET_BIND_SERVICE\)/],
    ['run-as-non-root', (s) => { delete s.securityContext.runAsNonRoot; }, ['restricted'], /runAsNonRoot must be true .*missing in app, init \(init\)/],
    ['run-as-non-root', (s) => { s.containers[0].securityContext.runAsNonRoot = false; }, ['restricted'], /runAsNonRoot must not be false/],
    ['run-as-user', (s) => { s.containers[0].securityContext.runAsUser = 0; }, ['restricted'], /runAsUser must not be 0/],
    ['run-as-user', (s) => { s.securityContext.runAsUser = 0; }, ['restricted'], /runAsUser must not be 0/],
    ['seccomp', (s) => { delete s.securityContext.seccompProfile; }, ['restricted'], /seccompProfile.type must be RuntimeDefault or Localhost in the pod securityContext or in every container/],
  ];

  it.each(cases)('reports %s for a violating spec (case %#)', (rule, mutate, levels, message) => {
    const s = compliant();
    mutate(s);
    for (const level of ['baseline', 'restricted'] as const) {
      const found = checkPodSecurity(s, level);
      if (levels.includes(level)) {
        // exactly this rule fires, with its specific message
        expect(found.map((v) => v.rule)).toEqual([rule]);
        expect(found[0].message).toMatch(message);
      } else {
        expect(found).toEqual([]);
      }
    }
    // the compliant spec does not trigger the rule: the mutation is what matters
    expect(rules(compliant(), 'restricted')).not.toContain(rule);
  });

  it('allows adding baseline-default capabilities at baseline but only NET_BIND_SERVICE at restricted', () => {
    const s = compliant();
    s.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE', 'CHOWN'];
    expect(rules(s, 'baseline')).toEqual([]);
    const v = checkPodSecurity(s, 'restricted');
    expect(v).toEqual([{ rule: 'capabilities', container: 'app', message: expect.stringMatching(/CHOWN/) }]);
  });

  it('allows safe sysctls, runtime/default AppArmor annotations and container_t SELinux', () => {
    const s = compliant();
    s.securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }, { name: 'net.ipv4.tcp_keepalive_time', value: '60' }];
    s.securityContext.seLinuxOptions = { type: 'container_t', level: 's0:c1' };
    const meta = { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' } };
    expect(checkPodSecurity(s, 'restricted', meta)).toEqual([]);
  });

  it('reports an unconfined AppArmor annotation on the pod template', () => {
    const meta = { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } };
    expect(checkPodSecurity(compliant(), 'baseline', meta)).toEqual([{ rule: 'apparmor', container: 'app', message: expect.stringMatching(/unconfined/) }]);
  });

  it('accepts runAsNonRoot and seccomp set on every container instead of the pod', () => {
    const s = compliant();
    delete s.securityContext.runAsNonRoot;
    delete s.securityContext.seccompProfile;
    for (const c of [...s.containers, ...s.initContainers]) {
      c.securityContext.runAsNonRoot = true;
      c.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
    }
    expect(checkPodSecurity(s, 'restricted')).toEqual([]);
    // ...but not when one container (here the init container) lacks it
    delete s.initContainers[0].securityContext.runAsNonRoot;
    expect(checkPodSecurity(s, 'restricted')).toEqual([
      { rule: 'run-as-non-root', message: expect.stringContaining('init (init)') },
    ]);
  });

  it('checks ephemeral containers too', () => {
    const s = compliant();
    s.ephemeralContainers = [{ name: 'debug', image: 'busybox:1', securityContext: { privileged: true } }];
    expect(checkPodSecurity(s, 'baseline')).toEqual([{ rule: 'privileged', container: 'debug (ephemeral)', message: expect.any(String) }]);
  });

  it('names the offending container', () => {
    const s = compliant();
    s.containers.push({ name: 'sidecar', image: 'x:1', securityContext: { ...containerSc(), privileged: true } });
    expect(checkPodSecurity(s, 'baseline')).toEqual([{ rule: 'privileged', container: 'sidecar', message: 'securityContext.privileged must not be true' }]);
  });
});

describe('namespacePodSecurityLevel', () => {
  const ns = (name: string, level?: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: level ? { 'pod-security.kubernetes.io/enforce': level } : {} },
  });
  it('reads the enforce label and defaults to restricted', () => {
    const objs = [ns('monitoring-node', 'privileged'), ns('logging', 'baseline'), ns('plain'), ns('typo', 'priviledged')];
    expect(namespacePodSecurityLevel(objs, 'monitoring-node')).toBe('privileged');
    expect(namespacePodSecurityLevel(objs, 'logging')).toBe('baseline');
    expect(namespacePodSecurityLevel(objs, 'plain')).toBe('restricted');
    expect(namespacePodSecurityLevel(objs, 'typo')).toBe('restricted');
    expect(namespacePodSecurityLevel(objs, 'absent')).toBe('restricted');
  });
});

describe('checkObjectsPodSecurity', () => {
  const deployment = (name: string, namespace: string, spec: Record<string, any>): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } },
  });
  it('applies each namespace level to its workloads and omits compliant ones', () => {
    const hostNet = compliant();
    hostNet.hostNetwork = true;
    const objs: K8sObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'node', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
      deployment('agent', 'node', hostNet),
      deployment('web', 'apps', hostNet),
      deployment('ok', 'apps', compliant()),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'apps' }, spec: {} },
    ];
    expect(checkObjectsPodSecurity(objs)).toEqual([
      { object: 'Deployment apps/web', level: 'restricted', violations: [{ rule: 'host-namespaces', message: 'hostNetwork must not be true' }] },
    ]);
  });
});

describe('checkHardening', () => {
  it('accepts the compliant spec', () => {
    expect(checkHardening(compliant())).toEqual([]);
  });
  it('accepts runAsUser/runAsGroup on the container instead of the pod', () => {
    const s = compliant();
    delete s.securityContext.runAsUser;
    delete s.securityContext.runAsGroup;
    for (const c of [...s.containers, ...s.initContainers]) Object.assign(c.securityContext, { runAsUser: 10, runAsGroup: 10 });
    expect(checkHardening(s)).toEqual([]);
  });
  it('requires readOnlyRootFilesystem on every container, init containers included', () => {
    const s = compliant();
    s.initContainers[0].securityContext.readOnlyRootFilesystem = false;
    expect(checkHardening(s)).toEqual([{ rule: 'read-only-root-filesystem', container: 'init (init)', message: expect.any(String) }]);
  });
  it('requires a numeric runAsUser', () => {
    const s = compliant();
    delete s.securityContext.runAsUser;
    expect(checkHardening(s).map((v) => `${v.rule}:${v.container}`)).toEqual(['explicit-run-as-user:app', 'explicit-run-as-user:init (init)']);
  });
  it('requires a numeric runAsGroup', () => {
    const s = compliant();
    s.securityContext.runAsGroup = '1000';
    expect(checkHardening(s).map((v) => v.rule)).toEqual(['explicit-run-as-group', 'explicit-run-as-group']);
  });
});
