import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { ComponentIdentity, recommendedLabels, selectorLabels } from './labels';
import { NetworkRule, PeerSpec, WorkloadNetworkPolicy } from './network';
import { RunAsIdentity } from './security';
import { ContainerSpec, HardenedDeployment } from './workload';

/** The container port every exporter serves on, by name (probes and Services refer to it). */
export const EXPORTER_PORT_NAME = 'metrics';

export interface MetricsExporterProps {
  /** Recommended-label identity; its name names the Deployment, the container and the policy. */
  readonly identity: ComponentIdentity;
  readonly namespace: string;
  /** The image's own user. */
  readonly runAs: RunAsIdentity;
  /** Port of `/metrics`, annotated for Prometheus and admitted from `scrapers` only. */
  readonly port: number;
  /** Who scrapes it (`ctx.wiring.metricsScraper`). No scraper: no ingress at all. */
  readonly scrapers: readonly PeerSpec[];
  /** Where it connects: the system it exports. @default - none (another policy grants it, e.g. a client label's) */
  readonly egress?: readonly NetworkRule[];
  /** Extra pod labels, e.g. a client label the exported system admits. @default - none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly volumes?: readonly k8s.Volume[];
  /** The exporter process: its name and port come from the identity and `port`. */
  readonly container: Omit<ContainerSpec, 'name' | 'ports'>;
}

/**
 * A Prometheus exporter: one Burstable replica at the monitoring tier, scraped
 * by annotation on its `metrics` port, and a policy that admits only the
 * scrapers and opens only the connections to the system it exports. An
 * exporter holds no state, so a rolling restart loses nothing but one scrape.
 */
export class MetricsExporter extends Construct {
  public readonly deployment: HardenedDeployment;

  constructor(scope: Construct, id: string, props: MetricsExporterProps) {
    super(scope, id);
    this.deployment = new HardenedDeployment(this, 'Deployment', {
      identity: props.identity,
      tier: 'monitoring',
      namespace: props.namespace,
      runAs: props.runAs,
      qos: 'Burstable',
      replicas: 1,
      terminationGracePeriodSeconds: 10,
      podLabels: props.podLabels,
      podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(props.port), 'prometheus.io/path': '/metrics' },
      volumes: props.volumes,
      containers: [{ ...props.container, name: props.identity.name, ports: [{ name: EXPORTER_PORT_NAME, containerPort: props.port }] }],
    });
    new WorkloadNetworkPolicy(this, 'Policy', {
      name: props.identity.name,
      namespace: props.namespace,
      labels: recommendedLabels(this, props.identity),
      podSelector: selectorLabels(props.identity),
      ingress: props.scrapers.length > 0 ? [{ peers: props.scrapers, ports: [{ port: props.port }] }] : [],
      egress: props.egress,
    });
  }

  /** The exporter's pods (stable selector labels). */
  public get selector(): Record<string, string> {
    return this.deployment.pod.selector;
  }

  /** Every label of the exporter's pods. */
  public get labels(): Record<string, string> {
    return this.deployment.pod.labels;
  }
}
