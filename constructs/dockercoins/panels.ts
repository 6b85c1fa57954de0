import type { PanelOffer } from '../lib/panels';
import { RuleWorkload, selector } from '../monitoring/rules';

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const names = (ws: readonly RuleWorkload[]) => [...new Set(ws.map(w => w.name))].sort(byCodePoint);

/**
 * The Services and Autoscaling rows of the DockerCoins dashboard, derived from
 * the workloads the instances render (the same offer the workload alerts come
 * from): CPU per service from cAdvisor (`container_cpu_usage_seconds_total`,
 * the container is named after the service), available replicas per
 * Deployment and ready pods per DaemonSet, and every autoscaler's current,
 * desired and maximum replicas (kube-state-metrics).
 */
export function dockercoinsPanels(workloads: readonly RuleWorkload[]): PanelOffer[] {
  const namespaces = [...new Set(workloads.map(w => w.namespace))].sort(byCodePoint);
  if (namespaces.length === 0) return [];
  const ns = { namespace: namespaces };
  const deployments = names(workloads.filter(w => w.kind === 'Deployment'));
  const daemonSets = names(workloads.filter(w => w.kind === 'DaemonSet'));
  const autoscaled = names(workloads.filter(w => w.autoscaled));
  const replicas = [
    ...(deployments.length ? [{ expr: `kube_deployment_status_replicas_available${selector({ ...ns, deployment: deployments })}`, legend: '{{namespace}} {{deployment}}' }] : []),
    ...(daemonSets.length ? [{ expr: `kube_daemonset_status_number_ready${selector({ ...ns, daemonset: daemonSets })}`, legend: '{{namespace}} {{daemonset}}' }] : []),
  ];
  const hpa = selector({ ...ns, horizontalpodautoscaler: autoscaled });
  return [
    {
      dashboard: 'dockercoins', row: 'Services', kind: 'timeseries', unit: 'short',
      title: 'CPU per service (cores)',
      description: 'CPU cores used by each DockerCoins service (cAdvisor): hasher and rng bound the mining rate.',
      queries: [{ expr: `sum by (namespace, container) (rate(container_cpu_usage_seconds_total${selector({ ...ns, container: names(workloads) })}[5m]))`, legend: '{{namespace}} {{container}}' }],
    },
    {
      dashboard: 'dockercoins', row: 'Services', kind: 'timeseries', unit: 'short',
      title: 'Replicas per service',
      description: 'Available pods per Deployment and ready pods per DaemonSet (kube-state-metrics).',
      queries: replicas,
    },
    ...(autoscaled.length ? [{
      dashboard: 'dockercoins' as const, row: 'Autoscaling', kind: 'timeseries' as const, unit: 'short' as const,
      title: 'Autoscaler replicas',
      description: 'Current and desired replicas of each HorizontalPodAutoscaler, against its maximum (the HorizontalPodAutoscalerAtMaximum alert fires after 15 minutes there).',
      queries: [
        { expr: `kube_horizontalpodautoscaler_status_current_replicas${hpa}`, legend: '{{namespace}} {{horizontalpodautoscaler}} current' },
        { expr: `kube_horizontalpodautoscaler_status_desired_replicas${hpa}`, legend: '{{namespace}} {{horizontalpodautoscaler}} desired' },
        { expr: `kube_horizontalpodautoscaler_spec_max_replicas${hpa}`, legend: '{{namespace}} {{horizontalpodautoscaler}} max' },
      ],
    }] : []),
  ];
}
