/**
 * Review rules for rendered manifests: everything we want to know before a
 * change is applied, as one flat list of problems.
 *
 * Rules (ids in brackets in the output), in evaluation order:
 *  - schema              OpenAPI schema incl. unknown fields (see schema.ts)
 *  - object-name         names the API server accepts (rules-names.ts)
 *  - duplicate-object    one object defined twice in the input
 *  - pod-security        Pod Security Standards at the namespace's enforce level
 *  - hardening           read-only root fs, explicit numeric uid/gid
 *  - host-access         privileged, SYS_ADMIN, runtime socket only when declared (rules-host-access.ts)
 *  - probes              readiness + liveness on long-running workloads
 *  - probe-port          named probe ports resolve in their container (rules-ports.ts)
 *  - resources           cpu/memory requests and limits on every container
 *  - quantities          quantities that cannot mean what was meant (rules-quantities.ts)
 *  - limit-range         containers within their namespace's LimitRange (rules-limit-range.ts)
 *  - image-tag           pinned image tags (no `latest`, no missing tag)
 *  - secret-values       no secret material in the manifests
 *  - superuser-credential a server's superuser credential only in that server and setup Jobs (rules-credentials.ts)
 *  - insecure-skip-verify TLS verification turned off only with a reason (rules-verification.ts)
 *  - service-selector    Services select some pod template
 *  - service-target-port Service targetPorts are declared by a selected pod
 *  - ingress-backend     Ingress backends name an existing Service and port
 *  - ingress-host        Ingress hosts are lowercase DNS names (rules-ingress.ts)
 *  - ingress-conflict    no host+path published by two Ingress paths
 *  - netpol-selector     NetworkPolicies with a podSelector select some pod
 *  - audit-exemption     every kube-score ignore and Polaris exemption has a reason (rules-exemptions.ts)
 *  - plain-http          in an environment with TLS: no Ingress host without TLS, no published
 *                        Traefik entry point without TLS or a redirect to https (rules-tls.ts)
 */
import { K8sObject, allContainers, compareStrings, describeContainer, isRecord, namespaceOf, objectRef, podTemplateOf, PodTemplate, workloadsOf } from './objects';
import { checkHardening, checkPodSecurity, namespacePodSecurityLevel, PodSecurityLevel, PodSecurityViolation } from './pod-security';
import { matchesSelector } from './network';
import { validateSchema } from './schema';
import { checkHostAccess } from './rules-host-access';
import { checkIngressHosts, ingressConflicts } from './rules-ingress';
import { checkLimitRanges, limitRangesByNamespace } from './rules-limit-range';
import { checkObjectName, duplicateIndexes, DUPLICATE_MESSAGE } from './rules-names';
import { checkProbePorts, checkServiceTargetPorts, declaredPorts, PodPorts } from './rules-ports';
import { checkQuantities } from './rules-quantities';
import { checkSuperuserCredentials, declaredCredentials } from './rules-credentials';
import { checkConfigMapVerification, checkPodVerification, checkSpecVerification } from './rules-verification';
import { checkAuditExemptions } from './rules-exemptions';
import { checkIngressTls, checkTraefikRedirects, hasTls } from './rules-tls';

/** One finding: which object, which rule, what is wrong. */
export interface Problem {
  /** `objectRef` of the object, e.g. `Deployment dockercoins/hasher`. */
  object: string;
  rule: string;
  message: string;
}

/** The ids of all rules, in the order they are evaluated. */
export const RULES = [
  'schema', 'object-name', 'duplicate-object', 'pod-security', 'hardening', 'host-access',
  'probes', 'probe-port', 'resources', 'quantities', 'limit-range', 'image-tag',
  'secret-values', 'superuser-credential', 'insecure-skip-verify', 'service-selector', 'service-target-port', 'ingress-backend',
  'ingress-host', 'ingress-conflict', 'netpol-selector', 'audit-exemption', 'plain-http',
] as const;

export type RuleId = (typeof RULES)[number];

