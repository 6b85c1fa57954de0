import { sortedEntries } from '../lib/order';
import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');

/** What happens to a volume when its claim is deleted. */
export type ReclaimPolicy = 'Retain' | 'Delete';

/** When a volume is provisioned and bound. */
export type VolumeBindingMode = 'WaitForFirstConsumer' | 'Immediate';

/** A StorageClass the platform creates (for clusters whose provisioner has no suitable class yet). */
export interface StorageClassSpec {
  /** Class name (a DNS subdomain), the `storageClassName` claims refer to. */
  readonly name: string;
  /** Volume plugin or CSI driver, e.g. `driver.longhorn.io`. */
  readonly provisioner: string;
  /** Provisioner-specific parameters (e.g. the number of replicas). @default - none */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * `Retain` keeps the volume (and the data) when its claim is deleted, e.g. by
   * a mistaken `kubectl delete pvc` or `pulumi destroy`; an operator then
   * deletes it on purpose. @default Retain
   */
  readonly reclaimPolicy?: ReclaimPolicy;
  /**
   * `WaitForFirstConsumer` provisions the volume where the pod is scheduled, so
   * that zonal volumes and pod anti-affinity do not contradict each other.
   * @default WaitForFirstConsumer
   */
  readonly volumeBindingMode?: VolumeBindingMode;
  /** Claims may grow by editing their request. @default true */
  readonly allowVolumeExpansion?: boolean;
  /** Mark as the cluster's default class. @default false */
  readonly isDefault?: boolean;
}

/** Annotation that makes a StorageClass the cluster default. */
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/**
 * A cluster-scoped StorageClass with data-safe defaults: volumes are retained,
 * bound where the pod lands, and expandable.
 */
export class StorageClass extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: StorageClassSpec & { readonly labels: Record<string, string> }) {
    super(scope, id);
    this.name = props.name;
    new k8s.KubeStorageClass(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: props.labels,
        annotations: props.isDefault ? { [DEFAULT_CLASS_ANNOTATION]: 'true' } : undefined,
      },
      provisioner: props.provisioner,
      parameters: props.parameters && Object.keys(props.parameters).length > 0
        ? Object.fromEntries(sortedEntries(props.parameters))
        : undefined,
      reclaimPolicy: props.reclaimPolicy ?? 'Retain',
      volumeBindingMode: props.volumeBindingMode ?? 'WaitForFirstConsumer',
      allowVolumeExpansion: props.allowVolumeExpansion ?? true,
    });
  }
}
