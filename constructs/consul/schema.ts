import { dnsLabel, dnsSubdomain, host, image, int, resources, setupJob, storageRequest, z } from '../lib/schema';
import { VERSIONS } from '../versions';

/**
 * Consul servers. `storage.storageClassName` defaults to the environment's
 * `storageClass`; `ui` is published through the ingress controller. ACLs
 * deny by default: the UI asks for a token (create one per operator with the
 * management token, docs/security.md).
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
  /** The Job that creates the ACL policies and tokens with the management token. @default SETUP_JOB_RESOURCES */
  setup: setupJob(),
  /** Publish the UI. @default - no Ingress */
  ui: z.strictObject({ host: host(), tlsSecretName: dnsSubdomain().optional() }).optional(),
});
export type ConsulConfig = z.infer<typeof consulSchema>;
