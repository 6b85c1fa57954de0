/**
 * More of `pod-spec`: container fields the API server's pod validation refuses
 * and the OpenAPI schema cannot see (kubernetes pkg/apis/core/validation:
 * validateContainerPorts, ValidateEnv, validateEnvVarValueFrom,
 * validateObjectFieldSelector, ValidateEnvFrom, validateProbe, validateHandler,
 * validateLivenessProbe, validateStartupProbe, validateLifecycle,
 * validateVolumeSource), after the v1 defaults the server applies first
 * (a probe's zero periods and thresholds are defaulted; a volume without a
 * source is an emptyDir):
 *  - containerPort and a non-zero hostPort 1-65535;
 *  - env names printable ASCII without '=' (the relaxed rule of current
 *    servers; older ones also refused a leading digit); valueFrom one source,
 *    and not with a value; a fieldRef one of the fields the downward API
 *    serves; envFrom one of configMapRef and secretRef;
 *  - probes and lifecycle hooks: exactly one handler, an exec command, ports
 *    1-65535 or IANA names, no negative periods or thresholds; liveness and
 *    startup probes succeed once (successThreshold 1);
 *  - volumes: at most one source;
 *  - tolerations: a key that is a label key, or none with operator Exists;
 *    tolerationSeconds only with effect NoExecute; a value that is a label
 *    value, none with Exists (ValidateTolerations);
 *  - scheduling: nodeSelector as labels; topology spread constraints with a
 *    maxSkew above 0, a topologyKey, each topologyKey and whenUnsatisfiable
 *    once, minDomains above 0 and only with DoNotSchedule, a valid
 *    labelSelector (validateTopologySpreadConstraints); pod (anti-)affinity
 *    terms with a topologyKey that is a label key, valid selectors, namespaces
 *    that are namespace names and, when weighted, a weight of 1-100
 *    (validatePodAffinityTerm); node affinity with at least one required term,
 *    expressions whose operator takes its values (In and NotIn: some, Exists
 *    and DoesNotExist: none, Gt and Lt: one), label keys, and in required terms
 *    label values; matchFields on metadata.name only, In or NotIn with one node
 *    name; preferred terms weighted 1-100 (ValidateNodeSelector,
 *    ValidateNodeSelectorRequirement, ValidateNodeFieldSelectorRequirement,
 *    ValidatePreferredSchedulingTerms).
 */
import { allContainers, ContainerRef, describeContainer, isRecord } from './objects';
import { isPortNumber, labelKeyProblems, labelValueProblems, nameProblem, portNameProblems } from './rules-names';
import { labelProblems, labelSelectorProblems } from './rules-object-meta';
import { securityContextProblems } from './rules-security-context';

/** validEnvDownwardAPIFieldPathExpressions, and the two maps a subscript may index. */
const ENV_FIELD_PATHS = new Set(['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs']);
const SUBSCRIPTED = /^metadata\.(labels|annotations)\['[^']*'\]$/;
const VALUE_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const;
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const HOOK_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;
const PROBE_COUNTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const;
/** The members of core/v1 VolumeSource. */
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

const given = (o: Record<string, unknown>, key: string) => o[key] !== undefined && o[key] !== null;

/** IsRelaxedEnvVarName: non-empty, printable ASCII (space included), no '='. */
export function envNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(name) ? undefined : "must consist of printable ASCII characters other than '='";
}

function portProblem(port: unknown): string | undefined {
  if (typeof port === 'number') return isPortNumber(port) ? undefined : `${port} must be between 1 and 65535`;
  if (typeof port === 'string') {
    const problems = portNameProblems(port);
    return problems.length > 0 ? `${JSON.stringify(port)} ${problems.join(', ')} (a port name of the container, an IANA service name)` : undefined;
  }
  return undefined;
}

/** One probe or hook at `where`; `handlers`: the handler types it may use. */
function handlerProblems(where: string, h: Record<string, any>, handlers: readonly string[]): string[] {
  const out: string[] = [];
  const used = handlers.filter(k => given(h, k));
  if (used.length === 0) out.push(`${where} has no handler: set one of ${handlers.join(', ')}`);
  if (used.length > 1) out.push(`${where} sets ${used.join(' and ')}: one handler only`);
  if (isRecord(h.exec) && !(Array.isArray(h.exec.command) && h.exec.command.length > 0)) out.push(`${where}.exec has no command`);
  for (const k of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    if (!isRecord(h[k])) continue;
    const problem = portProblem(h[k].port);
    if (problem) out.push(`${where}.${k}.port ${problem}`);
  }
  return out;
}

