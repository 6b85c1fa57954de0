/**
 * Invariants of a rendered object set, as reusable checks over plain
 * Kubernetes objects (what `dist/<env>/` holds, or `renderCharts` returns).
 *
 * Each check returns a list of problems, one line each, that names the
 * requirement, the object and why; an empty list means the invariant holds.
 * Reachability uses the project's own flow analysis (src/analysis/network.ts),
 * with its documented simplifications: flows are pod-to-pod on the container
 * port, and a hostNetwork pod listens on a node address, i.e. it is reached
 * as 'external' (an ipBlock peer), not as a pod.
 */
import { Endpoint, Flow, matchesSelector, NetworkModel, Protocol } from '../../src/analysis/network';
import { allContainers, isRecord, K8sObject, namespaceOf, objectRef, PodTemplate, podTemplateOf } from '../../src/analysis/objects';

/** Requirement ids: the prefix of every problem line (and of the test names). */
export const REQUIREMENTS = {
  ingress: 'ingress-backend-reachable',
  scrape: 'scrape-target-reachable',
  secrets: 'secret-provided',
  services: 'service-selects-ports',
  namespaces: 'namespace-reference-exists',
  clients: 'client-need-reachable',
} as const;

/** A workload's pod template, with what the checks need to reason about it. */
export interface PodRef {
  /** `Deployment ns/name`, for messages. */
  readonly ref: string;
  readonly namespace: string;
  readonly template: PodTemplate;
  /** The flow-model endpoint of its pods (name `ns/object-name`, with container ports). */
  readonly endpoint: Endpoint;
  /** Pods on the node's network are reached on a node address. */
  readonly hostNetwork: boolean;
}

interface ContainerPort { name?: string; containerPort: number; protocol: Protocol }

/** Every workload pod template of the object set, in input order. */
export function podsOf(objects: readonly K8sObject[]): PodRef[] {
  const out: PodRef[] = [];
  for (const o of objects) {
    const template = podTemplateOf(o);
    if (!template) continue;
    const namespace = namespaceOf(o) ?? 'default';
    out.push({
      ref: objectRef(o),
      namespace,
      template,
      endpoint: { namespace, labels: { ...(template.metadata.labels ?? {}) }, name: `${namespace}/${o.metadata.name}`, ports: containerPorts(template) },
      hostNetwork: template.spec.hostNetwork === true,
    });
  }
  return out;
}

/** Pods of a namespace, optionally narrowed by a label selector (`{}` or none = all of them). */
export function podsIn(objects: readonly K8sObject[], namespace: string, matchLabels?: Record<string, string>): PodRef[] {
  return podsOf(objects).filter(p => p.namespace === namespace && matchesSelector({ matchLabels: matchLabels ?? {} }, p.endpoint.labels));
}

