import { HostIngress, IngressRoute } from '../lib/ingress';
import { caVolume } from '../lib/certificates';
import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { ComponentIdentity, recommendedLabels, selectorLabels } from '../lib/labels';
import { NetworkRule, PeerSpec, PodPortRef, rulesToPods, WorkloadNetworkPolicy } from '../lib/network';
import { parseQuantity } from '../lib/quantity';
import { ClusterService } from '../lib/service';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef, KubeletTlsVerification } from '../lib/types';
import { INSECURE_SKIP_VERIFY_REASON_ANNOTATION } from '../lib/verification-annotations';
import { HardenedDeployment, PersistentClaim } from '../lib/workload';
import type { CertificateProvider } from '../lib/certificates';
import type { AlertmanagerOffer, ScrapeTargetOffer } from '../lib/component';
import { AuthorizedTarget, prometheusConfig } from './prometheus-config';
import { RuleGroup, ruleFiles } from './rules';
import { toYaml } from '../lib/yaml';
import { NOBODY } from '../lib/security';

/** Where the TSDB lives. */
export interface TsdbStorage {
  /** `emptyDir` (lost with the pod) or a ReadWriteOnce `persistentVolumeClaim`. */
  readonly type: 'emptyDir' | 'persistentVolumeClaim';
  /** emptyDir size limit or claim size, e.g. `20Gi`. */
  readonly size: string;
  /** StorageClass of the claim. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

export interface PrometheusProps {
  /** Namespace of every namespaced object; it must exist (restricted is enough). */
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** `--storage.tsdb.retention.time`, e.g. `15d`. */
  readonly retention: string;
  /** e.g. `30s`. */
  readonly scrapeInterval: string;
  readonly storage: TsdbStorage;
  /** Labels on every series, e.g. `{ environment: 'prod' }`. @default - none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Publish the UI through an Ingress. @default - no Ingress (port-forward) */
  readonly ingress?: IngressRoute;
  /** Who may open the UI/API port (9090): the ingress controller, offered clients such as Grafana. @default - nobody */
  readonly clients?: readonly PeerSpec[];
  /**
   * Pod ports Prometheus may scrape (their namespaces admit it on those
   * ports). Those with an `authorization` get a job of their own with the
   * token mounted from the named Secret of this namespace; those with `tls`
   * are scraped over verified HTTPS.
   */
  readonly scrapeTargets: readonly ScrapeTargetOffer[];
  /** Verification of the kubelets' serving certificates. @default { verify: true } */
  readonly kubeletTls?: KubeletTlsVerification;
  /**
   * Where the environment has TLS: a client certificate for Prometheus (its
   * `ca.crt`, the environment CA, verifies the HTTPS targets). Required when a
   * target has `tls`. @default - no HTTPS targets
   */
  readonly certificates?: CertificateProvider;
  /** API server endpoints (discovery and the apiserver job). */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly port: number };
  /** Node addresses and the ports scraped there (kubelet 10250, node-exporter 9100). */
  readonly nodes: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /** Alerting and recording rules (one rule file per group, ConfigMap `prometheus-rules`). @default - none */
  readonly rules?: readonly RuleGroup[];
  /** Where alerts go (every replica; the egress policy opens its pods and port). @default - alerts are evaluated, not sent */
  readonly alertmanager?: AlertmanagerOffer;
}

