/**
 * Polaris 9.6 with its default configuration, encoded: the built-in checks
 * (pkg/config/checks/*.yaml), their severities and the default exemptions
 * (pkg/config/default.yaml), the engine's targeting, exemption annotations
 * and "any other object passes" semantics (pkg/validator/schema.go), and the
 * score (pkg/validator/summary.go). Facts from FairwindsOps/polaris at tag
 * 9.6.4 (commit 813d9c0a2aaf4bbeaaa2ee50844190686b2541c6), as run by
 * `polaris audit --audit-path dist/<env>/`. Each check cites its file.
 *
 * Engine facts that decide results here:
 * - controllers are the objects with a pod spec (pkg/kube/resource.go
 *   `GetPodSpec`); each gets its Controller, PodSpec and per-container checks;
 *   other objects get the checks whose `target` names their kind;
 * - `additionalSchemaStrings` pass when ANY object of that kind in the same
 *   namespace (or cluster-scoped) validates; no such object fails; a template
 *   that renders empty adds no condition (pkg/config/schema.go
 *   `CheckAdditionalObjects`, `TemplateForResource`);
 * - the annotations `polaris.fairwinds.com/<check>-exempt: "true"` and
 *   `polaris.fairwinds.com/exempt: "true"` on the audited object's own
 *   metadata (the controller's, not the pod template's) drop the check: no
 *   result at all (schema.go `hasExemptionAnnotation`);
 * - the templates write label values unquoted into YAML (`const: {{ $value }}`):
 *   a value YAML 1.1 reads as a number, bool or null never matches a string.
 */
import type { K8sObject } from '../../../src/analysis/objects';

export const POLARIS_SOURCE = { repo: 'FairwindsOps/polaris', tag: '9.6.4', commit: '813d9c0a2aaf4bbeaaa2ee50844190686b2541c6' } as const;

export type Severity = 'warning' | 'danger';

/** pkg/config/default.yaml `checks` (severity `ignore` checks are not listed there). */
export const POLARIS_SEVERITIES = {
  deploymentMissingReplicas: 'warning', priorityClassNotSet: 'warning', tagNotSpecified: 'danger', pullPolicyNotAlways: 'warning',
  readinessProbeMissing: 'warning', livenessProbeMissing: 'warning', metadataAndInstanceMismatched: 'warning', pdbDisruptionsIsZero: 'warning',
  missingPodDisruptionBudget: 'warning', topologySpreadConstraint: 'warning', hpaMaxAvailability: 'warning', hpaMinAvailability: 'warning',
  pdbMinAvailableGreaterThanHPAMinReplicas: 'warning',
  cpuRequestsMissing: 'warning', cpuLimitsMissing: 'warning', memoryRequestsMissing: 'warning', memoryLimitsMissing: 'warning',
  automountServiceAccountToken: 'warning', hostIPCSet: 'danger', hostPathSet: 'warning', hostProcess: 'warning', hostPIDSet: 'danger',
  linuxHardening: 'warning', missingNetworkPolicy: 'warning', notReadOnlyRootFilesystem: 'warning', privilegeEscalationAllowed: 'danger',
  procMount: 'warning', runAsRootAllowed: 'danger', runAsPrivileged: 'danger', dangerousCapabilities: 'danger', insecureCapabilities: 'warning',
  hostNetworkSet: 'danger', hostPortSet: 'warning', tlsSettingsMissing: 'warning', sensitiveContainerEnvVar: 'danger',
  sensitiveConfigmapContent: 'danger', clusterrolePodExecAttach: 'danger', rolePodExecAttach: 'danger', clusterrolebindingPodExecAttach: 'danger',
  rolebindingClusterRolePodExecAttach: 'danger', rolebindingRolePodExecAttach: 'danger', clusterrolebindingClusterAdmin: 'danger',
  rolebindingClusterAdminClusterRole: 'danger', rolebindingClusterAdminRole: 'danger',
} as const satisfies Record<string, Severity>;

export type PolarisCheck = keyof typeof POLARIS_SEVERITIES;

