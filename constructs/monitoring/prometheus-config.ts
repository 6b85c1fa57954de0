import { toYaml } from '../lib/yaml';
import type { KubeletTlsVerification } from '../lib/types';

/** In-cluster credentials of the Prometheus ServiceAccount. */
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const inCluster = {
  authorization: { credentials_file: `${SA_DIR}/token` },
};

export interface PrometheusConfigOptions {
  /** Scrape and rule-evaluation interval, e.g. `30s`. */
  readonly scrapeInterval: string;
  /** Labels added to every series (e.g. `environment`), so federated or remote-written data stays distinguishable. */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** Glob of the rule files (`rule_files`). @default - no rules */
  readonly ruleFiles?: string;
  /** `host:port` of every Alertmanager replica (`alerting.alertmanagers`). @default - alerts are evaluated, not sent */
  readonly alertmanagers?: readonly string[];
  /** Verification of the kubelets' serving certificates. @default { verify: true } */
  readonly kubeletTls?: KubeletTlsVerification;
  /** Pods scraped with a bearer token, one job each. @default - none */
  readonly authorizedTargets?: readonly AuthorizedTarget[];
  /**
   * Pods serving their metrics over HTTPS: each gets its own job verifying the
   * certificate against `caFile` for `serverName` (a job has one tls_config;
   * pods are reached by IP, which their certificates do not name), and the
   * annotation-driven pod job leaves https targets to them. @default - none
   */
  readonly tlsTargets?: readonly { readonly namespace: string; readonly pods: Readonly<Record<string, string>>; readonly serverName: string }[];
  /** The CA file for `tlsTargets` and authorized targets with `tls`. */
  readonly caFile?: string;
}

/** Pods Prometheus scrapes with a token read from a file (a mounted Secret key). */
export interface AuthorizedTarget {
  readonly jobName: string;
  readonly namespace: string;
  readonly pods: Readonly<Record<string, string>>;
  /** Container port, number or name. */
  readonly port: number | string;
  readonly path: string;
  readonly params?: Readonly<Record<string, readonly string[]>>;
  readonly credentialsFile: string;
  /** The port serves HTTPS: verified against `caFile` for `serverName` (pods are reached by IP). @default - plain HTTP */
  readonly tls?: { readonly serverName: string };
}

/** `__meta_kubernetes_pod_label_<name>`: Prometheus replaces every character outside [a-zA-Z0-9_] with `_`. */
const podLabelMeta = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
const escapeRegex = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byKey = ([a]: [string, string], [b]: [string, string]) => (a < b ? -1 : a > b ? 1 : 0);

/** The labels every pod job sets (the generated alert rules match them); fresh objects, so the YAML has no aliases. */
const podTargetLabels = (): object[] => [
  { source_labels: ['__meta_kubernetes_pod_phase'], action: 'drop', regex: 'Pending|Succeeded|Failed|Completed' },
  { action: 'labelmap', regex: '__meta_kubernetes_pod_label_app_kubernetes_io_(name|instance|component)', replacement: 'app_$1' },
  { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
  { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
  { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
];

function authorizedJob(t: AuthorizedTarget, caFile: string | undefined): object {
  const portMeta = typeof t.port === 'number' ? '__meta_kubernetes_pod_container_port_number' : '__meta_kubernetes_pod_container_port_name';
  if (t.tls && !caFile) throw new Error(`scrape job ${t.jobName}: an HTTPS target needs the CA file (caFile)`);
  return {
    job_name: t.jobName,
    metrics_path: t.path,
    ...(t.params ? { params: Object.fromEntries(Object.entries(t.params).map(([k, v]) => [k, [...v]])) } : {}),
    ...(t.tls ? { scheme: 'https', tls_config: { ca_file: caFile, server_name: t.tls.serverName } } : {}),
    authorization: { credentials_file: t.credentialsFile },
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [t.namespace] } }],
    relabel_configs: [
      ...Object.entries(t.pods).sort(byKey).map(([label, value]) => ({ source_labels: [podLabelMeta(label)], action: 'keep', regex: escapeRegex(value) })),
      { source_labels: [portMeta], action: 'keep', regex: escapeRegex(String(t.port)) },
      ...podTargetLabels(),
    ],
  };
}

/** One job per HTTPS pod target: its namespace, its selector, the annotated port and path, verified TLS. */
function tlsPodJob(t: NonNullable<PrometheusConfigOptions['tlsTargets']>[number], caFile: string): object {
  const name = Object.entries(t.pods).sort(byKey).map(([, v]) => v).join('-');
  return {
    job_name: `kubernetes-pods-tls-${t.namespace}-${name}`,
    honor_labels: true,
    scheme: 'https',
    tls_config: { ca_file: caFile, server_name: t.serverName },
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [t.namespace] } }],
    relabel_configs: [
      ...Object.entries(t.pods).sort(byKey).map(([label, value]) => ({ source_labels: [podLabelMeta(label)], action: 'keep', regex: escapeRegex(value) })),
      ...annotationRelabels('pod').filter(r => (r as { target_label?: string }).target_label !== '__scheme__'),
      ...podTargetLabels(),
    ],
  };
}

