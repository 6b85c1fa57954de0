import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { CertificateProvider, serviceDnsNames, TLS_SECRET_KEYS } from '../lib/certificates';
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { PeerSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ProbeTimings } from '../lib/probes';
import { parseQuantity } from '../lib/quantity';
import { RunAsIdentity } from '../lib/security';
import { ClusterService } from '../lib/service';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef, StorageRequest } from '../lib/types';
import { HardenedStatefulSet, HardenedPod, secretEnv } from '../lib/workload';

/** A snapshot repository on a claim this construct creates, mounted by every node at {@link ELASTICSEARCH_SNAPSHOTS_DIR}. */
export interface FsSnapshotRepository {
  readonly type: 'fs';
  readonly size: string;
  readonly storageClassName?: string;
  /** ReadWriteMany with more than one node (checked here too). */
  readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
}

/** An S3 (or S3-compatible) bucket through the repository-s3 module, with the `default` client. */
export interface S3SnapshotRepository {
  readonly type: 's3';
  readonly bucket: string;
  readonly basePath?: string;
  readonly endpoint?: string;
  readonly protocol: 'https' | 'http';
  readonly pathStyleAccess: boolean;
  /** Addresses and port of the endpoint (the nodes' egress). */
  readonly cidrs: readonly string[];
  readonly port: number;
  /** Existing Secret (never rendered) with keys `accessKey` and `secretKey`: copied into the keystore by an init container. */
  readonly credentialsSecret: string;
}

export type SnapshotRepository = FsSnapshotRepository | S3SnapshotRepository;

export interface ElasticsearchProps {
  /** Instance name (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** Namespace of every object; it must exist (restricted Pod Security is enough). */
  readonly namespace: string;
  /** docker.elastic.co/elasticsearch/elasticsearch, 8.x. */
  readonly image: ImageRef;
  /** 1 (single node) or an odd number >= 3 (config validation enforces it). */
  readonly nodes: number;
  /** JVM heap in whole MiB as a quantity, e.g. `512Mi` (-Xms = -Xmx). */
  readonly heap: string;
  /** Requests and limits; limits.memory >= 2x heap (checked here too). */
  readonly resources: ContainerResources;
  /** Data volume of each node (a volumeClaimTemplate). */
  readonly storage: StorageRequest;
  /**
   * Existing Secret (never rendered) with key `password`: the password of the
   * built-in `elastic` superuser, set at first start through the keystore's
   * `bootstrap.password` (the official image's ELASTIC_PASSWORD). Declared as
   * the nodes' superuser credential: besides them only the setup Job
   * (`ElasticsearchSetup`) may read it (`validate`, rule superuser-credential).
   */
  readonly credentialsSecret: string;
  /**
   * Existing Secret (never rendered) with `ca.crt`, `tls.crt`, `tls.key` for
   * transport TLS. Elasticsearch 8 refuses to form a multi-node cluster with
   * security on and plain-text transport, so it is required when `nodes` > 1.
   * @default - none (only valid for a single node)
   */
  readonly transportTlsSecret?: string;
  /** Who may call the HTTP API on 9200 (besides the nodes themselves). */
  readonly httpClients: readonly PeerSpec[];
  /**
   * Where the environment has TLS: one certificate for HTTP (9200, the client
   * Service and every node's name under the headless Service) and transport
   * (9300), from the environment's source. It replaces `transportTlsSecret`.
   * @default - plain HTTP; transport TLS from `transportTlsSecret`
   */
  readonly certificates?: CertificateProvider;
  /**
   * Where snapshots are written: the node side of the repository (`path.repo`
   * and the shared claim for `fs`; the `s3.client.default.*` settings, the
   * keystore credentials and the egress to the endpoint for `s3`). The setup
   * Job registers the repository and its lifecycle policy.
   * @default - no snapshot repository
   */
  readonly snapshots?: SnapshotRepository;
}

/** Ports of Elasticsearch. */
/** `app.kubernetes.io/name` and StatefulSet name of the Elasticsearch nodes. */
export const ELASTICSEARCH_NAME = 'elasticsearch';
export const ELASTICSEARCH_HTTP_PORT = 9200;
export const ELASTICSEARCH_TRANSPORT_PORT = 9300;
/** In-cluster URL of the HTTP API of the cluster in `namespace` (its client Service is named after the StatefulSet). */
export const elasticsearchUrl = (namespace: string, tls = false) => `${tls ? 'https' : 'http'}://${ELASTICSEARCH_NAME}.${namespace}.svc:${ELASTICSEARCH_HTTP_PORT}`;

