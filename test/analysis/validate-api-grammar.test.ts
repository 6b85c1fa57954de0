/**
 * The API server's grammars that validate mirrors: label keys and values,
 * annotations, label selectors (object-meta), ConfigMap and Secret keys and
 * sizes (config-data), NetworkPolicy ports, peers and CIDRs (netpol-spec),
 * CronJob schedules and time zones (api-constraints). Each property generates
 * from the grammar the cited source defines, so a test names the rule that
 * broke; Node's own IP parser and BlockList, and ICU's zone list, are the
 * independent oracles where one exists.
 */
import * as net from 'net';
import fc from 'fast-check';
import { parseCidrSloppy } from '../../constructs/lib/cidr';
import { cronScheduleProblem, ETC_TIME_ZONES, timeZoneProblem } from '../../constructs/lib/cron-schedule';
import { QUOTA_SCOPES } from '../../src/analysis/rules-quota-spec';
import { K8sObject } from '../../src/analysis/objects';
import { CONFIG_DATA_MAX_BYTES, configKeyProblems } from '../../src/analysis/rules-config-data';
import { labelKeyProblems, labelValueProblems } from '../../src/analysis/rules-names';
import { ANNOTATIONS_MAX_BYTES, labelSelectorProblems } from '../../src/analysis/rules-object-meta';
import { formatProblem, validateManifests } from '../../src/analysis/validate';
import { envNameProblem } from '../../src/analysis/rules-pod-fields';
import { tolerations as tolerationsSchema } from '../../constructs/lib/schema';
import { RuleId } from '../../constructs/lib/rule-table';

const only = (rule: RuleId, objects: K8sObject[]) => validateManifests(objects, [rule]).map(formatProblem);

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const inner = fc.constantFrom(...'abcXYZ0189-_.');
/** A label name (content/kube.go labelKeyFmt): alphanumeric at both ends, at most 63. */
const labelName = fc.tuple(alnum, fc.array(inner, { maxLength: 61 }), alnum, fc.boolean())
  .map(([a, mid, z, single]) => (single ? a : a + mid.join('') + z));
const dnsLabel = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const subdomain = fc.array(dnsLabel, { minLength: 1, maxLength: 4 }).map(ls => ls.join('.'));
const labelKey = fc.tuple(fc.option(subdomain, { nil: undefined }), labelName).map(([p, n]) => (p ? `${p}/${n}` : n));

