import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import type { CertificateProvider } from '../lib/certificates';
import { ComponentIdentity, recommendedLabels, selectorLabels } from '../lib/labels';
import { PeerSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ProbeTimings } from '../lib/probes';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef, TolerationSpec } from '../lib/types';
import { HardenedDaemonSet, HardenedPod, HostPathSpec, secretEnv } from '../lib/workload';

export interface FluentBitProps {
  /** Instance name (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /**
   * Namespace of the namespaced objects. Its Pod Security level must be
   * `privileged` (hostPath and root are forbidden by baseline).
   */
  readonly namespace: string;
  /** cr.fluentbit.io/fluent/fluent-bit, pinned. */
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Tolerations, e.g. `[{ operator: 'Exists' }]` to run on every node. @default - none */
  readonly tolerations?: readonly TolerationSpec[];
  /** Also mount /var/lib/docker/containers (Docker Engine nodes). @default false */
  readonly dockerRuntime?: boolean;
  /** Where logs go. */
  readonly elasticsearch: {
    /** Service host, e.g. `elasticsearch.logging.svc`. */
    readonly host: string;
    readonly port: number;
    /** The Elasticsearch pods, for the egress rule. */
    readonly peer: PeerSpec;
    /**
     * Existing Secret (never rendered) IN `namespace` with key `password` for
     * the user `username`.
     */
    readonly credentialsSecret: string;
    /**
     * The Elasticsearch user it writes as: one whose role may only create
     * documents in `<indexPrefix>-*` (created by the Elasticsearch setup Job),
     * never the `elastic` superuser.
     */
    readonly username: string;
    /** Index prefix: indices are `<prefix>-YYYY.MM.DD`. @default FLUENT_BIT_INDEX_PREFIX */
    readonly indexPrefix?: string;
    /**
     * HTTPS with verification: Fluent Bit gets a client certificate in its own
     * namespace from this source, and verifies Elasticsearch's certificate
     * (chain and host name) against that Secret's `ca.crt`, the environment CA.
     * @default - plain HTTP
     */
    readonly certificates?: CertificateProvider;
  };
  /** API server endpoints (the kubernetes filter reads pod metadata). */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly port: number };
  /** Who may scrape the metrics port (Prometheus). @default - nobody */
  readonly metricsScrapers?: readonly PeerSpec[];
}

export const FLUENT_BIT_HTTP_PORT = 2020;
/** Secret of Fluent Bit's client certificate (its `ca.crt` verifies Elasticsearch). */
export const FLUENT_BIT_TLS_SECRET = 'fluent-bit-tls';
/** Where it is mounted. */
export const FLUENT_BIT_TLS_DIR = '/fluent-bit/tls';
/** `app.kubernetes.io/name` of the Fluent Bit pods. */
export const FLUENT_BIT_NAME = 'fluent-bit';
/** Selector of the Fluent Bit pods of an instance. */
export const fluentBitPods = (instance: string) => selectorLabels({ name: FLUENT_BIT_NAME, instance });
/** Host directory for the tail position database and the filesystem buffer. */
export const FLUENT_BIT_STATE_DIR = '/var/lib/fluent-bit';
/** Prefix of the daily log indices (`Logstash_Prefix`): `kubernetes-YYYY.MM.DD`. */
export const FLUENT_BIT_INDEX_PREFIX = 'kubernetes';
/** The environment variable holding the Elasticsearch password (`HTTP_Passwd ${...}` in fluent-bit.conf). */
const PASSWORD_ENV = 'ES_PASSWORD';
/** Prometheus metrics path of Fluent Bit 3.x. */
export const FLUENT_BIT_METRICS_PATH = '/api/v1/metrics/prometheus';

const READINESS: ProbeTimings = { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
const LIVENESS: ProbeTimings = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 };

/**
 * Fluent Bit on every node: tails container logs (CRI and Docker formats),
 * adds Kubernetes metadata and ships them to Elasticsearch.
 */
export class FluentBit extends Construct {
  public readonly pod: HardenedPod;
  /** The rendered fluent-bit.conf (exported for tests and docs). */
  public readonly config: string;