function probeProblems(where: string, kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe', p: Record<string, any>): string[] {
  const out = handlerProblems(where, p, PROBE_HANDLERS);
  for (const f of PROBE_COUNTS) if (typeof p[f] === 'number' && p[f] < 0) out.push(`${where}.${f} ${p[f]} must not be negative`);
  // Zero is defaulted to 1 before validation.
  if (kind !== 'readinessProbe' && typeof p.successThreshold === 'number' && p.successThreshold > 1) {
    out.push(`${where}.successThreshold ${p.successThreshold} must be 1: a ${kind === 'livenessProbe' ? 'liveness' : 'startup'} probe succeeds once`);
  }
  if (typeof p.terminationGracePeriodSeconds === 'number' && p.terminationGracePeriodSeconds <= 0) out.push(`${where}.terminationGracePeriodSeconds must be greater than 0`);
  return out;
}

function envProblems(who: string, c: Record<string, any>): string[] {
  const out: string[] = [];
  (Array.isArray(c.env) ? c.env : []).forEach((e: unknown, i: number) => {
    if (!isRecord(e)) return;
    const where = `${who}: env ${i}${typeof e.name === 'string' ? ` (${e.name})` : ''}`;
    if (typeof e.name === 'string') {
      const problem = envNameProblem(e.name);
      if (problem) out.push(`${where}: the name ${problem}`);
    }
    if (!isRecord(e.valueFrom)) return;
    const from = e.valueFrom;
    const sources = VALUE_SOURCES.filter(k => given(from, k));
    if (sources.length === 0) out.push(`${where}: valueFrom names no source: set one of ${VALUE_SOURCES.join(', ')}`);
    else if (typeof e.value === 'string' && e.value !== '') out.push(`${where}: sets both value and valueFrom: keep one`);
    else if (sources.length > 1) out.push(`${where}: valueFrom sets ${sources.join(' and ')}: one source only`);
    if (isRecord(from.fieldRef) && typeof from.fieldRef.fieldPath === 'string') {
      const path = from.fieldRef.fieldPath;
      if (!ENV_FIELD_PATHS.has(path) && !SUBSCRIPTED.test(path)) {
        out.push(`${where}: fieldRef.fieldPath ${JSON.stringify(path)} is not a field the downward API serves (${[...ENV_FIELD_PATHS].join(', ')}, metadata.labels['<key>'], metadata.annotations['<key>'])`);
      }
    }
  });
  (Array.isArray(c.envFrom) ? c.envFrom : []).forEach((e: unknown, i: number) => {
    if (!isRecord(e)) return;
    const sources = ['configMapRef', 'secretRef'].filter(k => given(e, k));
    if (sources.length !== 1) out.push(`${who}: envFrom ${i} ${sources.length === 0 ? 'names no source' : 'sets configMapRef and secretRef'}: one of them per entry`);
    if (typeof e.prefix === 'string' && e.prefix !== '') {
      const problem = envNameProblem(e.prefix);
      if (problem) out.push(`${who}: envFrom ${i} prefix ${JSON.stringify(e.prefix)} ${problem}`);
    }
  });
  return out;
}

function containerProblems(ref: ContainerRef): string[] {
  const c = ref.container;
  const who = describeContainer(ref);
  const out: string[] = [];
  (Array.isArray(c.ports) ? c.ports : []).forEach((p: unknown, i: number) => {
    if (!isRecord(p)) return;
    const container = typeof p.containerPort === 'number' ? portProblem(p.containerPort) : undefined;
    if (container) out.push(`${who}: port ${i} containerPort ${container}`);
    // hostPort 0 is no host port.
    const host = typeof p.hostPort === 'number' && p.hostPort !== 0 ? portProblem(p.hostPort) : undefined;
    if (host) out.push(`${who}: port ${i} hostPort ${host}`);
  });
  out.push(...envProblems(who, c));
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (isRecord(c[kind])) out.push(...probeProblems(`${who}: ${kind}`, kind, c[kind]));
  }
  if (isRecord(c.lifecycle)) {
    for (const hook of ['postStart', 'preStop'] as const) {
      if (isRecord(c.lifecycle[hook])) out.push(...handlerProblems(`${who}: lifecycle.${hook}`, c.lifecycle[hook], HOOK_HANDLERS));
    }
  }
  return out;
}

