import { Chart } from 'cdk8s';
import { defineComponent, RequiredSecret } from '../lib/component';
import { selectorLabels } from '../lib/labels';
import { alertRule, RuleGroup } from '../monitoring/rules';
import {
  Alertmanager, ALERTMANAGER_NAME, ALERTMANAGER_PORT, alertmanagerAddresses, AlertmanagerReceiver, receiverSecretKeys,
} from '.';
import { AlertmanagerConfig, alertmanagerSchema, ReceiverConfig } from './schema';

/** `app.kubernetes.io/instance` of the Alertmanager cluster. */
export const ALERTMANAGER_INSTANCE = 'alertmanager';
const pods = selectorLabels({ name: ALERTMANAGER_NAME, instance: ALERTMANAGER_INSTANCE });

/**
 * The Secret holding every receiver URL. Never rendered: Pulumi creates it
 * from secret stack config (one key per receiver URL, below), an operator
 * with kubectl otherwise (docs/runbooks.md).
 */
export const ALERTMANAGER_SECRET = 'alertmanager-receivers';

const pascal = (name: string) => name.split('-').map(p => p.charAt(0).toUpperCase() + p.slice(1)).join('');
/** Secret key and Pulumi config key (namespace `dockercoins`) of a receiver's URL. */
export function receiverSecret(receiver: string, kind: 'webhook' | 'slack'): { key: string; configKey: string } {
  return { key: `${receiver}-${kind}-url`, configKey: `alertmanager${pascal(receiver)}${pascal(kind)}Url` };
}

function receivers(config: AlertmanagerConfig): AlertmanagerReceiver[] {
  return config.receivers.map((r: ReceiverConfig) => ({
    name: r.name,
    webhook: r.webhook ? { urlKey: receiverSecret(r.name, 'webhook').key, ...r.webhook } : undefined,
    slack: r.slack ? { urlKey: receiverSecret(r.name, 'slack').key, ...r.slack } : undefined,
  }));
}

interface Monitoring { namespace: string }
const monitoringOf = (environment: unknown) => (environment as { edge?: { monitoring?: Monitoring } }).edge?.monitoring;

/** Rules about Alertmanager itself (its /metrics, scraped like any target). */
export function alertmanagerRules(replicas: number): RuleGroup {
  return {
    name: 'alertmanager',
    rules: [
      alertRule({
        alert: 'AlertmanagerNotificationsFailing',
        expr: 'sum by (namespace, pod, integration) (rate(alertmanager_notifications_failed_total[5m])) > 0',
        for: '10m',
        severity: 'critical',
        summary: 'Alertmanager {{ $labels.pod }} fails to deliver {{ $labels.integration }} notifications',
        description: 'Notifications through {{ $labels.integration }} have failed for 10 minutes: alerts may not reach anyone.',
      }),
      ...(replicas > 1 ? [alertRule({
        alert: 'AlertmanagerClusterDegraded',
        expr: `min by (namespace) (alertmanager_cluster_members) < ${replicas}`,
        for: '15m',
        severity: 'warning',
        summary: 'The Alertmanager cluster in {{ $labels.namespace }} sees fewer than ' + replicas + ' members',
        description: 'A replica has left the gossip cluster: notifications may be duplicated or silences not shared.',
      })] : []),
    ],
  };
}

/**
 * Alertmanager in Prometheus' namespace, wave 2 (with Prometheus). It offers
 * itself as the alertmanager Prometheus sends to (every replica), its /metrics
 * as a scrape target, its workload and its own rules; it declares the Secret
 * of the receiver URLs.
 */
export const alertmanagerComponent = defineComponent({
  id: 'alertmanager',
  configPath: ['alerting'],
  schema: alertmanagerSchema,
  check(a, platform, environment) {
    const problems = [];
    if (!monitoringOf(environment)) problems.push({ path: 'alerting', reason: 'needs edge.monitoring (Prometheus sends the alerts): remove it or configure monitoring' });
    if (a.antiAffinity === 'required' && a.replicas > platform.nodes) {
      problems.push({ path: 'alerting.antiAffinity', reason: `"required" places each of the ${a.replicas} replicas on its own node, but the environment plans ${platform.nodes} nodes; extra replicas would stay Pending` });
    }
    return problems;
  },
  offers(a, _platform, environment) {
    const m = monitoringOf(environment);
    if (!m) return {};
    return {
      alertmanager: { namespace: m.namespace, pods, port: ALERTMANAGER_PORT, targets: alertmanagerAddresses(m.namespace, a.replicas, ALERTMANAGER_PORT) },
      scrapeTargets: [{ namespace: m.namespace, pods, port: ALERTMANAGER_PORT }],
      workloads: [{ namespace: m.namespace, kind: 'StatefulSet' as const, name: ALERTMANAGER_NAME }],
      footprints: [{ namespace: m.namespace, field: 'alerting', workload: ALERTMANAGER_NAME, pods: a.replicas, why: `${a.replicas} replicas`, resources: a.resources }],
      alertRules: [alertmanagerRules(a.replicas)],
    };
  },
  build(ctx) {
    const a = ctx.config;
    const ns = monitoringOf(ctx.environment)!.namespace;
    const chart = new Chart(ctx.app, 'alertmanager', { disableResourceNameHashes: true });
    const rendered = receivers(a);
    const keys = Object.fromEntries(a.receivers.flatMap(r => [
      ...(r.webhook ? [receiverSecret(r.name, 'webhook')] : []),
      ...(r.slack ? [receiverSecret(r.name, 'slack')] : []),
    ].map(s => [s.key, s.configKey])));
    const needsSecret = rendered.some(r => receiverSecretKeys(r).length > 0);
    const alertmanager = new Alertmanager(chart, 'Alertmanager', {
      instance: ALERTMANAGER_INSTANCE,
      namespace: ns,
      image: a.image,
      resources: a.resources,
      replicas: a.replicas,
      antiAffinity: a.antiAffinity,
      storageSize: a.storageSize,
      retention: a.retention,
      receivers: rendered,
      route: a.route,
      inhibitRules: a.inhibitRules,
      receiversSecret: needsSecret ? ALERTMANAGER_SECRET : undefined,
      receiverEgress: a.receiverEgress,
      // Prometheus posts alerts (and scrapes /metrics); nobody else. People use port-forward.
      clients: ctx.wiring.metricsScraper ? [ctx.wiring.metricsScraper] : [],
    });
    const secrets: RequiredSecret[] = needsSecret
      ? [{ name: ALERTMANAGER_SECRET, namespace: ns, keys, labels: alertmanager.statefulSet.pod.labels }]
      : [];
    return [{ id: 'alertmanager', wave: 2, chart, secrets }];
  },
});
