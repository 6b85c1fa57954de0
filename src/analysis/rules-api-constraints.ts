/**
 * `api-constraints`: cross-field rules of other kinds that the API server's
 * validation enforces and the OpenAPI schema cannot express:
 *  - PodDisruptionBudget: minAvailable and maxUnavailable are not both set,
 *    each a non-negative number or a percentage up to 100%
 *    (pkg/apis/policy/validation, ValidatePodDisruptionBudgetSpec);
 *  - HorizontalPodAutoscalers: replicas, target reference, metrics and their
 *    targets, scaling behavior (pkg/apis/autoscaling/validation: rules-hpa-spec.ts);
 *  - Ingress paths: Exact and Prefix paths absolute, without `//`,
 *    `/./`, `/../`, `%2f`, `%2F` and not ending in `/..` or `/.`; an
 *    ImplementationSpecific path, when given, absolute; a Service backend's
 *    port by name or by number, not both (pkg/apis/networking/validation,
 *    validateHTTPIngressPath, validateIngressBackend);
 *  - pod restart policies: a Job's (and a CronJob's job template's) OnFailure
 *    or Never, written out since the pod default Always is refused, and Never
 *    with a podFailurePolicy (pkg/apis/batch/validation, validateJobSpec); an
 *    apps/v1 workload's Always when written (pkg/apis/apps/validation);
 *  - Job counts and durations (parallelism, completions, activeDeadlineSeconds,
 *    backoffLimit, backoffLimitPerIndex, maxFailedIndexes,
 *    ttlSecondsAfterFinished) not negative, an Indexed Job's completions set
 *    (validateJobSpec);
 *  - a CronJob's schedule robfig/cron parses, without TZ, its timeZone an IANA
 *    zone, its history limits and startingDeadlineSeconds not negative
 *    (validateCronJobSpec; constructs/lib/cron-schedule.ts, which the backups' config schema uses too);
 *  - PersistentVolumeClaims (and a StatefulSet's claim templates): an access
 *    mode, ReadWriteOncePod alone, a positive storage request
 *    (ValidatePersistentVolumeClaimSpec);
 *  - an Ingress TLS secretName a Secret name (validateIngressTLS); rules or a
 *    defaultBackend (ValidateIngressSpec); a kubernetes.io/ingress.class
 *    annotation equal to ingressClassName when both are set (ValidateIngressCreate);
 *  - Roles, ClusterRoles and their bindings (pkg/apis/rbac/validation: rules-rbac-spec.ts);
 *  - a LimitRange consistent in itself: each type once, no default or
 *    defaultRequest for type Pod, min or max storage for claims, per resource
 *    min <= defaultRequest <= default <= max, a maxLimitRequestRatio of at
 *    least 1 and at most max/min, default equal to defaultRequest where no
 *    overcommit is allowed (ValidateLimitRange);
 *  - an IngressClass's controller a domain-prefixed path of at most 250
 *    characters, its parameters a reference with a kind, a name and a scope
 *    (Namespace: with a namespace; Cluster: without) (validateIngressClassSpec);
 *  - an APIService named <version>.<group>, priorities within bounds, a
 *    Service reference with namespace, name and port, caBundle and
 *    insecureSkipTLSVerify only with a Service and not together
 *    (kube-aggregator ValidateAPIService);
 *  - CustomResourceDefinitions: named <plural>.<group>, versions (one storage,
 *    each with a schema), names and conversion (rules-crd-spec.ts);
 *  - PersistentVolumes: access modes, capacity, one volume source with its
 *    required fields, node affinity for local volumes (rules-pv-spec.ts);
 *  - a StorageClass: a provisioner, bounded parameters, a reclaimPolicy Delete
 *    or Retain, a known volumeBindingMode, allowedTopologies without repeats
 *    (pkg/apis/storage/validation ValidateStorageClass);
 *  - ResourceQuotas: hard resource names, whole numbers for counts, scopes and
 *    scope selectors (rules-quota-spec.ts);
 *  - admission policies, their bindings and webhook matchConditions: required
 *    parts and what their CEL expressions may name (rules-admission-spec.ts);
 *  - a PriorityClass value at most 1000000000 and no system- prefix
 *    (pkg/apis/scheduling/validation ValidatePriorityClass).
 * All in kubernetes/kubernetes.
 */
