/**
 * Alertmanager, per requirement: HA where the environment says so (a gossip
 * cluster over the headless Service), receivers and routes from typed config
 * with URLs only from a declared Secret (Alertmanager's own `url_file` /
 * `api_url_file` fields, config/notifiers.go of prometheus/alertmanager
 * v0.28.1), sane grouping and inhibition, restricted pods with probes and
 * resources, reachable only by Prometheus (and its peers on the gossip port),
 * and Prometheus pointed at every replica from the component's offer.
 */
import { parse as parseYaml } from 'yaml';
import { allowedFlows, Endpoint, NetworkModel } from '../../src/analysis/network';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { activeComponents } from '../../src/config/wiring';
import { renderCharts } from '../../src/render';
import { ALERTMANAGER_SECRET } from '../../constructs/alertmanager/component';
import { find, podSpec, renderObjects, workloads } from '../helpers';

const ENV_NAMES = Object.keys(ENVIRONMENTS);

/** Fields of alertmanager.yml this model writes, as Alertmanager v0.28.1 names them (config/config.go, config/notifiers.go). */
const KNOWN = {
  top: ['route', 'inhibit_rules', 'receivers'],
  route: ['receiver', 'group_by', 'group_wait', 'group_interval', 'repeat_interval', 'routes', 'matchers', 'continue'],
  inhibit: ['source_matchers', 'target_matchers', 'equal'],
  receiver: ['name', 'webhook_configs', 'slack_configs'],
  webhook: ['url_file', 'send_resolved', 'max_alerts'],
  slack: ['api_url_file', 'channel', 'send_resolved'],
};
const unknownKeys = (o: object, known: string[]) => Object.keys(o).filter(k => !known.includes(k));

