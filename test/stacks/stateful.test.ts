import { consulApiPort } from '../../constructs/consul';
import { Yaml } from 'cdk8s';
import { EXTERNAL_PODS_ANNOTATION } from '../../constructs/lib/network';
import { NetworkModel, Endpoint, Flow } from '../../src/analysis/network';
import { K8sObject } from '../../src/analysis/objects';
import { EXTERNAL_PODS_ANNOTATION as ANALYSIS_EXTERNAL_PODS_ANNOTATION, formatProblem, validateManifests } from '../../src/analysis/validate';
import { ENVIRONMENTS, EnvironmentConfig, loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { POSTGRES_SECRET } from '../../constructs/postgres/component';

const ENVS = ['dev', 'staging', 'prod'] as const;
const rendered = Object.fromEntries(ENVS.map(e => {
  const env = loadEnvironment(e);
  return [e, { env, charts: renderCharts(env) }];
})) as Record<string, { env: EnvironmentConfig; charts: ReturnType<typeof renderCharts> }>;
const objectsOf = (e: string): K8sObject[] => rendered[e].charts.flatMap(c => c.objects) as K8sObject[];
const find = (e: string, kind: string, name: string, namespace?: string) =>
  objectsOf(e).find(o => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace))!;

describe.each(ENVS)('%s: stateful services', e => {
  const { env, charts } = rendered[e];
  const s = env.stateful!;
  const objs = objectsOf(e);
  const data = objs.filter(o => o.metadata.namespace === s.namespace);

  test('renders without problems (schema, restricted profile, probes, resources, pinned images, selectors)', () => {
    expect(validateManifests(objs).map(formatProblem)).toEqual([]);
    // Only the client-egress policies select pods an operator starts (psql,
    // curl), and they say so (which waives the netpol-selector rule).
    const external = objs.filter(o => o.kind === 'NetworkPolicy' && o.metadata.annotations?.[EXTERNAL_PODS_ANNOTATION])
      .map(o => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(external.sort()).toEqual([`${s.namespace}/consul-clients`, `${s.namespace}/postgres-clients`]);
  });

  test('the selects-external-pods waiver is needed and needs a reason', () => {
    expect(ANALYSIS_EXTERNAL_PODS_ANNOTATION).toBe(EXTERNAL_PODS_ANNOTATION);
    // Without the model's own client (postgres-exporter), only pods an operator starts would match.
    const withoutExporter = objs.filter(o => !String(o.metadata.labels?.['app.kubernetes.io/name']).startsWith('postgres-exporter'));
    const strip = (reason?: string) => withoutExporter.map(o => (o.kind === 'NetworkPolicy' && o.metadata.name === 'postgres-clients'
      ? { ...o, metadata: { ...o.metadata, annotations: reason === undefined ? undefined : { [EXTERNAL_PODS_ANNOTATION]: reason } } } : o));
    for (const variant of [strip(), strip(' ')]) {
      expect(validateManifests(variant).map(formatProblem)).toEqual([
        `NetworkPolicy ${s.namespace}/postgres-clients: [netpol-selector] podSelector {"matchLabels":{"postgres.dockercoins.io/client":"true"}} matches no pod template in namespace ${s.namespace}`,
      ]);
    }
  });

  test('its namespace is restricted, with quota, LimitRange and default deny, in the namespaces chart (wave 0)', () => {
    const nsChart = charts.find(c => c.id === 'namespaces')!;
    expect(nsChart.wave).toBe(0);
    const ns = nsChart.objects.find(o => o.kind === 'Namespace' && o.metadata.name === s.namespace)!;
    expect((ns.metadata.labels as Record<string, string>)['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const kinds = nsChart.objects.filter(o => o.metadata.namespace === s.namespace).map(o => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['ResourceQuota/quota', 'LimitRange/container-defaults', 'NetworkPolicy/default-deny']));
  });

  test('consul and postgres charts in wave 1, StorageClasses in wave 0', () => {
    const waves = Object.fromEntries(charts.map(c => [c.id, c.wave]));
    expect(waves.consul).toBe(1);
    expect(waves.postgres).toBe(1);
    expect(waves.namespaces).toBe(0);
    if (s.storageClasses?.length) {
      expect(waves.storage).toBe(0);
      const classes = charts.find(c => c.id === 'storage')!.objects;
      expect(classes.map(o => o.kind)).toEqual(s.storageClasses.map(() => 'StorageClass'));
      expect(classes.every(o => o.metadata.namespace === undefined)).toBe(true);
    } else {
      expect(waves.storage).toBeUndefined();
    }
  });

  test('postgres declares its password Secret (never rendered)', () => {
    expect(charts.find(c => c.id === 'postgres')!.secrets).toEqual([expect.objectContaining({
      name: POSTGRES_SECRET.name, namespace: s.namespace, keys: { password: 'postgresPassword' }, superuserKeys: ['password'],
    })]);
    expect(objs.filter(o => o.kind === 'Secret')).toEqual([]);
  });

  test('every namespaced object is explicit about its namespace and carries the recommended labels', () => {
    for (const o of data) {
      for (const l of ['name', 'instance', 'component', 'part-of', 'version', 'managed-by']) {
        expect([`${o.kind}/${o.metadata.name}`, o.metadata.labels?.[`app.kubernetes.io/${l}`]]).toEqual([`${o.kind}/${o.metadata.name}`, expect.any(String)]);
      }
    }
  });

  test('workload selectors use only the stable name and instance labels', () => {
    for (const o of data.filter(x => ['StatefulSet', 'Service', 'PodDisruptionBudget'].includes(x.kind))) {
      const selector = o.kind === 'Service' ? o.spec.selector : o.spec.selector.matchLabels;
      expect(Object.keys(selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    }
  });

  test('Consul: replicas and -bootstrap-expect from config, anti-affinity as configured, quorum-keeping PDB', () => {
    const sts = find(e, 'StatefulSet', 'consul', s.namespace);
    expect(sts.spec.replicas).toBe(s.consul.replicas);
    const config = JSON.parse(find(e, 'ConfigMap', 'consul-config', s.namespace).data['server.json']);
    expect(config.bootstrap_expect).toBe(s.consul.replicas);
    const affinity = sts.spec.template.spec.affinity.podAntiAffinity;
    expect(Object.keys(affinity)).toEqual([s.consul.antiAffinity === 'required'
      ? 'requiredDuringSchedulingIgnoredDuringExecution' : 'preferredDuringSchedulingIgnoredDuringExecution']);
    const pdb = objs.find(o => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'consul');
    if (s.consul.replicas >= 3) expect(pdb!.spec.maxUnavailable).toBe((s.consul.replicas - 1) / 2);
    else expect(pdb).toBeUndefined();
    const tokenObjects = data.filter(o => (o.kind === 'Role' || o.kind === 'RoleBinding') && o.metadata.labels?.['app.kubernetes.io/name'] === 'consul');
    expect(tokenObjects.length).toBe(s.consul.join === 'kubernetes' ? 2 : 0);
    expect(sts.spec.template.spec.automountServiceAccountToken).toBe(s.consul.join === 'kubernetes');
  });

  test('POSTGRES_HOST_AUTH_METHOD=trust never ships (every rendered object scanned)', () => {
    const trustEnv: string[] = [];
    const walk = (v: unknown, where: string): void => {
      if (Array.isArray(v)) { v.forEach((x, i) => walk(x, `${where}[${i}]`)); return; }
      if (v && typeof v === 'object') {
        const r = v as Record<string, unknown>;
        if (r.name === 'POSTGRES_HOST_AUTH_METHOD' && r.value !== 'scram-sha-256') trustEnv.push(`${where}: ${String(r.value)}`);
        for (const [k, x] of Object.entries(r)) walk(x, `${where}.${k}`);
      }
    };
    for (const o of objs) walk(o, `${o.kind}/${o.metadata.name}`);
    expect(trustEnv).toEqual([]);
    expect(Yaml.stringify(...objs)).not.toMatch(/\btrust\b/i);
  });
});

describe('every claim, in every environment, requests the configured size and access mode', () => {
  // A value silently dropped by a cdk8s escape hatch renders as `storage: {}`.
  test.each(ENVS)('%s', e => {
    const { env } = rendered[e];
    const s = env.stateful!;
    const expected: Record<string, { size: string; storageClassName?: string }> = {
      [`${s.namespace}/consul/data`]: { size: s.consul.storage.size, storageClassName: s.consul.storage.storageClassName ?? env.storageClass },
      [`${s.namespace}/postgres/data`]: { size: s.postgres.storage.size, storageClassName: s.postgres.storage.storageClassName ?? env.storageClass },
    };
    const es = env.logging?.elasticsearch;
    if (es) expected['logging/elasticsearch/data'] = { size: es.storage.size, storageClassName: es.storage.storageClassName ?? env.storageClass };
    // An fs snapshot repository: one claim every Elasticsearch node mounts, with its configured access mode.
    const snapshots = es?.snapshots?.repository;
    const accessModes: Record<string, string[]> = {};
    if (snapshots?.type === 'fs') {
      expected['logging/pvc/elasticsearch-snapshots'] = { size: snapshots.size, storageClassName: snapshots.storageClassName ?? env.storageClass };
      accessModes['logging/pvc/elasticsearch-snapshots'] = [snapshots.accessMode];
    }
    const prometheusStorage = env.edge?.monitoring.prometheus.storage;
    if (prometheusStorage?.type === 'persistentVolumeClaim') {
      expected[`${env.edge!.monitoring.namespace}/pvc/prometheus-data`] = { size: prometheusStorage.size, storageClassName: prometheusStorage.storageClassName ?? env.storageClass };
    }
    const backupTarget = (env as any).backups?.target;
    if (backupTarget?.type === 'claim') expected[`${s.namespace}/pvc/backups`] = { size: backupTarget.size, storageClassName: backupTarget.storageClassName ?? env.storageClass };
    for (const d of env.dockercoins) {
      if (d.redis.persistence) expected[`${d.namespace}/pvc/redis-data`] = { size: d.redis.persistence.size, storageClassName: d.redis.persistence.storageClassName ?? env.storageClass };
    }
    const claims: Array<{ key: string; spec: any }> = [];
    for (const o of objectsOf(e)) {
      if (o.kind === 'PersistentVolumeClaim') claims.push({ key: `${o.metadata.namespace}/pvc/${o.metadata.name}`, spec: o.spec });
      for (const t of o.spec?.volumeClaimTemplates ?? []) claims.push({ key: `${o.metadata.namespace}/${o.metadata.name}/${t.metadata.name}`, spec: t.spec });
    }
    expect(claims.map(c => c.key).sort()).toEqual(Object.keys(expected).sort());
    for (const c of claims) {
      expect([c.key, c.spec.accessModes]).toEqual([c.key, accessModes[c.key] ?? ['ReadWriteOnce']]);
      expect([c.key, c.spec.resources]).toEqual([c.key, { requests: { storage: expected[c.key].size } }]);
      expect([c.key, c.spec.storageClassName]).toEqual([c.key, expected[c.key].storageClassName]);
    }
  });

  test('prod claims use the replicated class the platform creates', () => {
    const sc = find('prod', 'StorageClass', 'replicated');
    expect(sc).toMatchObject({ reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true });
    expect(find('prod', 'StatefulSet', 'postgres', 'data').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('replicated');
  });
});

describe('network flows (NetworkModel over the rendered environment)', () => {
  const pod = (namespace: string, labels: Record<string, string>): Endpoint => ({ namespace, labels });
  const consulPod = (e: string): Endpoint => {
    const sts = find(e, 'StatefulSet', 'consul', 'data');
    return { namespace: 'data', labels: sts.spec.template.metadata.labels, name: 'data/consul' };
  };
  const postgresPod = (e: string): Endpoint => {
    const sts = find(e, 'StatefulSet', 'postgres', 'data');
    return { namespace: 'data', labels: sts.spec.template.metadata.labels, name: 'data/postgres' };
  };
  const consulClient = pod('data', { 'consul.dockercoins.io/client': 'true' });
  const postgresClient = pod('data', { 'postgres.dockercoins.io/client': 'true' });
  const unlabelled = pod('data', { app: 'debug' });
  const dns = pod('kube-system', { 'k8s-app': 'kube-dns' });
  const model = (e: string, objs: K8sObject[] = objectsOf(e)) => new NetworkModel(objs);
  const allowed = (m: NetworkModel, f: Flow) => m.isAllowed(f);

  test.each(ENVS)('%s: Consul servers talk RPC and gossip (tcp+udp) to each other', e => {
    const m = model(e);
    const c = consulPod(e);
    for (const [port, protocol] of [[8300, 'TCP'], [8301, 'TCP'], [8301, 'UDP'], [8302, 'TCP'], [8302, 'UDP']] as const) {
      expect([port, protocol, allowed(m, { from: c, to: c, port, protocol })]).toEqual([port, protocol, true]);
    }
    expect(allowed(m, { from: c, to: dns, port: 53, protocol: 'UDP' })).toBe(true);
    expect(allowed(m, { from: c, to: dns, port: 53, protocol: 'TCP' })).toBe(true);
    expect(allowed(m, { from: c, to: c, port: 8600, protocol: 'UDP' })).toBe(false);
  });

  test.each(ENVS)('%s: only labelled clients reach the Consul API (8500, or 8501 with TLS) and Postgres 5432', e => {
    const m = model(e);
    const api = consulApiPort(loadEnvironment(e).certificates.source !== 'none');
    expect(allowed(m, { from: consulClient, to: consulPod(e), port: api })).toBe(true);
    expect(allowed(m, { from: unlabelled, to: consulPod(e), port: api })).toBe(false);
    expect(allowed(m, { from: postgresClient, to: consulPod(e), port: api })).toBe(false);
    expect(allowed(m, { from: postgresClient, to: postgresPod(e), port: 5432 })).toBe(true);
    expect(allowed(m, { from: unlabelled, to: postgresPod(e), port: 5432 })).toBe(false);
    expect(allowed(m, { from: consulClient, to: postgresPod(e), port: 5432 })).toBe(false);
    // Labelled pods of a namespace not listed as a client namespace stay out.
    expect(allowed(m, { from: pod('apps', { 'postgres.dockercoins.io/client': 'true' }), to: postgresPod(e), port: 5432 })).toBe(false);
    expect(allowed(m, { from: pod('apps', { 'consul.dockercoins.io/client': 'true' }), to: consulPod(e), port: api })).toBe(false);
    // Ingress itself refuses unlabelled sources whose own egress is open.
    expect(allowed(m, { from: pod('apps', {}), to: postgresPod(e), port: 5432 })).toBe(false);
    expect(allowed(m, { from: pod('apps', {}), to: consulPod(e), port: api })).toBe(false);
    expect(allowed(m, { from: pod('apps', {}), to: consulPod(e), port: 8301 })).toBe(false);
    // DockerCoins pods are not clients.
    const appNs = ENVIRONMENTS[e].dockercoins[0].namespace;
    const worker = find(e, 'Deployment', 'worker', appNs);
    expect(allowed(m, { from: { namespace: appNs, labels: worker.spec.template.metadata.labels }, to: postgresPod(e), port: 5432 })).toBe(false);
  });

  test('listed client namespaces are admitted', () => {
    const env = loadEnvironment('prod', { stateful: { postgres: { clientNamespaces: ['apps'] }, consul: { clientNamespaces: ['apps'] } } });
    const m = model('prod', renderCharts(env).flatMap(c => c.objects) as K8sObject[]);
    expect(allowed(m, { from: pod('apps', { 'postgres.dockercoins.io/client': 'true' }), to: postgresPod('prod'), port: 5432 })).toBe(true);
    expect(allowed(m, { from: pod('apps', { 'consul.dockercoins.io/client': 'true' }), to: consulPod('prod'), port: consulApiPort(true) })).toBe(true);
    expect(allowed(m, { from: pod('apps', {}), to: postgresPod('prod'), port: 5432 })).toBe(false);
  });

  test('Postgres opens no connections', () => {
    const m = model('prod');
    expect(allowed(m, { from: postgresPod('prod'), to: 'external', port: 443 })).toBe(false);
    expect(allowed(m, { from: postgresPod('prod'), to: consulPod('prod'), port: 8500 })).toBe(false);
    expect(allowed(m, { from: postgresPod('prod'), to: dns, port: 53, protocol: 'UDP' })).toBe(false);
  });

  test('the ingress controller reaches the Consul UI only where a UI host is set (dev)', () => {
    // The rendered Traefik pods (their own egress policy applies too).
    const traefikWorkload = objectsOf('dev').find(o => o.metadata.namespace === 'traefik' && o.spec?.template);
    const traefik = pod('traefik', traefikWorkload!.spec.template.metadata.labels);
    expect(rendered.dev.env.stateful!.consul.ui).toBeDefined();
    expect(allowed(model('dev'), { from: traefik, to: consulPod('dev'), port: 8500 })).toBe(true);
    expect(allowed(model('dev'), { from: traefik, to: consulPod('dev'), port: 8300 })).toBe(false);
    expect(rendered.prod.env.stateful!.consul.ui).toBeUndefined();
    expect(allowed(model('prod'), { from: traefik, to: consulPod('prod'), port: 8500 })).toBe(false);
    expect(objectsOf('prod').some(o => o.kind === 'Ingress' && o.metadata.namespace === 'data')).toBe(false);
    const ing = find('dev', 'Ingress', 'consul-ui', 'data');
    expect(ing.spec.ingressClassName).toBe(rendered.dev.env.ingress.className);
    expect(ing.spec.rules[0].host).toBe(rendered.dev.env.stateful!.consul.ui!.host);
  });

  test('only the Kubernetes join mode (staging) may reach the API server', () => {
    expect(rendered.staging.env.stateful!.consul.join).toBe('kubernetes');
    expect(allowed(model('staging'), { from: consulPod('staging'), to: 'external', port: 6443 })).toBe(true);
    expect(allowed(model('prod'), { from: consulPod('prod'), to: 'external', port: 6443 })).toBe(false);
    expect(allowed(model('staging'), { from: consulPod('staging'), to: 'external', port: 443 })).toBe(false);
  });
});
