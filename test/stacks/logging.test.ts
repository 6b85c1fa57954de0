import { selectorLabels } from '../../constructs/lib/labels';
import { checkObjectsPodSecurity, checkPodSecurity, namespacePodSecurityLevel } from '../../src/analysis/pod-security';
import { Endpoint, NetworkModel } from '../../src/analysis/network';
import { K8sObject } from '../../src/analysis/objects';
import { formatProblem, validateManifests } from '../../src/analysis/validate';
import { ConfigError, loadEnvironment } from '../../src/config';
import { renderCharts, renderEnvironment } from '../../src/render';
import { LOGGING_SECRETS } from '../../constructs/logging/component';

type Obj = K8sObject & { [k: string]: any };
const ENVS = ['dev', 'staging', 'prod'] as const;

function objectsOf(env: string, overrides?: unknown): Obj[] {
  return renderCharts(loadEnvironment(env, overrides)).flatMap(c => c.objects) as Obj[];
}
const loggingChart = (env: string, overrides?: unknown) => renderCharts(loadEnvironment(env, overrides)).find(c => c.id === 'logging')!;
const find = (objects: Obj[], kind: string, name: string, namespace?: string) =>
  objects.find(o => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
const LOGGING_NAMESPACES = ['logging', 'node-agents'];

describe.each(ENVS)('logging in %s', env => {
  const objects = objectsOf(env);
  const chart = loggingChart(env);

  it('is rendered as chart 10-logging (wave 1), after the namespaces', () => {
    expect(chart.wave).toBe(1);
    expect(renderEnvironment(loadEnvironment(env)).map(f => f.name)).toContain('10-logging.k8s.yaml');
    const ns = renderCharts(loadEnvironment(env)).find(c => c.id === 'namespaces')!.objects;
    expect(ns.filter(o => o.kind === 'Namespace').map(o => o.metadata.name)).toEqual(expect.arrayContaining(LOGGING_NAMESPACES));
  });

  it('passes every review rule (schema, pod security, hardening, probes, resources, images, secrets, selectors)', () => {
    expect(validateManifests(objects).map(formatProblem)).toEqual([]);
  });

  it('keeps to the Pod Security level of each namespace: logging restricted, node-agents privileged with a reason', () => {
    expect(namespacePodSecurityLevel(objects, 'logging')).toBe('restricted');
    expect(namespacePodSecurityLevel(objects, 'node-agents')).toBe('privileged');
    expect(find(objects, 'Namespace', 'node-agents')!.metadata.annotations!['platform.dockercoins.io/pod-security-reason']).toMatch(/node agents/i);
    expect(checkObjectsPodSecurity(objects)).toEqual([]);
    // The exception is real: Fluent Bit would not be admitted under baseline.
    const fb = find(objects, 'DaemonSet', 'fluent-bit', 'node-agents')!;
    expect(checkPodSecurity(fb.spec.template.spec, 'baseline').map(v => v.rule)).toEqual(expect.arrayContaining(['host-path-volumes']));
  });

  it('gives every container probes (or a waiver for init containers), explicit resources and an explicit namespace', () => {
    const workloads = chart.objects.filter(o => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)) as Obj[];
    expect(workloads.map(w => `${w.kind}/${w.metadata.name}`).sort()).toEqual(['DaemonSet/fluent-bit', 'Deployment/kibana', 'StatefulSet/elasticsearch']);
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        expect([c.name, !!c.readinessProbe, !!c.livenessProbe]).toEqual([c.name, true, true]);
      }
      for (const c of [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])]) {
        for (const side of ['requests', 'limits']) expect(Object.keys(c.resources[side]).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
      }
    }
    for (const o of chart.objects.filter(o => !['ClusterRole', 'ClusterRoleBinding'].includes(o.kind))) {
      expect([o.kind, o.metadata.name, LOGGING_NAMESPACES.includes(o.metadata.namespace!)]).toEqual([o.kind, o.metadata.name, true]);
    }
  });

  it('labels every object with the recommended labels and selects on name + instance only', () => {
    for (const o of chart.objects) {
      expect(Object.keys(o.metadata.labels as object)).toEqual(expect.arrayContaining([
        'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by',
      ]));
      const selector = (o as Obj).spec?.selector?.matchLabels;
      if (selector) expect(Object.keys(selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    }
  });

  it('runs Elasticsearch and Kibana from the same version, and pins every image', () => {
    const es = find(objects, 'StatefulSet', 'elasticsearch', 'logging')!.spec.template.spec.containers[0].image;
    const kb = find(objects, 'Deployment', 'kibana', 'logging')!.spec.template.spec.containers[0].image;
    expect(es).toBe('docker.elastic.co/elasticsearch/elasticsearch:8.15.3');
    expect(kb).toBe('docker.elastic.co/kibana/kibana:8.15.3');
    expect(find(objects, 'DaemonSet', 'fluent-bit', 'node-agents')!.spec.template.spec.containers[0].image).toBe('cr.fluentbit.io/fluent/fluent-bit:3.1.9');
  });

  it('declares the Secrets it needs (never renders them); the elastic password only in the logging namespace, Fluent Bit\'s own in both', () => {
    expect(chart.objects.filter(o => o.kind === 'Secret')).toEqual([]);
    const declared = chart.secrets.map(s => `${s.namespace}/${s.name}`).sort();
    expect(declared).toEqual(expect.arrayContaining(['logging/elasticsearch-credentials', 'logging/kibana-credentials', 'logging/fluent-bit-credentials', 'node-agents/fluent-bit-credentials']));
    expect(declared).not.toContain('node-agents/elasticsearch-credentials');
    expect(chart.secrets.find(s => s.name === 'elasticsearch-credentials')!.keys).toEqual({ password: 'elasticPassword' });
    expect(chart.secrets.find(s => s.name === 'elasticsearch-credentials')!.superuserKeys).toEqual(['password']);
    // Every Secret a pod references is declared in the pod's namespace.
    const referenced = new Set<string>();
    for (const o of chart.objects as Obj[]) {
      if (o.kind === 'Ingress') for (const t of o.spec.tls ?? []) referenced.add(`${o.metadata.namespace}/${t.secretName}`);
      const spec = o.spec?.template?.spec;
      if (!spec) continue;
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) referenced.add(`${o.metadata.namespace}/${e.valueFrom.secretKeyRef.name}`);
      }
      for (const v of spec.volumes ?? []) if (v.secret) referenced.add(`${o.metadata.namespace}/${v.secret.secretName}`);
    }
    // ...or is a certificate Secret the chart requested from the environment's source (staging and prod).
    const certificates = chart.certificates.map(c => `${c.namespace}/${c.secretName}`);
    expect([...referenced].sort()).toEqual([...declared, ...certificates].sort());
  });
});

