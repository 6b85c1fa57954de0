/**
 * Catalogue of bad configuration inputs, each with the exact message it gets.
 * With BAD_MANIFESTS (manifests.ts, hand-written manifests for validate) it
 * is the table of "Nothing a user does loses files, breaks a deploy or ships
 * wrong YAML silently" (catalogue.test.ts counts both).
 *
 * Kinds, and how config.test.ts runs each:
 *  - override          Pulumi stack overrides: `loadEnvironment(env, overrides)`, and
 *                      `node bin/run.js synth --stack-config <tmp>/Pulumi.<stack>.yaml --out <tmp>/out`
 *                      with a stack file setting `dockercoins:environment` and `dockercoins:overrides`;
 *  - stack-file        a Pulumi.<stack>.yaml the loader refuses before any override applies (CLI);
 *  - environment-file  a mistake in src/config/environments/<env>.ts: the edited overlay through
 *                      `validateEnvironment`; the ones with `edit` also in a real copy of the project
 *                      (`node bin/run.js synth` there, exit 1, its dist/ byte-identical);
 *  - cli-args          bad arguments of synth, validate, diff and bin/run.js itself: exit 2, exact first line.
 *
 * Every refused input leaves the committed dist/ and the --out folder as they were.
 * Problem lines are exact and complete (in order); each names the field path and what to do,
 * and the header names the environment.
 */

import { environmentSchema } from '../../src/config';
import { knownFields } from '../../src/config/errors';

interface Case {
  /** Unique across this file and BAD_MANIFESTS; file-name safe. */
  readonly id: string;
  /** What the user got wrong, in a few words (an issue item where it is one). */
  readonly mistake: string;
}

export interface OverrideCase extends Case {
  readonly kind: 'override';
  /** Environment the stack deploys (`dockercoins:environment`). */
  readonly env: string;
  /** Stack name (the file is Pulumi.<stack>.yaml). @default env */
  readonly stack?: string;
  /** `dockercoins:overrides`, as YAML would give it. */
  readonly overrides: unknown;
  readonly expected: readonly string[];
}

export interface StackFileCase extends Case {
  readonly kind: 'stack-file';
  /** Base name of the stack file. */
  readonly file: string;
  readonly body: string;
  /** Environment named in the header. */
  readonly environment: string;
  /** Problem lines; `{file}` stands for the stack file's path. */
  readonly expected: readonly string[];
}

/** An edit of src/config/environments/<env>.ts: `from` occurs exactly once and becomes `to`. */
export interface SourceEdit { readonly from: string; readonly to: string }

export interface EnvironmentFileCase extends Case {
  readonly kind: 'environment-file';
  readonly env: string;
  /** The mistake, applied to a copy of the environment's overlay (what the file exports). */
  readonly change: (overlay: any) => void;
  /** The same mistake as a source edit, run in a copy of the project. @default - overlay only */
  readonly edit?: SourceEdit;
  readonly expected: readonly string[];
}

export interface CliArgsCase extends Case {
  readonly kind: 'cli-args';
  /**
   * Arguments of `node bin/run.js`. `{out}` is an --out folder holding a
   * previous rendering, `{tmp}` the case's scratch folder, `{stack}` a valid
   * stack file there (Pulumi.dev.yaml).
   */
  readonly argv: readonly string[];
  /** The first line of stderr, exactly (placeholders as in argv). Exit status 2. */
  readonly firstLine: string;
}

export type ConfigCase = OverrideCase | StackFileCase | EnvironmentFileCase | CliArgsCase;

// ---------------------------------------------------------------- recurring reasons
const SYSTEM_NS = 'is a Kubernetes system namespace; the model would enforce Pod Security, a quota and a default-deny policy on it (cutting off cluster DNS): choose a namespace of its own';
const UNIQUE_NS = 'namespaces must be unique (each has one owner, which sets its Pod Security level, quota and policies)';
const QUANTITY = 'is not a valid Kubernetes quantity (e.g. 100m, 0.5, 64Mi, 1Gi)';
const CPU_BYTES = 'has a byte unit, but CPU is counted in cores: write e.g. 500m, 1 or 2';
const DNS_LABEL = "is not a valid DNS label (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)";
const HOST = 'is not a valid DNS host name (e.g. dockercoins.example.com; no scheme, port, path or wildcard)';
const DEBUG_IMAGES = 'by the DockerCoins images (they test for a value starting with "y"): write "yes" or "no"';
const NAMED_LIST = 'must be a list of named items (each with a name; overrides merge by name: [{ name: ..., ... }]), got an object';
const LR_MAX = 'admission would refuse the pod; lower the limit or raise the max';
const INSTANCE_FIELDS = 'availability, hasher, host, limitRange, name, namespace, quota, redis, rng, settings, tlsSecretName, webui, worker';
const OVERRIDES_SHAPE = 'must be an object of environment fields (e.g. { dockercoins: [{ name: dockercoins, worker: { replicas: 4 } }] })';
const PROD_SC = 'is neither created by this environment (stateful.storageClasses: replicated) nor declared as provided by the cluster (clusterStorageClasses: none); fix the name or declare it';

/** The one DockerCoins instance of dev and prod. */
const dc = (patch: Record<string, unknown>) => ({ dockercoins: [{ name: 'dockercoins', ...patch }] });
const ov = (id: string, env: string, overrides: unknown, expected: string[], mistake: string, stack?: string): OverrideCase =>
  ({ id: `override-${id}`, kind: 'override', env, overrides, expected, mistake, ...(stack ? { stack } : {}) });