describe('object-meta: label keys and values (apimachinery content/kube.go IsLabelKey, IsLabelValue)', () => {
  it('property: keys and values built from the grammar pass', () => {
    fc.assert(fc.property(labelKey, labelName, (key, value) => {
      expect(labelKeyProblems(key)).toEqual([]);
      expect(labelValueProblems(value)).toEqual([]);
    }), { numRuns: 300 });
    expect(labelValueProblems('')).toEqual([]);
  });

  it('property: a character outside the grammar, a non-alphanumeric end, 64 characters or a second / are refused', () => {
    const bad = fc.constantFrom(...' !@#$%^&*()+=:;,<>?~`"\'é\u00a0');
    fc.assert(fc.property(labelName, bad, fc.nat(), (name, c, at) => {
      const i = at % (name.length + 1);
      const broken = name.slice(0, i) + c + name.slice(i);
      expect(labelKeyProblems(broken)).not.toEqual([]);
      expect(labelValueProblems(broken)).not.toEqual([]);
      for (const edge of [`-${name}`, `${name}.`, `_${name}`]) {
        expect(labelKeyProblems(edge)).not.toEqual([]);
        expect(labelValueProblems(edge)).not.toEqual([]);
      }
      expect(labelKeyProblems(`a/b/${name}`)).toEqual([expect.stringContaining("more than one '/'")]);
      expect(labelKeyProblems(`/${name}`)).toEqual(["the prefix before '/' is empty"]);
    }), { numRuns: 200 });
    expect(labelKeyProblems('a'.repeat(64))).toEqual(['the name part is 64 characters; at most 63']);
    expect(labelValueProblems('a'.repeat(64))).toEqual(['is 64 characters; at most 63']);
    expect(labelKeyProblems(`${'a'.repeat(254)}/x`)).toEqual([expect.stringMatching(/^the prefix "a+" is 254 characters; a DNS-1123 subdomain has at most 253$/)]);
    expect(labelKeyProblems('Example.COM/x')).toEqual([expect.stringMatching(/^the prefix "Example.COM" is not a valid DNS-1123 subdomain/)]);
    expect(labelKeyProblems('example.com/')).toEqual(['the name part is empty']);
  });

  const configMap = (metadata: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop', ...metadata } });

  it('annotation keys are label keys, case aside; all annotations of an object fit 256 KiB, counted in UTF-8 bytes', () => {
    expect(only('object-meta', [configMap({ annotations: { 'Example.com/Owner': 'x', 'Owner Team': 'y' } })])).toEqual([
      `ConfigMap shop/c: [object-meta] metadata.annotations key "Owner Team": the name part "owner team" must consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    ]);
    const key = 'note';
    const exactly = 'x'.repeat(ANNOTATIONS_MAX_BYTES - key.length);
    expect(only('object-meta', [configMap({ annotations: { [key]: exactly } })])).toEqual([]);
    // One character more, or one two-byte character instead of one one-byte character.
    for (const value of [`${exactly}x`, `${exactly.slice(1)}é`]) {
      expect(only('object-meta', [configMap({ annotations: { [key]: value } })])).toEqual([
        `ConfigMap shop/c: [object-meta] metadata.annotations hold ${ANNOTATIONS_MAX_BYTES + 1} bytes of keys and values; the API server accepts at most ${ANNOTATIONS_MAX_BYTES} (256 KiB): move the large values into a ConfigMap`,
      ]);
    }
  });

  it('property: a selector expression needs values exactly for In and NotIn; other operators are refused', () => {
    const operator = fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'in', 'Equals', '');
    fc.assert(fc.property(operator, fc.array(labelName, { maxLength: 3 }), labelKey, (op, values, key) => {
      const problems = labelSelectorProblems('spec.selector', { matchExpressions: [{ key, operator: op, values }] });
      const ok = op === 'In' || op === 'NotIn' ? values.length > 0 : op === 'Exists' || op === 'DoesNotExist' ? values.length === 0 : false;
      expect(problems.length === 0).toBe(ok);
    }), { numRuns: 200 });
    expect(labelSelectorProblems('spec.selector', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'bad value'] }] }))
      .toEqual([`spec.selector.matchExpressions[0].values[1] "bad value" must be empty or consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`]);
  });

  it('checks the metadata of templates and claim templates, and the selectors of workloads, Jobs, CronJobs, PDBs and Services', () => {
    const bad = { 'tier!': 'web' };
    const objects: K8sObject[] = [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' }, spec: { selector: { matchLabels: bad }, template: { metadata: { labels: bad } }, volumeClaimTemplates: [{ metadata: { name: 'data', labels: bad } }] } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'shop' }, spec: { jobTemplate: { metadata: { labels: bad }, spec: { selector: { matchLabels: bad }, template: { metadata: { annotations: bad } } } } } },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'shop' }, spec: { selector: { matchLabels: bad } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec: { selector: bad } },
    ];
    const fields = only('object-meta', objects).map(line => /\] (\S+) key/.exec(line)?.[1]);
    expect(fields).toEqual([
      'spec.selector.matchLabels', 'spec.template.metadata.labels', 'spec.volumeClaimTemplates[0].metadata.labels',
      'spec.jobTemplate.metadata.labels', 'spec.jobTemplate.spec.selector.matchLabels', 'spec.jobTemplate.spec.template.metadata.annotations',
      'spec.selector.matchLabels', 'spec.selector',
    ]);
  });
});

describe('object-meta: finalizers and ownerReferences (apimachinery objectmeta.go; core validateKubeFinalizerName)', () => {
  const meta = (metadata: Record<string, unknown>, apiVersion = 'v1', kind = 'ConfigMap'): K8sObject => ({ apiVersion, kind, metadata: { name: 'm', namespace: 'shop', ...metadata } });
  const problems = (o: K8sObject) => only('object-meta', [o]).map(l => l.replace(/^[A-Za-z]+ (shop\/)?m: \[object-meta\] /, ''));

  it('property: a built-in kind\'s finalizer passes exactly when domain-qualified or standard; a custom resource\'s when a qualified name', () => {
    const name = fc.oneof(fc.constantFrom('kubernetes', 'orphan', 'foregroundDeletion', 'cleanup', 'example.com/cleanup', 'resources-finalizer.argocd.argoproj.io', 'Example.com/x', 'a/b/c', 'bad name', ''), fc.stringMatching(/^[a-z]{1,5}(\.[a-z]{1,4})?(\/[a-z]{1,5})?$/));
    fc.assert(fc.property(name, fc.boolean(), (f, builtIn) => {
      const qualified = labelKeyProblems(f).length === 0;
      const ok = qualified && (!builtIn || f.includes('/') || ['kubernetes', 'orphan', 'foregroundDeletion'].includes(f));
      const o = builtIn ? meta({ finalizers: [f] }) : meta({ finalizers: [f] }, 'argoproj.io/v1alpha1', 'Application');
      expect([f, builtIn, problems(o).length === 0]).toEqual([f, builtIn, ok]);
    }), { numRuns: 300 });
  });

  it('orphan with foregroundDeletion, a Namespace\'s own finalizers, and owner references', () => {
    expect(problems(meta({ finalizers: ['orphan', 'foregroundDeletion'] }))).toEqual(['metadata.finalizers hold both orphan and foregroundDeletion: the API server refuses them together (one deletion policy)']);
    expect(problems({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'm' }, spec: { finalizers: ['kubernetes', 'cleanup'] } } as K8sObject)).toEqual(['spec.finalizers[1] "cleanup" is neither a standard finalizer (kubernetes, orphan, foregroundDeletion) nor domain-qualified (example.com/cleanup)']);
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'a1' };
    expect(problems(meta({ ownerReferences: [{ ...owner, controller: true }, { ...owner, name: 'web-2', controller: true }, { apiVersion: 'apps/', kind: '', name: 'x', uid: '' }, { apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] }))).toEqual([
      'metadata.ownerReferences[1] is a second controller (ReplicaSet/web-2, after ReplicaSet/web-1): at most one owner has controller: true',
      'metadata.ownerReferences[2].apiVersion "apps/" has no version',
      'metadata.ownerReferences[2].kind must not be empty',
      'metadata.ownerReferences[2].uid must not be empty',
      'metadata.ownerReferences[3]: a v1 Event cannot own objects',
    ]);
  });
});

describe('config-data (kubernetes pkg/apis/core/validation ValidateConfigMap, ValidateSecret; IsConfigMapKey)', () => {
  const key = fc.stringMatching(/^[-._a-zA-Z0-9]{1,40}$/).filter(k => k !== '.' && !k.startsWith('..'));

  it('property: keys of letters, digits, -, _ and . pass unless ., .. or starting with ..; any other character is refused', () => {
    fc.assert(fc.property(key, fc.constantFrom('/', ' ', ':', '\\', 'é', '~'), (k, c) => {
      expect(configKeyProblems(k)).toEqual([]);
      expect(configKeyProblems(`${k}${c}`)).not.toEqual([]);
      expect(configKeyProblems(`..${k}`)).toEqual(["must not start with '..'"]);
    }), { numRuns: 200 });
    expect(configKeyProblems('.')).toEqual(["must not be '.'"]);
    expect(configKeyProblems('..')).toEqual(["must not be '..'"]);
    expect(configKeyProblems('a'.repeat(253))).toEqual([]);
    expect(configKeyProblems('a'.repeat(254))).toEqual(['is 254 characters; at most 253']);
  });

  it('a ConfigMap key once across data and binaryData; values at most 1 MiB (binaryData decoded)', () => {
    const cm = (data: Record<string, string>, binaryData: Record<string, string> = {}): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data, binaryData });
    expect(only('config-data', [cm({ logo: 'x' }, { logo: 'eA==' })])).toEqual(['ConfigMap shop/c: [config-data] data key "logo" is also a binaryData key: each key once']);
    const half = 'x'.repeat(CONFIG_DATA_MAX_BYTES / 2);
    expect(only('config-data', [cm({ a: half }, { b: Buffer.from(half).toString('base64') })])).toEqual([]);
    expect(only('config-data', [cm({ a: `${half}x` }, { b: Buffer.from(half).toString('base64') })])).toEqual([
      `ConfigMap shop/c: [config-data] data and binaryData holds ${CONFIG_DATA_MAX_BYTES + 1} bytes of values; the API server accepts at most ${CONFIG_DATA_MAX_BYTES} (1 MiB) in a ConfigMap: split it, or mount the large files from elsewhere`,
    ]);
  });

  it('a Secret: stringData counts, over data, and the keys its type requires', () => {
    const secret = (type: string, fields: Partial<K8sObject>): K8sObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, type, ...fields });
    expect(only('config-data', [secret('kubernetes.io/tls', { stringData: { 'tls.crt': 'c', 'tls.key': 'k' } })])).toEqual([]);
    expect(only('config-data', [secret('kubernetes.io/basic-auth', { stringData: { password: '' } })])).toEqual([]);
    expect(only('config-data', [secret('kubernetes.io/basic-auth', { stringData: { user: 'u' } })])).toEqual(['Secret shop/s: [config-data] type kubernetes.io/basic-auth needs the key username or password']);
    expect(only('config-data', [secret('kubernetes.io/dockerconfigjson', { stringData: { '.dockerconfigjson': '["not", "an object"]' } })])).toEqual(['Secret shop/s: [config-data] type kubernetes.io/dockerconfigjson: the value of .dockerconfigjson must be a JSON object']);
    expect(only('config-data', [secret('kubernetes.io/ssh-auth', { data: { 'ssh-privatekey': '' } })])).toEqual(['Secret shop/s: [config-data] type kubernetes.io/ssh-auth needs a non-empty ssh-privatekey']);
    expect(only('config-data', [secret('kubernetes.io/service-account-token', {})])).toEqual(['Secret shop/s: [config-data] type kubernetes.io/service-account-token needs the annotation kubernetes.io/service-account.name']);
    // stringData replaces a data key of the same name: the size counts it once.
    const big = 'x'.repeat(CONFIG_DATA_MAX_BYTES);
    expect(only('config-data', [secret('Opaque', { data: { a: Buffer.from(big).toString('base64') }, stringData: { a: 'small' } })])).toEqual([]);
    expect(only('config-data', [secret('Opaque', { data: { a: Buffer.from(big).toString('base64') }, stringData: { b: 'x' } })])).toEqual([
      `Secret shop/s: [config-data] data (with stringData) holds ${CONFIG_DATA_MAX_BYTES + 1} bytes of values; the API server accepts at most ${CONFIG_DATA_MAX_BYTES} (1 MiB) in a Secret: split it, or mount the large files from elsewhere`,
    ]);
  });
});

describe('netpol-spec: CIDRs as the API server parses them (k8s.io/utils/net ParseCIDRSloppy)', () => {
  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
  /** RFC 5952-style compression of the longest run of zero groups (two or more). */
  const compress = (gs: number[]): string => {
    const hex = gs.map(g => g.toString(16));
    let best = [-1, 0];
    for (let i = 0; i < 8;) {
      let j = i;
      while (j < 8 && gs[j] === 0) j++;
      if (j - i > best[1]) best = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    if (best[1] < 2) return hex.join(':');
    return `${hex.slice(0, best[0]).join(':')}::${hex.slice(best[0] + best[1]).join(':')}`;
  };

  it('property: an IPv4 CIDR parses to its masked network, leading zeros and host bits accepted', () => {
    fc.assert(fc.property(ipv4, fc.integer({ min: 0, max: 32 }), (octets, prefix) => {
      const whole = octets.reduce((acc, o) => acc * 256n + BigInt(o), 0n);
      const expected = { family: 4, base: (whole >> BigInt(32 - prefix)) << BigInt(32 - prefix), prefix };
      expect(parseCidrSloppy(`${octets.join('.')}/${prefix}`)).toEqual(expected);
      expect(parseCidrSloppy(`${octets.map(o => String(o).padStart(3, '0')).join('.')}/${prefix}`)).toEqual(expected);
    }), { numRuns: 300 });
    for (const bad of ['10.0.0.0/33', '10.0.0.256/8', '10.0.0/8', '10.0.0.0', '10.0.0.0/', '10.0.0.0/-1', ' 10.0.0.0/8', '10.0.0.0/8 ', 'fe80::1%eth0/64', '1:2:3:4:5:6:7:8:9/64', '1:2:3:4::5:6:7:8/64', '::1::/64']) {
      expect([bad, parseCidrSloppy(bad)]).toEqual([bad, undefined]);
    }
  });

  it('property: an IPv6 address parses where Node parses it, full or compressed, to the same network', () => {
    fc.assert(fc.property(groups, fc.integer({ min: 0, max: 128 }), (gs, prefix) => {
      const full = gs.map(g => g.toString(16)).join(':');
      const short = compress(gs);
      expect(net.isIPv6(full) && net.isIPv6(short)).toBe(true);
      const a = parseCidrSloppy(`${full}/${prefix}`);
      expect(a).toBeDefined();
      expect(a!.family).toBe(6);
      expect(parseCidrSloppy(`${short}/${prefix}`)).toEqual(a);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-f:.]{1,30}$/), text => {
      fc.pre(!/[0-9a-f]{5}/.test(text) && !/(^|[:.])0\d/.test(text));
      expect([text, parseCidrSloppy(`${text}/64`) !== undefined]).toEqual([text, net.isIPv6(text)]);
    }), { numRuns: 500 });
  });

  it('property: an except is refused unless BlockList says the block holds it and its prefix is longer', () => {
    const rule = (cidr: string, except: string): string[] => only('netpol-spec', [{
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' },
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr, except: [except] } }] }] },
    }]);
    fc.assert(fc.property(ipv4, fc.integer({ min: 8, max: 24 }), ipv4, fc.integer({ min: 8, max: 32 }), (a, p, b, q) => {
      const cidr = `${a.join('.')}/${p}`;
      const except = `${b.join('.')}/${q}`;
      const outer = parseCidrSloppy(cidr)!;
      const inner = parseCidrSloppy(except)!;
      const list = new net.BlockList();
      const dotted = (n: bigint) => [24n, 16n, 8n, 0n].map(s => String((n >> s) & 255n)).join('.');
      list.addSubnet(dotted(outer.base), p, 'ipv4');
      const subset = list.check(dotted(inner.base), 'ipv4') && q > p;
      expect(rule(cidr, except).length === 0).toBe(subset);
    }), { numRuns: 300 });
    expect(rule('2001:db8::/32', '2001:db8:1::/48')).toEqual([]);
    // A strict subset: the block itself is not one.
    expect(rule('10.0.0.0/16', '10.0.0.0/16')).toEqual(['NetworkPolicy shop/p: [netpol-spec] spec.ingress[0].from[0].ipBlock.except[0] "10.0.0.0/16" must be a strict subset of the cidr "10.0.0.0/16"']);
    expect(rule('2001:db8::/32', '2001:db9::/48')).toEqual(['NetworkPolicy shop/p: [netpol-spec] spec.ingress[0].from[0].ipBlock.except[0] "2001:db9::/48" must be a strict subset of the cidr "2001:db8::/32"']);
    expect(rule('10.0.0.0/8', '2001:db8::/48')).toHaveLength(1);
  });

  it('property: a numeric port range is valid exactly when 1 <= port <= endPort <= 65535; endPort needs a numeric port', () => {
    const ports = (p: Record<string, unknown>) => only('netpol-spec', [{
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' },
      spec: { podSelector: {}, egress: [{ ports: [p], to: [{ namespaceSelector: {} }] }] },
    }]);
    fc.assert(fc.property(fc.integer({ min: -2, max: 70000 }), fc.option(fc.integer({ min: -2, max: 70000 }), { nil: undefined }), (port, endPort) => {
      const ok = port >= 1 && port <= 65535 && (endPort === undefined || (endPort >= port && endPort <= 65535));
      expect(ports({ port, endPort }).length === 0).toBe(ok);
    }), { numRuns: 300 });
    expect(ports({ port: 'http', endPort: 90 })).toEqual(['NetworkPolicy shop/p: [netpol-spec] spec.egress[0].ports[0].endPort is set with the named port "http": a range needs a numeric port']);
    expect(ports({ endPort: 90 })).toEqual(['NetworkPolicy shop/p: [netpol-spec] spec.egress[0].ports[0].endPort is set without a port: a range needs a numeric port']);
    expect(ports({ port: 'HTTP' })).toEqual(['NetworkPolicy shop/p: [netpol-spec] spec.egress[0].ports[0].port "HTTP" must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-); must contain at least one letter (a-z) (a port name of the pods, an IANA service name)']);
  });

  it('a peer names something, and an ipBlock stands alone', () => {
    const peers = (from: unknown[]) => only('netpol-spec', [{
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { podSelector: {}, ingress: [{ from }] },
    }]);
    expect(peers([{ podSelector: {}, namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }])).toEqual([]);
    expect(peers([{}])).toEqual(['NetworkPolicy shop/p: [netpol-spec] spec.ingress[0].from[0] names no peer: set podSelector, namespaceSelector or ipBlock']);
    expect(peers([{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {}, namespaceSelector: {} }])).toEqual(['NetworkPolicy shop/p: [netpol-spec] spec.ingress[0].from[0] sets ipBlock with podSelector and namespaceSelector: an ipBlock stands alone (use two peers)']);
  });
});

describe('api-constraints: CronJob schedules (robfig/cron v3.0.1 ParseStandard, as kubernetes validateScheduleFormat calls it)', () => {
  const FIELDS = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]] as const;
  /** One list item within [min, max]: *, ?, a, a-b, each with an optional /step. */
  const item = (min: number, max: number) => fc.oneof(
    fc.constantFrom('*', '?'),
    fc.integer({ min, max }).map(String),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  ).chain(base => fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }).map(step => (step === undefined ? base : `${base}/${step}`)));
  const field = (min: number, max: number) => fc.array(item(min, max), { minLength: 1, maxLength: 3 }).map(items => items.join(','));
  const schedule = fc.tuple(...FIELDS.map(([min, max]) => field(min, max)));

  it('property: five fields within their bounds parse, with any whitespace between them', () => {
    fc.assert(fc.property(schedule, fc.constantFrom(' ', '  ', '\t', ' \t '), (fields, gap) => {
      expect(cronScheduleProblem(fields.join(gap))).toBeUndefined();
    }), { numRuns: 300 });
  });

  it('property: one value past its field\'s bounds is refused, naming the field', () => {
    const NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'];
    fc.assert(fc.property(schedule, fc.integer({ min: 0, max: 4 }), fc.boolean(), (fields, i, below) => {
      const [min, max] = FIELDS[i];
      fc.pre(!below || min > 0);
      const out = below ? min - 1 : max + 1;
      const broken = fields.map((f, j) => (j === i ? String(out) : f)).join(' ');
      expect(cronScheduleProblem(broken)).toMatch(new RegExp(`^field ${NAMES[i]} "${out}": ${out} is (below the minimum|above the maximum)`));
    }), { numRuns: 200 });
  });

  it("robfig's own rules: names, descriptors, @every with a Go duration, its quirks; TZ is refused on create", () => {
    for (const ok of ['0 0 * * SUN', '0 0 1 jan-MAR mon-fri', '*/15 * * * *', '5/10 * * * *', '*-5 * * * *', '1,,2 * * * *', '+5 * * * *', '@hourly', '@midnight', '@every 1h30m', '@every 1.5s', '@every 0']) {
      expect([ok, cronScheduleProblem(ok)]).toEqual([ok, undefined]);
    }
    const refused: Array<[string, RegExp]> = [
      ['0 0 * * 7', /day of week "7": 7 is above the maximum 6/],
      ['*/0 * * * *', /the step must be a positive number/],
      ['1-2-3 * * * *', /too many hyphens/],
      ['*/2/3 * * * *', /too many slashes/],
      ['5-1 * * * *', /the range starts after it ends/],
      ['x * * * *', /"x" is not a number/],
      ['0 0 * *', /has 4 fields/],
      ['0 0 0 * * *', /has 6 fields/],
      ['@often', /is not a descriptor/],
      ['@every 5', /@every duration Go cannot parse/],
      ['', /is empty/],
      ['TZ=UTC 0 0 * * *', /must not use TZ or CRON_TZ: set spec.timeZone instead/],
      ['CRON_TZ=Europe/Paris 0 0 * * *', /must not use TZ/],
    ];
    for (const [text, message] of refused) expect([text, cronScheduleProblem(text)]).toEqual([text, expect.stringMatching(message)]);
  });

  it('time zones: every zone ICU knows passes; another case, Local, empty or a malformed name are refused', () => {
    for (const zone of Intl.supportedValuesOf('timeZone')) expect([zone, timeZoneProblem(zone)]).toEqual([zone, undefined]);
    expect(timeZoneProblem('Etc/UTC')).toBeUndefined();
    expect(timeZoneProblem('europe/paris')).toBe('is spelled Europe/Paris (time zone names are case-sensitive)');
    expect(timeZoneProblem('Local')).toMatch(/explicit time zone/);
    expect(timeZoneProblem('')).toMatch(/not empty/);
    for (const bad of ['Europe/../Paris', 'America/-Test', 'Europe/Paris Time', 'Mars/Olympus']) expect([bad, timeZoneProblem(bad)]).toEqual([bad, expect.stringMatching(/IANA/)]);
  });

  it('the Etc zones answered without ICU are zones ICU knows, 35 distinct names (IANA etcetera and backward); their other case is refused', () => {
    expect(new Set(ETC_TIME_ZONES).size).toBe(35);
    for (const zone of ETC_TIME_ZONES) {
      expect([zone, (() => { try { return new Intl.DateTimeFormat('en-US', { timeZone: zone }) && 'ICU knows it'; } catch { return 'ICU refuses it'; } })()]).toEqual([zone, 'ICU knows it']);
      expect([zone, timeZoneProblem(zone)]).toEqual([zone, undefined]);
    }
    // One more hour either way is no zone of the IANA database, and ICU says so too.
    for (const bad of ['Etc/GMT+13', 'Etc/GMT-15']) expect([bad, timeZoneProblem(bad)]).toEqual([bad, expect.stringMatching(/not a time zone of the IANA database/)]);
    expect(timeZoneProblem('etc/utc')).toBe('is spelled Etc/UTC (time zone names are case-sensitive)');
    expect(timeZoneProblem('ETC/GMT+5')).toBe('is spelled Etc/GMT+5 (time zone names are case-sensitive)');
  });

  it('Job counts must not be negative; an Indexed Job sets completions', () => {
    const job = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'shop' }, spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [] } } } });
    expect(only('api-constraints', [job({ backoffLimit: -1, ttlSecondsAfterFinished: 0 })])).toEqual(['Job shop/j: [api-constraints] spec.backoffLimit -1 must not be negative']);
    expect(only('api-constraints', [job({ completionMode: 'Indexed' })])).toEqual(['Job shop/j: [api-constraints] spec.completions is required when completionMode is Indexed']);
  });
});

describe('service-spec: the fields each Service type takes (kubernetes pkg/apis/core/validation ValidateService)', () => {
  const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', undefined] as const;
  const service = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'shop' }, spec });
  const port = { name: 'http', port: 80 };

  it('property: port, targetPort and nodePort numbers pass exactly from 1 to 65535 (targetPort and nodePort 0: not given)', () => {
    fc.assert(fc.property(fc.constantFrom('port', 'targetPort', 'nodePort'), fc.integer({ min: -2, max: 70000 }), (field, n) => {
      const ok = (n >= 1 && n <= 65535) || (n === 0 && field !== 'port');
      const spec = { type: 'NodePort', ports: [{ name: 'http', port: 80, [field]: n }] };
      expect([field, n, only('service-spec', [service(spec)]).filter(l => / must be from 1 to 65535$/.test(l)).length === 0]).toEqual([field, n, ok]);
    }), { numRuns: 300 });
  });

  it('protocols, session affinity and its timeout, load balancer source ranges', () => {
    const lines = (spec: Record<string, unknown>) => only('service-spec', [service(spec)]).map(l => l.replace('Service shop/s: [service-spec] ', ''));
    expect(lines({ type: 'LoadBalancer', ports: [{ ...port, protocol: 'SCTP' }], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, loadBalancerSourceRanges: ['203.0.113.0/24', ' 10.0.0.0/8 '] })).toEqual([]);
    expect(lines({ type: 'LoadBalancer', ports: [{ ...port, protocol: 'HTTP' }], sessionAffinity: 'Cookie', loadBalancerSourceRanges: ['203.0.113.7'] })).toEqual([
      'port 0 protocol "HTTP" must be TCP, UDP or SCTP',
      'spec.sessionAffinity "Cookie" must be None or ClientIP',
      'spec.loadBalancerSourceRanges[0] "203.0.113.7" is not a CIDR (e.g. 203.0.113.0/24)',
    ]);
    expect(lines({ ports: [port], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } })).toEqual(['spec.sessionAffinityConfig.clientIP.timeoutSeconds 86401 must be from 1 to 86400']);
  });

  it('property: a type-only field is refused exactly on the types that do not take it', () => {
    const FIELDS: Array<[string, unknown, (type: string, spec: Record<string, unknown>) => boolean]> = [
      ['loadBalancerSourceRanges', ['10.0.0.0/8'], t => t === 'LoadBalancer'],
      ['allocateLoadBalancerNodePorts', false, t => t === 'LoadBalancer'],
      ['externalTrafficPolicy', 'Local', (t, s) => t === 'NodePort' || t === 'LoadBalancer' || (t === 'ClusterIP' && Array.isArray(s.externalIPs))],
      ['healthCheckNodePort', 30123, (t, s) => t === 'LoadBalancer' && s.externalTrafficPolicy === 'Local'],
      ['sessionAffinityConfig', { clientIP: { timeoutSeconds: 60 } }, (_t, s) => s.sessionAffinity === 'ClientIP'],
    ];
    fc.assert(fc.property(fc.constantFrom(...TYPES), fc.constantFrom(...FIELDS), fc.boolean(), fc.boolean(), fc.boolean(), (type, [field, value, takes], local, affinity, externalIPs) => {
      const spec: Record<string, unknown> = { ports: [port], [field]: value };
      if (type) spec.type = type;
      if (type === 'ExternalName') spec.externalName = 'db.example.com';
      if (local && field === 'healthCheckNodePort') spec.externalTrafficPolicy = 'Local';
      if (affinity) spec.sessionAffinity = 'ClientIP';
      if (externalIPs) spec.externalIPs = ['192.0.2.10'];
      const problems = only('service-spec', [service(spec)]).filter(line => line.includes(`spec.${field}`));
      expect(problems.length === 0).toBe(takes(type ?? 'ClusterIP', spec));
    }), { numRuns: 300 });
  });

  it('headless, ExternalName, nodePorts and ports, with their messages', () => {
    const lines = (spec: Record<string, unknown>) => only('service-spec', [service(spec)]).map(l => l.replace('Service shop/s: [service-spec] ', ''));
    expect(lines({ type: 'NodePort', clusterIP: 'None', ports: [port] })).toEqual(['clusterIP None (headless) is refused for type NodePort: remove it, or make the Service a ClusterIP one']);
    expect(lines({ clusterIP: 'None' })).toEqual([]);
    expect(lines({})).toEqual(['has no ports: a Service needs at least one (unless headless, clusterIP None, or of type ExternalName)']);
    expect(lines({ type: 'ExternalName', externalName: 'db.example.com.' })).toEqual([]);
    expect(lines({ type: 'ExternalName', externalName: 'DB.example.com', clusterIP: '10.0.0.1' })).toEqual([
      'type ExternalName takes no clusterIP: remove it',
      `spec.externalName "DB.example.com" must be a DNS name (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    ]);
    expect(lines({ type: 'ExternalName' })).toEqual(['type ExternalName needs spec.externalName (the DNS name the Service stands for)']);
    expect(lines({ ports: [{ ...port, nodePort: 30080 }] })).toEqual(['port 0 sets nodePort 30080, which type ClusterIP does not take (use type NodePort, or remove it)']);
    expect(lines({ type: 'NodePort', ports: [{ ...port, nodePort: 30080 }, { name: 'https', port: 443, nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30080 }] }))
      .toEqual(["port 1 nodePort 30080/TCP repeats port 0's: each nodePort and protocol once"]);
  });
});

describe('api-constraints: claims, Ingress TLS Secrets, RBAC (kubernetes pkg/apis/{core,networking,rbac}/validation)', () => {
  const lines = (o: K8sObject) => only('api-constraints', [o]).map(l => l.replace(/^\S+ \S+: \[api-constraints\] /, ''));

  it('a claim needs an access mode, ReadWriteOncePod alone, and a positive size; a StatefulSet\'s claim templates too', () => {
    const pvc = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop' }, spec });
    expect(lines(pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }))).toEqual([]);
    expect(lines(pvc({ accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'], resources: { requests: { storage: '0' } } }))).toEqual([
      'spec.accessModes: ReadWriteOncePod cannot be combined with other access modes',
      'spec.resources.requests.storage must be greater than zero',
    ]);
    expect(lines(pvc({ accessModes: ['ReadWriteOnly'] }))).toEqual([
      'spec.accessModes "ReadWriteOnly" is not ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod',
      'spec.resources.requests.storage is missing: a claim states its size; the API server refuses the claim',
    ]);
    const sts: K8sObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } }] } };
    expect(lines(sts)).toEqual(['spec.volumeClaimTemplates[0].spec.accessModes is empty: a claim needs an access mode (e.g. ReadWriteOnce); its claims cannot be made, so no pod starts']);
  });

  it('property: a rule has verbs; nonResourceURLs alone and only in a ClusterRole; resources with apiGroups; resourceNames for one resource', () => {
    const list = (...items: string[]) => fc.subarray(items);
    fc.assert(fc.property(fc.constantFrom('Role', 'ClusterRole'), list('get', 'list'), list('', 'apps'), list('pods', 'services'), list('web'), list('/healthz'), (kind, verbs, apiGroups, resources, resourceNames, nonResourceURLs) => {
      const rule = { verbs, apiGroups, resources, resourceNames, nonResourceURLs };
      const ok = verbs.length > 0 && (nonResourceURLs.length > 0
        ? kind === 'ClusterRole' && apiGroups.length + resources.length + resourceNames.length === 0
        : apiGroups.length > 0 && resources.length > 0 && !(resourceNames.length > 0 && resources.length > 1));
      const role: K8sObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'r', ...(kind === 'Role' ? { namespace: 'shop' } : {}) }, rules: [rule] };
      expect(lines(role).length === 0).toBe(ok);
    }), { numRuns: 300 });
  });

  it('a binding refers to a Role or ClusterRole of rbac.authorization.k8s.io; subjects are named ServiceAccounts, Users or Groups', () => {
    const binding = (kind: string, roleRef: Record<string, unknown>, subjects: unknown[]): K8sObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'b', ...(kind === 'RoleBinding' ? { namespace: 'shop' } : {}) }, roleRef, subjects });
    const ref = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' };
    expect(lines(binding('RoleBinding', ref, [{ kind: 'ServiceAccount', name: 'web' }, { kind: 'User', name: 'ann' }, { kind: 'Group', name: 'ops', apiGroup: 'rbac.authorization.k8s.io' }]))).toEqual([]);
    expect(lines(binding('ClusterRoleBinding', { ...ref, kind: 'Role' }, [{ kind: 'ServiceAccount', name: 'web', apiGroup: 'v1' }]))).toEqual([
      'roleRef.kind "Role" must be ClusterRole',
      'subjects[0] is a ServiceAccount with apiGroup "v1": a ServiceAccount subject takes none (the core group)',
      'subjects[0] is a ServiceAccount without a namespace: a ClusterRoleBinding must name it',
    ]);
    expect(lines(binding('RoleBinding', { ...ref, apiGroup: 'rbac' }, [{ kind: 'Team', name: 'x' }, { kind: 'User', name: '' }]))).toEqual([
      'roleRef.apiGroup "rbac" must be rbac.authorization.k8s.io',
      'subjects[0] kind "Team" is not ServiceAccount, User or Group',
      'subjects[1] has no name',
    ]);
  });
});

