/**
 * The rules that relate ports, hosts, names, quantities, LimitRanges and
 * node access. Each test mutates the clean fixture stack so that exactly the
 * rule under test fires, and asserts the printed lines.
 */
import * as net from 'net';
import * as path from 'path';
import fc from 'fast-check';
import { K8sObject, loadManifests } from '../../src/analysis/objects';
import { formatProblem, Problem, RULES, validateManifests } from '../../src/analysis/validate';
import { RuleId } from '../../constructs/lib/rule-table';
import {
  HOST_ACCESS_PRIVILEGED_ANNOTATION, HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION, HOST_ACCESS_SYS_ADMIN_ANNOTATION,
} from '../../src/analysis/rules-host-access';
import { isDns1123Subdomain, isDns1123Label, portNameProblems } from '../../src/analysis/rules-names';
import { mayBeIpAddress } from '../../src/analysis/rules-ingress';
import { parseQuantity } from '../../src/analysis/rules-quantities';

const STACK = path.join(__dirname, '..', 'fixtures', 'analysis', 'stack');
const pristine = loadManifests([STACK]);
const stack = (): K8sObject[] => structuredClone(pristine);
const find = (objs: K8sObject[], kind: string, name: string, namespace = 'dockercoins'): K8sObject => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name && (x.metadata.namespace ?? 'default') === namespace);
  if (!o) throw new Error(`fixture has no ${kind} ${namespace}/${name}`);
  return o;
};
const lines = (ps: Problem[]) => ps.map(formatProblem);
const ENVS = ['dev', 'staging', 'prod'];
const distCache = new Map<string, K8sObject[]>();
/** The committed rendering of an environment, read once per file. */
const distOf = (env: string): K8sObject[] => {
  if (!distCache.has(env)) distCache.set(env, loadManifests([path.join(__dirname, '..', '..', 'dist', env)]));
  return distCache.get(env)!;
};
const spec = (objs: K8sObject[], kind: string, name: string) => find(objs, kind, name).spec.template.spec;

/** A namespace at the privileged level, so only the rule under test (not pod-security) speaks about host access. */
function privilegedAgent(objs: K8sObject[]): K8sObject {
  objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'agents', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
  const agent = structuredClone(find(objs, 'DaemonSet', 'rng'));
  agent.metadata = { name: 'agent', namespace: 'agents' };
  agent.spec.selector = { matchLabels: { app: 'agent' } };
  agent.spec.template.metadata = { labels: { app: 'agent' } };
  objs.push(agent);
  return agent;
}

describe('rule ids', () => {
  it('lists every new rule', () => {
    for (const r of ['service-target-port', 'probe-port', 'ingress-host', 'ingress-conflict', 'object-name', 'duplicate-object', 'quantities', 'limit-range', 'host-access']) {
      expect(RULES).toContain(r);
    }
  });
});

describe('service-target-port', () => {
  it('flags a named targetPort no selected container declares', () => {
    const objs = stack();
    find(objs, 'Service', 'hasher').spec.ports[0].targetPort = 'htttp';
    expect(lines(validateManifests(objs))).toEqual([
      'Service dockercoins/hasher: [service-target-port] port 80: no selected pod declares a port named "htttp" for TCP (declared: http=80/TCP)',
    ]);
  });

  it('flags a numeric targetPort no selected container declares, and the default targetPort (= port)', () => {
    const objs = stack();
    find(objs, 'Service', 'hasher').spec.ports[0].targetPort = 8080;
    delete find(objs, 'Service', 'rng').spec.ports[0].targetPort;
    find(objs, 'Service', 'rng').spec.ports[0].port = 81;
    expect(lines(validateManifests(objs))).toEqual([
      'Service dockercoins/hasher: [service-target-port] port 80: no selected pod declares containerPort 8080/TCP (declared: http=80/TCP)',
      'Service dockercoins/rng: [service-target-port] port 81: no selected pod declares containerPort 81/TCP (declared: http=80/TCP)',
    ]);
  });

  it('accepts a numeric targetPort that is declared, and matches the protocol', () => {
    const objs = stack();
    find(objs, 'Service', 'hasher').spec.ports[0].targetPort = 80;
    expect(lines(validateManifests(objs))).toEqual([]);
    find(objs, 'Service', 'hasher').spec.ports[0].protocol = 'UDP';
    expect(lines(validateManifests(objs))).toEqual([
      'Service dockercoins/hasher: [service-target-port] port 80: no selected pod declares containerPort 80/UDP (declared: http=80/TCP)',
    ]);
  });

  it('leaves Services without selector and ExternalName Services alone', () => {
    const objs = stack();
    objs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'dockercoins' }, spec: { ports: [{ port: 80, targetPort: 'nope' }] } });
    expect(lines(validateManifests(objs))).toEqual([]);
  });
});

describe('probe-port', () => {
  it('flags a named probe port the container does not declare', () => {
    const objs = stack();
    spec(objs, 'Deployment', 'hasher').containers[0].readinessProbe = { httpGet: { path: '/', port: 'htttp' } };
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/hasher: [probe-port] container hasher readinessProbe.httpGet.port "htttp" is not a port name of the container (declared: http)',
    ]);
  });

  it('resolves names only within the same container and reports init containers too', () => {
    const objs = stack();
    const s = spec(objs, 'Deployment', 'webui');
    s.initContainers = [{ ...structuredClone(s.containers[0]), name: 'sidecar', restartPolicy: 'Always', ports: [] }];
    s.initContainers[0].startupProbe = { tcpSocket: { port: 'http' } };
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/webui: [probe-port] init container sidecar readinessProbe.tcpSocket.port "http" is not a port name of the container (declared: none)',
      'Deployment dockercoins/webui: [probe-port] init container sidecar livenessProbe.tcpSocket.port "http" is not a port name of the container (declared: none)',
      'Deployment dockercoins/webui: [probe-port] init container sidecar startupProbe.tcpSocket.port "http" is not a port name of the container (declared: none)',
    ]);
  });

  it('lets a numeric probe port hit an undeclared port (Kubernetes allows it)', () => {
    const objs = stack();
    spec(objs, 'Deployment', 'hasher').containers[0].livenessProbe = { httpGet: { path: '/healthz', port: 9999 } };
    spec(objs, 'Deployment', 'hasher').containers[0].readinessProbe = { grpc: { port: 9998 } };
    expect(lines(validateManifests(objs))).toEqual([]);
  });
});

