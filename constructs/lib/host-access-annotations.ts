/**
 * Pod annotations that declare a node agent's host access, with the reason,
 * and the container runtime sockets that count as host access.
 * Dependency-free so that the analysis (validate) and the admission policies
 * read them without loading cdk8s.
 */

/** The reason a pod uses host namespaces or host paths. */
export const HOST_ACCESS_ANNOTATION = 'platform.dockercoins.io/host-access-reason';
/** A mount that reaches the container runtime socket, with the reason it cannot be used. */
export const HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION = 'platform.dockercoins.io/host-access-runtime-socket';
/** Pod template annotation: why a container must run privileged. */
export const HOST_ACCESS_PRIVILEGED_ANNOTATION = 'platform.dockercoins.io/host-access-privileged';
/** Pod template annotation: why a container must add CAP_SYS_ADMIN (or ALL). */
export const HOST_ACCESS_SYS_ADMIN_ANNOTATION = 'platform.dockercoins.io/host-access-sys-admin';

/** Where container runtimes listen; a hostPath at or above one of these exposes it. containerd first: the usual runtime. */
export const RUNTIME_SOCKETS: readonly string[] = [
  '/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock',
  '/run/k3s/containerd/containerd.sock',
  '/run/crio/crio.sock', '/var/run/crio/crio.sock',
  '/var/run/docker.sock', '/run/docker.sock',
  '/var/run/cri-dockerd.sock', '/run/cri-dockerd.sock', '/var/run/dockershim.sock',
];

/** The file names of {@link RUNTIME_SOCKETS}: a hostPath ending in one of them is a runtime socket wherever it is. */
export const RUNTIME_SOCKET_NAMES: readonly string[] = [...new Set(RUNTIME_SOCKETS.map((s) => s.slice(s.lastIndexOf('/') + 1)))];