/** schema.go `exemptionAnnotationPattern`. */
export const polarisExemptAnnotation = (check: PolarisCheck) => `polaris.fairwinds.com/${check}-exempt`;
/** schema.go `exemptionAnnotationKey`: every check. */
export const POLARIS_EXEMPT_ALL_ANNOTATION = 'polaris.fairwinds.com/exempt';

/**
 * pkg/config/default.yaml `exemptions`: [namespace ('' = any), controller-name prefixes, rules].
 * pkg/config/exemptions.go `IsActionable`: a name matches an entry by prefix.
 */
const DEFAULT_EXEMPTIONS: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
  ['kube-system', ['dns-controller', 'ebs-csi-controller', 'ebs-csi-node', 'kindnet', 'kops-controller', 'kube-dns', 'kube-flannel-ds', 'kube-proxy', 'kube-scheduler', 'vpa-recommender'], ['automountServiceAccountToken', 'linuxHardening', 'missingNetworkPolicy']],
  ['kube-system', ['coredns'], ['automountServiceAccountToken', 'missingNetworkPolicy']],
  ['kube-system', ['ebs-csi-controller'], ['sensitiveContainerEnvVar']],
  ['kube-system', ['coredns-autoscaler'], ['linuxHardening']],
  ['local-path-storage', ['local-path-provisioner'], ['automountServiceAccountToken', 'linuxHardening', 'missingNetworkPolicy']],
  ['kube-system', ['kube-apiserver', 'kube-proxy', 'kube-scheduler', 'etcd-manager-events', 'kube-controller-manager', 'kube-dns', 'etcd-manager-main'], ['hostPortSet', 'hostNetworkSet', 'readinessProbeMissing', 'livenessProbeMissing', 'cpuRequestsMissing', 'cpuLimitsMissing', 'memoryRequestsMissing', 'memoryLimitsMissing', 'runAsRootAllowed', 'runAsPrivileged', 'notReadOnlyRootFilesystem', 'hostPIDSet']],
  ['datadog', ['datadogtoken'], ['sensitiveConfigmapContent']],
  ['datadog', ['datadog-cluster-agent-apiserver'], ['rolebindingClusterAdminRole', 'rolebindingRolePodExecAttach']],
  ['', ['ingress-nginx-controller'], ['sensitiveConfigmapContent']],
  ['', ['ingress-nginx-controller', 'ingress-nginx-default-backend', 'polaris', 'rbac-manager'], ['automountServiceAccountToken', 'missingNetworkPolicy']],
  ['', ['aws-iam-authenticator', 'aws-load-balancer-controller', 'docker-registry', 'external-dns', 'kube2iam', 'metrics-server'], ['automountServiceAccountToken', 'linuxHardening', 'missingNetworkPolicy']],
  ['', ['oauth2-proxy'], ['automountServiceAccountToken', 'linuxHardening', 'missingNetworkPolicy', 'sensitiveContainerEnvVar']],
  ['', ['kube-flannel-ds'], ['notReadOnlyRootFilesystem', 'runAsRootAllowed', 'readinessProbeMissing', 'livenessProbeMissing', 'cpuLimitsMissing']],
  ['', ['cert-manager'], ['notReadOnlyRootFilesystem', 'runAsRootAllowed', 'readinessProbeMissing', 'livenessProbeMissing', 'automountServiceAccountToken', 'linuxHardening', 'missingNetworkPolicy']],
  ['', ['cluster-autoscaler'], ['notReadOnlyRootFilesystem', 'runAsRootAllowed', 'readinessProbeMissing', 'automountServiceAccountToken', 'linuxHardening', 'missingNetworkPolicy']],
  ['', ['vpa'], ['runAsRootAllowed', 'readinessProbeMissing', 'livenessProbeMissing', 'notReadOnlyRootFilesystem']],
  ['', ['datadog'], ['runAsRootAllowed', 'readinessProbeMissing', 'livenessProbeMissing', 'notReadOnlyRootFilesystem', 'automountServiceAccountToken', 'linuxHardening', 'missingNetworkPolicy', 'sensitiveContainerEnvVar']],
  ['', ['nginx-ingress-controller'], ['privilegeEscalationAllowed', 'insecureCapabilities', 'runAsRootAllowed']],
  ['', ['dns-controller', 'datadog-datadog', 'kube-flannel-ds', 'kube2iam', 'aws-iam-authenticator', 'datadog'], ['hostNetworkSet']],
  ['', ['aws-iam-authenticator', 'aws-cluster-autoscaler', 'kube-state-metrics', 'dns-controller', 'external-dns', 'dnsmasq', 'autoscaler', 'kubernetes-dashboard', 'install-cni', 'kube2iam'], ['readinessProbeMissing', 'livenessProbeMissing']],
  ['', ['aws-iam-authenticator', 'nginx-ingress-default-backend', 'aws-cluster-autoscaler', 'kube-state-metrics', 'dns-controller', 'external-dns', 'kubedns', 'dnsmasq', 'autoscaler', 'tiller', 'kube2iam'], ['runAsRootAllowed']],
  ['', ['aws-iam-authenticator', 'nginx-ingress-controller', 'nginx-ingress-default-backend', 'aws-cluster-autoscaler', 'kube-state-metrics', 'dns-controller', 'external-dns', 'kubedns', 'dnsmasq', 'autoscaler', 'tiller', 'kube2iam'], ['notReadOnlyRootFilesystem']],
  ['', ['cert-manager', 'dns-controller', 'kubedns', 'dnsmasq', 'autoscaler', 'insights-agent-goldilocks-vpa-install', 'datadog'], ['cpuRequestsMissing', 'cpuLimitsMissing', 'memoryRequestsMissing', 'memoryLimitsMissing']],
  ['', ['kube2iam', 'kube-flannel-ds'], ['runAsPrivileged']],
  ['', ['kube-hunter'], ['hostPIDSet']],
  ['', ['polaris', 'kube-hunter', 'goldilocks', 'insights-agent-goldilocks-vpa-install'], ['notReadOnlyRootFilesystem']],
  ['', ['insights-agent-goldilocks-controller'], ['livenessProbeMissing', 'readinessProbeMissing']],
  ['', ['insights-agent-goldilocks-vpa-install', 'kube-hunter'], ['runAsRootAllowed']],
];

