import { Construct } from 'constructs';
import { CertificateProvider, serviceDnsNames, TLS_SECRET_KEYS } from '../lib/certificates';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { PeerSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ProbeTimings } from '../lib/probes';
import { RunAsIdentity } from '../lib/security';
import { ClusterService } from '../lib/service';
import { ContainerResources, ImageRef, StorageRequest } from '../lib/types';
import { HardenedStatefulSet, secretEnv } from '../lib/workload';

/** Label a pod carries to be allowed to connect to Postgres (same namespace or a listed client namespace). */
export const POSTGRES_CLIENT_LABEL = 'postgres.dockercoins.io/client';

/** A persistent volume of a stateful service. */
export type VolumeSpec = StorageRequest;

export interface PostgresProps {
  /** `app.kubernetes.io/instance`. */
  readonly instance: string;
  /** Namespace of every object; it must exist (see `ProductionNamespace`). */
  readonly namespace: string;
  /** Pinned `postgres:<version>-alpine` image (the uid/gid 70 below are the alpine image's). */
  readonly image: ImageRef;
  /** Requests must equal limits (Guaranteed QoS): a database should be the last thing evicted. */
  readonly resources: ContainerResources;
  /** The data volume (a volumeClaimTemplate). */
  readonly storage: VolumeSpec;
  /**
   * Size of the memory-backed /dev/shm (parallel queries use POSIX shared
   * memory; a container runtime's default of 64Mi is too small). It counts
   * against the memory limit.
   */
  readonly shmSize: string;
  /** Database created on first start (`POSTGRES_DB`). */
  readonly database: string;
  /** Superuser created on first start (`POSTGRES_USER`). */
  readonly user: string;
  /**
   * Existing Secret holding the superuser password; never rendered by this
   * construct (Pulumi creates it from secret config, or an operator with kubectl).
   * Declared as the server's superuser credential: other pods (the exporter)
   * get their own roles from setup Jobs (`validate`, rule superuser-credential).
   */
  readonly passwordSecret: { readonly name: string; readonly key: string };
  /** Namespaces (besides its own) whose pods labelled `POSTGRES_CLIENT_LABEL=true` may connect. @default - none */
  readonly clientNamespaces?: readonly string[];
  /** Client pods other components offer (`clients`), admitted on 5432 by their own labels. @default - none */
  readonly clients?: readonly PeerSpec[];
  /**
   * Seconds between the start of the shutdown and SIGKILL. The preStop hook
   * runs a fast shutdown (`pg_ctl stop -m fast`, what SIGINT does) with a
   * timeout 10 s shorter, so that a slow final checkpoint completes instead of
   * leaving crash recovery to the next start. @default 60
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Where the environment has TLS: the server certificate from its source,
   * `ssl=on`, and remote clients admitted only over TLS (`hostssl`).
   * @default - no TLS (remote clients on `host` lines, still scram-sha-256)
   */
  readonly certificates?: CertificateProvider;
}

/**
 * An id of our own (kube-score wants uid/gid >= 10000), not the image's 70:
 * the entrypoint runs initdb as any uid, faking the passwd entry with
 * nss_wrapper, which the alpine images install (docker-library/postgres
 * docker-entrypoint.sh `docker_init_database_dir`; 16/alpine3.20/Dockerfile at
 * 3a94d965ec, line 179). fsGroup makes the claim writable; initdb creates
 * PGDATA (a subdirectory) 0700, owned by this uid, as the server requires.
 * A data directory initialised as uid 70 must be re-owned once (docs/images.md).
 */
const POSTGRES_USER_ID: RunAsIdentity = { user: 10070, group: 10070, fsGroup: 10070 };
export const POSTGRES_PORT = 5432;
/** Name of the (headless) Service clients connect to. */
export const POSTGRES_SERVICE = 'postgres';
/** Where the claim is mounted; PGDATA is a subdirectory because a fresh volume's lost+found makes initdb refuse the mount point. */
export const POSTGRES_MOUNT = '/var/lib/postgresql/data';
export const POSTGRES_PGDATA = `${POSTGRES_MOUNT}/pgdata`;
/** Secret of the server certificate where the environment has TLS (its `ca.crt` is what clients verify against). */
export const POSTGRES_TLS_SECRET = 'postgres-tls';
/** Where the server certificate and the client authentication file are mounted. */
export const POSTGRES_TLS_DIR = '/etc/postgresql/tls';
export const POSTGRES_HBA_DIR = '/etc/postgresql/hba';

/**
 * pg_hba.conf: scram-sha-256 for every connection (no trust, no md5, no
 * password), over the socket and loopback (probes, the image's init scripts);
 * remote clients over TLS only (`hostssl`) where the server has a certificate,
 * else on `host`. First match wins; anything else is refused.
 */
export function postgresHba(tls: boolean): string {
  const remote = tls ? 'hostssl' : 'host';
  return [
    '# TYPE  DATABASE USER ADDRESS       METHOD',
    'local   all      all                scram-sha-256',
    'host    all      all  127.0.0.1/32  scram-sha-256',
    'host    all      all  ::1/128       scram-sha-256',
    `${remote.padEnd(7)} all      all  0.0.0.0/0     scram-sha-256`,
    `${remote.padEnd(7)} all      all  ::/0          scram-sha-256`,
    '',
  ].join('\n');
}