// ---------------------------------------------------------------- (a) Pulumi overrides
const OVERRIDES: OverrideCase[] = [
  // A DockerCoins instance namespace that belongs to Kubernetes or to another component.
  ov('namespace-kube-system', 'dev', dc({ namespace: 'kube-system' }), [`dockercoins[dockercoins].namespace: "kube-system" ${SYSTEM_NS}`], 'instance namespace kube-system'),
  ov('namespace-default', 'prod', dc({ namespace: 'default' }), [`dockercoins[dockercoins].namespace: "default" ${SYSTEM_NS}`], 'instance namespace default'),
  ov('namespace-kube-public', 'prod', dc({ namespace: 'kube-public' }), [`dockercoins[dockercoins].namespace: "kube-public" ${SYSTEM_NS}`], 'instance namespace kube-public'),
  ov('namespace-kube-node-lease', 'staging', { dockercoins: [{ name: 'green', namespace: 'kube-node-lease' }] }, [`dockercoins[green].namespace: "kube-node-lease" ${SYSTEM_NS}`], 'instance namespace kube-node-lease'),
  ov('namespace-traefik', 'dev', dc({ namespace: 'traefik' }), [`ingress.controllerNamespace: "traefik" is already used by dockercoins[dockercoins].namespace; ${UNIQUE_NS}`], 'instance namespace traefik (the ingress controller\'s)'),
  ov('namespace-logging', 'prod', dc({ namespace: 'logging' }), [`logging.namespace: "logging" is already used by dockercoins[dockercoins].namespace; ${UNIQUE_NS}`], 'instance namespace logging'),
  ov('namespace-monitoring', 'staging', { dockercoins: [{ name: 'blue', namespace: 'monitoring' }] }, [`edge.monitoring.namespace: "monitoring" is already used by dockercoins[blue].namespace; ${UNIQUE_NS}`], 'instance namespace monitoring'),
  ov('namespace-data', 'prod', dc({ namespace: 'data' }), [`stateful.namespace: "data" is already used by dockercoins[dockercoins].namespace; ${UNIQUE_NS}`], 'instance namespace data (Consul and Postgres)'),
  ov('namespace-node-agents', 'dev', dc({ namespace: 'node-agents' }), [`dockercoins[dockercoins].namespace: "node-agents" is already used by the node agents (node-exporter, Fluent Bit); ${UNIQUE_NS}`], 'instance namespace node-agents (used to crash with a stack trace)'),
  ov('namespace-registry', 'dev', dc({ namespace: 'registry' }), [`edge.imageRegistry.namespace: "registry" is already used by dockercoins[dockercoins].namespace; ${UNIQUE_NS}`], 'instance namespace registry'),
  ov('namespace-other-instance', 'staging', { dockercoins: [{ name: 'green', namespace: 'blue' }] }, [`dockercoins[green].namespace: "blue" is already used by dockercoins[blue].namespace; ${UNIQUE_NS}`], 'two instances in one namespace'),
  ov('namespace-upper-case', 'staging', { dockercoins: [{ name: 'blue', namespace: 'Blue' }] }, [`dockercoins[blue].namespace: "Blue" ${DNS_LABEL}`], 'namespace with upper case'),
  ov('controller-namespace-kube-system', 'prod', { ingress: { controllerNamespace: 'kube-system' } }, [`ingress.controllerNamespace: "kube-system" ${SYSTEM_NS}`], 'Traefik in kube-system'),
  // Quantities whose unit cannot mean what was meant.
  ov('memory-96m', 'dev', dc({ rng: { resources: { limits: { memory: '96m' } } } }), [
    'dockercoins[dockercoins].rng.resources.limits.memory: "96m" is 0.096 bytes (the suffix m means milli): write 96Mi for mebibytes',
  ], "memory '96m' (milli-bytes; no second line comparing 0.096 bytes with the request)"),
  ov('memory-1', 'prod', dc({ worker: { resources: { requests: { memory: '1' } } } }), [
    'dockercoins[dockercoins].worker.resources.requests.memory: "1" is below 4Mi: no container runs in less (the runtime and the process need a few MiB); did you mean Mi?',
  ], "memory '1' (one byte)"),
  ov('cpu-2Gi', 'dev', dc({ rng: { resources: { limits: { cpu: '2Gi' } } } }), [`dockercoins[dockercoins].rng.resources.limits.cpu: "2Gi" ${CPU_BYTES}`], "cpu '2Gi'"),
  ov('cpu-100Mi', 'staging', { dockercoins: [{ name: 'green', hasher: { resources: { requests: { cpu: '100Mi' } } } }] }, [`dockercoins[green].hasher.resources.requests.cpu: "100Mi" ${CPU_BYTES}`], "cpu '100Mi' (no second line comparing 104857600 cores with the limit)"),
  ov('memory-64MB', 'dev', dc({ worker: { resources: { limits: { memory: '64MB' } } } }), [`dockercoins[dockercoins].worker.resources.limits.memory: "64MB" ${QUANTITY}`], "memory '64MB' (not a Kubernetes suffix)"),
  ov('memory-lower-case-mi', 'prod', dc({ webui: { resources: { requests: { memory: '64mi' } } } }), [`dockercoins[dockercoins].webui.resources.requests.memory: "64mi" ${QUANTITY}`], "memory '64mi'"),
  ov('cpu-negative', 'prod', dc({ hasher: { resources: { requests: { cpu: '-100m' } } } }), ['dockercoins[dockercoins].hasher.resources.requests.cpu: must be greater than zero, got "-100m"'], 'negative CPU (reported once)'),
  ov('cpu-number', 'prod', dc({ hasher: { resources: { requests: { cpu: 1 } } } }), ['dockercoins[dockercoins].hasher.resources.requests.cpu: must be a string, got 1'], 'cpu as a YAML number'),
  ov('quota-memory-96m', 'dev', dc({ quota: { limits: { memory: '96m' } } }), ['dockercoins[dockercoins].quota.limits.memory: "96m" is 0.096 bytes (the suffix m means milli): write 96Mi for mebibytes'], "quota memory '96m'"),
  ov('limit-range-cpu-4Gi', 'dev', dc({ limitRange: { max: { cpu: '4Gi' } } }), [`dockercoins[dockercoins].limitRange.max.cpu: "4Gi" ${CPU_BYTES}`], "LimitRange max cpu '4Gi'"),
  ov('claim-10GB', 'prod', dc({ redis: { persistence: { size: '10GB' } } }), [`dockercoins[dockercoins].redis.persistence.size: "10GB" ${QUANTITY}`], "claim size '10GB'"),
  ov('postgres-storage-50m', 'prod', { stateful: { postgres: { storage: { size: '50m' } } } }, ['stateful.postgres.storage.size: "50m" is 0.05 bytes (the suffix m means milli): write 50Mi for mebibytes'], "Postgres storage '50m'"),
  ov('ephemeral-storage-1', 'dev', dc({ rng: { resources: { requests: { ephemeralStorage: '1' } } } }), ['dockercoins[dockercoins].rng.resources.requests.ephemeralStorage: "1" is below 1Mi: logs and writable layers need more; did you mean Mi?'], "ephemeral storage '1'"),
  ov('heap-2g', 'prod', { logging: { elasticsearch: { heap: '2g' } } }, [`logging.elasticsearch.heap: "2g" ${QUANTITY}`], "Elasticsearch heap '2g' (JVM syntax)"),
  // Sizes above the namespace LimitRange max.
  ov('redis-above-limit-range', 'prod', dc({ redis: { resources: { requests: { memory: '5Gi' }, limits: { memory: '5Gi' } } } }), [
    `dockercoins[dockercoins].redis.resources.limits.memory: 5Gi is above the namespace LimitRange max 4Gi (dockercoins[dockercoins].limitRange.max.memory): ${LR_MAX}`,
  ], 'Redis limits.memory 5Gi under a 4Gi LimitRange max (prod)'),
  ov('postgres-above-limit-range', 'prod', { stateful: { postgres: { resources: { requests: { cpu: '3' }, limits: { cpu: '3' } } } } }, [
    `stateful.postgres.resources.limits.cpu: 3 is above the namespace LimitRange max 2 (stateful.limitRange.max.cpu): ${LR_MAX}`,
  ], 'Postgres cpu 3 under the stateful LimitRange max 2 (prod)'),
  ov('limit-below-request', 'staging', { dockercoins: [{ name: 'green', hasher: { resources: { limits: { memory: '16Mi' } } } }] }, ['dockercoins[green].hasher.resources.limits.memory: 16Mi is below requests.memory 48Mi'], 'limit below request'),
  ov('redis-not-guaranteed', 'prod', dc({ redis: { resources: { limits: { cpu: '1' } } } }), ['dockercoins[dockercoins].redis.resources.limits.cpu: must equal requests.cpu for Guaranteed QoS (requests 500m, limits 1)'], 'Redis made Burstable'),
  // Misspelt and misplaced fields.
  ov('typo-tlsSecretname', 'prod', dc({ tlsSecretname: 'dockercoins-tls' }), [`dockercoins[dockercoins].tlsSecretname: unknown field; the fields here are ${INSTANCE_FIELDS}`], 'typo tlsSecretname'),
  ov('typo-replicaCount', 'prod', dc({ webui: { replicaCount: 3 } }), ['dockercoins[dockercoins].webui.replicaCount: unknown field; the fields here are image, nodePort, replicas, resources'], 'typo replicaCount'),
  // The top level grows with every registered component: its field list comes from the schema.
  ov('typo-storageclass', 'prod', { storageclass: 'replicated' }, [`storageclass: unknown field; the fields here are ${knownFields(environmentSchema, []).join(', ')}`], 'typo at the top level'),
  ov('typo-dashbordHost', 'dev', { edge: { traefik: { dashbordHost: 'dashboard.localhost' } } }, ['edge.traefik.dashbordHost: unknown field; the fields here are dashboard, dashboardHost, forwardedHeaders, hsts, image, loadBalancer, mode, resources, shutdown'], 'typo dashbordHost'),
  ov('typo-kibana-replica', 'prod', { logging: { kibana: { replica: 3 } } }, ['logging.kibana.replica: unknown field; the fields here are host, replicas, resources, tlsSecretName'], 'typo replica'),
  ov('misplaced-rng-nodePort', 'dev', dc({ rng: { nodePort: 30081 } }), ['dockercoins[dockercoins].rng.nodePort: unknown field; the fields here are image, resources, tolerations'], 'misplaced rng.nodePort'),
  ov('misplaced-webui-tolerations', 'prod', dc({ webui: { tolerations: [{ operator: 'Exists' }] } }), ['dockercoins[dockercoins].webui.tolerations: unknown field; the fields here are image, nodePort, replicas, resources'], 'misplaced webui.tolerations'),
  ov('misplaced-postgres-ui', 'prod', { stateful: { postgres: { ui: { host: 'postgres.example.com' } } } }, ['stateful.postgres.ui: unknown field; the fields here are clientNamespaces, database, image, resources, shmSize, storage, user'], 'misplaced stateful.postgres.ui'),
  ov('misplaced-hasher-replicas', 'prod', dc({ hasher: { replicas: 3 } }), ['dockercoins[dockercoins].hasher.replicas: unknown field; the fields here are autoscaling, image, resources'], 'hasher replicas (it is autoscaled)'),
  ov('misplaced-consul-tls', 'prod', { stateful: { consul: { tlsSecretName: 'consul-tls' } } }, ['stateful.consul.tlsSecretName: unknown field; the fields here are antiAffinity, clientNamespaces, datacenter, image, join, replicas, resources, setup, storage, ui'], 'Consul TLS outside ui'),
  // One host, two routers.
  ov('host-dockercoins-is-kibana', 'dev', dc({ host: 'kibana.localhost' }), ['logging.kibana.host: "kibana.localhost" is already used by dockercoins[dockercoins].host; hosts must be unique'], 'DockerCoins host = Kibana host'),
  ov('host-kibana-is-prometheus', 'dev', { logging: { kibana: { host: 'prometheus.localhost' } } }, ['logging.kibana.host: "prometheus.localhost" is already used by edge.monitoring.prometheus.ingressHost; hosts must be unique'], 'Kibana host = Prometheus ingressHost'),
  ov('host-consul-is-traefik-dashboard', 'dev', { stateful: { consul: { ui: { host: 'traefik.localhost' } } } }, ['edge.traefik.dashboardHost: "traefik.localhost" is already used by stateful.consul.ui.host; hosts must be unique'], 'Consul UI host = Traefik dashboardHost (dev)'),
  ov('host-green-is-blue', 'staging', { dockercoins: [{ name: 'green', host: 'blue.dockercoins.staging.example.com' }] }, ['dockercoins[green].host: "blue.dockercoins.staging.example.com" is already used by dockercoins[blue].host; hosts must be unique'], 'two instances on one host'),
  ov('host-prometheus-is-green', 'staging', { edge: { monitoring: { prometheus: { ingressHost: 'green.dockercoins.staging.example.com' } } } }, ['edge.monitoring.prometheus.ingressHost: "green.dockercoins.staging.example.com" is already used by dockercoins[green].host; hosts must be unique'], 'Prometheus on an instance host'),
  ov('host-with-port', 'prod', dc({ host: 'dockercoins.example.com:443' }), [`dockercoins[dockercoins].host: "dockercoins.example.com:443" ${HOST}`], 'host with a port'),
  ov('host-wildcard', 'prod', dc({ host: '*.example.com' }), [`dockercoins[dockercoins].host: "*.example.com" ${HOST}`], 'wildcard host'),
  ov('host-null', 'prod', dc({ host: null }), ['dockercoins[dockercoins].host: must be a string, got null'], 'host: ~ (null) in YAML'),
  // StorageClasses.
  ov('storage-class-replicatd', 'prod', { storageClass: 'replicatd' }, [`storageClass: "replicatd" ${PROD_SC}`], "storageClass 'replicatd' in prod"),
  ov('storage-class-of-redis', 'prod', dc({ redis: { persistence: { storageClassName: 'fast-ssd' } } }), [`dockercoins[dockercoins].redis.persistence.storageClassName: "fast-ssd" ${PROD_SC}`], 'unknown class on the Redis claim'),
  ov('storage-class-on-emptydir', 'dev', { edge: { imageRegistry: { storage: { storageClassName: 'local-path' } } } }, ['edge.imageRegistry.storage.storageClassName: is only used with type "persistentVolumeClaim"'], 'a class on an emptyDir'),
  // CIDRs.
  ov('cidr-host-bits', 'prod', { cluster: { nodeCidrs: ['10.10.0.5/8'] } }, ['cluster.nodeCidrs[0]: "10.10.0.5/8" has host bits set below the /8 prefix: write 10.0.0.0/8'], "CIDR '10.10.0.5/8'"),
  ov('cidr-prefix-33', 'prod', { cluster: { apiServerCidrs: ['10.10.0.0/33'] } }, ['cluster.apiServerCidrs[0]: "10.10.0.0/33" is not a valid IPv4 CIDR (e.g. 10.0.0.0/16)'], 'prefix /33'),
  ov('cidr-empty-list', 'prod', { cluster: { apiServerCidrs: [] } }, ['cluster.apiServerCidrs: must be a non-empty list of CIDRs'], 'no API server CIDR'),
  ov('cidr-not-a-list', 'dev', { cluster: { nodeCidrs: '10.0.0.0/8' } }, ['cluster.nodeCidrs: must be a list, got "10.0.0.0/8"'], 'CIDRs as one string'),
  // Shapes of overrides.
  ov('dockercoins-as-map', 'prod', { dockercoins: { dockercoins: { worker: { replicas: 3 } } } }, [`dockercoins: ${NAMED_LIST}`], 'an override given as a map for dockercoins'),
  ov('storage-classes-as-map', 'prod', { stateful: { storageClasses: { replicated: { reclaimPolicy: 'Delete' } } } }, [`stateful.storageClasses: ${NAMED_LIST}`], 'storageClasses given as a map'),
  ov('item-without-name', 'staging', { dockercoins: [{ worker: { replicas: 3 } }] }, [
    'dockercoins[0]: has no name, but override items of dockercoins merge by name into those of staging (blue, green): name the item to change, e.g. [{ name: blue, ... }]',
  ], 'an override item without a name (used to replace the whole list)'),
  ov('item-name-typo', 'prod', { dockercoins: [{ name: 'dockercoin', worker: { replicas: 12 } }] }, [
    'dockercoins[dockercoin]: "dockercoin" matches no item of dockercoins in prod (dockercoins), so the override adds a new item, which lacks namespace, host, availability, rng, hasher, worker.resources, webui, redis, quota, limitRange: correct the name to change an existing item, or give every field of a new one',
  ], 'a typo in the instance name of an override'),
  ov('name', 'dev', { name: 'prod' }, ['name: cannot be overridden (it is the environment itself; select another stack or set dockercoins:environment)'], 'overriding the environment name'),
  ov('overrides-list', 'dev', [{ name: 'dockercoins' }], [`overrides: ${OVERRIDES_SHAPE}, got a list`], 'overrides given as a list'),
  ov('overrides-string', 'dev', 'replicas=3', [`overrides: ${OVERRIDES_SHAPE}, got "replicas=3"`], 'overrides given as a string'),
  // DEBUG values the images do not read as meant (docs/images.md).
  ov('debug-true', 'dev', dc({ settings: { DEBUG: 'true' } }), [`dockercoins[dockercoins].settings.DEBUG: "true" is not read as on ${DEBUG_IMAGES}`], "DEBUG 'true' (read as off)"),
  ov('debug-false', 'prod', dc({ settings: { DEBUG: 'false' } }), [`dockercoins[dockercoins].settings.DEBUG: "false" is not read as on ${DEBUG_IMAGES}`], "DEBUG 'false'"),
  ov('debug-1', 'staging', { dockercoins: [{ name: 'blue', settings: { DEBUG: '1' } }] }, [`dockercoins[blue].settings.DEBUG: "1" is not read as on ${DEBUG_IMAGES}`], "DEBUG '1'"),
  ov('debug-Yes', 'dev', dc({ settings: { DEBUG: 'Yes' } }), [`dockercoins[dockercoins].settings.DEBUG: "Yes" is read as on ${DEBUG_IMAGES}`], "DEBUG 'Yes' (read as on, but spelt otherwise than yes)"),
  ov('debug-boolean', 'dev', dc({ settings: { DEBUG: true } }), ['dockercoins[dockercoins].settings.DEBUG: must be a string, got true (quote it in YAML)'], 'DEBUG: true unquoted in YAML'),
  // Numbers and choices.
  ov('replicas-zero', 'prod', dc({ worker: { replicas: 0 } }), ['dockercoins[dockercoins].worker.replicas: must be at least 1, got 0'], 'zero replicas'),
  ov('replicas-string', 'prod', dc({ worker: { replicas: '3' } }), ['dockercoins[dockercoins].worker.replicas: must be a whole number, got "3"'], 'replicas quoted in YAML'),
  ov('replicas-fraction', 'staging', { dockercoins: [{ name: 'blue', webui: { replicas: 1.5 } }] }, ['dockercoins[blue].webui.replicas: must be a whole number, got 1.5'], 'fractional replicas'),
  ov('hpa-min-above-max', 'prod', dc({ hasher: { autoscaling: { minReplicas: 12 } } }), ['dockercoins[dockercoins].hasher.autoscaling.minReplicas: 12 is above maxReplicas 10'], 'HPA minimum above maximum'),
  ov('node-port-out-of-range', 'dev', dc({ webui: { nodePort: 80 } }), ['dockercoins[dockercoins].webui.nodePort: must be at least 30000, got 80'], 'node port 80'),
  ov('node-port-of-registry', 'dev', dc({ webui: { nodePort: 30500 } }), ['edge.imageRegistry.nodePort: "30500" is already used by dockercoins[dockercoins].webui.nodePort; node ports must be unique'], 'webui on the registry node port'),
  ov('consul-servers-above-nodes', 'prod', { stateful: { consul: { replicas: 5 } } }, ['stateful.consul.antiAffinity: "required" places each of the 5 servers on its own node, but the environment plans 3 nodes; extra servers would stay Pending'], 'five Consul servers on three nodes'),
  ov('elasticsearch-even-nodes', 'prod', { logging: { elasticsearch: { nodes: 4 } } }, ['logging.elasticsearch.nodes: must be 1 (single node) or an odd number of at least 3 (a quorum of master-eligible nodes that survives a failure), got 4'], 'four Elasticsearch nodes'),
  ov('image-tag-latest', 'prod', dc({ redis: { image: { tag: 'latest' } } }), ['dockercoins[dockercoins].redis.image.tag: "latest" is not allowed: pin an immutable tag so rollouts are reproducible'], 'image tag latest', 'prod-eu'),
  ov('image-registry-url', 'dev', dc({ rng: { image: { registry: 'https://127.0.0.1:30500' } } }), ['dockercoins[dockercoins].rng.image.registry: "https://127.0.0.1:30500" is not a valid registry host (e.g. registry.example.com:5000)'], 'registry as a URL'),
  ov('traefik-mode', 'prod', { edge: { traefik: { mode: 'nodePort' } } }, ['edge.traefik.mode: must be one of hostPort, loadBalancer, got "nodePort"'], 'unknown Traefik mode'),
  ov('await-load-balancer-in-host-port-mode', 'dev', { ingress: { awaitLoadBalancer: true } }, ['ingress.awaitLoadBalancer: must be false with edge.traefik.mode "hostPort": only a LoadBalancer Service gives Ingresses an address, and Pulumi would wait for it forever'], 'Pulumi waiting for an address that never comes'),
  ov('dashboard-insecure-in-prod', 'prod', { edge: { traefik: { dashboard: 'insecure' } } }, ['edge.traefik.dashboard: "insecure" (unauthenticated API and dashboard) is only allowed with mode "hostPort"; with mode "loadBalancer" use "port-forward-only" or "disabled"'], 'open dashboard behind a load balancer'),
  ov('retention', 'prod', { edge: { monitoring: { prometheus: { retention: '30 days' } } } }, ['edge.monitoring.prometheus.retention: "30 days" is not a valid Prometheus duration (a positive number with a unit ms, s, m, h, d, w or y, e.g. 15d, 12h, 1h30m)'], 'retention in words'),
  ov('disruption-budgets-yes', 'prod', dc({ availability: { disruptionBudgets: 'yes' } }), ['dockercoins[dockercoins].availability.disruptionBudgets: must be true or false, got "yes"'], "a boolean written 'yes'"),
  // Issue 14: a stack choosing an engine would make Pulumi and that engine both own the environment.
  ov('delivery-second-engine', 'prod', { delivery: { engine: 'argocd', repository: { url: 'https://git.example.com/platform/dockercoins.git' } } },
    ['delivery: cannot be overridden: src/config/environments/prod.ts chooses the one engine that delivers prod (pulumi); change it there'], 'a stack giving prod to Argo CD as well as Pulumi'),
];

