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

  test('Consul exports Prometheus telemetry without hostname prefixes, scraped on the HTTP port by a job with an agent:read token (default-deny ACLs)', () => {
    const ns = config.stateful!.namespace;
    const server = JSON.parse(find(objects, 'ConfigMap', 'consul-config', ns).data['server.json']);
    expect(server.telemetry).toEqual({ prometheus_retention_time: '2m', disable_hostname: true });
    const sts = find(objects, 'StatefulSet', 'consul', ns);
    // Where the environment has TLS, the API (and telemetry) is HTTPS on 8501 (docs/security-tls.md).
    const tls = config.certificates.source !== 'none';
    const [portName, port] = tls ? ['https', '8501'] : ['http', '8500'];
    // Not through the annotation job, which sends no token: /v1/agent/metrics requires agent:read.
    expect(sts.spec.template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
    expect(podSpec(sts).containers[0].ports).toContainEqual({ name: portName, containerPort: Number(port), protocol: 'TCP' });
    const job = prom.scrape_configs.find((j: any) => j.job_name === `${ns}/consul`);
    expect(job).toMatchObject({
      metrics_path: '/v1/agent/metrics', params: { format: ['prometheus'] },
      authorization: { credentials_file: '/etc/prometheus-credentials/consul-metrics-token/token' },
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [ns] } }],
    });
    // Over TLS the job verifies the server's certificate against the environment CA for the client Service name.
    if (tls) expect(job).toMatchObject({ scheme: 'https', tls_config: { ca_file: expect.stringMatching(/ca\.crt$/), server_name: `consul.${ns}.svc` } });
    else expect(job.scheme).toBeUndefined();
    expect(job.tls_config?.insecure_skip_verify).toBeUndefined();
    expect(job.relabel_configs).toEqual(expect.arrayContaining([
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], action: 'keep', regex: 'consul' },
      { source_labels: ['__meta_kubernetes_pod_container_port_number'], action: 'keep', regex: port },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    ]));
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