/**
 * Elasticsearch's Docker docs: the image runs as any uid in the root group
 * (its files are `1000:0` with group permissions equal to the owner's). So an
 * id of our own (kube-score: >= 10000) with group 0 as a supplementary group
 * reads the image's files, and fsGroup makes the data claim writable.
 */
const ES_USER: RunAsIdentity = { user: 11000, group: 11000, fsGroup: 11000, supplementalGroups: [0] };
const HOME = '/usr/share/elasticsearch';

/** Readiness: the node answers an authenticated cluster-health call. */
const READINESS: ProbeTimings = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
/** Liveness: lenient (a busy JVM in a long GC must not be killed), transport port open. */
const LIVENESS: ProbeTimings = { initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 };
/** Start-up: up to 5 minutes before liveness starts counting (JVM start, shard recovery). */
const STARTUP: ProbeTimings = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 };

/** Where the node certificate (tls.crt, tls.key, ca.crt) is mounted: Elasticsearch reads key material only below its config directory. */
export const ELASTICSEARCH_CERTS_DIR = `${HOME}/config/certs`;
/** Where an `fs` snapshot repository is mounted on every node (its `path.repo` and `location`). */
export const ELASTICSEARCH_SNAPSHOTS_DIR = `${HOME}/snapshots`;
/** The claim of an `fs` snapshot repository (one claim every node mounts). */
export const ELASTICSEARCH_SNAPSHOTS_CLAIM = 'elasticsearch-snapshots';
/** The repository-s3 client the repository uses (`s3.client.<name>.*`). */
export const ELASTICSEARCH_S3_CLIENT = 'default';

/**
 * The keystore init container's script: Elasticsearch reads S3 credentials
 * only from the keystore (secure settings `s3.client.<client>.access_key` and
 * `secret_key`, repository-s3 "Client settings"). It runs after the seed, on
 * the same writable config directory: creates the keystore if the image did
 * not ship one, and adds both keys from the environment (the Secret) through
 * stdin (`elasticsearch-keystore add --stdin --force`), so the values never
 * appear in a command line. The image's entrypoint then adds
 * `bootstrap.password` to the same keystore (it only creates one when none exists).
 */
export function keystoreScript(client = ELASTICSEARCH_S3_CLIENT): string {
  return [
    'set -eu',
    `cd ${HOME}`,
    '[ -f config/elasticsearch.keystore ] || bin/elasticsearch-keystore create',
    `printf '%s' "$S3_ACCESS_KEY" | bin/elasticsearch-keystore add --stdin --force s3.client.${client}.access_key`,
    `printf '%s' "$S3_SECRET_KEY" | bin/elasticsearch-keystore add --stdin --force s3.client.${client}.secret_key`,
  ].join('\n');
}

/** Secret of the node certificate where the environment has TLS. */
export const ELASTICSEARCH_TLS_SECRET = 'elasticsearch-tls';

/**
 * Readiness command: `/_cluster/health?local=true` with the elastic
 * credentials, as Elastic's Helm chart does. Over TLS, curl verifies the
 * node's certificate against the CA for the Service name, resolved to the
 * pod itself (`--resolve`), so the check proves the same chain clients see.
 */
export function elasticsearchReadinessCommand(tls?: { serviceHost: string }): string[] {
  const target = tls
    ? `--cacert ${ELASTICSEARCH_CERTS_DIR}/${TLS_SECRET_KEYS.ca} --resolve ${tls.serviceHost}:${ELASTICSEARCH_HTTP_PORT}:127.0.0.1 "https://${tls.serviceHost}:${ELASTICSEARCH_HTTP_PORT}`
    : `"http://127.0.0.1:${ELASTICSEARCH_HTTP_PORT}`;
  return ['sh', '-c', `curl --silent --show-error --fail --max-time 4 -u "elastic:\${ELASTIC_PASSWORD}" ${target}/_cluster/health?local=true" > /dev/null`];
}
/** The plain-HTTP readiness command (no TLS in the environment). */
export const ELASTICSEARCH_READINESS_COMMAND = elasticsearchReadinessCommand();

/**
 * Elasticsearch as a StatefulSet: one node with `discovery.type=single-node`,
 * or a cluster of an odd number of master-eligible data nodes discovered
 * through a headless Service, with required anti-affinity and a PDB.
 *
 * Security is on (`elastic` password from a Secret). Where the environment
 * has TLS, HTTP (9200) and transport (9300) use one node certificate from the
 * environment's source, and clients verify it against its CA; elsewhere
 * (dev) HTTP is plain text inside the cluster, reachable only by the log
 * shipper and Kibana (NetworkPolicies), and transport uses TLS when there are
 * several nodes (`transportTlsSecret`).
 */
