import type { PanelOffer } from '../lib/panels';
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

/**
 * The Consul row of the platform dashboard, from the servers' telemetry
 * (Consul's agent telemetry reference: `consul.server.isLeader`,
 * `consul.autopilot.healthy` (1 when every server is healthy) and
 * `consul.autopilot.failure_tolerance` (servers that may fail without losing
 * quorum), exported with dots as underscores).
 */
export function consulPanels(): PanelOffer[] {
  const row = 'Consul';
  return [
    {
      dashboard: 'platform', row, kind: 'stat', unit: 'none',
      title: 'Leader',
      description: 'Whether a Consul server reports itself leader (consul_server_isLeader).',
      queries: [{ expr: 'max(consul_server_isLeader)', legend: 'leader' }],
      mappings: [{ value: 0, text: 'no leader', color: 'red' }, { value: 1, text: 'leader', color: 'green' }],
    },
    {
      dashboard: 'platform', row, kind: 'stat', unit: 'none',
      title: 'Autopilot healthy',
      description: 'Whether autopilot considers every server healthy (consul_autopilot_healthy).',
      queries: [{ expr: 'max(consul_autopilot_healthy)', legend: 'healthy' }],
      mappings: [{ value: 0, text: 'unhealthy', color: 'red' }, { value: 1, text: 'healthy', color: 'green' }],
    },
    {
      dashboard: 'platform', row, kind: 'stat', unit: 'short',
      title: 'Failure tolerance',
      description: 'Servers that may fail without losing quorum (consul_autopilot_failure_tolerance); 0 with a single server.',
      queries: [{ expr: 'max(consul_autopilot_failure_tolerance)', legend: 'servers' }],
    },
  ];
}