describe('ingress-host', () => {
  it('flags uppercase, invalid and IP hosts in rules and tls', () => {
    const objs = stack();
    const ing = find(objs, 'Ingress', 'webui');
    const backend = ing.spec.rules[0].http;
    ing.spec.rules[0].host = 'DockerCoins.example.com';
    ing.spec.rules.push({ host: 'web_ui.example.com', http: backend }, { host: '10.0.0.1', http: backend }, { host: '*.apps.example.com', http: backend });
    ing.spec.tls = [{ hosts: ['dockercoins.example.com', 'a..b'], secretName: 'tls' }];
    // (With spec.tls the input has TLS, so the hosts outside it are also plain-http findings: test/security/tls.test.ts.)
    expect(lines(validateManifests(objs)).filter(l => l.includes('[ingress-host]'))).toEqual([
      'Ingress dockercoins/webui: [ingress-host] rule 0 host "DockerCoins.example.com" must be lowercase',
      `Ingress dockercoins/webui: [ingress-host] rule 1 host "web_ui.example.com" is not a valid DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters; "*." may prefix it)`,
      'Ingress dockercoins/webui: [ingress-host] rule 2 host "10.0.0.1" must be a DNS name, not an IP address',
      `Ingress dockercoins/webui: [ingress-host] tls 0 host "a..b" is not a valid DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters; "*." may prefix it)`,
    ]);
  });

  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const host = fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.')).filter((h) => !/^[0-9.]+$/.test(h));

  it('accepts any lowercase DNS-1123 host, with or without a wildcard prefix', () => {
    fc.assert(fc.property(host, fc.boolean(), (h, wildcard) => {
      const objs = stack();
      const ing = find(objs, 'Ingress', 'webui');
      ing.spec.rules[0].host = wildcard ? `*.${h}` : h;
      return lines(validateManifests(objs)).length === 0;
    }), { numRuns: 50 });
  });

  it('flags any such host once it contains an uppercase letter', () => {
    fc.assert(fc.property(host.filter((h) => /[a-z]/.test(h)), fc.nat(), (h, at) => {
      const letters = [...h].map((c, i) => (/[a-z]/.test(c) ? i : -1)).filter((i) => i >= 0);
      const i = letters[at % letters.length];
      const upper = h.slice(0, i) + h[i].toUpperCase() + h.slice(i + 1);
      const objs = stack();
      find(objs, 'Ingress', 'webui').spec.rules[0].host = upper;
      return JSON.stringify(lines(validateManifests(objs))) === JSON.stringify([`Ingress dockercoins/webui: [ingress-host] rule 0 host "${upper}" must be lowercase`]);
    }), { numRuns: 50 });
  });

  it('only strings that cannot be IP addresses skip net.isIP (mayBeIpAddress never says no to an address)', () => {
    const candidates = fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789.:abcdef%') }));
    fc.assert(fc.property(candidates, (s) => net.isIP(s) === 0 || mayBeIpAddress(s)), { numRuns: 2000 });
    expect([mayBeIpAddress('dockercoins.example.com'), mayBeIpAddress('10.0.0.1'), mayBeIpAddress('fe80::1%eth0')]).toEqual([false, true, true]);
  });

  it('isDns1123Subdomain agrees with the label grammar', () => {
    fc.assert(fc.property(host, (h) => isDns1123Subdomain(h)));
    expect(isDns1123Subdomain('a'.repeat(254))).toBe(false);
    expect(isDns1123Label('a.b')).toBe(false);
  });
});

describe('ingress-conflict', () => {
  it('flags the same host and path published twice, across namespaces', () => {
    const objs = stack();
    const other = structuredClone(find(objs, 'Ingress', 'webui'));
    other.metadata = { name: 'webui-copy', namespace: 'other' };
    other.spec.rules[0].http.paths[0].backend = { resource: { apiGroup: 'x', kind: 'Y', name: 'z' } };
    objs.push(other);
    expect(lines(validateManifests(objs))).toEqual([
      'Ingress other/webui-copy: [ingress-conflict] rule 0 (dockercoins.example.com/) path 0: also published by Ingress dockercoins/webui rule 0 path 0',
    ]);
  });

  it('accepts the same host on another path, and another host on the same path', () => {
    const objs = stack();
    const other = structuredClone(find(objs, 'Ingress', 'webui'));
    other.metadata.name = 'webui-api';
    other.spec.rules[0].http.paths[0].path = '/api';
    const third = structuredClone(find(objs, 'Ingress', 'webui'));
    third.metadata.name = 'webui-b';
    third.spec.rules[0].host = 'b.example.com';
    objs.push(other, third);
    expect(lines(validateManifests(objs))).toEqual([]);
  });
});

describe('object-name', () => {
  it('flags invalid names by kind: subdomain, Namespace label, Service DNS-1035 label, RBAC path segments', () => {
    const objs = stack();
    objs.push(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'App_Config', namespace: 'dockercoins' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a'.repeat(254), namespace: 'dockercoins' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team.a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: '1st', namespace: 'dockercoins' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:reader' }, rules: [] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'a/b' }, rules: [] },
    );
    expect(lines(validateManifests(objs))).toEqual([
      `ConfigMap dockercoins/App_Config: [object-name] metadata.name "App_Config" is not a valid DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)`,
      `ConfigMap dockercoins/${'a'.repeat(254)}: [object-name] metadata.name "${'a'.repeat(254)}" is 254 characters; a DNS-1123 subdomain has at most 253`,
      `Namespace team.a: [object-name] metadata.name "team.a" is not a valid DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`,
      `Service dockercoins/1st: [object-name] metadata.name "1st" is not a valid DNS-1035 label (lowercase letters, digits and '-', starting with a letter and ending with a letter or digit)`,
      `ClusterRole a/b: [object-name] metadata.name "a/b" must not contain '/' or '%' and must not be '.' or '..'`,
    ]);
  });

  it('flags an invalid metadata.namespace', () => {
    const objs = stack();
    objs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'Dockercoins' } });
    expect(lines(validateManifests(objs))).toEqual([
      `ConfigMap Dockercoins/c: [object-name] metadata.namespace "Dockercoins" is not a valid DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`,
    ]);
  });

  it('accepts any DNS-1123 label as a Namespace name and flags it above 63 characters', () => {
    const edge = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
    const inner = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-');
    // lengths on both sides of 63, which a plain regex arbitrary rarely reaches
    const name = fc.integer({ min: 0, max: 78 }).chain((n) =>
      fc.tuple(edge, fc.array(inner, { minLength: n, maxLength: n }), edge).map(([a, mid, z]) => a + mid.join('') + z));
    fc.assert(fc.property(name, (n) => {
      const out = lines(validateManifests([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }]));
      return n.length <= 63
        ? out.length === 0
        : JSON.stringify(out) === JSON.stringify([`Namespace ${n}: [object-name] metadata.name "${n}" is ${n.length} characters; a DNS-1123 label has at most 63`]);
    }), { numRuns: 100 });
  });
});

