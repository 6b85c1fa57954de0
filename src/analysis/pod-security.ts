/**
 * Pod Security Standards (baseline and restricted), as enforced by the
 * Pod Security Admission controller from Kubernetes 1.27 on, evaluated on pod
 * specs statically — plus this project's own hardening rules.
 *
 * Reference: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * Where the policy changed across releases the 1.27 behaviour is used, except
 * for the sysctl allow-list, which includes the keepalive sysctls added in
 * 1.29 (the list this project was asked to accept).
 */
import type { PodSecurityLevel } from '../../constructs/namespace';
import { K8sObject, allContainers, isRecord, objectRef, workloadsOf } from './objects';
import {
  APPARMOR_ANNOTATION_PREFIX, BASELINE_CAPABILITIES as BASELINE_CAPABILITY_NAMES, RESTRICTED_VOLUME_TYPE_NAMES, SAFE_SYSCTL_NAMES, SELINUX_TYPE_NAMES,
} from '../../constructs/lib/pod-security-standards';

/** The three Pod Security Standards levels (defined once, with the namespace construct that enforces them). */
export type { PodSecurityLevel };

/** One failed check. `container` is set for container-level findings. */
export interface PodSecurityViolation {
  rule: string;
  container?: string;
  message: string;
}

const BASELINE_CAPABILITIES = new Set(BASELINE_CAPABILITY_NAMES);

/** Namespaced sysctls that cannot affect other pods on the node. */
export const SAFE_SYSCTLS = new Set(SAFE_SYSCTL_NAMES);

const SELINUX_TYPES = new Set(SELINUX_TYPE_NAMES);

/** Volume sources restricted allows; everything else (hostPath, nfs, ...) is rejected. */
const RESTRICTED_VOLUME_TYPES = new Set(RESTRICTED_VOLUME_TYPE_NAMES);

const APPARMOR_ANNOTATION = APPARMOR_ANNOTATION_PREFIX;

/** A container's name for messages, with its list when not a regular container. */
function containerLabel(c: Record<string, any>, list: string): string {
  const name = typeof c.name === 'string' ? c.name : '?';
  return list === 'containers' ? name : `${name} (${list === 'initContainers' ? 'init' : 'ephemeral'})`;
}

function ctx(o: unknown): Record<string, any> {
  return isRecord(o) ? o : {};
}

/**
 * Checks a pod spec against a Pod Security Standards level.
 *
 * `privileged` never yields violations; `restricted` includes every baseline
 * check. All containers are checked: regular, init and ephemeral. AppArmor can
 * also be set by pod annotations, so pass the pod (template) metadata when
 * available. Pods with `spec.os.name: windows` are exempt from the Linux-only
 * restricted checks (privilege escalation, seccomp, capabilities), as in PSA.
 */