/** What each rule checks, in one line (for `validate --help` and reports). */
export const RULE_SUMMARIES: Readonly<Record<RuleId, string>> = {
  schema: 'OpenAPI schema, unknown fields, removed API versions',
  'object-name': 'metadata.name/namespace are names the API server accepts',
  'duplicate-object': 'no object (group, kind, namespace, name) defined twice',
  'pod-security': "the namespace's Pod Security level (default restricted)",
  hardening: 'read-only root filesystem, numeric runAsUser/runAsGroup',
  'host-access': 'privileged, SYS_ADMIN, runtime socket only with a reason',
  probes: 'readiness and liveness on long-running pods (or a waiver)',
  'probe-port': 'named probe ports are declared by their container',
  resources: 'cpu and memory requests and limits on every container',
  quantities: 'no negative, millibyte, byte-unit cpu or tiny quantities',
  'limit-range': "containers within the namespace's LimitRange max and min",
  'image-tag': 'pinned images: a tag other than latest, or a digest',
  'secret-values': 'no secret values in Secrets or literal env values',
  'superuser-credential': "a superuser credential only in its server's pods and setup Jobs",
  'insecure-skip-verify': 'skipped TLS certificate verification carries a reason annotation',
  'service-selector': 'a Service selector matches some pod template',
  'service-target-port': 'a Service targetPort is declared by a selected pod',
  'ingress-backend': 'Ingress backends name an existing Service and port',
  'ingress-host': 'Ingress hosts are lowercase DNS names (wildcard allowed)',
  'ingress-conflict': 'no host and path published by two Ingress paths',
  'netpol-selector': 'a NetworkPolicy podSelector matches some pod template',
  'audit-exemption': 'every kube-score ignore and Polaris exemption carries its reason',
  'plain-http': 'with TLS in the environment: no Ingress host without TLS, no published entry point without a redirect',
};

/**
 * Pod template annotation that waives the `probes` rule for a workload. The
 * value must be a non-empty reason (e.g. "worker has no port and no health
 * endpoint; liveness is the process itself"), so a waiver is always explained
 * where it is declared.
 */
import { PROBES_WAIVED_ANNOTATION } from '../../constructs/lib/probes';
export { PROBES_WAIVED_ANNOTATION };

/** `Deployment dockercoins/hasher: [probes] container hasher has no readinessProbe`. */
export function formatProblem(p: Problem): string {
  return `${p.object}: [${p.rule}] ${p.message}`;
}

/** Kinds whose pods are expected to run forever (and so need probes). */
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Pod template of a workload together with its namespace, for selector rules. */
interface PodInfo {
  namespace: string;
  labels: Record<string, string>;
}

/**
 * Runs every rule over an object set and returns the problems, grouped by
 * object in input order. Rules that relate objects (selectors, backends) only
 * look inside the given set, so pass the whole environment at once.
 */
export function validateManifests(objects: K8sObject[]): Problem[] {
  const pods: PodPorts[] = [];
  const levels = new Map<string, PodSecurityLevel>();
  for (const o of objects) {
    const tpl = podTemplateOf(o);
    if (tpl) pods.push({ namespace: namespaceOf(o) ?? 'default', labels: tpl.metadata.labels ?? {}, ports: declaredPorts(tpl.spec) });
  }
  const duplicates = duplicateIndexes(objects);
  const conflicts = ingressConflicts(objects, duplicates);
  const limitRanges = limitRangesByNamespace(objects);
  const credentials = declaredCredentials(workloadsOf(objects));
  const tls = hasTls(objects);
  const services = new Map<string, K8sObject>();
  for (const o of objects) {
    if (o.kind === 'Service' && o.apiVersion === 'v1') services.set(`${namespaceOf(o)}/${o.metadata.name}`, o);
  }
  const levelOf = (ns: string): PodSecurityLevel => {
    let l = levels.get(ns);
    if (!l) {
      l = namespacePodSecurityLevel(objects, ns);
      levels.set(ns, l);
    }
    return l;
  };

  const out: Problem[] = [];
  objects.forEach((o, index) => {
    const object = objectRef(o);
    const ns = namespaceOf(o) ?? 'default';
    const add = (rule: RuleId, message: string) => out.push({ object, rule, message });
    for (const m of validateSchema(o)) add('schema', m);
    for (const m of checkObjectName(o)) add('object-name', m);
    if (duplicates.has(index)) add('duplicate-object', DUPLICATE_MESSAGE);
    const tpl = podTemplateOf(o);
    if (tpl) {
      const level = levelOf(ns);
      for (const v of checkPodSecurity(tpl.spec, level, tpl.metadata)) add('pod-security', `${level}: ${describeViolation(v)}`);
      for (const v of checkHardening(tpl.spec)) add('hardening', describeViolation(v));
      for (const m of checkHostAccess(tpl)) add('host-access', m);
      if (LONG_RUNNING.has(o.kind)) for (const m of checkProbes(tpl)) add('probes', m);
      for (const m of checkProbePorts(tpl.spec)) add('probe-port', m);
      for (const m of checkResources(tpl.spec)) add('resources', m);
    }
    for (const m of checkQuantities(o)) add('quantities', m);
    if (tpl) {
      for (const m of checkLimitRanges(tpl.spec, limitRanges.get(ns) ?? [])) add('limit-range', m);
      for (const m of checkImages(tpl.spec)) add('image-tag', m);
      for (const m of checkEnvSecrets(tpl.spec)) add('secret-values', m);
    }
    if (o.kind === 'Secret') for (const m of checkSecretObject(o)) add('secret-values', m);
    if (tpl) for (const m of checkSuperuserCredentials(o, tpl, ns, credentials)) add('superuser-credential', m);
    if (tpl) for (const m of checkPodVerification(tpl)) add('insecure-skip-verify', m);
    if (o.kind === 'ConfigMap') for (const m of checkConfigMapVerification(o)) add('insecure-skip-verify', m);
    else if (!tpl) for (const m of checkSpecVerification(o)) add('insecure-skip-verify', m);
    if (o.kind === 'Service') {
      for (const m of checkServiceSelector(o, pods)) add('service-selector', m);
      for (const m of checkServiceTargetPorts(o, ns, pods)) add('service-target-port', m);
    }
    if (o.kind === 'Ingress') {
      for (const m of checkIngressBackends(o, services)) add('ingress-backend', m);
      for (const m of checkIngressHosts(o)) add('ingress-host', m);
      for (const m of conflicts.get(index) ?? []) add('ingress-conflict', m);
    }
    if (o.kind === 'NetworkPolicy') for (const m of checkPolicySelector(o, pods)) add('netpol-selector', m);
    for (const m of checkAuditExemptions(o)) add('audit-exemption', m);
    if (tls) {
      if (o.kind === 'Ingress') for (const m of checkIngressTls(o)) add('plain-http', m);
      if (tpl) for (const m of checkTraefikRedirects(o, objects)) add('plain-http', m);
    }
  });
  return out;
}

