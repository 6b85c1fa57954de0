import { allowedFlows, Endpoint, flowKey, NetworkModel } from '../src/analysis/network';
import { K8sObject } from '../src/analysis/objects';
import { ENV_NAMES, podTemplateMeta, renderObjects, workloads } from './helpers';
import { ENVIRONMENTS, loadEnvironment } from '../src/config';

/** The DockerCoins flows the issue asks for, and nothing else. */
const EXPECTED = [
  'worker -> rng 80/TCP',
  'worker -> hasher 80/TCP',
  'worker -> redis 6379/TCP',
  'webui -> redis 6379/TCP',
];
/** Flows of other components' pods in the namespace: redis-exporter is a Redis client the DockerCoins component admits because it offers itself as one. */
const OFFERED = ['redis-exporter -> redis 6379/TCP'];

const INSTANCES = ENV_NAMES.flatMap(env => ENVIRONMENTS[env].dockercoins.map(d => [env, d.name]));

describe.each(INSTANCES)('DockerCoins network isolation in %s, instance %s', (env, name) => {
  const objects = renderObjects(env) as K8sObject[];
  const model = new NetworkModel(objects);
  const cfg = ENVIRONMENTS[env].dockercoins.find(d => d.name === name)!;
  const ns = cfg.namespace;
  const pod = (name: string): Endpoint => {
    const w = workloads(objects).find(o => o.metadata.namespace === ns && o.metadata.name === name)!;
    return { namespace: ns, labels: podTemplateMeta(w).labels, name: `${ns}/${name}` };
  };
  const flow = (from: string, to: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => ({ from: pod(from), to: pod(to), port, protocol });
  const controllerNs = loadEnvironment(env).ingress.controllerNamespace;
  const controller = workloads(objects).find(o => o.metadata.namespace === controllerNs);
  const ingressController: Endpoint = { namespace: controllerNs, labels: controller ? podTemplateMeta(controller).labels : { 'app.kubernetes.io/name': 'traefik' } };
  const otherNamespace: Endpoint = { namespace: 'intruder', labels: { app: 'curl' } };
  const kubeDns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

  test('the allowed flows inside the namespace are exactly the expected graph', () => {
    const inside = allowedFlows(objects)
      .filter(f => f.from !== 'external' && f.from.namespace === ns && f.to.namespace === ns)
      .map(f => `${(f.from as Endpoint).name!.split('/')[1]} -> ${f.to.name!.split('/')[1]} ${f.port}/${f.protocol}`);
    expect(inside.sort()).toEqual([...EXPECTED, ...OFFERED].sort());
  });

  test.each([...EXPECTED, ...OFFERED])('allows %s', edge => {
    const [, from, to, port] = /^([\w-]+) -> ([\w-]+) (\d+)\/TCP$/.exec(edge)!;
    const f = flow(from, to, Number(port));
    expect(model.explain(f)).toMatch(/^allowed/);
  });

  test('allows the ingress controller namespace to reach webui:80, and nothing else in the namespace', () => {
    expect(model.isAllowed({ from: ingressController, to: pod('webui'), port: 80 })).toBe(true);
    for (const target of ['rng', 'hasher', 'redis']) {
      const port = target === 'redis' ? 6379 : 80;
      expect(model.explain({ from: ingressController, to: pod(target), port })).toMatch(/^denied/);
    }
  });

  test('allows DNS over UDP and TCP to kube-dns for every pod with egress rules, and only those', () => {
    for (const name of ['worker', 'webui']) {
      for (const protocol of ['UDP', 'TCP'] as const) expect(model.isAllowed({ from: pod(name), to: kubeDns, port: 53, protocol })).toBe(true);
    }
    for (const name of ['rng', 'hasher', 'redis']) expect(model.isAllowed({ from: pod(name), to: kubeDns, port: 53, protocol: 'UDP' })).toBe(false);
  });

  const denied: Array<[string, () => any]> = [
    ['worker -> webui', () => flow('worker', 'webui', 80)],
    ['webui -> rng', () => flow('webui', 'rng', 80)],
    ['webui -> hasher', () => flow('webui', 'hasher', 80)],
    ['rng -> redis', () => flow('rng', 'redis', 6379)],
    ['hasher -> redis', () => flow('hasher', 'redis', 6379)],
    ['redis -> worker (no port open anywhere)', () => flow('redis', 'rng', 80)],
    ['worker -> redis on another port', () => flow('worker', 'redis', 6380)],
    ['worker -> rng over UDP', () => flow('worker', 'rng', 80, 'UDP')],
    ['another namespace -> redis', () => ({ from: otherNamespace, to: pod('redis'), port: 6379 })],
    ['another namespace -> webui', () => ({ from: otherNamespace, to: pod('webui'), port: 80 })],
    ['worker -> the internet', () => ({ from: pod('worker'), to: 'external', port: 443 })],
    ['webui -> another namespace', () => ({ from: pod('webui'), to: otherNamespace, port: 80 })],
  ];
  test.each(denied)('denies %s', (_label, make) => {
    const f = make();
    expect(`${flowKey(f)}: ${model.isAllowed(f)}`).toBe(`${flowKey(f)}: false`);
  });

  test('webui is reachable from outside the cluster only where it has a node port', () => {
    const external = model.isAllowed({ from: 'external', to: pod('webui'), port: 80 });
    expect(external).toBe(cfg.webui.nodePort !== undefined);
    expect(model.isAllowed({ from: 'external', to: pod('redis'), port: 6379 })).toBe(false);
  });
});

describe('side-by-side instances (staging: blue and green)', () => {
  const objects = renderObjects('staging') as K8sObject[];
  const model = new NetworkModel(objects);
  const instances = ENVIRONMENTS.staging.dockercoins;
  const endpoint = (ns: string, name: string): Endpoint => {
    const w = workloads(objects).find(o => o.metadata.namespace === ns && o.metadata.name === name)!;
    return { namespace: ns, labels: podTemplateMeta(w).labels, name: `${ns}/${name}` };
  };

  test('staging runs blue and green', () => {
    expect(instances.map(d => d.namespace)).toEqual(['blue', 'green']);
  });

  test('no flow crosses instances, in either direction', () => {
    const crossing = allowedFlows(objects).filter(f => f.from !== 'external'
      && instances.some(d => d.namespace === (f.from as Endpoint).namespace) && instances.some(d => d.namespace === f.to.namespace)
      && (f.from as Endpoint).namespace !== f.to.namespace);
    expect(crossing.map(flowKey)).toEqual([]);
    expect(model.isAllowed({ from: endpoint('blue', 'worker'), to: endpoint('green', 'redis'), port: 6379 })).toBe(false);
    expect(model.isAllowed({ from: endpoint('green', 'webui'), to: endpoint('blue', 'redis'), port: 6379 })).toBe(false);
    expect(model.isAllowed({ from: endpoint('blue', 'worker'), to: endpoint('blue', 'redis'), port: 6379 })).toBe(true);
  });
});
