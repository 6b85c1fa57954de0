/**
 * Offers and needs across components: which components an environment
 * deploys, what each offers, and the rules that hold across them (each
 * namespace has one owner and is not a system namespace; each host and path
 * one router; each node port one owner; each StorageClass named by a claim
 * exists). The stack builder wires the same offers into the build steps.
 */
import type { Component, NamespaceOffer, Offers, PlatformFacts, Problem, RouteOffer, Wiring } from '../../constructs/lib/component';
import { ingressTlsSecretName, tlsEnabled } from '../../constructs/lib/certificates';
import { guardrailProblems } from '../../constructs/lib/guardrails';
import { COMPONENTS } from '../components';
import type { EnvironmentConfig } from './schema';

/** Namespaces Kubernetes itself owns: the model never declares, guards or restricts them. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export interface ActiveComponent { readonly component: Component<any>; readonly config: unknown; readonly offers: Offers }

/** The value at a config path, or undefined. */
export function configAt(env: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), env);
}

/** The components an environment deploys, in registry order, with their offers. */
export function activeComponents(env: EnvironmentConfig): ActiveComponent[] {
  return COMPONENTS.flatMap(component => {
    const config = configAt(env, component.configPath);
    if (config === undefined || (component.enabled && !component.enabled(config))) return [];
    return [{ component, config, offers: component.offers(config, env as PlatformFacts, env) }];
  });
}

/** The union of every offer, as the build steps see it. */
export function wiringOf(active: readonly ActiveComponent[]): Wiring {
  const routes = active.flatMap(a => a.offers.routes ?? []);
  return {
    namespaces: declaredNamespaces(active),
    routes,
    scrapeTargets: active.flatMap(a => a.offers.scrapeTargets ?? []),
    ingressController: active.find(a => a.offers.ingressController)?.offers.ingressController,
    tlsRouteAnnotations: active.find(a => a.offers.tlsRouteAnnotations)?.offers.tlsRouteAnnotations,
    metricsScraper: active.find(a => a.offers.metricsScraper)?.offers.metricsScraper,
    workloads: active.flatMap(a => a.offers.workloads ?? []),
    alertRules: active.flatMap(a => a.offers.alertRules ?? []),
    alertmanager: active.find(a => a.offers.alertmanager)?.offers.alertmanager,
    clients: active.flatMap(a => a.offers.clients ?? []),
    panels: active.flatMap(a => a.offers.panels ?? []),
    dataClaims: active.flatMap(a => a.offers.dataClaims ?? []),
    metricsQuery: active.find(a => a.offers.metricsQuery)?.offers.metricsQuery,
  };
}

/** Every namespace the environment declares, each once, in declaration order. */
export function declaredNamespaces(active: readonly ActiveComponent[]): NamespaceOffer[] {
  const seen = new Map<string, NamespaceOffer>();
  for (const offer of active.flatMap(a => a.offers.namespaces ?? [])) if (!seen.has(offer.name)) seen.set(offer.name, offer);
  return [...seen.values()];
}

const fieldOf = (offer: { field?: string }, component: Component<any>) => offer.field ?? `the ${component.id} component`;

