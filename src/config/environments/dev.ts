import { EnvironmentConfig } from '../types';
import { dockercoinsImage, guaranteed, REDIS_IMAGE, sized } from '../defaults';
import { CONSUL_IMAGE, POSTGRES_IMAGE } from '../sections/stateful';

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
  stateful: {
    namespace: 'data',
    instance: 'data',
    consul: {
      image: CONSUL_IMAGE,
      // One server is enough on a laptop (no fault tolerance, no PDB).
      replicas: 1,
      join: 'dns',
      antiAffinity: 'preferred',
      resources: sized('50m', '64Mi', '250m', '128Mi'),
      storage: { size: '1Gi' },
      datacenter: 'dc1',
      clientNamespaces: [],
      ui: { host: 'consul.localhost' },
    },
    postgres: {
      image: POSTGRES_IMAGE,
      resources: guaranteed('250m', '256Mi'),
      storage: { size: '1Gi' },
      shmSize: '64Mi',
      database: 'dockercoins',
      user: 'dockercoins',
      clientNamespaces: [],
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
};