// ---------------------------------------------------------------- stack files
const sf = (id: string, file: string, body: string, environment: string, expected: string[], mistake: string): StackFileCase =>
  ({ id: `stack-file-${id}`, kind: 'stack-file', file, body, environment, expected, mistake });
const STACK_FILES: StackFileCase[] = [
  sf('name', 'stack.yaml', 'config: {}\n', '(stack)', ['--stack-config {file}: the file name must be Pulumi.<stack>.yaml (the stack name comes from it)'], 'a stack file not named Pulumi.<stack>.yaml'),
  sf('yaml', 'Pulumi.prod-eu.yaml', 'config:\n  dockercoins:environment: prod\n  description: a: b\n', 'prod-eu', ['--stack-config {file}: not valid YAML: Nested mappings are not allowed in compact mappings (line 3, column 16)'], 'invalid YAML'),
  sf('duplicate-key', 'Pulumi.prod-eu.yaml', 'config:\n  dockercoins:environment: prod\n  dockercoins:environment: dev\n', 'prod-eu', ['--stack-config {file}: not valid YAML: Map keys must be unique (line 3, column 3)'], 'a key given twice'),
  sf('key-typo', 'Pulumi.prod-eu.yaml', 'config:\n  dockercoins:enviroment: prod\n', 'prod-eu', ['--stack-config {file}: config key "dockercoins:enviroment" is not a setting of this project (dockercoins:environment, dockercoins:overrides, or a secret set with --secret)'], 'typo in dockercoins:environment'),
  sf('key-without-namespace', 'Pulumi.prod-eu.yaml', 'config:\n  overrides: {}\n', 'prod-eu', ['--stack-config {file}: config key "overrides" is not of the form <namespace>:<name> (the Pulumi CLI refuses it)'], 'config key without namespace'),
  sf('environment-number', 'Pulumi.prod-eu.yaml', 'config:\n  dockercoins:environment: 3\n', 'prod-eu', ['--stack-config {file}: dockercoins:environment must be a string, got 3'], 'environment as a number'),
  sf('environment-unknown', 'Pulumi.eu.yaml', 'config:\n  dockercoins:environment: production\n', 'production', ['environment: unknown environment "production"; known: dev, staging, prod'], 'unknown environment'),
  sf('stack-unknown', 'Pulumi.qa.yaml', 'config: {}\n', 'qa', ['environment: unknown environment "qa"; known: dev, staging, prod'], 'a stack name that is no environment, without dockercoins:environment'),
  sf('config-list', 'Pulumi.prod-eu.yaml', 'config:\n  - dockercoins:environment: prod\n', 'prod-eu', ['--stack-config {file}: config must be a mapping of <namespace>:<name> keys'], 'config as a list'),
  sf('plain-secret-key', 'Pulumi.prod-eu.yaml', 'config:\n  dockercoins:environment: prod\n  dockercoins:postgresPassword: hunter2\n', 'prod-eu', ['--stack-config {file}: config key "dockercoins:postgresPassword" is not a setting of this project (dockercoins:environment, dockercoins:overrides, or a secret set with --secret)'], 'a secret written in clear'),
];

