/**
 * Static NetworkPolicy evaluation (networking.k8s.io/v1 semantics): which
 * workload may open a connection to which other workload, on which port.
 *
 * A connection is allowed iff both ends allow it:
 *  - egress from the source: no policy with policyType Egress selects the
 *    source pod, or a rule of one of those policies matches the destination
 *    peer and port;
 *  - ingress to the destination: the same, with Ingress policies and rules.
 * Policies only ever add allowances; there are no deny rules, so the order of
 * policies does not matter.
 *
 * Simplifications (documented because the model is static, without IPs):
 *  - 'external' stands for an address outside the cluster. It is matched by
 *    any ipBlock peer (ipBlock is meant for cluster-external addresses) whose
 *    CIDR is not entirely removed by its own `except` list, and by rules
 *    without peers.
 *  - Pod IPs are unknown; an ipBlock matches pods only when its CIDR is the
 *    whole address space (0.0.0.0/0 or ::/0) and none of its exceptions
 *    overlaps a private range (10/8, 172.16/12, 192.168/16, 100.64/10,
 *    fc00::/7), where pod networks live. `0.0.0.0/0 except 10.0.0.0/8` is
 *    thus read as "the internet, not the cluster".
 *  - Node/host-network traffic, Services (kube-proxy DNAT) and CNI-specific
 *    behaviour are out of scope: flows are pod-to-pod on the container port.
 */
import { cidrRange, isWholeSpace, rangeContains, rangesOverlap } from './ip-blocks';
import { K8sObject, compareStrings, isRecord, namespaceOf, workloadsOf } from './objects';

/** A container port of an endpoint, used to resolve named policy ports. */
export interface EndpointPort {
  name?: string;
  containerPort: number;
  protocol?: Protocol;
}