describe('duplicate-object', () => {
  it('flags a second object with the same group, kind, namespace and name, whatever the version', () => {
    const objs = stack();
    const again = structuredClone(find(objs, 'Service', 'rng'));
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'dockercoins' } };
    const hpa = (apiVersion: string): K8sObject => ({
      apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'hasher', namespace: 'dockercoins' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hasher' }, minReplicas: 1, maxReplicas: 3 },
    });
    objs.push(again, cm, { ...structuredClone(cm), metadata: { name: 'c' } }, structuredClone(cm), hpa('autoscaling/v2'), hpa('autoscaling/v1'));
    expect(lines(validateManifests(objs))).toEqual([
      'Service dockercoins/rng: [duplicate-object] also defined earlier in the input (same apiVersion group, kind, namespace and name); only one of them is applied',
      'ConfigMap dockercoins/c: [duplicate-object] also defined earlier in the input (same apiVersion group, kind, namespace and name); only one of them is applied',
      'HorizontalPodAutoscaler dockercoins/hasher: [duplicate-object] also defined earlier in the input (same apiVersion group, kind, namespace and name); only one of them is applied',
    ]);
  });
});

describe('quantities', () => {
  it('flags millibyte memory, negative values, cpu with a byte unit, a too small memory and invalid syntax', () => {
    const objs = stack();
    spec(objs, 'Deployment', 'hasher').containers[0].resources = { requests: { cpu: '2Gi', memory: '96m' }, limits: { cpu: '-1', memory: 128 } };
    spec(objs, 'Deployment', 'webui').containers[0].resources.limits['ephemeral-storage'] = '1Y';
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/hasher: [quantities] container hasher resources.requests.cpu "2Gi" has the byte unit Gi; cpu is counted in cores (2) or millicores (500m)',
      'Deployment dockercoins/hasher: [quantities] container hasher resources.requests.memory "96m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 96Mi',
      'Deployment dockercoins/hasher: [quantities] container hasher resources.limits.cpu "-1" must not be negative',
      'Deployment dockercoins/hasher: [quantities] container hasher resources.limits.memory 128 is below 4Mi: no container starts in that little memory (missing or wrong unit?)',
      'Deployment dockercoins/webui: [quantities] container webui resources.limits.ephemeral-storage "1Y" is not a valid quantity (a number with one of the suffixes n u m k M G T P E Ki Mi Gi Ti Pi Ei, or an exponent like 1e3)',
    ]);
  });

  it('checks init containers, ResourceQuota, LimitRange, PVCs, volumeClaimTemplates and emptyDir sizeLimit', () => {
    const objs = stack();
    const s = spec(objs, 'Deployment', 'webui');
    s.initContainers = [{ ...structuredClone(s.containers[0]), name: 'init' }];
    delete s.initContainers[0].readinessProbe;
    delete s.initContainers[0].livenessProbe;
    delete s.initContainers[0].ports;
    s.initContainers[0].resources.requests.memory = '64m';
    s.volumes[0].emptyDir = { sizeLimit: '-64Mi' };
    objs.push(
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'dockercoins' }, spec: { hard: { 'limits.memory': '2gi', 'requests.cpu': '4Ki', pods: -1 } } },
      { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'dockercoins' }, spec: { limits: [{ type: 'Container', max: { memory: '1500m' } }] } },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'dockercoins' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10m' } } } },
    );
    const sts = structuredClone(find(objs, 'Deployment', 'redis'));
    sts.kind = 'StatefulSet';
    sts.metadata.name = 'redis-sts';
    sts.spec.serviceName = 'redis';
    sts.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '-1Gi' } } } }];
    objs.push(sts);
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/webui: [quantities] init container init resources.requests.memory "64m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 64Mi',
      'Deployment dockercoins/webui: [quantities] volume tmp emptyDir.sizeLimit "-64Mi" must not be negative',
      'ResourceQuota dockercoins/q: [schema] spec.hard["limits.memory"]: must be number or quantity string',
      'ResourceQuota dockercoins/q: [quantities] spec.hard["requests.cpu"] "4Ki" has the byte unit Ki; cpu is counted in cores (2) or millicores (500m)',
      'ResourceQuota dockercoins/q: [quantities] spec.hard.pods -1 must not be negative',
      'LimitRange dockercoins/l: [quantities] spec.limits[0].max.memory "1500m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 1500Mi',
      'PersistentVolumeClaim dockercoins/data: [quantities] spec.resources.requests.storage "10m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 10Mi',
      'StatefulSet dockercoins/redis-sts: [quantities] volumeClaimTemplate data spec.resources.requests.storage "-1Gi" must not be negative',
    ]);
  });

  it('parseQuantity follows the Kubernetes grammar', () => {
    expect(parseQuantity('96Mi')).toEqual({ negative: false, number: '96', suffix: 'Mi', value: 96 * 2 ** 20 });
    expect(parseQuantity('1e3')?.value).toBe(1000);
    expect(parseQuantity('.5')?.value).toBe(0.5);
    expect(parseQuantity(-2)?.negative).toBe(true);
    for (const bad of ['1Y', '1K', '1 Mi', 'Mi', '1e', '1.5.5', '1mi', '']) expect(parseQuantity(bad)).toBeUndefined();
  });

  it('any valid memory quantity of at least 4Mi with a byte suffix passes', () => {
    // between the 4Mi floor and the fixture's 128Mi limit
    const factor: Record<string, number> = { Ki: 1024, Mi: 2 ** 20, k: 1e3, M: 1e6 };
    const memory = fc.constantFrom(...Object.keys(factor)).chain((s) =>
      fc.integer({ min: Math.ceil((4 * 2 ** 20) / factor[s]), max: Math.floor((128 * 2 ** 20) / factor[s]) }).map((n) => `${n}${s}`));
    fc.assert(fc.property(memory, (m) => {
      const objs = stack();
      spec(objs, 'Deployment', 'hasher').containers[0].resources.requests.memory = m;
      return lines(validateManifests(objs)).length === 0;
    }), { numRuns: 50 });
  });

  it('any memory quantity with the m suffix is flagged', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), (n) => {
      const objs = stack();
      spec(objs, 'Deployment', 'hasher').containers[0].resources.limits.memory = `${n}m`;
      const out = lines(validateManifests(objs));
      return out.length === 1 && out[0].includes('[quantities]') && out[0].includes(`"${n}m" has the suffix m`);
    }), { numRuns: 50 });
  });
});