import { cronScheduleProblem, timeZoneProblem } from '../../constructs/lib/cron-schedule';
import { isAppsWorkload, isRecord, K8sObject } from './objects';
import { isPortNumber, labelKeyProblems, nameProblem, portNameProblems } from './rules-names';
import { overcommitAllowed, parseQuantity } from './rules-quantities';
import { checkAdmissionSpec } from './rules-admission-spec';
import { checkCrdSpec } from './rules-crd-spec';
import { checkHpaSpec } from './rules-hpa-spec';
import { accessModeProblems, checkPersistentVolumeSpec } from './rules-pv-spec';
import { checkQuotaSpec } from './rules-quota-spec';
import { checkRbacSpec } from './rules-rbac-spec';
import { budget } from './rules-workloads';

const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];

function pdb(o: K8sObject): string[] {
  const out = o.spec?.minAvailable !== undefined && o.spec?.maxUnavailable !== undefined
    ? ['spec sets both minAvailable and maxUnavailable: the API server refuses it ("cannot be both set"); keep one']
    : [];
  // ValidatePositiveIntOrPercent and IsNotMoreThan100Percent on each bound.
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    const value = o.spec?.[field];
    if (value === undefined || value === null) continue;
    const b = budget(value, `spec.${field}`);
    if ('problem' in b) out.push(b.problem);
    else if (b.value < 0) out.push(`spec.${field} ${value} must not be negative`);
  }
  return out;
}

/** networking validation maxLenIngressClassController; apimachinery IsDomainPrefixedPath's httpPathFmt. */
const MAX_INGRESS_CLASS_CONTROLLER = 250;
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/** validateIngressClassSpec: a domain-prefixed controller (example.com/ingress-controller), parameters a reference with its scope. */
function ingressClass(spec: Record<string, any>): string[] {
  const out: string[] = [];
  const controller = typeof spec.controller === 'string' ? spec.controller : '';
  if (controller.length > MAX_INGRESS_CLASS_CONTROLLER) out.push(`spec.controller is ${controller.length} characters: at most ${MAX_INGRESS_CLASS_CONTROLLER}`);
  const slash = controller.indexOf('/');
  if (controller === '') out.push('spec.controller is required (the controller that implements the class, e.g. traefik.io/ingress-controller)');
  else if (slash <= 0 || slash === controller.length - 1) out.push(`spec.controller ${JSON.stringify(controller)} must be a domain-prefixed path (such as "acme.io/foo")`);
  else {
    const domain = nameProblem('spec.controller domain', controller.slice(0, slash), 'dns1123-subdomain');
    if (domain) out.push(domain);
    if (!HTTP_PATH.test(controller.slice(slash + 1))) out.push(`spec.controller path ${JSON.stringify(controller.slice(slash + 1))} holds characters a path cannot (letters, digits and /-._~%!$&'()*+,;=:)`);
  }
  const params = spec.parameters;
  if (isRecord(params)) {
    if (typeof params.apiGroup === 'string') { const p = nameProblem('spec.parameters.apiGroup', params.apiGroup, 'dns1123-subdomain'); if (p) out.push(p); }
    for (const field of ['kind', 'name'] as const) {
      const value = typeof params[field] === 'string' ? params[field] : '';
      if (value === '') out.push(`spec.parameters.${field} is required`);
      else { const p = nameProblem(`spec.parameters.${field}`, value, 'path-segment'); if (p) out.push(p); }
    }
    if (params.scope === undefined) out.push('spec.parameters.scope is required (Cluster or Namespace)');
    else if (params.scope !== 'Cluster' && params.scope !== 'Namespace') out.push(`spec.parameters.scope ${JSON.stringify(params.scope)} must be Cluster or Namespace`);
    else if (params.scope === 'Namespace') {
      if (typeof params.namespace !== 'string') out.push('spec.parameters.namespace is required with scope Namespace');
      else { const p = nameProblem('spec.parameters.namespace', params.namespace, 'dns1123-label'); if (p) out.push(p); }
    } else if (params.namespace !== undefined) out.push('spec.parameters.namespace is set with scope Cluster: leave it out');
  }
  return out;
}

