import { Chart } from 'cdk8s';
import { tlsEnabled } from '../lib/certificates';
import { defineComponent, RequiredSecret } from '../lib/component';
import type { Footprint } from '../lib/guardrails';
import { selectorLabels } from '../lib/labels';
import { rulesToPods } from '../lib/network';
import { alertRule, RuleGroup, selector } from '../monitoring/rules';
import { CONSUL_TLS_SECRET, consulApiPort, consulHttpAddr, consulPods } from '../consul';
import { CONSUL_SECRETS } from '../consul/component';
import { ConsulSetup, ConsulTokenSpec } from '../consul/setup';
import { POSTGRES_PORT, POSTGRES_SERVICE, POSTGRES_TLS_SECRET } from '../postgres';
import { POSTGRES_SECRET } from '../postgres/component';
import { BACKUP_NAMES, Backups, CONSUL_MARKER_KEY } from '.';
import { PostgresBackupSetup } from './setup';
import { backupsSchema, BackupsConfig } from './schema';

interface Stateful {
  namespace: string; instance: string;
  postgres?: { database: string; user: string; image: { registry: string; repository: string; tag: string } };
  consul?: { image: { registry: string; repository: string; tag: string } };
}
const statefulOf = (environment: unknown) => (environment as { stateful?: Stateful }).stateful;

/** The Secrets the backups read (never rendered) and the Pulumi config keys of their values. */
export const BACKUP_SECRETS = {
  /** The backup role's password (a Postgres role with pg_read_all_data only). */
  postgres: { name: 'postgres-backup-auth', key: 'password', configKey: 'postgresBackupPassword' },
  /** The backup token's SecretID (a lower-case UUID), created by the consul-backup-setup Job. */
  consul: { name: 'consul-backup-token', key: 'token', configKey: 'consulBackupToken' },
  /** The S3 access key pair of an S3 target. */
  s3: { name: 'backups-s3-credentials', keys: { accessKeyId: 'backupsS3AccessKeyId', secretAccessKey: 'backupsS3SecretAccessKey' } },
} as const;

/** Names of the setup Jobs that create the backup identities. */
export const POSTGRES_BACKUP_SETUP = 'postgres-backup-setup';
export const CONSUL_BACKUP_SETUP = 'consul-backup-setup';
const postgresStore = (s: Stateful) => ({ namespace: s.namespace, pods: selectorLabels({ name: POSTGRES_SERVICE, instance: s.instance }), port: POSTGRES_PORT });

/** The Postgres role the backup connects as. */
export const POSTGRES_BACKUP_ROLE = 'postgres_backup';

/**
 * The backup token's policy. `consul snapshot save` (GET /v1/snapshot) needs
 * acl:write: the snapshot holds the ACL data, so Consul asks for the right
 * that could rebuild it (Consul's "Create a snapshot agent token": acl:write
 * for reading and snapshotting ACL data; the HTTP API table says
 * "management"). No other rule but writing the marker key the drill checks.
 */
export const CONSUL_BACKUP_TOKEN: ConsulTokenSpec = {
  policy: 'consul-backup',
  description: 'scheduled snapshots (consul snapshot save) and the marker key they carry',
  rules: `acl = "write"\nkey "${CONSUL_MARKER_KEY}" {\n  policy = "write"\n}`,
  secret: { name: BACKUP_SECRETS.consul.name, key: BACKUP_SECRETS.consul.key },
};

/** The CronJobs the environment renders, with the hours after which each is overdue. */
function cronJobs(b: BackupsConfig, s: Stateful): { name: string; staleAfterHours: number; store: 'postgres' | 'consul'; drill: boolean }[] {
  const out: { name: string; staleAfterHours: number; store: 'postgres' | 'consul'; drill: boolean }[] = [];
  if (b.postgres && s.postgres) {
    out.push({ name: BACKUP_NAMES.postgres, staleAfterHours: b.postgres.staleAfterHours, store: 'postgres', drill: false });
    if (b.drills) out.push({ name: BACKUP_NAMES.postgresDrill, staleAfterHours: b.drills.staleAfterHours, store: 'postgres', drill: true });
  }
  if (b.consul && s.consul) {
    out.push({ name: BACKUP_NAMES.consul, staleAfterHours: b.consul.staleAfterHours, store: 'consul', drill: false });
    if (b.drills) out.push({ name: BACKUP_NAMES.consulDrill, staleAfterHours: b.drills.staleAfterHours, store: 'consul', drill: true });
  }
  return out;
}

/**
 * The backup alerts, from kube-state-metrics (v2.13.0 docs/metrics/workload/
 * job-metrics.md and cronjob-metrics.md): a Job of a backup or drill CronJob
 * that failed (`kube_job_failed{condition="true"}`, joined to its owner by
 * `kube_job_owner`, so manual runs `kubectl create job --from=cronjob/...`
 * count too), and a CronJob without a success within its window
 * (`kube_cronjob_status_last_successful_time`; a CronJob that never succeeded
 * has no such series, so its age `kube_cronjob_created` counts instead).
 */
