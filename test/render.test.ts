import { loadEnvironment } from '../src/config';
import { renderEnvironment } from '../src/render';
import { ENV_NAMES, renderObjects } from './helpers';

const RECOMMENDED = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'StorageClass', 'APIService', 'PriorityClass', 'CustomResourceDefinition', 'ClusterIssuer', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);

// The rendered files themselves are compared with the committed dist/<env>/ byte for byte in test/golden/dist.test.ts.
describe.each(ENV_NAMES)('rendered %s', env => {
  const objects = renderObjects(env);

  test('npm run synth also writes a topology diagram of the allowed flows', () => {
    const files = renderEnvironment(loadEnvironment(env), { topology: true });
    const topology = files.find(f => f.name === 'topology.md')!;
    expect(topology).toBeDefined();
    expect(files.map(f => f.name)).toContain('SECRETS.md');
    expect(topology.content).toContain('```mermaid');
    const ns = loadEnvironment(env).dockercoins[0].namespace;
    expect(topology.content).toContain(`w_${ns}_worker ==>|"80/TCP"| w_${ns}_rng`);
    expect(topology.content).not.toContain(`w_${ns}_webui ==>|"80/TCP"| w_${ns}_rng`);
  });

  test('is deterministic: rendering twice gives byte-identical files', () => {
    expect(renderEnvironment(loadEnvironment(env))).toEqual(renderEnvironment(loadEnvironment(env)));
  });

  test('every object carries the Kubernetes recommended labels', () => {
    for (const o of objects) {
      const missing = RECOMMENDED.filter(l => !(o.metadata as any).labels?.[l]);
      expect({ object: `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, missing }).toEqual({ object: expect.any(String), missing: [] });
    }
  });

  test('every namespaced object names its namespace explicitly; cluster-scoped ones do not', () => {
    for (const o of objects) {
      expect({ object: `${o.kind} ${o.metadata.name}`, namespaced: o.metadata.namespace !== undefined })
        .toEqual({ object: `${o.kind} ${o.metadata.name}`, namespaced: !CLUSTER_SCOPED.has(o.kind) });
    }
  });

  test('no construct-path label or hashed name leaks into the output', () => {
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io/metadata.addr');
    for (const o of objects) expect(o.metadata.name).not.toMatch(/-c8[0-9a-f]{6,}$/);
  });

  test('selectors use only the stable name and instance labels', () => {
    for (const o of objects as any[]) {
      const selector = o.spec?.selector?.matchLabels ?? (o.kind === 'Service' ? o.spec.selector : undefined);
      if (!selector) continue;
      expect(Object.keys(selector).every(k => ['app.kubernetes.io/name', 'app.kubernetes.io/instance'].includes(k) || !k.startsWith('app.kubernetes.io/'))).toBe(true);
      expect(selector['app.kubernetes.io/version']).toBeUndefined();
    }
  });

  test('namespaces come first: in the first file, and each before every object in it', () => {
    const files = renderEnvironment(loadEnvironment(env));
    expect(files[0].name).toBe('00-namespaces.k8s.yaml');
    expect([...files.map(f => f.name)]).toEqual([...files.map(f => f.name)].sort());
    const position = new Map(objects.filter(o => o.kind === 'Namespace').map(o => [o.metadata.name, objects.indexOf(o)]));
    objects.forEach((o, i) => {
      const ns = o.metadata.namespace;
      if (ns && position.has(ns)) expect({ object: `${o.kind} ${ns}/${o.metadata.name}`, afterNamespace: i > position.get(ns)! }).toEqual({ object: `${o.kind} ${ns}/${o.metadata.name}`, afterNamespace: true });
    });
  });
});
