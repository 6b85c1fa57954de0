import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { intOrString } from './probes';

/** A port a Service exposes. */
export interface ServicePortSpec {
  /** Port name (referenced by Ingresses and policies). */
  readonly name: string;
  /** Port the Service listens on. */
  readonly port: number;
  /** Container port (number or name). @default - same as `port` */
  readonly targetPort?: number | string;
  /** @default TCP */
  readonly protocol?: 'TCP' | 'UDP';
  /** Fixed node port, only for `NodePort`/`LoadBalancer` Services. @default - allocated by the cluster */
  readonly nodePort?: number;
}

export interface ClusterServiceProps {
  /** Service name: the DNS name clients use. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the Service object. */
  readonly labels: Record<string, string>;
  /** Pod labels the Service selects (stable selector labels only). */
  readonly selector: Record<string, string>;
  readonly ports: readonly ServicePortSpec[];
  /** @default ClusterIP */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** Headless (no cluster IP), for StatefulSet pod DNS. @default false */
  readonly headless?: boolean;
  /** Publish addresses of pods before they are ready (cluster peer discovery). @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** @default - none */
  readonly annotations?: Record<string, string>;
}

/** A Service selecting pods by their stable selector labels. */
export class ClusterService extends Construct {
  public readonly object: k8s.KubeService;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ClusterServiceProps) {
    super(scope, id);
    this.name = props.name;
    this.object = new k8s.KubeService(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations },
      spec: {
        type: props.type ?? 'ClusterIP',
        clusterIp: props.headless ? 'None' : undefined,
        publishNotReadyAddresses: props.publishNotReadyAddresses,
        selector: props.selector,
        ports: props.ports.map(p => ({
          name: p.name,
          port: p.port,
          targetPort: intOrString(p.targetPort ?? p.port),
          protocol: p.protocol ?? 'TCP',
          nodePort: p.nodePort,
        })),
      },
    });
  }
}

export interface PeerServiceProps {
  readonly name: string;
  readonly namespace: string;
  /** The StatefulSet's pods: their labels label the Service, their selector selects them. */
  readonly pod: { readonly labels: Record<string, string>; readonly selector: Record<string, string> };
  readonly ports: readonly ServicePortSpec[];
}

/**
 * The headless Service through which the replicas of a clustered StatefulSet
 * (Consul servers, Alertmanager peers) find each other. It publishes pods
 * before they are ready: they become ready only after they have joined (a
 * Consul leader is elected, an Alertmanager gossip mesh has formed).
 */
export class PeerService extends ClusterService {
  constructor(scope: Construct, id: string, props: PeerServiceProps) {
    super(scope, id, {
      name: props.name,
      namespace: props.namespace,
      labels: props.pod.labels,
      selector: props.pod.selector,
      headless: true,
      publishNotReadyAddresses: true,
      ports: props.ports,
    });
  }
}
