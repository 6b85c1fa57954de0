/**
 * Each invariant check can fail: for every target it guards in every
 * environment, a copy of the rendered objects broken at that target (a
 * NetworkPolicy removed, a port renamed, a Secret left undeclared...) is
 * reported, naming the object, while the intact objects are not.
 */
import { ENVIRONMENTS } from '../../src/config';
import { K8sObject, objectRef } from '../../src/analysis/objects';
import {
  checkClientNeedsReachable, checkIngressBackendsReachable, checkNamespaceReferences, checkScrapeTargetsReachable, checkSecretsProvided, checkServicesSelectPods,
  namespaceReferences, podsOf, PodRef, secretReads, selectedPods,
} from './checks';
import { CLUSTER_NAMESPACES, clusterNamespaces, copyOf, scenario } from './scenario';

const ENV_NAMES = Object.keys(ENVIRONMENTS);
const SCENARIOS = Object.fromEntries(ENV_NAMES.map(env => [env, scenario(env)]));

/** The NetworkPolicies that select the pod (not the namespace-wide default deny): its own allow-list. */
function ownPolicies(objects: readonly K8sObject[], pod: PodRef): K8sObject[] {
  return objects.filter(o => o.kind === 'NetworkPolicy' && o.metadata.namespace === pod.namespace
    && Object.keys(o.spec?.podSelector?.matchLabels ?? {}).length > 0
    && Object.entries(o.spec.podSelector.matchLabels).every(([k, v]) => pod.endpoint.labels[k] === v));
}

function without(objects: readonly K8sObject[], removed: readonly K8sObject[]): K8sObject[] {
  const refs = new Set(removed.map(objectRef));
  return copyOf(objects.filter(o => !refs.has(objectRef(o))));
}

function find(objects: K8sObject[], ref: string): K8sObject {
  const o = objects.find(x => objectRef(x) === ref);
  if (!o) throw new Error(`${ref} not found`);
  return o;
}

// ------------------------------------------------------------ ingress

const INGRESS_BACKENDS = ENV_NAMES.flatMap(env => {
  const { objects } = SCENARIOS[env];
  return objects.filter(o => o.kind === 'Ingress').flatMap(ing => {
    const svc = objects.find(o => o.kind === 'Service' && o.metadata.namespace === ing.metadata.namespace && o.metadata.name === ing.spec.rules[0].http.paths[0].backend.service.name)!;
    return selectedPods(objects, svc).map(pod => [env, objectRef(ing), objectRef(svc), pod.ref] as const);
  });
});

