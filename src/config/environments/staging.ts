import type { EnvironmentOverlay } from '../schema';
import { guaranteed, sized } from '../sizes';

/** A shared pre-production cluster: blue and green instances, two replicas where it matters, persistent Redis, production-like policies. */
export const staging: EnvironmentOverlay = {
  name: 'staging',
  // The shared cluster syncs from Git with Argo CD (one Application per chart; docs/delivery.md).
  delivery: { engine: 'argocd', repository: { url: 'https://git.example.com/platform/dockercoins.git' } },
  // Every start checks the registry: a re-pushed or revoked image never runs from a node's cache.
  imagePullPolicy: 'Always',
  nodes: 2,
  storageClass: 'standard',
  // The managed cluster's own class (not created here).
  clusterStorageClasses: ['standard'],
  ingress: { awaitLoadBalancer: true },
  // TLS everywhere from cert-manager: the environment CA signs the hosts and every internal endpoint (docs/security-tls.md).
  certificates: { source: 'cert-manager' },
  cluster: { apiServerCidrs: ['10.0.0.0/16'], nodeCidrs: ['10.0.0.0/16'] },
  dockercoins: [instance('blue'), instance('green')],
  stateful: {
    consul: {
      replicas: 3,
      // Exercises the Kubernetes auto-join provider (Role: pods get/list) before production relies on DNS join.
      join: 'kubernetes',
      // Two nodes for three servers: spread as far as possible.
      antiAffinity: 'preferred',
      resources: sized('100m', '128Mi', '500m', '256Mi'),
      storage: { size: '2Gi' },
    },
    postgres: {
      resources: guaranteed('500m', '512Mi'),
      storage: { size: '5Gi' },
      shmSize: '128Mi',
    },
    quota: {
      requests: { cpu: '2', memory: '2Gi', ephemeralStorage: '2Gi' },
      // Backups and drills (docs/stateful.md) add up to four CronJob pods and two setup Jobs.
      limits: { cpu: '8', memory: '4Gi', ephemeralStorage: '8Gi' },
      pods: 14,
      persistentVolumeClaims: 6,
      storage: '20Gi',
    },
    limitRange: {
      defaultRequest: { cpu: '50m', memory: '32Mi', ephemeralStorage: '64Mi' },
      defaultLimit: { cpu: '250m', memory: '128Mi', ephemeralStorage: '256Mi' },
      max: { cpu: '2', memory: '2Gi', ephemeralStorage: '1Gi' },
    },
  },
  edge: {
    traefik: {
      mode: 'loadBalancer',
      // The load balancer reaches Traefik through the nodes (node CIDRs): only their X-Forwarded-* headers are kept.
      forwardedHeaders: { trustedIPs: ['10.0.0.0/16'] },
      resources: sized('100m', '128Mi', '1', '256Mi'),
      loadBalancer: { replicas: 2, spread: 'preferred' },
      dashboard: 'port-forward-only',
    },
    monitoring: {
      prometheus: {
        resources: sized('250m', '1Gi', '1', '2Gi'),
        retention: '15d',
        storage: { type: 'persistentVolumeClaim', size: '20Gi' },
        ingressHost: 'prometheus.staging.example.com',
      },
      nodeExporter: { resources: sized('20m', '32Mi', '200m', '64Mi') },
      kubeStateMetrics: { resources: sized('50m', '64Mi', '250m', '256Mi') },
      // The managed cluster ships its own metrics-server.
      metricsServer: { enabled: false, resources: sized('100m', '128Mi', '500m', '256Mi') },
    },
  },
  logging: {
    // Two Kubernetes nodes cannot host a three-node cluster with required anti-affinity: one node.
    // Log indices are deleted 7 days after they were created (ILM).
    retention: '7d',
    elasticsearch: { nodes: 1, heap: '1Gi', resources: sized('500m', '2Gi', '2', '2Gi', '256Mi', '1Gi'), storage: { size: '20Gi' },
      // Nightly snapshots of the log indices to a claim (one node: ReadWriteOnce is enough), kept 14 days.
      snapshots: { repository: { type: 'fs', size: '20Gi' }, retention: { expireAfter: '14d', minCount: 3, maxCount: 30 } },
    },
    fluentBit: { resources: sized('50m', '64Mi', '500m', '256Mi'), tolerations: [{ operator: 'Exists' }] },
    kibana: { replicas: 1, host: 'kibana.staging.example.com', resources: sized('200m', '768Mi', '1', '1Gi', '64Mi', '512Mi') },
  },
  // Postgres metrics (pg_up, connections, sizes) for Prometheus; Redis and the
  // DockerCoins mining rate (hashes, wallet) from each instance's Redis.
  exporters: {
    postgres: { resources: sized('20m', '32Mi', '200m', '64Mi') },
    redis: { resources: sized('10m', '16Mi', '100m', '64Mi', '16Mi', '64Mi') },
    // Elasticsearch health, indexing, heap and disk, as a monitor-only user
    // (password: Secret elasticsearch-monitoring-credentials, dockercoins:elasticMonitoringPassword).
    elasticsearch: { resources: sized('20m', '32Mi', '200m', '64Mi') },
  },
  // Two clustered Alertmanagers (one per node where possible): either can go
  // while the other notifies. The team's webhook URL is the Secret key
  // alertmanager-receivers/team-webhook-url (dockercoins:alertmanagerTeamWebhookUrl).
  alerting: {
    replicas: 2,
    antiAffinity: 'preferred',
    resources: sized('20m', '32Mi', '200m', '128Mi'),
    receivers: [{ name: 'team', webhook: {} }],
    route: { receiver: 'team' },
  },
  // Dashboards over Prometheus (DockerCoins, platform, cluster), provisioned from the model;
  // the admin password is the Secret grafana-admin (dockercoins:grafanaAdminPassword).
  grafana: {
    host: 'grafana.staging.example.com',
    resources: sized('100m', '128Mi', '1', '512Mi', '64Mi', '512Mi'),
  },
  // In-cluster gate: the rule table's CEL checks as ValidatingAdmissionPolicies (needs Kubernetes >= 1.30; docs/policy-gates.md).
  // Nightly dumps and snapshots on a claim of the data namespace (a pre-production cluster needs no
  // off-cluster copy), 7 kept; weekly restore drills prove them before production relies on the same CronJobs.
  backups: {
    target: { type: 'claim', size: '5Gi' },
    postgres: {},
    consul: {},
    drills: {},
  },
  admission: {},
};

