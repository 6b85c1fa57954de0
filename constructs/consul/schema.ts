import { dnsLabel, dnsSubdomain, host, image, int, resources, storageRequest, z } from '../lib/schema';
import { VERSIONS } from '../versions';

/**
 * Consul servers. `storage.storageClassName` defaults to the environment's
 * `storageClass`; `ui` is published through the ingress controller. The HTTP
 * API behind the UI has no ACLs here: publish it only where the network is
 * trusted (dev) or with authentication in front.
 */
export const consulSchema = z.strictObject({
  image: image().prefault(VERSIONS.consul),
  /** Servers, also `bootstrap_expect`; odd, at most 7. */
  replicas: int(1, 7).superRefine((n, ctx) => {
    if (n % 2 === 0) ctx.addIssue({ code: 'custom', message: `must be odd, got ${n}: ${n} servers tolerate no more failures than ${n - 1} (quorum is a majority) and make each write slower` });
  }),
  /** How servers find each other: DNS of the headless Service, or the Kubernetes API. @default dns */
  join: z.enum(['dns', 'kubernetes']).prefault('dns'),
  /** Hostname anti-affinity: `required` so that one node loss costs at most one server. */
  antiAffinity: z.enum(['preferred', 'required']),
  resources: resources('Burstable'),
  /** The raft data volume of each server. */
  storage: storageRequest(),
  /** Consul datacenter name. @default dc1 */
  datacenter: dnsLabel().prefault('dc1'),
  /** Namespaces (besides its own) whose pods labelled as Consul clients may use the HTTP API. @default [] */
  clientNamespaces: z.array(dnsLabel()).prefault([]),
  /** Publish the UI. @default - no Ingress */
  ui: z.strictObject({ host: host(), tlsSecretName: dnsSubdomain().optional() }).optional(),
});
export type ConsulConfig = z.infer<typeof consulSchema>;
