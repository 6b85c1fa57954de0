import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { ComponentIdentity, recommendedLabels, selectorLabels } from '../lib/labels';
import { PeerSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ContainerResources, ImageRef } from '../lib/types';
import { HardenedDaemonSet, HardenedDeployment } from '../lib/workload';
import { NOBODY } from '../lib/security';

const scrapeAnnotations = (port: number) => ({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });

export interface NodeExporterProps {
  /** A namespace whose Pod Security level is privileged (host namespaces and hostPath). */
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
}

export const NODE_EXPORTER_PORT = 9100;
export const NODE_EXPORTER_IDENTITY = { name: 'node-exporter', instance: 'node-exporter' } as const;

/**
 * Prometheus node-exporter on every node. It reports the node, not the pod:
 * host network (node network statistics, scraped on the node address) and
 * host PID (node processes), with /proc, /sys and / of the node mounted
 * read-only. It listens on the node's own address only, as nobody, with no
 * capabilities. NetworkPolicies do not apply to host-network pods, so the
 * scraper's egress policy (node CIDRs, port 9100) is the control.
 */
export class NodeExporter extends Construct {
  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    const identity: ComponentIdentity = { ...NODE_EXPORTER_IDENTITY, component: 'node-agent', partOf: 'monitoring', version: props.image.tag };
    const check = { http: { path: '/', port: NODE_EXPORTER_PORT } };
    new HardenedDaemonSet(this, 'DaemonSet', {
      identity,
      tier: 'node-agent',
      namespace: props.namespace,
      runAs: NOBODY,
      qos: 'Burstable',
      terminationGracePeriodSeconds: 10,
      // Every node, whatever its taints: a node without metrics is invisible.
      tolerations: [{ operator: 'Exists' }],
      podAnnotations: scrapeAnnotations(NODE_EXPORTER_PORT),
      hostAccess: {
        reason: 'node-exporter reports node metrics: host network for the node\'s interfaces, host PID for its processes, '
          + 'and /proc, /sys and / of the node mounted read-only.',
        network: true,
        pid: true,
        paths: [
          { name: 'proc', hostPath: '/proc', mountPath: '/host/proc' },
          { name: 'sys', hostPath: '/sys', mountPath: '/host/sys' },
          // Filesystems mounted on the node after the pod started must show up too.
          { name: 'root', hostPath: '/', mountPath: '/host/root', mountPropagation: 'HostToContainer' },
        ],
        runtimeSocketReason: 'the node\'s root filesystem is mounted read-only for filesystem metrics; the runtime sockets under it are '
          + 'owned by root and node-exporter runs as uid 65534 with no capabilities, so it cannot connect to them.',
      },
      containers: [{
        name: 'node-exporter',
        image: props.image,
        args: [
          '--path.procfs=/host/proc',
          '--path.sysfs=/host/sys',
          '--path.rootfs=/host/root',
          // The node's own address, not every interface of the host.
          `--web.listen-address=$(HOST_IP):${NODE_EXPORTER_PORT}`,
          '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)',
        ],
        envFrom: [{ name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
        ports: [{ name: 'metrics', containerPort: NODE_EXPORTER_PORT }],
        resources: props.resources,
        probes: {
          readiness: { check, timings: { initialDelaySeconds: 2, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
          // Readiness: the landing page answers; liveness: the port accepts connections (a slow collector makes pages slow, not the process dead).
          liveness: { check: { tcp: { port: NODE_EXPORTER_PORT } }, timings: { initialDelaySeconds: 10, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 } },
        },
      }],
    });
  }
}

export interface KubeStateMetricsProps {
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Who may scrape port 8080. */
  readonly scrapers: readonly PeerSpec[];
  readonly apiServer: { readonly cidrs: readonly string[]; readonly port: number };
}

export const KUBE_STATE_METRICS_PORT = 8080;
export const KUBE_STATE_METRICS_IDENTITY = { name: 'kube-state-metrics', instance: 'kube-state-metrics' } as const;

/**
 * The object kinds kube-state-metrics reports, by API group. `--resources`
 * and the ClusterRole both come from this list, so it can never watch more
 * than it reports. Secrets and ConfigMaps are left out on purpose.
 */
export const KUBE_STATE_METRICS_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  '': ['namespaces', 'nodes', 'persistentvolumeclaims', 'persistentvolumes', 'pods', 'resourcequotas', 'services'],
  'apps': ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
  'autoscaling': ['horizontalpodautoscalers'],
  'batch': ['cronjobs', 'jobs'],
  'networking.k8s.io': ['ingresses'],
  'policy': ['poddisruptionbudgets'],
};

/** kube-state-metrics: metrics about cluster objects (rollouts, HPA state, pod phases). Restricted. */
export class KubeStateMetrics extends Construct {
  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    const ns = props.namespace;
    const identity: ComponentIdentity = { ...KUBE_STATE_METRICS_IDENTITY, component: 'exporter', partOf: 'monitoring', version: props.image.tag };
    const labels = recommendedLabels(this, identity);
    const resources = Object.values(KUBE_STATE_METRICS_RESOURCES).flat().sort();
    const deployment = new HardenedDeployment(this, 'Deployment', {
      identity,
      tier: 'monitoring',
      namespace: ns,
      runAs: NOBODY,
      qos: 'Burstable',
      replicas: 1,
      terminationGracePeriodSeconds: 30,
      automountServiceAccountToken: true,
      apiAccessReason: 'kube-state-metrics lists and watches the objects it reports (ClusterRole: list/watch)',
      podAnnotations: scrapeAnnotations(KUBE_STATE_METRICS_PORT),
      containers: [{
        name: 'kube-state-metrics',
        image: props.image,
        args: [`--port=${KUBE_STATE_METRICS_PORT}`, '--telemetry-port=8081', `--resources=${resources.join(',')}`],
        ports: [{ name: 'http-metrics', containerPort: KUBE_STATE_METRICS_PORT }, { name: 'telemetry', containerPort: 8081 }],
        resources: props.resources,
        probes: {
          readiness: { check: { http: { path: '/readyz', port: 'telemetry' } }, timings: { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 } },
          liveness: { check: { http: { path: '/livez', port: 'http-metrics' } }, timings: { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 } },
        },
      }],
    });
    const roleName = `kube-state-metrics-${ns}`;
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: roleName, labels },
      rules: Object.entries(KUBE_STATE_METRICS_RESOURCES).map(([group, kinds]) => ({ apiGroups: [group], resources: [...kinds], verbs: ['list', 'watch'] })),
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: roleName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: deployment.pod.serviceAccountName, namespace: ns }],
    });
    new WorkloadNetworkPolicy(this, 'Policy', {
      name: 'kube-state-metrics',
      namespace: ns,
      labels,
      podSelector: selectorLabels(identity),
      ingress: [{ peers: props.scrapers, ports: [{ port: KUBE_STATE_METRICS_PORT }] }],
      egress: [{ peers: props.apiServer.cidrs.map(cidr => ({ cidr })), ports: [{ port: props.apiServer.port }] }],
    });
  }
}
