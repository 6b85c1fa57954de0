import type { EnvironmentOverlay } from '../schema';
import { guaranteed, sized } from '../sizes';

/** Why dev skips kubelet certificate verification (Prometheus and metrics-server). */
const KIND_KUBELET_TLS = 'laptop cluster (kind, k3d, minikube): kubelets serve self-signed certificates that no cluster CA signs';

/** A laptop cluster (one node): one replica each, small sizes, webui also on a NodePort. */
export const dev: EnvironmentOverlay = {
  name: 'dev',
  // A laptop: kubectl applies dist/dev/ and prunes what the model dropped (ApplySet; docs/delivery.md).
  delivery: { engine: 'kubectl' },
  nodes: 1,
  ingress: { awaitLoadBalancer: false },
  cluster: { apiServerCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], nodeCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
  dockercoins: [{
    name: 'dockercoins',
    namespace: 'dockercoins',
    host: 'dockercoins.localhost',
    settings: { DEBUG: 'yes' },
    availability: { disruptionBudgets: false, spread: 'none' },
    rng: { resources: sized('50m', '32Mi', '250m', '64Mi') },
    hasher: {
      resources: sized('50m', '32Mi', '250m', '96Mi'),
      autoscaling: { minReplicas: 1, maxReplicas: 3, targetCpuUtilization: 80 },
    },
    worker: { resources: sized('25m', '32Mi', '200m', '64Mi'), replicas: 1 },
    webui: { resources: sized('25m', '32Mi', '200m', '96Mi'), replicas: 1, nodePort: 30080 },
    redis: { resources: guaranteed('50m', '64Mi') },
    quota: {
      requests: { cpu: '1', memory: '1Gi', ephemeralStorage: '2Gi' },
      // 5Gi: 4Gi was exactly the full-scale sum, with no room for redis-exporter (64Mi x 2) or a larger worker count.
      limits: { cpu: '4', memory: '2Gi', ephemeralStorage: '5Gi' },
      pods: 20,
      persistentVolumeClaims: 0,
      storage: '0',
    },
    limitRange: {
      defaultRequest: { cpu: '50m', memory: '32Mi', ephemeralStorage: '64Mi' },
      defaultLimit: { cpu: '200m', memory: '128Mi', ephemeralStorage: '256Mi' },
      max: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' },
    },
  }],
  stateful: {
    consul: {
      // One server is enough on a laptop (no fault tolerance, no PDB).
      replicas: 1,
      antiAffinity: 'preferred',
      resources: sized('50m', '64Mi', '250m', '128Mi'),
      storage: { size: '1Gi' },
      ui: { host: 'consul.localhost' },
    },
    postgres: {
      resources: guaranteed('250m', '256Mi'),
      storage: { size: '1Gi' },
      shmSize: '64Mi',
    },
    quota: {
      requests: { cpu: '1', memory: '1Gi', ephemeralStorage: '2Gi' },
      limits: { cpu: '2', memory: '2Gi', ephemeralStorage: '4Gi' },
      pods: 6,
      persistentVolumeClaims: 4,
      storage: '5Gi',
    },
    limitRange: {
      defaultRequest: { cpu: '50m', memory: '32Mi', ephemeralStorage: '64Mi' },
      defaultLimit: { cpu: '200m', memory: '128Mi', ephemeralStorage: '256Mi' },
      max: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' },
    },
  },
  edge: {
    // The course's setup: Traefik binds 80/443 on every node (control plane
    // included); the dashboard is open (dev only: mode hostPort, see
    // src/config/sections/traefik.ts) at http://traefik.localhost/dashboard/.
    traefik: {
      mode: 'hostPort',
      resources: sized('50m', '64Mi', '500m', '192Mi'),
      dashboard: 'insecure',
      dashboardHost: 'traefik.localhost',
    },
    monitoring: {
      prometheus: {
        resources: sized('100m', '256Mi', '1', '1Gi', '256Mi', '3Gi'),
        retention: '2d',
        storage: { type: 'emptyDir', size: '2Gi' },
        ingressHost: 'prometheus.localhost',
        kubeletTls: { verify: false, reason: KIND_KUBELET_TLS },
      },
      nodeExporter: { resources: sized('20m', '24Mi', '200m', '64Mi') },
      kubeStateMetrics: { resources: sized('20m', '48Mi', '200m', '128Mi') },
      // kubeadm/kind clusters have no metrics API (the hasher HPA needs it) and self-signed kubelet certificates.
      // Turn this off on clusters that ship metrics-server (k3s/k3d, minikube addon, Docker Desktop with it installed).
      metricsServer: { enabled: true, resources: sized('50m', '64Mi', '500m', '192Mi'), kubeletTls: { verify: false, reason: KIND_KUBELET_TLS } },
    },
    // The course's registry on node port 30500. To run DockerCoins from images
    // built locally, push them to 127.0.0.1:30500 and set, per service:
    //   rng: { image: dockercoinsImage('rng', 'v0.1', '127.0.0.1:30500'), ... }
    // or with Pulumi: dockercoins:overrides
    //   { dockercoins: [{ name: dockercoins, rng: { image: { registry: "127.0.0.1:30500" } } }] }
    imageRegistry: {
      namespace: 'registry',
      resources: sized('25m', '32Mi', '500m', '256Mi', '64Mi', '3Gi'),
      storage: { type: 'emptyDir', size: '2Gi' },
      nodePort: 30500,
    },
  },
  logging: {
    // Log indices are deleted 3 days after they were created (ILM).
    retention: '3d',
    // Small: one node, 512 MiB heap in a 1 GiB container.
    elasticsearch: { nodes: 1, heap: '512Mi', resources: sized('250m', '1Gi', '1', '1Gi', '256Mi', '1Gi'), storage: { size: '5Gi' } },
    fluentBit: { resources: sized('25m', '32Mi', '200m', '128Mi'), tolerations: [{ operator: 'Exists' }] },
    kibana: { replicas: 1, host: 'kibana.localhost', resources: sized('100m', '512Mi', '1', '1Gi', '64Mi', '512Mi') },
  },
  // Postgres metrics (pg_up, connections, sizes) for Prometheus; Redis and the
  // DockerCoins mining rate (hashes, wallet) from each instance's Redis.
  exporters: {
    postgres: { resources: sized('10m', '16Mi', '100m', '64Mi') },
    redis: { resources: sized('10m', '16Mi', '100m', '64Mi', '16Mi', '64Mi') },
    // Elasticsearch health, indexing, heap and disk, as a monitor-only user
    // (password: Secret elasticsearch-monitoring-credentials, dockercoins:elasticMonitoringPassword).
    elasticsearch: { resources: sized('10m', '32Mi', '100m', '64Mi') },
  },
  // One Alertmanager, no clustering; a null receiver: alerts show in its UI
  // (kubectl -n monitoring port-forward service/alertmanager 9093), no Secret needed.
  alerting: {
    replicas: 1,
    resources: sized('10m', '32Mi', '100m', '64Mi'),
    receivers: [{ name: 'default' }],
    route: { receiver: 'default' },
  },
  // Dashboards over Prometheus (DockerCoins, platform, cluster), provisioned from the model;
  // the admin password is the Secret grafana-admin (dockercoins:grafanaAdminPassword).
  grafana: {
    host: 'grafana.localhost',
    resources: sized('50m', '128Mi', '500m', '256Mi', '64Mi', '512Mi'),
  },
  // In-cluster gate: the rule table's CEL checks as ValidatingAdmissionPolicies (needs Kubernetes >= 1.30; docs/policy-gates.md).
  admission: {},
};