function containerPorts(template: PodTemplate): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of Array.isArray(template.spec.containers) ? template.spec.containers : []) {
    for (const p of Array.isArray(c?.ports) ? c.ports : []) {
      if (!isRecord(p) || typeof p.containerPort !== 'number') continue;
      out.push({ ...(typeof p.name === 'string' ? { name: p.name } : {}), containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP') as Protocol });
    }
  }
  return out;
}

/**
 * The container port a Service targetPort (or a policy/annotation port)
 * designates on a pod: a name resolves to the declared port of that name and
 * protocol; a number must be a declared container port of that protocol.
 */
export function resolvePort(pod: PodRef, port: number | string, protocol: Protocol = 'TCP'): number | undefined {
  const ports = pod.endpoint.ports ?? [];
  const found = typeof port === 'string' && !/^\d+$/.test(port)
    ? ports.find(p => p.name === port && (p.protocol ?? 'TCP') === protocol)
    : ports.find(p => p.containerPort === Number(port) && (p.protocol ?? 'TCP') === protocol);
  return found?.containerPort;
}

/** Where a connection to the pod lands in the flow model. */
function destination(pod: PodRef): Endpoint | 'external' {
  return pod.hostNetwork ? 'external' : pod.endpoint;
}

function services(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter(o => o.kind === 'Service' && o.apiVersion === 'v1');
}

/** Pods a Service's selector picks (none without a selector). */
export function selectedPods(objects: readonly K8sObject[], service: K8sObject): PodRef[] {
  const selector = service.spec?.selector;
  if (!isRecord(selector) || Object.keys(selector).length === 0) return [];
  return podsIn(objects, namespaceOf(service) ?? 'default', selector as Record<string, string>);
}

/** `allowed` or the model's explanation of the denial. */
function denial(model: NetworkModel, flow: Flow): string | undefined {
  return model.isAllowed(flow) ? undefined : model.explain(flow);
}

// ------------------------------------------------------------- Ingress

export interface IngressCheckOptions {
  /** The ingress controller pods (e.g. every pod of `ingress.controllerNamespace`). */
  readonly controllers: readonly PodRef[];
}

/**
 * Every Ingress backend (rules and default backend) names an existing
 * Service and one of its ports, that Service selects pods exposing the
 * target port, and every controller pod may connect to every selected pod on
 * that container port.
 */
export function checkIngressBackendsReachable(objects: readonly K8sObject[], options: IngressCheckOptions): string[] {
  const req = REQUIREMENTS.ingress;
  const model = new NetworkModel([...objects]);
  const problems: string[] = [];
  const ingresses = objects.filter(o => o.kind === 'Ingress');
  if (ingresses.length > 0 && options.controllers.length === 0) problems.push(`${req}: no ingress controller pod to route ${ingresses.length} Ingress(es)`);
  for (const ing of ingresses) {
    const ns = namespaceOf(ing) ?? 'default';
    const backends: Array<{ where: string; backend: any }> = [];
    if (isRecord(ing.spec?.defaultBackend)) backends.push({ where: 'default backend', backend: ing.spec.defaultBackend });
    for (const rule of Array.isArray(ing.spec?.rules) ? ing.spec.rules : []) {
      for (const path of Array.isArray(rule?.http?.paths) ? rule.http.paths : []) {
        backends.push({ where: `${rule.host ?? '*'}${path.path ?? ''}`, backend: path.backend });
      }
    }
    for (const { where, backend } of backends) {
      const at = `${objectRef(ing)} ${where}`;
      const svcRef = backend?.service;
      if (!isRecord(svcRef)) { problems.push(`${req}: ${at} has no Service backend`); continue; }
      const svc = services(objects).find(s => namespaceOf(s) === ns && s.metadata.name === svcRef.name);
      if (!svc) { problems.push(`${req}: ${at} names Service ${ns}/${svcRef.name}, which is not rendered`); continue; }
      const wanted = svcRef.port?.name ?? svcRef.port?.number;
      const sp = (svc.spec?.ports ?? []).find((p: any) => (typeof wanted === 'string' ? p.name === wanted : p.port === wanted));
      if (!sp) { problems.push(`${req}: ${at} names port ${wanted} of ${objectRef(svc)}, which has no such port`); continue; }
      const pods = selectedPods(objects, svc);
      if (pods.length === 0) { problems.push(`${req}: ${at}: ${objectRef(svc)} selects no pod`); continue; }
      const protocol = (sp.protocol ?? 'TCP') as Protocol;
      const target = sp.targetPort ?? sp.port;
      for (const pod of pods) {
        const port = resolvePort(pod, target, protocol);
        if (port === undefined) { problems.push(`${req}: ${at}: ${pod.ref} exposes no container port ${target}/${protocol} (targetPort of ${objectRef(svc)} port ${sp.name ?? sp.port})`); continue; }
        for (const controller of options.controllers) {
          const why = denial(model, { from: controller.endpoint, to: destination(pod), port, protocol });
          if (why) problems.push(`${req}: ${at}: ingress controller ${controller.ref} cannot reach ${pod.ref} on ${port}/${protocol}: ${why}`);
        }
      }
    }
  }
  return problems;
}

// ------------------------------------------------------------- scraping

export interface ScrapeCheckOptions {
  /** The Prometheus server pods. */
  readonly prometheus: readonly PodRef[];
}

const SCRAPE = 'prometheus.io/scrape';
const SCRAPE_PORT = 'prometheus.io/port';

/**
 * Every pod template and every Service annotated `prometheus.io/scrape:
 * "true"` is reachable from every Prometheus pod on the scraped port: the
 * `prometheus.io/port` annotation (which must be a declared container port of
 * the pods), else each declared TCP container port (pods) or each target port
 * (Services). hostNetwork pods are scraped on the node address.
 */
export function checkScrapeTargetsReachable(objects: readonly K8sObject[], options: ScrapeCheckOptions): string[] {
  const req = REQUIREMENTS.scrape;
  const model = new NetworkModel([...objects]);
  const problems: string[] = [];
  const targets: Array<{ at: string; pod: PodRef; ports: Array<number | string> }> = [];
  for (const pod of podsOf(objects)) {
    const a = pod.template.metadata.annotations ?? {};
    if (a[SCRAPE] !== 'true') continue;
    const ports = a[SCRAPE_PORT] !== undefined ? [a[SCRAPE_PORT]] : (pod.endpoint.ports ?? []).filter(p => p.protocol === 'TCP').map(p => p.containerPort);
    if (ports.length === 0) problems.push(`${req}: ${pod.ref} asks to be scraped but has no ${SCRAPE_PORT} annotation and no TCP container port`);
    targets.push({ at: `${pod.ref} (pod annotations)`, pod, ports });
  }
  for (const svc of services(objects)) {
    const a = svc.metadata.annotations ?? {};
    if (a[SCRAPE] !== 'true') continue;
    const pods = selectedPods(objects, svc);
    if (pods.length === 0) problems.push(`${req}: ${objectRef(svc)} asks to be scraped but selects no pod`);
    const ports: Array<number | string> = a[SCRAPE_PORT] !== undefined ? [a[SCRAPE_PORT]] : (svc.spec?.ports ?? []).map((p: any) => p.targetPort ?? p.port);
    for (const pod of pods) targets.push({ at: `${objectRef(svc)} (Service annotations) -> ${pod.ref}`, pod, ports });
  }
  if (targets.length > 0 && options.prometheus.length === 0) problems.push(`${req}: no Prometheus pod to scrape ${targets.length} annotated target(s)`);
  for (const { at, pod, ports } of targets) {
    for (const wanted of ports) {
      const port = resolvePort(pod, wanted);
      if (port === undefined) { problems.push(`${req}: ${at}: port ${wanted} is not a declared TCP container port of ${pod.ref}`); continue; }
      for (const server of options.prometheus) {
        const why = denial(model, { from: server.endpoint, to: destination(pod), port, protocol: 'TCP' });
        if (why) problems.push(`${req}: ${at}: Prometheus ${server.ref} cannot scrape ${pod.ref}${pod.hostNetwork ? ' (host network: a node address)' : ''} on ${port}/TCP: ${why}`);
      }
    }
  }
  return problems;
}

// ------------------------------------------------------------- Offered client connections

/** A connection a component offers to open (the `clients` offer, constructs/lib/component.ts ClientNeed), as plain data. */
export interface ClientConnection {
  readonly from: { readonly namespace: string; readonly pods: Readonly<Record<string, string>> };
  readonly to: { readonly namespace: string; readonly pods: Readonly<Record<string, string>>; readonly port: number | string; readonly protocol?: Protocol };
}

/**
 * Every offered client connection is allowed by the rendered policies, from
 * every client pod to every server pod on the server's port (the client's
 * egress and the server's ingress both open it), and both ends render pods.
 */
export function checkClientNeedsReachable(objects: readonly K8sObject[], needs: readonly ClientConnection[]): string[] {
  const req = REQUIREMENTS.clients;
  const model = new NetworkModel([...objects]);
  const problems: string[] = [];
  for (const need of needs) {
    const clients = podsIn(objects, need.from.namespace, { ...need.from.pods });
    const servers = podsIn(objects, need.to.namespace, { ...need.to.pods });
    const what = `${need.from.namespace}/${JSON.stringify(need.from.pods)} -> ${need.to.namespace}/${JSON.stringify(need.to.pods)}:${need.to.port}`;
    if (clients.length === 0) problems.push(`${req}: ${what}: no client pod rendered`);
    if (servers.length === 0) problems.push(`${req}: ${what}: no server pod rendered`);
    for (const server of servers) {
      const port = resolvePort(server, need.to.port, need.to.protocol ?? 'TCP');
      if (port === undefined) { problems.push(`${req}: ${what}: ${need.to.port} is not a container port of ${server.ref}`); continue; }
      for (const client of clients) {
        const why = denial(model, { from: client.endpoint, to: destination(server), port, protocol: need.to.protocol ?? 'TCP' });
        if (why) problems.push(`${req}: ${client.ref} cannot reach ${server.ref} on ${port}: ${why}`);
      }
    }
  }
  return problems;
}

// ------------------------------------------------------------- Secrets

/** A Secret that exists before the chart is applied without being rendered (`renderCharts(...)[i].secrets`). */
export interface DeclaredSecret {
  readonly name: string;
  readonly namespace: string;
  readonly keys: Readonly<Record<string, string>>;
}

/** One read of a Secret by a pod. `key` undefined = the whole Secret (envFrom, a volume without items). */
export interface SecretRead { readonly pod: string; readonly via: string; readonly namespace: string; readonly name: string; readonly key?: string; readonly optional: boolean }

/** Every Secret (and key) a pod template reads: env secretKeyRef, envFrom secretRef, secret and projected volumes, image pull secrets. */
export function secretReads(objects: readonly K8sObject[]): SecretRead[] {
  const out: SecretRead[] = [];
  for (const pod of podsOf(objects)) {
    const add = (via: string, name: unknown, key: unknown, optional: unknown) => {
      if (typeof name !== 'string') return;
      out.push({ pod: pod.ref, via, namespace: pod.namespace, name, key: typeof key === 'string' ? key : undefined, optional: optional === true });
    };
    for (const { container } of allContainers(pod.template.spec)) {
      for (const e of Array.isArray(container.env) ? container.env : []) {
        const ref = e?.valueFrom?.secretKeyRef;
        if (isRecord(ref)) add(`container ${container.name} env ${e.name}`, ref.name, ref.key, ref.optional);
      }
      for (const e of Array.isArray(container.envFrom) ? container.envFrom : []) {
        if (isRecord(e?.secretRef)) add(`container ${container.name} envFrom`, e.secretRef.name, undefined, e.secretRef.optional);
      }
    }
    for (const v of Array.isArray(pod.template.spec.volumes) ? pod.template.spec.volumes : []) {
      const volume = (via: string, s: any, name: unknown) => {
        const items = Array.isArray(s.items) ? s.items : [];
        if (items.length === 0) add(via, name, undefined, s.optional);
        for (const item of items) add(via, name, item?.key, s.optional);
      };
      if (isRecord(v?.secret)) volume(`volume ${v.name}`, v.secret, v.secret.secretName);
      for (const src of Array.isArray(v?.projected?.sources) ? v.projected.sources : []) {
        if (isRecord(src?.secret)) volume(`projected volume ${v.name}`, src.secret, src.secret.name);
      }
    }
    for (const s of Array.isArray(pod.template.spec.imagePullSecrets) ? pod.template.spec.imagePullSecrets : []) add('imagePullSecrets', s?.name, undefined, false);
  }
  return out;
}

/**
 * Every Secret a pod reads exists in the pod's namespace: rendered (a Secret
 * object) or declared as a required secret of a chart; a key read must be a
 * key of that Secret. Reads marked `optional` are exempt.
 */
export function checkSecretsProvided(objects: readonly K8sObject[], declared: readonly DeclaredSecret[]): string[] {
  const req = REQUIREMENTS.secrets;
  const available = new Map<string, Set<string>>();
  const keysOf = (ns: string, name: string) => {
    const k = `${ns}/${name}`;
    if (!available.has(k)) available.set(k, new Set());
    return available.get(k)!;
  };
  for (const o of objects) {
    if (o.kind !== 'Secret') continue;
    const keys = keysOf(namespaceOf(o) ?? 'default', o.metadata.name);
    for (const field of ['data', 'stringData']) for (const key of Object.keys(isRecord(o[field]) ? o[field] : {})) keys.add(key);
  }
  for (const s of declared) {
    const keys = keysOf(s.namespace, s.name);
    for (const key of Object.keys(s.keys)) keys.add(key);
  }
  const problems: string[] = [];
  for (const r of secretReads(objects)) {
    if (r.optional) continue;
    const keys = available.get(`${r.namespace}/${r.name}`);
    if (!keys) problems.push(`${req}: ${r.pod} ${r.via} reads Secret ${r.namespace}/${r.name}, which is neither rendered nor declared as a required secret of a chart`);
    else if (r.key !== undefined && !keys.has(r.key)) problems.push(`${req}: ${r.pod} ${r.via} reads key "${r.key}" of Secret ${r.namespace}/${r.name}, which only provides ${[...keys].sort().join(', ') || 'no key'}`);
  }
  return problems;
}

// ------------------------------------------------------------- Services

/**
 * Every Service (but ExternalName ones) has a selector, selects at least one
 * pod template of its namespace, and every selected template exposes every
 * target port (by name or number, with the port's protocol).
 */
export function checkServicesSelectPods(objects: readonly K8sObject[]): string[] {
  const req = REQUIREMENTS.services;
  const problems: string[] = [];
  for (const svc of services(objects)) {
    if (svc.spec?.type === 'ExternalName') continue;
    const at = objectRef(svc);
    if (!isRecord(svc.spec?.selector) || Object.keys(svc.spec.selector).length === 0) { problems.push(`${req}: ${at} has no selector (its endpoints would be managed by hand)`); continue; }
    const pods = selectedPods(objects, svc);
    if (pods.length === 0) { problems.push(`${req}: ${at} selects no pod template (selector ${JSON.stringify(svc.spec.selector)})`); continue; }
    for (const sp of Array.isArray(svc.spec?.ports) ? svc.spec.ports : []) {
      const target = sp.targetPort ?? sp.port;
      const protocol = (sp.protocol ?? 'TCP') as Protocol;
      for (const pod of pods) {
        if (resolvePort(pod, target, protocol) === undefined) {
          problems.push(`${req}: ${at} port ${sp.name ?? sp.port} targets ${target}/${protocol}, which ${pod.ref} does not expose`);
        }
      }
    }
  }
  return problems;
}

// ------------------------------------------------------------- namespace references

/** One place an object names a namespace. */
export interface NamespaceReference { readonly at: string; readonly namespace: string }

const NAME_LABEL = 'kubernetes.io/metadata.name';
/** `<service>.<namespace>.svc` in any string (URLs, DNS names, embedded config files). */
const SVC_DNS = /[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\b/g;

/**
 * Every namespace an object refers to: its own `metadata.namespace`,
 * NetworkPolicy `namespaceSelector`s on the namespace name label, RBAC
 * subjects, and `<svc>.<ns>.svc` DNS names in any string value.
 */
export function namespaceReferences(objects: readonly K8sObject[]): NamespaceReference[] {
  const out: NamespaceReference[] = [];
  for (const o of objects) {
    const ref = objectRef(o);
    if (typeof o.metadata.namespace === 'string') out.push({ at: `${ref} metadata.namespace`, namespace: o.metadata.namespace });
    for (const s of Array.isArray(o.subjects) ? o.subjects : []) {
      if (typeof s?.namespace === 'string') out.push({ at: `${ref} subject ${s.kind} ${s.name}`, namespace: s.namespace });
    }
    const visit = (value: unknown, path: string): void => {
      if (typeof value === 'string') {
        for (const m of value.matchAll(SVC_DNS)) out.push({ at: `${ref} ${path} ("${m[0]}")`, namespace: m[2] });
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => visit(v, `${path}[${i}]`));
      } else if (isRecord(value)) {
        for (const [k, v] of Object.entries(value)) {
          if (k === 'namespaceSelector' && isRecord(v)) {
            const name = v.matchLabels?.[NAME_LABEL];
            if (typeof name === 'string') out.push({ at: `${ref} ${path}.namespaceSelector`, namespace: name });
            for (const e of Array.isArray(v.matchExpressions) ? v.matchExpressions : []) {
              if (e?.key === NAME_LABEL && e.operator === 'In') for (const n of e.values ?? []) out.push({ at: `${ref} ${path}.namespaceSelector`, namespace: n });
            }
          }
          visit(v, path ? `${path}.${k}` : k);
        }
      }
    };
    visit({ spec: o.spec, data: o.data, rules: o.rules }, '');
  }
  return out;
}

/**
 * Every namespace an object refers to is rendered (a Namespace object) or one
 * the cluster provides (`provided`, e.g. kube-system, default). A reference
 * to a namespace nobody creates is a hard-coded name that a rename missed.
 */
export function checkNamespaceReferences(objects: readonly K8sObject[], provided: readonly string[]): string[] {
  const rendered = new Set(objects.filter(o => o.kind === 'Namespace').map(o => o.metadata.name));
  return namespaceReferences(objects)
    .filter(r => !rendered.has(r.namespace) && !provided.includes(r.namespace))
    .map(r => `${REQUIREMENTS.namespaces}: ${r.at} refers to namespace "${r.namespace}", which is neither rendered nor provided by the cluster (${provided.join(', ')})`);
}
