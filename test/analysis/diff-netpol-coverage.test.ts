/**
 * `netpol-loosened` flags a NetworkPolicy rule only when it admits something
 * no previous rule admitted: a peer is covered by an old peer that admits a
 * superset of it (the same or fewer selector constraints, an ipBlock that
 * contains it), a port by an old port that contains it.
 */
import fc from 'fast-check';
import { diffManifests } from '../../src/analysis/diff';
import { ipBlockCovers } from '../../src/analysis/ip-blocks';
import { selectorCovers } from '../../src/analysis/network';
import type { K8sObject } from '../../src/analysis/objects';

type Peer = Record<string, any>;
type Port = Record<string, any>;

function policy(from: Peer[] | undefined, ports: Port[] | undefined = [{ port: 5432, protocol: 'TCP' }], direction: 'ingress' | 'egress' = 'ingress'): K8sObject {
  const rule = direction === 'ingress' ? { from, ports } : { to: from, ports };
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'postgres', namespace: 'data' },
    spec: { podSelector: { matchLabels: { app: 'postgres' } }, policyTypes: ['Ingress', 'Egress'], [direction]: [rule] },
  };
}
const loosened = (before: K8sObject, after: K8sObject) =>
  diffManifests([before], [after]).objects.flatMap(o => o.risks).filter(r => r.code === 'netpol-loosened').map(r => r.message);

const ns = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

describe('netpol-loosened: narrowed peers are not loosening', () => {
  test('a namespaceSelector-only peer that gains a podSelector (the reported false positive)', () => {
    const before = policy([{ namespaceSelector: ns('dockercoins') }]);
    const after = policy([{ namespaceSelector: ns('dockercoins'), podSelector: { matchLabels: { app: 'worker' } } }]);
    expect(loosened(before, after)).toEqual([]);
    // ...and the other way round is loosening: the podSelector constraint is dropped.
    expect(loosened(after, before)).toEqual(['ingress rule 0 admits peers or ports no previous rule admitted']);
  });

  test.each<[string, Peer, Peer]>([
    ['a podSelector gains a label', { podSelector: { matchLabels: { app: 'worker' } } }, { podSelector: { matchLabels: { app: 'worker', tier: 'a' } } }],
    ['a podSelector gains an expression', { podSelector: {} }, { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } }],
    ['a namespaceSelector gains a label', { namespaceSelector: {} }, { namespaceSelector: ns('logging') }],
    ['an In list shrinks', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] } }, { podSelector: { matchLabels: { app: 'a' } } }],
    ['a NotIn list grows', { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] } }, { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a', 'b'] }] } }],
    ['all namespaces become the own namespace', { namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }, { podSelector: { matchLabels: { app: 'x' } } }],
    ['the own namespace written as a namespaceSelector', { podSelector: { matchLabels: { app: 'x' } } }, { namespaceSelector: ns('data'), podSelector: { matchLabels: { app: 'x' } } }],
    ['an ipBlock gets a smaller CIDR', { ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '10.1.0.0/16' } }],
    ['an ipBlock gets an exception', { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
    ['an exception widens', { ipBlock: { cidr: '0.0.0.0/0', except: ['10.1.0.0/16'] } }, { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
    ['an exception outside the new CIDR is dropped', { ipBlock: { cidr: '10.0.0.0/8', except: ['10.2.0.0/16'] } }, { ipBlock: { cidr: '10.1.0.0/16' } }],
  ])('%s', (_what, oldPeer, newPeer) => {
    expect(loosened(policy([oldPeer]), policy([newPeer]))).toEqual([]);
    expect(loosened(policy([oldPeer], undefined, 'egress'), policy([newPeer], undefined, 'egress'))).toEqual([]);
  });

  test.each<[string, Peer, Peer]>([
    ['a podSelector loses a label', { podSelector: { matchLabels: { app: 'worker', tier: 'a' } } }, { podSelector: { matchLabels: { app: 'worker' } } }],
    ['the own namespace becomes all namespaces', { podSelector: { matchLabels: { app: 'x' } } }, { namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }],
    ['the own namespace becomes another', { podSelector: {} }, { namespaceSelector: ns('logging'), podSelector: {} }],
    ['a label selector becomes an ipBlock', { podSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }],
    ['an ipBlock gets a larger CIDR', { ipBlock: { cidr: '10.1.0.0/16' } }, { ipBlock: { cidr: '10.0.0.0/8' } }],
    ['an ipBlock loses an exception', { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { ipBlock: { cidr: '0.0.0.0/0' } }],
    ['an exception shrinks', { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { ipBlock: { cidr: '0.0.0.0/0', except: ['10.1.0.0/16'] } }],
    ['IPv4 becomes IPv6', { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
  ])('but %s is loosening', (_what, oldPeer, newPeer) => {
    expect(loosened(policy([oldPeer]), policy([newPeer]))).toEqual(['ingress rule 0 admits peers or ports no previous rule admitted']);
  });

  test('ports: a sub-range, the default protocol written out, a port picked out of all ports', () => {
    const peer = [{ podSelector: {} }];
    expect(loosened(policy(peer, [{ port: 8000, endPort: 9000 }]), policy(peer, [{ port: 8080, protocol: 'TCP' }]))).toEqual([]);
    expect(loosened(policy(peer, []), policy(peer, [{ port: 53, protocol: 'UDP' }]))).toEqual([]);
    expect(loosened(policy(peer, [{ port: 8080 }]), policy(peer, [{ port: 8080, protocol: 'UDP' }]))).toEqual(['ingress rule 0 admits peers or ports no previous rule admitted']);
    expect(loosened(policy(peer, [{ port: 8080 }]), policy(peer, [{ port: 8080, endPort: 8081 }]))).toEqual(['ingress rule 0 admits peers or ports no previous rule admitted']);
    expect(loosened(policy(peer, [{ port: 'http' }]), policy(peer, [{ port: 8080 }]))).toEqual(['ingress rule 0 admits peers or ports no previous rule admitted']);
  });

  test('a new rule is covered peer by peer and port by port, across the old rules', () => {
    const before: K8sObject = policy(undefined);
    before.spec.ingress = [
      { from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 80 }] },
      { from: [{ podSelector: { matchLabels: { app: 'b' } } }], ports: [{ port: 80 }, { port: 443 }] },
    ];
    const merged = structuredClone(before);
    merged.spec.ingress = [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }, { podSelector: { matchLabels: { app: 'b' } } }], ports: [{ port: 80 }] }];
    expect(loosened(before, merged)).toEqual([]);
    merged.spec.ingress[0].ports.push({ port: 443 }); // a:443 was never admitted
    expect(loosened(before, merged)).toEqual(['ingress rule 0 admits peers or ports no previous rule admitted']);
  });
});