export const PROMETHEUS_IDENTITY = { name: 'prometheus', instance: 'prometheus' } as const;
/** The image's nobody user; fsGroup makes the claim writable for it. */
const PROMETHEUS_USER = { ...NOBODY, fsGroup: NOBODY.group };
/** Prometheus serves its UI, API and own metrics on 9090. */
export const PROMETHEUS_PORT = 9090;
/** Prometheus' client certificate, for the environment CA that verifies HTTPS scrape targets. */
export const PROMETHEUS_CLIENT_TLS_SECRET = 'prometheus-client-tls';
const PROMETHEUS_TLS_DIR = '/etc/prometheus/tls';
/** The Service in front of the server (`<this>.<namespace>.svc:9090`). */
export const PROMETHEUS_SERVICE = 'prometheus';
const PORT = PROMETHEUS_PORT;
const DATA = '/prometheus';
const CONFIG_DIR = '/etc/prometheus';
/** Name of the TSDB claim (with persistentVolumeClaim storage). */
export const PROMETHEUS_CLAIM = 'prometheus-data';
/** Where the rule files are mounted (`rule_files: <RULES_DIR>/*.rules.yml`); beside, not inside, the read-only config mount. */
export const PROMETHEUS_RULES_DIR = '/etc/prometheus-rules';
/** Where scrape tokens are mounted (`<dir>/<secret>/<key>`). */
export const CREDENTIALS_DIR = '/etc/prometheus-credentials';
/** Pod-template annotation holding the checksum of the rule files (a rules change rolls the pod). */
export const RULES_CHECKSUM_ANNOTATION = 'checksum/rules';

/**
 * What discovery needs, and nothing more: nodes (node role), nodes/metrics
 * (kubelet and cAdvisor endpoints authorise against it), pods (pod role),
 * services and EndpointSlices (endpointslice role), and `/metrics` on the API
 * server. No Endpoints (the endpointslice role replaces them), no Ingresses
 * (no ingress probing), no write verbs.
 */
export const PROMETHEUS_CLUSTER_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes', 'nodes/metrics', 'pods', 'services'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  { nonResourceUrLs: ['/metrics'], verbs: ['get'] },
];

/**
 * `--storage.tsdb.retention.size`: 85% of the volume, so that compaction
 * never fills it (a full volume stops ingestion; a full emptyDir evicts the pod).
 */
export function retentionSize(size: string): string {
  const bytes = parseQuantity(size);
  if (bytes === undefined || bytes <= 0) throw new Error(`prometheus: storage size "${size}" is not a positive quantity`);
  return `${Math.floor((bytes * 0.85) / 2 ** 20)}MB`;
}

/**
 * The Prometheus server: its configuration (API servers, kubelets, cAdvisor,
 * annotated pods and Services), a ServiceAccount with read-only discovery
 * RBAC, the TSDB on an emptyDir or a claim (then Recreate: one writer), a
 * Service, an optional Ingress and a NetworkPolicy limited to its targets.
 */
export class Prometheus extends Construct {
  public readonly selector: Record<string, string>;
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const ns = props.namespace;
    const identity: ComponentIdentity = { ...PROMETHEUS_IDENTITY, component: 'metrics-server', partOf: 'monitoring', version: props.image.tag };
    const labels = recommendedLabels(this, identity);
    this.selector = selectorLabels(identity);
    const claim = props.storage.type === 'persistentVolumeClaim';

    const kubeletTls = props.kubeletTls ?? { verify: true };
    const authorized = props.scrapeTargets.filter((t): t is ScrapeTargetOffer & { authorization: NonNullable<ScrapeTargetOffer['authorization']> } => t.authorization !== undefined);
    const credentialSecrets = [...new Map(authorized.map(t => [t.authorization.secret.name, t.authorization.secret])).values()];
    const credentialsFile = (secret: { name: string; key: string }) => `${CREDENTIALS_DIR}/${secret.name}/${secret.key}`;
    const authorizedTargets: AuthorizedTarget[] = authorized.map(t => ({
      jobName: `${t.namespace}/${t.pods['app.kubernetes.io/name'] ?? Object.values(t.pods).join('-')}`,
      namespace: t.namespace,
      pods: t.pods,
      port: t.port,
      path: t.authorization.path,
      params: t.authorization.params,
      credentialsFile: credentialsFile(t.authorization.secret),
      ...(t.tls ? { tls: t.tls } : {}),
    }));

