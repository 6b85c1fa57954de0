import type { PanelOffer } from '../lib/panels';
import { alertRule, RuleGroup } from '../monitoring/rules';

/**
 * Traefik's Prometheus metrics (`--metrics.prometheus`, with
 * `--metrics.prometheus.addRoutersLabels=true`): per router (one per Ingress
 * rule), `traefik_router_requests_total{code, method, protocol, router, service}`.
 */
export function traefikRules(): RuleGroup {
  const requests = (matchers: string) => `sum by (router) (rate(traefik_router_requests_total${matchers}[5m]))`;
  return {
    name: 'traefik',
    rules: [alertRule({
      alert: 'TraefikRouterHighErrorRatio',
      // More than 5 % of a router's answers are 5xx, at a rate above one request a minute.
      expr: `(${requests('{code=~"5.."}')} / ${requests('')} > 0.05) and ${requests('')} > 1 / 60`,
      for: '10m',
      severity: 'warning',
      summary: 'Traefik router {{ $labels.router }} answers more than 5 % 5xx',
      description: '{{ $value | humanizePercentage }} of the requests Traefik routed through {{ $labels.router }} in the last 5 minutes got a 5xx answer.',
    })],
  };
}

/**
 * The Traefik row of the platform dashboard: per router (one per Ingress
 * rule), from `traefik_router_requests_total{router, code}` and
 * `traefik_router_request_duration_seconds`, which Traefik exports only with
 * `--metrics.prometheus.addRoutersLabels=true` (off by default: Traefik's Helm
 * chart values.yaml, "Enable metrics on routers. Default: false").
 */
export function traefikPanels(): PanelOffer[] {
  const row = 'Traefik';
  const byRouter = (matchers: string) => `sum by (router) (rate(traefik_router_requests_total${matchers}[5m]))`;
  return [
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 'reqps',
      title: 'Requests per router',
      description: 'Requests per second Traefik routed, per router (one per Ingress rule).',
      queries: [{ expr: byRouter(''), legend: '{{router}}' }],
    },
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 'percentunit',
      title: '5xx ratio per router',
      description: 'Share of answers with a 5xx status, per router (the TraefikRouterHighErrorRatio alert fires above 5 %).',
      queries: [{ expr: `${byRouter('{code=~"5.."}')} / ${byRouter('')}`, legend: '{{router}}' }],
    },
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 's',
      title: 'Latency p95 per router',
      description: '95th percentile of the request duration, per router.',
      queries: [{ expr: 'histogram_quantile(0.95, sum by (router, le) (rate(traefik_router_request_duration_seconds_bucket[5m])))', legend: '{{router}}' }],
    },
  ];
}
