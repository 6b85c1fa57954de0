import { host, image, int, resources, spreadPolicy, z } from '../lib/schema';
import { VERSIONS } from '../versions';
import { DASHBOARD_EXPOSURES, TRAEFIK_MODES } from '.';

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
}).superRefine((t, ctx) => {
  const add = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (t.mode === 'loadBalancer' && t.loadBalancer === undefined) add('loadBalancer', 'is required with mode "loadBalancer" (replicas and spread of the Deployment)');
  if (t.mode !== 'loadBalancer' && t.loadBalancer !== undefined) add('loadBalancer', `is only used with mode "loadBalancer", but mode is "${t.mode}"`);
  if (t.dashboard === 'insecure' && t.mode !== 'hostPort') {
    add('dashboard', `"insecure" (unauthenticated API and dashboard) is only allowed with mode "hostPort"; with mode "${t.mode}" use "port-forward-only" or "disabled"`);
  }
  if (t.dashboardHost !== undefined && t.dashboard !== 'insecure') {
    add('dashboardHost', `is only used with dashboard "insecure"; with "${t.dashboard}" the dashboard is never routed from an Ingress`);
  }
});
export type TraefikConfig = z.infer<typeof traefikSchema>;