/**
 * kube-aggregator ValidateAPIService: named <version>.<group>, a group (only v1 without one), a
 * DNS-1035 version, priorities within their bounds, a Service reference with a namespace, a name
 * and a port (443 when left out), caBundle and insecureSkipTLSVerify only for such a Service and
 * not together.
 */
function apiService(o: K8sObject): string[] {
  const spec = o.spec;
  const out: string[] = [];
  const group = typeof spec.group === 'string' ? spec.group : '';
  const version = typeof spec.version === 'string' ? spec.version : '';
  const required = `${version}.${group}`;
  if (o.metadata.name !== required) out.push(`metadata.name ${JSON.stringify(o.metadata.name)} must be spec.version + "." + spec.group: ${JSON.stringify(required)}`);
  if (group === '' && version !== 'v1') out.push('spec.group is required (only the legacy v1 API has none)');
  else if (group !== '') { const p = nameProblem('spec.group', group, 'dns1123-subdomain'); if (p) out.push(p); }
  const v = nameProblem('spec.version', version, 'dns1035-label');
  if (v) out.push(v);
  const bounded = (field: string, max: number) => {
    const value = spec[field];
    if (typeof value === 'number' && (value <= 0 || value > max)) out.push(`spec.${field} ${value} must be from 1 to ${max}`);
  };
  bounded('groupPriorityMinimum', 20000);
  bounded('versionPriority', 1000);
  const caBundle = typeof spec.caBundle === 'string' && spec.caBundle !== '';
  if (!isRecord(spec.service)) {
    if (caBundle) out.push('spec.caBundle is set without spec.service: a local APIService has no certificate to check');
    if (spec.insecureSkipTLSVerify === true) out.push('spec.insecureSkipTLSVerify is set without spec.service: a local APIService has no TLS to skip');
    return out;
  }
  for (const field of ['namespace', 'name'] as const) if (typeof spec.service[field] !== 'string' || spec.service[field] === '') out.push(`spec.service.${field} is required`);
  const port = spec.service.port;
  if (typeof port === 'number' && !isPortNumber(port)) out.push(`spec.service.port ${port} must be from 1 to 65535`);
  if (spec.insecureSkipTLSVerify === true && caBundle) out.push('spec.insecureSkipTLSVerify is true although spec.caBundle is set: verify against the bundle, or drop it');
  return out;
}

/** pkg/apis/storage/validation maxProvisionerParameterLen and maxProvisionerParameterSize. */
const MAX_PROVISIONER_PARAMETERS = 512;
const MAX_PROVISIONER_PARAMETER_BYTES = 256 * 1024;

/**
 * ValidateStorageClass: a provisioner that is a qualified name (case aside), at most 512 parameters
 * of at most 256 KiB with non-empty keys, a reclaimPolicy Delete or Retain, a volumeBindingMode
 * Immediate or WaitForFirstConsumer, allowedTopologies whose terms (ValidateTopologySelectorTerm)
 * name each key once, each with values, none twice, and no term twice. (Its fields are top-level.)
 */