/**
 * Relabelling shared by the annotation-driven jobs (`prometheus.io/scrape`,
 * `prometheus.io/port`, `prometheus.io/path`, `prometheus.io/scheme`).
 * `kind` is the meta-label prefix: `pod` or `service`.
 */
function annotationRelabels(kind: 'pod' | 'service'): object[] {
  const a = (name: string) => `__meta_kubernetes_${kind}_annotation_prometheus_io_${name}`;
  const rules: object[] = [
    { source_labels: [a('scrape')], action: 'keep', regex: 'true' },
    { source_labels: [a('scheme')], action: 'replace', regex: '(https?)', target_label: '__scheme__' },
    { source_labels: [a('path')], action: 'replace', regex: '(.+)', target_label: '__metrics_path__' },
  ];
  if (kind === 'pod') {
    // Pod IP + port annotation (IPv6 in brackets, then IPv4), as in the prometheus-community chart.
    rules.push(
      { source_labels: [a('port'), '__meta_kubernetes_pod_ip'], action: 'replace', regex: '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})', replacement: '[$2]:$1', target_label: '__address__' },
      { source_labels: [a('port'), '__meta_kubernetes_pod_ip'], action: 'replace', regex: '(\\d+);((([0-9]+?)(\\.|$)){4})', replacement: '$2:$1', target_label: '__address__' },
    );
  } else {
    rules.push({ source_labels: ['__address__', a('port')], action: 'replace', regex: '(.+?)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__' });
  }
  return rules;
}

/**
 * prometheus.yml: the API servers, every kubelet (node metrics) and its
 * cAdvisor (container metrics such as container_cpu_usage_seconds_total), and
 * every pod and Service that asks to be scraped through the `prometheus.io/*`
 * annotations. Discovery uses EndpointSlices (Endpoints are deprecated).
 */
export function prometheusConfig(options: PrometheusConfigOptions): string {
  // Kubelet serving certificates are checked against the cluster CA where the
  // cluster signs them (serverTLSBootstrap); where it does not, the environment
  // says so with a reason (the ConfigMap carries it). The token authenticates
  // Prometheus either way (nodes/metrics).
  const verifyKubelets = options.kubeletTls?.verify ?? true;
  const nodeJob = (name: string, metricsPath: string) => ({
    job_name: name,
    scheme: 'https',
    metrics_path: metricsPath,
    tls_config: { ca_file: `${SA_DIR}/ca.crt`, insecure_skip_verify: !verifyKubelets },
    ...inCluster,
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: [
      { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
    ],
  });
  const config = {
    global: {
      scrape_interval: options.scrapeInterval,
      evaluation_interval: options.scrapeInterval,
      external_labels: { ...options.externalLabels },
    },
    ...(options.ruleFiles ? { rule_files: [options.ruleFiles] } : {}),
    // Every replica by address: clustered Alertmanagers deduplicate what each receives.
    ...(options.alertmanagers?.length
      ? { alerting: { alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: [...options.alertmanagers] }] }] } }
      : {}),
    scrape_configs: [
      { job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] },
      {
        job_name: 'kubernetes-apiservers',
        scheme: 'https',
        // The API server's certificate is always signed by the cluster CA.
        tls_config: { ca_file: `${SA_DIR}/ca.crt`, insecure_skip_verify: false },
        ...inCluster,
        kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['default'] } }],
        relabel_configs: [{
          source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
          action: 'keep',
          regex: 'default;kubernetes;https',
        }],
      },
      nodeJob('kubernetes-nodes', '/metrics'),
      nodeJob('kubernetes-cadvisor', '/metrics/cadvisor'),
      {
        job_name: 'kubernetes-service-endpoints',
        honor_labels: true,
        kubernetes_sd_configs: [{ role: 'endpointslice' }],
        relabel_configs: [
          ...annotationRelabels('service'),
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
          { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
        ],
      },
      {
        job_name: 'kubernetes-pods',
        // Exporters that report other objects (kube-state-metrics' namespace, pod,
        // container) keep those labels instead of exported_namespace etc.: the
        // generated alert rules (rules.ts) match them. Every annotated target is
        // a pod of this model.
        honor_labels: true,
        kubernetes_sd_configs: [{ role: 'pod' }],
        relabel_configs: [
          ...annotationRelabels('pod'),
          // HTTPS pods are scraped by their own jobs (tlsPodJob), which carry the CA and server name.
          ...(options.tlsTargets?.length ? [{ source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scheme'], action: 'drop', regex: 'https' }] : []),
          ...podTargetLabels(),
        ],
      },
      ...(options.authorizedTargets ?? []).map(t => authorizedJob(t, options.caFile)),
      ...(options.tlsTargets ?? []).map(t => tlsPodJob(t, options.caFile!)),
    ],
  };
  return toYaml(config);
}
