import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { exemptionAnnotations } from '../lib/audit-exemptions';
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { WorkloadNetworkPolicy } from '../lib/network';
import { ClusterService } from '../lib/service';
import { ContainerResources, ImageRef, KubeletTlsVerification } from '../lib/types';
import { INSECURE_SKIP_VERIFY_REASON_ANNOTATION } from '../lib/verification-annotations';
import { HardenedDeployment } from '../lib/workload';
import { NOBODY } from '../lib/security';

export interface MetricsServerProps {
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /**
   * Verify kubelet serving certificates, or skip it (`--kubelet-insecure-tls`)
   * with the reason, e.g. kubelets that serve self-signed certificates
   * (kubeadm without serverTLSBootstrap, kind). The reason is a pod annotation.
   */
  readonly kubeletTls: KubeletTlsVerification;
  /** API server endpoints: it authenticates requests and serves the aggregated API to them. */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly port: number };
  /** Node addresses (kubelets are scraped on 10250). */
  readonly nodeCidrs: readonly string[];
}

/** Upstream installs metrics-server in kube-system; the RBAC below names it there. */
export const METRICS_SERVER_NAMESPACE = 'kube-system';
const PORT = 10250;
const KUBELET_PORT = 10250;

/**
 * metrics-server: the `metrics.k8s.io` resource metrics API that `kubectl top`
 * and CPU HorizontalPodAutoscalers (the hasher) read. Objects as upstream's
 * components.yaml (v0.7.x): Deployment, Service, APIService, RBAC (including
 * the aggregated `system:aggregated-metrics-reader`, auth-delegator and
 * extension-apiserver-authentication-reader bindings), with restricted pod
 * settings and a NetworkPolicy.
 */
export class MetricsServer extends Construct {
  constructor(scope: Construct, id: string, props: MetricsServerProps) {
    super(scope, id);
    const ns = METRICS_SERVER_NAMESPACE;
    const name = 'metrics-server';
    const identity: ComponentIdentity = { name, instance: name, component: 'metrics-api', partOf: 'monitoring', version: props.image.tag };
    const labels = recommendedLabels(this, identity);
    const deployment = new HardenedDeployment(this, 'Deployment', {
      identity,
      tier: 'monitoring',
      namespace: ns,
      // The image's own USER 65534 (distroless nonroot); it writes only its serving certificate to /tmp.
      runAs: NOBODY,
      qos: 'Burstable',
      replicas: 1,
      terminationGracePeriodSeconds: 30,
      automountServiceAccountToken: true,
      apiAccessReason: 'an aggregated API server: it reads nodes and pods and delegates authentication and authorization to the API server',
      // An add-on the control plane depends on (HPAs): scheduled before ordinary pods.
      priorityClassName: 'system-cluster-critical',
      podAnnotations: props.kubeletTls.verify ? undefined : { [INSECURE_SKIP_VERIFY_REASON_ANNOTATION]: props.kubeletTls.reason },
      containers: [{
        name,
        image: props.image,
        args: [
          '--cert-dir=/tmp',
          `--secure-port=${PORT}`,
          '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
          '--kubelet-use-node-status-port',
          '--metric-resolution=15s',
          ...(props.kubeletTls.verify ? [] : ['--kubelet-insecure-tls']),
        ],
        ports: [{ name: 'https', containerPort: PORT }],
        resources: props.resources,
        probes: {
          readiness: { check: { http: { path: '/readyz', port: 'https', scheme: 'HTTPS' } }, timings: { initialDelaySeconds: 20, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
          liveness: { check: { http: { path: '/livez', port: 'https', scheme: 'HTTPS' } }, timings: { initialDelaySeconds: 20, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
        },
        writablePaths: [{ path: '/tmp' }], // self-signed serving certificate
      }],
    });
    const sa = { kind: 'ServiceAccount', name: deployment.pod.serviceAccountName, namespace: ns };

    new ClusterService(this, 'Service', {
      name, namespace: ns, labels, selector: deployment.pod.selector,
      ports: [{ name: 'https', port: 443, targetPort: 'https' }],
    });
    new k8s.KubeApiService(this, 'ApiService', {
      metadata: {
        name: 'v1beta1.metrics.k8s.io',
        labels,
        annotations: { [INSECURE_SKIP_VERIFY_REASON_ANNOTATION]: 'metrics-server generates a self-signed serving certificate at start (--cert-dir=/tmp), as upstream components.yaml; no CA bundle exists to verify it with' },
      },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        service: { name, namespace: ns, port: 443 },
        // The serving certificate is self-signed in /tmp (upstream default).
        insecureSkipTlsVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });

    // Who may read resource metrics: aggregated into the built-in view/edit/admin roles.
    new k8s.KubeClusterRole(this, 'AggregatedReader', {
      metadata: {
        name: 'system:aggregated-metrics-reader',
        labels: {
          ...labels,
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
        },
      },
      rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
    });
    // What metrics-server reads: kubelet metrics, and nodes/pods to find them.
    new k8s.KubeClusterRole(this, 'Role', {
      metadata: { name: 'system:metrics-server', labels },
      rules: [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'RoleBinding', {
      metadata: { name: 'system:metrics-server', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:metrics-server' },
      subjects: [sa],
    });
    // Delegated authentication and authorisation of the API server's requests.
    // Both bindings name roles every API server creates (system:auth-delegator,
    // kube-system/extension-apiserver-authentication-reader): Polaris looks for
    // the bound role among the audited files and fails them without it.
    const builtIn = (role: string, checks: readonly string[]) => exemptionAnnotations(checks.map(check => ({
      tool: 'polaris' as const, check, reason: `${role} is a role the API server creates itself (bootstrap RBAC), so it is not in the manifests`,
    })));
    new k8s.KubeClusterRoleBinding(this, 'AuthDelegator', {
      metadata: {
        name: 'metrics-server:system:auth-delegator', labels,
        annotations: builtIn('the ClusterRole system:auth-delegator', ['clusterrolebindingClusterAdmin', 'clusterrolebindingPodExecAttach']),
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [sa],
    });
    new k8s.KubeRoleBinding(this, 'AuthReader', {
      metadata: {
        name: 'metrics-server-auth-reader', namespace: ns, labels,
        annotations: builtIn('the Role kube-system/extension-apiserver-authentication-reader', ['rolebindingClusterAdminRole', 'rolebindingRolePodExecAttach']),
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [sa],
    });

    const apiServer = props.apiServer.cidrs.map(cidr => ({ cidr }));
    new WorkloadNetworkPolicy(this, 'Policy', {
      name,
      namespace: ns,
      labels,
      podSelector: deployment.pod.selector,
      // The API server proxies metrics.k8s.io requests (and the kubelet probes, which policies never block).
      ingress: [{ peers: [...apiServer, ...props.nodeCidrs.map(cidr => ({ cidr }))], ports: [{ port: PORT }] }],
      egress: [
        { peers: props.nodeCidrs.map(cidr => ({ cidr })), ports: [{ port: KUBELET_PORT }] },
        { peers: apiServer, ports: [{ port: props.apiServer.port }] },
      ],
    });
  }
}
