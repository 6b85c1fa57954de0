import { parseQuantity } from '../lib/quantity';
import { dnsLabel, image, quantity, resources, storageRequest, z } from '../lib/schema';
import { VERSIONS } from '../versions';

const POSTGRES_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const identifier = () => z.string().superRefine((v, ctx) => {
  if (!POSTGRES_IDENTIFIER.test(v)) ctx.addIssue({ code: 'custom', message: `"${v}" is not a plain Postgres identifier (lower-case letters, digits and _, at most 63 characters)` });
});

/** Postgres (alpine image); `storage.storageClassName` defaults to the environment's `storageClass`. */
export const postgresSchema = z.strictObject({
  /** An alpine tag: the security context runs as the alpine image's postgres uid/gid 70. */
  image: image().prefault(VERSIONS.postgres).superRefine((img, ctx) => {
    if (!/alpine/.test(img.tag)) ctx.addIssue({ code: 'custom', path: ['tag'], message: `"${img.tag}" is not an alpine tag; the security context runs as the alpine image's postgres uid/gid 70 (Debian images use 999)` });
  }),
  /** Guaranteed QoS: a database should be the last thing evicted. */
  resources: resources('Guaranteed'),
  storage: storageRequest(),
  /** Memory-backed /dev/shm; counts against the memory limit. */
  shmSize: quantity('memory', { positive: true }),
  /** Database created on first start. @default dockercoins */
  database: identifier().prefault('dockercoins'),
  /** Superuser created on first start. @default dockercoins */
  user: identifier().prefault('dockercoins'),
  /** Namespaces (besides its own) whose pods labelled as Postgres clients may connect. @default [] */
  clientNamespaces: z.array(dnsLabel()).prefault([]),
}).superRefine((p, ctx) => {
  if (parseQuantity(p.shmSize)! >= parseQuantity(p.resources.limits.memory)!) {
    ctx.addIssue({ code: 'custom', path: ['shmSize'], message: `${p.shmSize} must be below limits.memory ${p.resources.limits.memory}: /dev/shm is memory-backed and counts against the limit` });
  }
});
export type PostgresConfig = z.infer<typeof postgresSchema>;
