import { ControlledIngressRoute, HostIngress } from '../lib/ingress';
import { Construct } from 'constructs';
import { CertificateProvider, serviceDnsNames, TLS_SECRET_KEYS } from '../lib/certificates';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { ComponentIdentity, recommendedLabels, selectorLabels } from '../lib/labels';
import { NetworkRule, PeerSpec, PortSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ProbeTimings } from '../lib/probes';
import { RunAsIdentity } from '../lib/security';
import { ClusterService, PeerService } from '../lib/service';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef } from '../lib/types';
import { HardenedStatefulSet, WritablePath } from '../lib/workload';
import type { VolumeSpec } from '../postgres';

/** Label a pod carries to be allowed to reach the Consul HTTP API (8500). */
export const CONSUL_CLIENT_LABEL = 'consul.dockercoins.io/client';

/**
 * How servers find each other.
 * - `dns`: `-retry-join` on each replica's stable name under the headless
 *   Service (`consul-N.consul-server.<ns>.svc.<domain>`). Needs no API access.
 * - `kubernetes`: the cloud auto-join k8s provider lists the pods by label in
 *   the namespace read from the downward API. Needs a ServiceAccount token, a
 *   Role allowing pods get/list and egress to the API server.
 */
export type ConsulJoinMode = 'dns' | 'kubernetes';

export interface ConsulProps {
  /** `app.kubernetes.io/instance`. */
  readonly instance: string;
  /** Namespace of every object; it must exist (see `ProductionNamespace`). */
  readonly namespace: string;
  /** Pinned `hashicorp/consul:1.x` image (uid 100, gid 1000 are the image's consul user and group). */
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Number of servers, also `bootstrap_expect`. Odd: an even count adds a server without adding fault tolerance. */
  readonly replicas: number;
  /** @default dns */
  readonly join?: ConsulJoinMode;
  /** Hostname anti-affinity: `required` in production so that one node loss costs at most one server. */
  readonly antiAffinity: 'preferred' | 'required';
  /** The raft data volume of each server. */
  readonly storage: VolumeSpec;
  /** Consul datacenter name. @default dc1 */
  readonly datacenter?: string;
  /** Cluster DNS domain, for the `dns` join mode. @default cluster.local */
  readonly clusterDomain?: string;
  /** Namespaces (besides its own) whose pods labelled `CONSUL_CLIENT_LABEL=true` may use the HTTP API. @default - none */
  readonly clientNamespaces?: readonly string[];
  /** Client pods other components offer (`clients`), admitted on the API port by their own labels. @default - none */
  readonly clients?: readonly PeerSpec[];
  /** API server endpoints the `kubernetes` join mode must reach. Required for that mode. */
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly port: number };
  /** Publish the UI through an Ingress. @default - no Ingress */
  readonly ui?: ControlledIngressRoute;
  /** Who may scrape the agent's telemetry (`/v1/agent/metrics` on 8500, or 8501 over TLS). @default - nobody */
  readonly metricsScrapers?: readonly PeerSpec[];
  /** Gossip encryption and ACL tokens, from Secrets of `namespace` (never rendered). */
  readonly security: ConsulSecurity;
  /**
   * Where the environment has TLS: one server certificate from its source for
   * RPC (8300, mutual TLS with host name verification) and the HTTPS API
   * (8501); plain HTTP is then bound to the loopback only (probes, `consul`
   * CLI in the pod). @default - plain HTTP API on 8500, RPC without TLS
   */
  readonly certificates?: CertificateProvider;
}

/** A key of an existing Secret. */
export interface ConsulSecretKey { readonly name: string; readonly key: string }

/**
 * Consul's secrets, each read from a Secret at start, never rendered:
 * - `gossipKey`: the serf encryption key (`encrypt`; base64 of 16, 24 or 32
 *   random bytes, e.g. `consul keygen`);
 * - `managementToken`: the initial management token
 *   (`acl.tokens.initial_management`, a UUID): the ACL superuser, which the
 *   servers create when the cluster first elects a leader. Only the servers
 *   and the setup Job read it;
 * - `agentToken`: the servers' own agent token (`acl.tokens.agent`, a UUID)
 *   for node registration and anti-entropy; the setup Job creates it.
 */