// ------------------------------------------------------------------ properties

const KEYS = ['app', 'tier', 'team', 'role'];
const VALUES = ['a', 'b', 'c'];
/** One constraint of a selector, on its own key. */
type Constraint = { kind: 'label'; key: string; value: string } | { kind: 'expression'; key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] };

const constraintOn = (key: string): fc.Arbitrary<Constraint> => fc.oneof(
  fc.constantFrom(...VALUES).map(value => ({ kind: 'label' as const, key, value })),
  fc.record({ operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1 }) }).map(e => ({ kind: 'expression' as const, key, ...e })),
  fc.constantFrom('Exists' as const, 'DoesNotExist' as const).map(operator => ({ kind: 'expression' as const, key, operator, values: [] })),
);
/** Constraints on distinct keys: none implies another, so each one narrows. */
const constraints = (min: number) => fc.shuffledSubarray(KEYS, { minLength: min }).chain(keys => fc.tuple(...keys.map(constraintOn)));

function selector(cs: readonly Constraint[]): Record<string, any> {
  const labels = cs.filter(c => c.kind === 'label') as Array<Extract<Constraint, { kind: 'label' }>>;
  const expressions = cs.filter(c => c.kind === 'expression') as Array<Extract<Constraint, { kind: 'expression' }>>;
  return {
    ...(labels.length ? { matchLabels: Object.fromEntries(labels.map(l => [l.key, l.value])) } : {}),
    ...(expressions.length ? { matchExpressions: expressions.map(e => ({ key: e.key, operator: e.operator, ...(e.values.length ? { values: e.values } : {}) })) } : {}),
  };
}

