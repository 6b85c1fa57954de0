import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { PRIORITY_TIERS, PriorityTier, priorityClassFor } from '../lib/priority';

/** What each tier is, rendered as the PriorityClass description. */
const DESCRIPTIONS: Readonly<Record<PriorityTier, string>> = {
  'node-agent': 'Node agents (metrics exporters, log shippers): one per node, scheduled before anything else so that no node goes unobserved.',
  ingress: 'The ingress controller every request goes through.',
  data: 'Stateful stores (Consul, Postgres, Elasticsearch, Redis, the image registry): evicted after what reads them.',
  monitoring: 'Metrics, alerting and log search: what tells that something broke.',
  app: 'Application workloads (DockerCoins): first to wait for room; never preempt.',
};

export interface PriorityClassesProps {
  readonly classes: Readonly<Record<PriorityTier, { readonly value: number; readonly preemption: 'PreemptLowerPriority' | 'Never' }>>;
  readonly labels: Record<string, string>;
}

/** One PriorityClass per platform tier; no global default (pods outside the model keep the cluster's). */
export class PriorityClasses extends Construct {
  constructor(scope: Construct, id: string, props: PriorityClassesProps) {
    super(scope, id);
    for (const tier of PRIORITY_TIERS) {
      new k8s.KubePriorityClass(this, tier, {
        metadata: { name: priorityClassFor(tier), labels: props.labels },
        value: props.classes[tier].value,
        preemptionPolicy: props.classes[tier].preemption,
        globalDefault: false,
        description: DESCRIPTIONS[tier],
      });
    }
  }
}
