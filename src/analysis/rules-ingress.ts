/**
 * Ingress rules the API server or the controllers do not catch in review:
 *  - `ingress-host`: hosts (rules and tls) must be lowercase DNS-1123
 *    subdomains, optionally with a `*.` wildcard prefix, and not IP
 *    addresses — what the API server accepts.
 *  - `ingress-conflict`: two Ingress paths (in any namespaces, or in one
 *    Ingress) publishing the same host and the same path string; which one
 *    serves depends on the controller, so one of them is silently dead.
 *    Hosts compare case-insensitively; a rule without host counts as `*`.
 *    Ingress classes are not compared: one DNS name reaches one controller.
 */
import * as net from 'net';
import { K8sObject, isRecord, objectRef } from './objects';
import { isDns1123Subdomain } from './rules-names';

/**
 * Whether `host` can be an IP address at all, as net.isIP reads them: an IPv4
 * address is digits and dots, an IPv6 one always has a colon. The DNS names
 * every Ingress carries then skip net.isIP, whose first call compiles its
 * IPv6 pattern (about 9 ms of `npm run validate`).
 */
export function mayBeIpAddress(host: string): boolean {
  return host.includes(':') || /^[0-9.]+$/.test(host);
}

/** Why `host` is not an acceptable Ingress host, or undefined. */
export function hostProblem(host: string): string | undefined {
  if (mayBeIpAddress(host) && net.isIP(host) !== 0) return 'must be a DNS name, not an IP address';
  const bare = host.startsWith('*.') ? host.slice(2) : host;
  const valid = (h: string) => host.length <= 253 && isDns1123Subdomain(h);
  if (valid(bare)) return undefined;
  if (valid(bare.toLowerCase())) return 'must be lowercase';
  return `is not a valid DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters; "*." may prefix it)`;
}

/** `ingress-host` for one Ingress. */
export function checkIngressHosts(o: K8sObject): string[] {
  const out: string[] = [];
  (Array.isArray(o.spec?.rules) ? o.spec.rules : []).forEach((r: unknown, i: number) => {
    if (!isRecord(r) || typeof r.host !== 'string' || r.host === '') return;
    const p = hostProblem(r.host);
    if (p) out.push(`rule ${i} host ${JSON.stringify(r.host)} ${p}`);
  });
  (Array.isArray(o.spec?.tls) ? o.spec.tls : []).forEach((t: unknown, i: number) => {
    if (!isRecord(t) || !Array.isArray(t.hosts)) return;
    for (const h of t.hosts) {
      if (typeof h !== 'string') continue;
      const p = hostProblem(h);
      if (p) out.push(`tls ${i} host ${JSON.stringify(h)} ${p}`);
    }
  });
  return out;
}

/**
 * Where a path is published, in the words of `ingress-backend`: `rule 0 (example.com/) path 1`;
 * a path that is not absolute is quoted apart (`example.com, path "api"`), not glued to the host.
 */
export function pathLabel(host: string, path: string, i: number, j: number): string {
  const at = path === '' || path.startsWith('/') ? `${host}${path}` : `${host}, path ${JSON.stringify(path)}`;
  return `rule ${i} (${at}) path ${j}`;
}

/**
 * `ingress-conflict` for a whole object set: messages by object index, on
 * every path after the first that publishes a host+path. Indexes in `skip`
 * (duplicated objects, reported as such) take no part.
 */
export function ingressConflicts(objects: K8sObject[], skip: ReadonlySet<number> = new Set()): Map<number, string[]> {
  const first = new Map<string, { index: number; ref: string; i: number; j: number }>();
  const out = new Map<number, string[]>();
  objects.forEach((o, index) => {
    if (o.kind !== 'Ingress' || skip.has(index)) return;
    (Array.isArray(o.spec?.rules) ? o.spec.rules : []).forEach((r: any, i: number) => {
      const host = typeof r?.host === 'string' && r.host !== '' ? r.host : '*';
      (Array.isArray(r?.http?.paths) ? r.http.paths : []).forEach((p: any, j: number) => {
        const path = typeof p?.path === 'string' ? p.path : '';
        const key = `${host.toLowerCase()}\0${path}`;
        const seen = first.get(key);
        if (!seen) {
          first.set(key, { index, ref: objectRef(o), i, j });
          return;
        }
        const by = seen.index === index ? `rule ${seen.i} path ${seen.j} of this Ingress` : `${seen.ref} rule ${seen.i} path ${seen.j}`;
        out.set(index, [...(out.get(index) ?? []), `${pathLabel(host, path, i, j)}: also published by ${by}`]);
      });
    });
  });
  return out;
}
