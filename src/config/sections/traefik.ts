import { ContainerResources, ImageRef, SpreadPolicy } from '../../../constructs/lib/types';
import type { EnvironmentConfig } from '../types';
import type { Checker } from '../validate';

/** Traefik v3, pinned (the chart refuses `latest`). */
export const TRAEFIK_IMAGE: ImageRef = { registry: '', repository: 'traefik', tag: 'v3.3.4' };

/**
 * How Traefik's entry points reach clients.
 * - `hostPort`: a DaemonSet binding ports 80/443 on every node, control-plane
 *   nodes included (the course's setup; no cloud load balancer needed). Needs a
 *   privileged namespace (hostPort is forbidden by baseline). Ingresses get no
 *   load-balancer address.
 * - `loadBalancer`: a Deployment behind a Service of type LoadBalancer, fully
 *   restricted; the Service address is published on every Ingress.
 */
export const TRAEFIK_MODES = ['hostPort', 'loadBalancer'] as const;
export type TraefikMode = (typeof TRAEFIK_MODES)[number];

/**
 * Who can reach Traefik's API and dashboard.
 * - `insecure`: `--api.insecure` (no authentication) on the internal `traefik`
 *   entry point, optionally routed from `dashboardHost`. Only allowed with
 *   mode `hostPort`, see `checkTraefik`.
 * - `port-forward-only`: the dashboard is served on the internal `traefik`
 *   entry point (port 8080), which no Service, host port or NetworkPolicy
 *   exposes; only `kubectl port-forward` (through the API server's RBAC)
 *   reaches it. No insecure flag, no Ingress.
 * - `disabled`: no API and no dashboard.
 */
export const DASHBOARD_EXPOSURES = ['insecure', 'port-forward-only', 'disabled'] as const;
export type DashboardExposure = (typeof DASHBOARD_EXPOSURES)[number];

export interface TraefikConfig {
  readonly mode: TraefikMode;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Replicas and spreading of the Deployment; required with mode `loadBalancer`, refused otherwise. */
  readonly loadBalancer?: {
    /** At least 2 keeps the edge up during a node drain (PodDisruptionBudget maxUnavailable 1). */
    readonly replicas: number;
    readonly spread: SpreadPolicy;
  };
  readonly dashboard: DashboardExposure;
  /** Host routing to the insecure dashboard (only with dashboard `insecure`). @default - port-forward only */
  readonly dashboardHost?: string;
}

/**
 * Rules:
 * - `loadBalancer` settings exactly when mode is `loadBalancer`;
 * - dashboard `insecure` only with mode `hostPort`: a load balancer publishes
 *   the edge to whoever can reach its address, while hostPort mode is the
 *   laptop/course setup reached on node addresses. The rule reads the exposure
 *   settings, never the environment's name;
 * - `dashboardHost` only with dashboard `insecure` (an authenticated dashboard
 *   would need Traefik CRDs for its middleware; this stack is CRD-free);
 * - `ingress.awaitLoadBalancer` true only with mode `loadBalancer`: only a
 *   published LoadBalancer Service gives Ingresses an address, and Pulumi would
 *   wait for one forever.
 */
export function checkTraefik(c: Checker, path: string, value: unknown, env: EnvironmentConfig): value is TraefikConfig {
  if (!c.object(path, value)) return false;
  const t = value as Record<string, unknown>;
  const mode = c.oneOf(`${path}.mode`, t.mode, TRAEFIK_MODES);
  c.image(`${path}.image`, t.image);
  c.resources(`${path}.resources`, t.resources, 'Burstable');
  if (mode && t.mode === 'loadBalancer') {
    if (t.loadBalancer === undefined) c.add(`${path}.loadBalancer`, 'is required with mode "loadBalancer" (replicas and spread of the Deployment)');
    else if (c.object(`${path}.loadBalancer`, t.loadBalancer)) {
      const lb = t.loadBalancer as Record<string, unknown>;
      c.integer(`${path}.loadBalancer.replicas`, lb.replicas, 1);
      c.oneOf(`${path}.loadBalancer.spread`, lb.spread, ['none', 'preferred', 'required'] as const);
    }
  } else if (mode && t.loadBalancer !== undefined) {
    c.add(`${path}.loadBalancer`, `is only used with mode "loadBalancer", but mode is "${t.mode}"`);
  }
  if (c.oneOf(`${path}.dashboard`, t.dashboard, DASHBOARD_EXPOSURES)) {
    if (t.dashboard === 'insecure' && mode && t.mode !== 'hostPort') {
      c.add(`${path}.dashboard`, `"insecure" (unauthenticated API and dashboard) is only allowed with mode "hostPort"; with mode "${t.mode}" use "port-forward-only" or "disabled"`);
    }
    if (t.dashboardHost !== undefined) {
      if (t.dashboard !== 'insecure') c.add(`${path}.dashboardHost`, `is only used with dashboard "insecure"; with "${t.dashboard}" the dashboard is never routed from an Ingress`);
      else c.host(`${path}.dashboardHost`, t.dashboardHost);
    }
  }
  if (mode && env.ingress?.awaitLoadBalancer === true && t.mode !== 'loadBalancer') {
    c.add('ingress.awaitLoadBalancer', `must be false with ${path}.mode "${t.mode}": only a LoadBalancer Service gives Ingresses an address, and Pulumi would wait for it forever`);
  }
  return true;
}