describe('ingress-backend-reachable can fail', () => {
  test('the rendered environments have Ingress backends to break', () => {
    expect(new Set(INGRESS_BACKENDS.map(([env]) => env))).toEqual(new Set(ENV_NAMES));
  });

  test.each(INGRESS_BACKENDS)('%s: %s is reported once the backend pods of %s (%s) lose their own NetworkPolicy', (env, ing, _svc, podRef) => {
    const s = SCENARIOS[env];
    const opts = { controllers: s.controllers };
    expect(checkIngressBackendsReachable(s.objects, opts)).toEqual([]);
    const pod = podsOf(s.objects).find(p => p.ref === podRef)!;
    const problems = checkIngressBackendsReachable(without(s.objects, ownPolicies(s.objects, pod)), opts);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^ingress-backend-reachable: ${escape(ing)} .*cannot reach ${escape(podRef)} on \\d+/TCP: denied`))]));
  });

  test.each(ENV_NAMES)('%s: every Ingress is reported when the ingress controller loses its own NetworkPolicy (its egress falls back to default deny)', env => {
    const s = SCENARIOS[env];
    const broken = without(s.objects, s.controllers.flatMap(c => ownPolicies(s.objects, c)));
    const problems = checkIngressBackendsReachable(broken, { controllers: s.controllers });
    for (const ing of s.objects.filter(o => o.kind === 'Ingress')) {
      expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(`${objectRef(ing)} `)]));
    }
  });

  test.each(INGRESS_BACKENDS)('%s: %s is reported when %s targets a port %s does not expose', (env, ing, svcRef, podRef) => {
    const s = SCENARIOS[env];
    const broken = copyOf(s.objects);
    for (const p of find(broken, svcRef).spec.ports) p.targetPort = 'no-such-port';
    expect(checkIngressBackendsReachable(broken, { controllers: s.controllers }))
      .toEqual(expect.arrayContaining([expect.stringContaining(`${ing} `), expect.stringContaining(`${podRef} exposes no container port no-such-port/TCP`)]));
  });

  test('an Ingress naming a missing Service, a missing port, or a Service that selects nothing is reported; no controller pod is reported', () => {
    const s = SCENARIOS.dev;
    const [, ing, svcRef] = INGRESS_BACKENDS.find(([env]) => env === 'dev')!;
    const missingService = copyOf(s.objects);
    find(missingService, ing).spec.rules[0].http.paths[0].backend.service.name = 'nothing';
    expect(checkIngressBackendsReachable(missingService, { controllers: s.controllers })).toEqual([expect.stringContaining(`${ing} `)]);
    expect(checkIngressBackendsReachable(missingService, { controllers: s.controllers })[0]).toContain('which is not rendered');
    const missingPort = copyOf(s.objects);
    find(missingPort, ing).spec.rules[0].http.paths[0].backend.service.port = { name: 'nothing' };
    expect(checkIngressBackendsReachable(missingPort, { controllers: s.controllers })).toEqual([expect.stringContaining('has no such port')]);
    const selectsNothing = copyOf(s.objects);
    find(selectsNothing, svcRef).spec.selector = { 'app.kubernetes.io/name': 'nothing' };
    expect(checkIngressBackendsReachable(selectsNothing, { controllers: s.controllers })).toEqual([expect.stringContaining('selects no pod')]);
    expect(checkIngressBackendsReachable(s.objects, { controllers: [] })).toEqual([expect.stringContaining('no ingress controller pod')]);
  });
});

// ------------------------------------------------------------ scraping

const SCRAPE_TARGETS = ENV_NAMES.flatMap(env => podsOf(SCENARIOS[env].objects)
  .filter(p => p.template.metadata.annotations?.['prometheus.io/scrape'] === 'true')
  .map(p => [env, p.ref, p.hostNetwork ? 'host network' : 'pod network'] as const));

describe('scrape-target-reachable can fail', () => {
  test('the rendered environments have annotated scrape targets on both pod and host networks', () => {
    expect(new Set(SCRAPE_TARGETS.map(([, , net]) => net))).toEqual(new Set(['host network', 'pod network']));
  });

  test.each(SCRAPE_TARGETS)('%s: %s (%s) is reported once the path from Prometheus is closed', (env, ref) => {
    const s = SCENARIOS[env];
    const opts = { prometheus: s.prometheus };
    expect(checkScrapeTargetsReachable(s.objects, opts)).toEqual([]);
    const pod = podsOf(s.objects).find(p => p.ref === ref)!;
    const port = Number(pod.template.metadata.annotations!['prometheus.io/port']);
    let broken: K8sObject[];
    if (pod.hostNetwork) {
      // A node address: only Prometheus's own egress rules to node CIDRs on that port admit it.
      broken = copyOf(s.objects);
      for (const server of s.prometheus) {
        for (const policy of ownPolicies(broken, server)) {
          policy.spec.egress = policy.spec.egress.filter((r: any) => !(r.to ?? []).some((p: any) => p.ipBlock) || !(r.ports ?? []).some((p: any) => p.port === port));
        }
      }
    } else {
      broken = without(s.objects, ownPolicies(s.objects, pod));
    }
    expect(checkScrapeTargetsReachable(broken, opts))
      .toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^scrape-target-reachable: ${escape(ref)} .*cannot scrape ${escape(ref)}.* on ${port}/TCP: denied`))]));
  });

  test.each(SCRAPE_TARGETS)('%s: %s (%s) is reported when its prometheus.io/port is not a declared container port', (env, ref) => {
    const s = SCENARIOS[env];
    const broken = copyOf(s.objects);
    const o = broken.find(x => objectRef(x) === ref)!;
    o.spec.template.metadata.annotations['prometheus.io/port'] = '1';
    expect(checkScrapeTargetsReachable(broken, { prometheus: s.prometheus })).toEqual([`scrape-target-reachable: ${ref} (pod annotations): port 1 is not a declared TCP container port of ${ref}`]);
  });

  test('a Service annotated for scraping is checked on its selected pods: reported where Prometheus is not admitted, silent where it is', () => {
    const s = SCENARIOS.dev;
    const webui = copyOf(s.objects);
    const svc = webui.find(o => o.kind === 'Service' && o.metadata.name === 'webui')!;
    svc.metadata.annotations = { 'prometheus.io/scrape': 'true' };
    expect(checkScrapeTargetsReachable(webui, { prometheus: s.prometheus }))
      .toEqual([expect.stringMatching(new RegExp(`^scrape-target-reachable: ${escape(objectRef(svc))} \\(Service annotations\\) -> Deployment ${svc.metadata.namespace}/webui: Prometheus .* cannot scrape .* on 80/TCP: denied`))]);

    const ksm = copyOf(s.objects);
    const target = podsOf(ksm).find(p => p.ref.endsWith('/kube-state-metrics'))!;
    ksm.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ksm-metrics', namespace: target.namespace, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': target.template.metadata.annotations!['prometheus.io/port'] } }, spec: { selector: { 'app.kubernetes.io/name': 'kube-state-metrics' }, ports: [{ port: 80 }] } });
    expect(checkScrapeTargetsReachable(ksm, { prometheus: s.prometheus })).toEqual([]);
  });

  test('annotated targets without a Prometheus to scrape them are reported', () => {
    expect(checkScrapeTargetsReachable(SCENARIOS.dev.objects, { prometheus: [] })).toEqual([expect.stringContaining('no Prometheus pod')]);
  });
});