  constructor(scope: Construct, id: string, props: FluentBitProps) {
    super(scope, id);
    const name = FLUENT_BIT_NAME;
    const ns = props.namespace;
    const identity: ComponentIdentity = { name, instance: props.instance, component: 'log-shipper', partOf: 'logging', version: props.image.tag };
    const es = props.elasticsearch;

    const tlsSecret = es.certificates?.request(this, 'Certificate', {
      namespace: ns,
      secretName: FLUENT_BIT_TLS_SECRET,
      dnsNames: [],
      commonName: `${name}.${ns}`,
      usages: ['client auth'],
      purpose: 'internal',
      labels: recommendedLabels(this, identity),
    });
    this.config = fluentBitConfig({
      namespace: ns,
      esHost: es.host,
      esPort: es.port,
      username: es.username,
      indexPrefix: es.indexPrefix ?? FLUENT_BIT_INDEX_PREFIX,
      tls: tlsSecret !== undefined,
    });
    const settings = new SettingsConfigMap(this, 'Config', {
      name: `${name}-config`,
      namespace: ns,
      labels: recommendedLabels(this, identity),
      data: { 'fluent-bit.conf': this.config },
    });

    const hostPaths: HostPathSpec[] = [
      // Container logs: /var/log/containers/*.log link to /var/log/pods/...
      { name: 'varlog', hostPath: '/var/log' },
      // Tail offsets and buffered chunks on the node: they survive pod
      // restarts and upgrades, so logs are neither lost nor shipped twice
      // (an emptyDir would be reset whenever the pod is replaced).
      { name: 'state', hostPath: FLUENT_BIT_STATE_DIR, writable: true, type: 'DirectoryOrCreate' },
    ];
    if (props.dockerRuntime) hostPaths.push({ name: 'docker-containers', hostPath: '/var/lib/docker/containers' });

    const daemonSet = new HardenedDaemonSet(this, 'Agent', {
      identity,
      tier: 'node-agent',
      namespace: ns,
      // Unused: hostAccess.runAsRoot replaces it with uid/gid 0.
      runAs: { user: 0, group: 0 },
      hostAccess: {
        reason: 'reads the kubelet container logs under /var/log/pods (root-owned, mode 0640) from a hostPath and keeps its read positions in a hostPath; root without capabilities, read-only root filesystem',
        runAsRoot: true,
        // Reading alone would work without root: the kubelet's log files are root:root 0640,
        // so an unprivileged uid with supplementary group 0 can read them. Writing cannot:
        // the state directory is created by the kubelet (DirectoryOrCreate) as root:root 0755,
        // and fsGroup does not apply to hostPath volumes, so only uid 0 can write the tail
        // database and the filesystem buffer that keep logs from being lost or shipped twice.
        runAsRootReason: `writes its tail positions and buffered chunks in ${FLUENT_BIT_STATE_DIR} on the node, a hostPath the kubelet creates root:root 0755 (fsGroup does not apply to hostPath); the log files themselves are root:root 0640. Root with every capability dropped, no privilege escalation and a read-only root filesystem`,
        paths: hostPaths,
      },
      qos: 'Burstable',
      // Reads pod and namespace metadata from the API server.
      automountServiceAccountToken: true,
      apiAccessReason: 'the kubernetes filter reads pod and namespace metadata from the API (ClusterRole: pods, namespaces get/list/watch)',
      terminationGracePeriodSeconds: 30,
      tolerations: props.tolerations,
      // The old and the new pod of a node must not share the position
      // database: replace in place (no surge), one node at a time.
      maxSurge: 0,
      maxUnavailable: 1,
      podAnnotations: {
        [SETTINGS_CHECKSUM_ANNOTATION]: settings.checksum,
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(FLUENT_BIT_HTTP_PORT),
        'prometheus.io/path': FLUENT_BIT_METRICS_PATH,
      },
      volumes: [
        { name: 'config', configMap: { name: settings.name } },
        ...(tlsSecret ? [{ name: 'tls', secret: { secretName: tlsSecret, defaultMode: 0o440 } }] : []),
      ],
      containers: [{
        name,
        image: props.image,
        command: ['/fluent-bit/bin/fluent-bit'],
        args: ['--workdir=/fluent-bit/etc', '--config=/fluent-bit/etc/conf/fluent-bit.conf'],
        ports: [{ name: 'http', containerPort: FLUENT_BIT_HTTP_PORT }],
        envFrom: [secretEnv(PASSWORD_ENV, es.credentialsSecret, 'password')],
        resources: props.resources,
        probes: {
          // Ready once the HTTP server answers and outputs are healthy
          // (Health_Check: too many errors/failed retries in HC_Period).
          // /api/v1/health: /api/v2/health does not exist in Fluent Bit 3.1.
          readiness: { check: { http: { path: '/api/v1/health', port: 'http' } }, timings: READINESS },
          // Liveness only checks the process: restarting does not fix an
          // unreachable Elasticsearch, the filesystem buffer rides it out.
          liveness: { check: { http: { path: '/', port: 'http' } }, timings: LIVENESS },
        },
        volumeMounts: [
          { name: 'config', mountPath: '/fluent-bit/etc/conf', readOnly: true },
          ...(tlsSecret ? [{ name: 'tls', mountPath: FLUENT_BIT_TLS_DIR, readOnly: true }] : []),
        ],
      }],
    });
    this.pod = daemonSet.pod;

    // Least privilege: metadata of pods and namespaces, read-only.
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name, labels: this.pod.labels },
      rules: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name, labels: this.pod.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: this.pod.serviceAccountName, namespace: ns }],
    });

    new WorkloadNetworkPolicy(this, 'Policy', {
      name, namespace: ns, labels: this.pod.labels, podSelector: this.pod.selector,
      ingress: props.metricsScrapers?.length ? [{ peers: props.metricsScrapers, ports: [{ port: FLUENT_BIT_HTTP_PORT }] }] : [],
      egress: [
        { peers: [es.peer], ports: [{ port: es.port }] },
        { peers: props.apiServer.cidrs.map(cidr => ({ cidr })), ports: [{ port: props.apiServer.port }] },
      ],
    });
  }
}

