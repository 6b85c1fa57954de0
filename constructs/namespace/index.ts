import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { DefaultDenyPolicy } from '../lib/network';
import { resourceQuantities } from '../lib/resources';
import { ResourceAmounts } from '../lib/types';

/** Pod Security Standards level enforced on a namespace: the one definition (src/analysis/pod-security.ts re-exports it). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** Aggregate limits of a namespace (ResourceQuota `hard`). */
export interface QuotaSpec {
  /** Sum of container requests. */
  readonly requests: ResourceAmounts;
  /** Sum of container limits. */
  readonly limits: ResourceAmounts;
  /** Maximum number of pods. */
  readonly pods: number;
  /** Maximum number of PersistentVolumeClaims. */
  readonly persistentVolumeClaims: number;
  /** Sum of storage requested by claims, e.g. `20Gi`. */
  readonly storage: string;
}

/** Per-container defaults and bounds (LimitRange) for pods created outside this model, e.g. `kubectl run`. */
export interface LimitRangeSpec {
  readonly defaultRequest: ResourceAmounts;
  readonly defaultLimit: ResourceAmounts;
  readonly max: ResourceAmounts;
}

export interface ProductionNamespaceProps {
  /** Namespace name (a DNS label). */
  readonly name: string;
  /** Labels identity of the namespace and its guardrails. */
  readonly identity: ComponentIdentity;
  /** Pod Security level for enforce, audit and warn. */
  readonly podSecurity: PodSecurityLevel;
  /**
   * Why the namespace is less than `restricted`. Required below restricted so
   * the exception is written down next to the code that makes it.
   * @default - none (restricted)
   */
  readonly podSecurityReason?: string;
  /** @default - no ResourceQuota */
  readonly quota?: QuotaSpec;
  /** @default - no LimitRange */
  readonly limitRange?: LimitRangeSpec;
  /** Deny all ingress and egress unless a workload policy allows it. @default true */
  readonly defaultDeny?: boolean;
  /** Create the read-only `viewer` ServiceAccount, bound to the namespace's read-only `viewer` Role (`VIEWER_RULES`). @default false */
  readonly viewer?: boolean;
}

/**
 * What the `viewer` may read (get, list, watch): the namespaced objects the
 * built-in `view` role covers for the kinds this platform runs, without
 * Secrets, and without pods/exec, pods/attach, pods/portforward or proxies.
 */
export const VIEWER_RULES: ReadonlyArray<{ readonly apiGroups: readonly string[]; readonly resources: readonly string[] }> = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'events', 'limitranges', 'persistentvolumeclaims', 'pods', 'pods/log', 'pods/status', 'resourcequotas', 'serviceaccounts', 'services'] },
  { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'] },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'] },
];

/** PSS version pinned so that a cluster upgrade cannot silently change what is enforced. */
export const POD_SECURITY_VERSION = 'v1.27';

/**
 * A namespace with its guardrails: Pod Security labels, ResourceQuota,
 * LimitRange and a default-deny NetworkPolicy. They live together so that they
 * exist before the first pod is admitted.
 */
export class ProductionNamespace extends Construct {
  public readonly name: string;

  /**
   * The namespace named `props.name` under `scope`, created on first use. Lets
   * several components share one namespace (e.g. node agents); a second caller
   * asking for a different Pod Security level is an error.
   */
  public static ensure(scope: Construct, props: ProductionNamespaceProps): ProductionNamespace {
    const existing = scope.node.tryFindChild(`ns-${props.name}`) as ProductionNamespace | undefined;
    if (existing) {
      if (existing.podSecurity !== props.podSecurity) {
        throw new Error(`namespace ${props.name}: requested with pod security "${props.podSecurity}" but already "${existing.podSecurity}"`);
      }
      return existing;
    }
    return new ProductionNamespace(scope, `ns-${props.name}`, props);
  }

  public readonly podSecurity: PodSecurityLevel;

