import { cidr, host, image, int, resources, spreadPolicy, z } from '../lib/schema';
import { VERSIONS } from '../versions';
import { DASHBOARD_EXPOSURES, TRAEFIK_MODES, TRAEFIK_SHUTDOWN_MARGIN_SECONDS } from '.';

/**
 * Traefik, the ingress controller. Rules:
 * - `loadBalancer` settings exactly when mode is `loadBalancer`;
 * - dashboard `insecure` only with mode `hostPort`: a load balancer publishes
 *   the edge to whoever reaches its address, while hostPort mode is the
 *   laptop/course setup. The rule reads the exposure, never the environment name;
 * - `dashboardHost` only with dashboard `insecure` (an authenticated dashboard
 *   would need Traefik CRDs for its middleware; this stack is CRD-free).
 */
export const traefikSchema = z.strictObject({
  mode: z.enum(TRAEFIK_MODES),
  image: image().prefault(VERSIONS.traefik),
  resources: resources('Burstable'),
  /** Replicas and spreading of the Deployment; required with mode `loadBalancer`, refused otherwise. */
  loadBalancer: z.strictObject({
    /** At least 2 keeps the edge up during a node drain (PodDisruptionBudget maxUnavailable 1). */
    replicas: int(1),
    spread: spreadPolicy(),
  }).optional(),
  dashboard: z.enum(DASHBOARD_EXPOSURES),
  /** Host routing to the insecure dashboard. @default - port-forward only */
  dashboardHost: host().optional(),
  /**
   * Sources whose X-Forwarded-For/-Proto/-Host headers Traefik keeps on the
   * public entry points: the load balancer's addresses (or the node CIDRs when
   * the load balancer forwards through node ports). Everyone else's are
   * overwritten, so a client cannot forge its address. @default [] (trust none)
   */
  forwardedHeaders: z.strictObject({ trustedIPs: z.array(cidr()).prefault([]) }).prefault({}),
  /**
   * Graceful shutdown. Traefik keeps accepting for `requestAcceptGraceSeconds`
   * after SIGTERM (while readiness drops it from the endpoints), then lets
   * requests finish for the rest of the grace period minus a 5 s margin.
   */
  shutdown: z.strictObject({
    /** The pod's terminationGracePeriodSeconds. @default 60 */
    terminationGracePeriodSeconds: int(15, 600).prefault(60),
    /** Seconds Traefik keeps accepting requests after SIGTERM (covers one readiness period, 10 s). @default 10 */
    requestAcceptGraceSeconds: int(0, 120).prefault(10),
  }).prefault({}).superRefine((s, ctx) => {
    const left = s.terminationGracePeriodSeconds - s.requestAcceptGraceSeconds - TRAEFIK_SHUTDOWN_MARGIN_SECONDS;
    if (left < 5) ctx.addIssue({ code: 'custom', path: ['requestAcceptGraceSeconds'], message: `${s.requestAcceptGraceSeconds} leaves ${left} s of terminationGracePeriodSeconds (${s.terminationGracePeriodSeconds}) for requests to finish after the ${TRAEFIK_SHUTDOWN_MARGIN_SECONDS} s margin; keep at least 5 s (lower it or raise terminationGracePeriodSeconds)` });
  }),
  /** Strict-Transport-Security on every TLS host (where the environment has TLS). */
  hsts: z.strictObject({
    /** max-age. @default 31536000 (one year) */
    maxAgeSeconds: int(0).prefault(31536000),
    /** includeSubDomains: only when every subdomain of every host serves TLS. @default false */
    includeSubdomains: z.boolean().prefault(false),
    /** preload (needs includeSubdomains and max-age >= 1 year to be accepted by the preload list). @default false */
    preload: z.boolean().prefault(false),
  }).prefault({}),
}).superRefine((t, ctx) => {
  const add = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (t.mode === 'loadBalancer' && t.loadBalancer === undefined) add('loadBalancer', 'is required with mode "loadBalancer" (replicas and spread of the Deployment)');
  if (t.mode !== 'loadBalancer' && t.loadBalancer !== undefined) add('loadBalancer', `is only used with mode "loadBalancer", but mode is "${t.mode}"`);
  if (t.dashboard === 'insecure' && t.mode !== 'hostPort') {
    add('dashboard', `"insecure" (unauthenticated API and dashboard) is only allowed with mode "hostPort"; with mode "${t.mode}" use "port-forward-only" or "disabled"`);
  }
  if (t.hsts.preload && (!t.hsts.includeSubdomains || t.hsts.maxAgeSeconds < 31536000)) {
    ctx.addIssue({ code: 'custom', path: ['hsts', 'preload'], message: 'needs includeSubdomains true and maxAgeSeconds >= 31536000 (the HSTS preload list refuses anything less)' });
  }
  if (t.dashboardHost !== undefined && t.dashboard !== 'insecure') {
    add('dashboardHost', `is only used with dashboard "insecure"; with "${t.dashboard}" the dashboard is never routed from an Ingress`);
  }
});
export type TraefikConfig = z.infer<typeof traefikSchema>;