export interface ConsulSecurity {
  readonly gossipKey: ConsulSecretKey;
  readonly managementToken: ConsulSecretKey;
  readonly agentToken: ConsulSecretKey;
}

/** Where the server's secret files are mounted, and the config file rendered from them at start. */
export const CONSUL_SECRETS_DIR = '/consul/secrets';
export const CONSUL_RUN_DIR = '/consul/run';
export const CONSUL_SECRETS_CONFIG = `${CONSUL_RUN_DIR}/secrets.json`;

/** A UUID as Consul generates token secrets (lower case). */
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/**
 * Renders CONSUL_SECRETS_CONFIG from the mounted Secret files, after checking
 * their shape (a malformed value fails the init container with the Secret's
 * name instead of a server that cannot join or bootstrap). The values are
 * base64 and UUIDs, so they need no JSON escaping. The file lives on a
 * memory-backed emptyDir: it never reaches a disk or the manifests.
 */
export function consulSecretsScript(security: ConsulSecurity): string {
  const file = (s: ConsulSecretKey, dir: string) => `${CONSUL_SECRETS_DIR}/${dir}/${s.key}`;
  return [
    'set -eu',
    'umask 077',
    `key=$(cat ${file(security.gossipKey, 'gossip')})`,
    `management=$(cat ${file(security.managementToken, 'management')})`,
    `agent=$(cat ${file(security.agentToken, 'agent')})`,
    'bytes=$(printf %s "$key" | base64 -d 2>/dev/null | wc -c) || bytes=0',
    `case "$bytes" in 16|24|32) ;; *) echo "${security.gossipKey.name}/${security.gossipKey.key} must be base64 of 16, 24 or 32 random bytes (consul keygen)" >&2; exit 1 ;; esac`,
    `printf %s "$management" | grep -Eq '${UUID_PATTERN}' || { echo "${security.managementToken.name}/${security.managementToken.key} must be a lower-case UUID" >&2; exit 1; }`,
    `printf %s "$agent" | grep -Eq '${UUID_PATTERN}' || { echo "${security.agentToken.name}/${security.agentToken.key} must be a lower-case UUID" >&2; exit 1; }`,
    `printf '{"encrypt":"%s","acl":{"tokens":{"initial_management":"%s","agent":"%s"}}}\\n' "$key" "$management" "$agent" > ${CONSUL_SECRETS_CONFIG}`,
    '',
  ].join('\n');
}

/**
 * An unprivileged id of our own (kube-score wants uid/gid >= 10000). The model
 * replaces the image's entrypoint (no su-exec, no chown: docs/images.md), so
 * consul runs as any uid that can write its data dir: fsGroup makes the claim
 * writable (kubelet sets the group on a claim whose root does not have it yet).
 */
const CONSUL_USER_ID: RunAsIdentity = { user: 10100, group: 10100, fsGroup: 10100 };
/** `app.kubernetes.io/name` of the servers. */
export const CONSUL_NAME = 'consul';
/** Selector of the Consul servers of an instance (for peers' policies and routes). */
export const consulPods = (instance: string) => selectorLabels({ name: CONSUL_NAME, instance });

export const CONSUL_PORTS = { http: 8500, https: 8501, server: 8300, serfLan: 8301, serfWan: 8302 } as const;
/** Secret of the server certificate where the environment has TLS. */
export const CONSUL_TLS_SECRET = 'consul-tls';
const TLS_DIR = '/consul/tls';
/** The API port other pods use: HTTPS where the environment has TLS. */
export const consulApiPort = (tls: boolean) => (tls ? CONSUL_PORTS.https : CONSUL_PORTS.http);
/** The Service API clients use (the certificate names it). */
export const CONSUL_CLIENT_SERVICE = 'consul';
/** `CONSUL_HTTP_ADDR` of an API client: the client Service, https on 8501 where the environment has TLS, else http on 8500. */
export const consulHttpAddr = (namespace: string, tls: boolean) => `${tls ? 'https' : 'http'}://${CONSUL_CLIENT_SERVICE}.${namespace}.svc:${consulApiPort(tls)}`;
/** The name every server's certificate must carry for `verify_server_hostname` (`server.<datacenter>.<domain>`, domain `consul`). */
export const consulServerName = (datacenter: string) => `server.${datacenter}.consul`;