export function checkPodSecurity(
  podSpec: Record<string, any>,
  level: PodSecurityLevel,
  podMetadata?: { annotations?: Record<string, string> },
): PodSecurityViolation[] {
  if (level === 'privileged') return [];
  const out: PodSecurityViolation[] = [];
  const spec = ctx(podSpec);
  const podSc = ctx(spec.securityContext);
  const containers = allContainers(spec);
  const add = (rule: string, message: string, container?: string) =>
    out.push(container === undefined ? { rule, message } : { rule, container, message });

  // ---- baseline ----
  if (podSc.windowsOptions?.hostProcess === true) add('host-process', 'securityContext.windowsOptions.hostProcess must not be true');
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[ns] === true) add('host-namespaces', `${ns} must not be true`);
  }
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (isRecord(v) && v.hostPath !== undefined) add('host-path-volumes', `volume "${v.name}" uses hostPath`);
  }
  checkSeLinux(podSc.seLinuxOptions, 'securityContext', add);
  checkAppArmorProfile(podSc.appArmorProfile, 'securityContext', add);
  if (podSc.seccompProfile?.type === 'Unconfined') add('seccomp', 'securityContext.seccompProfile.type must not be Unconfined');
  for (const s of Array.isArray(podSc.sysctls) ? podSc.sysctls : []) {
    if (isRecord(s) && !SAFE_SYSCTLS.has(s.name)) add('sysctls', `sysctl "${s.name}" is not in the safe set`);
  }
  for (const [key, value] of Object.entries(ctx(podMetadata?.annotations))) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      add('apparmor', `annotation ${key} must be runtime/default or localhost/*, not "${value}"`, key.slice(APPARMOR_ANNOTATION.length));
    }
  }
  for (const { container: c, list } of containers) {
    const name = containerLabel(c, list);
    const sc = ctx(c.securityContext);
    if (sc.windowsOptions?.hostProcess === true) add('host-process', 'securityContext.windowsOptions.hostProcess must not be true', name);
    if (sc.privileged === true) add('privileged', 'securityContext.privileged must not be true', name);
    const added: unknown[] = Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : [];
    for (const cap of added) {
      if (!BASELINE_CAPABILITIES.has(String(cap))) add('capabilities', `capability ${cap} must not be added`, name);
    }
    for (const p of Array.isArray(c.ports) ? c.ports : []) {
      if (isRecord(p) && p.hostPort !== undefined && p.hostPort !== 0) add('host-ports', `hostPort ${p.hostPort} must not be used`, name);
    }
    checkSeLinux(sc.seLinuxOptions, 'securityContext', add, name);
    checkAppArmorProfile(sc.appArmorProfile, 'securityContext', add, name);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') add('proc-mount', `securityContext.procMount must be Default, not ${sc.procMount}`, name);
    if (sc.seccompProfile?.type === 'Unconfined') add('seccomp', 'securityContext.seccompProfile.type must not be Unconfined', name);
  }
  if (level === 'baseline') return out;

  // ---- restricted ----
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (!isRecord(v)) continue;
    const types = Object.keys(v).filter((k) => k !== 'name');
    for (const t of types) {
      // hostPath is already reported by baseline; do not report it twice.
      if (!RESTRICTED_VOLUME_TYPES.has(t) && t !== 'hostPath') add('volume-types', `volume "${v.name}" uses ${t}, not allowed by restricted`);
    }
  }
  const windows = spec.os?.name === 'windows';
  const podNonRoot = podSc.runAsNonRoot === true;
  if (podSc.runAsNonRoot === false) add('run-as-non-root', 'securityContext.runAsNonRoot must not be false');
  if (podSc.runAsUser === 0) add('run-as-user', 'securityContext.runAsUser must not be 0');
  const podSeccomp = podSc.seccompProfile?.type;
  const podSeccompOk = podSeccomp === 'RuntimeDefault' || podSeccomp === 'Localhost';
  const missingNonRoot: string[] = [];
  const missingSeccomp: string[] = [];
  for (const { container: c, list } of containers) {
    const name = containerLabel(c, list);
    const sc = ctx(c.securityContext);
    if (sc.runAsNonRoot === false) add('run-as-non-root', 'securityContext.runAsNonRoot must not be false', name);
    else if (sc.runAsNonRoot !== true && !podNonRoot) missingNonRoot.push(name);
    if (sc.runAsUser === 0) add('run-as-user', 'securityContext.runAsUser must not be 0', name);
    if (windows) continue;
    if (sc.allowPrivilegeEscalation !== false) add('allow-privilege-escalation', 'securityContext.allowPrivilegeEscalation must be false', name);
    const drop: unknown[] = Array.isArray(sc.capabilities?.drop) ? sc.capabilities.drop : [];
    if (!drop.includes('ALL')) add('capabilities', 'securityContext.capabilities.drop must include ALL', name);
    const added: unknown[] = Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : [];
    for (const cap of added) {
      // Non-baseline capabilities were reported above already.
      if (cap !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.has(String(cap))) {
        add('capabilities', `capability ${cap} must not be added (restricted allows only NET_BIND_SERVICE)`, name);
      }
    }
    const t = sc.seccompProfile?.type;
    if (t === undefined) {
      if (!podSeccompOk) missingSeccomp.push(name);
    } else if (t !== 'RuntimeDefault' && t !== 'Localhost' && t !== 'Unconfined') {
      add('seccomp', `securityContext.seccompProfile.type must be RuntimeDefault or Localhost, not ${t}`, name);
    }
  }
  if (missingNonRoot.length > 0) {
    add('run-as-non-root', `runAsNonRoot must be true in the pod securityContext or in every container (missing in ${missingNonRoot.join(', ')})`);
  }
  if (!windows) {
    if (podSeccomp !== undefined && !podSeccompOk && podSeccomp !== 'Unconfined') {
      add('seccomp', `securityContext.seccompProfile.type must be RuntimeDefault or Localhost, not ${podSeccomp}`);
    }
    if (missingSeccomp.length > 0) {
      add('seccomp', `seccompProfile.type must be RuntimeDefault or Localhost in the pod securityContext or in every container (missing in ${missingSeccomp.join(', ')})`);
    }
  }
  return out;
}

