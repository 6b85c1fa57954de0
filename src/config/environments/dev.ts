import { EnvironmentConfig } from '../types';
import { dockercoinsImage, ELASTIC_REGISTRY, ELASTIC_VERSION, FLUENT_BIT_IMAGE, guaranteed, REDIS_IMAGE, sized } from '../defaults';

/** A laptop cluster (one node): one replica each, small sizes, webui also on a NodePort. */
export const dev: EnvironmentConfig = {
  name: 'dev',
  nodes: 1,
  ingress: { className: 'traefik', controllerNamespace: 'traefik', awaitLoadBalancer: false },
  cluster: { apiServerCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], apiServerPort: 6443, nodeCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
  dockercoins: [{
    name: 'dockercoins',
    namespace: 'dockercoins',
    host: 'dockercoins.localhost',
    settings: { DEBUG: 'true' },
    availability: { disruptionBudgets: false, spread: 'none' },
    rng: { image: dockercoinsImage('rng'), resources: sized('50m', '32Mi', '250m', '64Mi') },
    hasher: {
      image: dockercoinsImage('hasher'),
      resources: sized('50m', '32Mi', '250m', '96Mi'),
      autoscaling: { minReplicas: 1, maxReplicas: 3, targetCpuUtilization: 80 },
    },
    worker: { image: dockercoinsImage('worker'), resources: sized('25m', '32Mi', '200m', '64Mi'), replicas: 1 },
    webui: { image: dockercoinsImage('webui'), resources: sized('25m', '32Mi', '200m', '96Mi'), replicas: 1, nodePort: 30080 },
    redis: { image: REDIS_IMAGE, resources: guaranteed('50m', '64Mi') },
    quota: {
      requests: { cpu: '1', memory: '1Gi', ephemeralStorage: '2Gi' },
      limits: { cpu: '4', memory: '2Gi', ephemeralStorage: '4Gi' },
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
  logging: {
    elasticVersion: ELASTIC_VERSION,
    elasticRegistry: ELASTIC_REGISTRY,
    // Small: one node, 512 MiB heap in a 1 GiB container.
    elasticsearch: { nodes: 1, heap: '512Mi', resources: sized('250m', '1Gi', '1', '1Gi', '256Mi', '1Gi'), storage: { size: '5Gi' } },
    fluentBit: { image: FLUENT_BIT_IMAGE, resources: sized('25m', '32Mi', '200m', '128Mi'), tolerations: [{ operator: 'Exists' }] },
    kibana: { replicas: 1, host: 'kibana.localhost', resources: sized('100m', '512Mi', '1', '1Gi', '64Mi', '512Mi') },
  },
};
