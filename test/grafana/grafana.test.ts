/**
 * Grafana, per requirement and per environment:
 * - the pinned image (grafana/grafana Dockerfile: `ARG GF_UID="472"`,
 *   `EXPOSE 3000`) runs as uid 10472 (kube-score: ids >= 10000), restricted, with a
 *   read-only root filesystem and emptyDirs where it writes;
 * - the admin credentials come from a Secret only, and SECRETS.md lists it;
 * - the datasource is Prometheus as the monitoring component offers it (its
 *   rendered Service and port), the dashboards are provisioned from a
 *   ConfigMap at the path the provider reads, both in Grafana's provisioning
 *   format (grafana/grafana docs/sources/administration/provisioning/index.md,
 *   "Data sources" and "Dashboards", commit 0025f374);
 * - an Ingress with TLS where the environment has TLS, and a root URL and
 *   cookie that match;
 * - probes on /api/health, explicit requests and limits;
 * - nothing calls out (update checks, reports, news, plugin preinstall) and
 *   /metrics is not published through the Ingress.
 */
import { parse as parseYaml } from 'yaml';
import { ENVIRONMENTS, loadEnvironment, validateEnvironment } from '../../src/config';
import { activeComponents, wiringOf } from '../../src/config/wiring';
import { renderCharts } from '../../src/render';
import { secretInventory } from '../../src/secrets';
import { VERSIONS } from '../../constructs/versions';
import { ConfigError } from '../../src/config/errors';
import { envCopy, find, podSpec, renderObjects } from '../helpers';

const ENV_NAMES = Object.keys(ENVIRONMENTS);

/** Top-level keys of Grafana's provisioning files (docs: datasources, dashboards providers). */
const DATASOURCE_FILE_KEYS = ['apiVersion', 'deleteDatasources', 'prune', 'datasources'];
const DATASOURCE_KEYS = ['name', 'type', 'access', 'orgId', 'uid', 'url', 'user', 'database', 'basicAuth', 'basicAuthUser', 'withCredentials', 'isDefault', 'jsonData', 'secureJsonData', 'version', 'editable'];
const PROVIDER_KEYS = ['name', 'orgId', 'folder', 'folderUid', 'type', 'disableDeletion', 'updateIntervalSeconds', 'allowUiUpdates', 'options'];

