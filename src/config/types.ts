import type { DockerCoinsProps } from '../../constructs/dockercoins';
import type { LimitRangeSpec, QuotaSpec } from '../../constructs/namespace';
import type { StatefulConfig } from './sections/stateful';
import type { EdgeConfig } from './sections/edge';
import type { LoggingConfig } from './sections/logging';

/**
 * Everything that differs between environments. Constructs hold what is true
 * everywhere (ports, probes, security); this holds sizes, counts, names and hosts.
 */
export interface EnvironmentConfig {
  /** Environment name, a DNS label (`dev`, `staging`, `prod`); also the dist/ folder and the Pulumi stack. */
  readonly name: string;
  /** Planning figure: nodes DaemonSets run on, used to check that quotas fit. */
  readonly nodes: number;
  /** StorageClass for every claim. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /** The ingress controller all Ingresses go through. */
  readonly ingress: IngressConfig;
  /** Addresses outside the pod network that controllers and agents talk to. */
  readonly cluster: ClusterNetworkConfig;
  /** DockerCoins instances, each in its own namespace (the course runs `blue` and `green` side by side). */
  readonly dockercoins: readonly DockerCoinsInstanceConfig[];
  /** Consul, Postgres and StorageClasses (src/config/sections/stateful.ts). @default - none */
  readonly stateful?: StatefulConfig;
  /** Traefik, Prometheus and the optional image registry (src/config/sections/edge.ts). @default - none deployed */
  readonly edge?: EdgeConfig;
  /** Centralized logging (Elasticsearch, Fluent Bit, Kibana). @default - none */
  readonly logging?: LoggingConfig;
}

export interface IngressConfig {
  /** IngressClass name of every Ingress. */
  readonly className: string;
  /** Namespace of the controller pods (allowed through NetworkPolicies). */
  readonly controllerNamespace: string;
  /**
   * Pulumi waits for an Ingress to get a load-balancer address. Set false where
   * the controller does not publish one (hostPort mode), else `pulumi up` hangs.
   */
  readonly awaitLoadBalancer: boolean;
}

/**
 * NetworkPolicies match addresses outside the pod network by CIDR only: the
 * API server and the nodes (kubelet, hostNetwork agents) need their ranges.
 */
export interface ClusterNetworkConfig {
  /** CIDRs of the API server endpoints (`kubectl get endpoints kubernetes`). */
  readonly apiServerCidrs: readonly string[];
  /** Port of the API server endpoints (6443 on most clusters; 443 on some managed ones). */
  readonly apiServerPort: number;
  /** CIDRs of the node addresses. */
  readonly nodeCidrs: readonly string[];
}

/** One DockerCoins stack. */
export interface DockerCoinsInstanceConfig extends Pick<DockerCoinsProps, 'settings' | 'availability' | 'rng' | 'hasher' | 'worker' | 'webui'> {
  /** Instance name (`app.kubernetes.io/instance`), a DNS label, unique in the environment. */
  readonly name: string;
  /** Namespace, a DNS label, unique in the environment. */
  readonly namespace: string;
  /** Host of the web UI Ingress. */
  readonly host: string;
  /** TLS Secret for `host`. @default - no TLS */
  readonly tlsSecretName?: string;
  /** Redis sizing; `persistence` puts its data on a claim of the environment's storage class. */
  readonly redis: DockerCoinsProps['redis'];
  /** Namespace ResourceQuota. */
  readonly quota: QuotaSpec;
  /** Namespace LimitRange (defaults for pods made outside this model). */
  readonly limitRange: LimitRangeSpec;
}