/**
 * Server settings given as `-c` arguments: the image's entrypoint puts
 * `postgres` in front of arguments starting with '-' and passes them to the
 * temporary init server too (docker-library/postgres 6edb0a8c,
 * 16/alpine3.22/docker-entrypoint.sh lines 298 and 328), so the init scripts
 * already run under the same pg_hba.conf.
 */
export function postgresSettings(tls: boolean): string[] {
  const settings: Record<string, string> = {
    // Every stored password is a SCRAM verifier (also the default since 14; explicit so that nothing can store md5).
    password_encryption: 'scram-sha-256',
    hba_file: `${POSTGRES_HBA_DIR}/pg_hba.conf`,
  };
  if (tls) {
    Object.assign(settings, {
      ssl: 'on',
      ssl_cert_file: `${POSTGRES_TLS_DIR}/${TLS_SECRET_KEYS.cert}`,
      ssl_key_file: `${POSTGRES_TLS_DIR}/${TLS_SECRET_KEYS.key}`,
      ssl_min_protocol_version: 'TLSv1.2',
    });
  }
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

const READINESS: ProbeTimings = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
/** Lenient: a restart of a busy database is worse than a slow answer. */
const LIVENESS: ProbeTimings = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 };
/** First start runs initdb, a later one may replay WAL after a crash: allow 10 minutes before liveness applies. */
const STARTUP: ProbeTimings = { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 };

/**
 * A single PostgreSQL primary on a persistent claim: restricted security
 * profile with a read-only root filesystem, Guaranteed QoS, password from an
 * existing Secret, a headless Service, and a NetworkPolicy that admits only
 * labelled client pods on 5432.
 *
 * One replica by design: the official image has no replication, so a second
 * pod would be a second, independent database. Data survives pod and node loss
 * on the claim (use a replicated StorageClass for node loss); there is no PDB
 * because a budget for one pod either protects nothing or blocks every drain.
 */
export class Postgres extends Construct {
  public readonly serviceName: string;
  public readonly statefulSet: HardenedStatefulSet;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const ns = props.namespace;
    const grace = props.terminationGracePeriodSeconds ?? 60;
    if (grace < 20) throw new Error(`${ns}/postgres: terminationGracePeriodSeconds must be at least 20 to let a fast shutdown finish, got ${grace}`);
    const identity: ComponentIdentity = {
      name: 'postgres', instance: props.instance, component: 'database', partOf: 'dockercoins', version: props.image.tag,
    };
    const tls = props.certificates !== undefined;
    const labels = recommendedLabels(this, identity);
    const certSecret = props.certificates?.request(this, 'Certificate', {
      namespace: ns,
      secretName: POSTGRES_TLS_SECRET,
      // The headless Service and the pod's own name under it.
      dnsNames: [...serviceDnsNames(POSTGRES_SERVICE, ns), `postgres-0.${POSTGRES_SERVICE}.${ns}.svc`, `postgres-0.${POSTGRES_SERVICE}.${ns}.svc.cluster.local`],
      usages: ['server auth'],
      purpose: 'internal',
      labels,
    });
    const hba = new SettingsConfigMap(this, 'Hba', { name: 'postgres-hba', namespace: ns, labels, data: { 'pg_hba.conf': postgresHba(tls) } });
    const pgIsReady = ['pg_isready', '-U', props.user, '-d', props.database, '-h', '127.0.0.1', '-p', String(POSTGRES_PORT)];
    this.serviceName = POSTGRES_SERVICE;

