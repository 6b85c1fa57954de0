import type { PanelOffer } from '../lib/panels';
import { alertRule, RuleGroup } from '../monitoring/rules';

/**
 * Traefik's Prometheus metrics (`--metrics.prometheus`, with
 * `--metrics.prometheus.addRoutersLabels=true`): per router (one per Ingress
 * rule), `traefik_router_requests_total{code, method, protocol, router, service}`.
 */
/**
 * Days before expiry at which a certificate Traefik serves alerts. cert-manager
 * renews a certificate a third of its lifetime before it expires (30 days for
 * a 90-day ACME certificate, `renewBefore` unset: cert-manager's Certificate
 * reference), so at 14 days renewal has failed for two weeks.
 */
export const CERTIFICATE_EXPIRY_DAYS = 14;

/**
 * The alerts on Traefik's own metrics. With `certificates`, also the expiry
 * of the certificates it serves: Traefik's global metric
 * `traefik_tls_certs_not_after{cn, sans, serial}`, the NotAfter timestamp of
 * each certificate it loaded (Traefik v3 "Metrics" overview, "TLS
 * certificates not after"), here those of the Ingresses' TLS Secrets.
 * Only where the environment has a certificate source: without one there
 * is no certificate to expire.
 */
export function traefikRules(certificates = false): RuleGroup {
  const requests = (matchers: string) => `sum by (router) (rate(traefik_router_requests_total${matchers}[5m]))`;
  return {
    name: 'traefik',
    rules: [...(certificates ? [alertRule({
      alert: 'TraefikCertificateExpiring',
      expr: `min by (cn, sans, serial) (traefik_tls_certs_not_after) - time() < ${CERTIFICATE_EXPIRY_DAYS} * 86400`,
      for: '1h',
      severity: 'warning',
      summary: 'The certificate for {{ $labels.cn }} that Traefik serves expires in less than ${CERTIFICATE_EXPIRY_DAYS} days',
      description: 'Certificate {{ $labels.cn }} (SANs {{ $labels.sans }}, serial {{ $labels.serial }}) expires in {{ $value | humanizeDuration }}: its renewal has not happened.',
    })] : []), alertRule({
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
