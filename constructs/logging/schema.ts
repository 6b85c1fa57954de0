import { parseQuantity } from '../lib/quantity';
import { cidrs, dnsLabel, dnsSubdomain, duration, host, image, int, port, quantity, resources, setupJob, storageRequest, tolerations, z } from '../lib/schema';
import { ELASTIC_REGISTRY, ELASTIC_VERSION, VERSIONS } from '../versions';

const REGISTRY = /^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/;
const MiB = 2 ** 20;

/**
 * An Elasticsearch time value as ILM and SLM read it (`min_age`, `expire_after`):
 * a whole number with unit d, h or m (Elasticsearch's TimeValue also takes s, ms,
 * micros and nanos, which no retention needs).
 */
const ES_TIME = /^[1-9][0-9]{0,5}(d|h|m)$/;
export const esTime = () => z.string().superRefine((v, ctx) => {
  if (!ES_TIME.test(v)) ctx.addIssue({ code: 'custom', message: `"${v}" is not an Elasticsearch time value: a whole number with unit d, h or m (e.g. 7d, 36h)` });
});
/**
 * An SLM schedule: Elasticsearch's cron syntax (Watcher's `CronSchedule`,
 * "Cron expressions" of the API conventions): `<seconds> <minutes> <hours>
 * <day of month> <month> <day of week> [year]`, evaluated in UTC. Only the
 * field count and characters are checked here; Elasticsearch parses it when
 * the setup Job creates the policy (and the Job fails loudly).
 */
const ES_CRON = /^[0-9A-Za-z*?,/#L W-]+$/;
export const esCron = () => z.string().superRefine((v, ctx) => {
  const fields = v.trim().split(/\s+/).length;
  if (!ES_CRON.test(v) || fields < 6 || fields > 7) ctx.addIssue({ code: 'custom', message: `"${v}" is not an Elasticsearch cron expression: six or seven fields <seconds> <minutes> <hours> <day-of-month> <month> <day-of-week> [year], in UTC, e.g. "0 30 1 * * ?" (01:30 every day)` });
});

/**
 * Where snapshots are written (`PUT _snapshot/<name>`). `fs`: a claim this
 * model creates, mounted by every node at the same path and listed in
 * `path.repo` (Elasticsearch's shared file system repository: every master
 * and data node must see the same file system); with several nodes it must be
 * ReadWriteMany. `s3`: the repository-s3 module built into Elasticsearch 8,
 * with the client's access and secret key from a Secret into the keystore.
 */
export const snapshotRepositorySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('fs'),
    /** Requested size of the snapshot claim. */
    size: quantity('storage', { positive: true }),
    /** @default - the environment's `storageClass` */
    storageClassName: dnsSubdomain().optional(),
    /** ReadWriteMany is required with more than one node (each node writes its own shards). @default ReadWriteOnce */
    accessMode: z.enum(['ReadWriteOnce', 'ReadWriteMany']).prefault('ReadWriteOnce'),
  }),
  z.strictObject({
    type: z.literal('s3'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name (3 to 63 lower-case letters, digits, "." and "-")' }),
    /** Key prefix inside the bucket. @default - the bucket root */
    basePath: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { error: 'must be a relative key prefix (segments of letters, digits, ".", "_", "-")' }).optional(),
    /** S3 endpoint host (`s3.client.default.endpoint`). @default - AWS, from the bucket's region */
    endpoint: host().optional(),
    /** `s3.client.default.protocol`. @default https */
    protocol: z.enum(['https', 'http']).prefault('https'),
    /** `s3.client.default.path_style_access` (most S3-compatible stores need it). @default false */
    pathStyleAccess: z.boolean().prefault(false),
    /** Addresses of the endpoint: the nodes' egress opens `port` to them and nothing else. */
    cidrs: cidrs(),
    /** @default 443 */
    port: port().prefault(443),
  }),
]);

/**
 * Snapshots of the log indices: a repository, and a snapshot lifecycle policy
 * (`PUT _slm/policy/<name>`) that takes them on a schedule and deletes old
 * ones; both applied by the setup Job.
 */
export const snapshotsSchema = z.strictObject({
  repository: snapshotRepositorySchema,
  /** When snapshots are taken (SLM cron, UTC). @default "0 30 1 * * ?" (01:30 daily) */
  schedule: esCron().prefault('0 30 1 * * ?'),
  /**
   * Prometheus alerts (ElasticsearchSnapshotTooOld) when the newest successful
   * snapshot is older than this: longer than the schedule's interval plus the
   * time a snapshot takes. A Prometheus duration. @default 36h (a daily schedule)
   */
  alertAfter: duration().prefault('36h'),
  /** SLM retention: snapshots older than `expireAfter` are deleted, keeping at least `minCount` and at most `maxCount`. */
  retention: z.strictObject({
    /** @default 30d */
    expireAfter: esTime().prefault('30d'),
    /** @default 5 */
    minCount: int(1, 1000).prefault(5),
    /** @default 50 */
    maxCount: int(1, 1000).prefault(50),
  }).prefault({}).superRefine((r, ctx) => {
    if (r.maxCount < r.minCount) ctx.addIssue({ code: 'custom', path: ['maxCount'], message: `${r.maxCount} is below minCount ${r.minCount}: SLM would have to delete snapshots it must keep` });
  }),
});
export type SnapshotsConfig = z.infer<typeof snapshotsSchema>;

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
  /** Snapshots of the log indices (repository and lifecycle policy). @default - none */
  snapshots: snapshotsSchema.optional(),
}).superRefine((es, ctx) => {
  const add = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const repo = es.snapshots?.repository;
  if (repo?.type === 'fs' && es.nodes > 1 && repo.accessMode !== 'ReadWriteMany') {
    add(['snapshots', 'repository', 'accessMode'], `${repo.accessMode} cannot hold the snapshots of ${es.nodes} nodes: an fs repository must be the same file system on every node (Elasticsearch's shared file system repository); set accessMode: ReadWriteMany with a StorageClass that provides it (NFS, CephFS, Longhorn RWX), or use type: s3`);
  }
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
  /**
   * How long log indices are kept: the index lifecycle policy the setup Job
   * applies deletes each daily index this long after its creation
   * (Elasticsearch's ILM delete phase `min_age`). @default 7d
   */
  retention: esTime().prefault('7d'),
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
