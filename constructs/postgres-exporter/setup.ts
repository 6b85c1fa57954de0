import { Construct } from 'constructs';
import { caVolume } from '../lib/certificates';
import { ComponentIdentity } from '../lib/labels';
import { ContainerResources, ImageRef } from '../lib/types';
import { SetupJob } from '../lib/setup-job';
import { HardenedPod, secretEnv } from '../lib/workload';
import { POSTGRES_CLIENT_LABEL, postgresClientEnv } from '../postgres';

/** `app.kubernetes.io/name` of the Job that creates the exporter's role. */
export const POSTGRES_EXPORTER_SETUP_NAME = 'postgres-exporter-setup';

/**
 * The monitoring role's SQL (psql, variables `role` and `password`):
 * created when missing, then (every run) LOGIN without any other attribute,
 * the password set, and membership in `pg_monitor`, the predefined role for
 * monitoring (PostgreSQL >= 10; what prometheus-community/postgres_exporter's
 * README, "Running as non-superuser", grants). `\gexec` runs the CREATE only
 * when the SELECT returns it, so the script is idempotent; the password is a
 * psql variable (`:'password'` quotes it), never part of the script.
 */
export const MONITORING_ROLE_SQL = [
  "SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')\\gexec",
  "ALTER ROLE :\"role\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';",
  'GRANT pg_monitor TO :"role";',
  '',
].join('\n');

export interface PostgresExporterSetupProps {
  readonly instance: string;
  readonly namespace: string;
  /** The Postgres image (psql). */
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  readonly postgres: {
    readonly host: string;
    readonly database: string;
    /** The superuser and its password Secret (only this Job and Postgres read it). */
    readonly superuser: string;
    readonly superuserPassword: { readonly name: string; readonly key: string };
    /**
     * Secret (same namespace) whose `ca.crt` signs Postgres' certificate: only
     * that key is mounted and psql connects with sslmode=verify-full (chain and
     * host name), as the exporter does; Postgres admits remote clients only
     * over TLS there (`hostssl`). @default - sslmode=disable (no TLS in the environment)
     */
    readonly caSecret?: string;
  };
  /** The role to create and its password Secret. */
  readonly role: { readonly name: string; readonly password: { readonly name: string; readonly key: string } };
}

const CA_DIR = '/etc/postgres-exporter-setup/postgres-ca';

/**
 * A Job that creates the exporter's monitoring role with the superuser's
 * password, so the exporter never sees the superuser's. It connects as a
 * labelled Postgres client (the Postgres policies admit it).
 */
export class PostgresExporterSetup extends Construct {
  public readonly pod: HardenedPod;

  constructor(scope: Construct, id: string, props: PostgresExporterSetupProps) {
    super(scope, id);
    const identity: ComponentIdentity = { name: POSTGRES_EXPORTER_SETUP_NAME, instance: props.instance, component: 'identity-setup', partOf: 'monitoring', version: props.image.tag };
    const pg = props.postgres;
    const job = new SetupJob(this, 'Job', {
      identity,
      namespace: props.namespace,
      image: props.image,
      resources: props.resources,
      tier: 'monitoring',
      podLabels: { [POSTGRES_CLIENT_LABEL]: 'true' },
      setupReason: `uses the Postgres superuser once to create the ${props.role.name} role (pg_monitor) the exporter connects as`,
      volumes: pg.caSecret ? [caVolume('postgres-ca', pg.caSecret)] : [],
      script: [
        'set -eu',
        'i=0',
        `until pg_isready -q -h "$PGHOST" -p "$PGPORT"; do i=$((i + 1)); [ "$i" -le 120 ] || exit 1; echo "waiting for Postgres"; sleep 5; done`,
        `psql -v ON_ERROR_STOP=1 -v role="${props.role.name}" -v password="$ROLE_PASSWORD" <<'SQL'`,
        MONITORING_ROLE_SQL.trimEnd(),
        'SQL',
        `echo "role ${props.role.name}: done"`,
        '',
      ].join('\n'),
      env: postgresClientEnv({ ...pg, user: pg.superuser }, CA_DIR),
      envFrom: [
        secretEnv('PGPASSWORD', pg.superuserPassword.name, pg.superuserPassword.key),
        secretEnv('ROLE_PASSWORD', props.role.password.name, props.role.password.key),
      ],
      probesWaivedBecause: 'a Job: three SQL statements, then it exits',
      volumeMounts: pg.caSecret ? [{ name: 'postgres-ca', mountPath: CA_DIR, readOnly: true }] : [],
      // Egress to Postgres comes from the postgres-clients policy, which selects the client label.
    });
    this.pod = job.pod;
  }
}
