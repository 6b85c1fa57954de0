import k8s = require('cdk8s-plus-27/lib/imports/k8s');

/** The numeric identity a pod runs as. Explicit numbers, because images without a numeric USER fail `runAsNonRoot`. */
export interface RunAsIdentity {
  /** Numeric user id (never 0). */
  readonly user: number;
  /** Numeric group id. */
  readonly group: number;
  /** Group that owns mounted volumes. @default - no fsGroup */
  readonly fsGroup?: number;
  /**
   * Additional groups of every container process, e.g. `[0]` for images whose
   * files belong to the root group with group permissions (Elasticsearch,
   * Kibana: "any uid in group 0"), so the process itself needs no low gid.
   * @default - none
   */
  readonly supplementalGroups?: readonly number[];
  /**
   * Why this identity keeps a uid or gid below 10000 (kube-score
   * container-security-context-user-group-id): required for such an identity,
   * rendered as the exemption's reason. @default - uid and gid are >= 10000
   */
  readonly lowIdReason?: string;
}

/** kube-score's threshold for user and group ids (score/security/security.go). */
export const MIN_HIGH_ID = 10000;

/** `nobody`, uid/gid 65534: the USER of the busybox- and distroless-based images (Prometheus, node-exporter, Alertmanager, the exporters, metrics-server). */
export const NOBODY: RunAsIdentity = { user: 65534, group: 65534 };

/** Options of the pod-level security context. */
export interface PodSecurityOptions {
  readonly runAs: RunAsIdentity;
  /**
   * Let a non-root process bind ports below 1024 by setting the namespaced,
   * restricted-safe sysctl `net.ipv4.ip_unprivileged_port_start=0`. Adding
   * NET_BIND_SERVICE does not work for non-root processes (no ambient capabilities).
   * @default false
   */
  readonly bindsPrivilegedPorts?: boolean;
  /**
   * Run as uid/gid 0 (node agents reading root-owned host files). Only for
   * namespaces whose Pod Security level is `privileged`; see `HostAccess`.
   * Everything else stays hardened. @default false
   */
  readonly root?: boolean;
}

/**
 * Pod security context satisfying the Pod Security Standards "restricted" profile.
 */
export function restrictedPodSecurityContext(options: PodSecurityOptions): k8s.PodSecurityContext {
  return {
    runAsNonRoot: !options.root,
    runAsUser: options.root ? 0 : options.runAs.user,
    runAsGroup: options.root ? 0 : options.runAs.group,
    fsGroup: options.runAs.fsGroup,
    supplementalGroups: options.runAs.supplementalGroups ? [...options.runAs.supplementalGroups] : undefined,
    fsGroupChangePolicy: options.runAs.fsGroup !== undefined ? 'OnRootMismatch' : undefined,
    seccompProfile: { type: 'RuntimeDefault' },
    sysctls: options.bindsPrivilegedPorts ? [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] : undefined,
  };
}

/**
 * Container security context satisfying "restricted", with a read-only root
 * filesystem (writable paths are emptyDirs, see `WritablePath`).
 */
export function restrictedContainerSecurityContext(runAs: RunAsIdentity, options: { root?: boolean } = {}): k8s.SecurityContext {
  return {
    // Root (uid 0) only for node agents (`HostAccess.runAsRoot`): no capabilities, no escalation, read-only root fs.
    runAsNonRoot: !options.root,
    runAsUser: options.root ? 0 : runAs.user,
    runAsGroup: options.root ? 0 : runAs.group,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
