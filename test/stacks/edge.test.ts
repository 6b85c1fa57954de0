import { isClusterScoped } from '../../src/analysis/objects';
import { validateManifests, formatProblem } from '../../src/analysis/validate';
import { checkPodSecurity } from '../../src/analysis/pod-security';
import { Endpoint, NetworkModel } from '../../src/analysis/network';
import { podTemplateOf } from '../../src/analysis/objects';
import { loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { ingressBackends, scrapeTargets } from '../../src/config/wiring';
import { container, ENVS, find, maybe, Obj, podSpec, problems, render } from '../helpers/edge';

describe('edge configuration validation', () => {
  const one = (env: string, overrides: unknown) => problems(env, overrides);

  test('the three environments are valid', () => {
    for (const env of ENVS) expect(() => loadEnvironment(env)).not.toThrow();
  });

  test('unknown Traefik mode', () => {
    expect(one('staging', { edge: { traefik: { mode: 'nodePort' } } })).toContain('edge.traefik.mode: must be one of hostPort, loadBalancer, got "nodePort"');
  });

  test('awaitLoadBalancer only with loadBalancer mode', () => {
    expect(one('dev', { ingress: { awaitLoadBalancer: true } })).toContain(
      'ingress.awaitLoadBalancer: must be false with edge.traefik.mode "hostPort": only a LoadBalancer Service gives Ingresses an address, and Pulumi would wait for it forever');
    // false with a load balancer is allowed (Pulumi just does not wait)
    expect(one('prod', { ingress: { awaitLoadBalancer: false } })).toEqual([]);
  });

  test('insecure dashboard only in hostPort mode; dashboardHost only with insecure', () => {
    expect(one('prod', { edge: { traefik: { dashboard: 'insecure' } } })).toContain(
      'edge.traefik.dashboard: "insecure" (unauthenticated API and dashboard) is only allowed with mode "hostPort"; with mode "loadBalancer" use "port-forward-only" or "disabled"');
    expect(one('dev', { edge: { traefik: { dashboard: 'port-forward-only' } } })).toContain(
      'edge.traefik.dashboardHost: is only used with dashboard "insecure"; with "port-forward-only" the dashboard is never routed from an Ingress');
    expect(one('dev', { edge: { traefik: { dashboard: 'open' } } })).toContain('edge.traefik.dashboard: must be one of insecure, port-forward-only, disabled, got "open"');
    expect(one('dev', { edge: { traefik: { dashboardHost: 'http://traefik.localhost' } } })).toContain(
      'edge.traefik.dashboardHost: "http://traefik.localhost" is not a valid DNS host name (e.g. dockercoins.example.com; no scheme, port, path or wildcard)');
  });

  test('switching dev to a load balancer needs its settings and a non-insecure dashboard', () => {
    const p = one('dev', { ingress: { awaitLoadBalancer: true }, edge: { traefik: { mode: 'loadBalancer' } } });
    expect(p).toContain('edge.traefik.loadBalancer: is required with mode "loadBalancer" (replicas and spread of the Deployment)');
    expect(p).toContain('edge.traefik.dashboard: "insecure" (unauthenticated API and dashboard) is only allowed with mode "hostPort"; with mode "loadBalancer" use "port-forward-only" or "disabled"');
    expect(one('staging', { edge: { traefik: { loadBalancer: { replicas: 0 } } } })).toContain('edge.traefik.loadBalancer.replicas: must be at least 1, got 0');
  });

  test('loadBalancer settings are refused in hostPort mode', () => {
    expect(one('dev', { edge: { traefik: { loadBalancer: { replicas: 2, spread: 'none' } } } })).toContain(
      'edge.traefik.loadBalancer: is only used with mode "loadBalancer", but mode is "hostPort"');
  });

  test('retention and scrape interval are Prometheus durations', () => {
    for (const bad of ['15 days', '15', 'd15', '0d', '1.5h']) {
      expect(one('prod', { edge: { monitoring: { prometheus: { retention: bad } } } })).toContain(
        `edge.monitoring.prometheus.retention: "${bad}" is not a valid Prometheus duration (a positive number with a unit ms, s, m, h, d, w or y, e.g. 15d, 12h, 1h30m)`);
    }
    for (const good of ['15d', '12h', '1h30m', '2w']) expect(one('prod', { edge: { monitoring: { prometheus: { retention: good } } } })).toEqual([]);
    expect(one('prod', { edge: { monitoring: { prometheus: { scrapeInterval: 30 } } } })).toContain('edge.monitoring.prometheus.scrapeInterval: must be a string, got 30');
  });

  test('storage: known types, class only for claims, emptyDir within the ephemeral-storage limit', () => {
    expect(one('prod', { edge: { monitoring: { prometheus: { storage: { type: 'hostPath' } } } } })).toContain(
      'edge.monitoring.prometheus.storage.type: must be one of emptyDir, persistentVolumeClaim, got "hostPath"');
    expect(one('dev', { edge: { monitoring: { prometheus: { storage: { storageClassName: 'fast' } } } } })).toContain(
      'edge.monitoring.prometheus.storage.storageClassName: is only used with type "persistentVolumeClaim"');
    expect(one('dev', { edge: { monitoring: { prometheus: { storage: { size: '10Gi' } } } } })).toContain(
      'edge.monitoring.prometheus.resources.limits.ephemeralStorage: 3Gi is below storage.size 10Gi: an emptyDir counts against it and the pod would be evicted');
    expect(one('prod', { edge: { monitoring: { prometheus: { storage: { size: 'lots' } } } } })).toContain(
      'edge.monitoring.prometheus.storage.size: "lots" is not a valid Kubernetes quantity (e.g. 100m, 0.5, 64Mi, 1Gi)');
  });

  test('hosts and namespaces must not collide', () => {
    expect(one('staging', { edge: { monitoring: { prometheus: { ingressHost: 'blue.dockercoins.staging.example.com' } } } })).toContain(
      'edge.monitoring.prometheus.ingressHost: "blue.dockercoins.staging.example.com" is already used by dockercoins[blue].host; hosts must be unique');
    expect(one('staging', { edge: { monitoring: { prometheus: { ingressHost: 'prometheus' } } } })).toContain(
      'edge.monitoring.prometheus.ingressHost: "prometheus" is not a valid DNS host name (e.g. dockercoins.example.com; no scheme, port, path or wildcard)');
    expect(one('prod', { edge: { monitoring: { namespace: 'node-agents' } } })).toContain(
      'edge.monitoring.namespace: "node-agents" is already used by the node agents (node-exporter, Fluent Bit); namespaces must be unique (each has one owner, which sets its Pod Security level, quota and policies)');
    expect(one('prod', { edge: { monitoring: { namespace: 'traefik' } } })).toContain(
      'edge.monitoring.namespace: "traefik" is already used by ingress.controllerNamespace; namespaces must be unique (each has one owner, which sets its Pod Security level, quota and policies)');
    expect(one('prod', { edge: { monitoring: { prometheus: { tlsSecretName: 'prometheus-tls' } } } })).toContain('edge.monitoring.prometheus.tlsSecretName: is only used with ingressHost');
  });

  test('component images are pinned and resources explicit', () => {
    expect(one('prod', { edge: { traefik: { image: { tag: 'latest' } } } })).toContain('edge.traefik.image.tag: "latest" is not allowed: pin an immutable tag so rollouts are reproducible');
    expect(one('prod', { edge: { monitoring: { nodeExporter: { resources: { limits: { memory: '1Mi' } } } } } })).toContain('edge.monitoring.nodeExporter.resources.limits.memory: 1Mi is below requests.memory 32Mi');
    expect(one('dev', { edge: { imageRegistry: { nodePort: 5000 } } })).toContain('edge.imageRegistry.nodePort: must be at least 30000, got 5000');
    expect(one('dev', { edge: { imageRegistry: { nodePort: 30080 } } })).toContain('edge.imageRegistry.nodePort: "30080" is already used by dockercoins[dockercoins].webui.nodePort; node ports must be unique');
    expect(one('prod', { edge: { monitoring: { metricsServer: { enabled: 'yes' } } } })).toContain('edge.monitoring.metricsServer.enabled: must be true or false, got "yes"');
  });

  test('misspelled override fields are refused', () => {
    expect(one('prod', { edge: { traefik: { replicas: 3 } } })).toEqual(['edge.traefik.replicas: unknown field; the fields here are dashboard, dashboardHost, forwardedHeaders, hsts, image, loadBalancer, mode, resources, shutdown']);
  });
});

describe('edge in every environment', () => {
  test.each(ENVS)('%s: every object passes the manifest review (schema, pod security, probes, resources, tags, selectors, backends)', env => {
    expect(validateManifests(render(env) as any).map(formatProblem)).toEqual([]);
  });

  test.each(ENVS)('%s: every pod outside node-agents (and Traefik in hostPort mode) passes restricted', env => {
    const objects = render(env);
    const hostPortTraefik = env === 'dev';
    let checked = 0;
    for (const o of objects) {
      const tpl = podTemplateOf(o as any);
      if (!tpl || o.metadata.namespace === 'node-agents' || (hostPortTraefik && o.metadata.namespace === 'traefik')) continue;
      expect({ object: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, violations: checkPodSecurity(tpl.spec, 'restricted') })
        .toEqual({ object: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, violations: [] });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  test.each(ENVS)('%s: every container has probes, explicit resources and a pinned tag; every object has recommended labels and a namespace when namespaced', env => {
    for (const o of render(env)) {
      expect(o.metadata.labels?.['app.kubernetes.io/name']).toBeDefined();
      expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('cdk8s');
      const clusterScoped = isClusterScoped(o.kind);
      expect(o.metadata.namespace === undefined).toBe(clusterScoped);
      const tpl = podTemplateOf(o as any);
      if (!tpl) continue;
      for (const c of tpl.spec.containers) {
        expect(c.image).not.toMatch(/:latest$/);
        for (const side of ['requests', 'limits']) expect(Object.keys(c.resources[side]).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        if (!tpl.metadata.annotations?.['platform.dockercoins.io/probes-waived']) {
          expect(c.readinessProbe).toBeDefined();
          expect(c.livenessProbe).toBeDefined();
        }
      }
    }
  });

  test('rendering is deterministic', () => {
    for (const env of ENVS) expect(JSON.stringify(render(env))).toBe(JSON.stringify(render(env)));
  });

  test('charts and waves: traefik, registry, metrics-server before the apps; monitoring with the apps', () => {
    const waves = (env: string) => Object.fromEntries(renderCharts(loadEnvironment(env)).map(c => [c.id, c.wave]));
    expect(waves('dev')).toMatchObject({ namespaces: 0, traefik: 1, registry: 1, 'metrics-server': 1, dockercoins: 2, monitoring: 2 });
    expect(waves('prod')).toMatchObject({ namespaces: 0, traefik: 1, dockercoins: 2, monitoring: 2 });
    expect(waves('prod').registry).toBeUndefined();
    // every Namespace is in wave 0
    for (const c of renderCharts(loadEnvironment('dev'))) {
      if (c.id !== 'namespaces') expect(c.objects.filter(o => o.kind === 'Namespace')).toEqual([]);
    }
  });
});

describe('network flows (NetworkPolicy model)', () => {
  const endpoint = (objects: Obj[], kind: string, name: string, namespace: string): Endpoint => {
    const o = find(objects, kind, name, namespace);
    return { namespace, labels: o.spec.template.metadata.labels, name: `${namespace}/${name}` };
  };

  test.each(ENVS)('%s: clients reach Traefik entry points only; Traefik reaches its backends only; Prometheus scrapes its targets only', env => {
    const objects = render(env);
    const model = new NetworkModel(objects as any);
    const traefikKind = env === 'dev' ? 'DaemonSet' : 'Deployment';
    const traefik = endpoint(objects, traefikKind, 'traefik', 'traefik');
    const prometheus = endpoint(objects, 'Deployment', 'prometheus', 'monitoring');
    const ksm = endpoint(objects, 'Deployment', 'kube-state-metrics', 'monitoring');
    const appNs = loadEnvironment(env).dockercoins[0].namespace;
    const webui = endpoint(objects, 'Deployment', 'webui', appNs);
    const redis = endpoint(objects, 'Deployment', 'redis', appNs);
    const worker = endpoint(objects, 'Deployment', 'worker', appNs);
    const allowed = (from: Endpoint | 'external', to: Endpoint | 'external', port: number) => model.isAllowed({ from, to, port });

    expect(allowed('external', traefik, 8000)).toBe(true);
    expect(allowed('external', traefik, 8443)).toBe(true);
    expect(allowed('external', traefik, 8080)).toBe(false); // dashboard/ping entry point
    expect(allowed('external', traefik, 9100)).toBe(false);
    expect(allowed(prometheus, traefik, 9100)).toBe(true);
    expect(allowed(worker, traefik, 9100)).toBe(false);

    expect(allowed(traefik, webui, 80)).toBe(true);
    expect(allowed(traefik, redis, 6379)).toBe(false);
    expect(allowed(traefik, 'external', 443)).toBe(false);
    expect(allowed(traefik, prometheus, 9090)).toBe(env !== 'prod'); // only where Prometheus has an Ingress
    expect(allowed(worker, prometheus, 9090)).toBe(false);
    expect(allowed('external', prometheus, 9090)).toBe(false);

    expect(allowed(prometheus, ksm, 8080)).toBe(true);
    expect(allowed(prometheus, ksm, 8081)).toBe(false);
    expect(allowed(prometheus, webui, 80)).toBe(false);
    expect(allowed(prometheus, 'external', 443)).toBe(false);
    expect(allowed(worker, ksm, 8080)).toBe(false);
  });

  test('egress to addresses outside the pod network: API server for Traefik and Prometheus, kubelets and node-exporter for Prometheus', () => {
    const env = loadEnvironment('prod');
    const objects = render(env);
    const egress = (name: string, ns: string) => find(objects, 'NetworkPolicy', name, ns).spec.egress as any[];
    const api = { to: env.cluster.apiServerCidrs.map(cidr => ({ ipBlock: { cidr } })), ports: [{ port: env.cluster.apiServerPort, protocol: 'TCP' }] };
    expect(egress('traefik', 'traefik')).toContainEqual(api);
    expect(egress('prometheus', 'monitoring')).toContainEqual(api);
    expect(egress('prometheus', 'monitoring')).toContainEqual({
      to: env.cluster.nodeCidrs.map(cidr => ({ ipBlock: { cidr } })), ports: [{ port: 10250, protocol: 'TCP' }, { port: 9100, protocol: 'TCP' }],
    });
    expect(egress('kube-state-metrics', 'monitoring')).toContainEqual(api);
  });

  test('the backend and scrape-target lists follow the config', () => {
    const multi = loadEnvironment('staging', {
      dockercoins: [{ ...loadEnvironment('staging').dockercoins[0], name: 'teal', namespace: 'teal', host: 'teal.staging.example.com' }],
    });
    expect(ingressBackends(multi).map(b => `${b.namespace}:${b.port}`)).toEqual(expect.arrayContaining(['blue:80', 'green:80', 'teal:80', 'monitoring:9090']));
    const objects = render(multi);
    const model = new NetworkModel(objects as any);
    const traefik = find(objects, 'Deployment', 'traefik', 'traefik');
    const teal = find(objects, 'Deployment', 'webui', 'teal');
    expect(model.isAllowed({ from: { namespace: 'traefik', labels: traefik.spec.template.metadata.labels }, to: { namespace: 'teal', labels: teal.spec.template.metadata.labels, ports: [{ containerPort: 80 }] }, port: 80 })).toBe(true);
    expect(scrapeTargets(loadEnvironment('prod', { edge: { monitoring: { kubeStateMetrics: { enabled: false } } } })).map(t => `${t.namespace}:${t.port}`)).not.toContain('monitoring:8080');
  });
});

describe('image registry', () => {
  test('dev: registry:2 pinned, listen address from a ConfigMap, NodePort, emptyDir storage; none elsewhere', () => {
    const objects = render('dev');
    const d = find(objects, 'Deployment', 'registry', 'registry');
    expect(container(d).image).toBe('registry:2.8.3');
    expect(find(objects, 'ConfigMap', 'registry-settings', 'registry').data).toEqual({ REGISTRY_HTTP_ADDR: '0.0.0.0:5000' });
    expect(container(d).envFrom).toEqual([{ configMapRef: { name: 'registry-settings' } }]);
    expect(d.spec.template.metadata.annotations['checksum/settings']).toMatch(/^[0-9a-f]{64}$/);
    expect(find(objects, 'Service', 'registry', 'registry').spec).toMatchObject({ type: 'NodePort', ports: [{ port: 5000, nodePort: 30500, targetPort: 'http' }] });
    expect(podSpec(d).volumes).toContainEqual({ name: 'var-lib-registry', emptyDir: { sizeLimit: '2Gi' } });
    expect(find(objects, 'NetworkPolicy', 'registry', 'registry').spec.ingress).toEqual([{
      from: loadEnvironment('dev').cluster.nodeCidrs.map(cidr => ({ ipBlock: { cidr } })), ports: [{ port: 5000, protocol: 'TCP' }],
    }]);
    for (const env of ['staging', 'prod']) expect(maybe(render(env), 'Deployment', 'registry')).toBeUndefined();
  });

  test('persistent registry storage: a claim and Recreate', () => {
    const objects = render('dev', { clusterStorageClasses: ['local-path'], edge: { imageRegistry: { storage: { type: 'persistentVolumeClaim', size: '10Gi', storageClassName: 'local-path' } } } });
    expect(find(objects, 'PersistentVolumeClaim', 'registry-data', 'registry').spec).toEqual({
      accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '10Gi' } },
    });
    expect(find(objects, 'Deployment', 'registry').spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('pointing DockerCoins images at the registry changes the rendered image references', () => {
    const before = render('dev');
    expect(container(find(before, 'DaemonSet', 'rng', 'dockercoins')).image).toBe('dockercoins/rng:v0.1');
    const registry = '127.0.0.1:30500';
    const after = render('dev', { dockercoins: [{ name: 'dockercoins', rng: { image: { registry } }, hasher: { image: { registry } }, worker: { image: { registry } }, webui: { image: { registry } } }] });
    expect(container(find(after, 'DaemonSet', 'rng', 'dockercoins')).image).toBe('127.0.0.1:30500/dockercoins/rng:v0.1');
    expect(container(find(after, 'Deployment', 'hasher', 'dockercoins')).image).toBe('127.0.0.1:30500/dockercoins/hasher:v0.1');
    expect(container(find(after, 'Deployment', 'worker', 'dockercoins')).image).toBe('127.0.0.1:30500/dockercoins/worker:v0.1');
    expect(container(find(after, 'Deployment', 'webui', 'dockercoins')).image).toBe('127.0.0.1:30500/dockercoins/webui:v0.1');
  });
});