/**
 * The agent's \`tls\` stanza (Consul >= 1.12 format; the pinned 1.19 reads it),
 * as HashiCorp's consul-k8s chart writes it (charts/consul/templates/
 * server-config-configmap.yaml, commit a507b1d1): RPC between servers is
 * mutual TLS (\`internal_rpc.verify_incoming\`) with the peer's name checked
 * against \`server.<dc>.consul\` (\`verify_server_hostname\`), every outgoing
 * connection verifies the server (\`defaults.verify_outgoing\`). The HTTPS API
 * presents the certificate but does not demand one from clients
 * (\`https.verify_incoming: false\`, the chart's default too): its callers
 * (Prometheus, operators' port-forwards) are authorized by ACL tokens, not by
 * client certificates.
 */
export function consulTlsConfig(): Record<string, unknown> {
  return {
    defaults: {
      ca_file: `${TLS_DIR}/${TLS_SECRET_KEYS.ca}`,
      cert_file: `${TLS_DIR}/${TLS_SECRET_KEYS.cert}`,
      key_file: `${TLS_DIR}/${TLS_SECRET_KEYS.key}`,
      verify_outgoing: true,
    },
    internal_rpc: { verify_incoming: true, verify_server_hostname: true },
    https: { verify_incoming: false },
  };
}
/** volumeClaimTemplate of the raft data (claims `data-consul-<ordinal>`). */
export const CONSUL_DATA_CLAIM = 'data';
/**
 * Prometheus exposition of the agent's telemetry. Consul (1.7.2 and later)
 * answers `/v1/agent/metrics` in the Prometheus format when the request's
 * Accept header asks for it, as Prometheus' does; gauges are kept for
 * `prometheus_retention_time` (at least two scrape intervals).
 */
export const CONSUL_METRICS_PATH = '/v1/agent/metrics';
const DATA_DIR = '/consul/data';
const CONFIG_DIR = '/consul/config';

/**
 * Ready only when the cluster has a leader. busybox `wget` is in every alpine
 * base (curl was added to the image's package list only in some releases).
 * `/v1/status/leader` returns `"ip:port"`, or `""` without a leader.
 */
const LEADER_CHECK = ['sh', '-c', `wget -q -T 2 -O - http://127.0.0.1:${CONSUL_PORTS.http}/v1/status/leader | grep -q ':'`];
/** Liveness over the loopback HTTP listener (where the network API is HTTPS, the kubelet cannot reach plain HTTP). */
const ANSWERS_CHECK = ['sh', '-c', `wget -q -T 2 -O /dev/null http://127.0.0.1:${CONSUL_PORTS.http}/v1/status/leader`];
const READINESS: ProbeTimings = { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 };
/**
 * Liveness only asks the agent to answer HTTP (200 with or without a leader):
 * restarting servers because the cluster lost quorum would make it worse.
 */
const LIVENESS: ProbeTimings = { initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 };

/**
 * Servers a quorum of `replicas` can lose: (n - 1) / 2. The PDB allows exactly
 * that many voluntary disruptions, so a drain never breaks quorum.
 */
export function consulFaultTolerance(replicas: number): number {
  return Math.floor((replicas - 1) / 2);
}

/**
 * A Consul server cluster: StatefulSet with one claim per server, a headless
 * Service publishing not-ready addresses (peers must resolve each other before
 * any is ready), a client Service for the HTTP API/UI, a quorum-keeping
 * PodDisruptionBudget, graceful leave on stop, and NetworkPolicies for gossip,
 * RPC and labelled API clients.
 */
export class Consul extends Construct {
  public readonly headlessServiceName: string;
  public readonly clientServiceName: string;
  /** The API's in-cluster address for clients (`CONSUL_HTTP_ADDR`): `https://...:8501` where the environment has TLS. */
  public readonly httpAddr: string;
  /** The server certificate's Secret (its `ca.crt` is what API clients verify against) where the environment has TLS. */
  public readonly tlsSecretName?: string;
  public readonly statefulSet: HardenedStatefulSet;

