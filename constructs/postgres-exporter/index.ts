import { Construct } from 'constructs';
import { caVolume } from '../lib/certificates';
import { ComponentIdentity } from '../lib/labels';
import { PeerSpec } from '../lib/network';
import { ContainerResources, ImageRef } from '../lib/types';
import { secretEnv } from '../lib/workload';
import { POSTGRES_CLIENT_LABEL, POSTGRES_PORT } from '../postgres';
import { NOBODY } from '../lib/security';
import { MetricsExporter } from '../lib/exporter';

/** The exporter's port (its Dockerfile EXPOSE and the default `--web.listen-address`). */
export const POSTGRES_EXPORTER_PORT = 9187;
/** Where the CA that signs Postgres' certificate is mounted. */
const CA_DIR = '/etc/postgres-exporter/postgres-ca';

export interface PostgresExporterProps {
  readonly instance: string;
  /** The Postgres namespace: the exporter is a labelled client there, which the Postgres policies admit. */
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** The Postgres it reads: Service host, database, user and the password Secret. */
  readonly postgres: {
    readonly host: string; readonly database: string; readonly user: string; readonly passwordSecret: { readonly name: string; readonly key: string };
    /**
     * Secret of the server certificate (same namespace): only its `ca.crt` is
     * mounted, and the exporter connects with sslmode=verify-full (chain and
     * host name). @default - sslmode=disable (no TLS in the environment)
     */
    readonly caSecret?: string;
  };
  /** Who may scrape the metrics port. */
  readonly scrapers: readonly PeerSpec[];
}

/**
 * prometheus-community/postgres_exporter: `pg_up`, connections, locks,
 * replication and database sizes for Prometheus. It connects as a Postgres
 * client pod (POSTGRES_CLIENT_LABEL), so the database's own policies admit it
 * and nothing there changes. The password comes from the Postgres Secret
 * (DATA_SOURCE_PASS, read in exporter/datasource.go), never from the model.
 */
export class PostgresExporter extends Construct {
  public readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: PostgresExporterProps) {
    super(scope, id);
    const identity: ComponentIdentity = { name: 'postgres-exporter', instance: props.instance, component: 'exporter', partOf: 'monitoring', version: props.image.tag };
    const exporter = new MetricsExporter(this, 'Exporter', {
      identity,
      namespace: props.namespace,
      runAs: NOBODY,
      port: POSTGRES_EXPORTER_PORT,
      scrapers: props.scrapers,
      // Egress to Postgres comes from the postgres-clients policy, which selects the client label.
      podLabels: { [POSTGRES_CLIENT_LABEL]: 'true' },
      // Only the CA of the server's Secret: the exporter never holds the server key.
      volumes: props.postgres.caSecret ? [caVolume('postgres-ca', props.postgres.caSecret)] : [],
      container: {
        image: props.image,
        env: {
          // host:port/database?params (exporter/datasource.go prefixes postgresql://user:pass@). lib/pq's
          // verify-full checks the chain against sslrootcert AND the host name against the certificate.
          DATA_SOURCE_URI: `${props.postgres.host}:${POSTGRES_PORT}/${props.postgres.database}?${props.postgres.caSecret ? `sslmode=verify-full&sslrootcert=${CA_DIR}/ca.crt` : 'sslmode=disable'}`,
          DATA_SOURCE_USER: props.postgres.user,
        },
        envFrom: [secretEnv('DATA_SOURCE_PASS', props.postgres.passwordSecret.name, props.postgres.passwordSecret.key)],
        resources: props.resources,
        volumeMounts: props.postgres.caSecret ? [{ name: 'postgres-ca', mountPath: CA_DIR, readOnly: true }] : [],
        probes: {
          // The landing page answers while the process lives; /metrics also queries Postgres (pg_up).
          readiness: { check: { http: { path: '/metrics', port: 'metrics' } }, timings: { initialDelaySeconds: 5, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 } },
          liveness: { check: { http: { path: '/', port: 'metrics' } }, timings: { initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 } },
        },
      },
    });
    this.selector = exporter.selector;
  }
}
