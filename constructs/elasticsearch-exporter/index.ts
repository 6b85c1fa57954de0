import { Construct } from 'constructs';
import { caVolume } from '../lib/certificates';
import { ComponentIdentity } from '../lib/labels';
import { PeerSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ContainerResources, ImageRef } from '../lib/types';
import { HardenedJob, secretEnv } from '../lib/workload';
import { NOBODY } from '../lib/security';
import { MetricsExporter } from '../lib/exporter';

/**
 * The exporter's port: main.go's `webflag.AddFlags(kingpin.CommandLine, ":9114")`
 * (the default `--web.listen-address`; the Dockerfile's `EXPOSE 7979` is stale).
 */
export const ELASTICSEARCH_EXPORTER_PORT = 9114;
export const ELASTICSEARCH_EXPORTER_NAME = 'elasticsearch-exporter';
/** `app.kubernetes.io/name` of the Job that creates the monitoring user (a client of Elasticsearch's HTTP port). */
export const ELASTICSEARCH_EXPORTER_SETUP_NAME = 'elasticsearch-exporter-setup';
/**
 * The user the exporter connects as, and its role: the `monitor` cluster
 * privilege (what `/`, `/_cluster/health` and `/_nodes/stats` need) and
 * `monitor` on indices; no read of any document, no write. (The built-in
 * remote_monitoring_user would also carry remote_monitoring_agent's write
 * privileges on metricbeat-* and .monitoring-*: Elasticsearch's
 * ReservedRolesStore.)
 */
export const ELASTICSEARCH_MONITORING_USER = 'elasticsearch-exporter';
export const ELASTICSEARCH_MONITORING_ROLE = 'elasticsearch-exporter';
/**
 * `monitor_snapshot` lists repositories and snapshots (GetRepositories,
 * GetSnapshots and SnapshotsStatus actions: Elasticsearch's
 * ClusterPrivilegeResolver `MONITOR_SNAPSHOT_PATTERN`), what the snapshots
 * collector calls (`GET /_snapshot`, `GET /_snapshot/<repo>/_all`); it cannot
 * create, delete or restore one. (The SLM collector's `/_slm/stats` would need
 * `manage_slm`, which can delete policies: not used.)
 */
export function monitoringRole(snapshots: boolean): object {
  return { cluster: ['monitor', ...(snapshots ? ['monitor_snapshot'] : [])], indices: [{ names: ['*'], privileges: ['monitor'] }] };
}

/** Where the CA of Elasticsearch's certificate is mounted. */
const CA_DIR = '/etc/elasticsearch-exporter/ca';
const CA_FILE = `${CA_DIR}/ca.crt`;

/**
 * Creates (or updates: PUT is idempotent) the role and the user with the
 * password from the Secret, as `elastic`, once Elasticsearch answers
 * (Elasticsearch's security API: PUT /_security/role/<name>, PUT
 * /_security/user/<name>). The password is sent in a JSON body: letters and
 * digits only (SECRETS.md generates hex).
 */
export const exporterSetupScript = (snapshots = false) => `set -eu
put() {
  curl \${ES_CA:+--cacert "\$ES_CA"} --silent --output /dev/null --write-out '%{http_code}' --max-time 10 -u "elastic:\${ELASTIC_PASSWORD}" -H 'Content-Type: application/json' -X PUT "\${ES_URI}$1" -d "$2" || echo 000
}
i=0
while [ "$i" -lt 60 ]; do
  role=$(put /_security/role/${ELASTICSEARCH_MONITORING_ROLE} '${JSON.stringify(monitoringRole(snapshots))}')
  if [ "$role" = 200 ]; then
    user=$(put /_security/user/${ELASTICSEARCH_MONITORING_USER} "{\\"password\\":\\"\${ES_PASSWORD}\\",\\"roles\\":[\\"${ELASTICSEARCH_MONITORING_ROLE}\\"]}")
    if [ "$user" = 200 ]; then echo "role and user ${ELASTICSEARCH_MONITORING_USER} set"; exit 0; fi
  fi
  echo "waiting for Elasticsearch (HTTP \${role:-000} \${user:-})"; i=$((i + 1)); sleep 5
done
exit 1
`;
/** The setup script without snapshot monitoring. */
export const EXPORTER_SETUP_SCRIPT = exporterSetupScript();

export interface ElasticsearchExporterProps {
  readonly instance: string;
  /** Elasticsearch's namespace: the exporter runs beside it. */
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** The Elasticsearch it reads. */
  readonly elasticsearch: {
    /** HTTP URL of the client Service, e.g. `http://elasticsearch.logging.svc:9200`. */
    readonly url: string;
    readonly port: number;
    /** The Elasticsearch pods (egress). */
    readonly pods: Readonly<Record<string, string>>;
    /** An image with curl for the setup Job (Elasticsearch's own). */
    readonly setupImage: ImageRef;
    /** Existing Secret with key `password` of the `elastic` superuser: only the setup Job reads it (validate: superuser-credential). */
    readonly superuserSecret: string;
    /**
     * Secret (same namespace) whose `ca.crt` signs Elasticsearch's certificate:
     * only that key is mounted; the exporter (`--es.ca`, main.go) and the setup
     * step (`curl --cacert`) verify https against it. @default - plain http
     */
    readonly caSecret?: string;
  };
  /** Requests and limits of the setup Job. */
  readonly setupResources: ContainerResources;
  /** Existing Secret (never rendered) with key `password`: the monitoring user's password. */
  readonly credentialsSecret: string;
  /** Who may scrape the metrics port. */
  readonly scrapers: readonly PeerSpec[];
  /** Export the snapshot repositories' stats (`--collector.snapshots`, role `monitor_snapshot`). @default false */
  readonly snapshots?: boolean;
}

