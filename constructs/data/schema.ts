import { dnsLabel, limitRange, quota, z } from '../lib/schema';

/** The namespace of the stateful services (Consul, Postgres): restricted, with quota, LimitRange and default deny. */
export const dataNamespaceSchema = z.strictObject({
  /** Namespace of Consul and Postgres, owned by it alone. @default data */
  namespace: dnsLabel().prefault('data'),
  /** Instance name (`app.kubernetes.io/instance`). @default data */
  instance: dnsLabel().prefault('data'),
  /** Checked to admit every server and claim of the section. */
  quota: quota(),
  /** Defaults for pods made outside this model (e.g. a psql client pod), and the ceiling of every container. */
  limitRange: limitRange(),
});
export type DataNamespaceConfig = z.infer<typeof dataNamespaceSchema>;