/** Rules across components; every problem names the field and the fix. */
export function wiringProblems(env: EnvironmentConfig, active: readonly ActiveComponent[]): Problem[] {
  const problems: Problem[] = [];
  // Namespaces: one owner each (shared only between identical shared declarations), never a system namespace.
  const owners = new Map<string, { offer: NamespaceOffer; component: Component<any> }>();
  // Namespaces refused here: their quota would count the workloads of every claimant (or of the system), misleading.
  const refused = new Set<string>();
  // Shared namespaces (fixed names, e.g. node-agents) are owned before any configurable one claims the name.
  const offered = active.flatMap(({ component, offers }) => (offers.namespaces ?? []).map(offer => ({ component, offer })));
  for (const { component, offer } of [...offered.filter(o => o.offer.shared), ...offered.filter(o => !o.offer.shared)]) {
    {
      const field = fieldOf(offer, component);
      if ((SYSTEM_NAMESPACES as readonly string[]).includes(offer.name)) {
        refused.add(offer.name);
        problems.push({ path: field, reason: `"${offer.name}" is a Kubernetes system namespace; the model would enforce Pod Security, a quota and a default-deny policy on it (cutting off cluster DNS): choose a namespace of its own` });
        continue;
      }
      const first = owners.get(offer.name);
      if (!first) { owners.set(offer.name, { offer, component }); continue; }
      if (first.offer.shared && offer.shared && first.offer.podSecurity === offer.podSecurity) continue;
      const firstField = fieldOf(first.offer, first.component);
      refused.add(offer.name);
      problems.push({ path: field === firstField ? `${field} (${component.id})` : field, reason: `"${offer.name}" is already used by ${firstField}; namespaces must be unique (each has one owner, which sets its Pod Security level, quota and policies)` });
    }
  }
  // Hosts and paths: one Ingress each, across every component and instance.
  const routes = new Map<string, RouteOffer>();
  for (const route of active.flatMap(a => a.offers.routes ?? [])) {
    const key = `${route.host}${route.path}`;
    const first = routes.get(key);
    if (first) problems.push({ path: route.field, reason: `"${route.host}" is already used by ${first.field}; hosts must be unique` });
    else routes.set(key, route);
    // A TLS Secret nobody would create: without a certificate source nothing issues or lists it.
    if (route.tlsSecretName && env.certificates.source === 'none') {
      problems.push({ path: route.field.replace(/(\.host|\.ingressHost|\.dashboardHost)$/, '.tlsSecretName'), reason: `"${route.tlsSecretName}" names a TLS Secret, but certificates.source is "none": nothing issues or lists it. Set certificates.source (cert-manager or external), or remove it` });
    }
  }
  // Certificate Secrets: one certificate per Secret name in a namespace. An Ingress host's Secret defaults to
  // `<first label>-tls` in its backend's namespace, so two hosts (or a host and an internal endpoint) can
  // name the same Secret: cert-manager would get two Certificates for one Secret and keep overwriting it.
  if (tlsEnabled(env.certificates)) {
    const secrets = new Map<string, string>();
    for (const c of active.flatMap(a => a.offers.certificateSecrets ?? [])) secrets.set(`${c.namespace}/${c.secretName}`, `the certificate of ${c.field}`);
    const hosts = new Map<string, string>();
    for (const route of active.flatMap(a => a.offers.routes ?? [])) {
      const namespace = route.backend?.namespace ?? env.ingress.controllerNamespace;
      const secret = `${namespace}/${ingressTlsSecretName(route.host, route.tlsSecretName)}`;
      const user = secrets.get(secret);
      const secretField = route.field.replace(/(\.host|\.ingressHost|\.dashboardHost)$/, '.tlsSecretName');
      if (user !== undefined && hosts.get(secret) !== route.host) {
        problems.push({ path: route.field, reason: `"${route.host}" would keep its certificate in the Secret ${secret}, which ${user} already uses; set ${secretField} to another name, or choose another host` });
      } else if (user === undefined) {
        secrets.set(secret, `the certificate of ${route.field} ("${route.host}")`);
        hosts.set(secret, route.host);
      }
    }
  }
  // Node ports are cluster-wide.
  const ports = new Map<number, string>();
  for (const p of active.flatMap(a => a.offers.nodePorts ?? [])) {
    const first = ports.get(p.port);
    if (first) problems.push({ path: p.field, reason: `"${p.port}" is already used by ${first}; node ports must be unique` });
    else ports.set(p.port, p.field);
  }
  // Quotas and LimitRanges: every namespace against the footprints of whatever runs there.
  const footprints = active.flatMap(a => a.offers.footprints ?? []);
  for (const ns of declaredNamespaces(active)) {
    if (refused.has(ns.name)) continue;
    if (ns.quota || ns.limitRange) problems.push(...guardrailProblems({ namespace: ns.name, field: ns.guardrailsField ?? ns.field ?? ns.name, quota: ns.quota, limitRange: ns.limitRange }, footprints));
  }
  problems.push(...storageClassProblems(env, active));
  problems.push(...backupProblems(env, active));
  return problems;
}

/**
 * A production environment loses data for real: every data store a component
 * runs (`dataStores`) must be backed up by some component (`backups`).
 */
function backupProblems(env: EnvironmentConfig, active: readonly ActiveComponent[]): Problem[] {
  if (!env.production) return [];
  const covered = new Set(active.flatMap(a => a.offers.backups ?? []));
  return active.flatMap(a => a.offers.dataStores ?? []).filter(d => !covered.has(d.store)).map(d => ({
    path: d.field,
    reason: `has no backup, and the environment is production (production: true): add backups.${d.store} (e.g. backups: { target: { type: 's3', ... }, ${d.store}: {} }, docs/stateful.md "Backups and restore drills") or remove ${d.field}`,
  }));
}

/**
 * Every StorageClass a claim names (its own, else the environment's
 * `storageClass`) must be created here or declared as provided by the cluster,
 * so a typo is refused instead of leaving claims Pending forever.
 */
function storageClassProblems(env: EnvironmentConfig, active: readonly ActiveComponent[]): Problem[] {
  const created = (env.stateful?.storageClasses ?? []).map(sc => sc.name);
  const known = new Set([...created, ...env.clusterStorageClasses]);
  const claims = active.flatMap(a => a.offers.claims ?? []);
  const named = [
    ...(env.storageClass !== undefined && claims.some(c => c.storageClassName === undefined) ? [{ path: 'storageClass', name: env.storageClass }] : []),
    ...claims.flatMap(c => (c.storageClassName === undefined ? [] : [{ path: c.field, name: c.storageClassName }])),
  ];
  return named.filter(n => !known.has(n.name)).map(n => ({
    path: n.path,
    reason: `"${n.name}" is neither created by this environment (stateful.storageClasses: ${created.join(', ') || 'none'}) nor declared as provided by the cluster (clusterStorageClasses: ${env.clusterStorageClasses.join(', ') || 'none'}); fix the name or declare it`,
  }));
}

/** Every pod port an Ingress of the environment routes to (what the ingress controller may connect to). */
export function ingressBackends(env: EnvironmentConfig) {
  return wiringOf(activeComponents(env)).routes.flatMap(r => (r.backend ? [r.backend] : []));
}

/** Every pod port Prometheus scrapes besides the nodes. */
export function scrapeTargets(env: EnvironmentConfig) {
  return wiringOf(activeComponents(env)).scrapeTargets;
}
