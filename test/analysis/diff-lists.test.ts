/**
 * Lists of objects without names are matched by content, not position:
 * adding one DockerCoins instance adds one NetworkPolicy rule to the diff
 * instead of rewriting every rule after it.
 */
import fc from 'fast-check';
import { diffManifests, FieldChange } from '../../src/analysis/diff';
import { K8sObject } from '../../src/analysis/objects';

/** Traefik's egress rule to one DockerCoins instance's web UI, as rendered. */
const webuiRule = (instance: string) => ({
  ports: [{ port: 80, protocol: 'TCP' }],
  to: [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': instance } },
    podSelector: { matchLabels: { 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/name': 'webui' } },
  }],
});
const DNS_RULE = {
  ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
};
const API_RULE = { ports: [{ port: 6443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.0.0.0/16' } }] };

function policy(egress: unknown[], ingress: unknown[] = []): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'traefik', namespace: 'traefik' },
    spec: { podSelector: { matchLabels: { app: 'traefik' } }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
}
/** `list` with item i swapped with item swaps[i] (mod length): some permutation of it. */
function permuted<T>(list: T[], swaps: number[]): T[] {
  const out = [...list];
  swaps.forEach((s, i) => {
    const a = i % out.length;
    const b = s % out.length;
    [out[a], out[b]] = [out[b], out[a]];
  });
  return out;
}

const fields = (before: K8sObject, after: K8sObject): FieldChange[] => diffManifests([before], [after]).objects.flatMap((o) => o.fields);

describe('NetworkPolicy rules are matched by content', () => {
  it('adding the green instance shows one added rule', () => {
    const before = policy([webuiRule('blue'), API_RULE, DNS_RULE]);
    const after = policy([webuiRule('blue'), webuiRule('green'), API_RULE, DNS_RULE]);
    expect(fields(before, after)).toEqual([{ path: 'spec.egress[1]', after: webuiRule('green') }]);
    expect(fields(after, before)).toEqual([{ path: 'spec.egress[1]', before: webuiRule('green') }]);
  });

  it('an added peer or port shows as that peer or port', () => {
    const before = policy([webuiRule('blue'), DNS_RULE]);
    const after = structuredClone(before);
    after.spec.egress[0].to.unshift({ podSelector: { matchLabels: { app: 'x' } } });
    after.spec.egress[1].ports.splice(1, 0, { port: 5353, protocol: 'UDP' });
    expect(fields(before, after)).toEqual([
      { path: 'spec.egress[0].to[0]', after: { podSelector: { matchLabels: { app: 'x' } } } },
      { path: 'spec.egress[1].ports[1]', after: { port: 5353, protocol: 'UDP' } },
    ]);
  });

  it('a rule edited in place shows the edited field', () => {
    const before = policy([webuiRule('blue'), API_RULE]);
    const after = structuredClone(before);
    after.spec.egress[1].to[0].ipBlock.cidr = '10.1.0.0/16';
    expect(fields(before, after)).toEqual([{ path: 'spec.egress[1].to[0].ipBlock.cidr', before: '10.0.0.0/16', after: '10.1.0.0/16' }]);
  });

  it('ports with the same number and protocol (endPort ranges) are not collapsed into one', () => {
    const before = policy([{ ports: [{ port: 8000, protocol: 'TCP', endPort: 8010 }] }]);
    const after = policy([{ ports: [{ port: 8000, protocol: 'TCP', endPort: 8010 }, { port: 8000, protocol: 'TCP', endPort: 9000 }] }]);
    expect(fields(before, after)).toEqual([{ path: 'spec.egress[0].ports[1]', after: { port: 8000, protocol: 'TCP', endPort: 9000 } }]);
  });

  const instance = fc.stringMatching(/^[a-z]{1,6}$/);
  it('for any set of rules, inserting one anywhere shows exactly that rule as added and reordering shows nothing', () => {
    fc.assert(
      fc.property(fc.uniqueArray(instance, { minLength: 1, maxLength: 8 }), fc.nat(), fc.array(fc.nat(), { maxLength: 10 }), (names, at, swaps) => {
        const [added, ...kept] = names;
        const rules = [...kept.map(webuiRule), API_RULE, DNS_RULE];
        const inserted = [...rules];
        inserted.splice(at % (rules.length + 1), 0, webuiRule(added));
        expect(fields(policy(rules), policy(inserted))).toEqual([{ path: `spec.egress[${at % (rules.length + 1)}]`, after: webuiRule(added) }]);
        expect(fields(policy(rules), policy(permuted(rules, swaps)))).toEqual([]);
      }),
    );
  });

  it('for any two sets of rules, the changes name only rules that are not in both', () => {
    fc.assert(
      fc.property(fc.uniqueArray(instance, { maxLength: 6 }), fc.uniqueArray(instance, { maxLength: 6 }), (a, b) => {
        const changed = fields(policy(a.map(webuiRule)), policy(b.map(webuiRule)));
        const onlyA = a.filter((x) => !b.includes(x));
        const onlyB = b.filter((x) => !a.includes(x));
        // Each rule that is only on one side is either a whole addition/removal or paired with an edit (same ports): never more changes than that.
        expect(changed.length).toBeLessThanOrEqual(onlyA.length + onlyB.length);
        if (onlyA.length === 0) expect(changed).toEqual(onlyB.map((x) => ({ path: `spec.egress[${b.indexOf(x)}]`, after: webuiRule(x) })));
        if (onlyB.length === 0) expect(changed).toEqual(onlyA.map((x) => ({ path: `spec.egress[${a.indexOf(x)}]`, before: webuiRule(x) })));
      }),
    );
  });
});

describe('other lists of unnamed objects are matched by content, in order', () => {
  const ingress = (hosts: string[]): K8sObject => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'dc' },
    spec: { rules: hosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: host, port: { number: 80 } } } }] } })) },
  });

  it('an inserted Ingress rule is one addition; an edited one shows its field', () => {
    expect(fields(ingress(['a', 'c']), ingress(['a', 'b', 'c'])).map((f) => f.path)).toEqual(['spec.rules[1]']);
    const edited = ingress(['a', 'c']);
    edited.spec.rules[1].http.paths[0].backend.service.port.number = 8080;
    expect(fields(ingress(['a', 'c']), edited)).toEqual([{ path: 'spec.rules[1].http.paths[0].backend.service.port.number', before: 80, after: 8080 }]);
  });
});

describe('named lists', () => {
  it('a duplicated name falls back to content matching instead of hiding an item', () => {
    const pod = (env: unknown[]): K8sObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'dc' }, spec: { containers: [{ name: 'c', image: 'c:1', env }] } });
    const changed = fields(pod([{ name: 'A', value: '1' }]), pod([{ name: 'A', value: '1' }, { name: 'A', value: '2' }]));
    expect(changed).toEqual([{ path: 'spec.containers[c].env[1]', after: { name: 'A', value: '2' } }]);
  });
});