function storageClass(o: K8sObject): string[] {
  const out: string[] = [];
  const provisioner = typeof o.provisioner === 'string' ? o.provisioner : '';
  if (provisioner === '') out.push('provisioner is required (e.g. ebs.csi.aws.com, rancher.io/local-path)');
  else for (const p of labelKeyProblems(provisioner.toLowerCase())) out.push(`provisioner ${JSON.stringify(provisioner)} ${p}`);
  if (isRecord(o.parameters)) {
    const entries = Object.entries(o.parameters);
    if (entries.length > MAX_PROVISIONER_PARAMETERS) out.push(`parameters has ${entries.length} entries: at most ${MAX_PROVISIONER_PARAMETERS}`);
    else {
      if (entries.some(([k]) => k === '')) out.push('parameters has an empty key');
      const bytes = entries.reduce((n, [k, v]) => n + Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0), 0);
      if (bytes > MAX_PROVISIONER_PARAMETER_BYTES) out.push(`parameters hold ${bytes} bytes: at most ${MAX_PROVISIONER_PARAMETER_BYTES} (256 KiB)`);
    }
  }
  if (o.reclaimPolicy !== undefined && o.reclaimPolicy !== 'Delete' && o.reclaimPolicy !== 'Retain') out.push(`reclaimPolicy ${JSON.stringify(o.reclaimPolicy)} must be Delete or Retain (Recycle is not offered for provisioned volumes)`);
  if (o.volumeBindingMode !== undefined && o.volumeBindingMode !== 'Immediate' && o.volumeBindingMode !== 'WaitForFirstConsumer') out.push(`volumeBindingMode ${JSON.stringify(o.volumeBindingMode)} must be Immediate or WaitForFirstConsumer`);
  const seen: string[] = [];
  (Array.isArray(o.allowedTopologies) ? o.allowedTopologies : []).forEach((t: unknown, i: number) => {
    const expressions = isRecord(t) && Array.isArray(t.matchLabelExpressions) ? t.matchLabelExpressions : [];
    const keys = new Map<string, string[]>();
    expressions.forEach((e: unknown, j: number) => {
      const where = `allowedTopologies[${i}].matchLabelExpressions[${j}]`;
      const rq = isRecord(e) ? e : {};
      const key = typeof rq.key === 'string' ? rq.key : '';
      const values = Array.isArray(rq.values) ? rq.values.map(String) : [];
      if (values.length === 0) out.push(`${where}.values is required: at least one value`);
      values.forEach((v: string, k: number) => { if (values.indexOf(v) < k) out.push(`${where}.values[${k}] repeats ${JSON.stringify(v)}`); });
      for (const p of labelKeyProblems(key)) out.push(`${where}.key ${JSON.stringify(key)} ${p}`);
      if (keys.has(key)) out.push(`${where}.key ${JSON.stringify(key)} repeats an earlier expression's key in this term`);
      keys.set(key, [...new Set(values)].sort());
    });
    const canonical = JSON.stringify([...keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (seen.includes(canonical)) out.push(`allowedTopologies[${i}] repeats an earlier term`);
    seen.push(canonical);
  });
  return out;
}

/** kubernetes.io/ingress.class, the annotation ingressClassName replaced (ValidateIngressCreate compares them). */
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

function ingress(o: K8sObject): string[] {
  const out: string[] = [];
  const rules = Array.isArray(o.spec?.rules) ? o.spec.rules : [];
  if (rules.length === 0 && !isRecord(o.spec?.defaultBackend)) out.push('spec has neither rules nor a defaultBackend: an Ingress needs one of them');
  const annotated = o.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (typeof annotated === 'string' && typeof o.spec?.ingressClassName === 'string' && annotated !== o.spec.ingressClassName) {
    out.push(`metadata.annotations ${INGRESS_CLASS_ANNOTATION} "${annotated}" differs from spec.ingressClassName "${o.spec.ingressClassName}": the API server refuses both unless equal (drop the annotation)`);
  }
  (Array.isArray(o.spec?.tls) ? o.spec.tls : []).forEach((t: unknown, i: number) => {
    if (!isRecord(t) || typeof t.secretName !== 'string' || t.secretName === '') return;
    const invalid = nameProblem(`tls ${i} secretName`, t.secretName, 'dns1123-subdomain');
    if (invalid) out.push(`${invalid}: it names a Secret`);
  });
  rules.forEach((rule: unknown, i: number) => {
    const paths = isRecord(rule) && isRecord(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    paths.forEach((p: unknown, j: number) => {
      if (!isRecord(p)) return;
      const where = `rule ${i} path ${j}`;
      const path = typeof p.path === 'string' ? p.path : '';
      // A missing pathType is the schema rule's (a required field).
      if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
        if (!path.startsWith('/')) out.push(`${where}: path ${JSON.stringify(path)} must be an absolute path (start with /) for pathType ${p.pathType}`);
        for (const seq of INVALID_SEQUENCES) if (path.includes(seq)) out.push(`${where}: path ${JSON.stringify(path)} must not contain '${seq}'`);
        for (const suffix of INVALID_SUFFIXES) if (path.endsWith(suffix)) out.push(`${where}: path ${JSON.stringify(path)} cannot end with '${suffix}'`);
      } else if (p.pathType === 'ImplementationSpecific' && path !== '' && !path.startsWith('/')) {
        out.push(`${where}: path ${JSON.stringify(path)} must be an absolute path (start with /)`);
      }
      out.push(...backendProblems(p.backend, `${where}: the backend`));
    });
  });
  if (isRecord(o.spec?.defaultBackend)) out.push(...backendProblems(o.spec.defaultBackend, 'spec.defaultBackend'));
  return out;
}

/** validateIngressBackend: a Service (a name that is a Service name, a port by name or by number) or a resource, not both. */
function backendProblems(backend: unknown, where: string): string[] {
  if (!isRecord(backend)) return [];
  const service = isRecord(backend.service) ? backend.service : undefined;
  const resource = isRecord(backend.resource) ? backend.resource : undefined;
  if (service && resource) return [`${where} sets both service and resource: one backend`];
  if (!service && !resource) return [`${where} sets neither service nor resource: give one`];
  const out: string[] = [];
  if (resource) {
    for (const field of ['kind', 'name'] as const) if (typeof resource[field] !== 'string' || resource[field] === '') out.push(`${where} resource.${field} is required`);
    return out;
  }
  const name = typeof service!.name === 'string' ? service!.name : '';
  if (name === '') out.push(`${where} service.name is required`);
  else { const p = nameProblem(`${where} service.name`, name, 'dns1035-label'); if (p) out.push(`${p}: it names a Service`); }
  const port = isRecord(service!.port) ? service!.port : {};
  const portName = typeof port.name === 'string' ? port.name : '';
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName !== '' && portNumber !== 0) out.push(`${where}'s port sets both name ${JSON.stringify(portName)} and number ${portNumber}: keep one`);
  else if (portName === '' && portNumber === 0) out.push(`${where}'s port needs a name or a number`);
  else if (portName !== '') { const problems = portNameProblems(portName); if (problems.length > 0) out.push(`${where}'s port name ${JSON.stringify(portName)} ${problems.join('; ')}`); }
  else if (!isPortNumber(portNumber)) out.push(`${where}'s port number ${portNumber} must be from 1 to 65535`);
  return out;
}