/** The Fluent Bit pipeline (classic format). */
export function fluentBitConfig(o: { namespace: string; esHost: string; esPort: number; username: string; indexPrefix: string; tls?: boolean }): string {
  // Output TLS (fluent/fluent-bit v3.1.9 src/flb_output.c): `tls.verify` defaults to on but
  // `tls.verify_hostname` to OFF, so both are explicit: the chain AND the name `Host` must match.
  const tls = o.tls
    ? `
    tls                      On
    tls.verify               On
    tls.verify_hostname      On
    tls.ca_file              ${FLUENT_BIT_TLS_DIR}/ca.crt`
    : '';
  return `[SERVICE]
    Daemon                    Off
    Flush                     1
    Grace                     10
    Log_Level                 info
    Parsers_File              /fluent-bit/etc/parsers.conf
    HTTP_Server               On
    HTTP_Listen               0.0.0.0
    HTTP_Port                 ${FLUENT_BIT_HTTP_PORT}
    Health_Check              On
    HC_Errors_Count           5
    HC_Retry_Failure_Count    5
    HC_Period                 60
    storage.path              ${FLUENT_BIT_STATE_DIR}/buffer
    storage.sync              normal
    storage.backlog.mem_limit 5M

[INPUT]
    Name              tail
    Tag               kube.*
    Path              /var/log/containers/*.log
    # Not its own logs: an Elasticsearch error would be shipped, fail, and be logged again.
    Exclude_Path      /var/log/containers/fluent-bit-*_${o.namespace}_*.log
    multiline.parser  docker, cri
    DB                ${FLUENT_BIT_STATE_DIR}/tail.db
    DB.locking        true
    Mem_Buf_Limit     5MB
    Skip_Long_Lines   On
    Refresh_Interval  10
    storage.type      filesystem

[FILTER]
    Name                kubernetes
    Match               kube.*
    Kube_URL            https://kubernetes.default.svc:443
    Kube_CA_File        /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    Kube_Token_File     /var/run/secrets/kubernetes.io/serviceaccount/token
    Kube_Tag_Prefix     kube.var.log.containers.
    Buffer_Size         256k
    Merge_Log           On
    Merge_Log_Key       log_processed
    Keep_Log            Off
    K8S-Logging.Parser  On
    K8S-Logging.Exclude On
    Labels              On
    Annotations         Off

[OUTPUT]
    Name                     es
    Match                    kube.*
    Host                     ${o.esHost}
    Port                     ${o.esPort}
    HTTP_User                ${o.username}
    HTTP_Passwd              \${${PASSWORD_ENV}}${tls}
    Logstash_Format          On
    Logstash_Prefix          ${o.indexPrefix}
    Suppress_Type_Name       On
    # Only creates documents (with Generate_ID): the user's role grants create_doc, not index.
    Write_Operation          create
    Replace_Dots             On
    Generate_ID              On
    Trace_Error              On
    Retry_Limit              False
    storage.total_limit_size 512M
`;
}
