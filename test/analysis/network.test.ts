import * as fc from 'fast-check';
import { allowedFlows, Endpoint, flowKey, matchesSelector, NetworkModel, workloadEndpoints } from '../../src/analysis/network';
import { K8sObject } from '../../src/analysis/objects';

const ns = (name: string, labels: Record<string, string> = {}): K8sObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

function deploy(namespace: string, name: string, ports: Array<Record<string, any>> = [], labels: Record<string, string> = { app: name }): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: `${name}:1`, ports }] } } },
  };
}

function policy(namespace: string, name: string, spec: Record<string, any>): K8sObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const ep = (namespace: string, app: string, extra: Record<string, string> = {}): Endpoint => ({ namespace, labels: { app, ...extra } });
const denyAll = (namespace: string) => policy(namespace, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

describe('matchesSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    [{}, true],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'db' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] }, true],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'nope', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'nope', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
  ])('%j -> %s', (selector, expected) => {
    expect(matchesSelector(selector as any, labels)).toBe(expected);
  });
});

describe('NetworkModel', () => {
  it('allows everything when no policy selects the pods', () => {
    const m = new NetworkModel([ns('app'), deploy('app', 'web'), deploy('app', 'db')]);
    expect(m.isAllowed({ from: ep('app', 'web'), to: ep('app', 'db'), port: 5432 })).toBe(true);
    expect(m.isAllowed({ from: 'external', to: ep('app', 'db'), port: 5432 })).toBe(true);
  });

  it('default deny blocks ingress and egress and explain names the policy', () => {
    const m = new NetworkModel([ns('app'), denyAll('app')]);
    const flow = { from: ep('app', 'web'), to: ep('app', 'db'), port: 5432 };
    expect(m.isAllowed(flow)).toBe(false);
    expect(m.explain(flow)).toMatch(/^denied .*NetworkPolicy app\/default-deny and no egress rule matches/);
    // a deny-ingress-only policy (policyTypes defaulted) leaves egress open but blocks ingress
    const ingressOnly = new NetworkModel([policy('app', 'deny-in', { podSelector: {} })]);
    expect(ingressOnly.isAllowed(flow)).toBe(false);
    expect(ingressOnly.explain(flow)).toMatch(/egress from app\/\{app=web\} is not restricted.*ingress to app\/\{app=db\} is restricted by NetworkPolicy app\/deny-in/);
    // ...but does not affect other namespaces
    expect(ingressOnly.isAllowed({ from: ep('app', 'web'), to: ep('other', 'db'), port: 5432 })).toBe(true);
  });

  it('allows by pod selector in the same namespace only', () => {
    const objs = [
      policy('app', 'db-in', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
    ];
    const m = new NetworkModel(objs);
    expect(m.isAllowed({ from: ep('app', 'web'), to: ep('app', 'db'), port: 5432 })).toBe(true);
    expect(m.explain({ from: ep('app', 'web'), to: ep('app', 'db'), port: 5432 })).toMatch(/allowed by NetworkPolicy app\/db-in ingress rule 0/);
    expect(m.isAllowed({ from: ep('app', 'worker'), to: ep('app', 'db'), port: 5432 })).toBe(false);
    // same labels in another namespace: a podSelector-only peer is namespace-local
    expect(m.isAllowed({ from: ep('other', 'web'), to: ep('app', 'db'), port: 5432 })).toBe(false);
    expect(m.isAllowed({ from: 'external', to: ep('app', 'db'), port: 5432 })).toBe(false);
  });

  it('allows by namespace selector, using namespace labels and the automatic name label', () => {
    const objs = [
      ns('monitoring', { purpose: 'monitoring' }),
      ns('app'),
      policy('app', 'from-mon', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }] }] }),
      policy('app', 'from-ks', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }] }),
    ];
    const m = new NetworkModel(objs);
    expect(m.isAllowed({ from: ep('monitoring', 'prometheus'), to: ep('app', 'web'), port: 80 })).toBe(true);
    // kube-system is not in the set but still carries its name label
    expect(m.isAllowed({ from: ep('kube-system', 'coredns'), to: ep('app', 'web'), port: 80 })).toBe(true);
    expect(m.isAllowed({ from: ep('elsewhere', 'x'), to: ep('app', 'web'), port: 80 })).toBe(false);
    // pods of the policy's own namespace are not selected by that namespaceSelector
    expect(m.isAllowed({ from: ep('app', 'other'), to: ep('app', 'web'), port: 80 })).toBe(false);
    // extra namespaces can bring labels
    const m2 = new NetworkModel(objs, { extraNamespaces: { ext: { purpose: 'monitoring' } } });
    expect(m2.isAllowed({ from: ep('ext', 'x'), to: ep('app', 'web'), port: 80 })).toBe(true);
  });

  it('ANDs namespaceSelector and podSelector within one peer, ORs separate peers', () => {
    const mon = ns('monitoring', { purpose: 'monitoring' });
    const and = new NetworkModel([mon, policy('app', 'p', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }],
    })]);
    const or = new NetworkModel([mon, policy('app', 'p', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }, { podSelector: { matchLabels: { app: 'prometheus' } } }] }],
    })]);
    const promInMon = { from: ep('monitoring', 'prometheus'), to: ep('app', 'web'), port: 80 };
    const grafanaInMon = { from: ep('monitoring', 'grafana'), to: ep('app', 'web'), port: 80 };
    const promInApp = { from: ep('app', 'prometheus'), to: ep('app', 'web'), port: 80 };
    expect([and.isAllowed(promInMon), and.isAllowed(grafanaInMon), and.isAllowed(promInApp)]).toEqual([true, false, false]);
    expect([or.isAllowed(promInMon), or.isAllowed(grafanaInMon), or.isAllowed(promInApp)]).toEqual([true, true, true]);
  });

  it('an egress-only policy blocks DNS unless allowed', () => {
    const egressOnly = policy('app', 'egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }],
    });
    const dns = { from: ep('app', 'web'), to: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, port: 53, protocol: 'UDP' as const };
    const m = new NetworkModel([egressOnly]);
    expect(m.isAllowed({ from: ep('app', 'web'), to: ep('app', 'db'), port: 5432 })).toBe(true);
    expect(m.isAllowed(dns)).toBe(false);
    expect(m.explain(dns)).toMatch(/egress from app\/\{app=web\} is restricted by NetworkPolicy app\/egress/);
    // ingress of web is unaffected (policyTypes is Egress only)
    expect(m.isAllowed({ from: ep('app', 'x'), to: ep('app', 'web'), port: 80 })).toBe(true);

    const allowDns = policy('app', 'dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      }],
    });
    const m2 = new NetworkModel([egressOnly, allowDns]);
    expect(m2.isAllowed(dns)).toBe(true);
    expect(m2.isAllowed({ ...dns, protocol: 'TCP' })).toBe(true);
    expect(m2.isAllowed({ ...dns, port: 54 })).toBe(false);
  });

  it('defaults policyTypes to Ingress plus Egress when egress rules exist', () => {
    const p = policy('app', 'p', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ ports: [{ port: 443 }] }] });
    const m = new NetworkModel([p]);
    expect(m.isAllowed({ from: ep('app', 'web'), to: 'external', port: 443 })).toBe(true);
    expect(m.isAllowed({ from: ep('app', 'web'), to: 'external', port: 80 })).toBe(false);
    // Ingress is implied and has no rules: web accepts nothing
    expect(m.isAllowed({ from: ep('app', 'x'), to: ep('app', 'web'), port: 80 })).toBe(false);
  });

  it('resolves named ports against the destination container ports', () => {
    const objs = [
      deploy('app', 'api', [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }]),
      deploy('app', 'other', [{ name: 'http', containerPort: 9000 }]),
      policy('app', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }),
    ];
    const m = new NetworkModel(objs);
    const [api, other] = workloadEndpoints(objs);
    expect(m.isAllowed({ from: ep('app', 'x'), to: api, port: 8080 })).toBe(true);
    expect(m.isAllowed({ from: ep('app', 'x'), to: api, port: 9100 })).toBe(false);
    expect(m.isAllowed({ from: ep('app', 'x'), to: other, port: 9000 })).toBe(true);
    expect(m.isAllowed({ from: ep('app', 'x'), to: other, port: 8080 })).toBe(false);
    // an endpoint given by labels only is resolved to the workload with those labels
    expect(m.isAllowed({ from: ep('app', 'x'), to: ep('app', 'api'), port: 8080 })).toBe(true);
    // named port with the wrong protocol does not match
    expect(m.isAllowed({ from: ep('app', 'x'), to: api, port: 8080, protocol: 'UDP' })).toBe(false);
  });

  it('matches endPort ranges inclusively', () => {
    const m = new NetworkModel([policy('app', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 8010 }] }] })]);
    const at = (port: number) => m.isAllowed({ from: ep('app', 'x'), to: ep('app', 'y'), port });
    expect([at(7999), at(8000), at(8005), at(8010), at(8011)]).toEqual([false, true, true, true, false]);
  });

  it('distinguishes UDP from TCP, with TCP as the default', () => {
    const m = new NetworkModel([policy('app', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 80 }] }] })]);
    const f = (port: number, protocol?: 'TCP' | 'UDP') => m.isAllowed({ from: ep('app', 'x'), to: ep('app', 'y'), port, protocol });
    expect([f(53, 'UDP'), f(53, 'TCP'), f(53), f(80), f(80, 'UDP')]).toEqual([true, false, false, true, false]);
  });

  it('a port without a number allows all ports of its protocol; empty ports allow all', () => {
    const m = new NetworkModel([policy('app', 'p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] })]);
    expect(m.isAllowed({ from: ep('app', 'x'), to: ep('app', 'y'), port: 1234, protocol: 'UDP' })).toBe(true);
    expect(m.isAllowed({ from: ep('app', 'x'), to: ep('app', 'y'), port: 1234 })).toBe(false);
    const all = new NetworkModel([policy('app', 'p', { podSelector: {}, ingress: [{}] })]);
    expect(all.isAllowed({ from: ep('other', 'x'), to: ep('app', 'y'), port: 1234, protocol: 'SCTP' })).toBe(true);
    expect(all.isAllowed({ from: 'external', to: ep('app', 'y'), port: 1 })).toBe(true);
  });

  it('ipBlock matches external addresses but not pods unless it is 0.0.0.0/0', () => {
    const lan = new NetworkModel([policy('app', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }] })]);
    expect(lan.isAllowed({ from: 'external', to: ep('app', 'web'), port: 80 })).toBe(true);
    expect(lan.isAllowed({ from: ep('app', 'x'), to: ep('app', 'web'), port: 80 })).toBe(false);

    const world = new NetworkModel([policy('app', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })]);
    expect(world.isAllowed({ from: 'external', to: ep('app', 'web'), port: 80 })).toBe(true);
    expect(world.isAllowed({ from: ep('other', 'x'), to: ep('app', 'web'), port: 80 })).toBe(true);

    // "the internet but not private ranges": external yes, pods no
    const internet = new NetworkModel([policy('app', 'p', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }] }],
    })]);
    expect(internet.isAllowed({ from: ep('app', 'web'), to: 'external', port: 443 })).toBe(true);
    expect(internet.isAllowed({ from: ep('app', 'web'), to: ep('other', 'db'), port: 443 })).toBe(false);

    // pod peers never match external
    const pods = new NetworkModel([policy('app', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })]);
    expect(pods.isAllowed({ from: ep('other', 'x'), to: ep('app', 'web'), port: 80 })).toBe(true);
    expect(pods.isAllowed({ from: 'external', to: ep('app', 'web'), port: 80 })).toBe(false);
  });

  it('needs both egress of the source and ingress of the destination', () => {
    const objs = [
      policy('a', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
      policy('b', 'allow-in', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }),
    ];
    const m = new NetworkModel(objs);
    expect(m.isAllowed({ from: ep('a', 'x'), to: ep('b', 'y'), port: 80 })).toBe(false);
    expect(m.isAllowed({ from: ep('c', 'x'), to: ep('b', 'y'), port: 80 })).toBe(true);
  });
});