  constructor(scope: Construct, id: string, props: ConsulProps) {
    super(scope, id);
    const ns = props.namespace;
    const n = props.replicas;
    if (!Number.isInteger(n) || n < 1 || n % 2 === 0) {
      throw new Error(`${ns}/consul: replicas must be an odd number >= 1 (quorum of an even count tolerates no more failures than one server fewer), got ${n}`);
    }
    const join = props.join ?? 'dns';
    if (join === 'kubernetes' && !props.apiServer) throw new Error(`${ns}/consul: join "kubernetes" needs apiServer (the endpoints the k8s provider calls)`);
    const identity: ComponentIdentity = {
      name: CONSUL_NAME, instance: props.instance, component: 'service-discovery', partOf: 'dockercoins', version: props.image.tag,
    };
    const name = identity.name;
    this.headlessServiceName = 'consul-server';
    this.clientServiceName = CONSUL_CLIENT_SERVICE;
    const domain = props.clusterDomain ?? 'cluster.local';
    const datacenter = props.datacenter ?? 'dc1';
    const tls = props.certificates !== undefined;
    const apiPort = consulApiPort(tls);
    // The certificate names the client Service (serviceDnsNames below): clients verify it for this host.
    this.httpAddr = consulHttpAddr(ns, tls);
    this.tlsSecretName = tls ? CONSUL_TLS_SECRET : undefined;
    const certSecret = props.certificates?.request(this, 'Certificate', {
      namespace: ns,
      secretName: CONSUL_TLS_SECRET,
      dnsNames: [
        consulServerName(datacenter),
        ...serviceDnsNames(this.clientServiceName, ns, domain),
        ...serviceDnsNames(this.headlessServiceName, ns, domain),
        `*.${this.headlessServiceName}.${ns}.svc`,
        `*.${this.headlessServiceName}.${ns}.svc.${domain}`,
      ],
      // Servers are both ends of RPC: server auth to accept, client auth to dial their peers.
      usages: ['server auth', 'client auth'],
      purpose: 'internal',
      labels: recommendedLabels(this, identity),
    });

    const settings = new SettingsConfigMap(this, 'Config', {
      name: 'consul-config',
      namespace: ns,
      labels: recommendedLabels(this, identity),
      data: {
        'server.json': JSON.stringify({
          datacenter,
          server: true,
          bootstrap_expect: n,
          data_dir: DATA_DIR,
          bind_addr: '0.0.0.0',
          client_addr: '0.0.0.0',
          ui_config: { enabled: true },
          // SIGTERM leaves the cluster gracefully (as the consul-k8s chart's
          // servers do). A preStop `consul leave` would need an operator:write
          // token under default-deny ACLs.
          leave_on_terminate: true,
          // Default deny: every API call needs a token with a policy. Tokens
          // set through the API (`consul acl set-agent-token`) survive restarts.
          // The tokens and the gossip key come from Secrets (CONSUL_SECRETS_CONFIG).
          acl: { enabled: true, default_policy: 'deny', down_policy: 'extend-cache', enable_token_persistence: true },
          // Gossip is encrypted with the key of CONSUL_SECRETS_CONFIG; both directions verified.
          encrypt_verify_incoming: true,
          encrypt_verify_outgoing: true,
          disable_update_check: true, // no egress to checkpoint-api.hashicorp.com
          // Clients use the HTTP(S) API; DNS on 8600 is not allowed by the policy, so not served.
          // With TLS the network API is HTTPS only; plain HTTP answers on the loopback (probes, CLI).
          ports: tls ? { dns: -1, http: CONSUL_PORTS.http, https: CONSUL_PORTS.https } : { dns: -1 },
          ...(tls ? { addresses: { http: '127.0.0.1' }, tls: consulTlsConfig() } : {}),
          autopilot: { cleanup_dead_servers: true, min_quorum: n },
          // /v1/agent/metrics in the Prometheus format; gauges without the hostname prefix
          // (consul_server_isLeader, not consul_<host>_server_isLeader).
          telemetry: { prometheus_retention_time: '2m', disable_hostname: true },
        }, null, 2),
      },
    });

    const retryJoin = join === 'dns'
      ? Array.from({ length: n }, (_, i) => `-retry-join=${name}-${i}.${this.headlessServiceName}.${ns}.svc.${domain}`)
      : [`-retry-join=provider=k8s namespace="$(NAMESPACE)" label_selector="app.kubernetes.io/name=${name},app.kubernetes.io/instance=${props.instance}"`];

    const sec = props.security;
    const secretVolumes = [
      { volume: 'gossip-key', dir: 'gossip', secret: sec.gossipKey },
      { volume: 'management-token', dir: 'management', secret: sec.managementToken },
      { volume: 'agent-token', dir: 'agent', secret: sec.agentToken },
    ];
    const secretMounts = secretVolumes.map(v => ({ name: v.volume, mountPath: `${CONSUL_SECRETS_DIR}/${v.dir}`, readOnly: true }));
    const runDir: WritablePath = { path: CONSUL_RUN_DIR, medium: 'Memory', sizeLimit: '4Mi' };
    const serfPorts = (port: number): PortSpec[] => [{ port, protocol: 'TCP' }, { port, protocol: 'UDP' }];
    this.statefulSet = new HardenedStatefulSet(this, 'StatefulSet', {
      identity,
      tier: 'data',
      namespace: ns,
      replicas: n,
      serviceName: this.headlessServiceName,
      // OrderedReady would deadlock: consul-0 is ready only once a leader is
      // elected, which needs bootstrap_expect servers running.
      podManagementPolicy: 'Parallel',
      runAs: CONSUL_USER_ID,
      qos: 'Burstable',
      // `consul leave` takes a few seconds (leave_drain_time 5 s, raft removal).
      terminationGracePeriodSeconds: 30,
      automountServiceAccountToken: join === 'kubernetes',
      apiAccessReason: join === 'kubernetes' ? 'retry-join provider=k8s lists the server pods through the API (Role: pods get/list)' : undefined,
      antiAffinity: props.antiAffinity,
      // Not annotated for the generic scrape job: /v1/agent/metrics needs an
      // agent:read token, so Prometheus scrapes it in a job of its own
      // (the component's authorized scrape target).
      podAnnotations: { [SETTINGS_CHECKSUM_ANNOTATION]: settings.checksum },
      superuserCredentials: [{ secret: sec.managementToken.name, key: sec.managementToken.key }],
      volumeClaims: [{ name: CONSUL_DATA_CLAIM, size: props.storage.size, storageClassName: props.storage.storageClassName }],
      volumes: [
        { name: 'config', configMap: { name: settings.name } },
        ...(certSecret ? [{ name: 'tls', secret: { secretName: certSecret, defaultMode: 0o440 } }] : []),
        ...secretVolumes.map(v => ({ name: v.volume, secret: { secretName: v.secret.name, items: [{ key: v.secret.key, path: v.secret.key }], defaultMode: 0o440 } })),
      ],
      initContainers: [{
        name: 'secrets-config',
        image: props.image,
        command: ['sh', '-c', consulSecretsScript(sec)],
        resources: props.resources,
        probes: { waivedBecause: 'init container: renders the secrets config file and exits' },
        writablePaths: [runDir],
        volumeMounts: secretMounts,
      }],
      containers: [{
        name: 'consul',
        image: props.image,
        resources: props.resources,
        // Bypasses docker-entrypoint.sh, which chowns the data dir and drops
        // privileges with su-exec: neither works (nor is needed) as non-root.
        command: [
          'consul', 'agent',
          `-config-dir=${CONFIG_DIR}`,
          `-config-file=${CONSUL_SECRETS_CONFIG}`,
          '-advertise=$(POD_IP)',
          ...retryJoin,
        ],
        ports: [
          tls ? { name: 'https', containerPort: CONSUL_PORTS.https } : { name: 'http', containerPort: CONSUL_PORTS.http },
          { name: 'server', containerPort: CONSUL_PORTS.server },
          { name: 'serflan-tcp', containerPort: CONSUL_PORTS.serfLan, protocol: 'TCP' },
          { name: 'serflan-udp', containerPort: CONSUL_PORTS.serfLan, protocol: 'UDP' },
          { name: 'serfwan-tcp', containerPort: CONSUL_PORTS.serfWan, protocol: 'TCP' },
          { name: 'serfwan-udp', containerPort: CONSUL_PORTS.serfWan, protocol: 'UDP' },
        ],
        envFrom: [
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        ],
        probes: {
          readiness: { check: { exec: LEADER_CHECK }, timings: READINESS },
          liveness: { check: tls ? { exec: ANSWERS_CHECK } : { http: { path: '/v1/status/leader', port: 'http' } }, timings: LIVENESS },
        },
        writablePaths: [{ path: '/tmp' }, runDir],
        volumeMounts: [
          { name: CONSUL_DATA_CLAIM, mountPath: DATA_DIR },
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          ...(certSecret ? [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }] : []),
        ],
      }],
      disruptionBudget: consulFaultTolerance(n) >= 1 ? { maxUnavailable: consulFaultTolerance(n) } : undefined,
    });
    const pod = this.statefulSet.pod;

