/**
 * Review rules for rendered manifests: everything we want to know before a
 * change is applied, as one flat list of problems.
 *
 * The rules, their order, severity and what each gate does with them are
 * the rule table's (constructs/lib/rule-table.ts); this module holds their
 * functions (RULE_CHECKS). Rules (ids in brackets in the output), in
 * evaluation order:
 *  - schema              OpenAPI schema incl. unknown fields (see schema.ts)
 *  - object-name         names the API server accepts (rules-names.ts)
 *  - object-meta         label keys and values, annotation keys and size, label selectors the API server accepts (rules-object-meta.ts)
 *  - config-data         ConfigMap and Secret keys, sizes and Secret type keys the API server accepts (rules-config-data.ts)
 *  - duplicate-object    one object defined twice in the input
 *  - workload-spec       apps/v1 selectors and rolling-update budgets the API server accepts (rules-workloads.ts)
 *  - api-constraints     PDB, HPA, Ingress path, Job and CronJob constraints of the API server (rules-api-constraints.ts)
 *  - pod-spec            container, port and volume names and volume mounts the API server accepts (rules-pod-spec.ts)
 *  - pod-security        Pod Security Standards at the namespace's enforce level
 *  - hardening           read-only root fs, explicit numeric uid/gid
 *  - host-access         privileged, SYS_ADMIN, runtime socket only when declared (rules-host-access.ts)
 *  - probes              readiness + liveness on long-running workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet)
 *  - probe-port          named probe ports resolve in their container (rules-ports.ts)
 *  - resources           cpu/memory requests and limits on every container
 *  - quantities          quantities that cannot mean what was meant (rules-quantities.ts)
 *  - limit-range         containers within their namespace's LimitRange (rules-limit-range.ts)
 *  - image-tag           pinned image tags (no `latest`, no missing tag)
 *  - secret-values       no secret material in the manifests
 *  - superuser-credential a server's superuser credential only in that server and setup Jobs (rules-credentials.ts)
 *  - insecure-skip-verify TLS verification turned off only with a reason (rules-verification.ts)
 *  - rbac-grant          no wildcard, escalating, cluster-admin or everyone grant without its reason (rules-rbac.ts)
 *  - service-spec        Service ports the API server accepts (rules-service-spec.ts)
 *  - service-selector    Services select some pod template
 *  - service-target-port Service targetPorts are declared by a selected pod
 *  - ingress-backend     Ingress backends name an existing Service and port
 *  - ingress-host        Ingress hosts are lowercase DNS names (rules-ingress.ts)
 *  - ingress-conflict    no host+path published by two Ingress paths
 *  - netpol-spec         NetworkPolicy ports, peers, ipBlocks and selectors the API server accepts (rules-netpol-spec.ts)
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
import { checkIngressHosts, ingressConflicts, pathLabel } from './rules-ingress';
import { checkLimitRanges, limitRangesByNamespace } from './rules-limit-range';
import { checkObjectName, duplicateIndexes, DUPLICATE_MESSAGE } from './rules-names';
import { checkProbePorts, checkServiceTargetPorts, declaredPorts, PodPorts } from './rules-ports';
import { checkQuantities } from './rules-quantities';
import { checkSuperuserCredentials, DeclaredCredentials, declaredCredentials } from './rules-credentials';
import { checkConfigMapVerification, checkPodVerification, checkSpecVerification } from './rules-verification';
import { checkAuditExemptions } from './rules-exemptions';
import { checkWorkloadSpec } from './rules-workloads';
import { checkPodSpec } from './rules-pod-spec';
import { checkApiConstraints } from './rules-api-constraints';
import { checkServiceSpec } from './rules-service-spec';
import { checkObjectMeta } from './rules-object-meta';
import { checkConfigData } from './rules-config-data';
import { checkNetworkPolicySpec } from './rules-netpol-spec';
import { checkRbacGrants } from './rules-rbac';
import { checkIngressTls, checkTraefikRedirects, hasTls } from './rules-tls';
import { LONG_RUNNING_KINDS, RULE_IDS, RULE_TABLE, RuleId } from '../../constructs/lib/rule-table';

/** One finding: which object, which rule, what is wrong. */
export interface Problem {
  /** `objectRef` of the object, e.g. `Deployment dockercoins/hasher`. */
  object: string;
  rule: string;
  message: string;
}

/** The ids of all rules, in the order they are evaluated: the rule table's (constructs/lib/rule-table.ts). */
export const RULES: readonly RuleId[] = RULE_IDS;

export type { RuleId };

/** What each rule checks, in one line (for `validate --help` and reports), from the rule table. */
export const RULE_SUMMARIES: Readonly<Record<RuleId, string>> = Object.fromEntries(RULE_TABLE.map((r) => [r.id, r.summary])) as Record<RuleId, string>;