// ------------------------------------------------------------ Secrets

const SECRET_READS = ENV_NAMES.flatMap(env => secretReads(SCENARIOS[env].objects).map(r => [env, r.pod, r.via, `${r.namespace}/${r.name}`, r.key ?? ''] as const));

describe('secret-provided can fail', () => {
  test('the rendered environments read Secrets (and render none: every one is declared)', () => {
    expect(SECRET_READS.length).toBeGreaterThan(0);
    for (const env of ENV_NAMES) expect(SCENARIOS[env].objects.filter(o => o.kind === 'Secret')).toEqual([]);
  });

  test.each(SECRET_READS)('%s: %s %s is reported when Secret %s is not declared', (env, pod, via, secret) => {
    const s = SCENARIOS[env];
    expect(checkSecretsProvided(s.objects, s.declared)).toEqual([]);
    const declared = s.declared.filter(d => `${d.namespace}/${d.name}` !== secret);
    expect(checkSecretsProvided(s.objects, declared))
      .toContain(`secret-provided: ${pod} ${via} reads Secret ${secret}, which is neither rendered nor declared as a required secret of a chart`);
  });

  test.each(SECRET_READS.filter(r => r[4] !== ''))('%s: %s %s is reported when Secret %s no longer provides key "%s"', (env, pod, via, secret, key) => {
    const s = SCENARIOS[env];
    const declared = s.declared.map(d => (`${d.namespace}/${d.name}` === secret
      ? { ...d, keys: Object.fromEntries(Object.entries(d.keys).filter(([k]) => k !== key)) } : d));
    expect(checkSecretsProvided(s.objects, declared)).toEqual(expect.arrayContaining([expect.stringContaining(`${pod} ${via} reads key "${key}" of Secret ${secret}`)]));
  });

  test('envFrom, secret volumes, projected volumes and image pull secrets are read too; optional reads and rendered Secrets are fine', () => {
    const s = SCENARIOS.dev;
    const broken = copyOf(s.objects);
    const pod = broken.find(o => o.kind === 'Deployment')!;
    const spec = pod.spec.template.spec;
    spec.containers[0].envFrom = [...(spec.containers[0].envFrom ?? []), { secretRef: { name: 'from-env' } }, { secretRef: { name: 'optional-env', optional: true } }];
    spec.volumes = [...(spec.volumes ?? []),
      { name: 'a', secret: { secretName: 'from-volume' } },
      { name: 'b', projected: { sources: [{ secret: { name: 'from-projection', items: [{ key: 'k', path: 'k' }] } }] } },
      { name: 'c', secret: { secretName: 'rendered', items: [{ key: 'present', path: 'p' }] } },
    ];
    spec.imagePullSecrets = [{ name: 'pull' }];
    broken.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'rendered', namespace: pod.metadata.namespace }, data: { present: 'eA==' } });
    const reported = checkSecretsProvided(broken, s.declared).map(p => /reads Secret \S+\/(\S+),/.exec(p)?.[1]);
    expect(reported.sort()).toEqual(['from-env', 'from-projection', 'from-volume', 'pull']);
  });
});