  constructor(scope: Construct, id: string, props: ProductionNamespaceProps) {
    super(scope, id);
    if (props.podSecurity !== 'restricted' && !props.podSecurityReason) {
      throw new Error(`namespace ${props.name}: pod security level "${props.podSecurity}" needs a podSecurityReason`);
    }
    this.name = props.name;
    this.podSecurity = props.podSecurity;
    const labels = recommendedLabels(this, props.identity);
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': props.podSecurity,
          'pod-security.kubernetes.io/enforce-version': POD_SECURITY_VERSION,
          'pod-security.kubernetes.io/audit': props.podSecurity,
          'pod-security.kubernetes.io/audit-version': POD_SECURITY_VERSION,
          'pod-security.kubernetes.io/warn': props.podSecurity,
          'pod-security.kubernetes.io/warn-version': POD_SECURITY_VERSION,
        },
        annotations: props.podSecurityReason ? { 'platform.dockercoins.io/pod-security-reason': props.podSecurityReason } : undefined,
      },
    });
    const q = props.quota;
    if (q) {
      new k8s.KubeResourceQuota(this, 'Quota', {
        metadata: { name: 'quota', namespace: props.name, labels },
        spec: {
          hard: {
            'requests.cpu': k8s.Quantity.fromString(q.requests.cpu),
            'requests.memory': k8s.Quantity.fromString(q.requests.memory),
            'requests.ephemeral-storage': k8s.Quantity.fromString(q.requests.ephemeralStorage),
            'limits.cpu': k8s.Quantity.fromString(q.limits.cpu),
            'limits.memory': k8s.Quantity.fromString(q.limits.memory),
            'limits.ephemeral-storage': k8s.Quantity.fromString(q.limits.ephemeralStorage),
            'pods': k8s.Quantity.fromNumber(q.pods),
            'persistentvolumeclaims': k8s.Quantity.fromNumber(q.persistentVolumeClaims),
            'requests.storage': k8s.Quantity.fromString(q.storage),
          },
        },
      });
    }
    const lr = props.limitRange;
    if (lr) {
      new k8s.KubeLimitRange(this, 'Limits', {
        metadata: { name: 'container-defaults', namespace: props.name, labels },
        spec: { limits: [{ type: 'Container', defaultRequest: resourceQuantities(lr.defaultRequest), default: resourceQuantities(lr.defaultLimit), max: resourceQuantities(lr.max) }] },
      });
    }
    if (props.defaultDeny ?? true) new DefaultDenyPolicy(this, 'DefaultDeny', { namespace: props.name, labels });
    if (props.viewer) {
      new k8s.KubeServiceAccount(this, 'Viewer', {
        metadata: { name: 'viewer', namespace: props.name, labels },
        automountServiceAccountToken: false,
      });
      // A Role of the namespace's own, not the built-in `view` ClusterRole: what
      // the viewer may read is in the manifests (Polaris audits RoleBindings
      // against the roles it can see: rolebindingClusterAdminClusterRole and
      // rolebindingClusterRolePodExecAttach fail on a ClusterRole that is not in
      // the files, rolebindingClusterAdminRole on a namespace without a Role;
      // FairwindsOps/polaris pkg/config/checks/rolebinding*.yaml at 9.6.4), and it
      // does not grow when a CRD aggregates into `view`. The binding has a new
      // name because a RoleBinding's roleRef cannot change.
      new k8s.KubeRole(this, 'ViewerRole', {
        metadata: { name: 'viewer', namespace: props.name, labels },
        rules: VIEWER_RULES.map(r => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: ['get', 'list', 'watch'] })),
      });
      new k8s.KubeRoleBinding(this, 'ViewerBinding', {
        metadata: { name: 'viewer', namespace: props.name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'viewer' },
        subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: props.name }],
      });
    }
  }
}


/** Namespace shared by node agents (node-exporter, log shippers): the one place below `restricted` besides Traefik's hostPort mode. */
export const NODE_AGENTS_NAMESPACE = 'node-agents';

/** Why `node-agents` is privileged: one text for every node agent, whichever component declares the namespace. */
export const NODE_AGENTS_POD_SECURITY_REASON =
  'Node agents (metrics exporters, log shippers) read the node itself: host network and PID namespaces and hostPath mounts, '
  + 'all forbidden by Pod Security baseline. Each agent mounts only what it reads, read-only where it can, runs without '
  + 'privilege escalation and with all capabilities dropped, and states its own reason in a pod annotation. Nothing else runs here.';

/** The node-agents namespace as the components running agents there declare it (identically: it is shared). */
export const NODE_AGENTS_NAMESPACE_OFFER = {
  name: NODE_AGENTS_NAMESPACE,
  field: 'the node agents (node-exporter, Fluent Bit)',
  partOf: 'platform',
  podSecurity: 'privileged' as PodSecurityLevel,
  podSecurityReason: NODE_AGENTS_POD_SECURITY_REASON,
  shared: true,
} as const;