describe('limit-range', () => {
  it('flags limits above max and requests below min of a Container LimitRange of the namespace', () => {
    const objs = stack();
    objs.push({
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'dockercoins' },
      spec: { limits: [{ type: 'Container', max: { cpu: '400m', memory: '1Gi' }, min: { memory: '96Mi' } }, { type: 'Pod', max: { cpu: '100m' } }] },
    });
    // another namespace's LimitRange does not apply
    objs.push({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'tiny', namespace: 'other' }, spec: { limits: [{ type: 'Container', max: { cpu: '1m' } }] } });
    spec(objs, 'Deployment', 'hasher').containers[0].resources.requests.memory = '128Mi';
    spec(objs, 'Deployment', 'hasher').containers[0].resources.limits.cpu = '400m';
    const lr = lines(validateManifests(objs));
    expect(lr).toContain('Deployment dockercoins/webui: [limit-range] container webui limits.cpu 500m is above max 400m of LimitRange dockercoins/defaults');
    expect(lr).toContain('Deployment dockercoins/webui: [limit-range] container webui requests.memory 64Mi is below min 96Mi of LimitRange dockercoins/defaults');
    expect(lr.filter((l) => l.startsWith('Deployment dockercoins/hasher'))).toEqual([]);
    expect(lr.every((l) => l.includes('[limit-range]'))).toBe(true);
  });
});

describe('host-access', () => {
  it('refuses privileged, SYS_ADMIN and the runtime socket without a declaration', () => {
    const objs = stack();
    const agent = privilegedAgent(objs);
    const s = agent.spec.template.spec;
    s.containers[0].securityContext.privileged = true;
    s.containers[0].securityContext.allowPrivilegeEscalation = true;
    s.containers[0].securityContext.capabilities.add = ['CAP_SYS_ADMIN'];
    s.volumes.push({ name: 'sock', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } }, { name: 'root', hostPath: { path: '/' } }, { name: 'logs', hostPath: { path: '/var/log' } });
    expect(lines(validateManifests(objs))).toEqual([
      `DaemonSet agents/agent: [host-access] container rng is privileged (securityContext.privileged: true); declare it with pod template annotation ${HOST_ACCESS_PRIVILEGED_ANNOTATION}: <reason>`,
      `DaemonSet agents/agent: [host-access] container rng adds capability CAP_SYS_ADMIN; declare it with pod template annotation ${HOST_ACCESS_SYS_ADMIN_ANNOTATION}: <reason>`,
      `DaemonSet agents/agent: [host-access] volume "sock" mounts the container runtime socket /var/run/docker.sock (hostPath); declare it with pod template annotation ${HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION}: <reason>`,
      `DaemonSet agents/agent: [host-access] volume "root" mounts hostPath /, which contains the container runtime socket /run/containerd/containerd.sock; declare it with pod template annotation ${HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION}: <reason>`,
    ]);
  });

  it('accepts each need when declared with a reason, and flags empty or needless declarations', () => {
    const objs = stack();
    const agent = privilegedAgent(objs);
    const s = agent.spec.template.spec;
    s.containers[0].securityContext.privileged = true;
    s.containers[0].securityContext.capabilities.add = ['ALL'];
    agent.spec.template.metadata.annotations = {
      [HOST_ACCESS_PRIVILEGED_ANNOTATION]: 'loads kernel modules for the CNI',
      [HOST_ACCESS_SYS_ADMIN_ANNOTATION]: ' ',
      [HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION]: 'lists containers',
    };
    expect(lines(validateManifests(objs))).toEqual([
      `DaemonSet agents/agent: [host-access] annotation ${HOST_ACCESS_SYS_ADMIN_ANNOTATION} must give a non-empty reason`,
      `DaemonSet agents/agent: [host-access] container rng adds capability ALL (which includes SYS_ADMIN); declare it with pod template annotation ${HOST_ACCESS_SYS_ADMIN_ANNOTATION}: <reason>`,
      `DaemonSet agents/agent: [host-access] annotation ${HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION} declares a need the pod does not have; remove it`,
    ]);
  });

  it('applies in restricted namespaces too, next to pod-security', () => {
    const objs = stack();
    spec(objs, 'Deployment', 'hasher').containers[0].securityContext.privileged = true;
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/hasher: [pod-security] restricted: container hasher: securityContext.privileged must not be true (privileged)',
      `Deployment dockercoins/hasher: [host-access] container hasher is privileged (securityContext.privileged: true); declare it with pod template annotation ${HOST_ACCESS_PRIVILEGED_ANNOTATION}: <reason>`,
    ]);
  });
});