function checkSeLinux(
  opts: unknown,
  where: string,
  add: (rule: string, message: string, container?: string) => void,
  container?: string,
): void {
  if (!isRecord(opts)) return;
  if (opts.type !== undefined && opts.type !== '' && !SELINUX_TYPES.has(opts.type)) {
    add('selinux', `${where}.seLinuxOptions.type ${opts.type} is not allowed`, container);
  }
  for (const f of ['user', 'role'] as const) {
    if (opts[f] !== undefined && opts[f] !== '') add('selinux', `${where}.seLinuxOptions.${f} must not be set`, container);
  }
}

function checkAppArmorProfile(
  profile: unknown,
  where: string,
  add: (rule: string, message: string, container?: string) => void,
  container?: string,
): void {
  if (!isRecord(profile) || profile.type === undefined) return;
  if (profile.type !== 'RuntimeDefault' && profile.type !== 'Localhost') {
    add('apparmor', `${where}.appArmorProfile.type must be RuntimeDefault or Localhost, not ${profile.type}`, container);
  }
}

/** The label that selects the enforced Pod Security level of a namespace. */
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** Every level of the type, checked by the compiler: a level added there must be added here. */
const LEVELS: Readonly<Record<PodSecurityLevel, true>> = { privileged: true, baseline: true, restricted: true };

/**
 * The enforced Pod Security level of `namespace`.
 *
 * Project policy: a namespace that is not among `objects`, has no enforce
 * label, or has an invalid value is treated as `restricted`. (A real cluster
 * defaults to privileged; we default to the strictest level so that relaxing
 * a namespace always requires an explicit, reviewable label.)
 */
export function namespacePodSecurityLevel(objects: K8sObject[], namespace: string): PodSecurityLevel {
  const ns = objects.find((o) => o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.name === namespace);
  const value = ns?.metadata.labels?.[ENFORCE_LABEL];
  return value !== undefined && Object.prototype.hasOwnProperty.call(LEVELS, value) ? (value as PodSecurityLevel) : 'restricted';
}

/** Pod Security findings for one workload object. */
export interface ObjectPodSecurityResult {
  /** `objectRef` of the workload, e.g. `Deployment dockercoins/hasher`. */
  object: string;
  level: PodSecurityLevel;
  violations: PodSecurityViolation[];
}

/**
 * Checks every workload (anything with a pod template) against the level of
 * its namespace. Only workloads with at least one violation are returned, in
 * input order, so an empty result means the set is compliant.
 */
export function checkObjectsPodSecurity(objects: K8sObject[]): ObjectPodSecurityResult[] {
  const levels = new Map<string, PodSecurityLevel>();
  const out: ObjectPodSecurityResult[] = [];
  for (const { object, template, namespace } of workloadsOf(objects)) {
    let level = levels.get(namespace);
    if (!level) {
      level = namespacePodSecurityLevel(objects, namespace);
      levels.set(namespace, level);
    }
    const violations = checkPodSecurity(template.spec, level, template.metadata);
    if (violations.length > 0) out.push({ object: objectRef(object), level, violations });
  }
  return out;
}

/**
 * Project hardening rules, on top of restricted:
 *  - every container sets `readOnlyRootFilesystem: true` (writable paths must
 *    be explicit emptyDir mounts);
 *  - every container runs with an explicit numeric `runAsUser` and
 *    `runAsGroup`, from the container or the pod securityContext. Images
 *    without a numeric USER fail `runAsNonRoot` at start otherwise, and the
 *    group decides file ownership on shared volumes.
 * Init and ephemeral containers are included.
 */
export function checkHardening(podSpec: Record<string, any>): PodSecurityViolation[] {
  const out: PodSecurityViolation[] = [];
  const podSc = ctx(podSpec?.securityContext);
  for (const { container: c, list } of allContainers(ctx(podSpec))) {
    const name = containerLabel(c, list);
    const sc = ctx(c.securityContext);
    if (sc.readOnlyRootFilesystem !== true) {
      out.push({ rule: 'read-only-root-filesystem', container: name, message: 'securityContext.readOnlyRootFilesystem must be true' });
    }
    for (const field of ['runAsUser', 'runAsGroup'] as const) {
      const value = sc[field] ?? podSc[field];
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        out.push({
          rule: field === 'runAsUser' ? 'explicit-run-as-user' : 'explicit-run-as-group',
          container: name,
          message: `${field} must be set to a number (pod or container securityContext)`,
        });
      }
    }
  }
  return out;
}