describe.each(ENV_NAMES)('%s: Alertmanager', env => {
  const config = loadEnvironment(env);
  const a = (config as any).alerting;
  const ns = config.edge!.monitoring.namespace;
  const charts = renderCharts(config);
  const objects = renderObjects(env);
  const sts = find(objects, 'StatefulSet', 'alertmanager', ns);
  const spec = podSpec(sts);
  const container = spec.containers[0];
  const am = parseYaml(find(objects, 'ConfigMap', 'alertmanager-config', ns).data['alertmanager.yml']);

  test('replicas and clustering follow the environment: one without HA, several peers over the headless Service with their pod addresses', () => {
    expect(sts.spec.replicas).toBe(a.replicas);
    const peers = container.args.filter((x: string) => x.startsWith('--cluster.peer='));
    if (a.replicas === 1) {
      expect(container.args).toContain('--cluster.listen-address=');
      expect(peers).toEqual([]);
      expect(objects.some(o => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'alertmanager')).toBe(false);
    } else {
      expect(peers).toEqual(Array.from({ length: a.replicas }, (_, i) => `--cluster.peer=alertmanager-${i}.alertmanager-cluster.${ns}.svc:9094`));
      expect(container.args).toEqual(expect.arrayContaining(['--cluster.listen-address=0.0.0.0:9094', '--cluster.advertise-address=[$(POD_IP)]:9094', `--cluster.label=${ns}/alertmanager`]));
      expect(container.env).toContainEqual({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
      expect(find(objects, 'PodDisruptionBudget', 'alertmanager', ns).spec.maxUnavailable).toBe(1);
      const term = a.antiAffinity === 'required'
        ? spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]
        : spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
      expect(term.topologyKey).toBe('kubernetes.io/hostname');
    }
    const headless = find(objects, 'Service', 'alertmanager-cluster', ns);
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(sts.spec.serviceName).toBe('alertmanager-cluster');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
  });

  test('HA is sized by nodes: prod runs one replica per node with required anti-affinity, staging two, dev one', () => {
    const expected = { dev: [1, 'preferred'], staging: [2, 'preferred'], prod: [3, 'required'] } as Record<string, [number, string]>;
    expect([a.replicas, a.antiAffinity]).toEqual(expected[env]);
    if (a.antiAffinity === 'required') expect(a.replicas).toBeLessThanOrEqual(config.nodes);
  });

  test('Prometheus sends to every replica by address, from the component\'s offer', () => {
    const offer = activeComponents(config).find(c => c.component.id === 'alertmanager')!.offers.alertmanager!;
    expect(offer.targets).toEqual(Array.from({ length: a.replicas }, (_, i) => `alertmanager-${i}.alertmanager-cluster.${ns}.svc:9093`));
    const prom = parseYaml(find(objects, 'ConfigMap', 'prometheus-config', ns).data['prometheus.yml']);
    expect(prom.alerting).toEqual({ alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: offer.targets }] }] });
  });

  test('the config holds no credential: receiver URLs are url_file / api_url_file paths into the mounted Secret, whose keys are declared for Pulumi', () => {
    const text = find(objects, 'ConfigMap', 'alertmanager-config', ns).data['alertmanager.yml'];
    expect(text).not.toMatch(/https?:\/\//);
    const files = am.receivers.flatMap((r: any) => [...(r.webhook_configs ?? []).map((w: any) => w.url_file), ...(r.slack_configs ?? []).map((s: any) => s.api_url_file)]);
    const declared = charts.flatMap(c => c.secrets).filter(s => s.name === ALERTMANAGER_SECRET);
    if (files.length === 0) {
      expect(declared).toEqual([]);
      expect(spec.volumes.some((v: any) => v.secret)).toBe(false);
      return;
    }
    expect(declared).toHaveLength(1);
    expect(declared[0].namespace).toBe(ns);
    const keys = Object.keys(declared[0].keys);
    expect(files.sort()).toEqual(keys.map(k => `/etc/alertmanager/secrets/${k}`).sort());
    for (const [key, configKey] of Object.entries(declared[0].keys)) {
      expect(key).toMatch(/^[a-z0-9-]+-(webhook|slack)-url$/);
      expect(configKey).toMatch(/^alertmanager[A-Z][A-Za-z0-9]*(Webhook|Slack)Url$/);
    }
    const volume = spec.volumes.find((v: any) => v.name === 'receivers');
    expect(volume.secret).toEqual({ secretName: ALERTMANAGER_SECRET, items: keys.map(k => ({ key: k, path: k })), defaultMode: 0o440 });
    expect(container.volumeMounts).toContainEqual({ name: 'receivers', mountPath: '/etc/alertmanager/secrets', readOnly: true });
  });

  test('every key of alertmanager.yml is an Alertmanager field; every route names a receiver', () => {
    const problems: string[] = [...unknownKeys(am, KNOWN.top)];
    const routes = [am.route, ...(am.route.routes ?? [])];
    for (const r of routes) problems.push(...unknownKeys(r, KNOWN.route));
    for (const i of am.inhibit_rules) problems.push(...unknownKeys(i, KNOWN.inhibit));
    for (const r of am.receivers) {
      problems.push(...unknownKeys(r, KNOWN.receiver));
      for (const w of r.webhook_configs ?? []) problems.push(...unknownKeys(w, KNOWN.webhook));
      for (const s of r.slack_configs ?? []) problems.push(...unknownKeys(s, KNOWN.slack));
    }
    expect(problems).toEqual([]);
    const names = am.receivers.map((r: any) => r.name);
    for (const r of routes) expect(names).toContain(r.receiver);
  });

  test('grouping and inhibition are sane by default: by alert name and namespace; a critical alert mutes the warnings of the same alert and namespace', () => {
    expect(am.route).toMatchObject({ group_by: ['alertname', 'namespace'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' });
    expect(am.inhibit_rules).toEqual([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] }]);
  });

  test('restricted, non-root as the image\'s nobody (65534), probes /-/ready and /-/healthy, requests and limits, data on a bounded emptyDir', () => {
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http', scheme: 'HTTP' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'http', scheme: 'HTTP' });
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
    expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
    expect(container.args).toEqual(expect.arrayContaining(['--storage.path=/alertmanager', '--web.listen-address=:9093']));
    const data = spec.volumes.find((v: any) => v.name === 'alertmanager');
    expect(data.emptyDir.sizeLimit).toBe(a.storageSize);
    expect(container.image).toBe('quay.io/prometheus/alertmanager:v0.28.1');
  });

  test('flow model: only Prometheus reaches the API (9093), only the peers reach the gossip port (9094 TCP and UDP)', () => {
    const into = allowedFlows(objects).filter(f => f.to.namespace === ns && f.to.labels['app.kubernetes.io/name'] === 'alertmanager');
    const sources = [...new Set(into.map(f => `${f.from === 'external' ? 'external' : (f.from as Endpoint).name} -> ${f.port}/${f.protocol}`))].sort();
    const expected = [`${ns}/prometheus -> 9093/TCP`];
    if (a.replicas > 1) expected.push(`${ns}/alertmanager -> 9094/TCP`, `${ns}/alertmanager -> 9094/UDP`);
    expect(sources).toEqual(expected.sort());
    const model = new NetworkModel(objects);
    const pod = (name: string, namespace = ns): Endpoint => {
      const w = workloads(objects).find(o => o.metadata.namespace === namespace && o.metadata.name === name)!;
      return { namespace, labels: w.spec.template.metadata.labels, name: `${namespace}/${name}` };
    };
    expect(model.explain({ from: pod('prometheus'), to: pod('alertmanager'), port: 9093, protocol: 'TCP' })).toMatch(/^allowed/);
    expect(model.isAllowed({ from: pod('kube-state-metrics'), to: pod('alertmanager'), port: 9093, protocol: 'TCP' })).toBe(false);
    expect(model.isAllowed({ from: { namespace: 'intruder', labels: { app: 'curl' } }, to: pod('alertmanager'), port: 9093, protocol: 'TCP' })).toBe(false);
    const webui = pod('webui', config.dockercoins[0].namespace);
    expect(model.isAllowed({ from: webui, to: pod('alertmanager'), port: 9093, protocol: 'TCP' })).toBe(false);
  });
});