function tolerationProblems(t: Record<string, unknown>, i: number): string[] {
  const where = `toleration ${i}`;
  const out: string[] = [];
  const key = typeof t.key === 'string' ? t.key : '';
  if (key !== '') {
    const problems = labelKeyProblems(key);
    if (problems.length > 0) out.push(`${where} key ${JSON.stringify(key)}: ${problems.join('; ')}`);
  } else if (t.operator !== 'Exists') {
    out.push(`${where} has no key, so its operator must be Exists (a toleration of every taint)`);
  }
  if (given(t, 'tolerationSeconds') && t.effect !== 'NoExecute') out.push(`${where} sets tolerationSeconds with effect ${JSON.stringify(t.effect ?? '')}: only NoExecute takes it`);
  const value = typeof t.value === 'string' ? t.value : '';
  if (t.operator === 'Exists' && value !== '') out.push(`${where} sets a value with operator Exists: remove the value`);
  else if ((t.operator === undefined || t.operator === 'Equal') && labelValueProblems(value).length > 0) out.push(`${where} value ${JSON.stringify(value)} ${labelValueProblems(value).join('; ')}`);
  return out;
}

function spreadProblems(constraints: unknown[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  constraints.forEach((c, i) => {
    if (!isRecord(c)) return;
    const where = `topologySpreadConstraints[${i}]`;
    if (typeof c.maxSkew === 'number' && c.maxSkew <= 0) out.push(`${where}.maxSkew ${c.maxSkew} must be greater than 0`);
    if (c.topologyKey === '') out.push(`${where}.topologyKey is empty (e.g. topology.kubernetes.io/zone)`);
    const pair = `${String(c.topologyKey)}\0${String(c.whenUnsatisfiable)}`;
    if (seen.has(pair)) out.push(`${where} repeats the topologyKey ${c.topologyKey} with whenUnsatisfiable ${c.whenUnsatisfiable} of an earlier constraint`);
    seen.add(pair);
    if (given(c, 'minDomains')) {
      if (typeof c.minDomains === 'number' && c.minDomains <= 0) out.push(`${where}.minDomains ${c.minDomains} must be greater than 0`);
      if (c.whenUnsatisfiable !== 'DoNotSchedule') out.push(`${where}.minDomains is set with whenUnsatisfiable ${c.whenUnsatisfiable}: only DoNotSchedule takes it`);
    }
    out.push(...labelSelectorProblems(`${where}.labelSelector`, c.labelSelector));
  });
  return out;
}

/** The terms of spec.affinity.podAffinity and podAntiAffinity. */
function affinityProblems(affinity: Record<string, any>): string[] {
  const out: string[] = [];
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const a = affinity[kind];
    if (!isRecord(a)) continue;
    const term = (t: unknown, where: string) => {
      if (!isRecord(t)) return;
      const key = typeof t.topologyKey === 'string' ? t.topologyKey : '';
      if (key === '') out.push(`${where}.topologyKey is empty (e.g. kubernetes.io/hostname)`);
      else if (labelKeyProblems(key).length > 0) out.push(`${where}.topologyKey ${JSON.stringify(key)}: ${labelKeyProblems(key).join('; ')}`);
      out.push(...labelSelectorProblems(`${where}.labelSelector`, t.labelSelector), ...labelSelectorProblems(`${where}.namespaceSelector`, t.namespaceSelector));
      for (const ns of Array.isArray(t.namespaces) ? t.namespaces : []) {
        const problem = typeof ns === 'string' ? nameProblem(`${where}.namespaces entry`, ns, 'dns1123-label') : undefined;
        if (problem) out.push(problem);
      }
    };
    const base = `affinity.${kind}`;
    (Array.isArray(a.requiredDuringSchedulingIgnoredDuringExecution) ? a.requiredDuringSchedulingIgnoredDuringExecution : [])
      .forEach((t: unknown, i: number) => term(t, `${base}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
    (Array.isArray(a.preferredDuringSchedulingIgnoredDuringExecution) ? a.preferredDuringSchedulingIgnoredDuringExecution : []).forEach((w: unknown, i: number) => {
      if (!isRecord(w)) return;
      const where = `${base}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (typeof w.weight === 'number' && (w.weight < 1 || w.weight > 100)) out.push(`${where}.weight ${w.weight} must be between 1 and 100`);
      term(w.podAffinityTerm, `${where}.podAffinityTerm`);
    });
  }
  return out;
}

