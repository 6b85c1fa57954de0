/**
 * The rule table: every review rule of the project, once, with what each gate
 * does with it. It is the single source of
 *  - synth / `npm run validate` (src/analysis/validate.ts: `RULES`,
 *    `RULE_SUMMARIES` and the evaluation order derive from it),
 *  - the cdk8s CLI plugin (src/analysis/cdk8s-validation-plugin.ts: its
 *    recommendation and fix per rule),
 *  - the Pulumi policy pack (policy/: one policy per rule, mandatory for
 *    errors, advisory for warnings, resource or stack policy by `scope`),
 *  - admission (constructs/admission: ValidatingAdmissionPolicies whose CEL
 *    validations are the `admission.checks` below, or the reason a rule has
 *    none).
 * A rule added here reaches every gate; test/gates/rule-table.test.ts proves
 * that no gate runs a rule this table lacks and that every rule reaches every
 * gate it claims.
 *
 * Dependency-free data (constants only), so that both the analysis
 * (src/analysis) and the component library (constructs/) read it: constructs/
 * never imports src/, and src/analysis reads constructs/lib only.
 */
import {
  HOST_ACCESS_PRIVILEGED_ANNOTATION, HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION, HOST_ACCESS_SYS_ADMIN_ANNOTATION, RUNTIME_SOCKETS, RUNTIME_SOCKET_NAMES,
} from './host-access-annotations';
import {
  APPARMOR_ANNOTATION_PREFIX, BASELINE_CAPABILITIES, RESTRICTED_VOLUME_TYPE_NAMES, SAFE_SYSCTL_NAMES, SELINUX_TYPE_NAMES,
} from './pod-security-standards';
import { PROBES_WAIVED_ANNOTATION } from './probe-annotations';
import { RBAC_GRANT_REASON_ANNOTATION } from './rbac-annotations';

/** error: the gate refuses (validate fails, Pulumi policy mandatory); warning: reported, Pulumi policy advisory. */
export type Severity = 'error' | 'warning';

/**
 * What a rule needs to be evaluated: `object` rules look at one object alone
 * (a Pulumi resource policy); `set` rules relate objects (a namespace's Pod
 * Security label, LimitRanges, selectors, backends: a Pulumi stack policy).
 */
export type RuleScope = 'object' | 'set';

/** The Pod Security level a check starts at: it runs in namespaces at that level or stricter. `any` = every namespace. */
export type CheckLevel = 'any' | 'baseline' | 'restricted';

/** `reason` of a failed ValidatingAdmissionPolicy validation (metav1.StatusReason values the API accepts there). */
export type StatusReason = 'Unauthorized' | 'Forbidden' | 'Invalid' | 'RequestEntityTooLarge';

/** One CEL validation of a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1 `Validation`). */
export interface AdmissionCheck {
  /** Unique within the rule, e.g. `host-namespaces`; the policy message starts `[rule/check]`. */
  readonly check: string;
  readonly level: CheckLevel;
  /** CEL over `object` (a Pod) and `variables` (ADMISSION_VARIABLES); true = admitted. */
  readonly expression: string;
  /** Static message, used when `messageExpression` fails or is absent. */
  readonly message: string;
  /** CEL producing the message (names the offending containers or volumes). */
  readonly messageExpression?: string;
  readonly reason: StatusReason;
}

/** How the rule reaches the admission gate. */
export type AdmissionGate =
  | { readonly checks: readonly AdmissionCheck[]; readonly note?: string }
  | { readonly none: string };

export interface RuleSpec {
  readonly id: string;
  readonly severity: Severity;
  /** What the rule checks, in one line (`validate --help`). */
  readonly summary: string;
  /** Why the rule exists: what breaks without it. */
  readonly reason: string;
  readonly scope: RuleScope;
  /** cdk8s plugin report: what to do in general, and the fix. */
  readonly cdk8s: { readonly recommendation: string; readonly fix: string };
  /** Pulumi policy pack: what differs there, if anything. The policy exists for every rule. */
  readonly pulumi: { readonly note?: string };
  readonly admission: AdmissionGate;
}

// ---------------------------------------------------------------- CEL helpers

/** A CEL string literal. */
export function celString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function celList(items: readonly string[]): string {
  return `[${items.map(celString).join(', ')}]`;
}

/** `has(b.x) && has(b.x.y) && ...` for a dotted path under `base`. */
function hasChain(base: string, path: string): string {
  const parts = path.split('.');
  return parts.map((_, i) => `has(${base}.${parts.slice(0, i + 1).join('.')})`).join(' && ');
}

/** `<path> is set and == value`. */
function isSet(base: string, path: string, value: string): string {
  return `(${hasChain(base, path)} && ${base}.${path} == ${value})`;
}

const POD_SC = 'variables.podSc';
/** All containers (regular, init, ephemeral): what Pod Security checks. */
const ALL = 'variables.allContainers';
/** Regular and init containers: what can have resources and probes. */
const RUNNABLE = 'variables.runnable';

/** A container-level check: the expression over `c`, and a message expression naming the failing containers. */
function perContainer(list: string, ok: string, message: string, pod = 'true'): Pick<AdmissionCheck, 'expression' | 'message' | 'messageExpression'> {
  const failing = `${list}.filter(c, !(${ok})).map(c, c.name)`;
  return {
    expression: pod === 'true' ? `${list}.all(c, ${ok})` : `(${pod}) && ${list}.all(c, ${ok})`,
    message,
    messageExpression: `${celString(message)} + (size(${failing}) > 0 ? ${celString(' (containers: ')} + ${failing}.join(', ') + ')' : '')`,
  };
}

