/**
 * Value types shared by every construct and by the environment configuration.
 * They are plain data so that a config file, a Pulumi stack override and a test
 * can all produce them.
 */

/** A container image, split so that registry and tag can be overridden per environment. */
export interface ImageRef {
  /** Registry host (and optional path prefix), e.g. `registry.example.com:5000`. Empty string = Docker Hub. */
  readonly registry: string;
  /** Repository within the registry, e.g. `dockercoins/rng`. */
  readonly repository: string;
  /** Immutable tag; `latest` and empty tags are refused by config validation. */
  readonly tag: string;
}

/** One side (requests or limits) of a container's resources, as Kubernetes quantities. */
export interface ResourceAmounts {
  /** CPU, e.g. `100m` or `0.5`. */
  readonly cpu: string;
  /** Memory, e.g. `64Mi`. */
  readonly memory: string;
  /** Ephemeral storage (logs, emptyDirs on disk, writable layers), e.g. `100Mi`. */
  readonly ephemeralStorage: string;
}

/** Requests and limits of one container. */
export interface ContainerResources {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/**
 * The Quality-of-Service class a workload is designed for. `Guaranteed` requires
 * requests == limits for CPU and memory; `Burstable` allows limits above requests.
 */
export type QosClass = 'Guaranteed' | 'Burstable';

/** How strictly replicas are spread across nodes. */
export type SpreadPolicy = 'none' | 'preferred' | 'required';

/** A toleration, as in the Pod spec. */
export interface TolerationSpec {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Persistent storage a component asks for. */
export interface StorageRequest {
  /** Requested size, e.g. `10Gi`. */
  readonly size: string;
  /** StorageClass. @default - the environment's `storageClass`, else the cluster's default class */
  readonly storageClassName?: string;
}

/** Renders an image reference. */
export function imageName(image: ImageRef): string {
  return `${image.registry ? `${image.registry}/` : ''}${image.repository}:${image.tag}`;
}

/**
 * Whether a client verifies the kubelets' serving certificates against the
 * cluster CA, or skips it for a stated reason (rendered as
 * INSECURE_SKIP_VERIFY_REASON_ANNOTATION, checked by `validate`).
 */
export type KubeletTlsVerification = { readonly verify: true } | { readonly verify: false; readonly reason: string };
