import { alertRule, RuleGroup } from '../monitoring/rules';

/**
 * Traefik's Prometheus metrics (`--metrics.prometheus`): per backend service,
 * `traefik_service_requests_total{code, method, protocol, service}`.
 */
export function traefikRules(): RuleGroup {
  const requests = (matchers: string) => `sum by (service) (rate(traefik_service_requests_total${matchers}[5m]))`;
  return {
    name: 'traefik',
    rules: [alertRule({
      alert: 'TraefikServiceHighErrorRatio',
      // More than 5 % of a backend's answers are 5xx, at a rate above one request a minute.
      expr: `(${requests('{code=~"5.."}')} / ${requests('')} > 0.05) and ${requests('')} > 1 / 60`,
      for: '10m',
      severity: 'warning',
      summary: 'Traefik service {{ $labels.service }} answers more than 5 % 5xx',
      description: '{{ $value | humanizePercentage }} of the requests Traefik routed to {{ $labels.service }} in the last 5 minutes got a 5xx answer.',
    })],
  };
}