/** `where`: the path of the job spec in the object (spec, or spec.jobTemplate.spec). */
function jobRestartPolicy(jobSpec: unknown, where: string): string[] {
  if (!isRecord(jobSpec)) return [];
  const policy = isRecord(jobSpec.template) && isRecord(jobSpec.template.spec) ? jobSpec.template.spec.restartPolicy : undefined;
  const field = `${where}.template.spec.restartPolicy`;
  if (policy === undefined || policy === 'Always') {
    return [`${field} is ${policy === undefined ? 'not set (the pod default is Always)' : 'Always'}: a Job's pods need OnFailure or Never, and the API server refuses the Job`];
  }
  if (isRecord(jobSpec.podFailurePolicy) && policy !== 'Never') return [`${field} is ${policy}: with a podFailurePolicy only Never is supported`];
  return [];
}

const JOB_COUNTS = ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'ttlSecondsAfterFinished'];
const CRON_JOB_COUNTS = ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'];

const negatives = (spec: Record<string, unknown>, fields: readonly string[], where: string): string[] =>
  fields.filter(f => typeof spec[f] === 'number' && (spec[f] as number) < 0).map(f => `${where}.${f} ${spec[f]} must not be negative`);

/** validateJobSpec's counts; `where`: the path of the job spec. */
function jobSpec(spec: unknown, where: string): string[] {
  if (!isRecord(spec)) return [];
  const out = [...jobRestartPolicy(spec, where), ...negatives(spec, JOB_COUNTS, where)];
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) out.push(`${where}.completions is required when completionMode is Indexed`);
  return out;
}

