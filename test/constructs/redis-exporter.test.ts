/**
 * redis_exporter, per requirement: one per DockerCoins instance in the
 * instance namespace, the image's own user and port (oliver006/redis_exporter
 * Dockerfile: `USER 59000:59000`, `EXPOSE 9121`), the DockerCoins keys through
 * `--check-single-keys` (main.go; redis_key_value / redis_key_size in
 * exporter/keys.go), reaching Redis because it offers itself as a Redis client
 * (the DockerCoins Redis policy admits offered clients, nothing restated),
 * scraped by Prometheus, and counted in the instance quota.
 */
import { allowedFlows, Endpoint, NetworkModel } from '../../src/analysis/network';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { activeComponents, scrapeTargets } from '../../src/config/wiring';
import { find, podSpec, podTemplateMeta, renderObjects, workloads } from '../helpers';
import { PROMETHEUS_POD } from '../invariants/scenario';

const INSTANCES = Object.keys(ENVIRONMENTS).flatMap(env => ENVIRONMENTS[env].dockercoins.map(d => [env, d.name] as const));

describe.each(INSTANCES)('%s, instance %s: redis-exporter', (env, name) => {
  const config = loadEnvironment(env);
  const d = config.dockercoins.find(i => i.name === name)!;
  const ns = d.namespace;
  const objects = renderObjects(env);
  const deployment = find(objects, 'Deployment', 'redis-exporter', ns);
  const spec = podSpec(deployment);
  const container = spec.containers[0];
  const model = new NetworkModel(objects);
  const pod = (workload: string, namespace = ns): Endpoint => {
    const w = workloads(objects).find(o => o.metadata.namespace === namespace && o.metadata.name === workload)!;
    return { namespace, labels: w.spec.template.metadata.labels, name: `${namespace}/${workload}` };
  };
  const prometheus = pod('prometheus', config.edge!.monitoring.namespace);

  test('runs in the instance namespace as the image\'s uid/gid 59000, port 9121, readiness on /health, liveness on the port', () => {
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/instance']).toBe(name);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 59000, runAsGroup: 59000 });
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet.path).toBe('/health');
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'metrics' });
    expect(container.image).toBe('oliver006/redis_exporter:v1.69.0');
  });

  test('exports the worker\'s hashes counter and the wallet through single-key checks, from the instance\'s redis Service', () => {
    expect(container.args).toEqual(['--redis.addr=redis://redis:6379', '--web.listen-address=:9121', '--check-single-keys=db0=hashes,db0=wallet']);
    expect(find(objects, 'Service', 'redis', ns).spec.ports[0].port).toBe(6379);
  });

  test('flow model: the Redis policy admits worker, webui and the offered client redis-exporter on 6379, and nobody else', () => {
    const clients = allowedFlows(objects)
      .filter(f => f.to.namespace === ns && f.to.labels['app.kubernetes.io/name'] === 'redis' && f.port === 6379)
      .map(f => (f.from === 'external' ? 'external' : (f.from as Endpoint).name))
      .sort();
    expect(clients).toEqual([`${ns}/redis-exporter`, `${ns}/webui`, `${ns}/worker`]);
    expect(model.explain({ from: pod('redis-exporter'), to: pod('redis'), port: 6379, protocol: 'TCP' })).toMatch(/^allowed/);
    // The exporter reaches nothing else of the instance.
    for (const target of ['rng', 'hasher', 'webui']) expect(model.isAllowed({ from: pod('redis-exporter'), to: pod(target), port: 80, protocol: 'TCP' })).toBe(false);
  });

  test('flow model: Prometheus scrapes it on 9121; nothing else in the cluster does', () => {
    expect(model.explain({ from: prometheus, to: pod('redis-exporter'), port: 9121, protocol: 'TCP' })).toMatch(/^allowed/);
    const scrapers = allowedFlows(objects).filter(f => f.to.namespace === ns && f.to.labels['app.kubernetes.io/name'] === 'redis-exporter')
      .map(f => (f.from === 'external' ? 'external' : (f.from as Endpoint).name));
    expect(scrapers).toEqual([prometheus.name]);
  });

  test('its footprint is in the instance quota check, and a quota without room for it is refused naming it', () => {
    const footprints = activeComponents(config).flatMap(a => a.offers.footprints ?? []).filter(f => f.namespace === ns);
    expect(footprints.map(f => f.workload)).toContain('redis-exporter');
    const pods = footprints.reduce((sum, f) => sum + f.pods, 0);
    const tight = { dockercoins: config.dockercoins.map(i => (i.name === name ? { name, quota: { pods: pods - 1 } } : { name: i.name })) };
    expect(() => loadEnvironment(env, tight)).toThrow(new RegExp(`dockercoins\\[${name}\\]\\.quota\\.pods: ${pods - 1} is below the ${pods} pods needed at full scale: .*redis-exporter 2 \\(1 \\+ 1 surge\\)`));
  });
});

describe.each(Object.keys(ENVIRONMENTS))('%s: Prometheus reaches every exporter and Alertmanager (flow model)', env => {
  const config = loadEnvironment(env);
  const objects = renderObjects(env);
  const model = new NetworkModel(objects);
  const prometheus = workloads(objects).filter(o => o.metadata.namespace === config.edge!.monitoring.namespace && Object.entries(PROMETHEUS_POD).every(([k, v]) => podTemplateMeta(o).labels[k] === v));

  test('every offered scrape target (exporters, Consul, Traefik, Fluent Bit, Alertmanager) and every Alertmanager replica port', () => {
    expect(prometheus).toHaveLength(1);
    const from: Endpoint = { namespace: prometheus[0].metadata.namespace, labels: prometheus[0].spec.template.metadata.labels, name: 'prometheus' };
    const targets = [...scrapeTargets(config)];
    const alertmanager = activeComponents(config).find(a => a.offers.alertmanager)?.offers.alertmanager;
    expect(alertmanager).toBeDefined();
    targets.push({ namespace: alertmanager!.namespace, pods: alertmanager!.pods, port: alertmanager!.port });
    const problems: string[] = [];
    for (const t of targets) {
      const pods = workloads(objects).filter(o => o.metadata.namespace === t.namespace && Object.entries(t.pods).every(([k, v]) => podTemplateMeta(o).labels[k] === v));
      if (pods.length === 0) problems.push(`${t.namespace} ${JSON.stringify(t.pods)}: no pods`);
      for (const p of pods) {
        if (podSpec(p).hostNetwork) continue; // node-exporter-like agents are scraped on node addresses
        const to: Endpoint = { namespace: t.namespace, labels: podTemplateMeta(p).labels, name: `${t.namespace}/${p.metadata.name}` };
        const why = model.explain({ from, to, port: Number(t.port), protocol: 'TCP' });
        if (!why.startsWith('allowed')) problems.push(`${to.name}:${t.port}: ${why}`);
      }
    }
    expect(problems).toEqual([]);
    const names = targets.map(t => t.pods['app.kubernetes.io/name']);
    for (const exporter of ['kube-state-metrics', 'postgres-exporter', 'redis-exporter', 'consul', 'traefik', 'fluent-bit', 'alertmanager']) expect(names).toContain(exporter);
  });
});
