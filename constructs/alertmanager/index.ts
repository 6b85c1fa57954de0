import { Construct } from 'constructs';
import { toYaml } from '../lib/yaml';
import { strictlyContains } from '../lib/cidr';
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { NetworkRule, PeerSpec, PortSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ClusterService, PeerService } from '../lib/service';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef } from '../lib/types';
import { HardenedStatefulSet } from '../lib/workload';
import { NOBODY } from '../lib/security';

/** Web UI, API (Prometheus posts alerts here) and /metrics: the Dockerfile's EXPOSE and `--web.listen-address`. */
export const ALERTMANAGER_PORT = 9093;
/** Cluster gossip (memberlist, TCP and UDP): the default `--cluster.listen-address`. */
export const ALERTMANAGER_CLUSTER_PORT = 9094;
export const ALERTMANAGER_NAME = 'alertmanager';
/** Headless Service governing the replicas' DNS names (`alertmanager-<i>.<this>.<ns>.svc`). */
export const ALERTMANAGER_CLUSTER_SERVICE = 'alertmanager-cluster';
const CONFIG_DIR = '/etc/alertmanager';
const SECRETS_DIR = '/etc/alertmanager/secrets';
const DATA = '/alertmanager';

/** A receiver as the construct renders it; credentials are Secret keys, never values. */
export interface AlertmanagerReceiver {
  readonly name: string;
  /** Generic webhook whose URL is the key `urlKey` of the receivers Secret. */
  readonly webhook?: { readonly urlKey: string; readonly sendResolved: boolean; readonly maxAlerts: number };
  /** Slack incoming webhook whose URL is the key `urlKey` of the receivers Secret. */
  readonly slack?: { readonly urlKey: string; readonly channel: string; readonly sendResolved: boolean };
}

export interface AlertmanagerRoute {
  readonly receiver: string;
  readonly groupBy: readonly string[];
  readonly groupWait: string;
  readonly groupInterval: string;
  readonly repeatInterval: string;
  readonly routes: readonly { readonly receiver: string; readonly matchers: readonly string[]; readonly continue: boolean }[];
}

export interface InhibitRule { readonly sourceMatchers: readonly string[]; readonly targetMatchers: readonly string[]; readonly equal: readonly string[] }

export interface AlertmanagerProps {
  readonly instance: string;
  /** Prometheus' namespace (restricted is enough). */
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** More than one: a gossip cluster over the headless Service. */
  readonly replicas: number;
  readonly antiAffinity: 'preferred' | 'required';
  readonly storageSize: string;
  readonly retention: string;
  readonly receivers: readonly AlertmanagerReceiver[];
  readonly route: AlertmanagerRoute;
  readonly inhibitRules: readonly InhibitRule[];
  /** The existing Secret holding every receiver URL key (never rendered). Required when a receiver has a webhook or Slack config. */
  readonly receiversSecret?: string;
  /** Where webhook and Slack receivers may connect. */
  readonly receiverEgress: { readonly cidrs: readonly string[]; readonly except: readonly string[]; readonly ports: readonly number[] };
  /** Who may post alerts and read the API and /metrics (Prometheus). */
  readonly clients: readonly PeerSpec[];
}

/** `host:port` of each replica, by its StatefulSet DNS name. */
export function alertmanagerAddresses(namespace: string, replicas: number, port: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `${ALERTMANAGER_NAME}-${i}.${ALERTMANAGER_CLUSTER_SERVICE}.${namespace}.svc:${port}`);
}

/** The Secret keys a receiver's URLs are read from. */
export function receiverSecretKeys(r: AlertmanagerReceiver): string[] {
  return [r.webhook?.urlKey, r.slack?.urlKey].filter((k): k is string => k !== undefined);
}

/**
 * alertmanager.yml: the routing tree, inhibition and receivers. Receiver URLs
 * are `url_file` (webhook_configs) and `api_url_file` (slack_configs) paths
 * into the mounted Secret (config/notifiers.go of Alertmanager), so the
 * rendered config holds no credential.
 */
