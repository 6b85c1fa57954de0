import type { EnvironmentOverlay } from '../schema';
import { guaranteed, sized } from '../sizes';

/** Production: several replicas spread across nodes, PodDisruptionBudgets, TLS, persistent Redis on replicated storage. */
export const prod: EnvironmentOverlay = {
  name: 'prod',
  // Pulumi: the Secrets come from encrypted stack config, and `pulumi destroy` keeps the namespaces (docs/delivery.md);
  // the objects holding data are protected: a destroy or a replacing update of one fails (docs/stateful.md).
  delivery: { engine: 'pulumi', pulumi: { protectData: true } },
  // Every start checks the registry: a re-pushed or revoked image never runs from a node's cache.
  imagePullPolicy: 'Always',
  nodes: 3,
  // validate requires a backup of every data store here.
  production: true,
  storageClass: 'replicated',
  ingress: { awaitLoadBalancer: true },
  // TLS everywhere from cert-manager: internal endpoints from the environment CA; public hosts from
  // the cluster's ACME ClusterIssuer (a prerequisite with a DNS-01 solver, docs/security-tls.md).
  certificates: { source: 'cert-manager', ingressIssuer: { type: 'cluster-issuer', name: 'letsencrypt-prod' } },
  cluster: { apiServerCidrs: ['10.10.0.0/24'], nodeCidrs: ['10.10.0.0/16'] },
  dockercoins: [{
    name: 'dockercoins',
    namespace: 'dockercoins',
    host: 'dockercoins.example.com',
    tlsSecretName: 'dockercoins-tls',
    settings: { DEBUG: 'no' },
    availability: { disruptionBudgets: true, spread: 'required' },
    rng: { resources: sized('200m', '48Mi', '1', '96Mi') },
    hasher: {
      resources: sized('200m', '64Mi', '1', '192Mi'),
      autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 },
    },
    worker: { resources: sized('100m', '48Mi', '500m', '96Mi'), replicas: 10 },
    webui: { resources: sized('100m', '64Mi', '500m', '192Mi'), replicas: 3 },
    redis: { resources: guaranteed('500m', '512Mi'), persistence: { size: '5Gi' } },
    quota: {
      requests: { cpu: '8', memory: '8Gi', ephemeralStorage: '10Gi' },
      limits: { cpu: '32', memory: '16Gi', ephemeralStorage: '20Gi' },
      pods: 50,
      persistentVolumeClaims: 2,
      storage: '20Gi',
    },
    limitRange: {
      defaultRequest: { cpu: '100m', memory: '64Mi', ephemeralStorage: '64Mi' },
      defaultLimit: { cpu: '500m', memory: '256Mi', ephemeralStorage: '512Mi' },
      max: { cpu: '4', memory: '4Gi', ephemeralStorage: '2Gi' },
    },
  }],
  stateful: {
    // The course's replicated class: each volume has replicas on other nodes,
    // so a node loss does not lose a claim. Retained when a claim is deleted.
    storageClasses: [{
      name: 'replicated',
      provisioner: 'driver.longhorn.io',
      parameters: { numberOfReplicas: '3', staleReplicaTimeout: '30', fsType: 'ext4' },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    }],
    consul: {
      replicas: 3,
      // One server per node: a node loss costs at most one vote.
      antiAffinity: 'required',
      resources: sized('250m', '256Mi', '1', '512Mi'),
      storage: { size: '10Gi' },
    },
    postgres: {
      resources: guaranteed('1', '2Gi', '256Mi', '1Gi'),
      storage: { size: '50Gi' },
      shmSize: '512Mi',
    },
    quota: {
      // Backups and drills (docs/stateful.md) add up to four CronJob pods and two setup Jobs.
      requests: { cpu: '5', memory: '6Gi', ephemeralStorage: '4Gi' },
      limits: { cpu: '12', memory: '8Gi', ephemeralStorage: '12Gi' },
      pods: 16,
      persistentVolumeClaims: 8,
      storage: '100Gi',
    },
    limitRange: {
      defaultRequest: { cpu: '100m', memory: '64Mi', ephemeralStorage: '64Mi' },
      defaultLimit: { cpu: '500m', memory: '256Mi', ephemeralStorage: '512Mi' },
      max: { cpu: '2', memory: '4Gi', ephemeralStorage: '2Gi' },
    },
  },
  edge: {
    traefik: {
      mode: 'loadBalancer',
      // The load balancer reaches Traefik through the nodes (node CIDRs): only their X-Forwarded-* headers are kept.
      forwardedHeaders: { trustedIPs: ['10.10.0.0/16'] },
      resources: sized('250m', '256Mi', '2', '512Mi'),
      loadBalancer: { replicas: 3, spread: 'required' },
      dashboard: 'disabled',
    },
    monitoring: {
      prometheus: {
        resources: sized('500m', '2Gi', '2', '4Gi'),
        retention: '30d',
        storage: { type: 'persistentVolumeClaim', size: '50Gi' },
        // No ingressHost: Prometheus has no authentication, so in production
        // its UI is reached with `kubectl port-forward` (docs/edge-and-monitoring.md).
      },
      nodeExporter: { resources: sized('50m', '32Mi', '250m', '96Mi') },
      kubeStateMetrics: { resources: sized('100m', '128Mi', '500m', '512Mi') },
      metricsServer: { enabled: false, resources: sized('100m', '128Mi', '500m', '256Mi') },
    },
  },
  logging: {
    // Log indices are deleted 30 days after they were created (ILM).
    retention: '30d',
    // Three master-eligible data nodes (quorum 2), one per Kubernetes node.
    elasticsearch: { nodes: 3, heap: '2Gi', resources: sized('1', '4Gi', '2', '4Gi', '512Mi', '2Gi'), storage: { size: '50Gi' },
      // Nightly snapshots to a claim every node mounts: three nodes need ReadWriteMany (Longhorn RWX
      // volumes, an NFS share per volume); for a copy outside the cluster, use type: s3 (docs/stateful.md).
      snapshots: { repository: { type: 'fs', size: '100Gi', accessMode: 'ReadWriteMany' }, retention: { expireAfter: '30d', minCount: 7, maxCount: 60 } },
    },
    fluentBit: { resources: sized('100m', '128Mi', '1', '512Mi'), tolerations: [{ operator: 'Exists' }] },
    kibana: { replicas: 2, host: 'kibana.example.com', tlsSecretName: 'kibana-tls', resources: sized('250m', '1Gi', '2', '2Gi', '64Mi', '512Mi') },
  },
  // Postgres metrics (pg_up, connections, sizes) for Prometheus; Redis and the
  // DockerCoins mining rate (hashes, wallet) from each instance's Redis.
  exporters: {
    postgres: { resources: sized('50m', '32Mi', '250m', '128Mi') },
    redis: { resources: sized('20m', '32Mi', '200m', '64Mi', '16Mi', '64Mi') },
    // Elasticsearch health, indexing, heap and disk, as a monitor-only user
    // (password: Secret elasticsearch-monitoring-credentials, dockercoins:elasticMonitoringPassword).
    elasticsearch: { resources: sized('50m', '32Mi', '250m', '128Mi') },
  },
  // Three clustered Alertmanagers, one per node: notifications survive the
  // loss of two nodes (gossip needs no quorum). Critical alerts page on-call,
  // the others go to the team; both URLs come from the Secret
  // alertmanager-receivers (dockercoins:alertmanagerOncallWebhookUrl,
  // dockercoins:alertmanagerTeamWebhookUrl).
  alerting: {
    replicas: 3,
    antiAffinity: 'required',
    resources: sized('50m', '64Mi', '250m', '128Mi'),
    receivers: [{ name: 'team', webhook: {} }, { name: 'oncall', webhook: {} }],
    route: { receiver: 'team', routes: [{ receiver: 'oncall', matchers: ['severity="critical"'] }] },
  },
  // Dashboards over Prometheus (DockerCoins, platform, cluster), provisioned from the model,
  // over TLS; the admin password is the Secret grafana-admin (dockercoins:grafanaAdminPassword).
  grafana: {
    host: 'grafana.example.com',
    tlsSecretName: 'grafana-tls',
    resources: sized('200m', '256Mi', '1', '512Mi', '64Mi', '512Mi'),
  },
  // Nightly Postgres dumps and Consul snapshots to an S3-compatible bucket off the cluster (a claim would
  // share the cluster's fate), 14 kept; weekly restore drills. Prerequisites (docs/stateful.md): the bucket,
  // an access key limited to s3:ListBucket, GetObject, PutObject and DeleteObject under the prefix, given as
  // dockercoins:backupsS3AccessKeyId / dockercoins:backupsS3SecretAccessKey, and the endpoint's addresses below.
  backups: {
    target: { type: 's3', endpoint: 'https://s3.backup.example.com', bucket: 'dockercoins-prod-backups', prefix: 'prod', region: 'eu-west-1', cidr: '10.20.0.0/24' },
    postgres: { keep: 14 },
    consul: { keep: 14 },
    drills: {},
  },
  // In-cluster gate: the rule table's CEL checks as ValidatingAdmissionPolicies (needs Kubernetes >= 1.30; docs/policy-gates.md).
  admission: {},
};