describe('api-constraints: HorizontalPodAutoscalers (kubernetes pkg/apis/autoscaling/validation validateHorizontalPodAutoscalerSpec)', () => {
  const hpa = (spec: Record<string, unknown>, apiVersion = 'autoscaling/v2'): K8sObject => ({
    apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'shop' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, ...spec },
  });
  const problems = (o: K8sObject) => only('api-constraints', [o]).map(l => l.replace('HorizontalPodAutoscaler shop/web: [api-constraints] ', ''));
  const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } };
  const pods = { type: 'Pods', pods: { metric: { name: 'queue_depth' }, target: { type: 'AverageValue', averageValue: '10' } } };
  const object = { type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' }, metric: { name: 'requests' }, target: { type: 'Value', value: '100' } } };
  const external = { type: 'External', external: { metric: { name: 'queue_messages' }, target: { type: 'AverageValue', averageValue: '30' } } };
  const container = { type: 'ContainerResource', containerResource: { name: 'memory', container: 'app', target: { type: 'AverageValue', averageValue: '200Mi' } } };
  const policy = (type: string, value: number, periodSeconds: number) => ({ type, value, periodSeconds });

  it('every metric source written as the API documents it, and a full behavior, pass; so do the HPAs of dist/', () => {
    expect(problems(hpa({ metrics: [cpu, pods, object, external, container], behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [policy('Pods', 4, 15), policy('Percent', 100, 15)] }, scaleDown: { stabilizationWindowSeconds: 3600, policies: [policy('Percent', 10, 1800)] } } }))).toEqual([]);
    expect(problems(hpa({ behavior: { scaleUp: { selectPolicy: 'Disabled' } } }))).toEqual([]); // policies left out are defaulted
    expect(problems(hpa({ targetCPUUtilizationPercentage: 80 }, 'autoscaling/v1'))).toEqual([]);
  });

  it('property: replicas pass exactly when 1 <= minReplicas <= maxReplicas (minReplicas left out: 1)', () => {
    fc.assert(fc.property(fc.option(fc.integer({ min: -2, max: 12 }), { nil: undefined }), fc.integer({ min: -2, max: 12 }), (minReplicas, maxReplicas) => {
      const ok = maxReplicas >= 1 && (minReplicas === undefined || (minReplicas >= 1 && minReplicas <= maxReplicas));
      expect([minReplicas, maxReplicas, problems(hpa({ minReplicas, maxReplicas })).length === 0]).toEqual([minReplicas, maxReplicas, ok]);
    }), { numRuns: 200 });
  });

  it('each rule of the source, with its message', () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ minReplicas: 0 }, ['spec.minReplicas 0 must be at least 1 (scaling to 0 needs the alpha HPAScaleToZero feature gate and an Object or External metric)']],
      [{ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'apps/Deployment' } }, ["spec.scaleTargetRef.kind \"apps/Deployment\" must not contain '/' or '%' and must not be '.' or '..'", 'spec.scaleTargetRef.name is required']],
      [{ metrics: [{ type: 'Cpu' }] }, ['spec.metrics[0].type "Cpu" must be one of Object, Pods, Resource, External, ContainerResource']],
      [{ metrics: [{ type: 'Resource', pods: pods.pods }] }, ['spec.metrics[0].resource is required for type Resource']],
      [{ metrics: [{ ...cpu, pods: pods.pods }] }, ['spec.metrics[0].pods is set besides resource: a metric populates the member of its type only']],
      [{ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }] }, ['spec.metrics[0].resource.target sets neither averageUtilization nor averageValue: a resource metric needs one']],
      [{ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0, averageValue: '0' } } }] }, ['spec.metrics[0].resource.target.averageValue "0" must be positive', 'spec.metrics[0].resource.target.averageUtilization 0 must be at least 1 (percent of the request)', 'spec.metrics[0].resource.target sets both averageUtilization and averageValue: a resource metric takes one']],
      [{ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Percent', averageUtilization: 50 } } }] }, ['spec.metrics[0].resource.target.type "Percent" must be Utilization, Value or AverageValue']],
      [{ metrics: [{ type: 'Pods', pods: { metric: { name: 'queue/depth' }, target: { type: 'Utilization', averageUtilization: 50 } } }] }, ["spec.metrics[0].pods.metric.name \"queue/depth\" must not contain '/' or '%' and must not be '.' or '..'", 'spec.metrics[0].pods.target.averageValue is required: a Pods metric targets a per-pod average value']],
      [{ metrics: [{ type: 'Object', object: { describedObject: { kind: 'Service', name: 'web' }, metric: { name: 'rps' }, target: { type: 'Utilization', averageUtilization: 50 } } }] }, ['spec.metrics[0].object.target sets neither value nor averageValue: an Object metric needs one']],
      [{ metrics: [{ type: 'External', external: { metric: {}, target: { type: 'Value', value: '-1', averageValue: '2' } } }] }, ["spec.metrics[0].external.metric.name is required (the metric's name)", 'spec.metrics[0].external.target.value "-1" must be positive', 'spec.metrics[0].external.target sets both value and averageValue: an External metric takes one']],
      [{ metrics: [{ type: 'ContainerResource', containerResource: { name: 'gpu', container: 'App', target: { type: 'AverageValue', averageValue: '1' } } }] }, ['spec.metrics[0].containerResource.name "gpu" is neither a standard resource (cpu, memory, ephemeral-storage, hugepages-<size>) nor domain-prefixed (example.com/gpu)', 'spec.metrics[0].containerResource.container "App" is not a valid DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit)']],
      [{ behavior: { scaleUp: { stabilizationWindowSeconds: 3601, selectPolicy: 'max', policies: [] } } }, ['spec.behavior.scaleUp.stabilizationWindowSeconds 3601 must be from 0 to 3600', 'spec.behavior.scaleUp.selectPolicy "max" must be Max, Min or Disabled', 'spec.behavior.scaleUp.policies is empty: give at least one policy, or leave policies out for the defaults']],
      [{ behavior: { scaleDown: { policies: [policy('Replicas', 0, 1801), policy('Pods', 1, 0)] } } }, ['spec.behavior.scaleDown.policies[0].type "Replicas" must be Pods or Percent', 'spec.behavior.scaleDown.policies[0].value 0 must be above 0', 'spec.behavior.scaleDown.policies[0].periodSeconds 1801 must be from 1 to 1800', 'spec.behavior.scaleDown.policies[1].periodSeconds 0 must be from 1 to 1800']],
    ];
    for (const [spec, expected] of cases) expect([spec, problems(hpa(spec))]).toEqual([spec, expected]);
    expect(problems(hpa({ targetCPUUtilizationPercentage: 0 }, 'autoscaling/v1'))).toEqual(['spec.targetCPUUtilizationPercentage 0 must be at least 1']);
  });

  it('property: a scaling policy passes exactly when of type Pods or Percent, value >= 1 and 1 <= periodSeconds <= 1800', () => {
    fc.assert(fc.property(fc.constantFrom('Pods', 'Percent', 'pods', 'Replicas'), fc.integer({ min: -1, max: 5 }), fc.integer({ min: -1, max: 1802 }), (type, value, periodSeconds) => {
      const ok = ['Pods', 'Percent'].includes(type) && value >= 1 && periodSeconds >= 1 && periodSeconds <= 1800;
      expect([type, value, periodSeconds, problems(hpa({ behavior: { scaleUp: { policies: [policy(type, value, periodSeconds)] } } })).length === 0]).toEqual([type, value, periodSeconds, ok]);
    }), { numRuns: 300 });
  });
});