/** One node selector term's expressions and fields; `values` of expressions are label values only in required terms. */
export function nodeTermProblems(term: unknown, where: string, required: boolean): string[] {
  if (!isRecord(term)) return [];
  const out: string[] = [];
  (Array.isArray(term.matchExpressions) ? term.matchExpressions : []).forEach((e: unknown, i: number) => {
    const rq = isRecord(e) ? e : {};
    const at = `${where}.matchExpressions[${i}]`;
    const values = Array.isArray(rq.values) ? rq.values : [];
    const operator = String(rq.operator ?? '');
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) out.push(`${at}.values is empty: ${operator} needs at least one value`);
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length > 0) out.push(`${at}.values must be empty for ${operator}`);
    } else if (operator === 'Gt' || operator === 'Lt') {
      if (values.length !== 1) out.push(`${at}.values must hold exactly one value (an integer) for ${operator}`);
    } else out.push(`${at}.operator ${JSON.stringify(operator)} must be In, NotIn, Exists, DoesNotExist, Gt or Lt`);
    const key = typeof rq.key === 'string' ? rq.key : '';
    const keyProblems = labelKeyProblems(key);
    if (keyProblems.length > 0) out.push(`${at}.key ${JSON.stringify(key)}: ${keyProblems.join('; ')}`);
    // ValidatePreferredSchedulingTerms allows invalid label values (they can still match on a one-node cluster).
    if (required) {
      values.forEach((v: unknown, j: number) => {
        const problems = typeof v === 'string' ? labelValueProblems(v) : [];
        if (problems.length > 0) out.push(`${at}.values[${j}] ${JSON.stringify(v)} ${problems.join('; ')}`);
      });
    }
  });
  (Array.isArray(term.matchFields) ? term.matchFields : []).forEach((f: unknown, i: number) => {
    const rq = isRecord(f) ? f : {};
    const at = `${where}.matchFields[${i}]`;
    const values = Array.isArray(rq.values) ? rq.values : [];
    if (rq.operator !== 'In' && rq.operator !== 'NotIn') out.push(`${at}.operator ${JSON.stringify(rq.operator ?? '')} must be In or NotIn (a field selector)`);
    else if (values.length !== 1) out.push(`${at}.values must hold exactly one node name for ${rq.operator}`);
    if (rq.key !== 'metadata.name') out.push(`${at}.key ${JSON.stringify(rq.key ?? '')} is not a node field a selector can match: only metadata.name`);
    else values.forEach((v: unknown, j: number) => {
      const problem = typeof v === 'string' ? nameProblem(`${at}.values[${j}]`, v, 'dns1123-subdomain') : undefined;
      if (problem) out.push(`${problem}: it names a node`);
    });
  });
  return out;
}

/** spec.affinity.nodeAffinity. */
function nodeAffinityProblems(na: unknown): string[] {
  if (!isRecord(na)) return [];
  const out: string[] = [];
  const base = 'affinity.nodeAffinity';
  const required = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (isRecord(required)) {
    const terms = Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [];
    if (terms.length === 0) out.push(`${base}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms is empty: give at least one term (or leave the requirement out)`);
    terms.forEach((t: unknown, i: number) => out.push(...nodeTermProblems(t, `${base}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${i}]`, true)));
  }
  (Array.isArray(na.preferredDuringSchedulingIgnoredDuringExecution) ? na.preferredDuringSchedulingIgnoredDuringExecution : []).forEach((p: unknown, i: number) => {
    if (!isRecord(p)) return;
    const where = `${base}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    if (typeof p.weight === 'number' && (p.weight < 1 || p.weight > 100)) out.push(`${where}.weight ${p.weight} must be between 1 and 100`);
    out.push(...nodeTermProblems(p.preference, `${where}.preference`, false));
  });
  return out;
}

export function checkPodFields(spec: Record<string, any>): string[] {
  const out = [...allContainers(spec).flatMap(containerProblems), ...securityContextProblems(spec)];
  (Array.isArray(spec.tolerations) ? spec.tolerations : []).forEach((t: unknown, i: number) => { if (isRecord(t)) out.push(...tolerationProblems(t, i)); });
  out.push(...labelProblems('nodeSelector', spec.nodeSelector));
  if (Array.isArray(spec.topologySpreadConstraints)) out.push(...spreadProblems(spec.topologySpreadConstraints));
  if (isRecord(spec.affinity)) out.push(...affinityProblems(spec.affinity), ...nodeAffinityProblems(spec.affinity.nodeAffinity));
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: unknown, i: number) => {
    if (!isRecord(v)) return;
    const sources = VOLUME_SOURCES.filter(k => given(v, k));
    if (sources.length > 1) out.push(`volume ${i}${typeof v.name === 'string' ? ` (${v.name})` : ''} sets ${sources.join(' and ')}: one source per volume`);
  });
  return out;
}
