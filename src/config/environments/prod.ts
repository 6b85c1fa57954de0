import { EnvironmentConfig } from '../types';
import { dockercoinsImage, ELASTIC_REGISTRY, ELASTIC_VERSION, FLUENT_BIT_IMAGE, guaranteed, REDIS_IMAGE, sized } from '../defaults';

/** Production: several replicas spread across nodes, PodDisruptionBudgets, TLS, persistent Redis on replicated storage. */
export const prod: EnvironmentConfig = {
  name: 'prod',
  nodes: 3,
  storageClass: 'replicated',
  ingress: { className: 'traefik', controllerNamespace: 'traefik', awaitLoadBalancer: true },
  cluster: { apiServerCidrs: ['10.10.0.0/24'], apiServerPort: 6443, nodeCidrs: ['10.10.0.0/16'] },
  dockercoins: [{
    name: 'dockercoins',
    namespace: 'dockercoins',
    host: 'dockercoins.example.com',
    tlsSecretName: 'dockercoins-tls',
    settings: { DEBUG: 'false' },
    availability: { disruptionBudgets: true, spread: 'required' },
    rng: { image: dockercoinsImage('rng'), resources: sized('200m', '48Mi', '1', '96Mi') },
    hasher: {
      image: dockercoinsImage('hasher'),
      resources: sized('200m', '64Mi', '1', '192Mi'),
      autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 },
    },
    worker: { image: dockercoinsImage('worker'), resources: sized('100m', '48Mi', '500m', '96Mi'), replicas: 10 },
    webui: { image: dockercoinsImage('webui'), resources: sized('100m', '64Mi', '500m', '192Mi'), replicas: 3 },
    redis: { image: REDIS_IMAGE, resources: guaranteed('500m', '512Mi'), persistence: { size: '5Gi' } },
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
  logging: {
    elasticVersion: ELASTIC_VERSION,
    elasticRegistry: ELASTIC_REGISTRY,
    // Three master-eligible data nodes (quorum 2), one per Kubernetes node.
    elasticsearch: { nodes: 3, heap: '2Gi', resources: sized('1', '4Gi', '2', '4Gi', '512Mi', '2Gi'), storage: { size: '50Gi' } },
    fluentBit: { image: FLUENT_BIT_IMAGE, resources: sized('100m', '128Mi', '1', '512Mi'), tolerations: [{ operator: 'Exists' }] },
    kibana: { replicas: 2, host: 'kibana.example.com', tlsSecretName: 'kibana-tls', resources: sized('250m', '1Gi', '2', '2Gi', '64Mi', '512Mi') },
  },
};