describe('audit-exemption: every kube-score ignore and Polaris exemption carries its reason', () => {
  const KS = 'kube-score/ignore';
  const reasonKey = (tool: string, check: string) => `exemption.platform.dockercoins.io/${tool}.${check}`;
  const only = (objs: K8sObject[]) => lines(validateManifests(objs).filter(p => p.rule === 'audit-exemption'));

  it('the clean fixture has none', () => {
    expect(only(stack())).toEqual([]);
  });

  it('a kube-score ignore without a reason is refused, per check id, on the object and on the pod template', () => {
    const objs = stack();
    const d = find(objs, 'Deployment', 'hasher');
    d.metadata.annotations = { [KS]: 'pod-probes, container-image-pull-policy', [reasonKey('kube-score', 'pod-probes')]: 'because' };
    d.spec.template.metadata.annotations = { ...(d.spec.template.metadata.annotations ?? {}), [KS]: 'pod-networkpolicy' };
    expect(only(objs)).toEqual([
      `Deployment dockercoins/hasher: [audit-exemption] kube-score check container-image-pull-policy is ignored without a reason: add annotation ${reasonKey('kube-score', 'container-image-pull-policy')}: <why the manifest is right and the tool cannot know it>`,
      `Deployment dockercoins/hasher: [audit-exemption] pod template: kube-score check pod-networkpolicy is ignored without a reason: add annotation ${reasonKey('kube-score', 'pod-networkpolicy')}: <why the manifest is right and the tool cannot know it>`,
    ]);
  });

  it('a Polaris exemption without a reason is refused; an empty reason counts as none; "false" exempts nothing', () => {
    const objs = stack();
    find(objs, 'Deployment', 'hasher').metadata.annotations = {
      'polaris.fairwinds.com/hostNetworkSet-exempt': 'true',
      [reasonKey('polaris', 'hostNetworkSet')]: '  ',
      'polaris.fairwinds.com/priorityClassNotSet-exempt': 'false',
      'polaris.fairwinds.com/exempt': 'TRUE',
    };
    expect(only(objs)).toEqual([
      `Deployment dockercoins/hasher: [audit-exemption] Polaris check hostNetworkSet is exempted without a reason: add annotation ${reasonKey('polaris', 'hostNetworkSet')}: <why the manifest is right and the tool cannot know it>`,
      `Deployment dockercoins/hasher: [audit-exemption] Polaris exemption of every check without a reason: add annotation ${reasonKey('polaris', 'exempt')}: <why the manifest is right and the tool cannot know it>`,
    ]);
  });

  it('property: an exemption passes exactly when its reason is non-empty', () => {
    fc.assert(fc.property(fc.constantFrom('hostPIDSet', 'topologySpreadConstraint', 'missingNetworkPolicy'), fc.string(), (check, why) => {
      const objs = stack();
      find(objs, 'NetworkPolicy', 'default-deny').metadata.annotations = { [`polaris.fairwinds.com/${check}-exempt`]: 'true', [reasonKey('polaris', check)]: why };
      expect(only(objs).length).toBe(why.trim() === '' ? 1 : 0);
    }), { numRuns: 50 });
  });
});

describe('workload-spec (kubernetes pkg/apis/apps/validation/validation.go)', () => {
  const only = (objs: K8sObject[]) => lines(validateManifests(objs, ['workload-spec']));
  const labelKey = fc.stringMatching(/^[a-z][a-z0-9.-]{0,8}\/?[a-z0-9]{0,4}$/).filter(k => !k.endsWith('/') && !k.endsWith('.') && !k.endsWith('-'));
  const labelValue = fc.stringMatching(/^[a-z0-9]{1,6}$/);

  it('property: a selector taken from the template labels passes; one label the template lacks or contradicts is refused by name', () => {
    fc.assert(fc.property(
      fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 5 }), fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'),
      fc.nat(), fc.boolean(), labelValue,
      (labels, kind, pick, contradict, other) => {
        const objs = stack();
        const w = structuredClone(find(objs, 'Deployment', 'hasher'));
        w.kind = kind;
        w.metadata.name = 'w';
        const keys = Object.keys(labels);
        const chosen = keys.filter((_, i) => (pick >> i) & 1).length > 0 ? keys.filter((_, i) => (pick >> i) & 1) : [keys[0]];
        w.spec.template.metadata.labels = { ...labels };
        w.spec.selector = { matchLabels: Object.fromEntries(chosen.map(k => [k, labels[k]])) };
        delete w.spec.strategy;
        expect(only([w])).toEqual([]);
        // Contradict a chosen label, or ask for one the template lacks.
        const key = contradict ? chosen[0] : `missing.example/${other}`;
        const value = contradict ? `${labels[key]}x` : other;
        w.spec.selector.matchLabels[key] = value;
        expect(only([w])).toEqual([`${kind} dockercoins/w: [workload-spec] spec.selector ${JSON.stringify(w.spec.selector)} does not match spec.template.metadata.labels ${JSON.stringify(labels)}: the API server refuses the ${kind} ("\`selector\` does not match template \`labels\`"); make the template labels include what the selector asks for`]);
      }), { numRuns: 80 });
  });

  it('matchExpressions count as a selector and are matched (In, NotIn, Exists, DoesNotExist)', () => {
    const w = structuredClone(find(stack(), 'Deployment', 'hasher'));
    w.spec.template.metadata.labels = { app: 'hasher', tier: 'back' };
    w.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['hasher'] }, { key: 'canary', operator: 'DoesNotExist' }] };
    expect(only([w])).toEqual([]);
    w.spec.selector.matchExpressions.push({ key: 'tier', operator: 'NotIn', values: ['back'] });
    expect(only([w])[0]).toMatch(/\[workload-spec\] spec\.selector .* does not match/);
  });

  it('a missing or empty selector is refused, naming the kind as the API server does', () => {
    for (const [kind, selector] of [['Deployment', undefined], ['DaemonSet', {}], ['ReplicaSet', { matchLabels: {}, matchExpressions: [] }]] as const) {
      const w = structuredClone(find(stack(), 'Deployment', 'hasher'));
      w.kind = kind;
      delete w.spec.strategy;
      if (selector === undefined) delete w.spec.selector; else w.spec.selector = selector;
      expect(only([w])).toEqual([selector === undefined
        ? `${kind} dockercoins/hasher: [workload-spec] spec.selector is missing: apps/v1 requires it and does not derive it from the template; select the template labels (e.g. matchLabels: {app.kubernetes.io/name: ..., app.kubernetes.io/instance: ...})`
        : `${kind} dockercoins/hasher: [workload-spec] spec.selector is empty: the API server refuses it ("empty selector is invalid for ${kind.toLowerCase()}"); select the template labels`]);
    }
  });

  // The API server's verdicts, after its defaults (pkg/apis/apps/v1/defaults.go): Deployment maxSurge and
  // maxUnavailable 25%; DaemonSet maxUnavailable 1, maxSurge 0. undefined = the field is not written.
  const verdicts: Array<[string, unknown, unknown, 'ok' | RegExp]> = [
    ['Deployment', undefined, undefined, 'ok'],
    ['Deployment', 0, undefined, 'ok'],
    ['Deployment', 0, 0, /maxSurge 0 and maxUnavailable 0: a rollout could never replace a pod/],
    ['Deployment', '0%', 0, /maxSurge "0%" and maxUnavailable 0/],
    ['Deployment', 1, 0, 'ok'],
    ['Deployment', '100%', '100%', 'ok'],
    ['Deployment', '101%', 0, /maxSurge 101% must not be greater than 100%/],
    ['Deployment', 'one', 0, /maxSurge "one" is not a number or a percentage/],
    ['DaemonSet', undefined, undefined, 'ok'],
    ['DaemonSet', 1, undefined, /maxSurge 1 with maxUnavailable 1 \(the default\): the API server refuses a DaemonSet with both non-zero/],
    ['DaemonSet', 1, 0, 'ok'],
    ['DaemonSet', 0, 0, /maxSurge 0 and maxUnavailable 0/],
    ['DaemonSet', '10%', '10%', /both non-zero/],
    ['DaemonSet', undefined, '20%', 'ok'],
  ];
  it.each(verdicts)('%s rollingUpdate maxSurge %j, maxUnavailable %j: %s', (kind, maxSurge, maxUnavailable, verdict) => {
    const w = structuredClone(find(stack(), kind === 'DaemonSet' ? 'DaemonSet' : 'Deployment', kind === 'DaemonSet' ? 'rng' : 'hasher'));
    const rollingUpdate = { ...(maxSurge === undefined ? {} : { maxSurge }), ...(maxUnavailable === undefined ? {} : { maxUnavailable }) };
    if (kind === 'DaemonSet') w.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate }; else w.spec.strategy = { type: 'RollingUpdate', rollingUpdate };
    const found = only([w]);
    if (verdict === 'ok') expect(found).toEqual([]);
    else {
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(verdict);
    }
  });

  it('Recreate and OnDelete strategies, other kinds and other API groups are not its business; the fixture stack passes', () => {
    const objs = stack();
    const d = find(objs, 'Deployment', 'hasher');
    d.spec.strategy = { type: 'Recreate' };
    const ds = find(objs, 'DaemonSet', 'rng');
    ds.spec.updateStrategy = { type: 'OnDelete' };
    const custom = { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'dockercoins' }, spec: { selector: {} } };
    expect(only([...objs, custom as K8sObject])).toEqual([]);
  });
});