// ---------------------------------------------------------------- (b) environment files
const ef = (id: string, env: string, change: (o: any) => void, expected: string[], mistake: string, edit?: SourceEdit): EnvironmentFileCase =>
  ({ id: `environment-file-${id}`, kind: 'environment-file', env, change, expected, mistake, ...(edit ? { edit } : {}) });
const ENVIRONMENT_FILES: EnvironmentFileCase[] = [
  // issue 13: validate refuses a production environment with data stores and no backups.
  ef('production-without-backups', 'prod', o => { delete o.backups; }, [
    'stateful.consul: has no backup, and the environment is production (production: true): add backups.consul (e.g. backups: { target: { type: \'s3\', ... }, consul: {} }, docs/stateful.md "Backups and restore drills") or remove stateful.consul',
    'stateful.postgres: has no backup, and the environment is production (production: true): add backups.postgres (e.g. backups: { target: { type: \'s3\', ... }, postgres: {} }, docs/stateful.md "Backups and restore drills") or remove stateful.postgres',
  ], 'prod (production: true) with Postgres and Consul but no backups section'),
  ef('duplicate-instance-name', 'staging', o => { o.dockercoins[1] = { ...o.dockercoins[1], name: 'blue' }; },
    ['dockercoins[1].name: "blue" is already used by dockercoins[0].name; instance names must be unique'],
    'a duplicate instance name (by index: the name names two items)',
    { from: "dockercoins: [instance('blue'), instance('green')]", to: "dockercoins: [instance('blue'), { ...instance('green'), name: 'blue' }]" }),
  ef('debug-true', 'dev', o => { o.dockercoins[0].settings = { DEBUG: 'true' }; },
    [`dockercoins[dockercoins].settings.DEBUG: "true" is not read as on ${DEBUG_IMAGES}`],
    "DEBUG 'true' in dev.ts", { from: "settings: { DEBUG: 'yes' }", to: "settings: { DEBUG: 'true' }" }),
  ef('namespace-node-agents', 'prod', o => { o.dockercoins[0].namespace = 'node-agents'; },
    [`dockercoins[dockercoins].namespace: "node-agents" is already used by the node agents (node-exporter, Fluent Bit); ${UNIQUE_NS}`],
    'instance namespace node-agents in prod.ts', { from: "namespace: 'dockercoins',", to: "namespace: 'node-agents'," }),
  ef('storage-class-replicatd', 'prod', o => { o.storageClass = 'replicatd'; },
    [`storageClass: "replicatd" ${PROD_SC}`],
    "storageClass 'replicatd' in prod.ts", { from: "storageClass: 'replicated',", to: "storageClass: 'replicatd'," }),
  ef('missing-host', 'dev', o => { delete o.dockercoins[0].host; }, ['dockercoins[dockercoins].host: must be a string, got nothing'], 'a required field deleted'),
  ef('missing-cluster', 'prod', o => { delete o.cluster; }, ['cluster: must be an object, got nothing'], 'a required section deleted'),
  ef('no-instances', 'dev', o => { o.dockercoins = []; }, ['dockercoins: must list at least one instance'], 'every instance deleted'),
  ef('nodes-zero', 'prod', o => { o.nodes = 0; }, ['nodes: must be at least 1, got 0'], 'zero planned nodes'),
  ef('instance-name-upper', 'staging', o => { o.dockercoins[1] = { ...o.dockercoins[1], name: 'Green' }; }, [`dockercoins[1].name: "Green" ${DNS_LABEL}`], 'instance name with upper case (by index: it is no name)'),
  ef('instance-name-empty', 'staging', o => { o.dockercoins[0] = { ...o.dockercoins[0], name: '' }; }, [`dockercoins[0].name: "" ${DNS_LABEL}`], 'empty instance name (used to print dockercoins[])'),
  ef('typo-tlsSecretname', 'prod', o => { const d = o.dockercoins[0]; d.tlsSecretname = d.tlsSecretName; delete d.tlsSecretName; },
    [`dockercoins[dockercoins].tlsSecretname: unknown field; the fields here are ${INSTANCE_FIELDS}`], 'typo tlsSecretname in prod.ts (esbuild does not type-check)'),
  ef('misplaced-rng-nodePort', 'dev', o => { o.dockercoins[0].rng = { ...o.dockercoins[0].rng, nodePort: 30081 }; },
    ['dockercoins[dockercoins].rng.nodePort: unknown field; the fields here are image, resources, tolerations'], 'nodePort under rng in dev.ts'),
  ef('misplaced-postgres-ui', 'dev', o => { o.stateful.postgres = { ...o.stateful.postgres, ui: o.stateful.consul.ui }; },
    ['stateful.postgres.ui: unknown field; the fields here are clientNamespaces, database, image, resources, shmSize, storage, user'], 'Consul\'s ui block pasted under postgres'),
  ef('swapped-resources', 'prod', o => { const d = o.dockercoins[0]; [d.redis.resources, d.worker.resources] = [d.worker.resources, d.redis.resources]; },
    [
      'dockercoins[dockercoins].worker.resources.limits: equal to requests for CPU and memory, which makes the pod Guaranteed, but this workload is designed as Burstable',
      'dockercoins[dockercoins].redis.resources.limits.cpu: must equal requests.cpu for Guaranteed QoS (requests 100m, limits 500m)',
      'dockercoins[dockercoins].redis.resources.limits.memory: must equal requests.memory for Guaranteed QoS (requests 48Mi, limits 96Mi)',
    ], 'resources of worker and redis swapped'),
  ef('memory-96m', 'prod', o => { o.dockercoins[0].webui.resources = { ...o.dockercoins[0].webui.resources, limits: { ...o.dockercoins[0].webui.resources.limits, memory: '192m' } }; },
    ['dockercoins[dockercoins].webui.resources.limits.memory: "192m" is 0.192 bytes (the suffix m means milli): write 192Mi for mebibytes'],
    "memory '192m' in prod.ts"),
  ef('cidr-host-bits', 'prod', o => { o.cluster = { ...o.cluster, apiServerCidrs: ['10.10.0.5/8'] }; },
    ['cluster.apiServerCidrs[0]: "10.10.0.5/8" has host bits set below the /8 prefix: write 10.0.0.0/8'], "CIDR '10.10.0.5/8' in prod.ts"),
  ef('kibana-is-prometheus', 'dev', o => { o.logging.kibana = { ...o.logging.kibana, host: 'prometheus.localhost' }; },
    ['logging.kibana.host: "prometheus.localhost" is already used by edge.monitoring.prometheus.ingressHost; hosts must be unique'], 'Kibana host = Prometheus ingressHost in dev.ts'),
  ef('toleration-value-with-exists', 'dev', o => { o.logging.fluentBit = { ...o.logging.fluentBit, tolerations: [{ operator: 'Exists', value: 'true' }] }; },
    ['logging.fluentBit.tolerations[0].value: must be empty when operator is Exists'], 'a toleration value with operator Exists'),
  // Issue 14: one environment, exactly one delivery engine.
  ef('delivery-two-engines', 'staging', o => { o.delivery = { ...o.delivery, engine: 'flux', argocd: { namespace: 'argocd' } }; },
    ['delivery.argocd: settings of engine argocd, but engine is flux: an environment has exactly one delivery engine; remove delivery.argocd, or set delivery.engine: argocd (and remove the other engine\'s settings)'],
    'Argo CD settings while Flux delivers staging (two engines)',
    { from: "delivery: { engine: 'argocd', repository:", to: "delivery: { engine: 'flux', argocd: { namespace: 'argocd' }, repository:" }),
  ef('delivery-gitops-without-repository', 'staging', o => { o.delivery = { engine: 'argocd' }; },
    ['delivery.repository: required by engine argocd: the Git url (and revision, path) Argo CD syncs the rendered dist/<env>/ from, e.g. { url: https://git.example.com/platform/dockercoins.git }'],
    'Argo CD without a repository'),
  ef('delivery-kubectl-with-repository', 'dev', o => { o.delivery = { engine: 'kubectl', repository: { url: 'https://git.example.com/platform/dockercoins.git' } }; },
    ['delivery.repository: engine kubectl reads no repository (it applies the local dist/<env>/): remove delivery.repository, or choose engine argocd or flux'],
    'a repository for kubectl, which applies local files'),
  ef('delivery-unknown-engine', 'prod', o => { o.delivery = { engine: 'helm' }; },
    ['delivery.engine: must be one of pulumi, argocd, flux, kubectl, got "helm"'], 'an engine the model does not know'),
  ef('delivery-repository-url', 'staging', o => { o.delivery = { ...o.delivery, repository: { url: 'git.example.com/platform/dockercoins' } }; },
    ['delivery.repository.url: "git.example.com/platform/dockercoins" is not a Git URL a controller can clone (https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git)'],
    'a repository URL without scheme'),
  ef('delivery-repository-path-escapes', 'staging', o => { o.delivery = { ...o.delivery, repository: { ...o.delivery.repository, path: '../dist/staging' } }; },
    ['delivery.repository.path: "../dist/staging" is not a relative folder of the repository (segments of letters, digits, ".", "_", "-"; no leading "/", no "." or ".." segment)'],
    'a repository path outside the repository'),
];