export function backupRules(namespace: string, jobs: ReturnType<typeof cronJobs>): RuleGroup {
  const names = jobs.map(j => j.name);
  const failed = alertRule({
    alert: 'BackupJobFailed',
    expr: `kube_job_failed${selector({ namespace, condition: 'true' })} * on (namespace, job_name) group_left (owner_name) kube_job_owner${selector({ namespace, owner_kind: 'CronJob', owner_name: names })} > 0`,
    severity: 'warning',
    summary: 'Backup or restore drill {{ $labels.namespace }}/{{ $labels.job_name }} failed',
    description: 'Job {{ $labels.job_name }} of CronJob {{ $labels.owner_name }} failed after its retries; its pod log says why. Delete the Job once understood to clear the alert.',
  });
  const stale = jobs.map(j => {
    const seconds = j.staleAfterHours * 3600;
    const sel = selector({ namespace, cronjob: j.name });
    return alertRule({
      alert: 'BackupNotRecent',
      expr: `(time() - kube_cronjob_status_last_successful_time${sel} > ${seconds}) or ((time() - kube_cronjob_created${sel} > ${seconds}) unless on (namespace, cronjob) kube_cronjob_status_last_successful_time${sel})`,
      severity: 'critical',
      summary: `${j.drill ? 'Restore drill' : 'Backup'} {{ $labels.namespace }}/{{ $labels.cronjob }} has not succeeded for ${j.staleAfterHours} hours`,
      description: `CronJob {{ $labels.cronjob }} (${j.store}) has had no successful run within ${j.staleAfterHours} hours: ${j.drill ? 'nothing proves the backups restore' : 'the newest backup is older than its schedule allows'}.`,
    });
  });
  return { name: 'backups', rules: [failed, ...stale] };
}

