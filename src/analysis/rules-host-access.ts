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

export {
  HOST_ACCESS_PRIVILEGED_ANNOTATION, HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION, HOST_ACCESS_SYS_ADMIN_ANNOTATION, RUNTIME_SOCKETS,
} from '../../constructs/lib/host-access-annotations';
import {
  HOST_ACCESS_PRIVILEGED_ANNOTATION, HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION, HOST_ACCESS_SYS_ADMIN_ANNOTATION, RUNTIME_SOCKETS, RUNTIME_SOCKET_NAMES,
} from '../../constructs/lib/host-access-annotations';
const SOCKET_NAMES = new Set(RUNTIME_SOCKET_NAMES);

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
  const out: string[] = [];
  for (const v of Array.isArray(tpl.spec.volumes) ? tpl.spec.volumes : []) {
    if (!isRecord(v) || typeof v.hostPath?.path !== 'string') continue;
    // A '..' segment hides what is mounted (and the API server refuses it for hostPath); the admission policy compares segments without resolving them.
    if (v.hostPath.path.split('/').includes('..')) {
      out.push(`volume "${v.name}" hostPath ${v.hostPath.path} has a '..' segment; write the path it means (${path.posix.normalize(v.hostPath.path)})`);
    }
    const found = runtimeSocketAt(v.hostPath.path);
    if (!found) continue;
    socket.findings.push(found.direct
      ? `volume "${v.name}" mounts the container runtime socket ${v.hostPath.path} (hostPath); ${declare(socket.annotation)}`
      : `volume "${v.name}" mounts hostPath ${v.hostPath.path}, which contains the container runtime socket ${found.socket}; ${declare(socket.annotation)}`);
  }
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
