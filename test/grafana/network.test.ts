/**
 * The flow model (src/analysis/network.ts) over the rendered policies proves,
 * in every environment:
 * - Grafana reaches only Prometheus' API port (and cluster DNS): no other
 *   workload, no other namespace, nothing outside the cluster;
 * - only the ingress controller reaches Grafana, on its HTTP port;
 * - Prometheus admits Grafana because Grafana offers itself as a client
 *   (the `clients` offer), not because the policy names Grafana;
 * - the Elasticsearch exporter reaches only Elasticsearch' HTTP port (and
 *   DNS), Elasticsearch admits it, and only Prometheus scrapes it.
 */
import { allowedFlows, Endpoint, flowKey, NetworkModel } from '../../src/analysis/network';
import type { K8sObject } from '../../src/analysis/objects';
import { ENVIRONMENTS, loadEnvironment, validateEnvironment } from '../../src/config';
import { envCopy, podTemplateMeta, renderObjects, workloads } from '../helpers';

const ENV_NAMES = Object.keys(ENVIRONMENTS);
const name = (e: Endpoint | 'external') => (e === 'external' ? 'external' : e.name!);

describe.each(ENV_NAMES)('%s: Grafana and the Elasticsearch exporter in the flow model', env => {
  const config = loadEnvironment(env);
  const objects = renderObjects(env) as K8sObject[];
  const model = new NetworkModel(objects);
  const flows = allowedFlows(objects);
  const monitoring = config.edge!.monitoring.namespace;
  const logging = config.logging!.namespace;
  const controllerNs = config.ingress.controllerNamespace;
  const endpoint = (ns: string, workload: string): Endpoint => {
    const w = workloads(objects).find(o => o.metadata.namespace === ns && o.metadata.name === workload);
    if (!w) throw new Error(`no workload ${ns}/${workload}`);
    return { namespace: ns, labels: podTemplateMeta(w).labels, name: `${ns}/${workload}` };
  };
  const grafana = endpoint(monitoring, 'grafana');
  const prometheus = endpoint(monitoring, 'prometheus');
  const exporter = endpoint(logging, 'elasticsearch-exporter');
  const elasticsearch = endpoint(logging, 'elasticsearch');
  const kubeDns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
  const stranger: Endpoint = { namespace: 'intruder', labels: { app: 'curl' } };

  test('Grafana reaches exactly Prometheus on 9090 among all workloads', () => {
    const out = flows.filter(f => f.from !== 'external' && f.from.name === grafana.name).map(flowKey);
    expect(out).toEqual([`${grafana.name} -> ${prometheus.name} 9090/TCP`]);
  });

  test('Grafana resolves names (DNS over UDP and TCP) and reaches nothing outside the model: another namespace, the internet, the API server', () => {
    for (const protocol of ['UDP', 'TCP'] as const) expect(model.isAllowed({ from: grafana, to: kubeDns, port: 53, protocol })).toBe(true);
    expect(model.isAllowed({ from: grafana, to: stranger, port: 80 })).toBe(false);
    for (const port of [80, 443, 6443]) expect(model.isAllowed({ from: grafana, to: 'external', port })).toBe(false);
    expect(model.isAllowed({ from: grafana, to: prometheus, port: 9091 })).toBe(false);
  });

  test('only the ingress controller reaches Grafana, on 3000', () => {
    const into = flows.filter(f => f.to.name === grafana.name).map(f => `${name(f.from)} ${f.port}`);
    const controller = workloads(objects).find(o => o.metadata.namespace === controllerNs);
    expect(into).toEqual(controller ? [`${controllerNs}/${controller.metadata.name} 3000`] : []);
    expect(model.isAllowed({ from: prometheus, to: grafana, port: 3000 })).toBe(false);
    expect(model.isAllowed({ from: stranger, to: grafana, port: 3000 })).toBe(false);
    expect(model.isAllowed({ from: 'external', to: grafana, port: 3000 })).toBe(false);
  });

  test('Prometheus admits Grafana through the clients offer: without Grafana, no monitoring-namespace peer other than the ingress controller reaches 9090', () => {
    const c = envCopy(env);
    delete c.grafana;
    const without = allowedFlows(renderObjects(validateEnvironment(c)) as K8sObject[]);
    const into = (fs: typeof flows) => fs.filter(f => f.to.name === prometheus.name && f.port === 9090 && f.from !== 'external').map(f => name(f.from)).sort();
    expect(into(flows)).toContain(grafana.name);
    expect(into(without)).not.toContain(grafana.name);
    expect(into(flows).filter(n => n !== grafana.name)).toEqual(into(without));
  });

  test('the Elasticsearch exporter reaches exactly Elasticsearch on 9200 (and DNS); Elasticsearch admits it', () => {
    const out = flows.filter(f => f.from !== 'external' && f.from.name === exporter.name).map(flowKey);
    expect(out).toEqual([`${exporter.name} -> ${elasticsearch.name} 9200/TCP`]);
    expect(model.isAllowed({ from: exporter, to: elasticsearch, port: 9300 })).toBe(false);
    expect(model.isAllowed({ from: exporter, to: 'external', port: 443 })).toBe(false);
    expect(model.isAllowed({ from: exporter, to: kubeDns, port: 53, protocol: 'UDP' })).toBe(true);
  });

  test('only Prometheus reaches the Elasticsearch exporter, on its metrics port 9114', () => {
    const into = flows.filter(f => f.to.name === exporter.name).map(f => `${name(f.from)} ${f.port}`);
    expect(into).toEqual([`${prometheus.name} 9114`]);
  });
});