    new PeerService(this, 'HeadlessService', {
      name: this.headlessServiceName,
      namespace: ns,
      pod,
      ports: [
        tls ? { name: 'https', port: CONSUL_PORTS.https, targetPort: 'https' } : { name: 'http', port: CONSUL_PORTS.http, targetPort: 'http' },
        { name: 'server', port: CONSUL_PORTS.server, targetPort: 'server' },
        { name: 'serflan-tcp', port: CONSUL_PORTS.serfLan, targetPort: 'serflan-tcp', protocol: 'TCP' },
        { name: 'serflan-udp', port: CONSUL_PORTS.serfLan, targetPort: 'serflan-udp', protocol: 'UDP' },
      ],
    });
    new ClusterService(this, 'ClientService', {
      name: this.clientServiceName,
      namespace: ns,
      labels: pod.labels,
      selector: pod.selector,
      ports: [tls ? { name: 'https', port: CONSUL_PORTS.https, targetPort: 'https' } : { name: 'http', port: CONSUL_PORTS.http, targetPort: 'http' }],
    });

    if (join === 'kubernetes') {
      // Exactly what the k8s provider of cloud auto-join calls: list pods by label.
      new k8s.KubeRole(this, 'DiscoveryRole', {
        metadata: { name: 'consul-discovery', namespace: ns, labels: pod.labels },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      });
      new k8s.KubeRoleBinding(this, 'DiscoveryRoleBinding', {
        metadata: { name: 'consul-discovery', namespace: ns, labels: pod.labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'consul-discovery' },
        subjects: [{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: ns }],
      });
    }