    this.statefulSet = new HardenedStatefulSet(this, 'StatefulSet', {
      identity,
      tier: 'data',
      namespace: ns,
      replicas: 1,
      serviceName: this.serviceName,
      runAs: POSTGRES_USER_ID,
      qos: 'Guaranteed',
      terminationGracePeriodSeconds: grace,
      superuserCredentials: [{ secret: props.passwordSecret.name, key: props.passwordSecret.key }],
      volumeClaims: [{ name: 'data', size: props.storage.size, storageClassName: props.storage.storageClassName }],
      podAnnotations: { [SETTINGS_CHECKSUM_ANNOTATION]: hba.checksum },
      volumes: [
        { name: 'hba', configMap: { name: hba.name } },
        // Postgres refuses a key file with group or world access unless root owns it, and then
        // accepts u=rw,g=r (0640) at most (src/backend/libpq/be-secure-common.c,
        // check_ssl_key_file_permissions). Secret files are owned by root with group fsGroup (the postgres group, POSTGRES_USER_ID):
        // 0640 lets the postgres user read the key through its group, and nobody else.
        ...(certSecret ? [{ name: 'tls', secret: { secretName: certSecret, defaultMode: 0o640 } }] : []),
      ],
      containers: [{
        name: 'postgres',
        image: props.image,
        resources: props.resources,
        args: postgresSettings(tls),
        ports: [{ name: 'postgres', containerPort: POSTGRES_PORT }],
        env: {
          PGDATA: POSTGRES_PGDATA,
          POSTGRES_USER: props.user,
          POSTGRES_DB: props.database,
          // Explicit, so that nothing can fall back to `trust`: TCP clients
          // (including 127.0.0.1, set by initdb) must send a password.
          POSTGRES_HOST_AUTH_METHOD: 'scram-sha-256',
          POSTGRES_INITDB_ARGS: '--auth-host=scram-sha-256',
        },
        envFrom: [secretEnv('POSTGRES_PASSWORD', props.passwordSecret.name, props.passwordSecret.key)],
        probes: {
          // pg_isready checks that the server accepts connections, without logging in: it
          // reports "rejecting connections" during crash recovery and shutdown, when the pod
          // must leave the Service. Liveness is the postmaster's socket accepting TCP, which
          // holds through a long recovery that a pg_isready liveness would kill (kube-score
          // pod-probes-identical).
          readiness: { check: { exec: pgIsReady }, timings: READINESS },
          liveness: { check: { tcp: { port: POSTGRES_PORT } }, timings: LIVENESS },
          startup: { check: { exec: pgIsReady }, timings: STARTUP },
        },
        // Kubernetes stops containers with SIGTERM, which Postgres treats as a
        // "smart" shutdown that waits for every client to disconnect (the
        // image's STOPSIGNAL SIGINT is ignored by the kubelet). The hook asks
        // for the fast shutdown SIGINT would have triggered and waits for it.
        preStop: ['sh', '-c', `exec pg_ctl stop -D "$PGDATA" -m fast -w -t ${grace - 10}`],
        writablePaths: [
          { path: '/var/run/postgresql', sizeLimit: '16Mi' },
          { path: '/tmp' },
          { path: '/dev/shm', medium: 'Memory', sizeLimit: props.shmSize },
        ],
        volumeMounts: [
          { name: 'data', mountPath: POSTGRES_MOUNT },
          { name: 'hba', mountPath: POSTGRES_HBA_DIR, readOnly: true },
          ...(certSecret ? [{ name: 'tls', mountPath: POSTGRES_TLS_DIR, readOnly: true }] : []),
        ],
      }],
    });
    const pod = this.statefulSet.pod;

    new ClusterService(this, 'Service', {
      name: this.serviceName,
      namespace: ns,
      labels: pod.labels,
      selector: pod.selector,
      headless: true,
      ports: [{ name: 'postgres', port: POSTGRES_PORT, targetPort: 'postgres' }],
    });

    const client = { [POSTGRES_CLIENT_LABEL]: 'true' };
    const peers: PeerSpec[] = [
      { pods: client },
      ...(props.clientNamespaces ?? []).filter(n => n !== ns).map(namespace => ({ pods: client, namespace })),
      ...(props.clients ?? []),
    ];
    new WorkloadNetworkPolicy(this, 'Policy', {
      name: 'postgres',
      namespace: ns,
      labels: pod.labels,
      podSelector: pod.selector,
      ingress: [{ peers, ports: [{ port: POSTGRES_PORT }] }],
      // Postgres opens no connections.
    });
    // The namespace denies all egress: a client pod here (e.g. a psql pod run
    // by an operator) is allowed out to Postgres by carrying the same label.
    // Clients in other namespaces need an egress rule in their own namespace.
    new WorkloadNetworkPolicy(this, 'ClientPolicy', {
      name: 'postgres-clients',
      namespace: ns,
      labels: pod.labels,
      selectsExternalPodsBecause: `client pods an operator runs in ${ns} with ${POSTGRES_CLIENT_LABEL}=true (e.g. psql)`,
      podSelector: client,
      egress: [{ peers: [{ pods: pod.selector }], ports: [{ port: POSTGRES_PORT }] }],
    });
  }
}

/** Where a libpq client connects: the Service host, database, role and (where the environment has TLS) the CA Secret. */
export interface PostgresClientTarget {
  readonly host: string;
  readonly database: string;
  readonly user: string;
  /** Secret whose `ca.crt` signs the server certificate. @default - sslmode=disable (no TLS in the environment) */
  readonly caSecret?: string;
}

/**
 * The libpq environment of a client pod (psql, pg_isready, pg_dump read the
 * same variables; libpq's "Environment Variables" chapter): verify-full checks
 * the chain against PGSSLROOTCERT and the host name against the certificate.
 * The password comes separately, as PGPASSWORD from a Secret.
 */
export function postgresClientEnv(target: PostgresClientTarget, caDir: string): Record<string, string> {
  return {
    PGHOST: target.host,
    PGPORT: String(POSTGRES_PORT),
    PGDATABASE: target.database,
    PGUSER: target.user,
    PGSSLMODE: target.caSecret ? 'verify-full' : 'disable',
    ...(target.caSecret ? { PGSSLROOTCERT: `${caDir}/ca.crt` } : {}),
    PGCONNECT_TIMEOUT: '10',
  };
}
