/**
 * Alerts of issue 13 offered by their components (rendered into the
 * prometheus-rules ConfigMap; rules.test.ts checks every rule's grammar,
 * metric source and runbook): certificate expiry where certificates exist,
 * Consul below quorum, Elasticsearch snapshots.
 *
 * Metric names: Traefik v3's global metric `traefik_tls_certs_not_after`
 * (labels cn, sans, serial; Traefik's metrics overview); Consul's
 * `consul.autopilot.healthy` and `consul.autopilot.failure_tolerance`
 * (agent telemetry reference, emitted by every server since 1.12,
 * hashicorp/consul#12617) as Prometheus names with dots as underscores.
 */
import { parse as parseYaml } from 'yaml';
import { tlsEnabled } from '../../constructs/lib/certificates';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { find, renderObjects } from '../helpers';
import { metricNames, parseErrors } from './metric-sources';

const rulesOf = (env: string): any[] => {
  const config = loadEnvironment(env);
  const cm = find(renderObjects(env), 'ConfigMap', 'prometheus-rules', config.edge!.monitoring.namespace);
  return Object.values(cm.data as Record<string, string>).flatMap(text => parseYaml(text).groups.flatMap((g: any) => g.rules));
};

describe.each(Object.keys(ENVIRONMENTS))('%s', env => {
  const config = loadEnvironment(env);
  const rules = rulesOf(env);
  const alert = (name: string) => rules.find(r => r.alert === name);

  test('certificate expiry only where the environment has a certificate source, from Traefik\'s own metric', () => {
    const rule = alert('TraefikCertificateExpiring');
    if (!tlsEnabled(config.certificates)) {
      expect(rule).toBeUndefined();
      return;
    }
    expect(parseErrors(rule.expr)).toEqual([]);
    expect(metricNames(rule.expr)).toEqual(['traefik_tls_certs_not_after']);
    expect(rule.expr).toBe('min by (cn, sans, serial) (traefik_tls_certs_not_after) - time() < 14 * 86400');
    expect(rule.labels.severity).toBe('warning');
  });

  test('Consul: an unhealthy server everywhere; one failure from losing quorum only with three servers or more', () => {
    const unhealthy = alert('ConsulAutopilotUnhealthy');
    expect(metricNames(unhealthy.expr)).toEqual(['consul_autopilot_healthy']);
    const quorum = alert('ConsulQuorumAtRisk');
    if (config.stateful!.consul.replicas >= 3) {
      expect(metricNames(quorum.expr)).toEqual(['consul_autopilot_failure_tolerance']);
      expect(quorum.expr).toBe('max by (namespace) (consul_autopilot_failure_tolerance) < 1');
      expect(quorum.labels.severity).toBe('critical');
    } else {
      expect(quorum).toBeUndefined();
    }
    // The existing leader alert stays.
    expect(alert('ConsulNoLeader')).toBeDefined();
  });

  test('Elasticsearch snapshot alerts exactly where snapshots are taken', () => {
    const snapshots = config.logging?.elasticsearch.snapshots;
    for (const name of ['ElasticsearchSnapshotFailed', 'ElasticsearchSnapshotTooOld']) {
      expect([name, alert(name) !== undefined]).toEqual([name, snapshots !== undefined && (config as { exporters?: { elasticsearch?: unknown } }).exporters?.elasticsearch !== undefined]);
    }
  });
});

test('the environments cover both sides of each condition', () => {
  const envs = Object.keys(ENVIRONMENTS).map(e => loadEnvironment(e));
  expect(envs.some(e => tlsEnabled(e.certificates))).toBe(true);
  expect(envs.some(e => !tlsEnabled(e.certificates))).toBe(true);
  expect(envs.some(e => e.stateful!.consul.replicas >= 3)).toBe(true);
  expect(envs.some(e => e.stateful!.consul.replicas < 3)).toBe(true);
});