/**
 * prometheus-community/elasticsearch_exporter: cluster health
 * (`elasticsearch_cluster_health_status{color}`, shard counts) and per-node
 * stats (`elasticsearch_indices_indexing_index_total`, JVM heap, disk) for
 * Prometheus. It connects as a monitor-only user (ES_USERNAME and
 * ES_PASSWORD, read in main.go) that a setup Job creates (the only pod of
 * this component that reads the `elastic` password); its
 * pods are an Elasticsearch client the logging component admits because this
 * component offers them (`clients`).
 */
export class ElasticsearchExporter extends Construct {
  public readonly selector: Record<string, string>;
  public readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: ElasticsearchExporterProps) {
    super(scope, id);
    const identity: ComponentIdentity = { name: ELASTICSEARCH_EXPORTER_NAME, instance: props.instance, component: 'exporter', partOf: 'monitoring', version: props.image.tag };
    const password = secretEnv('ES_PASSWORD', props.credentialsSecret, 'password');
    const ca = props.elasticsearch.caSecret;
    if (ca && !props.elasticsearch.url.startsWith('https://')) throw new Error(`elasticsearch-exporter: caSecret is set but ${props.elasticsearch.url} is not https`);
    const caMounts = ca ? [{ name: 'elasticsearch-ca', mountPath: CA_DIR, readOnly: true }] : [];
    const exporter = new MetricsExporter(this, 'Exporter', {
      identity,
      namespace: props.namespace,
      runAs: NOBODY,
      port: ELASTICSEARCH_EXPORTER_PORT,
      scrapers: props.scrapers,
      egress: [{ peers: [{ pods: props.elasticsearch.pods }], ports: [{ port: props.elasticsearch.port }] }],
      volumes: ca ? [caVolume('elasticsearch-ca', ca)] : [],
      container: {
        image: props.image,
        // Flags: main.go of elasticsearch_exporter v1.9.0 (kingpin).
        args: [
          `--es.uri=${props.elasticsearch.url}`,
          // Every node's stats through the Service, not only the one that answers (`_local`).
          '--es.all',
          '--es.timeout=10s',
          // Newest snapshot per repository (collector/snapshots.go: registerCollector("snapshots", defaultDisabled)).
          ...(props.snapshots ? ['--collector.snapshots'] : []),
          ...(ca ? [`--es.ca=${CA_FILE}`] : []),
          `--web.listen-address=:${ELASTICSEARCH_EXPORTER_PORT}`,
          '--web.telemetry-path=/metrics',
        ],
        env: { ES_USERNAME: ELASTICSEARCH_MONITORING_USER },
        envFrom: [password],
        volumeMounts: caMounts,
        resources: props.resources,
        probes: {
          // /healthz answers 200 while the process serves (main.go); /metrics queries Elasticsearch.
          readiness: { check: { http: { path: '/healthz', port: 'metrics' } }, timings: { initialDelaySeconds: 2, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
          // Liveness: the port accepts connections; readiness asks the HTTP server (kube-score pod-probes-identical).
          liveness: { check: { tcp: { port: 'metrics' } }, timings: { initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 } },
        },
      },
    });
    this.selector = exporter.selector;
    this.labels = exporter.labels;

    const setupIdentity: ComponentIdentity = { ...identity, name: ELASTICSEARCH_EXPORTER_SETUP_NAME, component: 'identity-setup', version: props.elasticsearch.setupImage.tag };
    const setup = new HardenedJob(this, 'Setup', {
      identity: setupIdentity,
      namespace: props.namespace,
      // sh and curl run as any uid.
      runAs: { user: 10001, group: 10001 },
      tier: 'monitoring',
      qos: 'Burstable',
      terminationGracePeriodSeconds: 10,
      setupReason: `uses the elastic superuser once to create the monitor-only role and user ${ELASTICSEARCH_MONITORING_USER} the exporter connects as`,
      volumes: ca ? [caVolume('elasticsearch-ca', ca)] : [],
      containers: [{
        name: 'setup',
        image: props.elasticsearch.setupImage,
        command: ['sh', '-c', exporterSetupScript(props.snapshots)],
        // Over https, curl verifies Elasticsearch's certificate (chain and host name) against the CA.
        env: { ES_URI: props.elasticsearch.url, ...(ca ? { ES_CA: CA_FILE } : {}) },
        envFrom: [secretEnv('ELASTIC_PASSWORD', props.elasticsearch.superuserSecret, 'password'), password],
        volumeMounts: caMounts,
        resources: props.setupResources,
        probes: { waivedBecause: 'a Job: two API calls, then it exits' },
      }],
    });
    new WorkloadNetworkPolicy(this, 'SetupPolicy', {
      name: ELASTICSEARCH_EXPORTER_SETUP_NAME,
      namespace: props.namespace,
      labels: setup.pod.labels,
      podSelector: setup.pod.selector,
      ingress: [],
      egress: [{ peers: [{ pods: props.elasticsearch.pods }], ports: [{ port: props.elasticsearch.port }] }],
    });
  }
}
