import { createHash } from 'crypto';
import { App, Chart } from 'cdk8s';
import { DockerCoins } from '../../constructs/dockercoins';
import { PROBES_WAIVED_ANNOTATION } from '../../constructs/lib/probes';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { containers, ENV_NAMES, find, podSpec, podTemplateMeta, renderObjects, workloads } from '../helpers';

const instance = (env: string, name?: string) => loadEnvironment(env).dockercoins.find(d => !name || d.name === name)!;
/** Every DockerCoins instance of every environment. */
const INSTANCES = ENV_NAMES.flatMap(env => ENVIRONMENTS[env].dockercoins.map(d => [env, d.name]));

describe.each(INSTANCES)('DockerCoins in %s, instance %s', (env, name) => {
  const objects = renderObjects(env);
  const cfg = instance(env, name);
  const APP_NS = cfg.namespace;
  // The DockerCoins objects of the namespace (redis-exporter runs there too, part of monitoring).
  const app = objects.filter(o => o.metadata.namespace === APP_NS && o.metadata.labels?.['app.kubernetes.io/part-of'] !== 'monitoring');

  test('the Services have exactly the names and ports the images hard-code', () => {
    const services = app.filter(o => o.kind === 'Service').map((s: any) => [s.metadata.name, s.spec.ports.map((p: any) => p.port)]);
    expect(services).toEqual(expect.arrayContaining([['rng', [80]], ['hasher', [80]], ['redis', [6379]], ['webui', [80]]]));
    expect(app.filter(o => o.kind === 'Service').map(s => s.metadata.name).sort()).toEqual(['hasher', 'redis', 'rng', 'webui']);
  });

  test('each Service selects the pods of its workload by stable labels', () => {
    for (const svc of app.filter(o => o.kind === 'Service') as any[]) {
      const workload = workloads(app).find(w => w.metadata.name === svc.metadata.name)!;
      expect(podTemplateMeta(workload).labels).toMatchObject(svc.spec.selector);
      expect(Object.keys(svc.spec.selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    }
  });

  test('rng is a DaemonSet with the configured tolerations', () => {
    const rng = find(app, 'DaemonSet', 'rng');
    expect(podSpec(rng).tolerations).toEqual(cfg.rng.tolerations);
  });

  test('hasher is autoscaled on CPU (autoscaling/v2) within the configured bounds, and the Deployment leaves replicas to the HPA', () => {
    const hpa = find(app, 'HorizontalPodAutoscaler', 'hasher');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hasher' },
      minReplicas: cfg.hasher.autoscaling.minReplicas,
      maxReplicas: cfg.hasher.autoscaling.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cfg.hasher.autoscaling.targetCpuUtilization } } }],
    });
    expect(find(app, 'Deployment', 'hasher').spec.replicas).toBeUndefined();
  });

  test('worker has the configured replicas and no Service', () => {
    expect(find(app, 'Deployment', 'worker').spec.replicas).toBe(cfg.worker.replicas);
    expect(app.some(o => o.kind === 'Service' && o.metadata.name === 'worker')).toBe(false);
  });

  test('webui has an Ingress of class traefik for the configured host', () => {
    const ingress = find(app, 'Ingress', 'webui');
    expect(ingress.spec.ingressClassName).toBe('traefik');
    expect(ingress.spec.rules).toEqual([{ host: cfg.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'webui', port: { name: 'http' } } } }] } }]);
    // Where the environment has TLS every host has it (the configured Secret, else <first label>-tls); elsewhere none.
    const tls = loadEnvironment(env).certificates.source !== 'none';
    expect(ingress.spec.tls).toEqual(tls ? [{ hosts: [cfg.host], secretName: cfg.tlsSecretName ?? `${cfg.host.split('.')[0]}-tls` }] : undefined);
  });

  test('webui is on a NodePort only where configured', () => {
    const svc = find(app, 'Service', 'webui');
    expect(svc.spec.type).toBe(cfg.webui.nodePort ? 'NodePort' : 'ClusterIP');
    expect(svc.spec.ports[0].nodePort).toBe(cfg.webui.nodePort);
  });

  test('redis keeps data on a claim when persistence is configured, else on an emptyDir', () => {
    const redis = find(app, 'Deployment', 'redis');
    const volumes = podSpec(redis).volumes;
    if (cfg.redis.persistence) {
      const pvc = find(app, 'PersistentVolumeClaim', 'redis-data');
      expect(pvc.spec).toEqual({
        accessModes: ['ReadWriteOnce'],
        storageClassName: cfg.redis.persistence.storageClassName ?? ENVIRONMENTS[env].storageClass,
        resources: { requests: { storage: cfg.redis.persistence.size } },
      });
      expect(volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'redis-data' } });
      expect(redis.spec.strategy).toEqual({ type: 'Recreate' });
    } else {
      expect(volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '256Mi' } });
      expect(app.some(o => o.kind === 'PersistentVolumeClaim')).toBe(false);
    }
  });

  test('images are the released DockerCoins images and a pinned official redis', () => {
    const images = Object.fromEntries(workloads(app).map(w => [w.metadata.name, podSpec(w).containers[0].image]));
    expect(images).toEqual({
      rng: 'dockercoins/rng:v0.1', hasher: 'dockercoins/hasher:v0.1', worker: 'dockercoins/worker:v0.1',
      webui: 'dockercoins/webui:v0.1', redis: 'redis:7.4.2-alpine',
    });
  });

  test('every long-running container has readiness and liveness probes, or a written reason on the pod', () => {
    for (const w of workloads(objects).filter(o => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind))) {
      const waiver = podTemplateMeta(w).annotations?.[PROBES_WAIVED_ANNOTATION];
      for (const { owner, container } of containers(w).filter(c => !(podSpec(w).initContainers ?? []).includes(c.container))) {
        if (waiver?.includes(`${container.name}:`)) continue;
        expect({ owner, readiness: !!container.readinessProbe, liveness: !!container.livenessProbe }).toEqual({ owner, readiness: true, liveness: true });
      }
    }
    expect(podTemplateMeta(find(app, 'Deployment', 'worker')).annotations[PROBES_WAIVED_ANNOTATION]).toMatch(/^worker: .*no health endpoint/);
  });

  test('rng readiness reacts fast while its liveness is lenient (single-threaded server)', () => {
    const c = podSpec(find(app, 'DaemonSet', 'rng')).containers[0];
    expect(c.readinessProbe.periodSeconds * c.readinessProbe.failureThreshold).toBeLessThanOrEqual(10);
    expect(c.livenessProbe.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(c.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(6);
  });

  test('every container sets CPU, memory and ephemeral-storage requests and limits, never the cdk8s-plus defaults', () => {
    for (const w of workloads(objects)) {
      for (const { owner, container } of containers(w)) {
        for (const side of ['requests', 'limits']) {
          expect({ owner, side, keys: Object.keys(container.resources?.[side] ?? {}).sort() })
            .toEqual({ owner, side, keys: ['cpu', 'ephemeral-storage', 'memory'] });
        }
        expect({ owner, defaults: container.resources.requests.cpu === '1000m' && container.resources.requests.memory === '512Mi' }).toEqual({ owner, defaults: false });
      }
    }
  });

  test('resources come from the config', () => {
    const hasher = podSpec(find(app, 'Deployment', 'hasher')).containers[0];
    expect(hasher.resources).toEqual({
      requests: { 'cpu': cfg.hasher.resources.requests.cpu, 'memory': cfg.hasher.resources.requests.memory, 'ephemeral-storage': cfg.hasher.resources.requests.ephemeralStorage },
      limits: { 'cpu': cfg.hasher.resources.limits.cpu, 'memory': cfg.hasher.resources.limits.memory, 'ephemeral-storage': cfg.hasher.resources.limits.ephemeralStorage },
    });
  });

  test('QoS is Guaranteed for redis and Burstable for the rest', () => {
    const qos = Object.fromEntries(workloads(app).map(w => [w.metadata.name, qosClass(podSpec(w))]));
    expect(qos).toEqual({ rng: 'Burstable', hasher: 'Burstable', worker: 'Burstable', webui: 'Burstable', redis: 'Guaranteed' });
  });

  test('pods run hardened: numeric non-root identity, no escalation, drop ALL, RuntimeDefault seccomp, read-only root with an emptyDir /tmp', () => {
    for (const w of workloads(app)) {
      const spec = podSpec(w);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(Number.isInteger(spec.securityContext.runAsGroup)).toBe(true);
      for (const { owner, container } of containers(w)) {
        expect({ owner, sc: container.securityContext }).toMatchObject({ owner, sc: {
          allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true,
        } });
        expect(container.securityContext.capabilities.add).toBeUndefined();
        const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
        expect({ owner, tmpVolume: spec.volumes.find((v: any) => v.name === tmp?.name)?.emptyDir !== undefined }).toEqual({ owner, tmpVolume: true });
      }
    }
  });

  test('the port-80 apps bind as non-root through the unprivileged-port sysctl', () => {
    for (const name of ['rng', 'hasher', 'webui']) {
      const w = workloads(app).find(o => o.metadata.name === name)!;
      expect(podSpec(w).securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
    }
    expect(podSpec(find(app, 'Deployment', 'redis')).securityContext.sysctls).toBeUndefined();
  });

  test('one ServiceAccount per workload, without a mounted token', () => {
    for (const w of workloads(app)) {
      const spec = podSpec(w);
      expect(spec.serviceAccountName).toBe(w.metadata.name);
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(find(app, 'ServiceAccount', w.metadata.name).automountServiceAccountToken).toBe(false);
    }
  });

  test('rollouts never drop below the desired count and wait for readiness', () => {
    for (const w of workloads(app).filter(o => o.kind !== 'StatefulSet')) {
      const strategy = w.kind === 'DaemonSet' ? w.spec.updateStrategy : w.spec.strategy;
      if (strategy.type === 'Recreate') continue; // redis on a ReadWriteOnce claim
      expect({ name: w.metadata.name, strategy }).toEqual({ name: w.metadata.name, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
      expect(w.spec.minReadySeconds).toBeGreaterThan(0);
    }
  });

  test('grace periods fit the apps: worker ignores SIGTERM, so it is not waited for', () => {
    const grace = Object.fromEntries(workloads(app).map(w => [w.metadata.name, podSpec(w).terminationGracePeriodSeconds]));
    expect(grace.worker).toBeLessThanOrEqual(5);
    expect(grace.redis).toBeGreaterThanOrEqual(30);
  });

  test('non-secret settings come from the environment ConfigMap, with its checksum on every pod template', () => {
    const cm = find(app, 'ConfigMap', 'dockercoins-settings');
    expect(cm.data).toEqual(cfg.settings);
    const checksum = createHash('sha256').update(JSON.stringify(cm.data)).digest('hex');
    for (const name of ['rng', 'hasher', 'worker', 'webui']) {
      const w = workloads(app).find(o => o.metadata.name === name)!;
      expect(podSpec(w).containers[0].envFrom).toEqual([{ configMapRef: { name: 'dockercoins-settings' } }]);
      expect(podTemplateMeta(w).annotations['checksum/settings']).toBe(checksum);
    }
  });

  test('the namespace enforces the restricted Pod Security profile and carries quota and limits from config', () => {
    const ns = find(objects, 'Namespace', APP_NS);
    for (const mode of ['enforce', 'audit', 'warn']) expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
    const quota = find(app, 'ResourceQuota', 'quota');
    expect(quota.spec.hard).toMatchObject({
      'requests.cpu': cfg.quota.requests.cpu, 'requests.memory': cfg.quota.requests.memory,
      'limits.cpu': cfg.quota.limits.cpu, 'limits.memory': cfg.quota.limits.memory, 'pods': cfg.quota.pods,
    });
    const limits = find(app, 'LimitRange', 'container-defaults');
    expect(limits.spec.limits[0]).toMatchObject({ type: 'Container', default: { cpu: cfg.limitRange.defaultLimit.cpu }, defaultRequest: { cpu: cfg.limitRange.defaultRequest.cpu } });
  });

  test('a read-only viewer ServiceAccount is bound to the namespace\'s own read-only viewer Role (no Secrets, no exec)', () => {
    expect(find(app, 'ServiceAccount', 'viewer')).toBeDefined();
    expect(find(app, 'RoleBinding', 'viewer')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'viewer' },
      subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: APP_NS }],
    });
    const rules: any[] = find(app, 'Role', 'viewer', APP_NS).rules;
    expect(rules.flatMap(r => r.verbs).every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    const resources = rules.flatMap(r => r.resources);
    for (const forbidden of ['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', '*']) expect(resources).not.toContain(forbidden);
  });

  test('high availability follows the config: PDBs and node spreading', () => {
    const pdbs = app.filter(o => o.kind === 'PodDisruptionBudget').map(o => o.metadata.name).sort();
    // disruptionBudgets: every Deployment but redis; without it, still every replicated one (the autoscaled hasher).
    const replicated = ['hasher', ...(['webui', 'worker'] as const).filter(n => cfg[n].replicas > 1)];
    expect(pdbs).toEqual(cfg.availability.disruptionBudgets ? ['hasher', 'webui', 'worker'] : replicated.sort());
    const spread = podSpec(find(app, 'Deployment', 'webui')).topologySpreadConstraints;
    if (cfg.availability.spread === 'none') expect(spread).toBeUndefined();
    else expect(spread[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: cfg.availability.spread === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway' });
  });
});

describe('DockerCoins across environments', () => {
  test('dev is a laptop: one replica each; prod is HA: several replicas, PDBs and spread', () => {
    const dev = instance('dev');
    expect([dev.worker.replicas, dev.webui.replicas, dev.hasher.autoscaling.minReplicas]).toEqual([1, 1, 1]);
    const prod = instance('prod');
    expect(Math.min(prod.worker.replicas, prod.webui.replicas, prod.hasher.autoscaling.minReplicas)).toBeGreaterThan(1);
    expect(prod.availability).toEqual({ disruptionBudgets: true, spread: 'required' });
  });

  test('registry and tag are overridable per component', () => {
    const env = loadEnvironment('dev', { dockercoins: [{ name: 'dockercoins', worker: { image: { registry: 'registry.example.com:5000', tag: 'v0.2' } } }] });
    const worker = renderObjects(env).find(o => o.kind === 'Deployment' && o.metadata.name === 'worker')!;
    expect(podSpec(worker).containers[0].image).toBe('registry.example.com:5000/dockercoins/worker:v0.2');
    expect((worker.metadata as any).labels['app.kubernetes.io/version']).toBe('v0.2');
  });

  test('a settings change changes the checksum (and so rolls the pods)', () => {
    const before = podTemplateMeta(find(renderObjects('dev'), 'Deployment', 'worker')).annotations['checksum/settings'];
    const changed = loadEnvironment('dev', { dockercoins: [{ name: 'dockercoins', settings: { DEBUG: 'no' } }] });
    const after = podTemplateMeta(find(renderObjects(changed), 'Deployment', 'worker')).annotations['checksum/settings'];
    expect(after).not.toBe(before);
  });

  test('selectors do not depend on construct ids: renaming a construct keeps every selector', () => {
    const selectors = (id: string) => {
      const app = new App();
      const chart = new Chart(app, `chart-${id}`);
      const cfg = instance('prod', 'dockercoins');
      new DockerCoins(chart, id, {
        instance: cfg.name, namespace: cfg.namespace, settings: cfg.settings,
        ingress: { host: cfg.host, className: 'traefik', controllerNamespace: 'traefik' },
        availability: cfg.availability, rng: cfg.rng, hasher: cfg.hasher, worker: cfg.worker, webui: { ...cfg.webui, nodePortSources: ['10.0.0.0/8'] }, redis: cfg.redis,
      });
      return chart.toJson().filter((o: any) => o.spec?.selector).map((o: any) => [o.kind, o.metadata.name, o.spec.selector]);
    };
    expect(selectors('Renamed')).toEqual(selectors('DockerCoins'));
    expect(JSON.stringify(selectors('DockerCoins'))).not.toContain('cdk8s.io/metadata.addr');
  });

  test('rng tolerations are configurable (e.g. to run on control-plane nodes too)', () => {
    const toleration = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' as const, effect: 'NoSchedule' as const };
    const env = loadEnvironment('dev', { dockercoins: [{ name: 'dockercoins', rng: { tolerations: [toleration] } }] });
    expect(podSpec(find(renderObjects(env), 'DaemonSet', 'rng')).tolerations).toEqual([toleration]);
  });
});

/** The QoS class Kubernetes assigns to a pod spec. */
function qosClass(spec: any): string {
  const all = [...(spec.initContainers ?? []), ...spec.containers];
  const guaranteed = all.every((c: any) => ['cpu', 'memory'].every(r => c.resources?.limits?.[r] && c.resources.limits[r] === (c.resources.requests?.[r] ?? c.resources.limits[r])));
  if (guaranteed) return 'Guaranteed';
  return all.some((c: any) => c.resources?.requests || c.resources?.limits) ? 'Burstable' : 'BestEffort';
}