export function alertmanagerConfig(props: Pick<AlertmanagerProps, 'receivers' | 'route' | 'inhibitRules'>): string {
  const file = (key: string) => `${SECRETS_DIR}/${key}`;
  const config = {
    route: {
      receiver: props.route.receiver,
      group_by: [...props.route.groupBy],
      group_wait: props.route.groupWait,
      group_interval: props.route.groupInterval,
      repeat_interval: props.route.repeatInterval,
      ...(props.route.routes.length
        ? { routes: props.route.routes.map(r => ({ receiver: r.receiver, matchers: [...r.matchers], ...(r.continue ? { continue: true } : {}) })) }
        : {}),
    },
    inhibit_rules: props.inhibitRules.map(r => ({ source_matchers: [...r.sourceMatchers], target_matchers: [...r.targetMatchers], equal: [...r.equal] })),
    receivers: props.receivers.map(r => ({
      name: r.name,
      ...(r.webhook ? { webhook_configs: [{ url_file: file(r.webhook.urlKey), send_resolved: r.webhook.sendResolved, max_alerts: r.webhook.maxAlerts }] } : {}),
      ...(r.slack ? { slack_configs: [{ api_url_file: file(r.slack.urlKey), channel: r.slack.channel, send_resolved: r.slack.sendResolved }] } : {}),
    })),
  };
  return toYaml(config);
}

/**
 * Alertmanager: a StatefulSet (stable peer names) in Prometheus' namespace.
 * With more than one replica the replicas form a gossip cluster over the
 * headless Service (publishing not-ready addresses: peers join before they
 * are ready); Prometheus sends every alert to every replica and the cluster
 * notifies once. Silences and the notification log live on an emptyDir:
 * a restarted replica gets them back from its peers. Restricted pod settings,
 * probes on /-/ready and /-/healthy, a PDB when clustered, and a policy that
 * admits only the alert senders (and the peers on the gossip port); its
 * egress goes to the peers and to the receivers' addresses only.
 */
export class Alertmanager extends Construct {
  public readonly statefulSet: HardenedStatefulSet;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const ns = props.namespace;
    const n = props.replicas;
    const clustered = n > 1;
    const secretKeys = props.receivers.flatMap(receiverSecretKeys);
    if (secretKeys.length > 0 && !props.receiversSecret) throw new Error(`${ns}/alertmanager: receivers ${secretKeys.join(', ')} read URLs from a Secret: receiversSecret is required`);
    const identity: ComponentIdentity = { name: ALERTMANAGER_NAME, instance: props.instance, component: 'alert-router', partOf: 'monitoring', version: props.image.tag };
    const labels = recommendedLabels(this, identity);

    const config = new SettingsConfigMap(this, 'Config', {
      name: 'alertmanager-config',
      namespace: ns,
      labels,
      data: { 'alertmanager.yml': alertmanagerConfig(props) },
    });

    const peers = alertmanagerAddresses(ns, n, ALERTMANAGER_CLUSTER_PORT);
    const cluster = clustered
      ? [
        `--cluster.listen-address=0.0.0.0:${ALERTMANAGER_CLUSTER_PORT}`,
        `--cluster.advertise-address=[$(POD_IP)]:${ALERTMANAGER_CLUSTER_PORT}`,
        // Gossip of another Alertmanager cluster reaching these pods is refused.
        `--cluster.label=${ns}/${ALERTMANAGER_NAME}`,
        ...peers.map(p => `--cluster.peer=${p}`),
      ]
      // An empty listen address disables clustering (cmd/alertmanager: "Set to empty string to disable HA mode").
      : ['--cluster.listen-address='];
    const gossip: PortSpec[] = [{ port: ALERTMANAGER_CLUSTER_PORT, protocol: 'TCP' }, { port: ALERTMANAGER_CLUSTER_PORT, protocol: 'UDP' }];

