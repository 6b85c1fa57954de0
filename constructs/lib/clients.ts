import type { ClientNeed } from './component';
import type { PeerSpec, PodPortRef } from './network';

const sameLabels = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * The client pods other components offer (`clients`) for a server's pods and
 * port, as peers of the server's own ingress rule: in the server's namespace
 * by pod labels, elsewhere by namespace and pod labels. The server never names
 * its clients; a client that is not deployed offers nothing.
 */
export function admittedClients(needs: readonly ClientNeed[], server: PodPortRef): PeerSpec[] {
  return needs
    .filter(n => n.to.namespace === server.namespace && sameLabels(n.to.pods, server.pods) && n.to.port === server.port && (n.to.protocol ?? 'TCP') === (server.protocol ?? 'TCP'))
    .map(n => (n.from.namespace === server.namespace ? { pods: n.from.pods } : { pods: n.from.pods, namespace: n.from.namespace }));
}