function cronJob(spec: Record<string, any>): string[] {
  const out = [...jobSpec(spec.jobTemplate?.spec, 'spec.jobTemplate.spec'), ...negatives(spec, CRON_JOB_COUNTS, 'spec')];
  if (typeof spec.schedule === 'string') {
    const problem = cronScheduleProblem(spec.schedule);
    if (problem) out.push(`spec.schedule ${JSON.stringify(spec.schedule)} ${problem}`);
  }
  if (typeof spec.timeZone === 'string') {
    const problem = timeZoneProblem(spec.timeZone);
    if (problem) out.push(`spec.timeZone ${JSON.stringify(spec.timeZone)} ${problem}`);
  }
  return out;
}

/** A claim spec at `where` (`spec`, or a StatefulSet's `spec.volumeClaimTemplates[i].spec`). */
function claimSpec(spec: unknown, where: string, consequence: string): string[] {
  if (!isRecord(spec)) return [];
  const out: string[] = [];
  const modes = Array.isArray(spec.accessModes) ? spec.accessModes : [];
  if (modes.length === 0) out.push(`${where}.accessModes is empty: a claim needs an access mode (e.g. ReadWriteOnce); ${consequence}`);
  out.push(...accessModeProblems(modes, where));
  const storage = isRecord(spec.resources) && isRecord(spec.resources.requests) ? spec.resources.requests.storage : undefined;
  if (storage === undefined) out.push(`${where}.resources.requests.storage is missing: a claim states its size; ${consequence}`);
  else {
    const q = parseQuantity(storage);
    if (q && q.value === 0) out.push(`${where}.resources.requests.storage must be greater than zero`);
  }
  return out;
}

/** ValidateLimitRange, item by item and resource by resource. */
function limitRange(spec: Record<string, any>): string[] {
  const out: string[] = [];
  const types = new Set<string>();
  (Array.isArray(spec.limits) ? spec.limits : []).forEach((item: unknown, i: number) => {
    if (!isRecord(item)) return;
    const where = `spec.limits[${i}]`;
    const type = typeof item.type === 'string' ? item.type : '';
    if (types.has(type)) out.push(`${where}.type ${type} repeats an earlier item's: each type once`);
    types.add(type);
    const map = (k: string): Record<string, unknown> => (isRecord(item[k]) ? item[k] : {});
    if (type === 'Pod') {
      for (const k of ['default', 'defaultRequest']) if (Object.keys(map(k)).length > 0) out.push(`${where}.${k} is set for type Pod: defaults apply to containers (use type Container)`);
    }
    if (type === 'PersistentVolumeClaim' && map('min').storage === undefined && map('max').storage === undefined) out.push(`${where}: type PersistentVolumeClaim needs min.storage or max.storage`);
    const value = (k: string, r: string): number | undefined => {
      const v = map(k)[r];
      return v === undefined ? undefined : parseQuantity(v)?.value;
    };
    const keys = new Set(['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'].flatMap(k => (type === 'Pod' && k.startsWith('default') ? [] : Object.keys(map(k)))));
    for (const r of [...keys].sort()) {
      const [min, max, dflt, req, ratio] = ['min', 'max', 'default', 'defaultRequest', 'maxLimitRequestRatio'].map(k => value(k, r));
      const text = (k: string) => String(map(k)[r]);
      const above = (lo: number | undefined, hi: number | undefined, loField: string, hiField: string) => {
        if (lo !== undefined && hi !== undefined && lo > hi) out.push(`${where}.${loField}.${r} ${text(loField)} is above ${hiField}.${r} ${text(hiField)}`);
      };
      above(min, max, 'min', 'max');
      above(min, req, 'min', 'defaultRequest');
      above(req, max, 'defaultRequest', 'max');
      above(req, dflt, 'defaultRequest', 'default');
      above(min, dflt, 'min', 'default');
      above(dflt, max, 'default', 'max');
      if (ratio !== undefined && ratio < 1) out.push(`${where}.maxLimitRequestRatio.${r} ${text('maxLimitRequestRatio')} is below 1`);
      if (ratio !== undefined && min !== undefined && max !== undefined && min > 0 && ratio > max / min) out.push(`${where}.maxLimitRequestRatio.${r} ${text('maxLimitRequestRatio')} is above max/min (${max / min})`);
      if (!overcommitAllowed(r) && dflt !== undefined && req !== undefined && dflt !== req) out.push(`${where}: default.${r} ${text('default')} must equal defaultRequest.${r} ${text('defaultRequest')}: ${r} cannot be overcommitted`);
    }
  });
  return out;
}

