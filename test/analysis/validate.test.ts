import * as path from 'path';
import { K8sObject, loadManifests } from '../../src/analysis/objects';
import { formatProblem, looksSecret, parseImage, Problem, validateManifests } from '../../src/analysis/validate';

const STACK = path.join(__dirname, '..', 'fixtures', 'analysis', 'stack');
const pristine = loadManifests([STACK]);
const stack = (): K8sObject[] => structuredClone(pristine);
const find = (objs: K8sObject[], kind: string, name: string): K8sObject => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`fixture has no ${kind} ${name}`);
  return o;
};
const lines = (ps: Problem[]) => ps.map(formatProblem);

describe('validateManifests', () => {
  it('finds nothing wrong with the fixture stack', () => {
    expect(pristine.length).toBeGreaterThan(15);
    expect(lines(validateManifests(stack()))).toEqual([]);
  });

  it('formats a problem on one line', () => {
    expect(formatProblem({ object: 'Deployment a/b', rule: 'probes', message: 'm' })).toBe('Deployment a/b: [probes] m');
  });

  it('schema: reports schema errors with their path', () => {
    const objs = stack();
    find(objs, 'Deployment', 'hasher').spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/hasher: [schema] spec.template.spec.containers[0].imagePullPolicyy: unknown field',
    ]);
  });

  it('pod-security: uses the namespace level', () => {
    const objs = stack();
    find(objs, 'Deployment', 'hasher').spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/hasher: [pod-security] restricted: container hasher: securityContext.allowPrivilegeEscalation must be false (allow-privilege-escalation)',
    ]);
    // at baseline the same spec passes
    find(objs, 'Namespace', 'dockercoins').metadata.labels!['pod-security.kubernetes.io/enforce'] = 'baseline';
    expect(lines(validateManifests(objs))).toEqual([]);
  });

  it('hardening: requires a read-only root filesystem', () => {
    const objs = stack();
    find(objs, 'DaemonSet', 'rng').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    expect(lines(validateManifests(objs))).toEqual([
      'DaemonSet dockercoins/rng: [hardening] container rng: securityContext.readOnlyRootFilesystem must be true (read-only-root-filesystem)',
    ]);
  });

  it('probes: requires readiness and liveness on long-running workloads', () => {
    const objs = stack();
    delete find(objs, 'Deployment', 'hasher').spec.template.spec.containers[0].readinessProbe;
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/hasher: [probes] container hasher has no readinessProbe (or set pod template annotation platform.dockercoins.io/probes-waived: <reason>)',
    ]);
  });

  it('probes: the waiver needs a non-empty reason', () => {
    const objs = stack();
    find(objs, 'Deployment', 'worker').spec.template.metadata.annotations['platform.dockercoins.io/probes-waived'] = ' ';
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/worker: [probes] annotation platform.dockercoins.io/probes-waived must give a non-empty reason',
      'Deployment dockercoins/worker: [probes] container worker has no readinessProbe (or set pod template annotation platform.dockercoins.io/probes-waived: <reason>)',
      'Deployment dockercoins/worker: [probes] container worker has no livenessProbe (or set pod template annotation platform.dockercoins.io/probes-waived: <reason>)',
    ]);
  });

  it('probes: Jobs do not need probes', () => {
    const objs = stack();
    const worker = find(objs, 'Deployment', 'worker');
    const job: K8sObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'dockercoins' },
      spec: { template: { metadata: { labels: { app: 'once' } }, spec: { ...worker.spec.template.spec, restartPolicy: 'Never' } } },
    };
    expect(lines(validateManifests([...objs, job]))).toEqual([]);
  });

  it('resources: requires cpu and memory requests and limits, init containers included', () => {
    const objs = stack();
    const spec = find(objs, 'Deployment', 'webui').spec.template.spec;
    spec.initContainers = [{ ...structuredClone(spec.containers[0]), name: 'init', resources: { limits: { memory: '10Mi' } } }];
    delete spec.initContainers[0].ports;
    delete spec.initContainers[0].readinessProbe;
    delete spec.initContainers[0].livenessProbe;
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/webui: [resources] init container init has no resources requests.cpu, requests.memory, limits.cpu',
    ]);
  });

  it('image-tag: rejects latest and missing tags, accepts digests and registry ports', () => {
    const objs = stack();
    const c = (name: string) => find(objs, name === 'rng' ? 'DaemonSet' : 'Deployment', name).spec.template.spec.containers[0];
    c('hasher').image = 'dockercoins/hasher:latest';
    c('webui').image = 'registry.local:5000/dockercoins/webui';
    c('rng').image = 'registry.local:5000/dockercoins/rng@sha256:' + 'b'.repeat(64);
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/hasher: [image-tag] container hasher image dockercoins/hasher:latest uses the latest tag',
      'Deployment dockercoins/webui: [image-tag] container webui image registry.local:5000/dockercoins/webui has no tag (pulls latest)',
    ]);
  });

  it('secret-values: rejects Secret data and literal secret env values', () => {
    const objs = stack();
    objs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pg', namespace: 'dockercoins' }, stringData: { password: 'hunter2' } });
    objs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty', namespace: 'dockercoins' }, type: 'Opaque' });
    find(objs, 'Deployment', 'redis').spec.template.spec.containers[0].env = [
      { name: 'REDIS_PASSWORD', value: 'hunter2' },
      { name: 'REDIS_PASSWORD_FILE', value: '/run/secrets/pw' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'x', key: 'token' } } },
      { name: 'HOME', value: '/tmp' },
    ];
    expect(lines(validateManifests(objs))).toEqual([
      'Deployment dockercoins/redis: [secret-values] container redis env REDIS_PASSWORD has a literal value; use valueFrom.secretKeyRef',
      'Secret dockercoins/pg: [secret-values] Secret has stringData (password); secret values must not be committed',
    ]);
  });

  it('service-selector: a Service must select some pod template of its namespace', () => {
    const objs = stack();
    find(objs, 'Service', 'rng').spec.selector = { app: 'rgn' };
    // same labels in another namespace do not count
    objs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hasher', namespace: 'other' }, spec: { selector: { app: 'hasher' }, ports: [{ port: 80 }] } });
    // a Service without selector (manual endpoints) is fine
    objs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'dockercoins' }, spec: { ports: [{ port: 80 }] } });
    expect(lines(validateManifests(objs))).toEqual([
      'Service dockercoins/rng: [service-selector] selector app=rgn matches no pod template in namespace dockercoins',
      'Service other/hasher: [service-selector] selector app=hasher matches no pod template in namespace other',
    ]);
  });

  it('ingress-backend: backends must name an existing Service and one of its ports', () => {
    const objs = stack();
    const ing = find(objs, 'Ingress', 'webui');
    ing.spec.rules[0].http.paths.push(
      { path: '/a', pathType: 'Prefix', backend: { service: { name: 'webui', port: { number: 8080 } } } },
      { path: '/b', pathType: 'Prefix', backend: { service: { name: 'webui', port: { name: 'https' } } } },
      { path: '/c', pathType: 'Prefix', backend: { service: { name: 'nope', port: { number: 80 } } } },
      { path: '/d', pathType: 'Prefix', backend: { service: { name: 'webui', port: { number: 80 } } } },
    );
    expect(lines(validateManifests(objs))).toEqual([
      'Ingress dockercoins/webui: [ingress-backend] rule 0 (dockercoins.example.com/a) path 1: Service dockercoins/webui has no port 8080',
      'Ingress dockercoins/webui: [ingress-backend] rule 0 (dockercoins.example.com/b) path 2: Service dockercoins/webui has no port named https',
      'Ingress dockercoins/webui: [ingress-backend] rule 0 (dockercoins.example.com/c) path 3: Service dockercoins/nope does not exist',
    ]);
  });

  it('netpol-selector: a non-empty podSelector must select some pod template', () => {
    const objs = stack();
    find(objs, 'NetworkPolicy', 'redis-ingress').spec.podSelector = { matchLabels: { app: 'reddis' } };
    expect(lines(validateManifests(objs))).toEqual([
      'NetworkPolicy dockercoins/redis-ingress: [netpol-selector] podSelector {"matchLabels":{"app":"reddis"}} matches no pod template in namespace dockercoins',
    ]);
  });
});

describe('helpers', () => {
  it('parseImage separates name, tag and digest', () => {
    expect(parseImage('redis')).toEqual({ name: 'redis' });
    expect(parseImage('redis:7')).toEqual({ name: 'redis', tag: '7' });
    expect(parseImage('host:5000/a/b')).toEqual({ name: 'host:5000/a/b' });
    expect(parseImage('host:5000/a/b:1.2@sha256:abc')).toEqual({ name: 'host:5000/a/b', tag: '1.2', digest: 'sha256:abc' });
  });

  it.each([
    ['POSTGRES_PASSWORD', true],
    ['API_KEY', true],
    ['apiToken', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['POSTGRES_PASSWORD_FILE', false],
    ['SECRET_NAME', false],
    ['HOME', false],
    ['PWD', false],
    ['KEYCLOAK_URL', false],
  ])('looksSecret(%s) = %s', (name, expected) => {
    expect(looksSecret(name)).toBe(expected);
  });
});