/** A volume-level check, naming the failing volumes. */
function perVolume(ok: string, message: string): Pick<AdmissionCheck, 'expression' | 'message' | 'messageExpression'> {
  const failing = `variables.volumes.filter(v, !(${ok})).map(v, v.name)`;
  return {
    expression: `variables.volumes.all(v, ${ok})`,
    message,
    messageExpression: `${celString(message)} + (size(${failing}) > 0 ? ${celString(' (volumes: ')} + ${failing}.join(', ') + ')' : '')`,
  };
}

/**
 * The `variables` every policy declares (ValidatingAdmissionPolicy
 * `spec.variables`, referenced as `variables.<name>`), over the Pod in
 * `object`. They only make optional fields total, so each check reads as the
 * rule it mirrors.
 */
export const ADMISSION_VARIABLES: ReadonlyArray<{ readonly name: string; readonly expression: string }> = [
  { name: 'annotations', expression: 'has(object.metadata.annotations) ? object.metadata.annotations : {}' },
  { name: 'podSc', expression: 'has(object.spec.securityContext) ? object.spec.securityContext : {}' },
  { name: 'containers', expression: 'object.spec.containers' },
  { name: 'runnable', expression: 'object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])' },
  { name: 'allContainers', expression: 'variables.runnable + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : [])' },
  { name: 'volumes', expression: 'has(object.spec.volumes) ? object.spec.volumes : []' },
  { name: 'hostPaths', expression: 'variables.volumes.filter(v, has(v.hostPath) && has(v.hostPath.path)).map(v, v.hostPath.path)' },
  { name: 'windows', expression: "has(object.spec.os) && has(object.spec.os.name) && object.spec.os.name == 'windows'" },
  {
    // Pods of the workloads validate requires probes on: a controller owner that keeps them running.
    name: 'longRunning',
    expression: "has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller == true && r.kind in ['ReplicaSet', 'StatefulSet', 'DaemonSet'])",
  },
];

/** Owner kinds (of a Pod) whose pods `probes` applies to, and the workload kinds validate checks probes on. */
export const LONG_RUNNING_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

/** `annotation present ? (needed && non-empty reason) : not needed` — a host-access declaration, as validate reads it. */
function declared(annotation: string, need: string): string {
  const a = `variables.annotations[${celString(annotation)}]`;
  return `${celString(annotation)} in variables.annotations ? ((${need}) && ${a}.trim() != '') : !(${need})`;
}

/** The segments of a hostPath as path.posix.normalize keeps them (empty and `.` dropped). */
const SEGMENTS = (p: string) => `${p}.split('/').filter(s, s != '' && s != '.')`;
/** `p` is (or ends in) a runtime socket, or is a directory above a well-known one. */
function exposesRuntimeSocket(p: string): string {
  const segs = SEGMENTS(p);
  const direct = `(size(${segs}) > 0 && ${segs}[size(${segs}) - 1] in ${celList(RUNTIME_SOCKET_NAMES)})`;
  const prefix = `(${p}.startsWith('/') ? '/' : '') + ${segs}.join('/')`;
  const above = `((size(${segs}) > 0 || ${p}.startsWith('/')) && ${celList(RUNTIME_SOCKETS)}.exists(s, s.startsWith(${prefix} == '/' ? '/' : ${prefix} + '/')))`;
  return `${direct} || ${above}`;
}

const PROBE_FIELDS = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;
const PROBE_HANDLERS = ['httpGet', 'tcpSocket'] as const;

/** A tag in the last path component, not empty (and, in TAGGED_LATEST, `latest`); a digest is checked first. */
const DIGEST = "(?s)^[^@]*@.";
const TAGGED = '(?s)^([^@]*/)?[^/@]*:[^/:@]+(@.*)?$';
const TAGGED_LATEST = '(?s)^([^@]*/)?[^/@]*:latest(@.*)?$';

// ---------------------------------------------------------------- the table

