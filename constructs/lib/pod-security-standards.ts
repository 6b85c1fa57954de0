/**
 * The value sets of the Pod Security Standards (baseline and restricted) that
 * every gate compares against: validate (src/analysis/pod-security.ts) and the
 * admission policies' CEL (constructs/lib/rule-table.ts). Dependency-free, so
 * both read one list.
 *
 * Reference: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */

/** Capabilities baseline allows adding (the container runtime defaults). */
export const BASELINE_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/**
 * Namespaced sysctls that cannot affect other pods on the node. Includes the
 * keepalive sysctls Kubernetes 1.29 added to the baseline list.
 */
export const SAFE_SYSCTL_NAMES: readonly string[] = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];

/** SELinux types baseline allows. */
export const SELINUX_TYPE_NAMES: readonly string[] = ['container_t', 'container_init_t', 'container_kvm_t'];

/** Volume sources restricted allows; everything else (hostPath, nfs, ...) is rejected. */
export const RESTRICTED_VOLUME_TYPE_NAMES: readonly string[] = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
];

/** Prefix of the legacy per-container AppArmor annotations. */
export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
