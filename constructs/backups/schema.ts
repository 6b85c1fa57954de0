import { cidr, dnsSubdomain, image, int, port, quantity, resources, setupJob, z } from '../lib/schema';
import { VERSIONS } from '../versions';
import { cronScheduleProblem } from '../lib/cron-schedule';

/**
 * A CronJob schedule the API server accepts (constructs/lib/cron-schedule.ts: robfig/cron v3's
 * standard parser, as kubernetes validateScheduleFormat calls it), so that a schedule with a
 * value out of range (`0 3 * * 7`: days of the week are 0-6) is refused here, naming the field,
 * not by the API server at apply time.
 */
const cron = () => z.string().superRefine((v, ctx) => {
  const problem = cronScheduleProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `"${v}" ${problem}: a CronJob schedule is five fields (minute hour day-of-month month day-of-week, e.g. "15 2 * * *") or a descriptor (@daily)` });
});

/** `schema.table` (or a table of `public`): plain lower-case Postgres identifiers, so the drill's SQL needs no quoting. */
const TABLE = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;
/** A Consul KV key: path segments of letters, digits and `-_.`, separated by `/`. */
const KEY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

const BACKUP_RESOURCES = {
  requests: { cpu: '50m', memory: '128Mi', ephemeralStorage: '256Mi' },
  limits: { cpu: '500m', memory: '256Mi', ephemeralStorage: '1Gi' },
};
const DRILL_RESOURCES = {
  requests: { cpu: '100m', memory: '256Mi', ephemeralStorage: '256Mi' },
  limits: { cpu: '500m', memory: '512Mi', ephemeralStorage: '1Gi' },
};
const sized = (r: typeof BACKUP_RESOURCES) => resources('Burstable').prefault(() => ({ requests: { ...r.requests }, limits: { ...r.limits } }));

/** One scheduled backup: when, how many to keep, and when its age becomes an alert. */
const schedule = (at: string, keep: number, staleAfterHours: number) => z.strictObject({
  /** Cron schedule in UTC. */
  schedule: cron().prefault(at),
  /**
   * Retention: the `keep` newest backups stay, older ones are deleted after each
   * successful backup (count, not age: a failing backup never deletes the last good ones).
   */
  keep: int(1, 1000).prefault(keep),
  /** Hours without a successful run after which `BackupNotRecent` fires (the period of the schedule plus a margin). */
  staleAfterHours: int(1, 24 * 60).prefault(staleAfterHours),
  resources: sized(BACKUP_RESOURCES),
});

/** Where backups go. */
const target = z.discriminatedUnion('type', [
  z.strictObject({
    /** A claim in the stateful namespace (ReadWriteOnce: the backup and drill CronJobs run at different times). */
    type: z.literal('claim'),
    size: quantity('storage', { positive: true }),
    /** @default - the environment's `storageClass` */
    storageClassName: dnsSubdomain().optional(),
  }),
  z.strictObject({
    /** An S3-compatible bucket; credentials only from the Secret `backups-s3-credentials`. */
    type: z.literal('s3'),
    /** Endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com or https://minio.example.com. */
    endpoint: z.url({ protocol: /^https?$/, error: iss => `must be an http(s) URL, got ${JSON.stringify(iss.input)}` }),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)' }),
    /** Key prefix inside the bucket (no leading or trailing `/`). @default dockercoins */
    prefix: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, { error: 'must be key segments separated by "/", without a leading or trailing "/"' }).prefault('dockercoins'),
    /** @default us-east-1 */
    region: z.string().regex(/^[a-z0-9-]+$/).prefault('us-east-1'),
    /** Addresses of the endpoint, the only place backup pods may connect besides their store (NetworkPolicy ipBlock). */
    cidr: cidr(),
    /** @default 443 */
    port: port().prefault(443),
  }),
]);

/**
 * Scheduled backups of the stateful services and restore drills (`backups`);
 * needs `stateful`. Postgres: pg_dump custom format as a least-privilege role
 * (pg_read_all_data); Consul: `consul snapshot save` with a token of its own.
 * Drills restore the newest backup into scratch servers inside their pod and check it.
 */
export const backupsSchema = z.strictObject({
  target,
  /** Postgres dumps. @default daily at 02:15, keep 7, alert after 26 h */
  postgres: schedule('15 2 * * *', 7, 26).optional(),
  /** Consul snapshots. @default daily at 02:45, keep 7, alert after 26 h */
  consul: schedule('45 2 * * *', 7, 26).optional(),
  /** Restore drills of every store backed up. @default - no drills */
  drills: z.strictObject({
    /** Cron schedule in UTC. @default weekly, Sunday 05:30 */
    schedule: cron().prefault('30 5 * * 0'),
    /** Hours without a passed drill after which `BackupNotRecent` fires. @default 8 days */
    staleAfterHours: int(1, 24 * 60).prefault(24 * 8),
    /** Tables that must come back with at least `minRows` rows. @default the restore canary the setup Job keeps (1 row) */
    tables: z.array(z.strictObject({
      name: z.string().regex(TABLE, { error: 'must be a table as schema.table or table (lower-case letters, digits and _)' }),
      minRows: int(0),
    })).prefault([{ name: 'platform_backup.restore_canary', minRows: 1 }]),
    /** Consul keys that must come back (the marker each backup writes is always checked). @default [] */
    keys: z.array(z.string().regex(KEY, { error: 'must be a Consul key (segments of letters, digits and -_. separated by /)' })).prefault([]),
    /** Size limit of the scratch volume (restored data, the downloaded backup); it counts against resources' ephemeral storage. @default 768Mi */
    scratchSize: quantity('storage', { positive: true }).prefault('768Mi'),
    resources: sized(DRILL_RESOURCES),
  }).optional(),
  /** The aws CLI, for an S3 target. */
  awsCliImage: image().prefault(VERSIONS.awsCli),
  /** Size limit of the emptyDir a backup is written to before its upload (S3 target); it counts against resources' ephemeral storage. @default 768Mi */
  scratchSize: quantity('storage', { positive: true }).prefault('768Mi'),
  /** The Jobs that create the backup role (Postgres) and token (Consul). @default SETUP_JOB_RESOURCES */
  setup: setupJob(),
}).superRefine((b, ctx) => {
  if (!b.postgres && !b.consul) ctx.addIssue({ code: 'custom', message: 'backs up nothing: add postgres and/or consul (each {} takes the defaults)', path: [] });
});
export type BackupsConfig = z.infer<typeof backupsSchema>;