/** scheduling.HighestUserDefinablePriority. */
const HIGHEST_USER_PRIORITY = 1_000_000_000;
const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-node-critical': 2_000_001_000, 'system-cluster-critical': 2_000_000_000 };

function priorityClass(o: K8sObject): string[] {
  const name = o.metadata.name;
  if (name.startsWith('system-')) {
    return SYSTEM_PRIORITY_CLASSES[name] === o.value && o.globalDefault !== true ? [] : [`metadata.name ${JSON.stringify(name)}: the system- prefix is reserved for the built-in priority classes (system-node-critical, system-cluster-critical); rename it`];
  }
  return typeof o.value === 'number' && o.value > HIGHEST_USER_PRIORITY ? [`value ${o.value} is above ${HIGHEST_USER_PRIORITY}, the highest priority a user-defined class may have`] : [];
}

export function checkApiConstraints(o: K8sObject): string[] {
  if (o.apiVersion.startsWith('rbac.authorization.k8s.io/')) return checkRbacSpec(o);
  if (o.kind === 'PriorityClass' && o.apiVersion.startsWith('scheduling.k8s.io/')) return priorityClass(o);
  if (o.apiVersion.startsWith('admissionregistration.k8s.io/')) return checkAdmissionSpec(o);
  if (o.kind === 'StorageClass' && o.apiVersion.startsWith('storage.k8s.io/')) return storageClass(o);
  if (o.kind === 'PersistentVolume' && o.apiVersion === 'v1') return checkPersistentVolumeSpec(o);
  if (!isRecord(o.spec)) return [];
  if (o.apiVersion.startsWith('batch/')) {
    if (o.kind === 'Job') return jobSpec(o.spec, 'spec');
    if (o.kind === 'CronJob') return cronJob(o.spec);
  }
  if (isAppsWorkload(o)) {
    const policy = o.spec.template?.spec?.restartPolicy;
    const out = policy === undefined || policy === 'Always' ? [] : [`spec.template.spec.restartPolicy is ${policy}: a ${o.kind}'s pods restart Always (the only value the API server accepts here)`];
    if (o.kind === 'StatefulSet' && Array.isArray(o.spec.volumeClaimTemplates)) {
      o.spec.volumeClaimTemplates.forEach((c: unknown, i: number) => {
        if (isRecord(c)) out.push(...claimSpec(c.spec, `spec.volumeClaimTemplates[${i}].spec`, 'its claims cannot be made, so no pod starts'));
      });
    }
    return out;
  }
  if (o.kind === 'PersistentVolumeClaim' && o.apiVersion === 'v1') return claimSpec(o.spec, 'spec', 'the API server refuses the claim');
  if (o.kind === 'LimitRange' && o.apiVersion === 'v1') return limitRange(o.spec);
  if (o.kind === 'ResourceQuota' && o.apiVersion === 'v1') return checkQuotaSpec(o);
  if (o.kind === 'PodDisruptionBudget' && o.apiVersion.startsWith('policy/')) return pdb(o);
  if (o.kind === 'HorizontalPodAutoscaler' && o.apiVersion.startsWith('autoscaling/')) return checkHpaSpec(o);
  if (o.kind === 'Ingress' && o.apiVersion.startsWith('networking.k8s.io/')) return ingress(o);
  if (o.kind === 'IngressClass' && o.apiVersion.startsWith('networking.k8s.io/')) return ingressClass(o.spec);
  if (o.kind === 'APIService' && o.apiVersion.startsWith('apiregistration.k8s.io/')) return apiService(o);
  if (o.kind === 'CustomResourceDefinition' && o.apiVersion === 'apiextensions.k8s.io/v1') return checkCrdSpec(o);
  return [];
}