    const httpsTargets = props.scrapeTargets.filter(t => t.tls);
    // Authorized targets carry their TLS in their own job; the others get a TLS job each.
    const tlsTargets = httpsTargets.filter(t => !t.authorization);
    if (httpsTargets.length > 0 && !props.certificates) throw new Error(`prometheus: ${httpsTargets.length} scrape target(s) serve HTTPS but no certificate source gives Prometheus the CA to verify them`);
    const tlsSecret = httpsTargets.length > 0 ? props.certificates!.request(this, 'Certificate', {
      namespace: ns,
      secretName: PROMETHEUS_CLIENT_TLS_SECRET,
      dnsNames: [],
      commonName: `prometheus.${ns}`,
      usages: ['client auth'],
      purpose: 'internal',
      labels,
    }) : undefined;
    const files = ruleFiles(props.rules ?? []);
    const hasRules = Object.keys(files).length > 0;
    const config = new SettingsConfigMap(this, 'Config', {
      name: 'prometheus-config',
      namespace: ns,
      labels,
      // The relaxed kubelet setting carries its reason where the setting is (validate: insecure-skip-verify).
      annotations: kubeletTls.verify ? undefined : { [INSECURE_SKIP_VERIFY_REASON_ANNOTATION]: kubeletTls.reason },
      data: {
        'prometheus.yml': prometheusConfig({
          scrapeInterval: props.scrapeInterval,
          externalLabels: props.externalLabels ?? {},
          ruleFiles: hasRules ? `${PROMETHEUS_RULES_DIR}/*.rules.yml` : undefined,
          alertmanagers: props.alertmanager?.targets,
          kubeletTls,
          authorizedTargets,
          tlsTargets: tlsTargets.map(t => ({ namespace: t.namespace, pods: t.pods, serverName: t.tls!.serverName })),
          caFile: `${PROMETHEUS_TLS_DIR}/ca.crt`,
        }),
      },
    });
    const rules = hasRules
      ? new SettingsConfigMap(this, 'Rules', {
        name: 'prometheus-rules',
        namespace: ns,
        labels,
        data: Object.fromEntries(Object.entries(files).map(([file, content]) => [file, toYaml(content)])),
      })
      : undefined;