describe('rbac-grant', () => {
  const REASON = 'security.dockercoins.io/rbac-grant-reason';
  const only = (objs: K8sObject[]) => lines(validateManifests(objs, ['rbac-grant']));
  const role = (rules: unknown[], annotations?: Record<string, string>): K8sObject =>
    ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', ...(annotations ? { annotations } : {}) }, rules });
  const binding = (roleName: string, subjects: unknown[], kind = 'ClusterRoleBinding'): K8sObject =>
    ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'b', ...(kind === 'RoleBinding' ? { namespace: 'shop' } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects });
  const verb = fc.constantFrom('get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection');
  const resource = fc.constantFrom('pods', 'configmaps', 'services', 'deployments', 'leases', 'endpointslices');

  it('property: rules of named verbs and resources pass; adding "*" or an escalating verb anywhere is refused, once per rule and finding', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ apiGroups: fc.constant(['', 'apps']), resources: fc.uniqueArray(resource, { minLength: 1 }), verbs: fc.uniqueArray(verb, { minLength: 1 }) }), { minLength: 1, maxLength: 4 }),
      fc.nat(), fc.constantFrom('*verb', '*resource', 'escalate', 'bind', 'impersonate'),
      (rules, at, broad) => {
        expect(only([role(rules)])).toEqual([]);
        const i = at % rules.length;
        const widened = structuredClone(rules) as Array<{ resources: string[]; verbs: string[] }>;
        if (broad === '*resource') widened[i].resources.push('*'); else widened[i].verbs.push(broad === '*verb' ? '*' : broad);
        const found = only([role(widened)]);
        expect(found).toHaveLength(1);
        expect(found[0]).toMatch(new RegExp(`^ClusterRole r: \\[rbac-grant\\] rule ${i} grants ${broad === '*verb' ? 'every verb' : broad === '*resource' ? 'every resource' : `"${broad}", which lets its holder raise its own privileges`}`));
        // With its reason, the grant is the reviewer's decision, and passes.
        expect(only([role(widened, { [REASON]: 'the CI deployer of this cluster' })])).toEqual([]);
      }), { numRuns: 60 });
  });

  it('everyone-subjects are refused except on the discovery roles the API server binds them to; named subjects pass', () => {
    for (const [kind, name] of [['Group', 'system:authenticated'], ['Group', 'system:unauthenticated'], ['Group', 'system:serviceaccounts'], ['User', 'system:anonymous']]) {
      expect(only([binding('view', [{ kind, name, apiGroup: 'rbac.authorization.k8s.io' }])])).toEqual([
        expect.stringMatching(new RegExp(`^ClusterRoleBinding b: \\[rbac-grant\\] subject 0 \\(${kind} ${name}\\) gives ClusterRole view to every `)),
      ]);
      for (const discovery of ['system:basic-user', 'system:discovery', 'system:public-info-viewer']) {
        expect(only([binding(discovery, [{ kind, name, apiGroup: 'rbac.authorization.k8s.io' }])])).toEqual([]);
      }
    }
    expect(only([binding('view', [{ kind: 'Group', name: 'platform-viewers', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'viewer', namespace: 'shop' }])])).toEqual([]);
  });

  it('cluster-admin is refused in either binding kind, everyone or not; a reason lets it pass, a stale or empty reason is refused', () => {
    const sa = [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }];
    expect(only([binding('cluster-admin', sa)])[0]).toMatch(/binds ClusterRole cluster-admin \(every verb on every resource, cluster-wide\)/);
    expect(only([binding('cluster-admin', sa, 'RoleBinding')])[0]).toMatch(/of namespace shop\)/);
    const withReason = (o: K8sObject, reason: string) => ({ ...o, metadata: { ...o.metadata, annotations: { [REASON]: reason } } });
    expect(only([withReason(binding('cluster-admin', sa), 'break-glass group, audited')])).toEqual([]);
    expect(only([withReason(binding('cluster-admin', sa), '  ')])).toHaveLength(1);
    expect(only([withReason(binding('edit', sa), 'left over')])).toEqual([`ClusterRoleBinding b: [rbac-grant] annotation ${REASON} is set, but nothing here is a broad grant: remove it`]);
  });

  it("the model's RBAC needs no reason: every environment has Roles and bindings, none carries the annotation (rbac-grant passes on them: below)", () => {
    for (const env of ENVS) {
      const rbac = distOf(env).filter(o => o.apiVersion.startsWith('rbac.authorization.k8s.io/'));
      expect([env, rbac.length > 5, rbac.filter(o => o.metadata.annotations?.[REASON] !== undefined).map(o => o.metadata.name)]).toEqual([env, true, []]);
    }
  });
});

