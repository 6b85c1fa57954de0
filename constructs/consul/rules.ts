import { alertRule, RuleGroup } from '../monitoring/rules';

/**
 * Consul's own telemetry (CONSUL_METRICS_PATH): `consul.server.isLeader` is
 * a gauge every server reports, 1 on the leader and 0 elsewhere (Consul's
 * agent telemetry reference). No server at 1 means no leader: the KV store
 * and the catalog refuse writes and consistent reads.
 */
export function consulRules(): RuleGroup {
  return {
    name: 'consul',
    rules: [alertRule({
      alert: 'ConsulNoLeader',
      expr: 'max by (namespace) (consul_server_isLeader) < 1',
      for: '1m',
      severity: 'critical',
      summary: 'Consul in {{ $labels.namespace }} has no leader',
      description: 'No Consul server in {{ $labels.namespace }} has reported itself leader for a minute: writes and consistent reads fail.',
    })],
  };
}
