import { Construct } from 'constructs';
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { PeerSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ClusterService } from '../lib/service';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef } from '../lib/types';
import { HardenedDeployment, PersistentClaim } from '../lib/workload';

export interface ImageRegistryProps {
  /** Namespace of every object; it must exist (restricted is enough). */
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Image layers: `emptyDir` (lost with the pod) or a ReadWriteOnce claim. */
  readonly storage: { readonly type: 'emptyDir' | 'persistentVolumeClaim'; readonly size: string; readonly storageClassName?: string };
  /** Publish on this node port, so that nodes pull from `127.0.0.1:<nodePort>`. @default - ClusterIP only */
  readonly nodePort?: number;
  /**
   * Who may push and pull. Image pulls come from the container runtime on the
   * nodes (through the node port), so the node CIDRs belong here.
   */
  readonly clients: readonly PeerSpec[];
}

export const REGISTRY_PORT = 5000;
const DATA = '/var/lib/registry';
/** The registry's claim (storage type persistentVolumeClaim), mounted at DATA. */
export const REGISTRY_CLAIM = 'registry-data';

/**
 * A Docker Distribution registry (the course's `registry:2`): Deployment,
 * Service (a NodePort on laptop clusters), its listen address from a
 * ConfigMap (`REGISTRY_HTTP_ADDR`, the course's example), storage on an
 * emptyDir or a claim. It runs as an unprivileged user, which the image
 * supports because it only writes its storage directory.
 */
export class ImageRegistry extends Construct {
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    super(scope, id);
    const ns = props.namespace;
    const identity: ComponentIdentity = { name: 'registry', instance: 'registry', component: 'image-registry', partOf: 'edge', version: props.image.tag };
    const labels = recommendedLabels(this, identity);
    const claim = props.storage.type === 'persistentVolumeClaim';

    const settings = new SettingsConfigMap(this, 'Settings', {
      name: 'registry-settings',
      namespace: ns,
      labels,
      data: { REGISTRY_HTTP_ADDR: `0.0.0.0:${REGISTRY_PORT}` },
    });
    const check = { http: { path: '/v2/', port: 'http' } };
    const registry = new HardenedDeployment(this, 'Deployment', {
      identity,
      tier: 'data',
      namespace: ns,
      // The image has no USER (root) and runs as any uid that can write /var/lib/registry (fsGroup).
      runAs: { user: 10000, group: 10000, fsGroup: 10000 },
      qos: 'Burstable',
      replicas: 1,
      // Local storage has one writer: never two pods on it.
      strategy: claim ? 'Recreate' : 'RollingUpdate',
      terminationGracePeriodSeconds: 30,
      podAnnotations: { [SETTINGS_CHECKSUM_ANNOTATION]: settings.checksum },
      volumes: claim ? [{ name: 'data', persistentVolumeClaim: { claimName: REGISTRY_CLAIM } }] : undefined,
      containers: [{
        name: 'registry',
        image: props.image,
        configMapEnv: [settings.name],
        ports: [{ name: 'http', containerPort: REGISTRY_PORT }],
        resources: props.resources,
        probes: {
          // `GET /v2/` answers 200 when the registry serves (no auth configured).
          readiness: { check, timings: { initialDelaySeconds: 2, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
          // Liveness: the port accepts connections (a slow storage backend makes /v2/ slow, not the process dead).
          liveness: { check: { tcp: { port: 'http' } }, timings: { initialDelaySeconds: 10, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 } },
        },
        writablePaths: claim ? [{ path: '/tmp' }] : [{ path: DATA, sizeLimit: props.storage.size }, { path: '/tmp' }],
        volumeMounts: claim ? [{ name: 'data', mountPath: DATA }] : undefined,
      }],
    });
    if (claim) {
      new PersistentClaim(this, 'Data', { ...props.storage, name: REGISTRY_CLAIM, namespace: ns, labels });
    }
    const service = new ClusterService(this, 'Service', {
      name: 'registry', namespace: ns, labels, selector: registry.pod.selector,
      type: props.nodePort ? 'NodePort' : 'ClusterIP',
      ports: [{ name: 'http', port: REGISTRY_PORT, targetPort: 'http', nodePort: props.nodePort }],
    });
    this.serviceName = service.name;
    new WorkloadNetworkPolicy(this, 'Policy', {
      name: 'registry',
      namespace: ns,
      labels,
      podSelector: registry.pod.selector,
      ingress: [{ peers: props.clients, ports: [{ port: REGISTRY_PORT }] }],
    });
  }
}
