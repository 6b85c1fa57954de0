import { k8s } from 'cdk8s-plus-27';

/** The numeric identity a pod runs as. Explicit numbers, because images without a numeric USER fail `runAsNonRoot`. */
export interface RunAsIdentity {
  /** Numeric user id (never 0). */
  readonly user: number;
  /** Numeric group id. */
  readonly group: number;
  /** Group that owns mounted volumes. @default - no fsGroup */
  readonly fsGroup?: number;
}

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
}

/**
 * Pod security context satisfying the Pod Security Standards "restricted" profile.
 */
export function restrictedPodSecurityContext(options: PodSecurityOptions): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: options.runAs.user,
    runAsGroup: options.runAs.group,
    fsGroup: options.runAs.fsGroup,
    fsGroupChangePolicy: options.runAs.fsGroup !== undefined ? 'OnRootMismatch' : undefined,
    seccompProfile: { type: 'RuntimeDefault' },
    sysctls: options.bindsPrivilegedPorts ? [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] : undefined,
  };
}

/**
 * Container security context satisfying "restricted", with a read-only root
 * filesystem (writable paths are emptyDirs, see `WritablePath`).
 */
export function restrictedContainerSecurityContext(runAs: RunAsIdentity): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: runAs.user,
    runAsGroup: runAs.group,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