describe('pod-spec (kubernetes pkg/apis/core/validation/validation.go)', () => {
  const only = (objs: K8sObject[]) => lines(validateManifests(objs, ['pod-spec']));

  it('property: port names are IANA service names exactly as apimachinery IsValidPortName reads them', () => {
    // Valid: 1-15 of a-z, 0-9 and single inner hyphens, with a letter.
    const segment = fc.stringMatching(/^[a-z0-9]{1,5}$/);
    const valid = fc.array(segment, { minLength: 1, maxLength: 3 }).map(s => s.join('-')).filter(n => n.length <= 15 && /[a-z]/.test(n));
    fc.assert(fc.property(valid, name => { expect(portNameProblems(name)).toEqual([]); }), { numRuns: 200 });
    fc.assert(fc.property(fc.string({ maxLength: 20 }).filter(n => n !== ''), name => {
      const problems = portNameProblems(name);
      expect(problems.includes('must be no more than 15 characters')).toBe(name.length > 15);
      expect(problems.includes('must contain at least one letter (a-z)')).toBe(!/[a-z]/.test(name));
      expect(problems.includes('must not contain consecutive hyphens')).toBe(name.includes('--'));
      expect(problems.includes('must not begin or end with a hyphen')).toBe(/^-|-$/.test(name));
      expect(problems.length === 0).toBe(name.length <= 15 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(name) && /[a-z]/.test(name));
    }), { numRuns: 300 });
  });

  it('container names: unique across containers, init and ephemeral containers, and DNS-1123 labels', () => {
    const objs = stack();
    const d = find(objs, 'Deployment', 'hasher');
    const main = d.spec.template.spec.containers[0];
    d.spec.template.spec.initContainers = [{ ...structuredClone(main), name: main.name }];
    d.spec.template.spec.ephemeralContainers = [{ name: 'Debug', image: 'busybox:1.36' }];
    expect(only(objs)).toEqual([
      `Deployment dockercoins/hasher: [pod-spec] init container ${main.name}: the name is already used by the container ${main.name}; names are unique across containers, init and ephemeral containers`,
      `Deployment dockercoins/hasher: [pod-spec] ephemeral container Debug: name "Debug" is not a valid DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`,
    ]);
  });

  it('volumes and mounts: declared, unique names, each path once; a StatefulSet claim template is a volume of its pods', () => {
    const objs = stack();
    const d = find(objs, 'Deployment', 'hasher');
    const c = d.spec.template.spec.containers[0];
    d.spec.template.spec.volumes = [{ name: 'tmp', emptyDir: {} }, { name: 'tmp', emptyDir: {} }];
    c.volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }, { name: 'tmp', mountPath: '/tmp' }, { name: 'cache', mountPath: '/cache' }];
    expect(only(objs)).toEqual([
      'Deployment dockercoins/hasher: [pod-spec] volume 1: the name "tmp" is used by an earlier volume',
      `Deployment dockercoins/hasher: [pod-spec] container ${c.name}: volumeMount 1 mountPath /tmp is mounted by an earlier volumeMount of the container`,
      `Deployment dockercoins/hasher: [pod-spec] container ${c.name}: volumeMount 2 names volume "cache", which the pod does not declare (volumes: tmp)`,
    ]);
    const sts = structuredClone(d);
    sts.kind = 'StatefulSet';
    sts.metadata.name = 'db';
    sts.spec.template.spec.volumes = [{ name: 'tmp', emptyDir: {} }];
    sts.spec.template.spec.containers[0].volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }, { name: 'cache', mountPath: '/cache' }];
    sts.spec.volumeClaimTemplates = [{ metadata: { name: 'cache' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
    expect(only([sts])).toEqual([]);
    delete sts.spec.volumeClaimTemplates;
    expect(only([sts])).toEqual([`StatefulSet dockercoins/db: [pod-spec] container ${c.name}: volumeMount 1 names volume "cache", which the pod does not declare (volumes: tmp)`]);
  });
});