describe('workloadEndpoints / allowedFlows', () => {
  const objs: K8sObject[] = [
    ns('dc'),
    deploy('dc', 'worker'),
    deploy('dc', 'hasher', [{ name: 'http', containerPort: 80 }]),
    deploy('dc', 'redis', [{ name: 'redis', containerPort: 6379 }]),
    deploy('dc', 'webui', [{ name: 'http', containerPort: 80 }]),
    denyAll('dc'),
    policy('dc', 'hasher-in', { podSelector: { matchLabels: { app: 'hasher' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'worker' } } }], ports: [{ port: 'http' }] }] }),
    policy('dc', 'redis-in', { podSelector: { matchLabels: { app: 'redis' } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['worker', 'webui'] }] } }], ports: [{ port: 6379 }] }] }),
    policy('dc', 'webui-in', { podSelector: { matchLabels: { app: 'webui' } }, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }] }] }),
    policy('dc', 'egress', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['worker', 'webui'] }] },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
  ];

  it('lists workloads with names, labels and container ports', () => {
    expect(workloadEndpoints(objs).map((e) => e.name)).toEqual(['dc/worker', 'dc/hasher', 'dc/redis', 'dc/webui']);
    expect(workloadEndpoints(objs)[1]).toEqual({ namespace: 'dc', labels: { app: 'hasher' }, name: 'dc/hasher', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] });
  });

  it('lists exactly the allowed edges, sorted', () => {
    expect(allowedFlows(objs).map(flowKey)).toEqual([
      'dc/worker -> dc/hasher 80/TCP',
      'dc/webui -> dc/redis 6379/TCP',
      'dc/worker -> dc/redis 6379/TCP',
      'external -> dc/webui 80/TCP',
      // 0.0.0.0/0 also covers pod IPs, and worker/webui may egress to any pod of dc
      'dc/webui -> dc/webui 80/TCP',
      'dc/worker -> dc/webui 80/TCP',
    ]);
  });

  it('is deterministic regardless of object order', () => {
    expect(allowedFlows([...objs].reverse()).map(flowKey)).toEqual(allowedFlows(objs).map(flowKey));
  });

  // Speed is measured by `npm run bench`, not by a timed test; this checks the result at scale.
  it('handles hundreds of workloads', () => {
    const big: K8sObject[] = [];
    for (let n = 0; n < 20; n++) {
      big.push(ns(`ns${n}`, { team: `t${n % 3}` }));
      big.push(policy(`ns${n}`, 'deny', { podSelector: {} }));
      big.push(policy(`ns${n}`, 'team', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `t${n % 3}` } } }], ports: [{ port: 'http' }] }] }));
      for (let w = 0; w < 15; w++) big.push(deploy(`ns${n}`, `w${w}`, [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }]));
    }
    const flows = allowedFlows(big);
    // 300 workloads; each namespace admits the namespaces of its team (7, 7 or 6 of them) on http only
    expect(flows.every((f) => f.port === 8080)).toBe(true);
    expect(flows.length).toBe(7 * 15 * 7 * 15 + 7 * 15 * 7 * 15 + 6 * 15 * 6 * 15);
  });
});