    this.statefulSet = new HardenedStatefulSet(this, 'StatefulSet', {
      identity,
      tier: 'monitoring',
      namespace: ns,
      replicas: n,
      serviceName: ALERTMANAGER_CLUSTER_SERVICE,
      // Peers must start together to find each other; they hold no ordered state.
      podManagementPolicy: 'Parallel',
      runAs: NOBODY,
      qos: 'Burstable',
      terminationGracePeriodSeconds: 30,
      antiAffinity: clustered ? props.antiAffinity : 'none',
      podAnnotations: {
        [SETTINGS_CHECKSUM_ANNOTATION]: config.checksum,
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(ALERTMANAGER_PORT),
        'prometheus.io/path': '/metrics',
      },
      volumes: [
        { name: 'config', configMap: { name: config.name } },
        ...(props.receiversSecret && secretKeys.length > 0
          ? [{ name: 'receivers', secret: { secretName: props.receiversSecret, items: secretKeys.map(key => ({ key, path: key })), defaultMode: 0o440 } }]
          : []),
      ],
      containers: [{
        name: ALERTMANAGER_NAME,
        image: props.image,
        args: [
          `--config.file=${CONFIG_DIR}/alertmanager.yml`,
          `--storage.path=${DATA}`,
          `--data.retention=${props.retention}`,
          `--web.listen-address=:${ALERTMANAGER_PORT}`,
          ...cluster,
        ],
        envFrom: clustered ? [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] : undefined,
        ports: [
          { name: 'http', containerPort: ALERTMANAGER_PORT },
          ...(clustered ? [
            { name: 'cluster-tcp', containerPort: ALERTMANAGER_CLUSTER_PORT, protocol: 'TCP' as const },
            { name: 'cluster-udp', containerPort: ALERTMANAGER_CLUSTER_PORT, protocol: 'UDP' as const },
          ] : []),
        ],
        resources: props.resources,
        probes: {
          // ui/web.go: /-/ready and /-/healthy answer 200 once the web server runs.
          readiness: { check: { http: { path: '/-/ready', port: 'http' } }, timings: { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
          liveness: { check: { http: { path: '/-/healthy', port: 'http' } }, timings: { initialDelaySeconds: 10, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 } },
        },
        writablePaths: [{ path: DATA, sizeLimit: props.storageSize }],
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          ...(props.receiversSecret && secretKeys.length > 0 ? [{ name: 'receivers', mountPath: SECRETS_DIR, readOnly: true }] : []),
        ],
      }],
      disruptionBudget: clustered ? { maxUnavailable: 1 } : undefined,
    });
    const pod = this.statefulSet.pod;

    new PeerService(this, 'ClusterService', {
      name: ALERTMANAGER_CLUSTER_SERVICE,
      namespace: ns,
      pod,
      ports: [
        { name: 'http', port: ALERTMANAGER_PORT, targetPort: 'http' },
        ...(clustered ? [
          { name: 'cluster-tcp', port: ALERTMANAGER_CLUSTER_PORT, targetPort: 'cluster-tcp', protocol: 'TCP' as const },
          { name: 'cluster-udp', port: ALERTMANAGER_CLUSTER_PORT, targetPort: 'cluster-udp', protocol: 'UDP' as const },
        ] : []),
      ],
    });
    // For people: `kubectl -n <ns> port-forward service/alertmanager 9093`.
    new ClusterService(this, 'Service', {
      name: ALERTMANAGER_NAME,
      namespace: ns,
      labels: pod.labels,
      selector: pod.selector,
      ports: [{ name: 'http', port: ALERTMANAGER_PORT, targetPort: 'http' }],
    });

    const self: PeerSpec = { pods: pod.selector };
    const ingress: NetworkRule[] = [];
    if (props.clients.length > 0) ingress.push({ peers: props.clients, ports: [{ port: ALERTMANAGER_PORT }] });
    if (clustered) ingress.push({ peers: [self], ports: gossip });
    const egress: NetworkRule[] = [];
    if (clustered) egress.push({ peers: [self], ports: gossip });
    if (secretKeys.length > 0) {
      const except = props.receiverEgress.except;
      egress.push({
        peers: props.receiverEgress.cidrs.map(c => ({ cidr: c, except: except.filter(e => strictlyContains(c, e)) })).map(p => (p.except.length ? p : { cidr: p.cidr })),
        ports: props.receiverEgress.ports.map(port => ({ port })),
      });
    }
    new WorkloadNetworkPolicy(this, 'Policy', {
      name: ALERTMANAGER_NAME,
      namespace: ns,
      labels: pod.labels,
      podSelector: pod.selector,
      ingress,
      egress,
    });
  }
}