describe('environment sizes', () => {
  const sts = (env: string, overrides?: unknown) => find(objectsOf(env, overrides), 'StatefulSet', 'elasticsearch', 'logging')!;

  it('dev and staging run a single node, prod a three-node cluster with transport TLS', () => {
    expect(sts('dev').spec.replicas).toBe(1);
    expect(sts('staging').spec.replicas).toBe(1);
    expect(sts('prod').spec.replicas).toBe(3);
    expect(loggingChart('dev').secrets.map(s => s.name)).not.toContain(LOGGING_SECRETS.transportTls.name);
    // prod: transport TLS on the node certificate from the environment's source (cert-manager), not a Pulumi secret.
    expect(loggingChart('prod').secrets.map(s => s.name)).not.toContain(LOGGING_SECRETS.transportTls.name);
    const node = loggingChart('prod').certificates.find(c => c.secretName === 'elasticsearch-tls')!;
    expect([node.namespace, [...node.keys].sort(), [...node.usages].sort()]).toEqual(['logging', ['ca.crt', 'tls.crt', 'tls.key'], ['client auth', 'server auth']]);
    // Without a certificate source, a multi-node cluster still gets transport TLS from its Pulumi-created Secret.
    const plain = loggingChart('dev', { nodes: 3, logging: { elasticsearch: { nodes: 3 } } });
    const tls = plain.secrets.find(s => s.name === LOGGING_SECRETS.transportTls.name)!;
    expect(tls.namespace).toBe('logging');
    expect(Object.keys(tls.keys).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
  });

  it('claims storage of the environment class unless overridden', () => {
    const claim = (env: string, o?: unknown) => sts(env, o).spec.volumeClaimTemplates[0].spec;
    expect(claim('prod')).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'replicated', resources: { requests: { storage: '50Gi' } } });
    expect(claim('staging').storageClassName).toBe('standard');
    expect(claim('dev').storageClassName).toBeUndefined();
    expect(claim('prod', { clusterStorageClasses: ['fast-ssd'], logging: { elasticsearch: { storage: { storageClassName: 'fast-ssd', size: '100Gi' } } } }))
      .toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '100Gi' } } });
  });

  it('derives both Elastic images from one version setting', () => {
    const objects = objectsOf('dev', { logging: { elasticVersion: '8.15.5' } });
    expect(find(objects, 'StatefulSet', 'elasticsearch')!.spec.template.spec.containers[0].image).toMatch(/:8\.15\.5$/);
    expect(find(objects, 'Deployment', 'kibana')!.spec.template.spec.containers[0].image).toMatch(/:8\.15\.5$/);
  });

  it('publishes Kibana on the configured host with the ingress class and, in prod, TLS', () => {
    const ing = (env: string) => find(objectsOf(env), 'Ingress', 'kibana', 'logging')!.spec;
    expect(ing('dev')).toMatchObject({ ingressClassName: 'traefik', rules: [{ host: 'kibana.localhost' }] });
    expect(ing('dev').tls).toBeUndefined();
    expect(ing('prod').tls).toEqual([{ hosts: ['kibana.example.com'], secretName: 'kibana-tls' }]);
  });
});