/**
 * Pod template annotation that waives the `probes` rule for a workload. The
 * value must be a non-empty reason (e.g. "worker has no port and no health
 * endpoint; liveness is the process itself"), so a waiver is always explained
 * where it is declared.
 */
import { PROBES_WAIVED_ANNOTATION } from '../../constructs/lib/probe-annotations';
export { PROBES_WAIVED_ANNOTATION };

/** `Deployment dockercoins/hasher: [probes] container hasher has no readinessProbe`. */
export function formatProblem(p: Problem): string {
  return `${p.object}: [${p.rule}] ${p.message}`;
}

/** Kinds whose pods are expected to run forever (and so need probes): the rule table's, which admission reads too. */
const LONG_RUNNING = new Set(LONG_RUNNING_KINDS);

/** Pod template of a workload together with its namespace, for selector rules. */
interface PodInfo {
  namespace: string;
  labels: Record<string, string>;
}

/** What the rules relating objects need to know about the whole set, computed once per set. */
export interface RuleContext {
  readonly objects: readonly K8sObject[];
  /** Whether the set uses TLS at all (plain-http applies only then). */
  readonly tls: boolean;
  readonly pods: readonly PodPorts[];
  readonly duplicates: ReadonlySet<number>;
  readonly conflicts: ReadonlyMap<number, string[]>;
  readonly limitRanges: ReadonlyMap<string, K8sObject[]>;
  readonly services: ReadonlyMap<string, K8sObject>;
  /** Superuser credentials the servers of the set declare (superuser-credential). */
  readonly credentials: DeclaredCredentials;
  levelOf(namespace: string): PodSecurityLevel;
}

/** The context of an object set (rules of scope `set` read it; `object` rules ignore it). */
export function ruleContext(objects: K8sObject[]): RuleContext {
  const pods: PodPorts[] = [];
  for (const o of objects) {
    const tpl = podTemplateOf(o);
    if (tpl) pods.push({ namespace: namespaceOf(o) ?? 'default', labels: tpl.metadata.labels ?? {}, ports: declaredPorts(tpl.spec) });
  }
  const duplicates = duplicateIndexes(objects);
  const services = new Map<string, K8sObject>();
  for (const o of objects) {
    if (o.kind === 'Service' && o.apiVersion === 'v1') services.set(`${namespaceOf(o)}/${o.metadata.name}`, o);
  }
  const levels = new Map<string, PodSecurityLevel>();
  return {
    objects,
    tls: hasTls(objects),
    pods,
    duplicates,
    conflicts: ingressConflicts(objects, duplicates),
    limitRanges: limitRangesByNamespace(objects),
    services,
    credentials: declaredCredentials(workloadsOf(objects)),
    levelOf: (ns) => {
      let l = levels.get(ns);
      if (!l) {
        l = namespacePodSecurityLevel(objects, ns);
        levels.set(ns, l);
      }
      return l;
    },
  };
}

/** One rule on one object of a set: its messages. */
export type RuleCheck = (o: K8sObject, index: number, ctx: RuleContext) => string[];

const withTemplate = (f: (tpl: PodTemplate, o: K8sObject, ctx: RuleContext) => string[]): RuleCheck => (o, _i, ctx) => {
  const tpl = podTemplateOf(o);
  return tpl ? f(tpl, o, ctx) : [];
};

/**
 * The function of each rule of the table. Every gate that runs rules runs
 * these: validate and the cdk8s plugin (validateManifests), the Pulumi policy
 * pack (policy/policies.ts, one policy per entry).
 */
