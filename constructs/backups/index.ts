import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { caVolume } from '../lib/certificates';
import { PLATFORM_VERSION } from '../lib/component';
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { NetworkRule, PodPortRef, rulesToPods, WorkloadNetworkPolicy } from '../lib/network';
import { RunAsIdentity } from '../lib/security';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef } from '../lib/types';
import { ContainerSpec, HardenedCronJob, HardenedPod, secretEnv } from '../lib/workload';
import { postgresClientEnv, PostgresClientTarget } from '../postgres';

/** Names of the objects (CronJobs and their pods, policies, ServiceAccounts). */
export const BACKUP_NAMES = {
  postgres: 'postgres-backup',
  consul: 'consul-backup',
  postgresDrill: 'postgres-restore-drill',
  consulDrill: 'consul-restore-drill',
  scripts: 'backup-scripts',
  claim: 'backups',
} as const;

/** The Consul key every backup writes before its snapshot, which every drill checks. */
export const CONSUL_MARKER_KEY = 'dockercoins-backup/last-snapshot';

/** The scripts, shipped as files (constructs/backups/scripts/) and rendered into one ConfigMap: the same text the integration tests run. */
export const SCRIPT_FILES = [
  'lib.sh', 'postgres-backup.sh', 'postgres-drill.sh', 'postgres-backup-setup.sh', 'postgres-backup-role.sql',
  'consul-backup.sh', 'consul-drill.sh', 's3-upload.sh', 's3-fetch.sh',
] as const;
export const SCRIPTS_SOURCE_DIR = path.join(__dirname, 'scripts');
export function backupScripts(): Record<string, string> {
  return Object.fromEntries(SCRIPT_FILES.map(f => [f, fs.readFileSync(path.join(SCRIPTS_SOURCE_DIR, f), 'utf8')]));
}

/** Where the scripts, the claim, the scratch volume and the CAs are mounted. */
export const BACKUP_PATHS = { scripts: '/opt/backups', target: '/backups', scratch: '/scratch', postgresCa: '/etc/backups/postgres-ca', consulCa: '/etc/backups/consul-ca' } as const;

/**
 * Any uid runs pg_dump, consul and aws; fsGroup makes the claim writable and
 * the mounted Secret files readable. >= 10000 (kube-score).
 */
const BACKUP_USER: RunAsIdentity = { user: 10090, group: 10090, fsGroup: 10090 };

/** A key of an existing Secret. */
export interface SecretKeyRef { readonly name: string; readonly key: string }

/** Where backups go: a claim of the namespace, or an S3-compatible bucket. */
export type BackupTarget =
  | { readonly type: 'claim'; readonly size: string; readonly storageClassName?: string }
  | {
    readonly type: 's3'; readonly endpoint: string; readonly bucket: string; readonly prefix: string; readonly region: string;
    readonly cidr: string; readonly port: number;
    /** The access key pair, from a Secret (never rendered). */
    readonly accessKeyId: SecretKeyRef; readonly secretAccessKey: SecretKeyRef;
  };

export interface ScheduleSpec { readonly schedule: string; readonly keep: number; readonly resources: ContainerResources }

export interface BackupsProps {
  readonly instance: string;
  readonly namespace: string;
  readonly target: BackupTarget;
  readonly awsCliImage: ImageRef;
  /** emptyDir a backup is written to before its upload (S3). */
  readonly scratchSize: string;
  /** Postgres: the image the server runs (pg_dump >= server major), the role pg_dump connects as, its password Secret. */
  readonly postgres?: ScheduleSpec & {
    readonly image: ImageRef;
    readonly connection: PostgresClientTarget;
    readonly password: SecretKeyRef;
    /** The Postgres pods and port: the backup's only egress besides the target (Postgres admits it through the `clients` offer). */
    readonly store: PodPortRef;
  };
  /** Consul: the image (its CLI), CONSUL_HTTP_ADDR, the CA Secret where https, the token Secret. */
  readonly consul?: ScheduleSpec & {
    readonly image: ImageRef;
    readonly httpAddr: string;
    readonly caSecret?: string;
    readonly token: SecretKeyRef;
    /** The Consul servers and API port (admitted there through the `clients` offer). */
    readonly store: PodPortRef;
  };
  readonly drills?: {
    readonly schedule: string;
    readonly tables: readonly { readonly name: string; readonly minRows: number }[];
    readonly keys: readonly string[];
    readonly scratchSize: string;
    readonly resources: ContainerResources;
  };
}

/**
 * Scheduled backups of Postgres and Consul and their restore drills, as
 * CronJobs in the stateful namespace:
 * - a backup pod is a labelled client of its store (the store's own client
 *   policy opens that egress) and may otherwise reach only the S3 endpoint
 *   (plus DNS), or nothing with a claim target;
 * - a drill pod reaches only the S3 endpoint, or nothing: it restores into
 *   scratch servers it starts itself and needs no access to production.
 */
