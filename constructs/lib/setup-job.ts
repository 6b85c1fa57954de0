import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { ComponentIdentity } from './labels';
import { NetworkRule, WorkloadNetworkPolicy } from './network';
import { PriorityTier } from './priority';
import { RunAsIdentity } from './security';
import { ContainerResources, ImageRef } from './types';
import { HardenedJob, HardenedPod } from './workload';

/**
 * A setup Job: one container `setup` running a shell script once (it holds a
 * superuser credential to create the narrower identities other pods use),
 * and its NetworkPolicy. The preset every setup Job shares: Burstable,
 * 10 s grace, probes waived (it runs to completion), `/tmp` as its only
 * writable path, no ingress. What differs is passed in.
 */
export interface SetupJobProps {
  readonly identity: ComponentIdentity;
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** @default SETUP_JOB_USER */
  readonly runAs?: RunAsIdentity;
  readonly tier: PriorityTier;
  /** Why the Job holds a superuser credential (HardenedJob `setupReason`). */
  readonly setupReason: string;
  /** The shell script (`sh -c`). */
  readonly script: string;
  /** Why there are no probes. */
  readonly probesWaivedBecause: string;
  /** @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly envFrom?: readonly k8s.EnvVar[];
  /** @default - none */
  readonly volumes?: readonly k8s.Volume[];
  /** @default - none */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** Pod annotations (e.g. the checksum of a mounted script, so a changed script is a new Job). @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Pod labels that make it a client another policy admits. @default - none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Egress of its own policy (besides what client-label policies open). @default - none */
  readonly egress?: readonly NetworkRule[];
  /** Comment of its policy when egress comes from elsewhere. @default - none */
  readonly policyName?: string;
}

/** Who a setup script runs as: sh, curl, psql and the consul CLI run as any uid, so a high non-root id that owns nothing in the image. */
export const SETUP_JOB_USER: RunAsIdentity = { user: 10001, group: 10001 };

export class SetupJob extends Construct {
  public readonly pod: HardenedPod;
  public readonly job: HardenedJob;

  constructor(scope: Construct, id: string, props: SetupJobProps) {
    super(scope, id);
    this.job = new HardenedJob(this, 'Job', {
      identity: props.identity,
      namespace: props.namespace,
      runAs: props.runAs ?? SETUP_JOB_USER,
      tier: props.tier,
      qos: 'Burstable',
      terminationGracePeriodSeconds: 10,
      ...(props.podLabels ? { podLabels: props.podLabels } : {}),
      ...(props.podAnnotations ? { podAnnotations: props.podAnnotations } : {}),
      setupReason: props.setupReason,
      volumes: props.volumes ?? [],
      containers: [{
        name: 'setup',
        image: props.image,
        command: ['sh', '-c', props.script],
        env: props.env,
        ...(props.envFrom ? { envFrom: props.envFrom } : {}),
        resources: props.resources,
        probes: { waivedBecause: props.probesWaivedBecause },
        writablePaths: [{ path: '/tmp', sizeLimit: '16Mi' }],
        volumeMounts: props.volumeMounts ?? [],
      }],
    });
    this.pod = this.job.pod;
    new WorkloadNetworkPolicy(this, 'Policy', {
      name: props.policyName ?? props.identity.name,
      namespace: props.namespace,
      labels: this.pod.labels,
      podSelector: this.pod.selector,
      ingress: [],
      ...(props.egress ? { egress: props.egress } : {}),
    });
  }
}