describe('api-constraints: ResourceQuotas (kubernetes pkg/apis/core/validation ValidateResourceQuotaSpec, core/helper sets)', () => {
  const quota = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'shop' }, spec });
  const problems = (spec: Record<string, unknown>) => only('api-constraints', [quota(spec)]).map(l => l.replace('ResourceQuota shop/q: [api-constraints] ', ''));
  const compute = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];
  const others = ['ephemeral-storage', 'requests.storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers', 'hugepages-2Mi', 'requests.hugepages-1Gi'];

  it('every resource a quota tracks, object counts and qualified names pass; so do the quotas of dist/', () => {
    expect(problems({ hard: Object.fromEntries([...compute, ...others, 'pods', 'count/deployments.apps', 'requests.nvidia.com/gpu', 'example.com/widgets'].map(r => [r, '4'])) })).toEqual([]);
    expect(problems({ hard: { pods: 10, 'requests.cpu': '500m' }, scopes: ['NotBestEffort', 'NotTerminating'] })).toEqual([]);
    expect(problems({ hard: { pods: 10 }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }, { scopeName: 'BestEffort', operator: 'Exists' }] } })).toEqual([]);
  });

  it('property: a scope passes exactly with the resources it counts (BestEffort: pods; the others: pods and compute)', () => {
    fc.assert(fc.property(fc.constantFrom(...QUOTA_SCOPES), fc.subarray(['pods', ...compute, ...others], { minLength: 1, maxLength: 4 }), (scope, resources) => {
      const counted = (r: string) => r === 'pods' || (scope !== 'BestEffort' && compute.includes(r));
      const ok = resources.every(counted);
      for (const spec of [{ scopes: [scope] }, { scopeSelector: { matchExpressions: [{ scopeName: scope, operator: 'Exists' }] } }]) {
        expect([scope, resources, Object.keys(spec)[0], problems({ hard: Object.fromEntries(resources.map(r => [r, '2'])), ...spec }).length === 0]).toEqual([scope, resources, Object.keys(spec)[0], ok]);
      }
    }), { numRuns: 200 });
  });

  it('property: counts are whole numbers as MilliValue() % 1000 judges them; amounts of cpu may be fractions', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('pods', 'count/deployments.apps', 'services.nodeports', 'requests.cpu'), (milli, resource) => {
      const ok = resource === 'requests.cpu' || milli % 1000 === 0;
      expect([milli, resource, problems({ hard: { [resource]: `${milli}m` } }).length === 0]).toEqual([milli, resource, ok]);
    }), { numRuns: 300 });
    expect(problems({ hard: { pods: '1.0001' } })).toEqual(['spec.hard.pods "1.0001" must be a whole number: pods counts objects or devices']);
    expect(problems({ hard: { pods: '1.1e1', secrets: '2e3' } })).toEqual([]);
  });

  it('names, scopes and selector expressions, with their messages', () => {
    expect(problems({ hard: { cpus: '4', 'requests.gpu': '1', 'Example.com/x/y': '1' } })).toEqual([
      'spec.hard.cpus is not a resource a quota tracks (cpu, memory, requests.cpu, limits.memory, pods, services, count/<resource>.<group>, ...)',
      'spec.hard["requests.gpu"] is not a resource a quota tracks (cpu, memory, requests.cpu, limits.memory, pods, services, count/<resource>.<group>, ...)',
      expect.stringMatching(/^spec\.hard\["Example\.com\/x\/y"\]: the name holds more than one '\/'/),
    ]);
    expect(problems({ hard: { pods: 5 }, scopes: ['Besteffort', 'Terminating', 'NotTerminating'] })).toEqual([
      'spec.scopes[0] "Besteffort" is not a quota scope (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, CrossNamespacePodAffinity)',
      'scopes Terminating and NotTerminating conflict: no pod is both, so the quota would match nothing',
    ]);
    expect(problems({ hard: { pods: 5 }, scopeSelector: { matchExpressions: [{ scopeName: 'Terminating', operator: 'In', values: ['x'] }, { scopeName: 'PriorityClass', operator: 'NotIn' }, { scopeName: 'PriorityClass', operator: 'Exists', values: ['x'] }, { scopeName: 'PriorityClass', operator: 'Equals', values: ['x'] }] } })).toEqual([
      'spec.scopeSelector.matchExpressions[0].operator "In" must be Exists for scope Terminating (only PriorityClass takes In, NotIn and DoesNotExist)',
      'spec.scopeSelector.matchExpressions[1].values is empty: NotIn needs at least one value',
      'spec.scopeSelector.matchExpressions[2].values must be empty for Exists',
      'spec.scopeSelector.matchExpressions[3].operator "Equals" must be In, NotIn, Exists or DoesNotExist',
    ]);
  });
});