describe('Alertmanager config is refused with the field and the reason', () => {
  const problems = (overrides: unknown) => {
    try { loadEnvironment('prod', overrides); return ''; } catch (e) { return (e as Error).message; }
  };
  test.each([
    ['a route to an unknown receiver', { alerting: { route: { receiver: 'nobody' } } }, 'alerting.route.receiver: "nobody" is not a receiver (receivers: team, oncall)'],
    ['a matcher that is not Alertmanager syntax', { alerting: { route: { routes: [{ receiver: 'oncall', matchers: ['severity=critical'] }] } } }, 'is not an Alertmanager matcher'],
    ['required anti-affinity with more replicas than nodes', { alerting: { replicas: 5 } }, 'alerting.antiAffinity: "required" places each of the 5 replicas on its own node, but the environment plans 3 nodes'],
    ['a receiver name that cannot name a Secret key', { alerting: { receivers: [{ name: 'Team_A', webhook: {} }], route: { receiver: 'Team_A', routes: [] } } }, 'is not a receiver name'],
    ['an emptyDir above the ephemeral-storage limit', { alerting: { storageSize: '1Gi' } }, 'alerting.resources.limits.ephemeralStorage: 256Mi is below storage.size 1Gi'],
    // test:stress (config fuzz, seed -1137675944): the API server refuses an except equal to its cidr (ValidateIPBlock).
    ['a receiver egress exception equal to its cidr', { alerting: { receiverEgress: { cidrs: ['0.0.0.0/0'], except: ['0.0.0.0/0'], ports: [443] } } }, 'alerting.receiverEgress.except[0]: "0.0.0.0/0" is cidrs[0] itself'],
    // It used to be dropped from the NetworkPolicy without a word.
    ['a receiver egress exception outside every cidr', { alerting: { receiverEgress: { cidrs: ['203.0.113.0/24'], except: ['10.0.0.0/8'], ports: [443] } } }, 'alerting.receiverEgress.except[0]: "10.0.0.0/8" lies in none of the cidrs (203.0.113.0/24)'],
  ])('%s', (_label, overrides, message) => {
    expect(problems(overrides)).toContain(message);
  });

  test('alerting without Prometheus is refused', () => {
    let message = '';
    try {
      const { validateEnvironment } = require('../../src/config');
      validateEnvironment({ ...ENVIRONMENTS.prod, edge: undefined });
    } catch (e) { message = (e as Error).message; }
    expect(message).toContain('alerting: needs edge.monitoring (Prometheus sends the alerts)');
  });
});
