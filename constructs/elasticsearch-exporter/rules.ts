import type { PanelOffer } from '../lib/panels';
import { durationSeconds } from '../lib/schema';
import { alertRule, RuleGroup } from '../monitoring/rules';

/**
 * Metric names of elasticsearch_exporter v1.9.0 (collector/collector.go
 * namespace `elasticsearch`): cluster_health.go exports
 * `elasticsearch_cluster_health_status{cluster, color}`, 1 for the current
 * colour of green/yellow/red and 0 for the others, and the shard counts
 * (`..._unassigned_shards`); nodes.go per node `elasticsearch_indices_indexing_index_total`,
 * `elasticsearch_indices_docs`, `elasticsearch_jvm_memory_used_bytes{area}`,
 * `elasticsearch_jvm_memory_max_bytes{area}` and
 * `elasticsearch_filesystem_data_{available,size}_bytes`.
 */
const STATUS = 'elasticsearch_cluster_health_status';

/**
 * Health alerts. Red (a primary shard unassigned: data missing, writes to it
 * fail) is critical at once-ish; yellow (a replica unassigned: one more node
 * loss away from red) is a warning, generated only for a cluster of several
 * nodes: a single node can never assign replicas, so yellow is its normal state.
 */
/**
 * Snapshot metrics of the exporter's snapshots collector (`--collector.snapshots`,
 * collector/snapshots.go of v1.9.0), per repository: `..._latest_snapshot_timestamp_seconds`
 * is the start of the newest SUCCESS or PARTIAL snapshot (0 when there is none),
 * and the `..._snapshot_*` gauges describe the newest snapshot, whatever its
 * state, with its `state` as a label.
 */
const SNAPSHOTS = 'elasticsearch_snapshot_stats';

/** What the snapshot alerts need: the repository the setup Job registers and the age that alerts. */
export interface SnapshotAlerting { readonly repository: string; readonly alertAfter: string }

export function elasticsearchRules(nodes: number, snapshots?: SnapshotAlerting): RuleGroup {
  return {
    name: 'elasticsearch',
    rules: [
      alertRule({
        alert: 'ElasticsearchClusterRed',
        expr: `max by (namespace, cluster) (${STATUS}{color="red"}) == 1`,
        for: '5m',
        severity: 'critical',
        summary: 'Elasticsearch cluster {{ $labels.cluster }} in {{ $labels.namespace }} is red',
        description: 'At least one primary shard has been unassigned for 5 minutes: some logs cannot be searched and writes to those indices fail.',
      }),
      ...(nodes > 1 ? [alertRule({
        alert: 'ElasticsearchClusterYellow',
        expr: `max by (namespace, cluster) (${STATUS}{color="yellow"}) == 1`,
        for: '30m',
        severity: 'warning',
        summary: 'Elasticsearch cluster {{ $labels.cluster }} in {{ $labels.namespace }} has been yellow for 30 minutes',
        description: 'Replica shards are unassigned: the cluster is one node failure away from losing data.',
      })] : []),
      alertRule({
        alert: 'ElasticsearchDiskAlmostFull',
        expr: 'min by (namespace, name) (elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes) < 0.15',
        for: '15m',
        severity: 'warning',
        summary: 'Elasticsearch node {{ $labels.name }} has less than 15 % disk left',
        description: 'Above the 85 % low watermark Elasticsearch stops allocating shards to the node; at 95 % it makes indices read-only.',
      }),
      ...(snapshots ? [
        alertRule({
          alert: 'ElasticsearchSnapshotFailed',
          // The newest snapshot of the repository failed, or lost shards (PARTIAL).
          expr: `max by (namespace, repository, state) (${SNAPSHOTS}_snapshot_total_shards{repository="${snapshots.repository}",state=~"FAILED|PARTIAL"}) > 0`,
          for: '5m',
          severity: 'warning',
          summary: 'The newest Elasticsearch snapshot in {{ $labels.repository }} is {{ $labels.state }}',
          description: 'The latest snapshot the lifecycle policy took in repository {{ $labels.repository }} ({{ $labels.namespace }}) did not save every shard.',
        }),
        alertRule({
          alert: 'ElasticsearchSnapshotTooOld',
          expr: `time() - max by (namespace, repository) (${SNAPSHOTS}_latest_snapshot_timestamp_seconds{repository="${snapshots.repository}"}) > ${durationSeconds(snapshots.alertAfter)}`,
          for: '15m',
          severity: 'critical',
          summary: 'No successful Elasticsearch snapshot in {{ $labels.repository }} for more than ${snapshots.alertAfter}',
          description: 'The newest successful snapshot in repository {{ $labels.repository }} ({{ $labels.namespace }}) started {{ $value | humanizeDuration }} ago: the log indices are not backed up.',
        }),
      ] : []),
    ],
  };
}

/** The Elasticsearch row of the platform dashboard. */
export function elasticsearchPanels(): PanelOffer[] {
  const row = 'Elasticsearch';
  return [
    {
      dashboard: 'platform', row, kind: 'stat', unit: 'none',
      title: 'Cluster health',
      description: 'The cluster health colour (elasticsearch_cluster_health_status): 0 green, 1 yellow, 2 red.',
      queries: [{ expr: `max(${STATUS}{color="yellow"}) + 2 * max(${STATUS}{color="red"})`, legend: 'health' }],
      mappings: [{ value: 0, text: 'green', color: 'green' }, { value: 1, text: 'yellow', color: 'yellow' }, { value: 2, text: 'red', color: 'red' }],
    },
    {
      dashboard: 'platform', row, kind: 'stat', unit: 'short',
      title: 'Unassigned shards',
      description: 'Shards no node holds: primaries make the cluster red, replicas yellow.',
      queries: [{ expr: 'max(elasticsearch_cluster_health_unassigned_shards)', legend: 'unassigned' }],
    },
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 'ops',
      title: 'Ingest rate (documents/s)',
      description: 'Documents indexed per second, per node: the log volume Fluent Bit delivers.',
      queries: [{ expr: 'sum by (name) (rate(elasticsearch_indices_indexing_index_total[5m]))', legend: '{{name}}' }],
    },
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 'percentunit',
      title: 'JVM heap used',
      description: 'Heap in use over the maximum heap, per node: sustained values above 75 % mean long GC pauses.',
      queries: [{ expr: 'max by (name) (elasticsearch_jvm_memory_used_bytes{area="heap"}) / max by (name) (elasticsearch_jvm_memory_max_bytes{area="heap"})', legend: '{{name}}' }],
    },
    {
      dashboard: 'platform', row, kind: 'timeseries', unit: 'percentunit',
      title: 'Data disk used',
      description: 'Share of each node\'s data volume in use (watermarks at 85 %, 90 %, 95 %).',
      queries: [{ expr: '1 - min by (name) (elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes)', legend: '{{name}}' }],
    },
  ];
}
