import { Construct } from 'constructs';
import { toYaml } from '../lib/yaml';
import { ControlledIngressRoute, HostIngress } from '../lib/ingress';
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { PeerSpec, PodPortRef, WorkloadNetworkPolicy } from '../lib/network';
import { ClusterService } from '../lib/service';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef } from '../lib/types';
import { HardenedDeployment, HardenedPod, secretEnv } from '../lib/workload';
import { PROMETHEUS_DATASOURCE_UID } from './dashboards';

/** Grafana's HTTP port: the image's `EXPOSE 3000` and the default `[server] http_port`. */
export const GRAFANA_PORT = 3000;
export const GRAFANA_NAME = 'grafana';
/**
 * Not the image's user (`ARG GF_UID="472"`, group 0): an id of our own, as
 * kube-score wants ids >= 10000. Every path Grafana writes is an emptyDir
 * (fsGroup makes them writable) and run.sh only warns about an unwritable
 * data path, so any uid runs it; nothing runs with the root group.
 * grafana/grafana Dockerfile and packaging/docker/run.sh, see docs/images.md.
 */
const GRAFANA_USER = { user: 10472, group: 10472, fsGroup: 10472 };
/** The image's GF_PATHS_DATA (SQLite database, plugins under `plugins/`). */
export const GRAFANA_DATA = '/var/lib/grafana';
/** The image's GF_PATHS_PROVISIONING. */
export const GRAFANA_PROVISIONING = '/etc/grafana/provisioning';
/** Where the dashboard JSON files are mounted (read by the file provider). */
export const GRAFANA_DASHBOARDS_DIR = '/etc/grafana/dashboards';
/** Pod-template annotation holding the checksum of the dashboards (a change rolls the pod as well as being polled). */
export const DASHBOARDS_CHECKSUM_ANNOTATION = 'checksum/dashboards';

export interface GrafanaProps {
  readonly instance: string;
  /** Namespace of every object (restricted Pod Security is enough). */
  readonly namespace: string;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Size of the emptyDir at GF_PATHS_DATA (SQLite: users, sessions, preferences). */
  readonly storageSize: string;
  /** Login of the admin user. */
  readonly adminUser: string;
  /**
   * Existing Secret (never rendered) with keys `password` (the admin password,
   * GF_SECURITY_ADMIN_PASSWORD) and `secretKey` (GF_SECURITY_SECRET_KEY, which
   * encrypts datasource secrets in the database).
   */
  readonly adminSecret: string;
  /** How Grafana is published. */
  readonly ingress: ControlledIngressRoute;
  /** Who may open the HTTP port (the ingress controller). */
  readonly clients: readonly PeerSpec[];
  /** The Prometheus query API: the datasource URL, its pods and port (the only egress). */
  readonly prometheus: PodPortRef & { readonly url: string; readonly scrapeInterval: string };
  /** Dashboard files (`<uid>.json` -> JSON). */
  readonly dashboards: Readonly<Record<string, string>>;
}

/**
 * The datasource provisioning file (Grafana docs, administration/provisioning
 * "Data sources": `apiVersion: 1`, `prune`, `datasources[]` with `name`,
 * `type`, `access`, `uid`, `url`, `isDefault`, `editable`, `jsonData`). One
 * Prometheus, server-side (`proxy`) access, not editable in the UI; its
 * `timeInterval` is the scrape interval (the smallest useful step).
 */
export function datasourcesYaml(prometheus: { url: string; scrapeInterval: string }): string {
  return toYaml({
    apiVersion: 1,
    prune: true,
    datasources: [{
      name: 'Prometheus',
      type: 'prometheus',
      uid: PROMETHEUS_DATASOURCE_UID,
      access: 'proxy',
      url: prometheus.url,
      isDefault: true,
      editable: false,
      jsonData: { timeInterval: prometheus.scrapeInterval, httpMethod: 'POST' },
    }],
  });
}

/**
 * The dashboard provider file (Grafana docs, "Dashboards": `apiVersion: 1`,
 * `providers[]` with `name`, `orgId`, `folder`, `type: file`,
 * `disableDeletion`, `updateIntervalSeconds`, `allowUiUpdates`,
 * `options.path`). Dashboards live in git: the UI cannot save over them, and
 * a dashboard removed from the model is removed from Grafana.
 */
export function dashboardProvidersYaml(): string {
  return toYaml({
    apiVersion: 1,
    providers: [{
      name: 'platform',
      orgId: 1,
      folder: 'Platform',
      type: 'file',
      disableDeletion: false,
      allowUiUpdates: false,
      updateIntervalSeconds: 30,
      options: { path: GRAFANA_DASHBOARDS_DIR, foldersFromFilesStructure: false },
    }],
  });
}

/**
 * Grafana: one replica (its SQLite database is an emptyDir: provisioning
 * rebuilds the datasource and the dashboards at every start; users made in
 * the UI and sessions do not survive a restart), the admin credentials from a
 * Secret, a read-only root filesystem, probes on /api/health, an Ingress, and
 * a policy that admits the ingress controller only and lets Grafana reach
 * Prometheus' API and DNS only. Everything that would call out (update
 * checks, usage reports, the news feed, plugin preinstalls, gravatar,
 * external snapshots) is off.
 */
export class Grafana extends Construct {
  public readonly pod: HardenedPod;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const ns = props.namespace;
    const identity: ComponentIdentity = { name: GRAFANA_NAME, instance: props.instance, component: 'dashboards', partOf: 'monitoring', version: props.image.tag };
    const tls = props.ingress.tlsSecretName !== undefined;
    const labels = recommendedLabels(this, identity);

