import { dnsSubdomain, host, image, quantity, resources, z } from '../lib/schema';
import { parseQuantity } from '../lib/quantity';
import { VERSIONS } from '../versions';

/** What the /tmp (64Mi) and /var/log/grafana (16Mi) emptyDirs add to the data directory. */
export const GRAFANA_SCRATCH = '80Mi';

/**
 * Grafana (`grafana`): dashboards over Prometheus, provisioned from the model.
 * Needs `edge.monitoring`. The admin password and the database secret key
 * come from the Secret `grafana-admin` (dist/<env>/SECRETS.md), never from
 * the config.
 */
export const grafanaSchema = z.strictObject({
  image: image().prefault(VERSIONS.grafana),
  resources: resources('Burstable'),
  /** Host of the Grafana Ingress. */
  host: host(),
  /** TLS Secret for `host`; also makes the session cookie Secure. @default - plain HTTP */
  tlsSecretName: dnsSubdomain().optional(),
  /** Login of the admin user (its password is the Secret's `password`). @default admin */
  adminUser: z.string().regex(/^[a-z][a-z0-9._-]{0,62}$/, { error: 'must be a login name: lower-case letters, digits, ".", "_" or "-", starting with a letter' }).prefault('admin'),
  /**
   * Size of the emptyDir holding Grafana's SQLite database (users, sessions,
   * preferences; the datasource and the dashboards are provisioned again at
   * every start); within the ephemeral-storage limit. @default 256Mi
   */
  storageSize: quantity('storage', { positive: true }).prefault('256Mi'),
}).superRefine((g, ctx) => {
  // Every emptyDir counts against the ephemeral-storage limit: the data directory, /tmp and the logs directory.
  const total = parseQuantity(g.storageSize)! + parseQuantity(GRAFANA_SCRATCH)!;
  if (parseQuantity(g.resources.limits.ephemeralStorage)! < total) {
    ctx.addIssue({ code: 'custom', path: ['resources', 'limits', 'ephemeralStorage'], message: `${g.resources.limits.ephemeralStorage} is below storageSize ${g.storageSize} + ${GRAFANA_SCRATCH} (/tmp and the logs directory): the emptyDirs count against it and the pod would be evicted` });
  }
});
export type GrafanaConfig = z.infer<typeof grafanaSchema>;