describe('logging config errors', () => {
  function problems(env: string, logging: unknown): string[] {
    try {
      loadEnvironment(env, { logging });
    } catch (e) {
      if (e instanceof ConfigError) return [...e.problems];
      throw e;
    }
    return [];
  }
  it.each([
    ['heap above half the memory limit', 'prod', { elasticsearch: { heap: '3Gi' } },
      'logging.elasticsearch.resources.limits.memory: 4Gi must be at least twice the heap (3Gi)'],
    ['heap not in whole MiB', 'dev', { elasticsearch: { heap: '500M' } }, 'logging.elasticsearch.heap: "500M" must be a whole number of MiB'],
    ['heap too small', 'dev', { elasticsearch: { heap: '128Mi' } }, 'logging.elasticsearch.heap: "128Mi" is below the 256Mi'],
    ['even node count', 'prod', { elasticsearch: { nodes: 2 } }, 'logging.elasticsearch.nodes: must be 1 (single node) or an odd number of at least 3'],
    ['four nodes', 'prod', { elasticsearch: { nodes: 4 } }, 'logging.elasticsearch.nodes: must be 1 (single node) or an odd number of at least 3'],
    ['zero nodes', 'dev', { elasticsearch: { nodes: 0 } }, 'logging.elasticsearch.nodes: must be at least 1, got 0'],
    ['more nodes than Kubernetes nodes', 'prod', { elasticsearch: { nodes: 5 } }, 'logging.elasticsearch.nodes: 5 Elasticsearch nodes need as many Kubernetes nodes (required anti-affinity), but the environment plans 3'],
    ['zero storage', 'dev', { elasticsearch: { storage: { size: '0' } } }, 'logging.elasticsearch.storage.size: must be greater than zero, got "0"'],
    ['bad storage size', 'dev', { elasticsearch: { storage: { size: 'ten gigs' } } }, 'logging.elasticsearch.storage.size: "ten gigs" is not a valid Kubernetes quantity'],
    ['bad storage class', 'dev', { elasticsearch: { storage: { storageClassName: 'Fast_SSD' } } }, 'logging.elasticsearch.storage.storageClassName: "Fast_SSD" is not a valid DNS subdomain name'],
    ['bad Kibana host', 'dev', { kibana: { host: 'https://kibana.example.com/' } }, 'logging.kibana.host: "https://kibana.example.com/" is not a valid DNS host name'],
    ['Elastic 7', 'dev', { elasticVersion: '7.17.25' }, 'logging.elasticVersion: "7.17.25" is not supported: pin an exact Elastic Stack 8.x release'],
    ['floating version', 'dev', { elasticVersion: 'latest' }, 'logging.elasticVersion: "latest" is not supported'],
    ['partial version', 'dev', { elasticVersion: '8.15' }, 'logging.elasticVersion: "8.15" is not supported'],
    ['Fluent Bit latest', 'dev', { fluentBit: { image: { tag: 'latest' } } }, 'logging.fluentBit.image.tag: "latest" is not allowed'],
    ['Fluent Bit limit below request', 'dev', { fluentBit: { resources: { limits: { memory: '16Mi' } } } }, 'logging.fluentBit.resources.limits.memory: 16Mi is below requests.memory 32Mi'],
    ['bad toleration', 'dev', { fluentBit: { tolerations: [{ operator: 'Sometimes' }] } }, 'logging.fluentBit.tolerations[0].operator: must be Exists or Equal'],
    ['Kibana replicas', 'dev', { kibana: { replicas: 0 } }, 'logging.kibana.replicas: must be at least 1, got 0'],
    ['Kibana memory', 'dev', { kibana: { resources: { limits: { memory: '512Mi' } } } }, 'logging.kibana.resources.limits.memory: 512Mi is below the 1Gi Kibana 8 needs'],
    ['bad registry', 'dev', { elasticRegistry: 'https://docker.elastic.co' }, 'logging.elasticRegistry: "https://docker.elastic.co" is not a valid registry host'],
  ])('%s', (_title, env, logging, message) => {
    const found = problems(env, logging);
    expect(found.some(p => p.startsWith(message))).toBe(true);
    if (!found.some(p => p.startsWith(message))) throw new Error(found.join('\n'));
  });

  it('names the environment and refuses unknown fields', () => {
    expect(() => loadEnvironment('prod', { logging: { elasticsearch: { heap: '3Gi' } } })).toThrow(/Invalid configuration for environment "prod"/);
    expect(() => loadEnvironment('dev', { logging: { elasticsearch: { heapSize: '1Gi' } } })).toThrow(/logging\.elasticsearch\.heapSize: unknown field/);
  });

  it('accepts the shipped environments', () => {
    for (const env of ENVS) expect(loadEnvironment(env).logging).toBeDefined();
  });
});