describe.each(ENV_NAMES)('%s: Grafana', env => {
  const config = loadEnvironment(env);
  const objects = renderObjects(env);
  const ns = config.edge!.monitoring.namespace;
  const deployment = find(objects, 'Deployment', 'grafana', ns);
  const spec = podSpec(deployment);
  const container = spec.containers[0];
  const envVar = (name: string) => container.env?.find((e: any) => e.name === name);
  const grafana = (config as any).grafana;

  test('image: the pinned grafana/grafana tag, pulled by exact tag', () => {
    expect(container.image).toBe(`${VERSIONS.grafana.repository}:${VERSIONS.grafana.tag}`);
    expect(VERSIONS.grafana.tag).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('runs as uid 10472 (gid 10472, fsGroup 10472: ids >= 10000, any uid works with emptyDirs), non-root, restricted, read-only root filesystem, emptyDirs for the data dir, /tmp and logs', () => {
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10472, runAsGroup: 10472, fsGroup: 10472, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const mounts = new Map<string, string>(container.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    for (const path of ['/var/lib/grafana', '/tmp', '/var/log/grafana']) {
      const volume = spec.volumes.find((v: any) => v.name === mounts.get(path));
      expect(volume?.emptyDir).toBeDefined();
    }
    expect(spec.volumes.find((v: any) => v.name === mounts.get('/var/lib/grafana')).emptyDir.sizeLimit).toBe(grafana.storageSize);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
  });

  test('admin credentials only from the Secret grafana-admin, which SECRETS.md lists with its Pulumi keys', () => {
    expect(envVar('GF_SECURITY_ADMIN_PASSWORD')).toEqual({ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'password' } } });
    expect(envVar('GF_SECURITY_SECRET_KEY')).toEqual({ name: 'GF_SECURITY_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'secretKey' } } });
    expect(envVar('GF_SECURITY_ADMIN_USER').value).toBe(grafana.adminUser);
    // No other variable carries a password or key literally.
    for (const e of container.env) if (/PASSWORD|SECRET|TOKEN|KEY/.test(e.name)) expect(e.valueFrom?.secretKeyRef).toBeDefined();
    const need = secretInventory(renderCharts(config)).find(s => s.namespace === ns && s.name === 'grafana-admin');
    expect(need).toMatchObject({ source: 'pulumi', keys: { password: 'grafanaAdminPassword', secretKey: 'grafanaSecretKey' }, usedBy: [`Deployment ${ns}/grafana`] });
  });

  test('datasource: one Prometheus at the URL the monitoring component offers, which is its rendered Service and port', () => {
    const cm = find(objects, 'ConfigMap', 'grafana-provisioning', ns);
    const file = parseYaml(cm.data['datasources.yaml']);
    expect(Object.keys(file).filter(k => !DATASOURCE_FILE_KEYS.includes(k))).toEqual([]);
    expect(file.apiVersion).toBe(1);
    expect(file.datasources).toHaveLength(1);
    const ds = file.datasources[0];
    expect(Object.keys(ds).filter(k => !DATASOURCE_KEYS.includes(k))).toEqual([]);
    expect(ds).toMatchObject({ name: 'Prometheus', type: 'prometheus', uid: 'prometheus', access: 'proxy', isDefault: true, editable: false });
    const offered = wiringOf(activeComponents(config)).metricsQuery!;
    expect(ds.url).toBe(offered.url);
    expect(ds.jsonData.timeInterval).toBe(config.edge!.monitoring.prometheus.scrapeInterval);
    // The URL names a Service that exists, in that namespace, on that port, selecting the Prometheus pods.
    const [, svcName, svcNs, port] = /^http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)$/.exec(ds.url)!;
    const svc = find(objects, 'Service', svcName, svcNs);
    expect(svc.spec.ports.map((p: any) => p.port)).toContain(Number(port));
    const prometheus = find(objects, 'Deployment', 'prometheus', svcNs);
    expect(svc.spec.selector).toEqual(prometheus.spec.selector.matchLabels);
  });

  test('dashboards: the provider reads the directory where the dashboards ConfigMap is mounted; the provisioning files are mounted where the image looks (GF_PATHS_PROVISIONING)', () => {
    const cm = find(objects, 'ConfigMap', 'grafana-provisioning', ns);
    const providers = parseYaml(cm.data['dashboards.yaml']);
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers).toHaveLength(1);
    const provider = providers.providers[0];
    expect(Object.keys(provider).filter(k => !PROVIDER_KEYS.includes(k))).toEqual([]);
    expect(provider).toMatchObject({ type: 'file', allowUiUpdates: false });
    const mountOf = (volume: string) => container.volumeMounts.find((m: any) => m.name === volume);
    const dashboardsVolume = spec.volumes.find((v: any) => v.configMap?.name === 'grafana-dashboards');
    expect(mountOf(dashboardsVolume.name)).toMatchObject({ mountPath: provider.options.path, readOnly: true });
    const provisioningMounts = spec.volumes.filter((v: any) => v.configMap?.name === 'grafana-provisioning')
      .map((v: any) => ({ path: mountOf(v.name).mountPath, files: v.configMap.items.map((i: any) => i.path) }));
    expect(provisioningMounts).toEqual(expect.arrayContaining([
      { path: '/etc/grafana/provisioning/datasources', files: ['datasources.yaml'] },
      { path: '/etc/grafana/provisioning/dashboards', files: ['dashboards.yaml'] },
    ]));
    const files = Object.keys(find(objects, 'ConfigMap', 'grafana-dashboards', ns).data).sort();
    expect(files).toEqual(['cluster.json', 'dockercoins.json', 'platform.json']);
    // A change of either ConfigMap rolls the pod (the datasource is read at start only).
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'checksum/settings': expect.stringMatching(/^[0-9a-f]{64}$/), 'checksum/dashboards': expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  test('published through an Ingress on its host, with TLS where the environment has TLS; the root URL and the cookie follow', () => {
    const ingress = find(objects, 'Ingress', 'grafana', ns);
    expect(ingress.spec.rules[0].host).toBe(grafana.host);
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'grafana', port: { name: 'http' } });
    expect(ingress.spec.ingressClassName).toBe(config.ingress.className);
    // Where the environment has TLS every host has a certificate (the configured Secret, else <first label>-tls).
    const tls = config.certificates.source !== 'none' ? (grafana.tlsSecretName as string | undefined) ?? `${grafana.host.split('.')[0]}-tls` : grafana.tlsSecretName as string | undefined;
    expect(ingress.spec.tls).toEqual(tls ? [{ hosts: [grafana.host], secretName: tls }] : undefined);
    expect(envVar('GF_SERVER_ROOT_URL').value).toBe(`${tls ? 'https' : 'http'}://${grafana.host}/`);
    expect(envVar('GF_SECURITY_COOKIE_SECURE').value).toBe(String(Boolean(tls)));
    expect(find(objects, 'Service', 'grafana', ns).spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
  });

  test('readiness on /api/health, a lenient TCP liveness, explicit requests and limits', () => {
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/api/health', port: 'http' });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(container.livenessProbe.initialDelaySeconds).toBeGreaterThanOrEqual(30);
    for (const k of ['cpu', 'memory', 'ephemeral-storage']) {
      expect(container.resources.requests[k]).toBeDefined();
      expect(container.resources.limits[k]).toBeDefined();
    }
  });

  test('nothing calls out (update checks, usage reports, news, plugin preinstall, gravatar, external snapshots), no sign-up or anonymous access, /metrics off', () => {
    const off = ['GF_ANALYTICS_REPORTING_ENABLED', 'GF_ANALYTICS_CHECK_FOR_UPDATES', 'GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES', 'GF_NEWS_NEWS_FEED_ENABLED', 'GF_SNAPSHOTS_EXTERNAL_ENABLED', 'GF_USERS_ALLOW_SIGN_UP', 'GF_AUTH_ANONYMOUS_ENABLED', 'GF_METRICS_ENABLED'];
    for (const name of off) expect(`${name}=${envVar(name)?.value}`).toBe(`${name}=false`);
    for (const name of ['GF_PLUGINS_PREINSTALL_DISABLED', 'GF_SECURITY_DISABLE_GRAVATAR']) expect(`${name}=${envVar(name)?.value}`).toBe(`${name}=true`);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
  });
});

describe('Grafana config', () => {
  test('refused without monitoring: the section names the missing one', () => {
    const c = envCopy('dev');
    delete c.edge;
    delete c.alerting;
    expect(() => validateEnvironment(c)).toThrow(ConfigError);
    expect(() => validateEnvironment(c)).toThrow(/grafana: needs edge\.monitoring/);
  });

  test('refused when its emptyDirs do not fit the ephemeral-storage limit (storageSize + /tmp and logs)', () => {
    const c = envCopy('dev');
    c.grafana.storageSize = '512Mi';
    expect(() => validateEnvironment(c)).toThrow(/grafana\.resources\.limits\.ephemeralStorage: 512Mi is below storageSize 512Mi \+ 80Mi/);
  });

  test('every environment deploys Grafana', () => {
    for (const env of ENV_NAMES) expect(activeComponents(loadEnvironment(env)).map(a => a.component.id)).toContain('grafana');
  });
});
