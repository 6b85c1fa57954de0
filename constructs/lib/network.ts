import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { intOrString } from './probes';
import { exemptionAnnotations } from './audit-exemptions';

/** Where traffic comes from or goes to. */
export type PeerSpec =
  /** Pods with these labels, in the policy's namespace or in `namespace`. */
  | { readonly pods: Readonly<Record<string, string>>; readonly namespace?: string }
  /** Any pod of a namespace. */
  | { readonly namespace: string }
  /** Addresses outside the pod network (nodes, the API server, the internet). */
  | { readonly cidr: string; readonly except?: readonly string[] };

/** A port of a rule. */
export interface PortSpec {
  readonly port: number | string;
  /** @default TCP */
  readonly protocol?: 'TCP' | 'UDP';
  /** Last port of a range. @default - a single port */
  readonly endPort?: number;
}

/** One allow rule: any of the peers, on any of the ports. */
export interface NetworkRule {
  readonly peers: readonly PeerSpec[];
  readonly ports: readonly PortSpec[];
}

/** The cluster DNS pods (CoreDNS keeps the historic kube-dns label). */
export const CLUSTER_DNS: PeerSpec = { namespace: 'kube-system', pods: { 'k8s-app': 'kube-dns' } };

export interface WorkloadNetworkPolicyProps {
  /** Policy name (usually the workload's). */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Selects the workload's pods. */
  readonly podSelector: Record<string, string>;
  /** Allowed inbound traffic. @default - none */
  readonly ingress?: readonly NetworkRule[];
  /** Allowed outbound traffic. @default - none */
  readonly egress?: readonly NetworkRule[];
  /**
   * Allow DNS (UDP and TCP 53) to the cluster DNS. A pod under an egress policy
   * cannot resolve names otherwise.
   * @default - true when `egress` has rules
   */
  readonly dns?: boolean;
  /**
   * Why the policy selects pods that this model does not render (e.g. client
   * pods an operator starts with a label). Rendered as the annotation
   * `EXTERNAL_PODS_ANNOTATION`, for reviewers and validators.
   * @default - the policy selects pods of the model
   */
  readonly selectsExternalPodsBecause?: string;
}

import { EXTERNAL_PODS_ANNOTATION } from './network-annotations';
export { EXTERNAL_PODS_ANNOTATION };

/**
 * The allow-list of one workload, on top of its namespace's default deny. It
 * always declares both policy types, so "no rules" means "nothing allowed".
 */
export class WorkloadNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadNetworkPolicyProps) {
    super(scope, id);
    const egress = [...(props.egress ?? [])];
    if (props.dns ?? egress.length > 0) {
      egress.push({ peers: [CLUSTER_DNS], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] });
    }
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        // kube-score's networkpolicy-targets-pod looks for the selected pods in the
        // manifests; these pods are created elsewhere, so it is told, with the reason.
        annotations: props.selectsExternalPodsBecause ? {
          [EXTERNAL_PODS_ANNOTATION]: props.selectsExternalPodsBecause,
          ...exemptionAnnotations([{ tool: 'kube-score', check: 'networkpolicy-targets-pod', reason: props.selectsExternalPodsBecause }]),
        } : undefined,
      },
      spec: {
        podSelector: { matchLabels: props.podSelector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: (props.ingress ?? []).map(r => ({ from: r.peers.map(renderPeer), ports: r.ports.map(renderPort) })),
        egress: egress.map(r => ({ to: r.peers.map(renderPeer), ports: r.ports.map(renderPort) })),
      },
    });
  }
}

/** Denies all ingress and egress for every pod of a namespace; workloads then allow what they need. */
export class DefaultDenyPolicy extends Construct {
  constructor(scope: Construct, id: string, props: { namespace: string; labels: Record<string, string> }) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: 'default-deny', namespace: props.namespace, labels: props.labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}

/** Selects a namespace by the label Kubernetes sets on every namespace. */
export function namespaceSelector(namespace: string): k8s.LabelSelector {
  return { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
}

function renderPeer(peer: PeerSpec): k8s.NetworkPolicyPeer {
  if ('cidr' in peer) return { ipBlock: { cidr: peer.cidr, except: peer.except ? [...peer.except] : undefined } };
  if ('pods' in peer) {
    return {
      podSelector: { matchLabels: { ...peer.pods } },
      namespaceSelector: peer.namespace ? namespaceSelector(peer.namespace) : undefined,
    };
  }
  return { namespaceSelector: namespaceSelector(peer.namespace) };
}

function renderPort(port: PortSpec): k8s.NetworkPolicyPort {
  return { port: intOrString(port.port), protocol: port.protocol ?? 'TCP', endPort: port.endPort };
}

/**
 * Pods of a namespace and one of their ports: a backend an ingress controller
 * routes to, or a target a metrics server scrapes. Components publish these so
 * that the caller's egress policy and the callee's ingress policy agree.
 */
export interface PodPortRef {
  readonly namespace: string;
  /** Stable selector labels of the pods. */
  readonly pods: Readonly<Record<string, string>>;
  /** Container port (number or name). */
  readonly port: number | string;
  /** @default TCP */
  readonly protocol?: 'TCP' | 'UDP';
}

/** One rule per reference: the pods, in their namespace, on their port. */
export function rulesToPods(refs: readonly PodPortRef[]): NetworkRule[] {
  return refs.map(r => ({ peers: [{ pods: r.pods, namespace: r.namespace }], ports: [{ port: r.port, protocol: r.protocol }] }));
}
