import { Chart } from 'cdk8s';
import { defineComponent } from '../lib/component';
import { selectorLabels } from '../lib/labels';
import { tlsEnabled } from '../lib/certificates';
import { Traefik, TRAEFIK_HSTS_MIDDLEWARE, TRAEFIK_IDENTITY, TRAEFIK_PORTS, TRAEFIK_ROUTER_MIDDLEWARES_ANNOTATION } from '.';
import { traefikPanels, traefikRules } from './rules';
import { traefikSchema } from './schema';

/** The controller pods, as a NetworkPolicy peer (backends admit them). */
export const traefikPeer = (namespace: string) => ({ namespace, pods: selectorLabels(TRAEFIK_IDENTITY) });

/** Traefik in `ingress.controllerNamespace`, wave 1 (before the apps whose Ingresses it serves). */
export const traefikComponent = defineComponent({
  id: 'traefik',
  configPath: ['edge', 'traefik'],
  schema: traefikSchema,
  check(t, platform) {
    // Only a published LoadBalancer Service gives Ingresses an address; Pulumi would wait for one forever.
    return platform.ingress.awaitLoadBalancer && t.mode !== 'loadBalancer'
      ? [{ path: 'ingress.awaitLoadBalancer', reason: `must be false with edge.traefik.mode "${t.mode}": only a LoadBalancer Service gives Ingresses an address, and Pulumi would wait for it forever` }]
      : [];
  },
  offers(t, platform) {
    return {
      namespaces: [{ name: platform.ingress.controllerNamespace, field: 'ingress.controllerNamespace', partOf: 'edge', ...Traefik.podSecurity(t.mode) }],
      // The dashboard is served by Traefik itself (api@internal): a route without a backend pod.
      routes: t.dashboard === 'insecure' && t.dashboardHost ? [{ host: t.dashboardHost, field: 'edge.traefik.dashboardHost', path: '/' as const }] : [],
      scrapeTargets: [{ namespace: platform.ingress.controllerNamespace, pods: selectorLabels(TRAEFIK_IDENTITY), port: TRAEFIK_PORTS.metrics }],
      ingressController: traefikPeer(platform.ingress.controllerNamespace),
      // Every TLS Ingress gets HSTS from the file provider's middleware (no CRD).
      tlsRouteAnnotations: tlsEnabled(platform.certificates) ? { [TRAEFIK_ROUTER_MIDDLEWARES_ANNOTATION]: `${TRAEFIK_HSTS_MIDDLEWARE}@file` } : undefined,
      workloads: [{ namespace: platform.ingress.controllerNamespace, kind: t.mode === 'hostPort' ? 'DaemonSet' as const : 'Deployment' as const, name: TRAEFIK_IDENTITY.name }],
      alertRules: [traefikRules(tlsEnabled(platform.certificates))],
      panels: traefikPanels(),
    };
  },
  build(ctx) {
    const t = ctx.config;
    const chart = new Chart(ctx.app, 'traefik', { disableResourceNameHashes: true });
    new Traefik(chart, 'Traefik', {
      namespace: ctx.platform.ingress.controllerNamespace,
      mode: t.mode,
      image: t.image,
      resources: t.resources,
      loadBalancer: t.loadBalancer,
      ingressClassName: ctx.platform.ingress.className,
      dashboard: t.dashboard,
      dashboardHost: t.dashboardHost,
      dashboardRoute: t.dashboard === 'insecure' && t.dashboardHost ? ctx.ingressRoute(t.dashboardHost) : undefined,
      tls: ctx.certificates ? { hsts: t.hsts } : undefined,
      trustedIPs: t.forwardedHeaders.trustedIPs,
      shutdown: t.shutdown,
      backends: ctx.wiring.routes.flatMap(r => (r.backend ? [r.backend] : [])),
      metricsScrapers: ctx.wiring.metricsScraper ? [ctx.wiring.metricsScraper] : [],
      apiServer: { cidrs: ctx.platform.cluster.apiServerCidrs, port: ctx.platform.cluster.apiServerPort },
    });
    return [{ id: 'traefik', wave: 1, chart }];
  },
});
