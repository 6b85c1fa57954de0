/**
 * `plain-http`: in an environment that has TLS, nothing is served over plain
 * HTTP from the edge.
 *
 * The input "has TLS" when some Ingress declares `spec.tls` or a
 * cert-manager Certificate is present: the rendered objects carry no
 * environment config, and either one means certificates exist. Then:
 *  - every Ingress rule host must be covered by that Ingress's `spec.tls`
 *    hosts (a `*.` entry covers one label), else the host answers on HTTP;
 *  - every published entry point of a Traefik controller (a container port
 *    that is a host port, or the target of a LoadBalancer/NodePort Service
 *    selecting the pod) must either terminate TLS
 *    (`--entryPoints.<name>.http.tls=true`) or redirect
 *    (`--entryPoints.<name>.http.redirections.entryPoint.to=...` with scheme
 *    https, the default) — Traefik v3 static config, traefik/traefik v3.3.4
 *    pkg/config/static/entrypoints.go `RedirectEntryPoint`.
 */
import { matchesSelector } from './network';
import { allContainers, isRecord, K8sObject, namespaceOf, podTemplateOf } from './objects';

/** Whether the object set is an environment with TLS. */
export function hasTls(objects: readonly K8sObject[]): boolean {
  return objects.some(o => (o.kind === 'Ingress' && Array.isArray(o.spec?.tls) && o.spec.tls.length > 0)
    || (o.kind === 'Certificate' && String(o.apiVersion).startsWith('cert-manager.io/')));
}

function covered(host: string, tlsHosts: readonly string[]): boolean {
  return tlsHosts.some(t => t === host || (t.startsWith('*.') && host.endsWith(t.slice(1)) && !host.slice(0, host.length - t.length + 1).includes('.')));
}

/** Ingress hosts served without TLS. */
export function checkIngressTls(o: K8sObject): string[] {
  const tlsHosts = (Array.isArray(o.spec?.tls) ? o.spec.tls : []).flatMap((t: unknown) => (isRecord(t) && Array.isArray(t.hosts) ? t.hosts.filter((h: unknown): h is string => typeof h === 'string') : []));
  const out: string[] = [];
  (Array.isArray(o.spec?.rules) ? o.spec.rules : []).forEach((r: unknown, i: number) => {
    const host = isRecord(r) && typeof r.host === 'string' && r.host !== '' ? r.host : undefined;
    if (host === undefined) {
      out.push(`rule ${i} has no host: it answers every name over plain HTTP in an environment with TLS; name the host and list it in spec.tls`);
    } else if (!covered(host, tlsHosts)) {
      out.push(`rule ${i} host "${host}" is served over plain HTTP in an environment with TLS: list it in spec.tls with a certificate Secret`);
    }
  });
  return out;
}

const ENTRY_POINT_ADDRESS = /^--entry[pP]oints\.([^.=]+)\.address=[^:]*:(\d+)(\/tcp)?$/;

/** Traefik entry points of a pod template that clients reach, without TLS and without a redirect to https. */
export function checkTraefikRedirects(o: K8sObject, objects: readonly K8sObject[]): string[] {
  const tpl = podTemplateOf(o);
  if (!tpl) return [];
  const ns = namespaceOf(o) ?? 'default';
  const labels = tpl.metadata.labels ?? {};
  const services = objects.filter(s => s.kind === 'Service' && namespaceOf(s) === ns && ['LoadBalancer', 'NodePort'].includes(s.spec?.type)
    && isRecord(s.spec?.selector) && Object.keys(s.spec.selector).length > 0 && matchesSelector(s.spec.selector, labels));
  const out: string[] = [];
  for (const { container } of allContainers(tpl.spec)) {
    const args: string[] = [...(Array.isArray(container.command) ? container.command : []), ...(Array.isArray(container.args) ? container.args : [])].filter((a: unknown): a is string => typeof a === 'string');
    if (!args.some(a => a.toLowerCase().startsWith('--providers.kubernetesingress'))) continue;
    const ports: Array<{ name?: string; containerPort?: number; hostPort?: number }> = Array.isArray(container.ports) ? container.ports : [];
    const published = (port: number) => ports.some(p => p.containerPort === port && (p.hostPort !== undefined
      || services.some(s => (s.spec.ports ?? []).some((sp: { targetPort?: unknown; port?: unknown }) => (sp.targetPort ?? sp.port) === port || (typeof sp.targetPort === 'string' && sp.targetPort === p.name)))));
    const flag = (entryPoint: string, option: string) => args.find(a => a.toLowerCase().startsWith(`--entrypoints.${entryPoint.toLowerCase()}.${option.toLowerCase()}=`))?.split('=').slice(1).join('=');
    for (const a of args) {
      const m = ENTRY_POINT_ADDRESS.exec(a);
      if (!m || !published(Number(m[2]))) continue;
      const name = m[1];
      if (flag(name, 'http.tls') === 'true') continue;
      const to = flag(name, 'http.redirections.entryPoint.to');
      const scheme = flag(name, 'http.redirections.entryPoint.scheme') ?? 'https';
      if (to !== undefined && to !== '' && scheme === 'https') continue;
      out.push(`container ${container.name}: entry point "${name}" (port ${m[2]}) is published and serves plain HTTP in an environment with TLS: redirect it (--entryPoints.${name}.http.redirections.entryPoint.to=:443, scheme https) or terminate TLS on it`);
    }
  }
  return out;
}
