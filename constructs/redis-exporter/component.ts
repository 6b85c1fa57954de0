import { Chart } from 'cdk8s';
import { DOCKERCOINS_REDIS_KEYS, DOCKERCOINS_REDIS_PORT, dockercoinsPods } from '../dockercoins';
import type { DockerCoinsInstanceConfig } from '../dockercoins/schema';
import { defineComponent } from '../lib/component';
import type { PanelOffer } from '../lib/panels';
import { selectorLabels } from '../lib/labels';
import { alertRule, RuleGroup, selector } from '../monitoring/rules';
import { REDIS_EXPORTER_NAME, REDIS_EXPORTER_PORT, RedisExporter } from '.';
import { redisExporterSchema } from './schema';

const instancesOf = (environment: unknown) => (environment as { dockercoins: readonly DockerCoinsInstanceConfig[] }).dockercoins;
const identity = (instance: string) => selectorLabels({ name: REDIS_EXPORTER_NAME, instance });

/** Recorded mining rate: hashes per second, per DockerCoins namespace, over one minute. */
export const HASHES_RATE_RECORD = 'dockercoins:hashes:rate1m';
/** Recorded wallet size: coins found so far, per DockerCoins namespace. */
export const COINS_RECORD = 'dockercoins:coins:count';

/**
 * The DockerCoins business signal from the exporter's single-key checks: the
 * worker's `hashes` counter (`redis_key_value`, only ever INCRBY'd, so rate()
 * copes with a Redis restart that resets it) and the `wallet` hash size
 * (`redis_key_size`). Mining has stopped when the rate stayed at 0 for five
 * minutes while workers were available all along (kube-state-metrics).
 */
export function dockercoinsRules(): RuleGroup {
  const { db, hashes, wallet } = DOCKERCOINS_REDIS_KEYS;
  const worker = dockercoinsPods('worker', '')['app.kubernetes.io/name'];
  const redis = dockercoinsPods('redis', '')['app.kubernetes.io/name'];
  return {
    name: 'dockercoins',
    rules: [
      { record: HASHES_RATE_RECORD, expr: `sum by (namespace) (rate(redis_key_value${selector({ db: `db${db}`, key: hashes })}[1m]))` },
      { record: COINS_RECORD, expr: `sum by (namespace) (redis_key_size${selector({ db: `db${db}`, key: wallet })})` },
      alertRule({
        alert: 'DockerCoinsMiningStopped',
        expr: `max_over_time(${HASHES_RATE_RECORD}[5m]) == 0 and on (namespace) min_over_time(kube_deployment_status_replicas_available${selector({ deployment: worker })}[5m]) > 0`,
        severity: 'critical',
        summary: 'DockerCoins in {{ $labels.namespace }} has mined nothing for 5 minutes',
        description: 'The hashes counter in Redis has not grown for 5 minutes although worker pods were available the whole time.',
      }),
      alertRule({
        alert: 'DockerCoinsRedisDown',
        expr: 'redis_up == 0',
        for: '2m',
        severity: 'critical',
        summary: `The DockerCoins ${redis} of {{ $labels.namespace }} does not answer`,
        description: `redis_exporter in {{ $labels.namespace }} has failed to reach ${redis}:${DOCKERCOINS_REDIS_PORT} for 2 minutes: worker and webui cannot work either.`,
      }),
    ],
  };
}

/**
 * The Mining row of the DockerCoins dashboard: the recorded mining rate (the
 * course's "hashing speed"), the coins in the wallet, and whether each
 * instance's Redis answers.
 */
export function miningPanels(): PanelOffer[] {
  const row = 'Mining';
  return [
    {
      dashboard: 'dockercoins', row, kind: 'timeseries', unit: 'short',
      title: 'Mining rate (hashes/s)',
      description: `Hashes per second, per instance (${HASHES_RATE_RECORD}: the rate of the worker's INCRBY on the Redis key \`hashes\`).`,
      queries: [{ expr: HASHES_RATE_RECORD, legend: '{{namespace}}' }],
    },
    {
      dashboard: 'dockercoins', row, kind: 'timeseries', unit: 'short',
      title: 'Coins in the wallet',
      description: `Coins found so far, per instance (${COINS_RECORD}: the size of the Redis hash \`wallet\`).`,
      queries: [{ expr: COINS_RECORD, legend: '{{namespace}}' }],
    },
    {
      dashboard: 'dockercoins', row, kind: 'stat', unit: 'none',
      title: 'Redis up',
      description: 'Whether each instance\'s Redis answers redis_exporter (redis_up), the lowest shown.',
      queries: [{ expr: 'min(redis_up)', legend: 'up' }],
      mappings: [{ value: 0, text: 'down', color: 'red' }, { value: 1, text: 'up', color: 'green' }],
    },
  ];
}

/**
 * redis_exporter beside each DockerCoins instance's Redis, wave 2. It offers
 * its metrics port (Prometheus' egress comes from the wiring), its footprint in
 * the instance namespace (the instance quota check covers it), its workload,
 * the DockerCoins rules, and its pods as a client of that instance's Redis:
 * the DockerCoins component admits offered clients in its Redis policy.
 */
export const redisExporterComponent = defineComponent({
  id: 'redis-exporter',
  configPath: ['exporters', 'redis'],
  schema: redisExporterSchema,
  offers(config, _platform, environment) {
    const instances = instancesOf(environment);
    return {
      scrapeTargets: instances.map(d => ({ namespace: d.namespace, pods: identity(d.name), port: REDIS_EXPORTER_PORT })),
      footprints: instances.map(d => ({ namespace: d.namespace, field: 'exporters.redis', workload: REDIS_EXPORTER_NAME, pods: 2, why: '1 + 1 surge', resources: config.resources })),
      workloads: instances.map(d => ({ namespace: d.namespace, kind: 'Deployment' as const, name: REDIS_EXPORTER_NAME })),
      clients: instances.map(d => ({
        from: { namespace: d.namespace, pods: identity(d.name) },
        to: { namespace: d.namespace, pods: dockercoinsPods('redis', d.name), port: DOCKERCOINS_REDIS_PORT },
      })),
      alertRules: [dockercoinsRules()],
      panels: instances.length > 0 ? miningPanels() : [],
    };
  },
  build(ctx) {
    return instancesOf(ctx.environment).map(d => {
      const id = `redis-exporter-${d.name}`;
      const chart = new Chart(ctx.app, id, { disableResourceNameHashes: true });
      const redis = dockercoinsPods('redis', d.name);
      new RedisExporter(chart, 'RedisExporter', {
        instance: d.name,
        namespace: d.namespace,
        image: ctx.config.image,
        resources: ctx.config.resources,
        // The Service the images use is named after the pods (`redis`), in the same namespace.
        redis: { pods: redis, host: redis['app.kubernetes.io/name'] },
        scrapers: ctx.wiring.metricsScraper ? [ctx.wiring.metricsScraper] : [],
      });
      return { id, wave: 2, chart };
    });
  },
});