// ---------------------------------------------------------------- (c) CLI arguments
const cli = (id: string, argv: string[], firstLine: string, mistake: string): CliArgsCase => ({ id: `cli-${id}`, kind: 'cli-args', argv, firstLine, mistake });
const KNOWN = 'known: dev, staging, prod';
const CLI_ARGS: CliArgsCase[] = [
  cli('synth-unknown-env', ['synth', '--env', 'production', '--out', '{out}'], `synth: --env "production": unknown environment; ${KNOWN}`, 'synth --env production'),
  cli('synth-env-case', ['synth', '--env=Prod', '--out', '{out}'], `synth: --env "Prod": unknown environment; ${KNOWN}`, 'synth --env=Prod'),
  cli('synth-env-without-value', ['synth', '--env', '--out', '{out}'], 'synth: --env needs a value: --env <value> (or --env=<value> when the value starts with -)', 'synth --env with its value missing'),
  cli('synth-prune-with-env', ['synth', '--prune', '--env', 'dev', '--out', '{out}'], 'synth: --prune needs every environment rendered: drop --env', 'synth --prune --env dev'),
  cli('synth-out-empty', ['synth', '--out', ''], 'synth: --out needs a folder', "synth --out ''"),
  cli('synth-positional', ['synth', 'prod', '--out', '{out}'], "synth: Unexpected argument 'prod'. This command does not take positional arguments", 'synth prod (instead of --env prod)'),
  cli('synth-unknown-option', ['synth', '--environment', 'prod', '--out', '{out}'], "synth: Unknown option '--environment'", 'synth --environment'),
  cli('synth-short-option', ['synth', '-e', 'dev', '--out', '{out}'], "synth: Unknown option '-e'", 'synth -e dev'),
  cli('synth-check-value', ['synth', '--check=yes', '--out', '{out}'], "synth: Option '--check' does not take an argument", 'synth --check=yes'),
  cli('synth-stack-without-out', ['synth', '--stack-config', '{stack}'], 'synth: --stack-config needs --out <dir> (dist/ holds the environments, not stacks)', 'synth --stack-config without --out'),
  cli('synth-stack-into-dist', ['synth', '--stack-config', '{stack}', '--out', './dist/'], 'synth: --out ./dist/: dist/ holds the environments as synth renders them; render a stack elsewhere', 'a stack rendered into dist/'),
  cli('synth-stack-with-env', ['synth', '--stack-config', '{stack}', '--env', 'dev', '--out', '{out}'], 'synth: --stack-config renders one stack: drop --env, --prune and --check', 'synth --stack-config --env'),
  cli('synth-stack-with-check', ['synth', '--stack-config', '{stack}', '--check', '--out', '{out}'], 'synth: --stack-config renders one stack: drop --env, --prune and --check', 'synth --stack-config --check'),
  cli('synth-print-config-unknown', ['synth', '--print-config', 'qa'], `synth: --print-config "qa": unknown environment; ${KNOWN}`, 'synth --print-config qa'),
  cli('synth-print-config-without-value', ['synth', '--print-config'], 'synth: --print-config needs a value: --print-config <value> (or --print-config=<value> when the value starts with -)', 'synth --print-config without a value'),
  cli('validate-unknown-option', ['validate', '--strict'], 'validate: unknown option --strict', 'validate --strict'),
  cli('validate-help-value', ['validate', '--help=yes'], 'validate: option --help does not take a value', 'validate --help=yes'),
  cli('validate-missing-path', ['validate', '{tmp}/manifests'], 'validate: {tmp}/manifests: no such file or directory', 'validate of a path that does not exist'),
  cli('validate-not-manifests', ['validate', '{tmp}'], 'validate: {tmp}/Pulumi.dev.yaml: document 1: object without apiVersion/kind', 'validate of a folder holding a stack file, not manifests'),
  cli('diff-format', ['diff', '--format', 'html'], 'diff: --format must be text or markdown, not html', 'diff --format html'),
  cli('diff-format-without-value', ['diff', '--format'], 'diff: --format needs a value', 'diff --format without a value'),
  cli('diff-against-without-env', ['diff', '--against', 'prod'], 'diff: --against needs --env', 'diff --against without --env'),
  cli('diff-against-and-ref', ['diff', '--against', 'prod', '--env', 'staging', '--ref', 'HEAD~1'], 'diff: --against and --ref cannot be combined', 'diff --against with --ref'),
  cli('diff-ref-dash', ['diff', '--ref', '-x'], 'diff: --ref needs a value (write --ref=<value> for a value starting with -)', 'diff --ref -x'),
  cli('diff-ref-option', ['diff', '--ref=--output={tmp}/x'], 'diff: invalid git ref --output={tmp}/x', 'a git option passed as a ref'),
  cli('diff-env-path', ['diff', '--env', '../prod'], 'diff: invalid environment name ../prod', 'diff --env ../prod'),
  cli('diff-unknown-option-value', ['diff', '--token=s3cret'], 'diff: unknown option --token', 'an unknown option with a value (never echoed)'),
  cli('diff-positional', ['diff', 'prod'], 'diff: unexpected argument prod', 'diff prod (instead of --env prod)'),
  cli('diff-help-value', ['diff', '--help=1'], 'diff: --help takes no value', 'diff --help=1'),
  cli('diff-dist-empty', ['diff', '--dist', ''], 'diff: --dist needs a value', "diff --dist ''"),
  cli('run-no-command', [], 'run: no command given', 'node bin/run.js alone'),
  cli('run-unknown-command', ['synthesize'], 'run: unknown command "synthesize"', 'a misspelt command'),
  cli('run-deploy', ['deploy', '--env', 'prod'], 'run: unknown command "deploy"', 'a command this project does not have'),
  cli('run-version', ['--version'], 'run: unknown command "--version"', 'node bin/run.js --version'),
];

export const CONFIG_CASES: readonly ConfigCase[] = [...OVERRIDES, ...STACK_FILES, ...ENVIRONMENT_FILES, ...CLI_ARGS];
