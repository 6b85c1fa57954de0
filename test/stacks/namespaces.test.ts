import { ENVIRONMENTS, validateEnvironment } from '../../src/config';
import { NODE_AGENTS_POD_SECURITY_REASON } from '../../constructs/namespace';
import { find, renderObjects } from '../helpers';

describe('platform namespaces', () => {
  const nodeAgents = (env: any) => find(renderObjects(validateEnvironment(env)), 'Namespace', 'node-agents');

  test.each([
    ['monitoring and logging', {}],
    // The Elasticsearch exporter needs logging: it goes with logging.
    ['monitoring only', { logging: undefined, exporters: { ...ENVIRONMENTS.prod.exporters as object, elasticsearch: undefined } }],
    // Alerting and Grafana need Prometheus: they go with edge.
    ['logging only', { edge: undefined, alerting: undefined, grafana: undefined }],
  ])('node-agents is declared once, the same way, whichever node agents exist (%s)', (_label, change) => {
    const ns = nodeAgents({ ...ENVIRONMENTS.prod, ...change });
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.labels['app.kubernetes.io/part-of']).toBe('platform');
    expect(ns.metadata.annotations['platform.dockercoins.io/pod-security-reason']).toBe(NODE_AGENTS_POD_SECURITY_REASON);
  });

  test('every namespace carries the same identity labels', () => {
    for (const env of Object.keys(ENVIRONMENTS)) {
      for (const ns of renderObjects(env).filter(o => o.kind === 'Namespace') as any[]) {
        expect([ns.metadata.name, ns.metadata.labels['app.kubernetes.io/component'], ns.metadata.labels['app.kubernetes.io/version']])
          .toEqual([ns.metadata.name, 'namespace', '0.1.0']);
      }
    }
  });
});
