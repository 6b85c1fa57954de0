/**
 * `host-access`: the three ways a pod takes over its node — a privileged
 * container, CAP_SYS_ADMIN, or the container runtime socket — are refused
 * unless the pod template declares exactly that need, with a reason, in an
 * annotation of the `platform.dockercoins.io/host-access-*` family (the
 * general `platform.dockercoins.io/host-access-reason` that node agents carry
 * explains host namespaces and paths; it does not cover these).
 *
 * Checked whatever the namespace's Pod Security level: a privileged
 * namespace admits all three, which is exactly when a reviewer must see why.
 */
import * as path from 'path';
import { PodTemplate, allContainers, describeContainer, isRecord } from './objects';

/** Pod template annotation: why a container must run privileged. */
export const HOST_ACCESS_PRIVILEGED_ANNOTATION = 'platform.dockercoins.io/host-access-privileged';
/** Pod template annotation: why a container must add CAP_SYS_ADMIN (or ALL). */
export const HOST_ACCESS_SYS_ADMIN_ANNOTATION = 'platform.dockercoins.io/host-access-sys-admin';
/** Pod template annotation: why the pod must reach the container runtime socket. */
export { HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION } from '../../constructs/lib/host-access-annotations';
import { HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION } from '../../constructs/lib/host-access-annotations';

/** Where container runtimes listen; a hostPath at or above one of these exposes it. containerd first: the usual runtime. */
export const RUNTIME_SOCKETS = [
  '/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock',
  '/run/k3s/containerd/containerd.sock',
  '/run/crio/crio.sock', '/var/run/crio/crio.sock',
  '/var/run/docker.sock', '/run/docker.sock',
  '/var/run/cri-dockerd.sock', '/run/cri-dockerd.sock', '/var/run/dockershim.sock',
];
const SOCKET_NAMES = new Set(RUNTIME_SOCKETS.map((s) => path.posix.basename(s)));

/**
 * Whether a hostPath exposes a runtime socket: the socket itself (any
 * directory), or a directory containing a well-known one (`/run`, `/`). A
 * read-only mount does not help: connecting to a Unix socket ignores it.
 */
export function runtimeSocketAt(hostPath: string): { socket: string; direct: boolean } | undefined {
  const p = path.posix.normalize(hostPath).replace(/(.)\/+$/, '$1');
  if (SOCKET_NAMES.has(path.posix.basename(p))) return { socket: p, direct: true };
  const socket = RUNTIME_SOCKETS.find((s) => s.startsWith(p === '/' ? '/' : `${p}/`));
  return socket ? { socket, direct: false } : undefined;
}

function declare(annotation: string): string {
  return `declare it with pod template annotation ${annotation}: <reason>`;
}

/** Undeclared privileged containers, SYS_ADMIN and runtime sockets; empty or needless declarations. */
export function checkHostAccess(tpl: PodTemplate): string[] {
  const annotations = isRecord(tpl.metadata.annotations) ? tpl.metadata.annotations : {};
  const needs: Array<{ annotation: string; findings: string[] }> = [
    { annotation: HOST_ACCESS_PRIVILEGED_ANNOTATION, findings: [] },
    { annotation: HOST_ACCESS_SYS_ADMIN_ANNOTATION, findings: [] },
    { annotation: HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION, findings: [] },
  ];
  const [privileged, sysAdmin, socket] = needs;
  for (const ref of allContainers(tpl.spec)) {
    const sc = isRecord(ref.container.securityContext) ? ref.container.securityContext : {};
    if (sc.privileged === true) {
      privileged.findings.push(`${describeContainer(ref)} is privileged (securityContext.privileged: true); ${declare(privileged.annotation)}`);
    }
    for (const cap of Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : []) {
      const bare = String(cap).toUpperCase().replace(/^CAP_/, '');
      if (bare === 'SYS_ADMIN' || bare === 'ALL') {
        const what = bare === 'ALL' ? `${cap} (which includes SYS_ADMIN)` : String(cap);
        sysAdmin.findings.push(`${describeContainer(ref)} adds capability ${what}; ${declare(sysAdmin.annotation)}`);
      }
    }
  }
  for (const v of Array.isArray(tpl.spec.volumes) ? tpl.spec.volumes : []) {
    if (!isRecord(v) || typeof v.hostPath?.path !== 'string') continue;
    const found = runtimeSocketAt(v.hostPath.path);
    if (!found) continue;
    socket.findings.push(found.direct
      ? `volume "${v.name}" mounts the container runtime socket ${v.hostPath.path} (hostPath); ${declare(socket.annotation)}`
      : `volume "${v.name}" mounts hostPath ${v.hostPath.path}, which contains the container runtime socket ${found.socket}; ${declare(socket.annotation)}`);
  }
  const out: string[] = [];
  for (const { annotation, findings } of needs) {
    const reason = annotations[annotation];
    if (reason === undefined) {
      out.push(...findings);
    } else if (findings.length === 0) {
      out.push(`annotation ${annotation} declares a need the pod does not have; remove it`);
    } else if (typeof reason !== 'string' || reason.trim() === '') {
      out.push(`annotation ${annotation} must give a non-empty reason`, ...findings);
    }
  }
  return out;
}