    const provisioning = new SettingsConfigMap(this, 'Provisioning', {
      name: 'grafana-provisioning',
      namespace: ns,
      labels,
      data: { 'datasources.yaml': datasourcesYaml(props.prometheus), 'dashboards.yaml': dashboardProvidersYaml() },
    });
    const dashboards = new SettingsConfigMap(this, 'Dashboards', { name: 'grafana-dashboards', namespace: ns, labels, data: props.dashboards });

    const deployment = new HardenedDeployment(this, 'Deployment', {
      identity,
      tier: 'monitoring',
      namespace: ns,
      runAs: GRAFANA_USER,
      qos: 'Burstable',
      replicas: 1,
      terminationGracePeriodSeconds: 30,
      podAnnotations: { [SETTINGS_CHECKSUM_ANNOTATION]: provisioning.checksum, [DASHBOARDS_CHECKSUM_ANNOTATION]: dashboards.checksum },
      volumes: [
        { name: 'datasources', configMap: { name: provisioning.name, items: [{ key: 'datasources.yaml', path: 'datasources.yaml' }] } },
        { name: 'dashboard-providers', configMap: { name: provisioning.name, items: [{ key: 'dashboards.yaml', path: 'dashboards.yaml' }] } },
        { name: 'dashboards', configMap: { name: dashboards.name } },
      ],
      containers: [{
        name: GRAFANA_NAME,
        image: props.image,
        ports: [{ name: 'http', containerPort: GRAFANA_PORT }],
        // GF_<SECTION>_<KEY> overrides grafana.ini (Grafana docs, configure-grafana "Override configuration with environment variables").
        env: {
          GF_SERVER_HTTP_PORT: String(GRAFANA_PORT),
          GF_SERVER_ROOT_URL: `${tls ? 'https' : 'http'}://${props.ingress.host}/`,
          GF_SECURITY_ADMIN_USER: props.adminUser,
          GF_SECURITY_COOKIE_SECURE: String(tls),
          GF_SECURITY_DISABLE_GRAVATAR: 'true',
          GF_USERS_ALLOW_SIGN_UP: 'false',
          GF_AUTH_ANONYMOUS_ENABLED: 'false',
          GF_ANALYTICS_REPORTING_ENABLED: 'false',
          GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
          GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
          GF_NEWS_NEWS_FEED_ENABLED: 'false',
          GF_PLUGINS_PREINSTALL_DISABLED: 'true',
          GF_SNAPSHOTS_EXTERNAL_ENABLED: 'false',
          // /metrics is unauthenticated by default and the port is published: off.
          GF_METRICS_ENABLED: 'false',
          GF_LOG_MODE: 'console',
          GF_PATHS_DATA: GRAFANA_DATA,
        },
        envFrom: [
          secretEnv('GF_SECURITY_ADMIN_PASSWORD', props.adminSecret, 'password'),
          secretEnv('GF_SECURITY_SECRET_KEY', props.adminSecret, 'secretKey'),
        ],
        resources: props.resources,
        probes: {
          // /api/health answers without a login: 200 with the database status, 503 when the database fails.
          readiness: { check: { http: { path: '/api/health', port: 'http' } }, timings: { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
          // Liveness: the port accepts connections. A failing database makes /api/health 503, which
          // takes the pod out of the Service; a restart would not mend it (kube-score pod-probes-identical).
          liveness: { check: { tcp: { port: 'http' } }, timings: { initialDelaySeconds: 60, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 } },
        },
        writablePaths: [
          { path: GRAFANA_DATA, sizeLimit: props.storageSize },
          { path: '/tmp', sizeLimit: '64Mi' },
          // GF_PATHS_LOGS: console logging writes nothing there, but the server creates the directory.
          { path: '/var/log/grafana', sizeLimit: '16Mi' },
        ],
        volumeMounts: [
          { name: 'datasources', mountPath: `${GRAFANA_PROVISIONING}/datasources`, readOnly: true },
          { name: 'dashboard-providers', mountPath: `${GRAFANA_PROVISIONING}/dashboards`, readOnly: true },
          { name: 'dashboards', mountPath: GRAFANA_DASHBOARDS_DIR, readOnly: true },
        ],
      }],
    });
    this.pod = deployment.pod;

    const service = new ClusterService(this, 'Service', {
      name: GRAFANA_NAME, namespace: ns, labels: this.pod.labels, selector: this.pod.selector,
      ports: [{ name: 'http', port: GRAFANA_PORT, targetPort: 'http' }],
    });
    new HostIngress(this, 'Ingress', { name: GRAFANA_NAME, namespace: ns, labels: this.pod.labels, route: props.ingress, serviceName: service.name, servicePort: 'http' });

    new WorkloadNetworkPolicy(this, 'Policy', {
      name: GRAFANA_NAME,
      namespace: ns,
      labels: this.pod.labels,
      podSelector: this.pod.selector,
      ingress: props.clients.length > 0 ? [{ peers: props.clients, ports: [{ port: GRAFANA_PORT }] }] : [],
      // Prometheus' API and (added by the policy) DNS: nothing else.
      egress: [{ peers: [{ pods: props.prometheus.pods, namespace: props.prometheus.namespace }], ports: [{ port: props.prometheus.port }] }],
    });
  }
}