export const RULE_TABLE = [
  {
    id: 'schema',
    severity: 'error',
    summary: 'OpenAPI schema, unknown fields, removed API versions',
    reason: 'the API server drops unknown fields silently (a typo disables a setting) and refuses removed versions at apply time',
    scope: 'object',
    cdk8s: { recommendation: 'Objects must match the Kubernetes OpenAPI schema (no unknown fields).', fix: 'Correct the field named in the location.' },
    pulumi: {},
    admission: { none: 'not needed in CEL: the API server validates every object against its own schema before admission (kubectl --validate=strict refuses unknown fields)' },
  },
  {
    id: 'object-name',
    severity: 'error',
    summary: 'metadata.name/namespace are names the API server accepts',
    reason: 'an invalid name fails only at apply time, after the earlier objects of the change were applied',
    scope: 'object',
    cdk8s: { recommendation: 'Names must be what the API server accepts for the kind.', fix: 'Rename the object (lowercase DNS label or subdomain).' },
    pulumi: {},
    admission: { none: 'not needed in CEL: the API server validates names itself before admission runs' },
  },
  {
    id: 'object-meta',
    severity: 'error',
    summary: 'label keys and values, annotation keys and size, label selectors',
    reason: 'the API server refuses such an object at apply time (k8s.io/apimachinery ValidateLabels, ValidateAnnotations, ValidateLabelSelector), after the earlier objects of the change were applied; the schema types them as plain string maps',
    scope: 'object',
    cdk8s: { recommendation: 'Label keys are qualified names and values at most 63 characters of letters, digits, -, _ and .; annotation keys are qualified names and all annotations fit 256 KiB; selector operators carry values as they need.', fix: 'Rename the key or shorten the value the message names, move large annotation values into a ConfigMap, or correct the selector expression.' },
    pulumi: {},
    admission: { none: 'not needed in CEL: the API server validates labels, annotations and selectors itself before admission runs' },
  },
  {
    id: 'config-data',
    severity: 'error',
    summary: 'ConfigMap and Secret keys and sizes, the keys a Secret type requires',
    reason: 'the API server refuses such a ConfigMap or Secret at apply time (kubernetes pkg/apis/core/validation ValidateConfigMap, ValidateSecret), after the earlier objects of the change were applied, and the pods that mount it do not start; the schema cannot see it',
    scope: 'object',
    cdk8s: { recommendation: 'Keys are file names of letters, digits, -, _ and . (not starting with ..); values fit 1 MiB; a typed Secret holds the keys its type requires.', fix: 'Rename the key, split the object, or add the key the type requires.' },
    pulumi: {},
    admission: { none: "not needed in CEL: the API server's ConfigMap and Secret validation refuses the same objects before admission" },
  },
  {
    id: 'duplicate-object',
    severity: 'error',
    summary: 'no object (group, kind, namespace, name) defined twice',
    reason: 'one definition silently replaces the other on apply',
    scope: 'set',
    cdk8s: { recommendation: 'Each object is defined once.', fix: 'Remove or rename one of the two definitions.' },
    pulumi: {},
    admission: { none: 'not expressible in CEL: it is about the set of manifests; the API server holds one object per name, and admission sees one request' },
  },
  {
    id: 'workload-spec',
    severity: 'error',
    summary: 'workload selectors match their templates; rolling updates can progress',
    reason: 'the API server refuses such a workload at apply time (kubernetes pkg/apis/apps/validation), after the earlier objects of the change were applied; the schema cannot see it',
    scope: 'object',
    cdk8s: { recommendation: 'A workload selects its own pod template and can roll out.', fix: 'Make the template labels include the selector; allow maxSurge or maxUnavailable (a DaemonSet: exactly one of them).' },
    pulumi: {},
    admission: { none: "not needed in CEL: the API server's apps validation refuses the same specs before admission" },
  },
  {
    id: 'pod-spec',
    severity: 'error',
    summary: 'container, port and volume names; mounts; ports, env, probes, hooks, volume sources',
    reason: 'the API server refuses such a pod or workload at apply time (kubernetes pkg/apis/core/validation), after the earlier objects of the change were applied; the schema cannot see it',
    scope: 'object',
    cdk8s: { recommendation: 'Container, port and volume names are unique and valid; every mount names a volume of the pod; ports are 1-65535, env vars take a value or one source, probes and hooks one handler, volumes one source.', fix: 'Rename the duplicate or invalid name, declare the volume, remove the second mount of the path, or remove the second handler, source or value.' },
    pulumi: {},
    admission: { none: "not needed in CEL: the API server's pod validation refuses the same specs before admission" },
  },
  {
    id: 'api-constraints',
    severity: 'error',
    summary: 'PDB, HPA, Ingress, Job, CronJob, claim, RBAC, LimitRange and PriorityClass constraints',
    reason: 'the API server refuses such an object at apply time (kubernetes pkg/apis/{policy,autoscaling,networking,batch,apps,core,rbac,scheduling}/validation), after the earlier objects of the change were applied; the schema cannot see it',
    scope: 'object',
    cdk8s: { recommendation: 'Budgets set one bound, autoscalers a maximum at or above the minimum, Ingress paths are absolute, Jobs restart OnFailure or Never with counts not negative, CronJobs have a five-field schedule and an IANA time zone, claims an access mode and a size, bindings a Role or ClusterRole and valid subjects, LimitRanges ascend from min to max, user PriorityClasses stay at or below 1000000000.', fix: 'Apply the fix the message names.' },
    pulumi: {},
    admission: { none: "not needed in CEL: the API server's validation refuses the same specs before admission" },
  },
  {
    id: 'pod-security',
    severity: 'error',
    summary: "the namespace's Pod Security level (default restricted)",
    reason: "a pod below its namespace's level is refused by Pod Security Admission at run time, or runs with more privilege than reviewed",
    scope: 'set',
    cdk8s: { recommendation: 'Pods must satisfy the Pod Security Standard enforced on their namespace.', fix: 'Harden the securityContext, or move the workload to a namespace whose enforce label allows it, with the reason documented.' },
    pulumi: { note: 'stack policy: the level comes from the Namespace resources of the stack (missing = restricted)' },
    admission: {
      note: 'one policy per level; each namespace of the model is bound to the policy of its enforce level, so a privileged namespace (node agents) admits host namespaces and hostPath',
      checks: [
        { check: 'host-process', level: 'baseline', reason: 'Forbidden', ...perContainer(ALL, `!${isSet('c', 'securityContext.windowsOptions.hostProcess', 'true')}`, 'baseline: securityContext.windowsOptions.hostProcess must not be true', `!${isSet(POD_SC, 'windowsOptions.hostProcess', 'true')}`) },
        {
          check: 'host-namespaces', level: 'baseline', reason: 'Forbidden',
          expression: ['hostNetwork', 'hostPID', 'hostIPC'].map((f) => `!${isSet('object', `spec.${f}`, 'true')}`).join(' && '),
          message: 'baseline: hostNetwork, hostPID and hostIPC must not be true',
        },
        { check: 'host-path-volumes', level: 'baseline', reason: 'Forbidden', ...perVolume('!has(v.hostPath)', 'baseline: hostPath volumes are not allowed') },
        {
          check: 'selinux', level: 'baseline', reason: 'Forbidden',
          ...perContainer(ALL, `!has(c.securityContext) || ${seLinuxOk('c.securityContext')}`, `baseline: seLinuxOptions.type must be one of ${SELINUX_TYPE_NAMES.join(', ')} and user/role must not be set`, seLinuxOk(POD_SC)),
        },
        {
          check: 'apparmor', level: 'baseline', reason: 'Forbidden',
          ...perContainer(ALL, `!has(c.securityContext) || ${appArmorOk('c.securityContext')}`, 'baseline: AppArmor profiles must be RuntimeDefault or Localhost (annotations runtime/default or localhost/*)',
            `${appArmorOk(POD_SC)} && variables.annotations.all(k, !k.startsWith(${celString(APPARMOR_ANNOTATION_PREFIX)}) || variables.annotations[k] == 'runtime/default' || variables.annotations[k].startsWith('localhost/'))`),
        },
        { check: 'seccomp-unconfined', level: 'baseline', reason: 'Forbidden', ...perContainer(ALL, `!${isSet('c', 'securityContext.seccompProfile.type', "'Unconfined'")}`, 'baseline: seccompProfile.type must not be Unconfined', `!${isSet(POD_SC, 'seccompProfile.type', "'Unconfined'")}`) },
        {
          check: 'sysctls', level: 'baseline', reason: 'Forbidden',
          expression: `!has(${POD_SC}.sysctls) || ${POD_SC}.sysctls.all(s, s.name in ${celList(SAFE_SYSCTL_NAMES)})`,
          message: 'baseline: only the safe sysctls are allowed',
        },
        { check: 'privileged', level: 'baseline', reason: 'Forbidden', ...perContainer(ALL, `!${isSet('c', 'securityContext.privileged', 'true')}`, 'baseline: securityContext.privileged must not be true') },
        { check: 'capabilities-baseline', level: 'baseline', reason: 'Forbidden', ...perContainer(ALL, `!(${hasChain('c', 'securityContext.capabilities.add')}) || c.securityContext.capabilities.add.all(cap, cap in ${celList(BASELINE_CAPABILITIES)})`, 'baseline: only the default capabilities may be added') },
        { check: 'host-ports', level: 'baseline', reason: 'Forbidden', ...perContainer(ALL, '!has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0)', 'baseline: hostPort must not be used') },
        { check: 'proc-mount', level: 'baseline', reason: 'Forbidden', ...perContainer(ALL, `!(${hasChain('c', 'securityContext.procMount')}) || c.securityContext.procMount == 'Default'`, 'baseline: securityContext.procMount must be Default') },
        { check: 'volume-types', level: 'restricted', reason: 'Forbidden', ...perVolume(`v.all(k, k == 'name' || k == 'hostPath' || k in ${celList(RESTRICTED_VOLUME_TYPE_NAMES)})`, `restricted: volumes must be one of ${RESTRICTED_VOLUME_TYPE_NAMES.join(', ')}`) },
        {
          check: 'run-as-non-root', level: 'restricted', reason: 'Forbidden',
          ...perContainer(ALL, `!${isSet('c', 'securityContext.runAsNonRoot', 'false')} && (${isSet(POD_SC, 'runAsNonRoot', 'true')} || ${isSet('c', 'securityContext.runAsNonRoot', 'true')})`,
            'restricted: runAsNonRoot must be true (pod or every container) and never false', `!${isSet(POD_SC, 'runAsNonRoot', 'false')}`),
        },
        { check: 'run-as-user', level: 'restricted', reason: 'Forbidden', ...perContainer(ALL, `!${isSet('c', 'securityContext.runAsUser', '0')}`, 'restricted: runAsUser must not be 0', `!${isSet(POD_SC, 'runAsUser', '0')}`) },
        { check: 'allow-privilege-escalation', level: 'restricted', reason: 'Forbidden', ...perContainer(ALL, `variables.windows || ${isSet('c', 'securityContext.allowPrivilegeEscalation', 'false')}`, 'restricted: securityContext.allowPrivilegeEscalation must be false') },
        {
          check: 'capabilities-restricted', level: 'restricted', reason: 'Forbidden',
          ...perContainer(ALL, `variables.windows || ((${hasChain('c', 'securityContext.capabilities.drop')}) && 'ALL' in c.securityContext.capabilities.drop && (!(${hasChain('c', 'securityContext.capabilities.add')}) || c.securityContext.capabilities.add.all(cap, cap == 'NET_BIND_SERVICE' || !(cap in ${celList(BASELINE_CAPABILITIES)}))))`,
            'restricted: capabilities.drop must include ALL, and only NET_BIND_SERVICE may be added'),
        },
        {
          check: 'seccomp', level: 'restricted', reason: 'Forbidden',
          ...perContainer(ALL, `variables.windows || (${hasChain('c', 'securityContext.seccompProfile.type')} ? c.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost', 'Unconfined'] : (${hasChain(POD_SC, 'seccompProfile.type')} && ${POD_SC}.seccompProfile.type in ['RuntimeDefault', 'Localhost']))`,
            'restricted: seccompProfile.type must be RuntimeDefault or Localhost (pod or every container)',
            `variables.windows || !(${hasChain(POD_SC, 'seccompProfile.type')}) || ${POD_SC}.seccompProfile.type in ['RuntimeDefault', 'Localhost', 'Unconfined']`),
        },
      ],
    },
  },
  {
    id: 'hardening',
    severity: 'error',
    summary: 'read-only root filesystem, numeric runAsUser/runAsGroup',
    reason: 'a writable root filesystem lets a compromised process change its own binaries; without a numeric uid an image without numeric USER fails runAsNonRoot at start',
    scope: 'object',
    cdk8s: { recommendation: 'Containers run with a read-only root filesystem and an explicit numeric uid/gid.', fix: 'Set readOnlyRootFilesystem: true (emptyDir for writable paths) and runAsUser/runAsGroup.' },
    pulumi: {},
    admission: {
      checks: [
        { check: 'read-only-root-filesystem', level: 'any', reason: 'Forbidden', ...perContainer(ALL, isSet('c', 'securityContext.readOnlyRootFilesystem', 'true'), 'securityContext.readOnlyRootFilesystem must be true') },
        ...(['runAsUser', 'runAsGroup'] as const).map((f) => ({
          check: f === 'runAsUser' ? 'explicit-run-as-user' : 'explicit-run-as-group', level: 'any' as const, reason: 'Forbidden' as const,
          ...perContainer(ALL, `${hasChain('c', `securityContext.${f}`)} ? type(c.securityContext.${f}) == int : (has(${POD_SC}.${f}) && type(${POD_SC}.${f}) == int)`, `${f} must be set to a number (pod or container securityContext)`),
        })),
      ],
    },
  },
  {
    id: 'host-access',
    severity: 'error',
    summary: 'privileged, SYS_ADMIN, runtime socket only with a reason',
    reason: 'each of them is root on the node; a privileged namespace admits them, which is exactly when a reviewer must see why',
    scope: 'object',
    cdk8s: { recommendation: 'Privileged containers, CAP_SYS_ADMIN and the container runtime socket are declared with a reason.', fix: 'Remove the access, or annotate the pod template with the platform.dockercoins.io/host-access-* annotation named in the message.' },
    pulumi: {},
    admission: {
      note: 'hostPaths are compared segment by segment (empty and "." segments dropped); a ".." segment is refused at every gate, so no path needs resolving',
      checks: [
        {
          check: 'privileged', level: 'any', reason: 'Forbidden',
          expression: declared(HOST_ACCESS_PRIVILEGED_ANNOTATION, `${ALL}.exists(c, ${isSet('c', 'securityContext.privileged', 'true')})`),
          message: `a privileged container needs pod annotation ${HOST_ACCESS_PRIVILEGED_ANNOTATION}: <reason> (and the annotation needs a privileged container)`,
        },
        {
          check: 'sys-admin', level: 'any', reason: 'Forbidden',
          expression: declared(HOST_ACCESS_SYS_ADMIN_ANNOTATION, `${ALL}.exists(c, ${hasChain('c', 'securityContext.capabilities.add')} && c.securityContext.capabilities.add.exists(cap, cap.upperAscii() in ['SYS_ADMIN', 'CAP_SYS_ADMIN', 'ALL', 'CAP_ALL']))`),
          message: `adding SYS_ADMIN (or ALL) needs pod annotation ${HOST_ACCESS_SYS_ADMIN_ANNOTATION}: <reason> (and the annotation needs such a container)`,
        },
        {
          check: 'runtime-socket', level: 'any', reason: 'Forbidden',
          expression: declared(HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION, `variables.hostPaths.exists(p, ${exposesRuntimeSocket('p')})`),
          message: `a hostPath reaching the container runtime socket needs pod annotation ${HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION}: <reason> (and the annotation needs such a volume)`,
        },
        {
          check: 'host-path-backsteps', level: 'any', reason: 'Invalid',
          expression: "variables.hostPaths.all(p, !p.split('/').exists(s, s == '..'))",
          message: "hostPath paths must not contain '..' segments",
        },
      ],
    },
  },
  {
    id: 'probes',
    severity: 'error',
    summary: 'readiness and liveness on long-running pods (or a waiver)',
    reason: 'without readiness a rollout sends traffic to pods that cannot serve; without liveness a hung process is never restarted',
    scope: 'object',
    cdk8s: { recommendation: 'Long-running containers need readiness and liveness probes.', fix: `Add the probes, or annotate the pod template with ${PROBES_WAIVED_ANNOTATION}: <reason>.` },
    pulumi: {},
    admission: {
      note: 'a Pod is long-running when its controller owner is a ReplicaSet (of a Deployment), StatefulSet or DaemonSet; validate checks those kinds\' templates',
      checks: [{
        check: 'probes', level: 'any', reason: 'Invalid',
        ...perContainer('variables.containers',
          `!variables.longRunning || (${celString(PROBES_WAIVED_ANNOTATION)} in variables.annotations ? variables.annotations[${celString(PROBES_WAIVED_ANNOTATION)}].trim() != '' : (has(c.readinessProbe) && has(c.livenessProbe)))`,
          `containers of long-running pods need readinessProbe and livenessProbe (or pod annotation ${PROBES_WAIVED_ANNOTATION}: <reason>)`),
      }],
    },
  },
  {
    id: 'probe-port',
    severity: 'error',
    summary: 'named probe ports are declared by their container',
    reason: 'the kubelet fails a probe on an unknown port name: the pod never becomes ready, or is restarted in a loop',
    scope: 'object',
    cdk8s: { recommendation: 'A probe port name must be a port of its container.', fix: 'Use a declared port name, or the port number.' },
    pulumi: {},
    admission: {
      checks: [{
        check: 'probe-port', level: 'any', reason: 'Invalid',
        ...perContainer(RUNNABLE, PROBE_FIELDS.flatMap((probe) => PROBE_HANDLERS.map((h) => {
          const port = `c.${probe}.${h}.port`;
          return `(!(${hasChain('c', `${probe}.${h}.port`)} && type(${port}) == string) || (has(c.ports) && c.ports.exists(p, has(p.name) && p.name == ${port})))`;
        })).join(' && '), 'named probe ports must be port names of their container'),
      }],
    },
  },
  {
    id: 'resources',
    severity: 'error',
    summary: 'cpu and memory requests and limits on every container',
    reason: 'without requests the scheduler overcommits nodes; without limits one container can starve its neighbours',
    scope: 'object',
    cdk8s: { recommendation: 'Every container declares cpu and memory requests and limits.', fix: 'Set resources.requests and resources.limits for cpu and memory.' },
    pulumi: {},
    admission: {
      checks: [{
        check: 'resources', level: 'any', reason: 'Invalid',
        ...perContainer(RUNNABLE, `has(c.resources) && ${(['requests', 'limits'] as const).map((k) => `has(c.resources.${k}) && ${['cpu', 'memory'].map((r) => `has(c.resources.${k}.${r}) && c.resources.${k}.${r} != ''`).join(' && ')}`).join(' && ')}`,
          'containers and init containers need requests and limits for cpu and memory'),
      }],
    },
  },
  {
    id: 'quantities',
    severity: 'error',
    summary: 'no negative, millibyte, byte-unit cpu or tiny quantities; requests within limits',
    reason: 'the API server accepts 96m of memory (0.096 bytes) or 1Gi of cpu, and the pod then fails or misbehaves at run time; it refuses a request above its limit at apply time',
    scope: 'object',
    cdk8s: { recommendation: 'Quantities must mean what was meant, and requests fit their limits.', fix: 'Use Mi/Gi for memory and m or cores for cpu, positive values; raise the limit or lower the request (extended resources and hugepages: equal).' },
    pulumi: {},
    admission: { none: "not expressible in CEL here: it compares parsed quantities (unit, magnitude); Kubernetes' quantity() CEL library could, but the JavaScript CEL implementation the verdicts are tested with lacks it, so the synth and Pulumi gates enforce it" },
  },
  {
    id: 'limit-range',
    severity: 'error',
    summary: "containers within the namespace's LimitRange max and min",
    reason: 'the LimitRanger admission plugin refuses the pod at run time: the rollout stalls',
    scope: 'set',
    cdk8s: { recommendation: "Containers fit their namespace's LimitRange.", fix: 'Lower the limit or raise the LimitRange max (and the quota).' },
    pulumi: { note: 'stack policy: reads the LimitRange resources of the stack' },
    admission: { none: 'not expressible in CEL: it compares with the LimitRange objects of the namespace, which a policy cannot read; the LimitRanger admission plugin enforces it in the cluster' },
  },
  {
    id: 'image-tag',
    severity: 'error',
    summary: 'pinned images: a tag other than latest, or a digest',
    reason: 'latest (or no tag) pulls whatever was pushed last: nodes run different code, and a rollback rolls back nothing',
    scope: 'object',
    cdk8s: { recommendation: 'Images are pinned.', fix: 'Use an explicit version tag or a digest, never latest.' },
    pulumi: {},
    admission: {
      checks: [{
        check: 'image-tag', level: 'any', reason: 'Invalid',
        ...perContainer(ALL, `has(c.image) && c.image != '' && (c.image.matches(${celString(DIGEST)}) || (c.image.matches(${celString(TAGGED)}) && !c.image.matches(${celString(TAGGED_LATEST)})))`,
          'images must be pinned: a tag other than latest, or a digest'),
      }],
    },
  },
  {
    id: 'secret-values',
    severity: 'error',
    summary: 'no secret values in Secrets or literal env values',
    reason: 'a committed secret is readable by everyone with the repository, forever',
    scope: 'object',
    cdk8s: { recommendation: 'Secret values never live in manifests.', fix: 'Create the Secret outside the repository and reference it with secretKeyRef.' },
    pulumi: { note: 'the Secrets the program creates from secret stack config (children of the Environment component) hold their values by design and are exempt; rendered Secrets and literal env values are not' },
    admission: { none: 'not expressible in CEL: it is about values committed to the repository; in the cluster every Secret holds its data (created by Pulumi or kubectl create secret), and the env heuristic splits camelCase names, which CEL regexes cannot mirror exactly' },
  },
  {
    id: 'superuser-credential',
    severity: 'error',
    summary: "a superuser credential only in its server's pods and setup Jobs",
    reason: 'a pod that holds a superuser credential can do everything the server allows; only the server (which creates the superuser from it) and a setup Job that creates narrower identities may read it (docs/security.md, "Identities")',
    scope: 'set',
    cdk8s: { recommendation: 'Give each client its own identity; only the server and its setup Job read the superuser credential.', fix: 'Read the narrower identity the setup Job creates, or mark a Job with security.dockercoins.io/setup-pod and its reason.' },
    pulumi: { note: 'stack policy: which keys are superuser credentials is declared by the servers (their pod template annotation), other objects of the stack' },
    admission: { none: 'not expressible in CEL: it relates a pod to the credential declarations of other workloads (the servers), which a policy cannot read' },
  },
  {
    id: 'insecure-skip-verify',
    severity: 'error',
    summary: 'skipped TLS certificate verification carries a reason annotation',
    reason: 'a client that does not verify the certificate talks to whoever answers: the encryption protects nothing against an impostor',
    scope: 'object',
    cdk8s: { recommendation: 'Verify TLS certificates; where that is impossible, say why on the object.', fix: 'Give the client the CA, or add security.dockercoins.io/insecure-skip-verify-reason with the reason.' },
    pulumi: {},
    admission: { none: 'not expressible in CEL: the setting sits in configuration files (a ConfigMap holding YAML or JSON, e.g. Prometheus tls_config) that CEL cannot parse, and the flags are per tool' },
  },
  {
    id: 'rbac-grant',
    severity: 'error',
    summary: 'no wildcard, escalating, cluster-admin or everyone grant without a reason',
    reason: 'such a grant gives more than any one workload needs (everything a later API version adds, or a way to grant itself more), or gives it to every user: least privilege is gone for good and silently',
    scope: 'object',
    cdk8s: { recommendation: 'Grant the verbs and resources a workload needs, to named subjects.', fix: `List the verbs and resources, bind a named ServiceAccount or group, or add ${RBAC_GRANT_REASON_ANNOTATION} with the reason.` },
    pulumi: {},
    admission: { none: "not expressible in CEL here: the project's admission policies match Pods (their variables read a pod spec); RBAC objects are reviewed before apply (validate, the cdk8s plugin, the Pulumi pack), and the API server refuses a Role granting more than its creator holds (RBAC escalation prevention)" },
  },
  {
    id: 'service-spec',
    severity: 'error',
    summary: 'Service ports named when several, each once; valid targetPort names; fields of the type',
    reason: 'the API server refuses such a Service at apply time (kubernetes pkg/apis/core/validation), after the earlier objects of the change were applied; the schema cannot see it',
    scope: 'object',
    cdk8s: { recommendation: 'Each Service port is named (when there are several), once, and targets a valid port name or number; each field suits the Service type.', fix: 'Name the ports, remove the repeated port, correct the targetPort name, or remove the field the type does not take.' },
    pulumi: {},
    admission: { none: "not needed in CEL: the API server's Service validation refuses the same specs before admission" },
  },
  {
    id: 'service-selector',
    severity: 'warning',
    summary: 'a Service selector matches some pod template',
    reason: 'a Service selecting nothing has no endpoints: its clients get connection refused',
    scope: 'set',
    cdk8s: { recommendation: 'A Service selector must match some pod.', fix: 'Align the selector with the pod template labels.' },
    pulumi: { note: 'stack policy (advisory: a warning)' },
    admission: { none: 'not expressible in CEL: it relates a Service to pod templates of other objects, which a policy cannot read' },
  },
  {
    id: 'service-target-port',
    severity: 'error',
    summary: 'a Service targetPort is declared by a selected pod',
    reason: 'a targetPort no pod declares is a typo or a stale number; a name that does not resolve leaves the Service without endpoints',
    scope: 'set',
    cdk8s: { recommendation: 'A Service targetPort must be a port of the selected pods.', fix: 'Use a declared containerPort or port name.' },
    pulumi: { note: 'stack policy' },
    admission: { none: 'not expressible in CEL: it relates a Service to the pods it selects, which a policy cannot read' },
  },
  {
    id: 'ingress-backend',
    severity: 'error',
    summary: 'Ingress backends name an existing Service and port',
    reason: 'a backend that does not exist answers 503 (or 404) to every request for the host',
    scope: 'set',
    cdk8s: { recommendation: 'Ingress backends must name an existing Service port.', fix: 'Fix the Service name or port in the Ingress.' },
    pulumi: { note: 'stack policy' },
    admission: { none: 'not expressible in CEL: it relates an Ingress to Services, which a policy cannot read' },
  },
  {
    id: 'ingress-host',
    severity: 'error',
    summary: 'Ingress hosts are lowercase DNS names (wildcard allowed)',
    reason: 'the API server refuses the Ingress at apply time',
    scope: 'object',
    cdk8s: { recommendation: 'Ingress hosts are lowercase DNS names.', fix: 'Lowercase the host; use a name, not an IP address.' },
    pulumi: {},
    admission: { none: "not needed in CEL: the API server's Ingress validation refuses the same hosts before admission" },
  },
  {
    id: 'ingress-conflict',
    severity: 'error',
    summary: 'no host and path published by two Ingress paths',
    reason: 'which of two Ingresses serves a host and path depends on the controller: one of them is silently dead',
    scope: 'set',
    cdk8s: { recommendation: 'Each host and path is published once.', fix: 'Remove one of the Ingress paths, or give it another host or path.' },
    pulumi: { note: 'stack policy' },
    admission: { none: 'not expressible in CEL: it relates Ingresses to each other, which a policy cannot read' },
  },
  {
    id: 'netpol-spec',
    severity: 'error',
    summary: 'NetworkPolicy ports, peers, ipBlocks and selectors the API server accepts',
    reason: 'the API server refuses such a NetworkPolicy at apply time (kubernetes pkg/apis/networking/validation), after the earlier objects of the change were applied, and the traffic it was to allow or deny keeps its old rules; the schema cannot see it',
    scope: 'object',
    cdk8s: { recommendation: 'Ports are 1-65535 or port names with endPort only after a numeric port; each peer sets one selector pair or an ipBlock alone; ipBlocks are valid CIDRs whose exceptions lie inside them.', fix: 'Apply the fix the message names.' },
    pulumi: {},
    admission: { none: "not needed in CEL: the API server's NetworkPolicy validation refuses the same specs before admission" },
  },
  {
    id: 'netpol-selector',
    severity: 'warning',
    summary: 'a NetworkPolicy podSelector matches some pod template',
    reason: 'a policy selecting nothing protects nothing: usually a label typo',
    scope: 'set',
    cdk8s: { recommendation: 'A NetworkPolicy podSelector must match some pod.', fix: 'Align the podSelector with the pod template labels.' },
    pulumi: { note: 'stack policy (advisory: a warning)' },
    admission: { none: 'not expressible in CEL: it relates a NetworkPolicy to pod templates of other objects, which a policy cannot read' },
  },
  {
    id: 'audit-exemption',
    severity: 'error',
    summary: 'every kube-score ignore and Polaris exemption carries its reason',
    reason: 'an exemption without its reason silences an auditor for good, and nobody can tell later whether it still holds',
    scope: 'object',
    cdk8s: { recommendation: 'Every auditor exemption says why the manifest is right.', fix: 'Add the exemption.platform.dockercoins.io/<tool>.<check> annotation named in the message, or remove the exemption.' },
    pulumi: {},
    admission: { none: 'not needed in CEL: the exemptions are read by the review tools (kube-score, Polaris) on the manifests; the cluster never acts on them' },
  },
  {
    id: 'plain-http',
    severity: 'error',
    summary: 'with TLS in the environment: no Ingress host without TLS, no published entry point without a redirect',
    reason: 'where the environment serves https, a plain-http host or entry point sends credentials and cookies in clear text',
    scope: 'set',
    cdk8s: { recommendation: 'In an environment with TLS, every host and published entry point is https (or redirects to it).', fix: 'Add the host to the Ingress tls section, or redirect the entry point to https.' },
    pulumi: { note: 'stack policy: whether the environment has TLS is a property of the whole stack' },
    admission: { none: 'not expressible in CEL: it depends on whether the environment uses TLS at all and on the Services publishing Traefik, which a policy cannot read' },
  },
] as const satisfies readonly RuleSpec[];