describe('api-constraints: admission policies (kubernetes pkg/apis/admissionregistration/validation; variables of apiserver admission/plugin/cel compile.go)', () => {
  const rules = [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }];
  const policy = (spec: Record<string, unknown>): K8sObject => ({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'replicas' },
    spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: rules }, validations: [{ expression: 'object.spec.replicas <= 5' }], ...spec },
  });
  const binding = (spec: Record<string, unknown>): K8sObject => ({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'replicas' }, spec: { policyName: 'replicas', validationActions: ['Deny'], ...spec },
  });
  const problems = (o: K8sObject) => only('api-constraints', [o]).map(l => l.replace(/^ValidatingAdmissionPolicy(Binding)? replicas: \[api-constraints\] /, ''));
  const validation = (expression: string, extra: Record<string, unknown> = {}) => ({ validations: [{ expression, ...extra }] });

  it('a policy as the Kubernetes documentation writes them passes: params with a paramKind, variables declared before use, authorizer, messages, audit annotations', () => {
    expect(problems(policy({
      paramKind: { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit' },
      matchConditions: [{ name: 'exclude-leases', expression: '!(request.resource.group == "coordination.k8s.io" && request.resource.resource == "leases")' }, { name: 'not-kube-system', expression: 'has(params.exempt) ? !(namespaceObject.metadata.name in params.exempt) : true' }],
      variables: [{ name: 'containers', expression: 'object.spec.template.spec.containers' }, { name: 'images', expression: 'variables.containers.map(c, c.image)' }],
      validations: [
        { expression: 'object.spec.replicas <= params.maxReplicas', messageExpression: '"replicas must be at most " + string(params.maxReplicas)', reason: 'Invalid' },
        { expression: 'variables.images.all(i, !i.endsWith(":latest")) || authorizer.group("apps").resource("deployments").check("latest").allowed()', message: 'latest is not allowed' },
        { expression: 'object.spec.template.spec.?securityContext.?runAsNonRoot.orValue(false)' },
      ],
      auditAnnotations: [{ key: 'high-replica-count', valueExpression: 'object.spec.replicas > 50 ? "Deployment spec.replicas set to " + string(object.spec.replicas) : null' }],
    }))).toEqual([]);
    expect(problems(binding({ validationActions: ['Warn', 'Audit'], paramRef: { name: 'limit', parameterNotFoundAction: 'Deny' } }))).toEqual([]);
  });

  it('what an expression may name depends on where it is', () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [validation('object.spec.replicas <= params.max'), ['spec.validations[0].expression reads params, but the policy has no spec.paramKind: the API server declares params only with one']],
      [validation('true', { messageExpression: '"denied for " + string(authorizer.serviceAccount("ns", "sa").group("apps").resource("deployments").check("get").allowed())' }), ['spec.validations[0].messageExpression reads authorizer, which a messageExpression cannot (the API server declares it for expressions, not messages)']],
      [validation('variables.limit > 0'), ['spec.validations[0].expression reads variables, which the policy does not declare (spec.variables)']],
      [{ variables: [{ name: 'limit', expression: '5' }], matchConditions: [{ name: 'small', expression: 'variables.limit > 1' }] }, ["spec.matchConditions[0].expression reads variables, which matchConditions cannot (they are compiled without the policy's variables)"]],
      [{ variables: [{ name: 'a', expression: 'variables.b + 1' }, { name: 'b', expression: '1' }], ...validation('variables.a > variables.c') }, ['spec.variables[0].expression reads variables.b, which is not declared before it in spec.variables', 'spec.validations[0].expression reads variables.c, which is not declared in spec.variables']],
      [validation('objet.spec.replicas <= 5'), ['spec.validations[0].expression names "objet", which is no variable of an admission expression (object, oldObject, request, namespaceObject, params, authorizer, variables): a typo?']],
      [validation('size(object.spec.template.spec.containers <= 5'), ['spec.validations[0].expression is not a CEL expression: ( is never closed']],
    ];
    for (const [spec, expected] of cases) expect([spec, problems(policy(spec))]).toEqual([spec, expected]);
  });

  it('the required parts of a policy, its variables, messages, audit annotations and match conditions', () => {
    expect(problems(policy({ failurePolicy: 'Deny', matchConstraints: { namespaceSelector: {} }, validations: [], paramKind: { apiVersion: 'a/b/c', kind: 'Replica_Limit' } }))).toEqual([
      'spec.failurePolicy "Deny" must be Fail or Ignore',
      'spec.paramKind.apiVersion "a/b/c" is not group/version',
      'spec.paramKind.kind "Replica_Limit" must be a kind name (letters, digits and \'-\', starting with a letter)',
      'spec.matchConstraints.resourceRules is required: at least one rule, which gives the expressions their types',
      'spec has neither validations nor auditAnnotations: a policy needs at least one',
    ]);
    expect(problems(policy({ variables: [{ name: 'in', expression: '1' }, { name: 'x', expression: '' }, { name: 'x', expression: '2' }] }))).toEqual([
      'spec.variables[0].name "in" is not a CEL identifier (letters, digits and _, not starting with a digit, no reserved word)',
      'spec.variables[1].expression is required',
      'spec.variables[2].name "x" repeats an earlier variable\'s',
    ]);
    expect(problems(policy(validation('true', { message: 'two\nlines', reason: 'NotFound', messageExpression: ' ' })))).toEqual([
      'spec.validations[0].messageExpression is empty: give one or leave it out',
      'spec.validations[0].message has a line break: a message is one line',
      'spec.validations[0].reason "NotFound" must be one of Unauthorized, Forbidden, Invalid, RequestEntityTooLarge',
    ]);
    expect(problems(policy({ auditAnnotations: [{ key: 'bad key', valueExpression: '"x"' }, { key: 'ok', valueExpression: '"y"' }, { key: 'ok', valueExpression: '' }] }))).toEqual([
      expect.stringMatching(/^spec\.auditAnnotations\[0\]\.key "bad key": "replicas\/bad key" /),
      'spec.auditAnnotations[2].key "ok" repeats an earlier annotation\'s',
      'spec.auditAnnotations[2].valueExpression is required',
    ]);
    expect(problems(policy({ matchConditions: [{ name: 'a', expression: 'true' }, { name: 'a', expression: ' ' }, { expression: 'true' }] }))).toEqual([
      'spec.matchConditions[1].name "a" repeats an earlier condition\'s',
      'spec.matchConditions[1].expression is required',
      'spec.matchConditions[2].name is required',
    ]);
  });

  it('a binding names its policy and actions; a paramRef by name or selector, with what to do when it is missing', () => {
    expect(problems(binding({ policyName: '', validationActions: [] }))).toEqual(['spec.policyName is required (the policy this binds)', 'spec.validationActions is required: at least one of Deny, Warn, Audit']);
    expect(problems(binding({ validationActions: ['Deny', 'Warn', 'Deny', 'Block'] }))).toEqual([
      'spec.validationActions[2] repeats Deny',
      'spec.validationActions[3] "Block" must be Deny, Warn or Audit',
      'spec.validationActions holds both Deny and Warn: a denied request already carries the message (keep Deny, or Warn with Audit)',
    ]);
    expect(problems(binding({ paramRef: { name: 'limit', selector: { matchLabels: { tier: 'gold' } } } }))).toEqual(['spec.paramRef sets both name and selector: one of them', 'spec.paramRef.parameterNotFoundAction is required (Allow or Deny)']);
    expect(problems(binding({ paramRef: { parameterNotFoundAction: 'Skip' } }))).toEqual(['spec.paramRef needs a name or a selector', 'spec.paramRef.parameterNotFoundAction "Skip" must be Allow or Deny']);
  });

  it('webhook matchConditions name neither params nor variables', () => {
    const webhook: K8sObject = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'hook' }, webhooks: [{ name: 'a.example.com', matchConditions: [{ name: 'p', expression: 'params.enabled && object.spec.x' }] }] } as K8sObject;
    expect(only('api-constraints', [webhook])).toEqual(['ValidatingWebhookConfiguration hook: [api-constraints] webhooks[0].matchConditions[0].expression reads params, which a webhook\'s matchConditions cannot (webhooks have no parameters)']);
  });
});

describe('api-constraints: IngressClasses (kubernetes pkg/apis/networking/validation validateIngressClassSpec, apimachinery IsDomainPrefixedPath)', () => {
  const ingressClass = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'edge' }, spec });
  const problems = (spec: Record<string, unknown>) => only('api-constraints', [ingressClass(spec)]).map(l => l.replace('IngressClass edge: [api-constraints] ', ''));

  it('property: a controller passes exactly as a DNS subdomain, a /, and a non-empty path of URL characters, at most 250 in all', () => {
    const part = fc.constantFrom('traefik.io', 'k8s.io', 'Example.com', 'a_b.io', '', '-x.io');
    const path = fc.constantFrom('ingress-controller', 'nginx/v1', '', 'a b', 'x?y', "ok~%!$&'()*+,;=:", 'x'.repeat(240));
    fc.assert(fc.property(part, path, fc.boolean(), (domain, rest, slash) => {
      const controller = slash ? `${domain}/${rest}` : `${domain}${rest}`;
      // strings.SplitN(controller, "/", 2): the host before the first '/', the path after it.
      const [host, ...tail] = controller.split('/');
      const pathPart = tail.join('/');
      const ok = tail.length > 0 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host) && host.length <= 253 && /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(pathPart) && controller.length <= 250;
      expect([controller, problems({ controller }).length === 0]).toEqual([controller, ok]);
    }), { numRuns: 300 });
  });

  it('parameters: a kind, a name and a scope; a namespace exactly with scope Namespace', () => {
    expect(problems({ controller: 'example.com/lb', parameters: { apiGroup: 'example.com', kind: 'LBConfig', name: 'lb', scope: 'Namespace', namespace: 'edge' } })).toEqual([]);
    expect(problems({ controller: 'example.com/lb', parameters: { kind: 'LBConfig', name: 'lb' } })).toEqual(['spec.parameters.scope is required (Cluster or Namespace)']);
    expect(problems({ controller: 'example.com/lb', parameters: { kind: 'LBConfig', name: 'lb', scope: 'Namespace' } })).toEqual(['spec.parameters.namespace is required with scope Namespace']);
    expect(problems({ controller: 'example.com/lb', parameters: { kind: 'LBConfig', name: '', scope: 'Cluster', namespace: 'edge' } })).toEqual(['spec.parameters.name is required', 'spec.parameters.namespace is set with scope Cluster: leave it out']);
  });
});

describe('api-constraints: APIServices (kube-aggregator ValidateAPIService)', () => {
  const api = (name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name }, spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, service: { namespace: 'kube-system', name: 'metrics-server' }, ...spec } });
  const problems = (o: K8sObject) => only('api-constraints', [o]).map(l => l.replace(/^APIService [^:]+: \[api-constraints\] /, ''));

  it('named <version>.<group>, priorities in bounds, a Service with namespace and name, TLS settings that agree', () => {
    expect(problems(api('v1beta1.metrics.k8s.io', {}))).toEqual([]);
    expect(problems(api('metrics.k8s.io', {}))).toEqual(['metadata.name "metrics.k8s.io" must be spec.version + "." + spec.group: "v1beta1.metrics.k8s.io"']);
    expect(problems(api('v1beta1.', { group: '', groupPriorityMinimum: 20001, versionPriority: 0 }))).toEqual([
      'spec.group is required (only the legacy v1 API has none)',
      'spec.groupPriorityMinimum 20001 must be from 1 to 20000',
      'spec.versionPriority 0 must be from 1 to 1000',
    ]);
    expect(problems(api('v1beta1.metrics.k8s.io', { service: { name: 'metrics-server', port: 0 }, caBundle: 'LS0t', insecureSkipTLSVerify: true }))).toEqual([
      'spec.service.namespace is required',
      'spec.service.port 0 must be from 1 to 65535',
      'spec.insecureSkipTLSVerify is true although spec.caBundle is set: verify against the bundle, or drop it',
    ]);
    expect(problems(api('v1beta1.metrics.k8s.io', { service: undefined, caBundle: 'LS0t' }))).toEqual(['spec.caBundle is set without spec.service: a local APIService has no certificate to check']);
  });
});