describe('service-spec (kubernetes pkg/apis/core/validation/validation.go, ValidateService)', () => {
  const only = (objs: K8sObject[]) => lines(validateManifests(objs, ['service-spec']));
  const service = (ports: unknown[]): K8sObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'shop' }, spec: { selector: { app: 's' }, ports } });

  it('property: distinct named ports (or one unnamed) pass; a repeated number and protocol, a missing or repeated name are each refused', () => {
    const name = fc.stringMatching(/^[a-z]([a-z0-9-]{0,6}[a-z0-9])?$/);
    fc.assert(fc.property(fc.uniqueArray(fc.record({ name, port: fc.integer({ min: 1, max: 65535 }) }), { minLength: 2, maxLength: 5, selector: p => p.name }), ports => {
      fc.pre(new Set(ports.map(p => p.port)).size === ports.length);
      expect(only([service(ports)])).toEqual([]);
      expect(only([service([{ port: ports[0].port }])])).toEqual([]);
      expect(only([service([...ports, { ...ports[0], name: 'other-name' }])])).toEqual([expect.stringMatching(new RegExp(`port ${ports.length} \\(${ports[0].port}/TCP\\) repeats port 0`))]);
      // Another protocol on the same number is another port.
      expect(only([service([...ports, { name: 'other-name', port: ports[0].port, protocol: 'UDP' }])])).toEqual([]);
      let fresh = 1;
      while (ports.some(p => p.port === fresh)) fresh++;
      expect(only([service([...ports, { port: fresh }])])).toEqual([`Service shop/s: [service-spec] port ${ports.length} (${fresh}) has no name: with more than one port, each needs one (a DNS-1123 label, e.g. http, metrics)`]);
      expect(only([service([...ports, { name: ports[1].name, port: fresh }])])).toEqual([`Service shop/s: [service-spec] port ${ports.length} name "${ports[1].name}" is used by an earlier port`]);
    }), { numRuns: 60 });
  });

  it('names must be DNS labels, targetPort names IANA service names', () => {
    expect(only([service([{ name: 'HTTP', port: 80, targetPort: 'web-http-endpoint' }])])).toEqual([
      `Service shop/s: [service-spec] port 0 name "HTTP" is not a valid DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`,
      'Service shop/s: [service-spec] port 0 targetPort "web-http-endpoint" must be no more than 15 characters (a port name of the pods, an IANA service name)',
    ]);
  });
});

describe('api-constraints (kubernetes pkg/apis/{policy,autoscaling,networking}/validation)', () => {
  const only = (objs: K8sObject[]) => lines(validateManifests(objs, ['api-constraints']));
  const hpa = (minReplicas: number | undefined, maxReplicas: number): K8sObject => ({
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'shop' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, ...(minReplicas === undefined ? {} : { minReplicas }), maxReplicas },
  });
  const ingress = (path: string | undefined, pathType: string, port: Record<string, unknown> = { number: 80 }): K8sObject => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'shop' },
    spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ ...(path === undefined ? {} : { path }), pathType, backend: { service: { name: 'web', port } } }] } }] },
  });

  it('property: an autoscaler passes exactly when 1 <= maxReplicas and minReplicas <= maxReplicas', () => {
    fc.assert(fc.property(fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }), fc.integer({ min: -2, max: 50 }), (min, max) => {
      expect(only([hpa(min, max)]).length === 0).toBe(max >= 1 && (min === undefined || min <= max));
    }), { numRuns: 200 });
  });

  it('property: a Prefix or Exact path passes exactly when absolute, free of //, /./, /../, %2f and not ending in /.. or /.', () => {
    const path = fc.array(fc.constantFrom('/', 'api', '.', '..', '%2f', '%2F', 'v1', '-'), { maxLength: 6 }).map(p => p.join(''));
    fc.assert(fc.property(path, fc.constantFrom('Prefix', 'Exact'), (p, pathType) => {
      const ok = p.startsWith('/') && !['//', '/./', '/../', '%2f', '%2F'].some(s => p.includes(s)) && !p.endsWith('/..') && !p.endsWith('/.');
      expect([p, only([ingress(p, pathType)]).length === 0]).toEqual([p, ok]);
    }), { numRuns: 300 });
  });

  it('ImplementationSpecific needs an absolute path only when one is given; a backend port is a name or a number; PDBs set one bound', () => {
    expect(only([ingress(undefined, 'ImplementationSpecific')])).toEqual([]);
    expect(only([ingress('api', 'ImplementationSpecific')])).toEqual(['Ingress shop/i: [api-constraints] rule 0 path 0: path "api" must be an absolute path (start with /)']);
    expect(only([ingress('/', 'Prefix', { name: 'http', number: 80 })])).toEqual(['Ingress shop/i: [api-constraints] rule 0 path 0: the backend\'s port sets both name "http" and number 80: keep one']);
    const pdb = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } });
    expect(only([pdb({ minAvailable: 1 }), pdb({ maxUnavailable: '50%' })])).toEqual([]);
    expect(only([pdb({ minAvailable: 0, maxUnavailable: 0 })])).toHaveLength(1);
  });

  it('restart policies: Jobs and CronJobs OnFailure or Never (written out; Never with a podFailurePolicy), apps/v1 workloads Always', () => {
    const job = (restartPolicy?: string, podFailurePolicy?: unknown): K8sObject => ({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'shop' },
      spec: { ...(podFailurePolicy ? { podFailurePolicy } : {}), template: { spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'c', image: 'i:1' }] } } },
    });
    const verdicts: Array<[string | undefined, boolean, boolean]> = [
      [undefined, false, false], ['Always', false, false], ['OnFailure', false, true], ['Never', false, true],
      ['OnFailure', true, false], ['Never', true, true],
    ];
    for (const [policy, withFailurePolicy, ok] of verdicts) {
      const j = job(policy, withFailurePolicy ? { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } : undefined);
      expect([policy, withFailurePolicy, only([j]).length === 0]).toEqual([policy, withFailurePolicy, ok]);
      const cron: K8sObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'shop' }, spec: { schedule: '@daily', jobTemplate: { spec: j.spec } } };
      expect([policy, withFailurePolicy, 'cron', only([cron]).length === 0]).toEqual([policy, withFailurePolicy, 'cron', ok]);
    }
    const d = structuredClone(find(stack(), 'Deployment', 'hasher'));
    d.spec.template.spec.restartPolicy = 'OnFailure';
    expect(only([d])).toEqual(["Deployment dockercoins/hasher: [api-constraints] spec.template.spec.restartPolicy is OnFailure: a Deployment's pods restart Always (the only value the API server accepts here)"]);
    d.spec.template.spec.restartPolicy = 'Always';
    expect(only([d])).toEqual([]);
  });
});

describe("the rules that mirror the API server's validation, and rbac-grant, on the model's output", () => {
  const RULES_ADDED: RuleId[] = ['workload-spec', 'pod-spec', 'api-constraints', 'service-spec', 'rbac-grant', 'object-meta', 'config-data', 'netpol-spec'];
  test.each(RULES_ADDED)('%s: the fixture stack and every environment of dist/ pass', rule => {
    expect(lines(validateManifests(stack(), [rule]))).toEqual([]);
    for (const env of ENVS) expect([env, lines(validateManifests(distOf(env), [rule]))]).toEqual([env, []]);
  });
});