export type RuleId = (typeof RULE_TABLE)[number]['id'];

/** The ids of all rules, in the order they are evaluated (the table's order). */
export const RULE_IDS: readonly RuleId[] = RULE_TABLE.map((r) => r.id);

/** The table row of a rule. */
export function ruleSpec(id: RuleId): RuleSpec {
  return RULE_TABLE.find((r) => r.id === id)!;
}

/** Every admission check with its rule, in table order. */
export function admissionChecks(): Array<AdmissionCheck & { readonly rule: RuleId; readonly severity: Severity }> {
  return RULE_TABLE.flatMap((r) => ('checks' in r.admission ? r.admission.checks.map((c) => ({ ...c, rule: r.id as RuleId, severity: r.severity as Severity })) : []));
}

/** The Pod Security levels, least to most strict; a check at `level` runs in namespaces at that level or stricter. */
const LEVEL_ORDER = ['privileged', 'baseline', 'restricted'] as const;

/** Whether a check applies in a namespace at `namespaceLevel`. */
export function checkApplies(level: CheckLevel, namespaceLevel: (typeof LEVEL_ORDER)[number]): boolean {
  if (level === 'any') return true;
  return LEVEL_ORDER.indexOf(namespaceLevel) >= LEVEL_ORDER.indexOf(level);
}

function seLinuxOk(sc: string): string {
  const o = `${sc}.seLinuxOptions`;
  return `(!has(${o}) || ((!has(${o}.type) || ${o}.type == '' || ${o}.type in ${celList(SELINUX_TYPE_NAMES)}) && (!has(${o}.user) || ${o}.user == '') && (!has(${o}.role) || ${o}.role == '')))`;
}

function appArmorOk(sc: string): string {
  return `(!(${hasChain(sc, 'appArmorProfile.type')}) || ${sc}.appArmorProfile.type in ['RuntimeDefault', 'Localhost'])`;
}