export class Backups extends Construct {
  /** The CronJobs by name. */
  public readonly cronJobs: Record<string, HardenedCronJob> = {};
  /** Pods that read the S3 credentials (for the required Secret's labels). */
  public readonly pods: HardenedPod[] = [];
  /** Checksum of the scripts ConfigMap. */
  public readonly scriptsChecksum: string;

  constructor(scope: Construct, id: string, props: BackupsProps) {
    super(scope, id);
    const ns = props.namespace;
    const partOf = 'dockercoins';
    const labels = recommendedLabels(this, { name: 'backups', instance: props.instance, component: 'backup', partOf, version: PLATFORM_VERSION });
    const scripts = new SettingsConfigMap(this, 'Scripts', { name: BACKUP_NAMES.scripts, namespace: ns, labels, data: backupScripts() });
    this.scriptsChecksum = scripts.checksum;
    const t = props.target;
    if (t.type === 'claim') {
      new k8s.KubePersistentVolumeClaim(this, 'Claim', {
        metadata: { name: BACKUP_NAMES.claim, namespace: ns, labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: t.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(t.size) } },
        },
      });
    }
    const s3 = t.type === 's3' ? t : undefined;
    const s3Egress: NetworkRule[] = s3 ? [{ peers: [{ cidr: s3.cidr }], ports: [{ port: s3.port }] }] : [];
    const awsEnv = (store: string): Record<string, string> => (s3 ? {
      // The aws CLI v2 reads AWS_ENDPOINT_URL (>= 2.13) for S3-compatible stores; HOME for its cache.
      AWS_ENDPOINT_URL: s3.endpoint, AWS_REGION: s3.region, S3_URI: `s3://${s3.bucket}/${s3.prefix}/${store}`, HOME: BACKUP_PATHS.scratch,
    } : {});
    const awsSecrets = s3 ? [
      secretEnv('AWS_ACCESS_KEY_ID', s3.accessKeyId.name, s3.accessKeyId.key),
      secretEnv('AWS_SECRET_ACCESS_KEY', s3.secretAccessKey.name, s3.secretAccessKey.key),
    ] : [];
    const scriptsMount = { name: 'scripts', mountPath: BACKUP_PATHS.scripts, readOnly: true };
    const targetMount = (readOnly: boolean) => (t.type === 'claim' ? [{ name: 'target', mountPath: BACKUP_PATHS.target, readOnly }] : []);
    const baseVolumes: k8s.Volume[] = [
      { name: 'scripts', configMap: { name: scripts.name, defaultMode: 0o444 } },
      ...(t.type === 'claim' ? [{ name: 'target', persistentVolumeClaim: { claimName: BACKUP_NAMES.claim } }] : []),
    ];
    const cron = (name: string, component: string, schedule: string, pod: {
      containers: ContainerSpec[]; initContainers?: ContainerSpec[]; volumes?: k8s.Volume[]; store?: PodPortRef; image: ImageRef; backoffLimit: number;
    }) => {
      const identity: ComponentIdentity = { name, instance: props.instance, component, partOf, version: pod.image.tag };
      const job = new HardenedCronJob(this, name, {
        identity,
        namespace: ns,
        runAs: BACKUP_USER,
        tier: 'data',
        qos: 'Burstable',
        terminationGracePeriodSeconds: 30,
        schedule,
        backoffLimit: pod.backoffLimit,
        podAnnotations: { [SETTINGS_CHECKSUM_ANNOTATION]: scripts.checksum },
        volumes: [...baseVolumes, ...(pod.volumes ?? [])],
        containers: pod.containers,
        initContainers: pod.initContainers,
      });
      this.cronJobs[name] = job;
      this.pods.push(job.pod);
      new WorkloadNetworkPolicy(this, `${name}-policy`, {
        name,
        namespace: ns,
        labels: job.pod.labels,
        podSelector: job.pod.selector,
        ingress: [],
        // A backup: its store and the target; a drill: the target only (nothing with a claim).
        egress: [...(pod.store ? rulesToPods([pod.store]) : []), ...s3Egress],
        dns: s3Egress.length > 0 || pod.store !== undefined,
      });
    };
    const waived = { waivedBecause: 'a CronJob: one backup or drill, then it exits' };
    const run = (script: string) => ['sh', `${BACKUP_PATHS.scripts}/${script}`];
    const scratch = (size: string) => [{ path: BACKUP_PATHS.scratch, sizeLimit: size }, { path: '/tmp', sizeLimit: '64Mi' }];
    /** A backup: written to the claim, or to the scratch volume and uploaded by a second container. */
    const backup = (store: 'postgres' | 'consul', spec: ScheduleSpec & { image: ImageRef; store: PodPortRef }, env: Record<string, string>, envFrom: k8s.EnvVar[], mounts: k8s.VolumeMount[], volumes: k8s.Volume[]) => {
      const suffix = store === 'postgres' ? '.dump' : '.snap';
      const writer: ContainerSpec = {
        name: 'backup',
        image: spec.image,
        command: run(`${store}-backup.sh`),
        env: { ...env, BACKUP_DIR: s3 ? `${BACKUP_PATHS.scratch}/out` : `${BACKUP_PATHS.target}/${store}`, KEEP: s3 ? '0' : String(spec.keep), HOME: BACKUP_PATHS.scratch },
        envFrom,
        resources: spec.resources,
        probes: waived,
        writablePaths: scratch(props.scratchSize),
        volumeMounts: [scriptsMount, ...targetMount(false), ...mounts],
      };
      const upload: ContainerSpec | undefined = s3 ? {
        name: 'upload',
        image: props.awsCliImage,
        command: run('s3-upload.sh'),
        env: { ...awsEnv(store), SOURCE_DIR: `${BACKUP_PATHS.scratch}/out`, SUFFIX: suffix, KEEP: String(spec.keep) },
        envFrom: awsSecrets,
        resources: spec.resources,
        probes: waived,
        writablePaths: scratch(props.scratchSize),
        volumeMounts: [scriptsMount],
      } : undefined;
      cron(BACKUP_NAMES[store], 'backup', spec.schedule, {
        image: spec.image,
        store: spec.store,
        backoffLimit: 1,
        volumes,
        ...(upload ? { initContainers: [writer], containers: [upload] } : { containers: [writer] }),
      });
    };
    /** A drill: the newest backup from the claim, or fetched from S3 first, restored inside the pod. */
    const drill = (store: 'postgres' | 'consul', image: ImageRef, env: Record<string, string>) => {
      const d = props.drills!;
      const suffix = store === 'postgres' ? '.dump' : '.snap';
      const writable = [...scratch(d.scratchSize), ...(store === 'postgres' ? [{ path: '/dev/shm', medium: 'Memory' as const, sizeLimit: '64Mi' }] : [])];
      const restore: ContainerSpec = {
        name: 'drill',
        image,
        command: run(`${store}-drill.sh`),
        env: { ...env, BACKUP_DIR: s3 ? `${BACKUP_PATHS.scratch}/in` : `${BACKUP_PATHS.target}/${store}`, WORK_DIR: `${BACKUP_PATHS.scratch}/work`, HOME: BACKUP_PATHS.scratch, TMPDIR: '/tmp' },
        resources: d.resources,
        probes: waived,
        writablePaths: writable,
        volumeMounts: [scriptsMount, ...targetMount(true)],
      };
      const fetch: ContainerSpec | undefined = s3 ? {
        name: 'fetch',
        image: props.awsCliImage,
        command: run('s3-fetch.sh'),
        env: { ...awsEnv(store), TARGET_DIR: `${BACKUP_PATHS.scratch}/in`, SUFFIX: suffix },
        envFrom: awsSecrets,
        resources: d.resources,
        probes: waived,
        writablePaths: scratch(d.scratchSize),
        volumeMounts: [scriptsMount],
      } : undefined;
      // A failed drill is a finding, not a flake: no retry.
      cron(store === 'postgres' ? BACKUP_NAMES.postgresDrill : BACKUP_NAMES.consulDrill, 'restore-drill', d.schedule, {
        image, backoffLimit: 0, containers: [restore], ...(fetch ? { initContainers: [fetch] } : {}),
      });
    };

    if (props.postgres) {
      const pg = props.postgres;
      const ca = pg.connection.caSecret;
      backup('postgres', pg, postgresClientEnv(pg.connection, BACKUP_PATHS.postgresCa),
        [secretEnv('PGPASSWORD', pg.password.name, pg.password.key)],
        ca ? [{ name: 'postgres-ca', mountPath: BACKUP_PATHS.postgresCa, readOnly: true }] : [],
        ca ? [caVolume('postgres-ca', ca)] : []);
      if (props.drills) drill('postgres', pg.image, { CHECKS: props.drills.tables.map(x => `${x.name}:${x.minRows}`).join(' ') });
    }
    if (props.consul) {
      const c = props.consul;
      const https = c.httpAddr.startsWith('https://');
      if (https !== (c.caSecret !== undefined)) throw new Error(`${ns}/${BACKUP_NAMES.consul}: ${c.httpAddr} ${https ? 'is https but no caSecret gives the CA to verify it' : 'is not https but caSecret is set'}`);
      // The CLI reads CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN and CONSUL_CACERT (chain and host name of the address).
      backup('consul', c, { CONSUL_HTTP_ADDR: c.httpAddr, MARKER_NAME: CONSUL_MARKER_KEY, ...(c.caSecret ? { CONSUL_CACERT: `${BACKUP_PATHS.consulCa}/ca.crt` } : {}) },
        [secretEnv('CONSUL_HTTP_TOKEN', c.token.name, c.token.key)],
        c.caSecret ? [{ name: 'consul-ca', mountPath: BACKUP_PATHS.consulCa, readOnly: true }] : [],
        c.caSecret ? [caVolume('consul-ca', c.caSecret)] : []);
      if (props.drills) drill('consul', c.image, { MARKER_NAME: CONSUL_MARKER_KEY, KV_CHECKS: props.drills.keys.join(' ') });
    }
  }
}