    const externalUrl = props.ingress ? `${props.ingress.tlsSecretName ? 'https' : 'http'}://${props.ingress.host}/` : undefined;
    const volumes: k8s.Volume[] = [{ name: 'config', configMap: { name: config.name } }];
    if (rules) volumes.push({ name: 'rules', configMap: { name: rules.name } });
    if (claim) volumes.push({ name: 'data', persistentVolumeClaim: { claimName: PROMETHEUS_CLAIM } });
    const credentialVolume = (name: string) => `credentials-${name}`;
    for (const c of credentialSecrets) {
      volumes.push({ name: credentialVolume(c.name), secret: { secretName: c.name, items: [{ key: c.key, path: c.key }], defaultMode: 0o440 } });
    }
    // Only the CA is read (the client key would matter only for targets demanding client certificates).
    if (tlsSecret) volumes.push(caVolume('tls', tlsSecret));
    const server = new HardenedDeployment(this, 'Server', {
      identity,
      tier: 'monitoring',
      namespace: ns,
      runAs: PROMETHEUS_USER,
      qos: 'Burstable',
      replicas: 1,
      // One writer on a ReadWriteOnce claim: the old pod must stop first.
      strategy: claim ? 'Recreate' : 'RollingUpdate',
      // Prometheus writes its head block on shutdown.
      terminationGracePeriodSeconds: 120,
      automountServiceAccountToken: true,
      apiAccessReason: 'kubernetes_sd discovers targets through the API, and the token authenticates the kubelet and API server scrapes',
      // A config change rolls the pod (no --web.enable-lifecycle reload endpoint is exposed).
      podAnnotations: { [SETTINGS_CHECKSUM_ANNOTATION]: config.checksum, ...(rules ? { [RULES_CHECKSUM_ANNOTATION]: rules.checksum } : {}) },
      volumes,
      containers: [{
        name: 'prometheus',
        image: props.image,
        args: [
          `--config.file=${CONFIG_DIR}/prometheus.yml`,
          `--storage.tsdb.path=${DATA}`,
          `--storage.tsdb.retention.time=${props.retention}`,
          `--storage.tsdb.retention.size=${retentionSize(props.storage.size)}`,
          `--web.listen-address=:${PORT}`,
          ...(externalUrl ? [`--web.external-url=${externalUrl}`] : []),
        ],
        ports: [{ name: 'http', containerPort: PORT }],
        resources: props.resources,
        probes: {
          // /-/ready fails while the WAL replays; /-/healthy only needs the process.
          readiness: { check: { http: { path: '/-/ready', port: 'http' } }, timings: { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 4, failureThreshold: 3 } },
          liveness: { check: { http: { path: '/-/healthy', port: 'http' } }, timings: { initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 3 } },
        },
        writablePaths: claim ? [] : [{ path: DATA, sizeLimit: props.storage.size }],
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          ...(rules ? [{ name: 'rules', mountPath: PROMETHEUS_RULES_DIR, readOnly: true }] : []),
          ...(claim ? [{ name: 'data', mountPath: DATA }] : []),
          ...credentialSecrets.map(c => ({ name: credentialVolume(c.name), mountPath: `${CREDENTIALS_DIR}/${c.name}`, readOnly: true })),
          ...(tlsSecret ? [{ name: 'tls', mountPath: PROMETHEUS_TLS_DIR, readOnly: true }] : []),
        ],
      }],
    });

    if (claim) {
      new PersistentClaim(this, 'Data', { ...props.storage, name: PROMETHEUS_CLAIM, namespace: ns, labels });
    }

    const roleName = `prometheus-${ns}`;
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: roleName, labels },
      rules: PROMETHEUS_CLUSTER_RULES.map(r => ({ ...r })),
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: roleName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: server.pod.serviceAccountName, namespace: ns }],
    });

    const service = new ClusterService(this, 'Service', {
      name: PROMETHEUS_SERVICE, namespace: ns, labels, selector: this.selector,
      ports: [{ name: 'http', port: PORT, targetPort: 'http' }],
    });
    this.serviceName = service.name;

    if (props.ingress) {
      new HostIngress(this, 'Ingress', { name: 'prometheus', namespace: ns, labels, route: props.ingress, serviceName: service.name, servicePort: 'http' });
    }

    const ingress: NetworkRule[] = props.clients?.length ? [{ peers: props.clients, ports: [{ port: PORT }] }] : [];
    new WorkloadNetworkPolicy(this, 'Policy', {
      name: 'prometheus',
      namespace: ns,
      labels,
      podSelector: this.selector,
      ingress,
      egress: [
        { peers: props.apiServer.cidrs.map(cidr => ({ cidr })), ports: [{ port: props.apiServer.port }] },
        { peers: props.nodes.cidrs.map(cidr => ({ cidr })), ports: props.nodes.ports.map(port => ({ port })) },
        ...rulesToPods(uniqueRefs([
          ...props.scrapeTargets,
          // Alerts go to every Alertmanager replica (usually also a scrape target: one rule).
          ...(props.alertmanager ? [{ namespace: props.alertmanager.namespace, pods: props.alertmanager.pods, port: props.alertmanager.port }] : []),
        ])),
      ],
    });
  }
}

/** Pod port references without repeats (same namespace, selector, port and protocol). */
function uniqueRefs(refs: readonly PodPortRef[]): PodPortRef[] {
  const seen = new Set<string>();
  return refs.filter(r => {
    const key = JSON.stringify([r.namespace, Object.entries(r.pods).sort(), String(r.port), r.protocol ?? 'TCP']);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
