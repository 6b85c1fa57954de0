/**
 * What the rules need from the scrape configuration: Consul's telemetry is
 * exported and scraped (the leader alert reads it), and the annotation jobs
 * keep the labels an exporter reports about other objects (kube-state-metrics'
 * namespace, pod, deployment ...), which the generated matchers use.
 */
import { parse as parseYaml } from 'yaml';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { find, podSpec, renderObjects } from '../helpers';

describe.each(Object.keys(ENVIRONMENTS))('%s', env => {
  const config = loadEnvironment(env);
  const objects = renderObjects(env);
  const prom = parseYaml(find(objects, 'ConfigMap', 'prometheus-config', config.edge!.monitoring.namespace).data['prometheus.yml']);

  test('Consul exports Prometheus telemetry without hostname prefixes, and its pods ask to be scraped on the HTTP port', () => {
    const ns = config.stateful!.namespace;
    const server = JSON.parse(find(objects, 'ConfigMap', 'consul-config', ns).data['server.json']);
    expect(server.telemetry).toEqual({ prometheus_retention_time: '2m', disable_hostname: true });
    const sts = find(objects, 'StatefulSet', 'consul', ns);
    // Where the environment has TLS, the API (and telemetry) is HTTPS on 8501 (docs/security-tls.md).
    const tls = config.certificates.source !== 'none';
    const [portName, port] = tls ? ['https', '8501'] : ['http', '8500'];
    expect(sts.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': port, 'prometheus.io/path': '/v1/agent/metrics', ...(tls ? { 'prometheus.io/scheme': 'https' } : {}) });
    expect(podSpec(sts).containers[0].ports).toContainEqual({ name: portName, containerPort: Number(port), protocol: 'TCP' });
  });

  test('the annotation jobs honor the targets\' labels (kube-state-metrics keeps namespace and pod instead of exported_*)', () => {
    for (const job of ['kubernetes-pods', 'kubernetes-service-endpoints']) {
      expect(prom.scrape_configs.find((j: any) => j.job_name === job).honor_labels).toBe(true);
    }
    for (const job of ['kubernetes-nodes', 'kubernetes-cadvisor']) {
      expect(prom.scrape_configs.find((j: any) => j.job_name === job).honor_labels).toBeUndefined();
    }
  });
});