/** A label peer: its pod and namespace constraints; `namespace` undefined = no namespaceSelector (the own namespace). */
interface LabelPeer { pods?: readonly Constraint[]; namespace?: readonly Constraint[] }
const labelPeer: fc.Arbitrary<LabelPeer> = fc.oneof(
  constraints(0).map(pods => ({ pods })),
  constraints(0).map(namespace => ({ namespace })),
  fc.tuple(constraints(0), constraints(0)).map(([pods, namespace]) => ({ pods, namespace })),
);
const render = (p: LabelPeer): Peer => ({
  ...(p.pods ? { podSelector: selector(p.pods) } : {}),
  ...(p.namespace ? { namespaceSelector: selector(p.namespace) } : {}),
});

/** A peer and the same peer with one more constraint (a selector entry on a new key, or a podSelector where there was none). */
const narrowing: fc.Arbitrary<[LabelPeer, LabelPeer]> = labelPeer.chain(p => {
  const free = (cs: readonly Constraint[] = []) => KEYS.filter(k => !cs.some(c => c.key === k));
  const options: Array<fc.Arbitrary<LabelPeer>> = [];
  if (p.pods && free(p.pods).length) options.push(fc.constantFrom(...free(p.pods)).chain(constraintOn).map(c => ({ ...p, pods: [...p.pods!, c] })));
  if (p.namespace && free(p.namespace).length) options.push(fc.constantFrom(...free(p.namespace)).chain(constraintOn).map(c => ({ ...p, namespace: [...p.namespace!, c] })));
  if (!p.pods) options.push(constraints(1).map(pods => ({ ...p, pods })));
  return options.length ? fc.oneof(...options).map(narrower => [p, narrower] as [LabelPeer, LabelPeer]) : fc.constant([p, p] as [LabelPeer, LabelPeer]);
});

/** A block of disjoint /16 exceptions within 10.0.0.0/8, and the same with one more. */
const blockNarrowing = fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 5 }).map(seconds => {
  const except = seconds.map(s => `10.${s}.0.0/16`);
  return [{ cidr: '10.0.0.0/8', except: except.slice(1) }, { cidr: '10.0.0.0/8', except }] as const;
});

describe('netpol-loosened properties', () => {
  test('adding a constraint to a peer never counts as loosening; removing it does', () => {
    fc.assert(fc.property(narrowing, fc.constantFrom('ingress' as const, 'egress' as const), ([wide, narrow], direction) => {
      expect(loosened(policy([render(wide)], undefined, direction), policy([render(narrow)], undefined, direction))).toEqual([]);
      if (narrow !== wide) expect(loosened(policy([render(narrow)], undefined, direction), policy([render(wide)], undefined, direction))).toEqual([`${direction} rule 0 admits peers or ports no previous rule admitted`]);
    }));
  });

  test('an ipBlock exception added never counts as loosening; removed, it does', () => {
    fc.assert(fc.property(blockNarrowing, ([wide, narrow]) => {
      expect(ipBlockCovers(wide, narrow)).toBe(true);
      expect(ipBlockCovers(narrow, wide)).toBe(false);
      expect(loosened(policy([{ ipBlock: wide }]), policy([{ ipBlock: narrow }]))).toEqual([]);
      expect(loosened(policy([{ ipBlock: narrow }]), policy([{ ipBlock: wide }]))).toHaveLength(1);
    }));
  });

  test('selectorCovers is reflexive and agrees with matching on every label set of the keys', () => {
    const labelSets = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 4 });
    fc.assert(fc.property(constraints(0), constraints(0), fc.array(labelSets, { maxLength: 20 }), (a, b, sets) => {
      const [outer, inner] = [selector(a), selector(b)];
      expect(selectorCovers(outer, outer)).toBe(true);
      // Sound: when outer covers inner, every label set inner matches, outer matches.
      if (selectorCovers(outer, inner)) for (const labels of sets) if (matches(inner, labels)) expect(matches(outer, labels)).toBe(true);
    }));
  });
});

function matches(sel: Record<string, any>, labels: Record<string, string>): boolean {
  // Independent of the implementation under test: the Kubernetes rules written out.
  const ok = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return ok && (sel.matchExpressions ?? []).every((e: any) => {
    const has = k(labels, e.key);
    if (e.operator === 'In') return has && e.values.includes(labels[e.key]);
    if (e.operator === 'NotIn') return !has || !e.values.includes(labels[e.key]);
    return e.operator === 'Exists' ? has : !has;
  });
}
const k = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