function describeViolation(v: PodSecurityViolation): string {
  return v.container ? `container ${v.container}: ${v.message} (${v.rule})` : `${v.message} (${v.rule})`;
}

function containerName(c: Record<string, any>, list: 'containers' | 'initContainers' | 'ephemeralContainers'): string {
  return describeContainer({ container: c, list });
}

/** Readiness and liveness probes on every regular container, unless waived with a reason. */
export function checkProbes(tpl: PodTemplate): string[] {
  const waiver = tpl.metadata.annotations?.[PROBES_WAIVED_ANNOTATION];
  if (typeof waiver === 'string' && waiver.trim() !== '') return [];
  const out: string[] = [];
  if (waiver !== undefined) out.push(`annotation ${PROBES_WAIVED_ANNOTATION} must give a non-empty reason`);
  for (const { container: c, list } of allContainers(tpl.spec)) {
    if (list !== 'containers') continue; // init containers run to completion; probes do not apply
    for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
      if (!isRecord(c[probe])) out.push(`${containerName(c, list)} has no ${probe} (or set pod template annotation ${PROBES_WAIVED_ANNOTATION}: <reason>)`);
    }
  }
  return out;
}

/** cpu and memory requests and limits on every container, init containers included. */
export function checkResources(podSpec: Record<string, any>): string[] {
  const out: string[] = [];
  for (const { container: c, list } of allContainers(podSpec)) {
    if (list === 'ephemeralContainers') continue; // ephemeral containers cannot have resources
    const missing: string[] = [];
    for (const kind of ['requests', 'limits'] as const) {
      for (const res of ['cpu', 'memory']) {
        const v = c.resources?.[kind]?.[res];
        if (v === undefined || v === null || v === '') missing.push(`${kind}.${res}`);
      }
    }
    if (missing.length > 0) out.push(`${containerName(c, list)} has no resources ${missing.join(', ')}`);
  }
  return out;
}

/**
 * Splits an image reference into its tag and digest. The tag is looked for
 * in the last path component only, so a registry port (`host:5000/img`) is
 * not mistaken for a tag.
 */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const out: { name: string; tag?: string; digest?: string } = { name: rest };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** Every image pinned: a digest, or a tag other than `latest`. */
export function checkImages(podSpec: Record<string, any>): string[] {
  const out: string[] = [];
  for (const { container: c, list } of allContainers(podSpec)) {
    if (typeof c.image !== 'string' || c.image === '') {
      out.push(`${containerName(c, list)} has no image`);
      continue;
    }
    const ref = parseImage(c.image);
    if (ref.digest) continue; // a digest pins the content whatever the tag says
    if (ref.tag === undefined || ref.tag === '') out.push(`${containerName(c, list)} image ${c.image} has no tag (pulls latest)`);
    else if (ref.tag === 'latest') out.push(`${containerName(c, list)} image ${c.image} uses the latest tag`);
  }
  return out;
}

const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PASS', 'SECRET', 'TOKEN', 'KEY', 'APIKEY', 'CREDENTIALS']);
/** Suffixes meaning the value points to the secret rather than being it. */
const REFERENCE_SUFFIXES = new Set(['FILE', 'PATH', 'DIR', 'NAME', 'REF', 'ID']);

/**
 * Whether an env var name looks like it holds secret material:
 * `POSTGRES_PASSWORD`, `API_KEY`, `GITHUB_TOKEN`, `secretKey`... but not
 * `POSTGRES_PASSWORD_FILE` or `SECRET_NAME`, whose values are references.
 */
