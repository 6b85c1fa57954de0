/**
 * Pod annotations that declare a node agent's host access, with the reason.
 * Dependency-free so that the analysis (validate) reads them without loading cdk8s.
 */

/** The reason a pod uses host namespaces or host paths. */
export const HOST_ACCESS_ANNOTATION = 'platform.dockercoins.io/host-access-reason';
/** A mount that reaches the container runtime socket, with the reason it cannot be used. */
export const HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION = 'platform.dockercoins.io/host-access-runtime-socket';