    if (props.ui && tls) throw new Error(`${ns}/consul: the UI Ingress serves the plain HTTP API; where the environment has TLS use kubectl port-forward (the API is HTTPS only)`);
    if (props.ui) {
      new HostIngress(this, 'UiIngress', { name: 'consul-ui', namespace: ns, labels: pod.labels, route: props.ui, serviceName: this.clientServiceName, servicePort: 'http' });
    }

    // Network: gossip (LAN and, between servers, WAN) and RPC among the
    // servers; labelled clients and, with a UI, the ingress controller on 8500.
    const servers: PeerSpec = { pods: pod.selector };
    const peerPorts: PortSpec[] = [{ port: CONSUL_PORTS.server }, ...serfPorts(CONSUL_PORTS.serfLan), ...serfPorts(CONSUL_PORTS.serfWan)];
    const client = { [CONSUL_CLIENT_LABEL]: 'true' };
    const apiPeers: PeerSpec[] = [
      { pods: client },
      ...(props.clientNamespaces ?? []).filter(c => c !== ns).map(namespace => ({ pods: client, namespace })),
    ];
    if (props.ui) apiPeers.push({ namespace: props.ui.controllerNamespace });
    apiPeers.push(...(props.metricsScrapers ?? []), ...(props.clients ?? []));
    const egress: NetworkRule[] = [{ peers: [servers], ports: peerPorts }];
    if (join === 'kubernetes' && props.apiServer) {
      egress.push({ peers: props.apiServer.cidrs.map(cidr => ({ cidr })), ports: [{ port: props.apiServer.port }] });
    }
    new WorkloadNetworkPolicy(this, 'Policy', {
      name,
      namespace: ns,
      labels: pod.labels,
      podSelector: pod.selector,
      ingress: [{ peers: [servers], ports: peerPorts }, { peers: apiPeers, ports: [{ port: apiPort }] }],
      egress,
    });
    // Labelled client pods of this namespace may reach the API (the namespace
    // denies all egress); other namespaces allow their clients' egress themselves.
    new WorkloadNetworkPolicy(this, 'ClientPolicy', {
      name: 'consul-clients',
      namespace: ns,
      labels: pod.labels,
      selectsExternalPodsBecause: `client pods run in ${ns} with ${CONSUL_CLIENT_LABEL}=true`,
      podSelector: client,
      egress: [{ peers: [servers], ports: [{ port: apiPort }] }],
    });
  }
}