/** Backups of the stateful services and their restore drills, in the stateful namespace, wave 2 (after the stores and their setup Jobs). */
export const backupsComponent = defineComponent({
  id: 'backups',
  configPath: ['backups'],
  schema: backupsSchema,
  check(b, _platform, environment) {
    const s = statefulOf(environment);
    const problems = [];
    if (b.postgres && !s?.postgres) problems.push({ path: 'backups.postgres', reason: 'needs stateful.postgres (there is no Postgres to back up): remove it or configure Postgres' });
    if (b.consul && !s?.consul) problems.push({ path: 'backups.consul', reason: 'needs stateful.consul (there is no Consul to back up): remove it or configure Consul' });
    return problems;
  },
  offers(b, platform, environment) {
    const s = statefulOf(environment);
    if (!s) return {};
    const jobs = cronJobs(b, s);
    const tls = tlsEnabled(platform.certificates);
    const claim = b.target.type === 'claim' ? b.target : undefined;
    // One footprint per config field (its resources): the drills share one, the setup Jobs another.
    const backupJobs = jobs.filter(j => !j.drill);
    const drills = jobs.filter(j => j.drill);
    const setups = [...(b.postgres && s.postgres ? [POSTGRES_BACKUP_SETUP] : []), ...(b.consul && s.consul ? [CONSUL_BACKUP_SETUP] : [])];
    const footprints: Footprint[] = [
      ...backupJobs.map((j, i) => ({
        namespace: s.namespace, field: `backups.${j.store}`, workload: j.name, pods: 1, why: 'concurrencyPolicy Forbid', resources: b[j.store]!.resources,
        // The claim is counted once, with the first CronJob.
        ...(claim && i === 0 ? { claims: { count: 1, size: claim.size } } : {}),
      })),
      ...(drills.length ? [{ namespace: s.namespace, field: 'backups.drills', workload: drills.map(d => d.name).join(' + '), pods: drills.length, why: 'one each, concurrencyPolicy Forbid', resources: b.drills!.resources }] : []),
      ...(setups.length ? [{ namespace: s.namespace, field: 'backups.setup', workload: setups.join(' + '), pods: setups.length, why: 'one each', resources: b.setup.resources }] : []),
    ];
    const pods = (name: string) => selectorLabels({ name, instance: s.instance });
    const pg = postgresStore(s);
    const consul = { namespace: s.namespace, pods: consulPods(s.instance), port: consulApiPort(tls) };
    return {
      footprints,
      claims: claim ? [{ storageClassName: claim.storageClassName, field: 'backups.target.storageClassName' }] : [],
      dataClaims: claim ? [{ namespace: s.namespace, name: BACKUP_NAMES.claim }] : [],
      alertRules: jobs.length ? [backupRules(s.namespace, jobs)] : [],
      backups: jobs.filter(j => !j.drill).map(j => j.store),
      // Each backup pod (and the Job that creates its identity) is a client of its store only; the store admits it.
      clients: [
        ...(b.postgres && s.postgres ? [BACKUP_NAMES.postgres, POSTGRES_BACKUP_SETUP].map(n => ({ from: { namespace: s.namespace, pods: pods(n) }, to: pg })) : []),
        ...(b.consul && s.consul ? [BACKUP_NAMES.consul, CONSUL_BACKUP_SETUP].map(n => ({ from: { namespace: s.namespace, pods: pods(n) }, to: consul })) : []),
      ],
    };
  },
  build(ctx) {
    const b = ctx.config;
    const s = statefulOf(ctx.environment)!;
    const tls = ctx.certificates !== undefined;
    const chart = new Chart(ctx.app, 'backups', { disableResourceNameHashes: true });
    const t = b.target;
    const host = `${POSTGRES_SERVICE}.${s.namespace}.svc`;
    const consulStore = { namespace: s.namespace, pods: consulPods(s.instance), port: consulApiPort(tls) };
    const backups = new Backups(chart, 'Backups', {
      instance: s.instance,
      namespace: s.namespace,
      awsCliImage: b.awsCliImage,
      scratchSize: b.scratchSize,
      target: t.type === 'claim'
        ? { type: 'claim', size: t.size, storageClassName: ctx.withStorageClass({ storageClassName: t.storageClassName }).storageClassName }
        : {
          ...t,
          accessKeyId: { name: BACKUP_SECRETS.s3.name, key: 'accessKeyId' },
          secretAccessKey: { name: BACKUP_SECRETS.s3.name, key: 'secretAccessKey' },
        },
      postgres: b.postgres && s.postgres ? {
        ...b.postgres,
        // pg_dump must be at least the server's major version: the server's own image.
        image: s.postgres.image,
        connection: { host, database: s.postgres.database, user: POSTGRES_BACKUP_ROLE, caSecret: tls ? POSTGRES_TLS_SECRET : undefined },
        password: { name: BACKUP_SECRETS.postgres.name, key: BACKUP_SECRETS.postgres.key },
        store: postgresStore(s),
      } : undefined,
      consul: b.consul && s.consul ? {
        ...b.consul,
        image: s.consul.image,
        httpAddr: consulHttpAddr(s.namespace, tls),
        caSecret: tls ? CONSUL_TLS_SECRET : undefined,
        token: { name: BACKUP_SECRETS.consul.name, key: BACKUP_SECRETS.consul.key },
        store: consulStore,
      } : undefined,
      drills: b.drills,
    });
    const secrets: RequiredSecret[] = [];
    const labelsOf = (name: string) => backups.cronJobs[name].pod.labels;
    if (b.postgres && s.postgres) {
      new PostgresBackupSetup(chart, 'PostgresSetup', {
        instance: s.instance,
        namespace: s.namespace,
        image: s.postgres.image,
        resources: b.setup.resources,
        connection: { host, database: s.postgres.database, user: s.postgres.user, caSecret: tls ? POSTGRES_TLS_SECRET : undefined },
        superuserPassword: { name: POSTGRES_SECRET.name, key: POSTGRES_SECRET.key },
        role: { name: POSTGRES_BACKUP_ROLE, password: { name: BACKUP_SECRETS.postgres.name, key: BACKUP_SECRETS.postgres.key } },
        store: postgresStore(s),
        scriptsChecksum: backups.scriptsChecksum,
      });
      const p = BACKUP_SECRETS.postgres;
      secrets.push({ name: p.name, namespace: s.namespace, keys: { [p.key]: p.configKey }, labels: labelsOf(BACKUP_NAMES.postgres) });
    }
    if (b.consul && s.consul) {
      // The Consul setup Job, run again for the backup token (a Job of its own, so that Consul's chart does not depend on this section).
      new ConsulSetup(chart, 'ConsulSetup', {
        name: CONSUL_BACKUP_SETUP,
        instance: s.instance,
        namespace: s.namespace,
        image: s.consul.image,
        resources: b.setup.resources,
        httpAddr: consulHttpAddr(s.namespace, tls),
        caSecret: tls ? CONSUL_TLS_SECRET : undefined,
        managementToken: CONSUL_SECRETS.management,
        tokens: [CONSUL_BACKUP_TOKEN],
        egress: rulesToPods([consulStore]),
      });
      const c = BACKUP_SECRETS.consul;
      secrets.push({ name: c.name, namespace: s.namespace, keys: { [c.key]: c.configKey }, labels: labelsOf(BACKUP_NAMES.consul) });
    }
    if (t.type === 's3') {
      const first = Object.values(backups.cronJobs)[0];
      secrets.push({ name: BACKUP_SECRETS.s3.name, namespace: s.namespace, keys: { ...BACKUP_SECRETS.s3.keys }, labels: first.pod.labels });
    }
    return [{ id: 'backups', wave: 2, chart, secrets }];
  },
});