// ------------------------------------------------------------ Services

const SERVICE_PORTS = ENV_NAMES.flatMap(env => SCENARIOS[env].objects.filter(o => o.kind === 'Service')
  .flatMap(svc => (svc.spec.ports as any[]).map(p => [env, objectRef(svc), String(p.name ?? p.port)] as const)));
const SERVICES = [...new Map(SERVICE_PORTS.map(([env, svc]) => [`${env} ${svc}`, [env, svc] as const])).values()];

describe('service-selects-ports can fail', () => {
  test.each(SERVICE_PORTS)('%s: %s port %s is reported when its targetPort is one no selected pod exposes', (env, svcRef, portName) => {
    const s = SCENARIOS[env];
    expect(checkServicesSelectPods(s.objects)).toEqual([]);
    const broken = copyOf(s.objects);
    const port = find(broken, svcRef).spec.ports.find((p: any) => String(p.name ?? p.port) === portName);
    port.targetPort = 65000;
    expect(checkServicesSelectPods(broken)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^service-selects-ports: ${escape(svcRef)} port ${escape(portName)} targets 65000/${port.protocol ?? 'TCP'}, which .* does not expose$`))]));
  });

  test.each(SERVICES)('%s: %s is reported when its selector matches no pod template, or when it has none', (env, svcRef) => {
    const s = SCENARIOS[env];
    const noMatch = copyOf(s.objects);
    find(noMatch, svcRef).spec.selector = { 'app.kubernetes.io/name': 'nothing' };
    expect(checkServicesSelectPods(noMatch)).toEqual([expect.stringMatching(new RegExp(`^service-selects-ports: ${escape(svcRef)} selects no pod template`))]);
    const none = copyOf(s.objects);
    delete find(none, svcRef).spec.selector;
    expect(checkServicesSelectPods(none)).toEqual([`service-selects-ports: ${svcRef} has no selector (its endpoints would be managed by hand)`]);
  });

  test('a Service selecting two workloads of which only one exposes the port is reported for the other', () => {
    const s = SCENARIOS.dev;
    const broken = copyOf(s.objects);
    const ns = s.config.dockercoins[0].namespace;
    const svc = broken.find(o => o.kind === 'Service' && o.metadata.namespace === ns && o.metadata.name === 'redis')!;
    for (const w of broken.filter(o => o.kind === 'Deployment' && o.metadata.namespace === ns && o.metadata.name === 'worker')) {
      w.spec.template.metadata.labels = { ...w.spec.template.metadata.labels, ...svc.spec.selector };
    }
    expect(checkServicesSelectPods(broken)).toEqual([`service-selects-ports: ${objectRef(svc)} port redis targets redis/TCP, which Deployment ${ns}/worker does not expose`]);
  });
});

// ------------------------------------------------------------ namespace references

const REFERENCED = ENV_NAMES.flatMap(env => {
  const { objects } = SCENARIOS[env];
  const rendered = new Set(objects.filter(o => o.kind === 'Namespace').map(o => o.metadata.name));
  return [...new Set(namespaceReferences(objects).filter(r => !r.at.endsWith('metadata.namespace')).map(r => r.namespace))]
    .filter(n => rendered.has(n)).map(n => [env, n] as const);
});

describe('namespace-reference-exists can fail', () => {
  test.each(REFERENCED)('%s: every policy, binding and DNS name referring to namespace %s is reported once the Namespace is gone', (env, ns) => {
    const s = SCENARIOS[env];
    expect(checkNamespaceReferences(s.objects, clusterNamespaces(s.config))).toEqual([]);
    const broken = s.objects.filter(o => !(o.kind === 'Namespace' && o.metadata.name === ns));
    const expected = namespaceReferences(s.objects).filter(r => r.namespace === ns).map(r => expect.stringContaining(`${r.at} refers to namespace "${ns}"`));
    expect(checkNamespaceReferences(broken, clusterNamespaces(s.config))).toEqual(expect.arrayContaining(expected));
  });

  test('a NetworkPolicy peer, a binding subject and a DNS name of a namespace nobody renders are each reported', () => {
    const s = SCENARIOS.dev;
    const broken = copyOf(s.objects);
    const policy = broken.find(o => o.kind === 'NetworkPolicy' && (o.spec.ingress ?? []).length > 0)!;
    policy.spec.ingress[0].from = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ghost-a' } } }];
    const binding = broken.find(o => o.kind === 'ClusterRoleBinding')!;
    binding.subjects[0].namespace = 'ghost-b';
    const config = broken.find(o => o.kind === 'ConfigMap')!;
    config.data = { ...config.data, url: 'http://elasticsearch.ghost-c.svc:9200' };
    expect(checkNamespaceReferences(broken, CLUSTER_NAMESPACES).map(p => /namespace "([^"]+)"/.exec(p)![1]).sort()).toEqual(['ghost-a', 'ghost-b', 'ghost-c']);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ------------------------------------------------------------ offered clients

const CLIENT_NEEDS = ENV_NAMES.flatMap(env => SCENARIOS[env].clients.map((need, i) => [env, `${need.from.namespace}/${need.from.pods['app.kubernetes.io/name']} -> ${need.to.namespace}/${need.to.pods['app.kubernetes.io/name']}:${need.to.port}`, i] as const));

describe('client-need-reachable can fail', () => {
  test('the rendered environments offer client connections (redis-exporter, the Elasticsearch exporter, Grafana), and all hold', () => {
    for (const env of ENV_NAMES) {
      const names = SCENARIOS[env].clients.map(n => n.from.pods['app.kubernetes.io/name']);
      expect(names).toEqual(expect.arrayContaining(['redis-exporter', 'elasticsearch-exporter', 'grafana']));
      expect(checkClientNeedsReachable(SCENARIOS[env].objects, SCENARIOS[env].clients)).toEqual([]);
    }
  });

  test.each(CLIENT_NEEDS)('%s: %s is reported once the server\'s own policy stops admitting the client (its ingress peers removed)', (env, _label, i) => {
    const s = SCENARIOS[env];
    const need = s.clients[i];
    const server = podsOf(s.objects).find(p => p.namespace === need.to.namespace && Object.entries(need.to.pods).every(([k, v]) => p.endpoint.labels[k] === v))!;
    const broken = copyOf(s.objects);
    for (const policy of ownPolicies(broken, server)) {
      policy.spec.ingress = (policy.spec.ingress ?? []).map((rule: any) => ({
        ...rule,
        from: (rule.from ?? []).filter((peer: any) => !Object.entries(peer.podSelector?.matchLabels ?? {}).every(([k, v]) => need.from.pods[k] === v)),
      })).filter((rule: any) => rule.from.length > 0);
    }
    const problems = checkClientNeedsReachable(broken, [need]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^client-need-reachable: .* cannot reach /);
  });

  test('a client or server without pods is reported', () => {
    const { objects } = SCENARIOS.dev;
    const problems = checkClientNeedsReachable(objects, [{ from: { namespace: 'nowhere', pods: { app: 'x' } }, to: { namespace: 'nowhere', pods: { app: 'y' }, port: 80 } }]);
    expect(problems).toEqual([
      'client-need-reachable: nowhere/{"app":"x"} -> nowhere/{"app":"y"}:80: no client pod rendered',
      'client-need-reachable: nowhere/{"app":"x"} -> nowhere/{"app":"y"}:80: no server pod rendered',
    ]);
  });
});