describe('api-constraints: StorageClasses (kubernetes pkg/apis/storage/validation ValidateStorageClass)', () => {
  const sc = (fields: Record<string, unknown>): K8sObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com', ...fields } as K8sObject);
  const problems = (fields: Record<string, unknown>) => only('api-constraints', [sc(fields)]).map(l => l.replace('StorageClass fast: [api-constraints] ', ''));

  it('a provisioner, bounded parameters, the reclaim policies and binding modes the API offers', () => {
    expect(problems({ parameters: { type: 'gp3' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true })).toEqual([]);
    expect(problems({ provisioner: 'Kubernetes.IO/AWS-EBS' })).toEqual([]); // a qualified name, case aside
    expect(problems({ provisioner: '', reclaimPolicy: 'Recycle', volumeBindingMode: 'Lazy' })).toEqual([
      'provisioner is required (e.g. ebs.csi.aws.com, rancher.io/local-path)',
      'reclaimPolicy "Recycle" must be Delete or Retain (Recycle is not offered for provisioned volumes)',
      'volumeBindingMode "Lazy" must be Immediate or WaitForFirstConsumer',
    ]);
    expect(problems({ parameters: Object.fromEntries(Array.from({ length: 513 }, (_, i) => [`k${i}`, 'v'])) })).toEqual(['parameters has 513 entries: at most 512']);
    expect(problems({ parameters: { big: 'x'.repeat(256 * 1024) } })).toEqual(['parameters hold 262147 bytes: at most 262144 (256 KiB)']);
  });

  it('allowedTopologies: values given once each, each key once per term, no term twice (in any order)', () => {
    const zone = (values: string[], key = 'topology.kubernetes.io/zone') => ({ key, values });
    expect(problems({ allowedTopologies: [{ matchLabelExpressions: [zone(['a', 'b'])] }, { matchLabelExpressions: [zone(['c'])] }] })).toEqual([]);
    expect(problems({ allowedTopologies: [{ matchLabelExpressions: [zone([]), zone(['a', 'a'], 'kubernetes.io/hostname'), zone(['b'])] }, { matchLabelExpressions: [zone(['b', 'a'])] }, { matchLabelExpressions: [zone(['a', 'b'])] }] })).toEqual([
      'allowedTopologies[0].matchLabelExpressions[0].values is required: at least one value',
      'allowedTopologies[0].matchLabelExpressions[1].values[1] repeats "a"',
      'allowedTopologies[0].matchLabelExpressions[2].key "topology.kubernetes.io/zone" repeats an earlier expression\'s key in this term',
      'allowedTopologies[2] repeats an earlier term',
    ]);
  });
});

describe('api-constraints: PersistentVolumes (kubernetes pkg/apis/core/validation ValidatePersistentVolumeSpec)', () => {
  const pv = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'disk' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' }, ...spec } });
  const problems = (spec: Record<string, unknown>) => only('api-constraints', [pv(spec)]).map(l => l.replace('PersistentVolume disk: [api-constraints] ', ''));
  const node = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] } };

  it('the volumes people write by hand pass: a local disk, an NFS export, a pre-provisioned CSI volume', () => {
    expect(problems({ local: { path: '/mnt/disks/ssd1' }, nodeAffinity: node, persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'local-ssd', volumeMode: 'Filesystem' })).toEqual([]);
    expect(problems({ accessModes: ['ReadWriteMany'], nfs: { server: 'nfs.example.com', path: '/exports/data' }, persistentVolumeReclaimPolicy: 'Recycle' })).toEqual([]);
    expect(problems({ csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123' }, volumeMode: 'Block' })).toEqual([]);
  });

  it('property: a volume and a claim judge the same access modes alike (known modes, ReadWriteOncePod with no other known one)', () => {
    const MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
    fc.assert(fc.property(fc.subarray([...MODES, 'ReadWriteAll'], { minLength: 1 }), modes => {
      const claim: K8sObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'shop' }, spec: { accessModes: modes, resources: { requests: { storage: '1Gi' } } } };
      const volume = problems({ accessModes: modes, hostPath: { path: '/data' } }).map(p => p.replace(/^spec\./, ''));
      const claimed = only('api-constraints', [claim]).map(l => l.replace('PersistentVolumeClaim shop/c: [api-constraints] spec.', ''));
      const expected = [...(modes.includes('ReadWriteAll') ? [1] : []), ...(modes.includes('ReadWriteOncePod') && modes.some(m => m !== 'ReadWriteOncePod' && MODES.includes(m)) ? [1] : [])].length;
      expect([modes, volume, volume.length]).toEqual([modes, claimed, expected]);
    }), { numRuns: 100 });
  });

  it('property: exactly one source is accepted, counted as the API server counts (a flexVolume may follow another)', () => {
    const SOURCES = { hostPath: { path: '/data' }, nfs: { server: 's', path: '/e' }, flexVolume: { driver: 'example/x' }, csi: { driver: 'd', volumeHandle: 'h' } };
    fc.assert(fc.property(fc.subarray(Object.keys(SOURCES) as Array<keyof typeof SOURCES>), used => {
      const spec = Object.fromEntries(used.map(k => [k, SOURCES[k]]));
      // hostPath, nfs, flexVolume, csi in the API server's order: flexVolume is counted without a check.
      const order = ['hostPath', 'nfs', 'flexVolume', 'csi'].filter(k => used.includes(k as keyof typeof SOURCES));
      const refused = order.filter((k, i) => i > 0 && k !== 'flexVolume').length;
      expect([used, problems(spec).filter(p => /volume source/.test(p)).length]).toEqual([used, used.length === 0 ? 1 : refused]);
    }), { numRuns: 100 });
  });

  it('access modes, capacity, reclaim policy, local without node affinity, source fields', () => {
    expect(problems({ accessModes: [], capacity: { storage: '0', cpu: '1' }, persistentVolumeReclaimPolicy: 'Recycled', hostPath: { path: '' } })).toEqual([
      'spec.accessModes is required (e.g. [ReadWriteOnce])',
      'spec.capacity holds storage, cpu: a volume\'s capacity is storage only',
      'spec.capacity.storage "0" must be greater than zero',
      'spec.persistentVolumeReclaimPolicy "Recycled" must be Retain, Delete or Recycle',
      'spec.hostPath.path is required',
    ]);
    expect(problems({ accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'], local: { path: '/mnt/x' } })).toEqual(['spec.accessModes: ReadWriteOncePod cannot be combined with other access modes', 'spec.nodeAffinity.required is required for a local volume (the node that has the disk)']);
    expect(problems({ nfs: { server: '', path: 'exports' } })).toEqual(['spec.nfs.server is required', 'spec.nfs.path "exports" must be an absolute path']);
    expect(problems({ hostPath: { path: '/var/../' }, persistentVolumeReclaimPolicy: 'Recycle' })).toEqual(["spec.persistentVolumeReclaimPolicy may not be Recycle for a hostPath of '/' (it would wipe the node)"]);
    expect(problems({ csi: { driver: 'd' }, nodeAffinity: { required: { nodeSelectorTerms: [] } }, volumeMode: 'Raw' })).toEqual([
      'spec.nodeAffinity.required.nodeSelectorTerms is empty: give at least one term',
      'spec.csi.volumeHandle is required',
      'spec.volumeMode "Raw" must be Filesystem or Block',
    ]);
  });
});

describe('api-constraints: CustomResourceDefinitions (apiextensions-apiserver ValidateCustomResourceDefinition)', () => {
  const version = (name: string, storage: boolean, schema = true) => ({ name, served: true, storage, ...(schema ? { schema: { openAPIV3Schema: { type: 'object' } } } : {}) });
  const crd = (name: string, spec: Record<string, unknown>): K8sObject => ({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name },
    spec: { group: 'platform.example.com', scope: 'Namespaced', names: { plural: 'buckets', singular: 'bucket', kind: 'Bucket', listKind: 'BucketList', shortNames: ['bk'] }, versions: [version('v1', true)], ...spec },
  });
  const problems = (o: K8sObject) => only('api-constraints', [o]).map(l => l.replace(/^CustomResourceDefinition [^:]+: \[api-constraints\] /, ''));

  it('named <plural>.<group>: the classic slip of a singular or a missing group is refused', () => {
    expect(problems(crd('buckets.platform.example.com', {}))).toEqual([]);
    expect(problems(crd('bucket.platform.example.com', {}))).toEqual(['metadata.name "bucket.platform.example.com" must be spec.names.plural + "." + spec.group: "buckets.platform.example.com"']);
    expect(problems(crd('buckets.platform', { group: 'platform' }))).toEqual(['spec.group "platform" should be a domain with at least one dot']);
  });

  it('versions: names once, each with a schema, exactly one storage version', () => {
    expect(problems(crd('buckets.platform.example.com', { versions: [version('v1', true), version('v1', true, false), version('V2beta', false)] }))).toEqual([
      'spec.versions[1].name "v1" repeats an earlier version\'s: version names are unique',
      'spec.versions[1].schema.openAPIV3Schema is required (schemas are required)',
      expect.stringMatching(/^spec\.versions\[2\]\.name "V2beta" is not a valid DNS-1035 label/),
      'spec.versions has 2 storage versions: exactly one version is marked storage: true',
    ]);
    expect(problems(crd('buckets.platform.example.com', { versions: [version('v1', false)] }))).toEqual(['spec.versions has 0 storage versions: exactly one version is marked storage: true']);
  });

  it('names, scope and conversion', () => {
    expect(problems(crd('buckets.platform.example.com', { scope: 'Namespace', names: { plural: 'buckets', kind: 'Bucket_Set', shortNames: ['b_k'] } }))).toEqual([
      'spec.scope "Namespace": Namespaced or Cluster',
      'spec.names.kind "Bucket_Set" may have mixed case, but should otherwise be a DNS-1035 label (letters, digits and \'-\', starting with a letter)',
      expect.stringMatching(/^spec\.names\.shortNames\[0\] "b_k" is not a valid DNS-1035 label/),
    ]);
    expect(problems(crd('buckets.platform.example.com', { conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://x', service: { name: 's', namespace: 'n' } }, conversionReviewVersions: ['v2'] } } }))).toEqual([
      'spec.conversion.webhook.clientConfig needs exactly one of url and service',
      'spec.conversion.webhook.conversionReviewVersions must include one of v1, v1beta1',
    ]);
    expect(problems(crd('buckets.platform.example.com', { conversion: { strategy: 'None', webhook: { conversionReviewVersions: ['v1'] } } }))).toEqual(['spec.conversion.webhook is set with strategy None: leave it out']);
  });
});

describe('api-constraints: Ingress backends (kubernetes pkg/apis/networking/validation validateIngressBackend)', () => {
  const ingress = (backend: Record<string, unknown>, defaultBackend?: Record<string, unknown>): K8sObject => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'shop' },
    spec: { ...(defaultBackend ? { defaultBackend } : {}), rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] },
  });
  const problems = (o: K8sObject) => only('api-constraints', [o]).map(l => l.replace('Ingress shop/i: [api-constraints] ', ''));

  it('a Service by a Service name and a port by name or number, or a resource; never both, never neither', () => {
    expect(problems(ingress({ service: { name: 'web', port: { name: 'http' } } }, { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } }))).toEqual([]);
    expect(problems(ingress({ service: { name: 'web', port: { number: 80 } }, resource: { kind: 'Bucket', name: 'b' } }))).toEqual(['rule 0 path 0: the backend sets both service and resource: one backend']);
    expect(problems(ingress({}, {}))).toEqual(['rule 0 path 0: the backend sets neither service nor resource: give one', 'spec.defaultBackend sets neither service nor resource: give one']);
    expect(problems(ingress({ service: { name: 'Web.Shop', port: {} } }))).toEqual([
      expect.stringMatching(/^rule 0 path 0: the backend service\.name "Web\.Shop" is not a valid DNS-1035 label .*: it names a Service$/),
      "rule 0 path 0: the backend's port needs a name or a number",
    ]);
    expect(problems(ingress({ service: { name: 'web', port: { number: 70000 } } }))).toEqual(["rule 0 path 0: the backend's port number 70000 must be from 1 to 65535"]);
    expect(problems(ingress({ service: { name: 'web', port: { name: 'HTTP_alt' } } }))).toEqual([expect.stringMatching(/^rule 0 path 0: the backend's port name "HTTP_alt" /)]);
  });
});

describe('workload-spec: update strategies and timings (kubernetes pkg/apis/apps/validation, apps/v1 defaults)', () => {
  const workload = (kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', spec: Record<string, unknown>): K8sObject => ({
    apiVersion: 'apps/v1', kind, metadata: { name: 'w', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } }, ...(kind === 'StatefulSet' ? { serviceName: 'w' } : {}), ...spec },
  });
  const problems = (o: K8sObject) => only('workload-spec', [o]).map(l => l.replace(/^[A-Za-z]+ shop\/w: \[workload-spec\] /, ''));

  it('property: a Deployment passes exactly when its progress deadline (600 when left out) exceeds minReadySeconds', () => {
    fc.assert(fc.property(fc.option(fc.integer({ min: 0, max: 1200 }), { nil: undefined }), fc.integer({ min: 0, max: 1200 }), (deadline, minReady) => {
      const ok = (deadline ?? 600) > minReady;
      expect([deadline, minReady, problems(workload('Deployment', { minReadySeconds: minReady, ...(deadline === undefined ? {} : { progressDeadlineSeconds: deadline }) })).length === 0]).toEqual([deadline, minReady, ok]);
    }), { numRuns: 300 });
  });

  it('strategies of a known type, rollingUpdate only with RollingUpdate, StatefulSet policies, no negative counts', () => {
    expect(problems(workload('Deployment', { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }))).toEqual(['spec.strategy.rollingUpdate is set with type Recreate: the API server refuses it (remove rollingUpdate, or use RollingUpdate)']);
    expect(problems(workload('Deployment', { strategy: { type: 'BlueGreen' }, revisionHistoryLimit: -1 }))).toEqual(['spec.revisionHistoryLimit -1 must not be negative', 'spec.strategy.type "BlueGreen" must be RollingUpdate or Recreate']);
    expect(problems(workload('Deployment', { minReadySeconds: 600 }))).toEqual(['spec.progressDeadlineSeconds 600 (the default) must be greater than spec.minReadySeconds 600: a rollout would time out before any pod counts as available']);
    expect(problems(workload('StatefulSet', { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: -1 } }, podManagementPolicy: 'Ordered', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Delete' } }))).toEqual([
      'spec.updateStrategy.rollingUpdate is set with type OnDelete: only RollingUpdate takes it',
      'spec.updateStrategy.rollingUpdate.partition -1 must not be negative',
      'spec.podManagementPolicy "Ordered" must be OrderedReady or Parallel',
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted "Keep" must be Retain or Delete',
    ]);
    expect(problems(workload('DaemonSet', { updateStrategy: { type: 'Recreate' }, minReadySeconds: -5 }))).toEqual(['spec.minReadySeconds -5 must not be negative', 'spec.updateStrategy.type "Recreate" must be RollingUpdate or OnDelete']);
    expect(problems(workload('StatefulSet', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }, podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } }))).toEqual([]);
  });
});

