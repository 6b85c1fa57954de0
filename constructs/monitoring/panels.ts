import type { PanelOffer } from '../lib/panels';

/**
 * The cluster dashboard, from what the monitoring component scrapes itself:
 * node-exporter on every node (`node_*`), kube-state-metrics (`kube_*`, when
 * enabled) and the kubelets' cAdvisor (`container_*`).
 */
export function clusterPanels(kubeStateMetrics: boolean): PanelOffer[] {
  const nodes: PanelOffer[] = [
    {
      dashboard: 'cluster', row: 'Nodes', kind: 'timeseries', unit: 'percentunit',
      title: 'CPU busy per node',
      description: 'Share of CPU time not idle, per node (node-exporter).',
      queries: [{ expr: '1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', legend: '{{node}}' }],
    },
    {
      dashboard: 'cluster', row: 'Nodes', kind: 'timeseries', unit: 'percentunit',
      title: 'Memory used per node',
      description: 'Share of memory not available to new processes, per node (node-exporter).',
      queries: [{ expr: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', legend: '{{node}}' }],
    },
    {
      dashboard: 'cluster', row: 'Nodes', kind: 'timeseries', unit: 'percentunit',
      title: 'Root filesystem used per node',
      description: 'Share of the root filesystem in use, per node (node-exporter).',
      queries: [{ expr: '1 - node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"}', legend: '{{node}}' }],
    },
  ];
  const objects: PanelOffer[] = kubeStateMetrics ? [
    {
      dashboard: 'cluster', row: 'Nodes', kind: 'stat', unit: 'short',
      title: 'Ready nodes',
      description: 'Nodes whose Ready condition is true, of all nodes (kube-state-metrics).',
      queries: [
        { expr: 'sum(kube_node_status_condition{condition="Ready",status="true"})', legend: 'ready' },
        { expr: 'count(kube_node_info)', legend: 'nodes' },
      ],
    },
    {
      dashboard: 'cluster', row: 'Pods', kind: 'timeseries', unit: 'short',
      title: 'Running pods by namespace',
      description: 'Pods in phase Running, per namespace (kube-state-metrics).',
      queries: [{ expr: 'sum by (namespace) (kube_pod_status_phase{phase="Running"})', legend: '{{namespace}}' }],
    },
    {
      dashboard: 'cluster', row: 'Pods', kind: 'timeseries', unit: 'short',
      title: 'Pods not running by namespace',
      description: 'Pods Pending, Failed or Unknown, per namespace and phase (kube-state-metrics).',
      queries: [{ expr: 'sum by (namespace, phase) (kube_pod_status_phase{phase=~"Pending|Failed|Unknown"}) > 0', legend: '{{namespace}} {{phase}}' }],
    },
    {
      dashboard: 'cluster', row: 'Pods', kind: 'timeseries', unit: 'short',
      title: 'Container restarts by namespace (1h)',
      description: 'Container restarts over the last hour, per namespace (kube-state-metrics).',
      queries: [{ expr: 'sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h]))', legend: '{{namespace}}' }],
    },
  ] : [];
  const usage: PanelOffer[] = [
    {
      dashboard: 'cluster', row: 'Pods', kind: 'timeseries', unit: 'short',
      title: 'CPU by namespace (cores)',
      description: 'CPU cores used by containers, per namespace (cAdvisor).',
      queries: [{ expr: 'sum by (namespace) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))', legend: '{{namespace}}' }],
    },
    {
      dashboard: 'cluster', row: 'Pods', kind: 'timeseries', unit: 'bytes',
      title: 'Memory by namespace',
      description: 'Working-set memory of containers, per namespace (cAdvisor): what the OOM killer and evictions look at.',
      queries: [{ expr: 'sum by (namespace) (container_memory_working_set_bytes{container!=""})', legend: '{{namespace}}' }],
    },
  ];
  return [...objects.slice(0, 1), ...nodes, ...objects.slice(1), ...usage];
}
