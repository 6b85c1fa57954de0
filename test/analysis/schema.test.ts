import { schemaAcceptsQuantity, validateSchema } from '../../src/analysis/schema';
import { K8sObject } from '../../src/analysis/objects';

function deployment(): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hasher', namespace: 'dockercoins', labels: { app: 'hasher' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'hasher' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: { labels: { app: 'hasher' } },
        spec: {
          containers: [
            {
              name: 'hasher',
              image: 'dockercoins/hasher:v0.1',
              ports: [{ containerPort: 80, name: 'http' }],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1, memory: 134217728 } },
              readinessProbe: { httpGet: { path: '/', port: 'http' } },
              livenessProbe: { httpGet: { path: '/', port: 80 } },
              securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true },
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
        },
      },
    },
  };
}

describe('validateSchema', () => {
  it('accepts a valid Deployment, with int-or-string and quantity values in both forms', () => {
    expect(validateSchema(deployment())).toEqual([]);
  });

  it('reports a wrong type with its path', () => {
    const d = deployment();
    d.spec.replicas = '2';
    expect(validateSchema(d)).toEqual(['spec.replicas: must be integer']);
  });

  it('reports a wrong type inside a container', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].ports[0].containerPort = '80';
    expect(validateSchema(d)).toEqual(['spec.template.spec.containers[0].ports[0].containerPort: must be integer']);
  });

  it('reports an invalid int-or-string and quantity', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].readinessProbe.httpGet.port = { name: 'http' };
    d.spec.template.spec.containers[0].resources.limits.memory = 'lots';
    const errs = validateSchema(d);
    expect(errs).toContain('spec.template.spec.containers[0].readinessProbe.httpGet.port: must be string or integer');
    expect(errs).toContain('spec.template.spec.containers[0].resources.limits.memory: must be number or quantity string');
    expect(errs).toHaveLength(2);
  });

  it('reports a missing required field', () => {
    const d = deployment();
    delete d.spec.selector;
    expect(validateSchema(d)).toEqual(['spec.selector: required field is missing']);
    const e = deployment();
    delete e.spec.template.spec.containers[0].name;
    expect(validateSchema(e)).toEqual(['spec.template.spec.containers[0].name: required field is missing']);
  });

  it('rejects an unknown top-level field', () => {
    const d = deployment() as any;
    d.specs = {};
    expect(validateSchema(d)).toEqual(['specs: unknown field']);
  });

  it('rejects an unknown field nested in a container', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].readinessprobe = { httpGet: { port: 80 } };
    d.spec.template.spec.containers[0].securityContext.runAsNonRoot = true;
    d.spec.template.spec.containers[0].securityContext.fsGroup = 1000; // pod-level field in the wrong place
    expect(validateSchema(d).sort()).toEqual([
      'spec.template.spec.containers[0].readinessprobe: unknown field',
      'spec.template.spec.containers[0].securityContext.fsGroup: unknown field',
    ]);
  });

  it('allows arbitrary keys in maps (labels, annotations, ConfigMap data)', () => {
    const cm: K8sObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { 'app.kubernetes.io/name': 'x' }, annotations: { 'any/thing': 'y' } },
      data: { 'nginx.conf': 'server {}' },
    };
    expect(validateSchema(cm)).toEqual([]);
  });

  it('reports an enum violation', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].ports[0].protocol = 'tcp';
    expect(validateSchema(d)).toEqual(['spec.template.spec.containers[0].ports[0].protocol: must be one of "SCTP", "TCP", "UDP"']);
  });

  it('rejects unknown apiVersion/kind and non-resource models', () => {
    expect(validateSchema({ apiVersion: 'example.com/v1', kind: 'Foo', metadata: { name: 'f' } })).toEqual(['no schema for example.com/v1 Foo']);
    expect(validateSchema({ apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'f' } })).toEqual([
      'apiVersion: apps/v1beta1 Deployment is no longer served (removed in Kubernetes 1.16)',
    ]);
    expect(validateSchema({ apiVersion: 'v1', kind: 'Container', metadata: { name: 'f' } })).toEqual(['no schema for v1 Container']);
    expect(validateSchema({ apiVersion: '../../x', kind: 'Deployment', metadata: { name: 'f' } })).toEqual(['no schema for ../../x Deployment']);
  });

  it('validates core, rbac and networking kinds', () => {
    expect(validateSchema({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }] } })).toEqual([]);
    expect(validateSchema({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] })).toEqual([]);
    expect(validateSchema({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] } })).toEqual([]);
    expect(validateSchema({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, ingres: [] } })).toEqual(['spec.ingres: unknown field']);
  });

  // Speed is measured by `npm run bench` (validate row), not by a timed test.
  it('validates a few hundred objects, each on its own (no state carried between calls)', () => {
    const objs = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? deployment() : { ...deployment(), spec: { replicas: 'two' } }));
    objs.forEach((o, i) => (i % 2 === 0 ? expect(validateSchema(o)).toEqual([]) : expect(validateSchema(o)).not.toEqual([])));
  });

  it('schemaAcceptsQuantity mirrors the schema quantity format, which is laxer than Kubernetes', () => {
    // the quantities rule reports exactly what this lets through
    for (const v of ['96Mi', '1e3', '1Y', '2d', '-1']) expect(schemaAcceptsQuantity(v)).toBe(true);
    for (const v of ['12 Mi', '2gi', 'abc', '']) expect(schemaAcceptsQuantity(v)).toBe(false);
    const pod = (memory: string): K8sObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:1', resources: { limits: { memory } } }] } });
    expect(validateSchema(pod('1Y'))).toEqual([]);
    expect(validateSchema(pod('2gi'))).toEqual(['spec.containers[0].resources.limits.memory: must be number or quantity string']);
  });
});