describe('quantities: requests within limits (kubernetes validateResourceRequirements, helper.IsOvercommitAllowed)', () => {
  const pod = (resources: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'x:1', resources }] } });
  const lines = (resources: Record<string, unknown>) => only('quantities', [pod(resources)]).map(l => l.replace('Pod shop/p: [quantities] container c resources.requests', ''));

  it('property: a native resource is refused exactly when its request exceeds its limit', () => {
    fc.assert(fc.property(fc.constantFrom('cpu', 'memory', 'ephemeral-storage'), fc.integer({ min: 8, max: 4096 }), fc.integer({ min: 8, max: 4096 }), (name, request, limit) => {
      const unit = name === 'cpu' ? 'm' : 'Mi';
      const problems = lines({ requests: { [name]: `${request}${unit}` }, limits: { [name]: `${limit}${unit}` } });
      expect(problems.length === 0).toBe(request <= limit);
    }), { numRuns: 200 });
    // Different units, one amount: 1 core is 1000m.
    expect(lines({ requests: { cpu: '1' }, limits: { cpu: '1000m' } })).toEqual([]);
    expect(lines({ requests: { memory: '1Gi' }, limits: { memory: '1000Mi' } })).toEqual(['.memory "1Gi" is above its limit "1000Mi": the API server refuses a request above its limit (raise the limit or lower the request)']);
  });

  it('extended resources and hugepages: a limit, equal to the request', () => {
    expect(lines({ requests: { 'nvidia.com/gpu': 1 }, limits: { 'nvidia.com/gpu': 1 } })).toEqual([]);
    expect(lines({ requests: { 'nvidia.com/gpu': 1 } })).toEqual(['["nvidia.com/gpu"] 1 has no limit: nvidia.com/gpu cannot be overcommitted, so the API server needs a limit equal to the request']);
    expect(lines({ requests: { 'hugepages-2Mi': '4Mi', memory: '64Mi' }, limits: { 'hugepages-2Mi': '8Mi', memory: '64Mi' } }))
      .toEqual(['.hugepages-2Mi "4Mi" differs from its limit "8Mi": hugepages-2Mi cannot be overcommitted, request and limit must be equal']);
  });
});

describe('pod-spec: security contexts (kubernetes pkg/apis/core/validation validateSeccompProfileField, ValidateAppArmorProfileField, validateSysctls, IsValidUserID)', () => {
  const pod = (podSc: Record<string, unknown>, containerSc: Record<string, unknown> = {}): K8sObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { securityContext: podSc, containers: [{ name: 'c', image: 'x:1', securityContext: containerSc }] } });
  const lines = (podSc: Record<string, unknown>, containerSc: Record<string, unknown> = {}) => only('pod-spec', [pod(podSc, containerSc)]).map(l => l.replace('Pod shop/p: [pod-spec] ', ''));

  it('property: a seccomp or AppArmor profile passes exactly with a known type and a localhostProfile exactly for Localhost', () => {
    fc.assert(fc.property(fc.constantFrom('seccompProfile', 'appArmorProfile'), fc.constantFrom('Localhost', 'RuntimeDefault', 'Unconfined', 'runtime/default', ''), fc.option(fc.constantFrom('profiles/audit.json', 'k8s-apparmor-example'), { nil: undefined }), (kind, type, local) => {
      const ok = ['Localhost', 'RuntimeDefault', 'Unconfined'].includes(type) && (type === 'Localhost') === (local !== undefined);
      const profile = { type, ...(local === undefined ? {} : { localhostProfile: local }) };
      expect([kind, type, local, lines({ [kind]: profile }).length === 0, lines({}, { [kind]: profile }).length === 0]).toEqual([kind, type, local, ok, ok]);
    }), { numRuns: 200 });
  });

  it('localhost paths, sysctl names and user and group ids, with their messages', () => {
    expect(lines({ seccompProfile: { type: 'Localhost', localhostProfile: '/var/lib/kubelet/seccomp/a.json' } })).toEqual(['securityContext.seccompProfile.localhostProfile "/var/lib/kubelet/seccomp/a.json" must be a relative path (under the kubelet\'s seccomp directory)']);
    expect(lines({}, { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/../../etc/a.json' } })).toEqual(['container c: securityContext.seccompProfile.localhostProfile "profiles/../../etc/a.json" must not contain \'..\'']);
    expect(lines({ appArmorProfile: { type: 'Localhost', localhostProfile: ' padded ' } })).toEqual(['securityContext.appArmorProfile.localhostProfile " padded " must not be padded with whitespace']);
    expect(lines({ sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }, { name: 'kernel/shm_rmid_forced', value: '1' }, { name: 'Net.Core', value: '1' }, { name: 'net.ipv4.ip_unprivileged_port_start', value: '1' }, { value: '1' }] })).toEqual([
      'securityContext.sysctls[2].name "Net.Core" is not a sysctl name (segments of a-z, 0-9, \'-\' and \'_\' joined by \'.\' or \'/\', at most 253 characters)',
      'securityContext.sysctls[3].name "net.ipv4.ip_unprivileged_port_start" is set twice',
      'securityContext.sysctls[4].name is required',
    ]);
    expect(lines({ runAsUser: -1, fsGroup: 2147483648, supplementalGroups: [1000, -5] }, { runAsGroup: 1.5 })).toEqual([
      'securityContext.runAsUser -1 must be from 0 to 2147483647',
      'securityContext.fsGroup 2147483648 must be from 0 to 2147483647',
      'securityContext.supplementalGroups[1] -5 must be from 0 to 2147483647',
      'container c: securityContext.runAsGroup 1.5 must be from 0 to 2147483647',
    ]);
  });
});

describe('pod-spec: node affinity (kubernetes pkg/apis/core/validation ValidateNodeSelector, ValidateNodeSelectorRequirement)', () => {
  const pod = (affinity: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { affinity, containers: [{ name: 'c', image: 'x:1' }] } });
  const lines = (affinity: Record<string, unknown>) => only('pod-spec', [pod(affinity)]).map(l => l.replace('Pod shop/p: [pod-spec] ', ''));
  const required = (...terms: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
  const preferred = (weight: number, preference: unknown) => ({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, preference }] } });
  const TAKES: Record<string, (n: number) => boolean> = { In: n => n > 0, NotIn: n => n > 0, Exists: n => n === 0, DoesNotExist: n => n === 0, Gt: n => n === 1, Lt: n => n === 1 };

  it('property: an expression passes exactly when its operator takes that many values', () => {
    fc.assert(fc.property(fc.constantFrom(...Object.keys(TAKES), 'Equals', 'in'), fc.array(fc.constantFrom('a', 'b', '3'), { maxLength: 3 }), (operator, values) => {
      const ok = Object.hasOwn(TAKES, operator) && TAKES[operator](values.length);
      expect([operator, values, lines(required({ matchExpressions: [{ key: 'disktype', operator, values }] })).length === 0]).toEqual([operator, values, ok]);
    }), { numRuns: 200 });
  });

  it('required terms: at least one, label keys and values; preferred terms: weights 1-100, any values; fields: metadata.name, one node', () => {
    expect(lines(required({ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-1'] }] }))).toEqual([]);
    expect(lines(required())).toEqual(['affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms is empty: give at least one term (or leave the requirement out)']);
    const bad = { matchExpressions: [{ key: 'zone name', operator: 'In', values: ['eu west'] }] };
    expect(lines(required(bad))).toEqual([
      expect.stringMatching(/^affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms\[0\]\.matchExpressions\[0\]\.key "zone name": /),
      expect.stringMatching(/^affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms\[0\]\.matchExpressions\[0\]\.values\[0\] "eu west" /),
    ]);
    // The same value in a preferred term is allowed (ValidatePreferredSchedulingTerms); the key is still checked.
    expect(lines(preferred(50, bad))).toEqual([expect.stringMatching(/^affinity\.nodeAffinity\.preferredDuringSchedulingIgnoredDuringExecution\[0\]\.preference\.matchExpressions\[0\]\.key "zone name": /)]);
    expect(lines(preferred(0, { matchExpressions: [] }))).toEqual(['affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight 0 must be between 1 and 100']);
    expect(lines(required({ matchFields: [{ key: 'metadata.labels', operator: 'Exists' }, { key: 'metadata.name', operator: 'In', values: ['a', 'b'] }, { key: 'metadata.name', operator: 'In', values: ['Node_1'] }] }))).toEqual([
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].operator "Exists" must be In or NotIn (a field selector)',
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key "metadata.labels" is not a node field a selector can match: only metadata.name',
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[1].values must hold exactly one node name for In',
      expect.stringMatching(/^affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms\[0\]\.matchFields\[2\]\.values\[0\] "Node_1" is not a valid DNS-1123 subdomain .*: it names a node$/),
    ]);
  });

  it('pod affinity terms name namespaces by their names', () => {
    const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } }, namespaces: ['shop', 'Shop_2'] };
    expect(lines({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } })).toEqual([expect.stringMatching(/^affinity\.podAntiAffinity\.requiredDuringSchedulingIgnoredDuringExecution\[0\]\.namespaces entry "Shop_2" is not a valid DNS-1123 label/)]);
  });
});

describe('pod-spec: ports, env, probes, hooks and volume sources (kubernetes pkg/apis/core/validation, after the v1 defaults)', () => {
  const pod = (container: Record<string, unknown>, volumes: unknown[] = []): K8sObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { volumes, containers: [{ name: 'c', image: 'x:1', ...container }] },
  });
  const lines = (container: Record<string, unknown>, volumes: unknown[] = []) => only('pod-spec', [pod(container, volumes)]).map(l => l.replace('Pod shop/p: [pod-spec] ', ''));

  it('property: env names are printable ASCII without = (IsRelaxedEnvVarName)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))) }), name => {
      expect(envNameProblem(name) === undefined).toBe(!name.includes('='));
    }), { numRuns: 300 });
    for (const bad of ['', 'A\tB', 'CAFÉ', 'A\u007f']) expect([bad, envNameProblem(bad)]).not.toEqual([bad, undefined]);
  });

  it('property: a probe or hook needs exactly one handler of its kinds', () => {
    const HANDLERS = { exec: { command: ['true'] }, httpGet: { path: '/', port: 8080 }, tcpSocket: { port: 8080 }, grpc: { port: 9090 }, sleep: { seconds: 1 } };
    fc.assert(fc.property(fc.subarray(Object.keys(HANDLERS) as Array<keyof typeof HANDLERS>), fc.constantFrom('readinessProbe', 'preStop'), (used, where) => {
      const handler = Object.fromEntries(used.map(k => [k, HANDLERS[k]]));
      const allowed = where === 'preStop' ? ['exec', 'httpGet', 'tcpSocket', 'sleep'] : ['exec', 'httpGet', 'tcpSocket', 'grpc'];
      const container = where === 'preStop' ? { lifecycle: { preStop: handler } } : { readinessProbe: handler };
      const counted = used.filter(k => allowed.includes(k));
      expect(lines(container).length === 0).toBe(counted.length === 1);
    }), { numRuns: 200 });
  });

  it('probe numbers: none negative; liveness and startup succeed once (0 is defaulted to 1); readiness may need more', () => {
    const probe = { httpGet: { path: '/', port: 'http' } };
    expect(lines({ livenessProbe: { ...probe, successThreshold: 0 }, readinessProbe: { ...probe, successThreshold: 3 } })).toEqual([]);
    expect(lines({ startupProbe: { ...probe, successThreshold: 2, periodSeconds: -1 } })).toEqual([
      'container c: startupProbe.periodSeconds -1 must not be negative',
      'container c: startupProbe.successThreshold 2 must be 1: a startup probe succeeds once',
    ]);
    expect(lines({ livenessProbe: { exec: { command: [] } } })).toEqual(['container c: livenessProbe.exec has no command']);
    expect(lines({ livenessProbe: { tcpSocket: { port: 'HTTP' } } })).toEqual([expect.stringMatching(/^container c: livenessProbe.tcpSocket.port "HTTP" must contain only/)]);
  });

  it('env sources: one valueFrom source, not with a value, a downward API field; envFrom one source', () => {
    expect(lines({ env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }, { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] })).toEqual([]);
    expect(lines({ env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIp' } } }] })).toEqual([expect.stringMatching(/^container c: env 0 \(IP\): fieldRef.fieldPath "status.podIp" is not a field the downward API serves/)]);
    expect(lines({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'a', key: 'b' }, secretKeyRef: { name: 'a', key: 'b' } } }, { name: 'Y', valueFrom: {} }] })).toEqual([
      'container c: env 0 (X): valueFrom sets configMapKeyRef and secretKeyRef: one source only',
      'container c: env 1 (Y): valueFrom names no source: set one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef',
    ]);
    expect(lines({ envFrom: [{ configMapRef: { name: 'a' }, secretRef: { name: 'b' } }, { prefix: 'A=' , secretRef: { name: 'b' } }] })).toEqual([
      'container c: envFrom 0 sets configMapRef and secretRef: one of them per entry',
      `container c: envFrom 1 prefix "A=" must consist of printable ASCII characters other than '='`,
    ]);
  });

  it('property: ports 1-65535 (hostPort 0 is none); a volume has at most one source (none: an emptyDir)', () => {
    fc.assert(fc.property(fc.integer({ min: -1, max: 70000 }), fc.integer({ min: -1, max: 70000 }), (containerPort, hostPort) => {
      const ok = containerPort >= 1 && containerPort <= 65535 && (hostPort === 0 || (hostPort >= 1 && hostPort <= 65535));
      expect(lines({ ports: [{ containerPort, hostPort }] }).length === 0).toBe(ok);
    }), { numRuns: 200 });
    expect(lines({}, [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }])).toEqual([]);
    expect(lines({}, [{ name: 'both', secret: { secretName: 's' }, projected: { sources: [] } }])).toEqual(['volume 0 (both) sets secret and projected: one source per volume']);
  });
});