export function looksSecret(name: string): boolean {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  if (words.length === 0) return false;
  if (REFERENCE_SUFFIXES.has(words[words.length - 1])) return false;
  return words.some((w) => SECRET_WORDS.has(w));
}

/** Literal env values whose names look secret (use valueFrom.secretKeyRef instead). */
export function checkEnvSecrets(podSpec: Record<string, any>): string[] {
  const out: string[] = [];
  for (const { container: c, list } of allContainers(podSpec)) {
    for (const e of Array.isArray(c.env) ? c.env : []) {
      if (!isRecord(e) || typeof e.name !== 'string') continue;
      if (typeof e.value === 'string' && e.value !== '' && looksSecret(e.name)) {
        out.push(`${containerName(c, list)} env ${e.name} has a literal value; use valueFrom.secretKeyRef`);
      }
    }
  }
  return out;
}

/** Secrets must come from outside the repository: no data in Secret objects. */
export function checkSecretObject(o: K8sObject): string[] {
  const out: string[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const value = o[field];
    if (isRecord(value) && Object.keys(value).length > 0) {
      out.push(`Secret has ${field} (${Object.keys(value).sort(compareStrings).join(', ')}); secret values must not be committed`);
    }
  }
  return out;
}

/** A Service with a selector must select at least one pod template of its namespace. */
export function checkServiceSelector(o: K8sObject, pods: PodInfo[]): string[] {
  const selector = o.spec?.selector;
  if (!isRecord(selector) || Object.keys(selector).length === 0) return []; // manual Endpoints
  const ns = namespaceOf(o) ?? 'default';
  if (pods.some((p) => p.namespace === ns && matchesSelector({ matchLabels: selector }, p.labels))) return [];
  return [`selector ${formatLabels(selector)} matches no pod template in namespace ${ns}`];
}

/**
 * NetworkPolicy annotation saying, with a non-empty reason, that the policy
 * selects pods created outside the manifests (e.g. client pods an operator
 * runs with a label); it waives `netpol-selector` for that policy. Defined
 * once, where WorkloadNetworkPolicy writes it.
 */
import { EXTERNAL_PODS_ANNOTATION } from '../../constructs/lib/network';
export { EXTERNAL_PODS_ANNOTATION };

/** A NetworkPolicy with a non-empty podSelector must select at least one pod template. */
export function checkPolicySelector(o: K8sObject, pods: PodInfo[]): string[] {
  const selector = o.spec?.podSelector;
  if (!isRecord(selector)) return [];
  const waiver = o.metadata.annotations?.[EXTERNAL_PODS_ANNOTATION];
  if (typeof waiver === 'string' && waiver.trim() !== '') return [];
  const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  if (empty) return [];
  const ns = namespaceOf(o) ?? 'default';
  if (pods.some((p) => p.namespace === ns && matchesSelector(selector, p.labels))) return [];
  return [`podSelector ${JSON.stringify(selector)} matches no pod template in namespace ${ns}`];
}

function formatLabels(labels: Record<string, unknown>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

/** Every Ingress service backend names an existing Service of the namespace and one of its ports. */
export function checkIngressBackends(o: K8sObject, services: Map<string, K8sObject>): string[] {
  const ns = namespaceOf(o) ?? 'default';
  const backends: Array<{ where: string; backend: unknown }> = [];
  if (o.spec?.defaultBackend) backends.push({ where: 'defaultBackend', backend: o.spec.defaultBackend });
  (Array.isArray(o.spec?.rules) ? o.spec.rules : []).forEach((r: any, i: number) => {
    (Array.isArray(r?.http?.paths) ? r.http.paths : []).forEach((p: any, j: number) => {
      const host = typeof r.host === 'string' ? r.host : '*';
      backends.push({ where: `rule ${i} (${host}${p?.path ?? ''}) path ${j}`, backend: p?.backend });
    });
  });
  const out: string[] = [];
  for (const { where, backend } of backends) {
    if (!isRecord(backend) || !isRecord(backend.service)) continue; // resource backends are out of scope
    const name = backend.service.name;
    const svc = services.get(`${ns}/${name}`);
    if (!svc) {
      out.push(`${where}: Service ${ns}/${name} does not exist`);
      continue;
    }
    const port = isRecord(backend.service.port) ? backend.service.port : {};
    const ports: any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    if (port.number !== undefined) {
      if (!ports.some((p) => p?.port === port.number)) out.push(`${where}: Service ${ns}/${name} has no port ${port.number}`);
    } else if (port.name !== undefined) {
      if (!ports.some((p) => p?.name === port.name)) out.push(`${where}: Service ${ns}/${name} has no port named ${port.name}`);
    } else {
      out.push(`${where}: backend for Service ${ns}/${name} names no port`);
    }
  }
  return out;
}