describe('isAllowed (the fast path allowedFlows uses) and explain (the reasons) agree', () => {
  // Requirement: the flow analysis gives one verdict whichever way it is asked, and the per-model
  // caches (selectors, peers, namespace labels) never change an answer.
  const namespaces = ['a', 'b'];
  const labelValue = fc.constantFrom('web', 'db', 'x');
  const labels = fc.dictionary(fc.constantFrom('app', 'tier'), labelValue, { maxKeys: 2 });
  const selector = fc.record({
    matchLabels: fc.option(labels, { nil: undefined }),
    matchExpressions: fc.option(fc.array(fc.record({
      key: fc.constantFrom('app', 'tier', 'team'),
      operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Bogus'),
      values: fc.array(labelValue, { maxLength: 2 }),
    }), { maxLength: 2 }), { nil: undefined }),
  }, { requiredKeys: [] });
  const peer = fc.oneof(
    fc.record({ podSelector: selector }),
    fc.record({ namespaceSelector: selector }),
    fc.record({ podSelector: selector, namespaceSelector: selector }),
    fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '203.0.113.0/24'), except: fc.array(fc.constantFrom('10.0.0.0/8', '203.0.113.0/25'), { maxLength: 1 }) }) }),
    fc.constant({}),
  );
  const port = fc.record({ protocol: fc.constantFrom('TCP', 'UDP', undefined), port: fc.constantFrom(80, 443, 'http', undefined), endPort: fc.constantFrom(undefined, 8080) }, { requiredKeys: [] });
  const rules = fc.array(fc.record({ peers: fc.array(peer, { maxLength: 2 }), ports: fc.array(port, { maxLength: 2 }) }), { maxLength: 2 });
  const policyObject = fc.record({ namespace: fc.constantFrom(...namespaces), podSelector: selector, ingress: rules, egress: rules, types: fc.constantFrom(undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']) })
    .map(({ namespace, podSelector, ingress, egress, types }, ) => policy(namespace, 'p', {
      podSelector,
      ingress: ingress.map(r => ({ from: r.peers, ports: r.ports })),
      egress: egress.map(r => ({ to: r.peers, ports: r.ports })),
      ...(types ? { policyTypes: types } : {}),
    }));
  const endpoint = fc.record({ namespace: fc.constantFrom(...namespaces, 'unknown'), labels });
  const world = fc.record({
    policies: fc.array(policyObject, { maxLength: 4 }),
    workloads: fc.array(fc.record({ namespace: fc.constantFrom(...namespaces), app: labelValue }), { maxLength: 3 }),
    flows: fc.array(fc.record({ from: fc.oneof(endpoint, fc.constant('external' as const)), to: fc.oneof(endpoint, fc.constant('external' as const)), port: fc.constantFrom(80, 443, 8080), protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }), { minLength: 1, maxLength: 6 }),
  });

  it('on random policies, endpoints and flows, asked in any order', () => {
    fc.assert(fc.property(world, ({ policies, workloads: ws, flows }) => {
      const objects = [ns('a', { team: 'x' }), ns('b'), ...policies.map((p, i) => ({ ...p, metadata: { ...p.metadata, name: `p${i}` } })),
        ...ws.map((w, i) => deploy(w.namespace, `${w.app}-${i}`, [{ name: 'http', containerPort: 80 }, { containerPort: 443 }], { app: w.app }))];
      const shared = new NetworkModel(objects);
      for (const flow of flows) {
        const verdict = shared.isAllowed(flow);
        expect(shared.explain(flow).startsWith(verdict ? 'allowed ' : 'denied ')).toBe(true);
        expect(new NetworkModel(objects).isAllowed(flow)).toBe(verdict);
      }
    }), { numRuns: 300 });
  });
});
