import type { PanelOffer } from '../lib/panels';
import { alertRule, RuleGroup } from '../monitoring/rules';

/**
 * Consul's own telemetry (CONSUL_METRICS_PATH): `consul.server.isLeader` is
 * a gauge every server reports, 1 on the leader and 0 elsewhere (Consul's
 * agent telemetry reference). No server at 1 means no leader: the KV store
 * and the catalog refuse writes and consistent reads.
 */
export function consulRules(servers = 1): RuleGroup {
  return {
    name: 'consul',
    rules: [
      ...consulQuorumRules(servers),
      alertRule({
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
 * Quorum, from autopilot's view (Consul's agent telemetry reference:
 * `consul.autopilot.healthy`, 1 when autopilot considers every server healthy,
 * and `consul.autopilot.failure_tolerance`, the voters that may fail while the
 * cluster keeps quorum; since Consul 1.12 (hashicorp/consul#12617) every
 * server emits both, a server without a current view emits NaN, which `min`
 * and `max` ignore). Below quorum there is no leader, which ConsulNoLeader
 * reports; these fire before that: a server is unhealthy, or (several
 * servers) one more failure loses quorum. A single server tolerates no
 * failure by design: only the health rule applies to it.
 */
function consulQuorumRules(servers: number) {
  return [
    alertRule({
      alert: 'ConsulAutopilotUnhealthy',
      expr: 'min by (namespace) (consul_autopilot_healthy) < 1',
      for: '5m',
      severity: 'warning',
      summary: 'Consul in {{ $labels.namespace }} has an unhealthy server',
      description: 'Autopilot has considered a Consul server in {{ $labels.namespace }} unhealthy (not alive, no recent contact with the leader, or trailing its log) for 5 minutes.',
    }),
    ...(servers >= 3 ? [alertRule({
      alert: 'ConsulQuorumAtRisk',
      expr: 'max by (namespace) (consul_autopilot_failure_tolerance) < 1',
      for: '5m',
      severity: 'critical',
      summary: 'Consul in {{ $labels.namespace }} loses quorum with one more server failure',
      description: `Of ${servers} Consul servers in {{ $labels.namespace }}, so many are unhealthy or gone that autopilot tolerates no further failure: one more and the cluster has no leader.`,
    })] : []),
  ];
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
