import { Chart } from 'cdk8s';
import { defineComponent } from '../lib/component';
import { ImageRegistry, REGISTRY_CLAIM } from '.';
import { imageRegistrySchema } from './schema';

/** The image registry, wave 1 (before the apps that may pull from it). */
export const imageRegistryComponent = defineComponent({
  id: 'registry',
  configPath: ['edge', 'imageRegistry'],
  schema: imageRegistrySchema,
  offers(r) {
    return {
      namespaces: [{ name: r.namespace, field: 'edge.imageRegistry.namespace', partOf: 'edge', podSecurity: 'restricted' as const }],
      claims: r.storage.type === 'persistentVolumeClaim' ? [{ storageClassName: r.storage.storageClassName, field: 'edge.imageRegistry.storage.storageClassName' }] : [],
      nodePorts: r.nodePort === undefined ? [] : [{ port: r.nodePort, field: 'edge.imageRegistry.nodePort' }],
      workloads: [{ namespace: r.namespace, kind: 'Deployment' as const, name: 'registry', claims: r.storage.type === 'persistentVolumeClaim' ? [REGISTRY_CLAIM] : [] }],
    };
  },
  build(ctx) {
    const r = ctx.config;
    const chart = new Chart(ctx.app, 'registry', { disableResourceNameHashes: true });
    new ImageRegistry(chart, 'Registry', {
      namespace: r.namespace,
      image: r.image,
      resources: r.resources,
      storage: r.storage.type === 'persistentVolumeClaim' ? ctx.withStorageClass(r.storage) : r.storage,
      nodePort: r.nodePort,
      // Pulls come from the container runtime on the nodes.
      clients: ctx.platform.cluster.nodeCidrs.map(cidr => ({ cidr })),
    });
    return [{ id: 'registry', wave: 1, chart }];
  },
});
