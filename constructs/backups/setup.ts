import { Construct } from 'constructs';
import { caVolume } from '../lib/certificates';
import { ComponentIdentity } from '../lib/labels';
import { PodPortRef, rulesToPods } from '../lib/network';
import { SETTINGS_CHECKSUM_ANNOTATION } from '../lib/settings';
import { SetupJob } from '../lib/setup-job';
import { ContainerResources, ImageRef } from '../lib/types';
import { HardenedPod, secretEnv } from '../lib/workload';
import { postgresClientEnv, PostgresClientTarget } from '../postgres';
import { BACKUP_NAMES, BACKUP_PATHS } from '.';

export interface PostgresBackupSetupProps {
  readonly instance: string;
  readonly namespace: string;
  /** The Postgres image (psql). */
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Connection as the superuser (only this Job and Postgres read its password). */
  readonly connection: PostgresClientTarget;
  readonly superuserPassword: { readonly name: string; readonly key: string };
  /** The role to create and its password Secret. */
  readonly role: { readonly name: string; readonly password: { readonly name: string; readonly key: string } };
  /** The Postgres pods and port: its only egress (Postgres admits it through the `clients` offer). */
  readonly store: PodPortRef;
  /** Checksum of the scripts ConfigMap: a changed script makes a new Job, which runs again. */
  readonly scriptsChecksum: string;
}


/**
 * The Job that creates the backup role (pg_read_all_data, nothing else) and
 * the restore canary with the superuser's password, running
 * scripts/postgres-backup-setup.sh and postgres-backup-role.sql from the
 * scripts ConfigMap, so that the backup never holds the superuser's password.
 */
export class PostgresBackupSetup extends Construct {
  public readonly pod: HardenedPod;

  constructor(scope: Construct, id: string, props: PostgresBackupSetupProps) {
    super(scope, id);
    const identity: ComponentIdentity = { name: 'postgres-backup-setup', instance: props.instance, component: 'identity-setup', partOf: 'dockercoins', version: props.image.tag };
    const ca = props.connection.caSecret;
    const job = new SetupJob(this, 'Job', {
      identity,
      namespace: props.namespace,
      image: props.image,
      resources: props.resources,
      tier: 'data',
      podAnnotations: { [SETTINGS_CHECKSUM_ANNOTATION]: props.scriptsChecksum },
      setupReason: `uses the Postgres superuser once to create the ${props.role.name} role (pg_read_all_data) the backups connect as, and the restore canary the drills check`,
      script: `exec sh ${BACKUP_PATHS.scripts}/postgres-backup-setup.sh`,
      env: { ...postgresClientEnv(props.connection, BACKUP_PATHS.postgresCa), ROLE: props.role.name },
      envFrom: [
        secretEnv('PGPASSWORD', props.superuserPassword.name, props.superuserPassword.key),
        secretEnv('ROLE_PASSWORD', props.role.password.name, props.role.password.key),
      ],
      volumes: [{ name: 'scripts', configMap: { name: BACKUP_NAMES.scripts, defaultMode: 0o444 } }, ...(ca ? [caVolume('postgres-ca', ca)] : [])],
      volumeMounts: [{ name: 'scripts', mountPath: BACKUP_PATHS.scripts, readOnly: true }, ...(ca ? [{ name: 'postgres-ca', mountPath: BACKUP_PATHS.postgresCa, readOnly: true }] : [])],
      probesWaivedBecause: 'a Job: a few SQL statements, then it exits',
      egress: rulesToPods([props.store]),
    });
    this.pod = job.pod;
  }
}