export interface PolarisResult {
  readonly check: PolarisCheck;
  readonly severity: Severity;
  readonly success: boolean;
  /** `Kind namespace/name`. */
  readonly object: string;
  /** For container checks. */
  readonly container?: string;
}

/** Objects of a kind exempted by annotation, for the report. */
export interface PolarisExemption { readonly check: PolarisCheck; readonly object: string }

export interface PolarisAudit {
  readonly results: readonly PolarisResult[];
  readonly exemptions: readonly PolarisExemption[];
  readonly successes: number;
  readonly warnings: number;
  readonly dangers: number;
  /** summary.go `GetScore`: floor(100 * 2s / (2s + w + 2d)). */
  readonly score: number;
}

const ref = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`.replace(' /', ' ');
const CONTROLLERS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
const UNENCODED_CONTROLLERS = new Set(['Pod', 'ReplicationController', 'ReplicaSet']);
/**
 * A CronJob's pod spec is found under spec.jobTemplate.spec.template.spec (pkg/kube/resource.go
 * `GetPodSpec` walks `podSpecFields`); the probe checks exclude CronJob like Job
 * (pkg/config/checks/readinessProbeMissing.yaml and livenessProbeMissing.yaml at 9.6.4 list both).
 */
const templateOf = (o: K8sObject): any => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template);
/**
 * Checks whose `controllers.exclude` lists Job and CronJob: pkg/config/checks/readinessProbeMissing.yaml,
 * livenessProbeMissing.yaml and topologySpreadConstraint.yaml (read at 9.6.4, 813d9c0a). The other
 * checks were not re-read for Job exclusions: a Job is audited by them all, which can only lower the
 * score (an excluded check counted as a warning), never raise it.
 */
const JOB_EXCLUDED = new Set(['readinessProbeMissing', 'livenessProbeMissing', 'topologySpreadConstraint']);

/** Whether go-yaml (YAML 1.1, sigs.k8s.io/yaml) reads an unquoted scalar as this very string. */
export function yamlReadsAsString(value: string): boolean {
  if (value === '' || value === '~' || /^(null|Null|NULL)$/.test(value)) return false;
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(value)) return false;
  if (/^[-+]?(0|[1-9][0-9_]*)$/.test(value) || /^[-+]?0[0-7_]+$/.test(value) || /^[-+]?0x[0-9a-fA-F_]+$/.test(value)) return false;
  if (/^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$/.test(value) && /[0-9]/.test(value)) return false;
  if (/^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$/.test(value)) return false;
  if (/^[-+]?\.(inf|Inf|INF)$/.test(value) || /^\.(nan|NaN|NAN)$/.test(value)) return false;
  return true;
}

/** A label `key=value` the template writes as `const: value`: matches only when YAML keeps it a string. */
const labelConstMatches = (actual: unknown, expected: string) => typeof actual === 'string' && yamlReadsAsString(expected) && actual === expected;

/** The `not: {required: [apiGroups, resources, verbs], ...}` rule of the *PodExecAttach checks. */
function allowsExec(rule: any): boolean {
  if (!Array.isArray(rule.apiGroups) || !Array.isArray(rule.resources) || !Array.isArray(rule.verbs)) return false;
  return rule.apiGroups.some((g: string) => g === '' || g === '*')
    && rule.resources.some((r: string) => ['*', 'pods/exec', 'pods/attach'].includes(r))
    && rule.verbs.some((v: string) => ['*', 'get', 'create'].includes(v));
}

/** The wildcard rule of the *ClusterAdmin checks: apiGroups *, resources *, verbs * or all seven verbs. */
function isWildcard(rule: any): boolean {
  if (!Array.isArray(rule.apiGroups) || !Array.isArray(rule.resources) || !Array.isArray(rule.verbs)) return false;
  const verbs: string[] = rule.verbs;
  const unique = new Set(verbs).size === verbs.length;
  const seven = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  const star = verbs.includes('*');
  const all = verbs.length >= 7 && verbs.every(v => seven.includes(v));
  return rule.apiGroups.includes('*') && rule.resources.includes('*') && unique && (star !== all);
}

const isDefaultRbacName = (name: string) => name.startsWith('system:') || name === 'gce:podsecuritypolicy:calico-sa';

const SENSITIVE_NAME = [/^AWS_SECRET_ACCESS_KEY$/i, /^GOOGLE_APPLICATION_CREDENTIALS$/i, /^AZURE_.+KEY$/i, /^OCI_CLI_KEY_CONTENT$/i, /password/i, /token/i, /bearer/i, /secret/i];
const PRIVATE_KEY = /\s*-BEGIN\s+.*PRIVATE KEY-\s*/i;

/** Audits an environment's objects (every file of dist/<env>/ at once). */
export function polarisAudit(objects: readonly K8sObject[]): PolarisAudit {
  const ns = (o: K8sObject) => o.metadata.namespace ?? '';
  const byKind = (kind: string, namespace: string) => objects.filter(o => o.kind === kind && (ns(o) === '' || ns(o) === namespace));
  const results: PolarisResult[] = [];
  const exemptions: PolarisExemption[] = [];

  const actionable = (check: PolarisCheck, o: K8sObject): boolean => {
    const a = o.metadata.annotations ?? {};
    if ((a[POLARIS_EXEMPT_ALL_ANNOTATION] ?? '').toLowerCase() === 'true' || (a[polarisExemptAnnotation(check)] ?? '').toLowerCase() === 'true') {
      exemptions.push({ check, object: ref(o) });
      return false;
    }
    return !DEFAULT_EXEMPTIONS.some(([namespace, names, rules]) =>
      (namespace === '' || namespace === ns(o)) && rules.includes(check) && names.some(n => o.metadata.name.startsWith(n)));
  };
  const record = (o: K8sObject, check: PolarisCheck, pass: () => boolean, container?: string) => {
    if ((o.kind === 'Job' || o.kind === 'CronJob') && JOB_EXCLUDED.has(check)) return;
    if (!actionable(check, o)) return;
    results.push({ check, severity: POLARIS_SEVERITIES[check], success: pass(), object: ref(o), container });
  };

  for (const o of objects) {
    if (UNENCODED_CONTROLLERS.has(o.kind)) throw new Error(`${ref(o)}: Polaris audits ${o.kind} as a controller; this encoding does not: encode it first`);
    if (CONTROLLERS.has(o.kind)) auditController(o);
    else auditOther(o);
  }

  function auditController(o: K8sObject): void {
    const tpl = templateOf(o);
    const spec = tpl.spec;
    const labels: Record<string, string> = tpl.metadata?.labels ?? {};
    const namespace = ns(o);

    // ---- target: Controller
    if (o.kind === 'Deployment') {
      // checks/deploymentMissingReplicas.yaml
      record(o, 'deploymentMissingReplicas', () => Number.isInteger(o.spec.replicas) && o.spec.replicas >= 2);
      // checks/missingPodDisruptionBudget.yaml: some PDB of the namespace whose matchLabels has any pod label.
      record(o, 'missingPodDisruptionBudget', () => Object.keys(labels).length > 0
        && byKind('PodDisruptionBudget', namespace).some(p => {
          const ml = p.spec?.selector?.matchLabels;
          return !!ml && Object.entries(labels).some(([k, v]) => labelConstMatches(ml[k], v));
        }));
      // pkg/validator/pdb_hpa_validator.go
      record(o, 'pdbMinAvailableGreaterThanHPAMinReplicas', () => {
        const pdb = objects.find(p => p.kind === 'PodDisruptionBudget' && Object.entries(p.spec?.selector?.matchLabels ?? {}).some(([k, v]) => labels[k] === v));
        const hpa = objects.find(h => h.kind === 'HorizontalPodAutoscaler' && ns(h) === namespace && h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec?.scaleTargetRef?.name === o.metadata.name);
        if (!pdb || !hpa || pdb.spec.minAvailable === undefined || hpa.spec.minReplicas === undefined) return true;
        const min = typeof pdb.spec.minAvailable === 'string' ? Math.ceil(parseInt(pdb.spec.minAvailable, 10) * hpa.spec.minReplicas / 100) : pdb.spec.minAvailable;
        return min <= hpa.spec.minReplicas;
      });
    }
    // checks/metadataAndInstanceMismatched.yaml: the controller's instance label is its own name.
    record(o, 'metadataAndInstanceMismatched', () => labelConstMatches(o.metadata.labels?.['app.kubernetes.io/instance'], o.metadata.name));

    // ---- target: PodSpec
    // checks/automountServiceAccountToken.yaml
    record(o, 'automountServiceAccountToken', () => {
      if (spec.automountServiceAccountToken === true) return false;
      if (spec.automountServiceAccountToken === false) return true;
      const sa = spec.serviceAccountName ?? '';
      return byKind('ServiceAccount', namespace).some(s => s.metadata.name === sa && s.automountServiceAccountToken === false);
    });
    record(o, 'hostIPCSet', () => spec.hostIPC !== true); // checks/hostIPCSet.yaml
    record(o, 'hostNetworkSet', () => spec.hostNetwork !== true); // checks/hostNetworkSet.yaml
    record(o, 'hostPIDSet', () => spec.hostPID !== true); // checks/hostPIDSet.yaml
    record(o, 'hostPathSet', () => !(spec.volumes ?? []).some((v: any) => v.hostPath)); // checks/hostPathSet.yaml
    record(o, 'hostProcess', () => ![...(spec.containers ?? [])].some((c: any) => c.securityContext?.windowsOptions?.hostProcess === true)
      && spec.securityContext?.windowsOptions?.hostProcess !== true); // checks/hostProcess.yaml
    record(o, 'priorityClassNotSet', () => typeof spec.priorityClassName === 'string' && spec.priorityClassName !== ''); // checks/priorityClassNotSet.yaml
    record(o, 'procMount', () => !(spec.containers ?? []).some((c: any) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default')); // checks/procMount.yaml
    record(o, 'topologySpreadConstraint', () => Array.isArray(spec.topologySpreadConstraints) && spec.topologySpreadConstraints.length >= 1); // checks/topologySpreadConstraint.yaml
    // checks/missingNetworkPolicy.yaml: some policy of the namespace whose matchLabels holds EXACTLY ONE of the
    // pod's labels (`oneOf` over the labels), with ingress and egress rules, and both policy types if listed.
    record(o, 'missingNetworkPolicy', () => Object.keys(labels).length > 0 && byKind('NetworkPolicy', namespace).some(n => {
      const s = n.spec ?? {};
      const ml = s.podSelector?.matchLabels;
      if (!ml || typeof ml !== 'object') return false;
      const hits = Object.entries(labels).filter(([k, v]) => labelConstMatches(ml[k], v)).length;
      if (hits !== 1) return false;
      if (!Array.isArray(s.egress) || s.egress.length < 1 || !Array.isArray(s.ingress) || s.ingress.length < 1) return false;
      if (s.policyTypes !== undefined) {
        const types: string[] = s.policyTypes;
        if (!types.some(t => /^egress$/i.test(t)) || !types.some(t => /^ingress$/i.test(t))) return false;
      }
      return true;
    }));

    // ---- target: Container (init containers too, unless the check excludes them)
    const podSC = spec.securityContext ?? {};
    for (const [c, init] of [...(spec.initContainers ?? []).map((c: any) => [c, true] as const), ...(spec.containers ?? []).map((c: any) => [c, false] as const)]) {
      const sc = c.securityContext ?? {};
      const res = c.resources ?? {};
      const rec = (check: PolarisCheck, pass: () => boolean) => record(o, check, pass, c.name);
      const set = (v: unknown) => typeof v === 'string' ? v !== '' : v !== undefined && v !== null;
      if (!init) {
        rec('cpuRequestsMissing', () => set(res.requests?.cpu)); // checks/cpuRequestsMissing.yaml
        rec('cpuLimitsMissing', () => set(res.limits?.cpu)); // checks/cpuLimitsMissing.yaml
        rec('memoryRequestsMissing', () => set(res.requests?.memory)); // checks/memoryRequestsMissing.yaml
        rec('memoryLimitsMissing', () => set(res.limits?.memory)); // checks/memoryLimitsMissing.yaml
        rec('livenessProbeMissing', () => !!c.livenessProbe); // checks/livenessProbeMissing.yaml
        rec('readinessProbeMissing', () => !!c.readinessProbe); // checks/readinessProbeMissing.yaml
      }
      // checks/dangerousCapabilities.yaml
      rec('dangerousCapabilities', () => !(sc.capabilities?.add ?? []).some((a: string) => /^(ALL|SYS_ADMIN|NET_ADMIN)$/i.test(a)));
      rec('hostPortSet', () => !(c.ports ?? []).some((p: any) => p.hostPort)); // checks/hostPortSet.yaml
      // checks/insecureCapabilities.yaml: drop ALL, or (oneOf) every capability of the list by name.
      rec('insecureCapabilities', () => {
        const drop: string[] = sc.capabilities?.drop;
        if (!Array.isArray(drop)) return false;
        const hasAll = drop.some(d => /^ALL$/i.test(d));
        const each = ['NET_ADMIN', 'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE']
          .every(cap => drop.some(d => d.toUpperCase() === cap));
        return hasAll !== each;
      });
      // checks/linuxHardening.yaml: AppArmor annotation, or seccomp (pod or container), or SELinux options, or dropped capabilities.
      rec('linuxHardening', () => {
        if (tpl.metadata?.annotations?.[`container.apparmor.security.beta.kubernetes.io/${c.name}`]) return true;
        const podType = podSC.seccompProfile?.type;
        const podUnset = !podType || podType === 'Unconfined';
        const cType = sc.seccompProfile?.type;
        const seccomp = podUnset ? (typeof cType === 'string' && cType !== '' && cType !== 'Unconfined') : cType !== 'Unconfined';
        const selinux = !!podSC.seLinuxOptions || (sc.seLinuxOptions && Object.keys(sc.seLinuxOptions).length > 0);
        const drop = Array.isArray(sc.capabilities?.drop) && sc.capabilities.drop.length >= 1 && !(sc.capabilities.add ?? []).some((a: string) => /^ALL$/i.test(a));
        return seccomp || !!selinux || drop;
      });
      rec('notReadOnlyRootFilesystem', () => sc.readOnlyRootFilesystem === true); // checks/notReadOnlyRootFilesystem.yaml
      rec('privilegeEscalationAllowed', () => sc.allowPrivilegeEscalation === false); // checks/privilegeEscalationAllowed.yaml
      rec('pullPolicyNotAlways', () => c.imagePullPolicy === 'Always'); // checks/pullPolicyNotAlways.yaml
      rec('runAsPrivileged', () => sc.privileged !== true && (podSC as any).privileged !== true); // checks/runAsPrivileged.yaml
      // checks/runAsRootAllowed.yaml: non-root at pod level and not undone by the container, or at container level.
      rec('runAsRootAllowed', () => {
        const good = (s: any) => (s.runAsUser !== undefined && s.runAsUser >= 1) || s.runAsNonRoot === true;
        const notBad = (s: any) => (s.runAsUser === undefined || s.runAsUser >= 1) && (s.runAsNonRoot === undefined || s.runAsNonRoot === true);
        return (good(podSC) && notBad(sc)) || good(sc);
      });
      // checks/sensitiveContainerEnvVar.yaml
      rec('sensitiveContainerEnvVar', () => !(c.env ?? []).some((e: any) => typeof e.value === 'string' && e.value !== ''
        && (SENSITIVE_NAME.some(p => p.test(e.name)) || PRIVATE_KEY.test(e.value))));
      rec('tagNotSpecified', () => /^.+:.+$/.test(c.image ?? '') && !/^.+:latest$/.test(c.image)); // checks/tagNotSpecified.yaml
    }
  }

  function auditOther(o: K8sObject): void {
    const namespace = ns(o);
    const roleRef = o.roleRef ?? {};
    const name = o.metadata.name;
    switch (o.kind) {
      case 'ClusterRole':
        // checks/clusterrolePodExecAttach.yaml
        record(o, 'clusterrolePodExecAttach', () => ['admin', 'cluster-admin', 'edit'].includes(name) || isDefaultRbacName(name)
          || (Array.isArray(o.rules) && !o.rules.some(allowsExec)));
        break;
      case 'Role':
        // checks/rolePodExecAttach.yaml
        record(o, 'rolePodExecAttach', () => isDefaultRbacName(name) || (Array.isArray(o.rules) && !o.rules.some(allowsExec)));
        break;
      case 'ClusterRoleBinding': {
        const clusterRoles = byKind('ClusterRole', namespace);
        const named = clusterRoles.find(r => r.metadata.name === roleRef.name);
        const defaultName = name === 'cluster-admin' || isDefaultRbacName(name);
        // checks/clusterrolebindingClusterAdmin.yaml
        record(o, 'clusterrolebindingClusterAdmin', () => {
          const main = defaultName || (roleRef.apiGroup === 'rbac.authorization.k8s.io' && roleRef.kind === 'ClusterRole' && !!roleRef.name && roleRef.name !== 'cluster-admin');
          if (!main) return false;
          if (roleRef.name === 'view' || defaultName) return true;
          return !!named && Array.isArray(named.rules) && !named.rules.some(isWildcard);
        });
        // checks/clusterrolebindingPodExecAttach.yaml: the additional schema always asks for some ClusterRole.
        record(o, 'clusterrolebindingPodExecAttach', () => {
          const main = defaultName || (roleRef.apiGroup === 'rbac.authorization.k8s.io' && roleRef.kind === 'ClusterRole' && !!roleRef.name);
          if (!main) return false;
          if (roleRef.name === 'view' || defaultName) return clusterRoles.length > 0;
          return !!named && Array.isArray(named.rules) && !named.rules.some(allowsExec);
        });
        break;
      }
      case 'RoleBinding': {
        const defaultName = isDefaultRbacName(name);
        const toClusterRole = roleRef.kind === 'ClusterRole';
        const toRole = roleRef.kind === 'Role';
        const clusterRole = byKind('ClusterRole', namespace).find(r => r.metadata.name === roleRef.name);
        const roles = byKind('Role', namespace);
        const role = roles.find(r => r.metadata.name === roleRef.name);
        const full = roleRef.apiGroup === 'rbac.authorization.k8s.io' && !!roleRef.name;
        // checks/rolebindingClusterAdminClusterRole.yaml
        record(o, 'rolebindingClusterAdminClusterRole', () => {
          if (!(toRole || defaultName || (full && toClusterRole && roleRef.name !== 'cluster-admin'))) return false;
          if (!toClusterRole || defaultName) return true;
          return !!clusterRole && Array.isArray(clusterRole.rules) && !clusterRole.rules.some(isWildcard);
        });
        // checks/rolebindingClusterAdminRole.yaml: `type: object` first, so some Role must exist in the namespace.
        record(o, 'rolebindingClusterAdminRole', () => {
          if (!(toClusterRole || defaultName || (full && toRole))) return false;
          if (!toRole || defaultName) return roles.length > 0;
          return !!role && Array.isArray(role.rules) && !role.rules.some(isWildcard);
        });
        // checks/rolebindingClusterRolePodExecAttach.yaml
        record(o, 'rolebindingClusterRolePodExecAttach', () => {
          if (!(toRole || defaultName || (full && toClusterRole))) return false;
          if (!toClusterRole || defaultName) return true;
          return !!clusterRole && Array.isArray(clusterRole.rules) && !clusterRole.rules.some(allowsExec);
        });
        // checks/rolebindingRolePodExecAttach.yaml
        record(o, 'rolebindingRolePodExecAttach', () => {
          if (!((full && toClusterRole) || defaultName || (full && toRole))) return false;
          if (!toRole || defaultName) return true;
          return !!role && Array.isArray(role.rules) && !role.rules.some(allowsExec);
        });
        break;
      }
      case 'PodDisruptionBudget':
        // checks/pdbDisruptionsIsZero.yaml
        record(o, 'pdbDisruptionsIsZero', () => o.spec?.minAvailable !== '100%' && o.spec?.maxUnavailable !== 0 && o.spec?.maxUnavailable !== '0%');
        break;
      case 'HorizontalPodAutoscaler': {
        const { minReplicas, maxReplicas } = o.spec ?? {};
        // checks/hpaMaxAvailability.yaml
        record(o, 'hpaMaxAvailability', () => Number.isInteger(maxReplicas) && maxReplicas >= 1 && (minReplicas === undefined || minReplicas === 0 || maxReplicas > minReplicas)
          && (minReplicas === undefined || minReplicas >= 1));
        // checks/hpaMinAvailability.yaml
        record(o, 'hpaMinAvailability', () => minReplicas === undefined || minReplicas >= 2);
        break;
      }
      case 'Ingress':
        record(o, 'tlsSettingsMissing', () => Array.isArray(o.spec?.tls)); // checks/tlsSettingsMissing.yaml
        break;
      case 'ConfigMap':
        // checks/sensitiveConfigmapContent.yaml: keys, and values holding a private key.
        record(o, 'sensitiveConfigmapContent', () => !Object.entries(o.data ?? {}).some(([k, v]) =>
          SENSITIVE_NAME.some(p => p.test(k)) || PRIVATE_KEY.test(String(v))));
        break;
      default:
        break;
    }
  }

  const successes = results.filter(r => r.success).length;
  const warnings = results.filter(r => !r.success && r.severity === 'warning').length;
  const dangers = results.filter(r => !r.success && r.severity === 'danger').length;
  const total = 2 * successes + warnings + 2 * dangers;
  const score = total === 0 ? 100 : Math.floor((2 * successes / total) * 100);
  return { results, exemptions, successes, warnings, dangers, score };
}

export function formatPolaris(r: PolarisResult): string {
  return `[${r.severity}] ${r.object}${r.container ? ` container ${r.container}` : ''}: ${r.check}`;
}