/** One side of a connection: a pod identified by namespace and labels. */
export interface Endpoint {
  namespace: string;
  labels: Record<string, string>;
  /** `namespace/object-name` of the workload, for messages and lookups. */
  name?: string;
  /**
   * Container ports of the pod. Optional: when absent they are looked up from
   * the model's workload with the same `name`, or else with the same
   * namespace and labels.
   */
  ports?: EndpointPort[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A connection attempt. `protocol` defaults to TCP. */
export interface Flow {
  from: Endpoint | 'external';
  to: Endpoint | 'external';
  port: number;
  protocol?: Protocol;
}

/** Options for `NetworkModel`. */
export interface NetworkModelOptions {
  /**
   * Labels of namespaces that are not in the object set (e.g. `kube-system`
   * managed elsewhere). The automatic `kubernetes.io/metadata.name` label is
   * added to them too.
   */
  extraNamespaces?: Record<string, Record<string, string>>;
}

/** The label every namespace carries with its own name (Kubernetes >= 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** One requirement of a selector; `matchLabels` entries are `In` with one value. */
interface Requirement {
  key: string;
  operator: string;
  values: unknown[];
}

/** The requirements of a selector (all must hold), or undefined for one that is not an object. */
function requirements(selector: unknown): Requirement[] | undefined {
  if (!isRecord(selector)) return undefined;
  const labels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  const expressions: unknown[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return [
    ...Object.entries(labels).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
    ...expressions.map((e) => (isRecord(e)
      ? { key: String(e.key), operator: String(e.operator), values: Array.isArray(e.values) ? e.values : [] }
      : { key: '', operator: 'invalid', values: [] })),
  ];
}

function satisfies(labels: Record<string, string>, r: Requirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In': return has && r.values.includes(labels[r.key]);
    case 'NotIn': return !has || !r.values.includes(labels[r.key]);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    // An invalid operator makes the selector invalid; the API server
    // would reject it. Match nothing rather than everything.
    default: return false;
  }
}

/** Whether `labels` satisfy a Kubernetes label selector. `{}` matches everything. */
export function matchesSelector(selector: LabelSelector | undefined | null, labels: Record<string, string>): boolean {
  const reqs = requirements(selector);
  return reqs !== undefined && reqs.every((r) => satisfies(labels, r));
}

/** Whether every label set satisfying requirement `s` satisfies `r` (same key). */
function implies(s: Requirement, r: Requirement): boolean {
  if (s.key !== r.key) return false;
  switch (r.operator) {
    case 'In': return s.operator === 'In' && s.values.every((v) => r.values.includes(v));
    case 'NotIn':
      return s.operator === 'DoesNotExist'
        || (s.operator === 'In' && s.values.every((v) => !r.values.includes(v)))
        || (s.operator === 'NotIn' && r.values.every((v) => s.values.includes(v)));
    case 'Exists': return s.operator === 'In' || s.operator === 'Exists';
    case 'DoesNotExist': return s.operator === 'DoesNotExist';
    default: return false;
  }
}

/**
 * Whether selector `outer` matches every label set `inner` matches, i.e.
 * inner adds constraints to outer's. Conservative (false when unsure): each
 * requirement of outer must follow from one requirement of inner on its key.
 * `{}` covers everything; a selector that is not an object covers nothing.
 */
export function selectorCovers(outer: unknown, inner: unknown): boolean {
  const o = requirements(outer);
  const i = requirements(inner);
  return o !== undefined && i !== undefined && o.every((r) => i.some((s) => implies(s, r)));
}

/**
 * What a NetworkPolicy peer admits: an ipBlock, or pods (`pods` selector) of
 * namespaces (`namespaces` selector). A peer without namespaceSelector means
 * the policy's own namespace: the selector of its name label, which every
 * namespace carries. Without podSelector, all pods of those namespaces.
 * undefined for an empty peer (invalid: it admits nothing).
 */
export type PeerScope =
  | { ipBlock: Record<string, any> }
  | { namespaces: LabelSelector; pods: LabelSelector };

export function peerScope(peer: Record<string, any>, policyNamespace: string): PeerScope | undefined {
  if (isRecord(peer.ipBlock)) return { ipBlock: peer.ipBlock };
  const hasPod = isRecord(peer.podSelector);
  const hasNs = isRecord(peer.namespaceSelector);
  if (!hasPod && !hasNs) return undefined;
  return {
    namespaces: hasNs ? peer.namespaceSelector : { matchLabels: { [NAMESPACE_NAME_LABEL]: policyNamespace } },
    pods: hasPod ? peer.podSelector : {},
  };
}

// ---------------------------------------------------------------- IP blocks

const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((c) => cidrRange(c)!);

/** ipBlock vs 'external': any block not wholly excluded by its own exceptions. */
function ipBlockMatchesExternal(block: Record<string, any>): boolean {
  const cidr = String(block.cidr ?? '');
  const range = cidrRange(cidr);
  for (const ex of Array.isArray(block.except) ? block.except : []) {
    const exRange = cidrRange(String(ex));
    if (range && exRange && rangeContains(exRange, range)) return false;
    if (String(ex).trim() === cidr.trim()) return false;
  }
  return cidr !== '';
}

/** ipBlock vs a pod: only the whole address space, minus no private range. */
function ipBlockMatchesPods(block: Record<string, any>): boolean {
  const cidr = String(block.cidr ?? '');
  if (!isWholeSpace(cidr)) return false;
  for (const ex of Array.isArray(block.except) ? block.except : []) {
    const s = String(ex).trim();
    const r = cidrRange(s);
    if (r && PRIVATE_V4.some((p) => rangesOverlap(p, r))) return false;
    // IPv6 unique-local (fc00::/7) or anything broader than a /7 in IPv6.
    if (/^f[cd][0-9a-f]{0,2}:/i.test(s) || /^::\/[0-7]$/.test(s)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- policies

interface Rule {
  /** undefined or empty = all peers */
  peers: Array<Record<string, any>>;
  /** undefined or empty = all ports */
  ports: Array<Record<string, any>>;
}

interface Policy {
  ref: string;
  namespace: string;
  podSelector: LabelSelector;
  ingress?: Rule[];
  egress?: Rule[];
}

function parseRules(rules: unknown, peerKey: 'from' | 'to'): Rule[] {
  if (!Array.isArray(rules)) return [];
  return rules.filter(isRecord).map((r) => ({
    peers: Array.isArray(r[peerKey]) ? r[peerKey].filter(isRecord) : [],
    ports: Array.isArray(r.ports) ? r.ports.filter(isRecord) : [],
  }));
}

function parsePolicy(o: K8sObject): Policy {
  const spec = isRecord(o.spec) ? o.spec : {};
  const namespace = namespaceOf(o) ?? 'default';
  const ingressRules = parseRules(spec.ingress, 'from');
  const egressRules = parseRules(spec.egress, 'to');
  // policyTypes defaulting: Ingress always, Egress when egress rules exist.
  const types: string[] = Array.isArray(spec.policyTypes)
    ? spec.policyTypes
    : ['Ingress', ...(egressRules.length > 0 ? ['Egress'] : [])];
  return {
    ref: `NetworkPolicy ${namespace}/${o.metadata.name}`,
    namespace,
    podSelector: isRecord(spec.podSelector) ? spec.podSelector : {},
    ingress: types.includes('Ingress') ? ingressRules : undefined,
    egress: types.includes('Egress') ? egressRules : undefined,
  };
}

/** A workload's pod template reduced to what flow analysis needs. */
interface Workload extends Endpoint {
  name: string;
  ports: EndpointPort[];
}

function containerPorts(spec: Record<string, any>): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    for (const p of Array.isArray(c?.ports) ? c.ports : []) {
      if (!isRecord(p) || typeof p.containerPort !== 'number') continue;
      const port: EndpointPort = { containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP') as Protocol };
      if (typeof p.name === 'string') port.name = p.name;
      out.push(port);
    }
  }
  return out;
}

/**
 * Every workload pod template as an Endpoint named `namespace/object-name`,
 * with its (regular) container ports, in input order.
 */
export function workloadEndpoints(objects: K8sObject[]): Endpoint[] {
  return collectWorkloads(objects);
}

function collectWorkloads(objects: K8sObject[]): Workload[] {
  return workloadsOf(objects).map(({ object, template, namespace }) => (
    { namespace, labels: { ...(template.metadata.labels ?? {}) }, name: `${namespace}/${object.metadata.name}`, ports: containerPorts(template.spec) }));
}

interface Decision {
  allowed: boolean;
  reason: string;
}

function endpointName(e: Endpoint | 'external'): string {
  if (e === 'external') return 'external';
  if (e.name) return e.name;
  const labels = Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(',');
  return `${e.namespace}/{${labels}}`;
}

/**
 * The NetworkPolicies of an object set, ready to answer "is this flow allowed".
 * Only `networking.k8s.io/v1` NetworkPolicies are read (CNI-specific policy
 * kinds are ignored). Endpoint objects passed to `isAllowed` are treated as
 * immutable: the policies selecting each one are cached per object.
 */
export class NetworkModel {
  private readonly byNamespace = new Map<string, Policy[]>();
  private readonly ingressCache = new WeakMap<Endpoint, Policy[]>();
  private readonly egressCache = new WeakMap<Endpoint, Policy[]>();
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly workloads: Workload[];

  constructor(objects: K8sObject[], options: NetworkModelOptions = {}) {
    for (const [name, labels] of Object.entries(options.extraNamespaces ?? {})) {
      this.namespaceLabels.set(name, { ...labels, [NAMESPACE_NAME_LABEL]: name });
    }
    for (const o of objects) {
      if (o.kind === 'Namespace' && o.apiVersion === 'v1') {
        this.namespaceLabels.set(o.metadata.name, { ...(o.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: o.metadata.name });
      }
    }
    for (const o of objects) {
      if (o.kind !== 'NetworkPolicy' || o.apiVersion !== 'networking.k8s.io/v1') continue;
      const p = parsePolicy(o);
      const list = this.byNamespace.get(p.namespace) ?? [];
      list.push(p);
      this.byNamespace.set(p.namespace, list);
    }
    this.workloads = collectWorkloads(objects);
  }

  /** Labels of a namespace, including the automatic name label even for unknown namespaces. */
  labelsOfNamespace(namespace: string): Record<string, string> {
    let labels = this.namespaceLabels.get(namespace) ?? this.unknownNamespaceLabels.get(namespace);
    if (!labels) this.unknownNamespaceLabels.set(namespace, labels = { [NAMESPACE_NAME_LABEL]: namespace });
    return labels;
  }

  private readonly unknownNamespaceLabels = new Map<string, Record<string, string>>();

  /** Whether the flow is allowed by both the source's egress and the destination's ingress policies. */
  isAllowed(flow: Flow): boolean {
    return this.permits(flow, 'egress') && this.permits(flow, 'ingress');
  }

  /**
   * A one-line explanation naming the deciding policies, e.g.
   * `denied: ingress to dockercoins/redis is restricted by NetworkPolicy dockercoins/default-deny and no rule matches`.
   */
  explain(flow: Flow): string {
    const e = this.egress(flow);
    const i = this.ingress(flow);
    const what = flowKey(flow);
    const verdict = e.allowed && i.allowed ? 'allowed' : 'denied';
    return `${verdict} ${what}: ${e.reason}; ${i.reason}`;
  }

  /**
   * Policies of `direction` selecting the endpoint. Cached per endpoint
   * object because allowedFlows asks about the same endpoints many times.
   */
  private selecting(e: Endpoint, direction: 'ingress' | 'egress'): Policy[] {
    const cache = direction === 'ingress' ? this.ingressCache : this.egressCache;
    let found = cache.get(e);
    if (!found) {
      found = (this.byNamespace.get(e.namespace) ?? []).filter((p) => p[direction] && this.matches(p.podSelector, e.labels));
      cache.set(e, found);
    }
    return found;
  }

  private egress(flow: Flow): Decision {
    return this.decide(flow, 'egress');
  }

  private ingress(flow: Flow): Decision {
    return this.decide(flow, 'ingress');
  }

  /** Egress: the source's policies and the destination as peer; ingress: the other way round. */
  private decide(flow: Flow, direction: 'ingress' | 'egress'): Decision {
    const [self, peer, side] = direction === 'egress' ? [flow.from, flow.to, 'from'] : [flow.to, flow.from, 'to'];
    if (self === 'external') return { allowed: true, reason: `${direction} ${side} external is not subject to policies` };
    const selecting = this.selecting(self, direction);
    const who = `${direction} ${side} ${endpointName(self)}`;
    if (selecting.length === 0) return { allowed: true, reason: `${who} is not restricted by any policy` };
    for (const p of selecting) {
      const i = p[direction]!.findIndex((r) => this.ruleMatches(r, p.namespace, peer, flow));
      if (i >= 0) return { allowed: true, reason: `${who} allowed by ${p.ref} ${direction} rule ${i}` };
    }
    return { allowed: false, reason: `${who} is restricted by ${selecting.map((p) => p.ref).join(', ')} and no ${direction} rule matches` };
  }

  /**
   * `decide(flow, direction).allowed`, without the explanation: what `isAllowed` asks, once per
   * (source, destination port) in allowedFlows. test/network.test.ts checks both agree.
   */
  private permits(flow: Flow, direction: 'ingress' | 'egress'): boolean {
    const self = direction === 'egress' ? flow.from : flow.to;
    if (self === 'external') return true;
    const peer = direction === 'egress' ? flow.to : flow.from;
    const selecting = this.selecting(self, direction);
    if (selecting.length === 0) return true;
    for (const p of selecting) {
      for (const r of p[direction]!) if (this.ruleMatches(r, p.namespace, peer, flow)) return true;
    }
    return false;
  }

  /** Whether a rule admits `peer` (the other end) and the flow's destination port. */
  private ruleMatches(rule: Rule, policyNamespace: string, peer: Endpoint | 'external', flow: Flow): boolean {
    const peerOk = rule.peers.length === 0 || rule.peers.some((p) => this.peerMatches(p, policyNamespace, peer));
    return peerOk && this.portsMatch(rule.ports, flow);
  }

  private peerMatches(peer: Record<string, any>, policyNamespace: string, other: Endpoint | 'external'): boolean {
    const scope = this.scopeOf(peer, policyNamespace);
    if (!scope) return false; // an empty peer is invalid; match nothing
    if ('ipBlock' in scope) return this.ipBlockMatches(scope.ipBlock, other === 'external');
    if (other === 'external') return false;
    // Every namespace carries its name label, so the own-namespace selector
    // of a peer without namespaceSelector matches the policy's namespace only.
    return this.matches(scope.namespaces, this.labelsOfNamespace(other.namespace)) && this.matches(scope.pods, other.labels);
  }

  // The model reads immutable objects (see the class comment): what is derived from a peer or a
  // selector object is computed once per model, not once per flow.
  private readonly scopes = new WeakMap<object, Map<string, PeerScope | undefined>>();
  private readonly selectorRequirements = new WeakMap<object, Requirement[] | undefined>();

  private readonly ipBlocks = new WeakMap<object, { external: boolean; pods: boolean }>();

  /** ipBlockMatchesExternal / ipBlockMatchesPods of a block, each computed once (they parse every CIDR). */
  private ipBlockMatches(block: Record<string, any>, external: boolean): boolean {
    let verdicts = this.ipBlocks.get(block);
    if (!verdicts) this.ipBlocks.set(block, verdicts = { external: ipBlockMatchesExternal(block), pods: ipBlockMatchesPods(block) });
    return external ? verdicts.external : verdicts.pods;
  }

  private scopeOf(peer: Record<string, any>, policyNamespace: string): PeerScope | undefined {
    let byNamespace = this.scopes.get(peer);
    if (!byNamespace) this.scopes.set(peer, byNamespace = new Map());
    if (!byNamespace.has(policyNamespace)) byNamespace.set(policyNamespace, peerScope(peer, policyNamespace));
    return byNamespace.get(policyNamespace);
  }

  /** matchesSelector, with the selector's requirements computed once. */
  private matches(selector: LabelSelector, labels: Record<string, string>): boolean {
    if (typeof selector !== 'object' || selector === null) return matchesSelector(selector, labels);
    let reqs = this.selectorRequirements.get(selector);
    if (reqs === undefined && !this.selectorRequirements.has(selector)) {
      reqs = requirements(selector);
      this.selectorRequirements.set(selector, reqs);
    }
    if (reqs === undefined) return false;
    for (const r of reqs) if (!satisfies(labels, r)) return false;
    return true;
  }

  private portsMatch(ports: Array<Record<string, any>>, flow: Flow): boolean {
    if (ports.length === 0) return true;
    const protocol = flow.protocol ?? 'TCP';
    return ports.some((p) => {
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      if (p.port === undefined || p.port === null) return true;
      if (typeof p.port === 'number') {
        const end = typeof p.endPort === 'number' ? p.endPort : p.port;
        return flow.port >= p.port && flow.port <= end;
      }
      // Named port: resolved against the destination pod's container ports,
      // for ingress and egress alike.
      if (flow.to === 'external') return false;
      return this.portsOf(flow.to).some((cp) => cp.name === p.port && (cp.protocol ?? 'TCP') === protocol && cp.containerPort === flow.port);
    });
  }

  private portsOf(e: Endpoint): EndpointPort[] {
    if (e.ports) return e.ports;
    const byName = e.name ? this.workloads.find((w) => w.name === e.name) : undefined;
    if (byName) return byName.ports;
    const sameLabels = this.workloads.filter((w) => w.namespace === e.namespace && sameRecord(w.labels, e.labels));
    return sameLabels.flatMap((w) => w.ports);
  }
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/**
 * An allowed connection to a workload container port. The endpoints are the
 * `workloadEndpoints` objects (always with `name` and `ports`); the protocol
 * is always set.
 */
export interface AllowedFlow extends Flow {
  from: Endpoint | 'external';
  to: Endpoint;
  protocol: Protocol;
  /** Name of the destination container port, when it has one. */
  portName?: string;
}

/** `dockercoins/worker -> dockercoins/hasher 80/TCP`, handy in tests and reports. */
export function flowKey(f: Flow): string {
  return `${endpointName(f.from)} -> ${endpointName(f.to)} ${f.port}/${f.protocol ?? 'TCP'}`;
}

/**
 * Every allowed connection to every workload container port: from each
 * workload (including itself, e.g. cluster peers) and from 'external'.
 * Sorted by destination, port, protocol, then source ('external' first) so
 * the output is deterministic.
 *
 * Cost: one egress/ingress evaluation per (source, destination port); the
 * policies selecting each workload are computed once, so hundreds of
 * workloads stay well under a second.
 */
export function allowedFlows(objects: K8sObject[], options: NetworkModelOptions = {}): AllowedFlow[] {
  const model = new NetworkModel(objects, options);
  const workloads = collectWorkloads(objects);
  const out: AllowedFlow[] = [];
  const seen = new Set<string>();
  for (const dst of workloads) {
    for (const p of dst.ports) {
      const protocol = p.protocol ?? 'TCP';
      const key0 = `${dst.name} ${p.containerPort} ${protocol}`;
      if (seen.has(key0)) continue; // the same port declared twice
      seen.add(key0);
      const add = (from: Endpoint | 'external') => {
        const f: AllowedFlow = { from, to: dst, port: p.containerPort, protocol };
        if (p.name) f.portName = p.name;
        out.push(f);
      };
      if (model.isAllowed({ from: 'external', to: dst, port: p.containerPort, protocol })) add('external');
      for (const src of workloads) {
        if (model.isAllowed({ from: src, to: dst, port: p.containerPort, protocol })) add(src);
      }
    }
  }
  // Workload names are unique per namespace/kind; sort on them for stable output.
  const name = (e: Endpoint | 'external') => (e === 'external' ? '' : endpointName(e));
  return out.sort(
    (a, b) =>
      compareStrings(name(a.to), name(b.to)) ||
      a.port - b.port ||
      compareStrings(a.protocol, b.protocol) ||
      compareStrings(name(a.from), name(b.from)),
  );
}