/**
 * One DockerCoins instance of staging. Staging runs two side by side, `blue` and
 * `green`, as the course does: each has its own namespace, quota, host and
 * network isolation, so a new version can be tried on one while the other serves.
 */
function instance(name: string): EnvironmentOverlay['dockercoins'][number] {
  return {
    name,
    namespace: name,
    host: `${name}.dockercoins.staging.example.com`,
    settings: { DEBUG: 'no' },
    availability: { disruptionBudgets: true, spread: 'preferred' },
    rng: { resources: sized('100m', '32Mi', '500m', '64Mi') },
    hasher: {
      resources: sized('100m', '48Mi', '500m', '128Mi'),
      autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuUtilization: 70 },
    },
    worker: { resources: sized('50m', '32Mi', '250m', '64Mi'), replicas: 2 },
    webui: { resources: sized('50m', '48Mi', '250m', '128Mi'), replicas: 2 },
    redis: { resources: guaranteed('100m', '128Mi'), persistence: { size: '1Gi' } },
    quota: {
      requests: { cpu: '4', memory: '4Gi', ephemeralStorage: '4Gi' },
      limits: { cpu: '8', memory: '8Gi', ephemeralStorage: '8Gi' },
      pods: 30,
      persistentVolumeClaims: 2,
      storage: '5Gi',
    },
    limitRange: {
      defaultRequest: { cpu: '50m', memory: '32Mi', ephemeralStorage: '64Mi' },
      defaultLimit: { cpu: '250m', memory: '128Mi', ephemeralStorage: '256Mi' },
      max: { cpu: '2', memory: '2Gi', ephemeralStorage: '1Gi' },
    },
  };
}