describe('network isolation (NetworkModel over the rendered prod objects)', () => {
  const objects = objectsOf('prod');
  const model = new NetworkModel(objects);
  const ep = (namespace: string, name: string, instance = 'logging'): Endpoint => ({ namespace, labels: selectorLabels({ name, instance }) });
  const es = ep('logging', 'elasticsearch');
  const kibana = ep('logging', 'kibana');
  const fluentBit = ep('node-agents', 'fluent-bit');
  // The rendered Traefik and Prometheus pods: their own egress policies apply too.
  const podLabels = (namespace: string, name: string) => (objects.find(o => o.metadata.namespace === namespace && o.metadata.name === name && o.spec?.template) as any).spec.template.metadata.labels;
  const traefik: Endpoint = { namespace: 'traefik', labels: podLabels('traefik', 'traefik') };
  const prometheus: Endpoint = { namespace: 'monitoring', labels: podLabels('monitoring', 'prometheus') };
  const worker = ep('dockercoins', 'worker', 'dockercoins');
  const otherLogging: Endpoint = { namespace: 'logging', labels: { app: 'debug' } };
  const dns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

  it.each([
    ['fluent-bit -> elasticsearch 9200', fluentBit, es, 9200],
    ['kibana -> elasticsearch 9200', kibana, es, 9200],
    ['elasticsearch -> elasticsearch 9300 (transport)', es, es, 9300],
    ['elasticsearch -> elasticsearch 9200 (health)', es, es, 9200],
    ['ingress controller -> kibana 5601', traefik, kibana, 5601],
    ['prometheus -> fluent-bit 2020 (metrics)', prometheus, fluentBit, 2020],
    ['fluent-bit -> API server', fluentBit, 'external', 6443],
  ] as Array<[string, Endpoint, Endpoint | 'external', number]>)('allows %s', (_t, from, to, port) => {
    expect(model.explain({ from, to, port })).toMatch(/^allowed/);
  });

  it.each([[es], [kibana], [fluentBit]])('allows DNS from %j', from => {
    expect(model.isAllowed({ from, to: dns, port: 53, protocol: 'UDP' })).toBe(true);
    expect(model.isAllowed({ from, to: dns, port: 53, protocol: 'TCP' })).toBe(true);
  });

  it.each([
    ['fluent-bit -> kibana 5601', fluentBit, kibana, 5601],
    ['fluent-bit -> elasticsearch 9300', fluentBit, es, 9300],
    ['kibana -> elasticsearch 9300', kibana, es, 9300],
    ['another namespace (dockercoins worker) -> elasticsearch 9200', worker, es, 9200],
    ['another pod of the logging namespace -> elasticsearch 9200', otherLogging, es, 9200],
    ['ingress controller -> elasticsearch 9200', traefik, es, 9200],
    ['prometheus -> elasticsearch 9200', prometheus, es, 9200],
    ['dockercoins worker -> kibana 5601', worker, kibana, 5601],
    ['outside -> kibana 5601', 'external', kibana, 5601],
    ['outside -> fluent-bit 2020', 'external', fluentBit, 2020],
    ['elasticsearch -> internet 443', es, 'external', 443],
    ['kibana -> internet 443', kibana, 'external', 443],
    ['fluent-bit -> internet 443', fluentBit, 'external', 443],
    ['elasticsearch -> kibana 5601', es, kibana, 5601],
  ] as Array<[string, Endpoint | 'external', Endpoint | 'external', number]>)('denies %s', (_t, from, to, port) => {
    expect(model.explain({ from, to, port })).toMatch(/^denied/);
  });
});