describe('api-constraints: LimitRanges and PriorityClasses (kubernetes ValidateLimitRange, ValidatePriorityClass)', () => {
  const limitRange = (limits: unknown[]): K8sObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'shop' }, spec: { limits } });
  const lines = (o: K8sObject) => only('api-constraints', [o]).map(l => l.replace(/^\S+ \S+: \[api-constraints\] /, ''));

  it('property: a Container item is consistent exactly when its defined min, defaultRequest, default and max ascend', () => {
    const amount = fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined });
    fc.assert(fc.property(amount, amount, amount, amount, (min, defaultRequest, dflt, max) => {
      const item: Record<string, unknown> = { type: 'Container' };
      for (const [k, v] of [['min', min], ['defaultRequest', defaultRequest], ['default', dflt], ['max', max]] as const) if (v !== undefined) item[k] = { memory: `${v * 32}Mi` };
      const chain = [min, defaultRequest, dflt, max].filter((v): v is number => v !== undefined);
      const ascending = chain.every((v, i) => i === 0 || chain[i - 1] <= v);
      expect(lines(limitRange([item])).length === 0).toBe(ascending);
    }), { numRuns: 400 });
  });

  it('types once, no Pod defaults, claims bounded, ratios between 1 and max/min, no overcommit for extended resources', () => {
    expect(lines(limitRange([{ type: 'Container', max: { cpu: '1' } }, { type: 'Container', min: { cpu: '10m' } }]))).toEqual(["spec.limits[1].type Container repeats an earlier item's: each type once"]);
    expect(lines(limitRange([{ type: 'Pod', defaultRequest: { cpu: '100m' } }]))).toEqual(['spec.limits[0].defaultRequest is set for type Pod: defaults apply to containers (use type Container)']);
    expect(lines(limitRange([{ type: 'PersistentVolumeClaim', min: {} }]))).toEqual(['spec.limits[0]: type PersistentVolumeClaim needs min.storage or max.storage']);
    expect(lines(limitRange([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '10' } }]))).toEqual([]);
    expect(lines(limitRange([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '20' } }]))).toEqual(['spec.limits[0].maxLimitRequestRatio.cpu 20 is above max/min (10)']);
    expect(lines(limitRange([{ type: 'Container', default: { 'nvidia.com/gpu': '2' }, defaultRequest: { 'nvidia.com/gpu': '1' } }])))
      .toEqual(['spec.limits[0]: default.nvidia.com/gpu 2 must equal defaultRequest.nvidia.com/gpu 1: nvidia.com/gpu cannot be overcommitted']);
  });

  it('a PriorityClass: at most 1000000000, the system- prefix only for the built-in classes', () => {
    const pc = (name: string, value: number, globalDefault?: boolean): K8sObject => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...(globalDefault === undefined ? {} : { globalDefault }) });
    expect(lines(pc('batch-low', 1000))).toEqual([]);
    expect(lines(pc('platform', 1_000_000_000))).toEqual([]);
    expect(lines(pc('platform', 1_000_000_001))).toEqual(['value 1000000001 is above 1000000000, the highest priority a user-defined class may have']);
    expect(lines(pc('system-cluster-critical', 2_000_000_000))).toEqual([]);
    expect(lines(pc('system-cluster-critical', 2_000_000_000, true))).toHaveLength(1);
    expect(lines(pc('system-important', 100))).toEqual([expect.stringMatching(/the system- prefix is reserved/)]);
  });
});

describe('tolerations: the API server (ValidateTolerations) and the config schema refuse the same ones', () => {
  const tolerationArb = fc.record({
    key: fc.option(fc.oneof(labelKey, fc.constantFrom('bad key', 'a/b/c', '-x')), { nil: undefined }),
    operator: fc.option(fc.constantFrom('Exists', 'Equal'), { nil: undefined }),
    value: fc.option(fc.oneof(labelName, fc.constantFrom('', 'two words', 'x'.repeat(64))), { nil: undefined }),
    effect: fc.option(fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'), { nil: undefined }),
  }, { requiredKeys: [] });
  const clean = (t: Record<string, unknown>) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));

  it('property: a toleration passes validate exactly when the config schema accepts it', () => {
    fc.assert(fc.property(tolerationArb, raw => {
      const t = clean(raw);
      const api = only('pod-spec', [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { tolerations: [t], containers: [] } }]);
      const config = tolerationsSchema().safeParse([t]);
      expect([t, api.length === 0]).toEqual([t, config.success]);
    }), { numRuns: 400 });
  });

  it('names the problem', () => {
    const lines = (t: Record<string, unknown>) => only('pod-spec', [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { tolerations: [t], containers: [] } }]).map(l => l.replace('Pod shop/p: [pod-spec] ', ''));
    expect(lines({ operator: 'Exists' })).toEqual([]);
    expect(lines({ effect: 'NoSchedule' })).toEqual(['toleration 0 has no key, so its operator must be Exists (a toleration of every taint)']);
    expect(lines({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule', tolerationSeconds: 60 })).toEqual(['toleration 0 sets tolerationSeconds with effect "NoSchedule": only NoExecute takes it']);
    expect(lines({ key: 'dedicated', operator: 'Exists', value: 'gpu' })).toEqual(['toleration 0 sets a value with operator Exists: remove the value']);
  });
});

describe('pod-spec: scheduling fields (kubernetes validateTopologySpreadConstraints, validatePodAffinityTerm, ValidatePodSpec nodeSelector)', () => {
  const lines = (spec: Record<string, unknown>) => only('pod-spec', [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [], ...spec } }]).map(l => l.replace('Pod shop/p: [pod-spec] ', ''));
  const spread = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } };

  it('topology spread: maxSkew above 0, each pair once, minDomains only with DoNotSchedule, a valid selector', () => {
    expect(lines({ topologySpreadConstraints: [spread, { ...spread, whenUnsatisfiable: 'DoNotSchedule', minDomains: 2 }] })).toEqual([]);
    expect(lines({ topologySpreadConstraints: [{ ...spread, maxSkew: 0, minDomains: 1 }, spread] })).toEqual([
      'topologySpreadConstraints[0].maxSkew 0 must be greater than 0',
      'topologySpreadConstraints[0].minDomains is set with whenUnsatisfiable ScheduleAnyway: only DoNotSchedule takes it',
      'topologySpreadConstraints[1] repeats the topologyKey topology.kubernetes.io/zone with whenUnsatisfiable ScheduleAnyway of an earlier constraint',
    ]);
    expect(lines({ topologySpreadConstraints: [{ ...spread, labelSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }] }))
      .toEqual(['topologySpreadConstraints[0].labelSelector.matchExpressions[0]: operator In needs values']);
  });

  it('pod affinity terms: a topologyKey that is a label key, valid selectors, weights 1-100; nodeSelector as labels', () => {
    const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } };
    expect(lines({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } } })).toEqual([]);
    expect(lines({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, podAffinityTerm: { ...term, topologyKey: '' } }] } } })).toEqual([
      'affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight 101 must be between 1 and 100',
      'affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey is empty (e.g. kubernetes.io/hostname)',
    ]);
    expect(lines({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term, topologyKey: 'zone name' }] } } }))
      .toEqual([expect.stringMatching(/^affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution\[0\].topologyKey "zone name": /)]);
    expect(lines({ nodeSelector: { 'node role': 'db' } })).toEqual([expect.stringMatching(/^nodeSelector key "node role": /)]);
  });
});

describe('api-constraints: PDB bounds and Ingress shape (kubernetes ValidatePodDisruptionBudgetSpec, ValidateIngressSpec, ValidateIngressCreate)', () => {
  const lines = (o: K8sObject) => only('api-constraints', [o]).map(l => l.replace(/^\S+ \S+: \[api-constraints\] /, ''));

  it('property: a PDB bound is a non-negative number or a percentage up to 100%', () => {
    const bound = fc.oneof(fc.integer({ min: -5, max: 500 }), fc.integer({ min: 0, max: 300 }).map(n => `${n}%`), fc.constantFrom('50', '5 %', '-5%', 'half'));
    fc.assert(fc.property(bound, fc.constantFrom('minAvailable', 'maxUnavailable'), (value, field) => {
      const problems = lines({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: 'shop' }, spec: { [field]: value, selector: { matchLabels: { app: 'web' } } } });
      const ok = typeof value === 'number' ? value >= 0 : /^\d+%$/.test(value) && Number(value.slice(0, -1)) <= 100;
      expect([value, problems.length === 0]).toEqual([value, ok]);
    }), { numRuns: 300 });
  });

  it('an Ingress has rules or a defaultBackend; the class annotation, when kept, equals ingressClassName', () => {
    const ingress = (spec: Record<string, unknown>, annotations?: Record<string, string>): K8sObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'shop', ...(annotations ? { annotations } : {}) }, spec });
    const backend = { service: { name: 'web', port: { number: 80 } } };
    expect(lines(ingress({ defaultBackend: backend }))).toEqual([]);
    expect(lines(ingress({ ingressClassName: 'traefik', defaultBackend: backend }, { 'kubernetes.io/ingress.class': 'traefik' }))).toEqual([]);
    expect(lines(ingress({}))).toEqual(['spec has neither rules nor a defaultBackend: an Ingress needs one of them']);
    expect(lines(ingress({ ingressClassName: 'traefik', defaultBackend: backend }, { 'kubernetes.io/ingress.class': 'nginx' })))
      .toEqual(['metadata.annotations kubernetes.io/ingress.class "nginx" differs from spec.ingressClassName "traefik": the API server refuses both unless equal (drop the annotation)']);
  });
});

describe('ingress-backend names where a path is published', () => {
  it('a relative path is quoted apart from its host, an absolute one follows it', () => {
    const ingress = (path: string): K8sObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop' }, spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path, pathType: 'ImplementationSpecific', backend: { service: { name: 'nope', port: { number: 80 } } } }] } }] } });
    expect(only('ingress-backend', [ingress('api')])).toEqual(['Ingress shop/web: [ingress-backend] rule 0 (web.example.com, path "api") path 0: Service shop/nope does not exist']);
    expect(only('ingress-backend', [ingress('/api')])).toEqual(['Ingress shop/web: [ingress-backend] rule 0 (web.example.com/api) path 0: Service shop/nope does not exist']);
  });
});
