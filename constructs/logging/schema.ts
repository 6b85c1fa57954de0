import { parseQuantity } from '../lib/quantity';
import { dnsLabel, dnsSubdomain, host, image, int, resources, setupJob, storageRequest, tolerations, z } from '../lib/schema';
import { ELASTIC_REGISTRY, ELASTIC_VERSION, VERSIONS } from '../versions';

const REGISTRY = /^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/;
const MiB = 2 ** 20;

export const elasticsearchSchema = z.strictObject({
  /**
   * Elasticsearch nodes (all master-eligible data nodes): 1 (single node) or an
   * odd number >= 3. Two cannot keep a quorum when one fails; an even count adds
   * no failure tolerance over the odd count below it.
   */
  nodes: int(1, 15),
  /** JVM heap (-Xms = -Xmx) in whole MiB, e.g. `512Mi`; at most 31Gi (compressed oops). */
  heap: z.string(),
  /** `limits.memory` must be at least twice the heap (off-heap memory, page cache). */
  resources: resources('Burstable'),
  /** Data volume of each node. */
  storage: storageRequest(),
}).superRefine((es, ctx) => {
  const add = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (es.nodes !== 1 && (es.nodes < 3 || es.nodes % 2 === 0)) {
    add(['nodes'], `must be 1 (single node) or an odd number of at least 3 (a quorum of master-eligible nodes that survives a failure), got ${es.nodes}`);
  }
  const heap = parseQuantity(es.heap);
  if (heap === undefined) add(['heap'], `"${es.heap}" is not a valid Kubernetes quantity (e.g. 100m, 0.5, 64Mi, 1Gi)`);
  else if (heap <= 0) add(['heap'], `must be greater than zero, got "${es.heap}"`);
  else if (heap % MiB !== 0) add(['heap'], `"${es.heap}" must be a whole number of MiB (e.g. 512Mi, 2Gi): it becomes -Xms/-Xmx in megabytes`);
  else if (heap < 256 * MiB) add(['heap'], `"${es.heap}" is below the 256Mi Elasticsearch needs to start`);
  else if (heap > 31 * 2 ** 30) add(['heap'], `"${es.heap}" is above 31Gi: the JVM loses compressed object pointers`);
  else if (parseQuantity(es.resources.limits.memory)! < 2 * heap) {
    add(['resources', 'limits', 'memory'], `${es.resources.limits.memory} must be at least twice the heap (${es.heap}): Elasticsearch needs as much memory again off-heap (direct buffers, Lucene page cache), else the container is OOM-killed`);
  }
});

/**
 * Centralized logging (EFK): Elasticsearch stores and indexes, Fluent Bit on
 * every node ships container logs, Kibana shows them.
 */
export const loggingSchema = z.strictObject({
  /** Namespace of Elasticsearch and Kibana (restricted), owned by logging alone. @default logging */
  namespace: dnsLabel().prefault('logging'),
  /**
   * Version of BOTH Elasticsearch and Kibana (Kibana refuses another version).
   * Only 8.x: the constructs rely on 8.x security defaults. @default ELASTIC_VERSION (constructs/versions.ts)
   */
  elasticVersion: z.string().prefault(ELASTIC_VERSION).superRefine((v, ctx) => {
    if (!/^8\.\d+\.\d+$/.test(v)) ctx.addIssue({ code: 'custom', message: `"${v}" is not supported: pin an exact Elastic Stack 8.x release such as 8.15.3 (used for both Elasticsearch and Kibana)` });
  }),
  /** Registry of `<registry>/elasticsearch/elasticsearch` and `<registry>/kibana/kibana`. @default docker.elastic.co */
  elasticRegistry: z.string().prefault(ELASTIC_REGISTRY).superRefine((v, ctx) => {
    if (!REGISTRY.test(v)) ctx.addIssue({ code: 'custom', message: `"${v}" is not a valid registry host (e.g. docker.elastic.co or registry.example.com:5000/elastic)` });
  }),
  elasticsearch: elasticsearchSchema,
  /**
   * The Job that creates the logging identities with the `elastic` superuser
   * (kibana_system's password, Fluent Bit's writer role and user). @default SETUP_JOB_RESOURCES
   */
  setup: setupJob(),
  fluentBit: z.strictObject({
    image: image().prefault(VERSIONS.fluentBit),
    resources: resources('Burstable'),
    /** So that the agent runs on every node, tainted ones included. @default - none */
    tolerations: tolerations().optional(),
    /** Also mount /var/lib/docker/containers (nodes running Docker Engine). @default false */
    dockerRuntime: z.boolean().optional(),
  }),
  kibana: z.strictObject({
    replicas: int(1, 10),
    /** Host of the Kibana Ingress. */
    host: host(),
    /** TLS Secret for `host`. @default - plain HTTP */
    tlsSecretName: dnsSubdomain().optional(),
    resources: resources('Burstable'),
  }).superRefine((k, ctx) => {
    if (parseQuantity(k.resources.limits.memory)! < 2 ** 30) ctx.addIssue({ code: 'custom', path: ['resources', 'limits', 'memory'], message: `${k.resources.limits.memory} is below the 1Gi Kibana 8 needs` });
  }),
});
export type LoggingConfig = z.infer<typeof loggingSchema>;

/** Elastic image of a product, tagged with the one stack version. */
export function elasticImage(logging: Pick<LoggingConfig, 'elasticRegistry' | 'elasticVersion'>, product: 'elasticsearch' | 'kibana') {
  return { registry: logging.elasticRegistry, repository: `${product}/${product}`, tag: logging.elasticVersion };
}