export class Elasticsearch extends Construct {
  /** Name of the client Service (`<name>.<namespace>.svc:9200`). */
  public readonly serviceName: string;
  /** In-cluster URL of the HTTP API (https where the environment has TLS). */
  public readonly url: string;
  /** Secret of the node certificate (its `ca.crt` is what clients trust); undefined without TLS. */
  public readonly tlsSecretName?: string;
  public readonly pod: HardenedPod;
  public readonly statefulSet: HardenedStatefulSet;

  constructor(scope: Construct, id: string, props: ElasticsearchProps) {
    super(scope, id);
    const name = ELASTICSEARCH_NAME;
    const headless = `${name}-headless`;
    const multiNode = props.nodes > 1;
    if (props.nodes < 1 || (multiNode && (props.nodes < 3 || props.nodes % 2 === 0))) {
      throw new Error(`elasticsearch: nodes must be 1 or an odd number >= 3, got ${props.nodes}`);
    }
    if (multiNode && !props.transportTlsSecret && !props.certificates) {
      throw new Error('elasticsearch: a multi-node cluster needs transportTlsSecret (Elasticsearch 8 requires transport TLS with security on)');
    }
    const heapMiB = (parseQuantity(props.heap) ?? 0) / 2 ** 20;
    if (!Number.isInteger(heapMiB) || heapMiB <= 0) throw new Error(`elasticsearch: heap "${props.heap}" must be a whole number of MiB`);
    if ((parseQuantity(props.resources.limits.memory) ?? 0) < 2 * heapMiB * 2 ** 20) {
      throw new Error(`elasticsearch: limits.memory ${props.resources.limits.memory} must be at least twice the heap ${props.heap}`);
    }
    this.serviceName = name;
    const serviceHost = `${name}.${props.namespace}.svc`;
    const tls = props.certificates !== undefined;
    this.url = elasticsearchUrl(props.namespace, tls);
    this.tlsSecretName = tls ? ELASTICSEARCH_TLS_SECRET : undefined;

    const identity: ComponentIdentity = { name, instance: props.instance, component: 'search-engine', partOf: 'logging', version: props.image.tag };
    // One certificate per cluster: the client Service and each node under the headless Service;
    // server auth for HTTP and transport, client auth for transport (each node is also a client of its peers).
    const certSecret = props.certificates?.request(this, 'Certificate', {
      namespace: props.namespace,
      secretName: ELASTICSEARCH_TLS_SECRET,
      dnsNames: [...serviceDnsNames(name, props.namespace), `*.${headless}.${props.namespace}.svc`, `*.${headless}.${props.namespace}.svc.cluster.local`],
      usages: ['server auth', 'client auth'],
      purpose: 'internal',
      labels: recommendedLabels(this, identity),
    });
    const transportSecret = certSecret ?? props.transportTlsSecret;
    const snapshots = props.snapshots;
    if (snapshots?.type === 'fs' && multiNode && snapshots.accessMode !== 'ReadWriteMany') {
      throw new Error(`elasticsearch: an fs snapshot repository with ${props.nodes} nodes needs a ReadWriteMany claim (every node writes to the same file system), got ${snapshots.accessMode}`);
    }

    // Settings go into elasticsearch.yml (a ConfigMap the seed init
    // container copies into the writable config directory); its checksum on
    // the pod template rolls the nodes when a setting changes.
    const settings: Record<string, string | string[]> = {
      'cluster.name': props.instance,
      // Pod name (downward API), so that initial_master_nodes can name them.
      'node.name': '${NODE_NAME}',
      'network.host': '0.0.0.0',
      // vm.max_map_count is a node-level sysctl (not namespaced): no
      // restricted pod may raise it, and a privileged init container would
      // need a privileged namespace for the data store. Without mmap, Lucene
      // uses NIO file access and the max_map_count bootstrap check is skipped.
      // Cost: somewhat slower searches, irrelevant at log-store sizes.
      'node.store.allow_mmap': 'false',
      'xpack.security.enabled': 'true',
      // HTTPS where the environment has TLS (the node certificate); else plain inside the cluster (see the class comment).
      'xpack.security.http.ssl.enabled': tls ? 'true' : 'false',
      ...(tls ? {
        'xpack.security.http.ssl.key': `certs/${TLS_SECRET_KEYS.key}`,
        'xpack.security.http.ssl.certificate': `certs/${TLS_SECRET_KEYS.cert}`,
        'xpack.security.http.ssl.certificate_authorities': `certs/${TLS_SECRET_KEYS.ca}`,
      } : {}),
      // The GeoIP downloader calls the internet, which the policy denies.
      'ingest.geoip.downloader.enabled': 'false',
      // Shared file system repositories may only live below path.repo (snapshot-restore, "Shared file system repository").
      ...(snapshots?.type === 'fs' ? { 'path.repo': [ELASTICSEARCH_SNAPSHOTS_DIR] } : {}),
      // repository-s3 client settings (the keys are in the keystore, see keystoreScript).
      ...(snapshots?.type === 's3' ? {
        ...(snapshots.endpoint ? { [`s3.client.${ELASTICSEARCH_S3_CLIENT}.endpoint`]: snapshots.port === 443 || snapshots.port === 80 ? snapshots.endpoint : `${snapshots.endpoint}:${snapshots.port}` } : {}),
        [`s3.client.${ELASTICSEARCH_S3_CLIENT}.protocol`]: snapshots.protocol,
        [`s3.client.${ELASTICSEARCH_S3_CLIENT}.path_style_access`]: String(snapshots.pathStyleAccess),
      } : {}),
    };
    if (multiNode) {
      Object.assign(settings, {
        'discovery.seed_hosts': headless,
        // Pod names; only used when the cluster forms for the first time, ignored afterwards.
        'cluster.initial_master_nodes': Array.from({ length: props.nodes }, (_, i) => `${name}-${i}`),
        'xpack.security.transport.ssl.enabled': 'true',
        // One certificate for all nodes, signed by the CA: `certificate`
        // checks the chain but not the host name (pod IPs change).
        'xpack.security.transport.ssl.verification_mode': 'certificate',
        'xpack.security.transport.ssl.key': 'certs/tls.key',
        'xpack.security.transport.ssl.certificate': 'certs/tls.crt',
        'xpack.security.transport.ssl.certificate_authorities': 'certs/ca.crt',
      });
    } else {
      settings['discovery.type'] = 'single-node';
    }
    const configFile = new SettingsConfigMap(this, 'Config', {
      name: `${name}-config`,
      namespace: props.namespace,
      labels: recommendedLabels(this, identity),
      data: { 'elasticsearch.yml': Object.entries(settings).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n') + '\n' },
    });

    const configMount = { name: 'config', mountPath: `${HOME}/config` };
    const volumes: k8s.Volume[] = [
      { name: 'config', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
      { name: 'settings', configMap: { name: configFile.name } },
    ];
    const mounts: k8s.VolumeMount[] = [configMount, { name: 'data', mountPath: `${HOME}/data` }];
    if (snapshots?.type === 'fs') {
      volumes.push({ name: 'snapshots', persistentVolumeClaim: { claimName: ELASTICSEARCH_SNAPSHOTS_CLAIM } });
      mounts.push({ name: 'snapshots', mountPath: ELASTICSEARCH_SNAPSHOTS_DIR });
    }
    if (tls || multiNode) {
      volumes.push({ name: 'certs', secret: { secretName: (certSecret ?? transportSecret)!, defaultMode: 0o440 } });
      // Elasticsearch only reads key material below its config directory.
      mounts.push({ name: 'certs', mountPath: ELASTICSEARCH_CERTS_DIR, readOnly: true });
    }

    const passwordEnv = secretEnv('ELASTIC_PASSWORD', props.credentialsSecret, 'password');
    this.statefulSet = new HardenedStatefulSet(this, 'Nodes', {
      identity,
      tier: 'data',
      namespace: props.namespace,
      runAs: ES_USER,
      qos: 'Burstable',
      replicas: props.nodes,
      serviceName: headless,
      // Parallel: the nodes must start together to elect a master; with
      // OrderedReady node 0 would wait for readiness that needs a quorum.
      podManagementPolicy: 'Parallel',
      terminationGracePeriodSeconds: 120,
      antiAffinity: multiNode ? 'required' : 'none',
      podAnnotations: { [SETTINGS_CHECKSUM_ANNOTATION]: configFile.checksum },
      superuserCredentials: [{ secret: props.credentialsSecret, key: 'password' }],
      // A single node has nothing to keep available; a budget would block drains.
      disruptionBudget: multiNode ? { maxUnavailable: 1 } : undefined,
      volumes,
      volumeClaims: [{ name: 'data', size: props.storage.size, storageClassName: props.storage.storageClassName, accessModes: ['ReadWriteOnce'] }],
      initContainers: [{
        // The root filesystem is read-only, but Elasticsearch writes its
        // config directory at start (keystore with bootstrap.password). Seed
        // an emptyDir with the image's config files; the main container
        // mounts it over the config directory.
        name: 'seed-config',
        image: props.image,
        command: ['sh', '-c', `cp -R ${HOME}/config/. /mnt/config/ && cp /mnt/settings/elasticsearch.yml /mnt/config/elasticsearch.yml`],
        resources: props.resources,
        probes: { waivedBecause: 'init container: copies files and exits' },
        volumeMounts: [{ name: 'config', mountPath: '/mnt/config' }, { name: 'settings', mountPath: '/mnt/settings', readOnly: true }],
      }, ...(snapshots?.type === 's3' ? [{
        name: 'keystore',
        image: props.image,
        command: ['sh', '-c', keystoreScript()],
        envFrom: [
          secretEnv('S3_ACCESS_KEY', snapshots.credentialsSecret, 'accessKey'),
          secretEnv('S3_SECRET_KEY', snapshots.credentialsSecret, 'secretKey'),
        ],
        resources: props.resources,
        probes: { waivedBecause: 'init container: writes two keystore entries and exits' },
        // The JVM of the keystore tool writes below /tmp: the main container's /tmp volume (same size).
        writablePaths: [{ path: '/tmp', sizeLimit: '512Mi' }],
        volumeMounts: [configMount],
      }] : [])],
      containers: [{
        name,
        image: props.image,
        ports: [
          { name: 'http', containerPort: ELASTICSEARCH_HTTP_PORT },
          { name: 'transport', containerPort: ELASTICSEARCH_TRANSPORT_PORT },
        ],
        env: {
          // -Xms = -Xmx (bootstrap check). GC logs go to stderr instead of 2 GB
          // of rotating files in logs/, which would overflow its emptyDir.
          ES_JAVA_OPTS: `-Xms${heapMiB}m -Xmx${heapMiB}m -Xlog:disable -Xlog:all=warning:stderr:utctime,level,tags`,
        },
        envFrom: [
          { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          passwordEnv,
        ],
        resources: props.resources,
        probes: {
          readiness: { check: { exec: elasticsearchReadinessCommand(tls ? { serviceHost } : undefined) }, timings: READINESS },
          liveness: { check: { tcp: { port: 'transport' } }, timings: LIVENESS },
          startup: { check: { tcp: { port: 'http' } }, timings: STARTUP },
        },
        writablePaths: [
          { path: '/tmp', sizeLimit: '512Mi' },
          { path: `${HOME}/logs`, sizeLimit: '256Mi' },
        ],
        volumeMounts: mounts,
      }],
    });
    this.pod = this.statefulSet.pod;
    const selector = this.pod.selector;
    if (snapshots?.type === 'fs') {
      new k8s.KubePersistentVolumeClaim(this, 'Snapshots', {
        metadata: { name: ELASTICSEARCH_SNAPSHOTS_CLAIM, namespace: props.namespace, labels: recommendedLabels(this, identity) },
        spec: {
          accessModes: [snapshots.accessMode],
          storageClassName: snapshots.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(snapshots.size) } },
        },
      });
    }

    new ClusterService(this, 'Service', {
      name, namespace: props.namespace, labels: this.pod.labels, selector,
      ports: [{ name: 'http', port: ELASTICSEARCH_HTTP_PORT, targetPort: 'http' }],
    });
    new ClusterService(this, 'Headless', {
      name: headless, namespace: props.namespace, labels: this.pod.labels, selector,
      headless: true,
      // Discovery must find the peers before they are ready (they only become
      // ready once the cluster has formed).
      publishNotReadyAddresses: true,
      ports: [
        { name: 'http', port: ELASTICSEARCH_HTTP_PORT, targetPort: 'http' },
        { name: 'transport', port: ELASTICSEARCH_TRANSPORT_PORT, targetPort: 'transport' },
      ],
    });

    const self: PeerSpec = { pods: selector };
    const nodePorts = [{ port: ELASTICSEARCH_HTTP_PORT }, { port: ELASTICSEARCH_TRANSPORT_PORT }];
    new WorkloadNetworkPolicy(this, 'Policy', {
      name, namespace: props.namespace, labels: this.pod.labels, podSelector: selector,
      ingress: [
        { peers: [self], ports: nodePorts },
        ...(props.httpClients.length ? [{ peers: props.httpClients, ports: [{ port: ELASTICSEARCH_HTTP_PORT }] }] : []),
      ],
      egress: [
        { peers: [self], ports: nodePorts },
        // The S3 endpoint, and only it (repository-s3 talks to the bucket from every node).
        ...(snapshots?.type === 's3' ? [{ peers: snapshots.cidrs.map(cidr => ({ cidr })), ports: [{ port: snapshots.port }] }] : []),
      ],
    });
  }
}