export const RULE_CHECKS: Readonly<Record<RuleId, RuleCheck>> = {
  schema: (o) => validateSchema(o),
  'object-name': (o) => checkObjectName(o),
  'object-meta': (o) => checkObjectMeta(o),
  'config-data': (o) => checkConfigData(o),
  'duplicate-object': (_o, i, ctx) => (ctx.duplicates.has(i) ? [DUPLICATE_MESSAGE] : []),
  'workload-spec': (o) => checkWorkloadSpec(o),
  'api-constraints': (o) => checkApiConstraints(o),
  'pod-spec': withTemplate((tpl, o) => checkPodSpec(tpl, o.kind === 'StatefulSet' ? o.spec?.volumeClaimTemplates : [])),
  'pod-security': withTemplate((tpl, o, ctx) => {
    const level = ctx.levelOf(namespaceOf(o) ?? 'default');
    return checkPodSecurity(tpl.spec, level, tpl.metadata).map((v) => `${level}: ${describeViolation(v)}`);
  }),
  hardening: withTemplate((tpl) => checkHardening(tpl.spec).map(describeViolation)),
  'host-access': withTemplate((tpl) => checkHostAccess(tpl)),
  probes: withTemplate((tpl, o) => (LONG_RUNNING.has(o.kind) ? checkProbes(tpl) : [])),
  'probe-port': withTemplate((tpl) => checkProbePorts(tpl.spec)),
  resources: withTemplate((tpl) => checkResources(tpl.spec)),
  quantities: (o) => checkQuantities(o),
  'limit-range': withTemplate((tpl, o, ctx) => checkLimitRanges(tpl.spec, ctx.limitRanges.get(namespaceOf(o) ?? 'default') ?? [])),
  'image-tag': withTemplate((tpl) => checkImages(tpl.spec)),
  'secret-values': (o) => [...(podTemplateOf(o) ? checkEnvSecrets(podTemplateOf(o)!.spec) : []), ...(o.kind === 'Secret' ? checkSecretObject(o) : [])],
  'superuser-credential': withTemplate((tpl, o, ctx) => checkSuperuserCredentials(o, tpl, namespaceOf(o) ?? 'default', ctx.credentials)),
  'insecure-skip-verify': (o) => {
    const tpl = podTemplateOf(o);
    if (tpl) return checkPodVerification(tpl);
    return o.kind === 'ConfigMap' ? checkConfigMapVerification(o) : checkSpecVerification(o);
  },
  'rbac-grant': (o) => checkRbacGrants(o),
  'service-spec': (o) => checkServiceSpec(o),
  'service-selector': (o, _i, ctx) => (o.kind === 'Service' ? checkServiceSelector(o, ctx.pods) : []),
  'service-target-port': (o, _i, ctx) => (o.kind === 'Service' ? checkServiceTargetPorts(o, namespaceOf(o) ?? 'default', [...ctx.pods]) : []),
  'ingress-backend': (o, _i, ctx) => (o.kind === 'Ingress' ? checkIngressBackends(o, ctx.services) : []),
  'ingress-host': (o) => (o.kind === 'Ingress' ? checkIngressHosts(o) : []),
  'ingress-conflict': (o, i, ctx) => (o.kind === 'Ingress' ? ctx.conflicts.get(i) ?? [] : []),
  'netpol-spec': (o) => checkNetworkPolicySpec(o),
  'netpol-selector': (o, _i, ctx) => (o.kind === 'NetworkPolicy' ? checkPolicySelector(o, ctx.pods) : []),
  'audit-exemption': (o) => checkAuditExemptions(o),
  'plain-http': (o, _i, ctx) => {
    if (!ctx.tls) return [];
    return [...(o.kind === 'Ingress' ? checkIngressTls(o) : []), ...(podTemplateOf(o) ? checkTraefikRedirects(o, [...ctx.objects]) : [])];
  },
};

/**
 * Runs every rule (or the given ones) over an object set and returns the
 * problems, grouped by object in input order, rules in table order. Rules
 * that relate objects (selectors, backends) only look inside the given set,
 * so pass the whole environment at once.
 */
export function validateManifests(objects: K8sObject[], rules: readonly RuleId[] = RULES): Problem[] {
  const ctx = ruleContext(objects);
  const selected = RULES.filter((r) => rules.includes(r));
  const out: Problem[] = [];
  objects.forEach((o, index) => {
    const object = objectRef(o);
    for (const rule of selected) for (const message of RULE_CHECKS[rule](o, index, ctx)) out.push({ object, rule, message });
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
export function checkServiceSelector(o: K8sObject, pods: readonly PodInfo[]): string[] {
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
import { EXTERNAL_PODS_ANNOTATION } from '../../constructs/lib/network-annotations';
export { EXTERNAL_PODS_ANNOTATION };

/** A NetworkPolicy with a non-empty podSelector must select at least one pod template. */
export function checkPolicySelector(o: K8sObject, pods: readonly PodInfo[]): string[] {
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
export function checkIngressBackends(o: K8sObject, services: ReadonlyMap<string, K8sObject>): string[] {
  const ns = namespaceOf(o) ?? 'default';
  const backends: Array<{ where: string; backend: unknown }> = [];
  if (o.spec?.defaultBackend) backends.push({ where: 'defaultBackend', backend: o.spec.defaultBackend });
  (Array.isArray(o.spec?.rules) ? o.spec.rules : []).forEach((r: any, i: number) => {
    (Array.isArray(r?.http?.paths) ? r.http.paths : []).forEach((p: any, j: number) => {
      const host = typeof r.host === 'string' ? r.host : '*';
      backends.push({ where: pathLabel(host, typeof p?.path === 'string' ? p.path : '', i, j), backend: p?.backend });
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
