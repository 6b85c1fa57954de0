import { ConfigError, ENVIRONMENTS, loadEnvironment, validateEnvironment } from '../../src/config';
import { envCopy } from '../helpers';

/** Validates a broken copy of an environment and returns the problems. */
function problemsOf(envName: string, breakIt: (env: any) => void): readonly string[] {
  const env = envCopy(envName);
  breakIt(env);
  try {
    validateEnvironment(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('configuration was accepted');
}

describe('environment configuration', () => {
  test.each(Object.keys(ENVIRONMENTS))('%s is valid', name => {
    expect(() => loadEnvironment(name)).not.toThrow();
  });

  test('the error names the environment, the field and the reason', () => {
    const env = envCopy('prod');
    env.dockercoins[0].worker.replicas = 0;
    expect(() => validateEnvironment(env)).toThrow(
      'Invalid configuration for environment "prod":\n  - dockercoins[dockercoins].worker.replicas: must be at least 1, got 0');
  });

  const cases: Array<[string, string, (env: any) => void, string]> = [
    ['zero replicas', 'dev', e => { e.dockercoins[0].worker.replicas = 0; }, 'dockercoins[dockercoins].worker.replicas: must be at least 1, got 0'],
    ['negative replicas', 'staging', e => { e.dockercoins[0].webui.replicas = -2; }, 'dockercoins[blue].webui.replicas: must be at least 1, got -2'],
    ['fractional replicas', 'prod', e => { e.dockercoins[0].webui.replicas = 1.5; }, 'dockercoins[dockercoins].webui.replicas: must be a whole number, got 1.5'],
    ['replicas given as a string', 'prod', e => { e.dockercoins[0].worker.replicas = '3'; }, 'dockercoins[dockercoins].worker.replicas: must be a whole number, got "3"'],
    ['HPA min above max', 'prod', e => { e.dockercoins[0].hasher.autoscaling.minReplicas = 12; }, 'dockercoins[dockercoins].hasher.autoscaling.minReplicas: 12 is above maxReplicas 10'],
    ['HPA min zero', 'dev', e => { e.dockercoins[0].hasher.autoscaling.minReplicas = 0; }, 'dockercoins[dockercoins].hasher.autoscaling.minReplicas: must be at least 1, got 0'],
    ['HPA target above 100%', 'dev', e => { e.dockercoins[0].hasher.autoscaling.targetCpuUtilization = 150; }, 'dockercoins[dockercoins].hasher.autoscaling.targetCpuUtilization: must be at most 100, got 150'],
    ['limit below request', 'staging', e => { e.dockercoins[0].hasher.resources.limits.memory = '16Mi'; }, 'dockercoins[blue].hasher.resources.limits.memory: 16Mi is below requests.memory 48Mi'],
    // Fuzz counterexample (seed 676638489): an all-digit name would read as an index, so the item is named by its index.
    ['all-digit instance name', 'prod', e => { e.dockercoins[0].name = '32'; e.dockercoins[0].hasher.resources.limits.memory = '1 GB'; }, 'dockercoins[0].hasher.resources.limits.memory: "1 GB" is not a valid Kubernetes quantity (e.g. 100m, 0.5, 64Mi, 1Gi)'],
    ['unparsable quantity', 'dev', e => { e.dockercoins[0].rng.resources.requests.cpu = '100 millicores'; }, 'dockercoins[dockercoins].rng.resources.requests.cpu: "100 millicores" is not a valid Kubernetes quantity (e.g. 100m, 0.5, 64Mi, 1Gi)'],
    ['zero request', 'dev', e => { e.dockercoins[0].rng.resources.requests.memory = '0'; }, 'dockercoins[dockercoins].rng.resources.requests.memory: must be greater than zero, got "0"'],
    ['redis not Guaranteed', 'prod', e => { e.dockercoins[0].redis.resources.limits.cpu = '1'; }, 'dockercoins[dockercoins].redis.resources.limits.cpu: must equal requests.cpu for Guaranteed QoS (requests 500m, limits 1)'],
    ['Burstable workload made Guaranteed', 'dev', e => { const r = e.dockercoins[0].worker.resources; r.limits.cpu = r.requests.cpu; r.limits.memory = r.requests.memory; },
      'dockercoins[dockercoins].worker.resources.limits: equal to requests for CPU and memory, which makes the pod Guaranteed, but this workload is designed as Burstable'],
    ['image tag latest', 'prod', e => { e.dockercoins[0].rng.image.tag = 'latest'; }, 'dockercoins[dockercoins].rng.image.tag: "latest" is not allowed: pin an immutable tag so rollouts are reproducible'],
    ['image tag empty', 'dev', e => { e.dockercoins[0].webui.image.tag = ''; }, 'dockercoins[dockercoins].webui.image.tag: is empty: pin an immutable tag'],
    ['image tag missing', 'dev', e => { delete e.dockercoins[0].hasher.image.tag; }, 'dockercoins[dockercoins].hasher.image.tag: must be a string, got nothing'],
    ['bad image repository', 'dev', e => { e.dockercoins[0].worker.image.repository = 'DockerCoins/Worker'; }, 'dockercoins[dockercoins].worker.image.repository: "DockerCoins/Worker" is not a valid image repository (lower-case path such as dockercoins/rng)'],
    ['bad registry', 'dev', e => { e.dockercoins[0].worker.image.registry = 'https://registry.example.com'; }, 'dockercoins[dockercoins].worker.image.registry: "https://registry.example.com" is not a valid registry host (e.g. registry.example.com:5000)'],
    ['namespace not a DNS label', 'staging', e => { e.dockercoins[0].namespace = 'Docker_Coins'; }, 'dockercoins[blue].namespace: "Docker_Coins" is not a valid DNS label (lower-case letters, digits and \'-\', at most 63 characters, starting and ending with a letter or digit)'],
    ['environment name not a DNS label', 'dev', e => { e.name = 'Dev Env'; }, 'name: "Dev Env" is not a valid DNS label (lower-case letters, digits and \'-\', at most 63 characters, starting and ending with a letter or digit)'],
    ['host with a scheme', 'prod', e => { e.dockercoins[0].host = 'https://dockercoins.example.com'; }, 'dockercoins[dockercoins].host: "https://dockercoins.example.com" is not a valid DNS host name (e.g. dockercoins.example.com; no scheme, port, path or wildcard)'],
    ['single-label host', 'dev', e => { e.dockercoins[0].host = 'dockercoins'; }, 'dockercoins[dockercoins].host: "dockercoins" is not a valid DNS host name (e.g. dockercoins.example.com; no scheme, port, path or wildcard)'],
    ['node port out of range', 'dev', e => { e.dockercoins[0].webui.nodePort = 8080; }, 'dockercoins[dockercoins].webui.nodePort: must be at least 30000, got 8080'],
    ['bad TLS secret name', 'prod', e => { e.dockercoins[0].tlsSecretName = 'DockerCoins TLS'; }, 'dockercoins[dockercoins].tlsSecretName: "DockerCoins TLS" is not a valid DNS subdomain name (lower-case labels separated by dots)'],
    ['bad storage class', 'prod', e => { e.storageClass = 'Fast_SSD'; }, 'storageClass: "Fast_SSD" is not a valid DNS subdomain name (lower-case labels separated by dots)'],
    ['zero redis storage', 'prod', e => { e.dockercoins[0].redis.persistence.size = '0'; }, 'dockercoins[dockercoins].redis.persistence.size: must be greater than zero, got "0"'],
    ['settings key not an env var name', 'dev', e => { e.dockercoins[0].settings['LOG-LEVEL'] = 'debug'; }, 'dockercoins[dockercoins].settings.LOG-LEVEL: "LOG-LEVEL" is not a valid environment variable name'],
    ['settings value not a string', 'dev', e => { e.dockercoins[0].settings.DEBUG = true; }, 'dockercoins[dockercoins].settings.DEBUG: must be a string, got true (quote it in YAML)'],
    ['unknown spread policy', 'prod', e => { e.dockercoins[0].availability.spread = 'always'; }, 'dockercoins[dockercoins].availability.spread: must be one of none, preferred, required, got "always"'],
    ['bad toleration effect', 'dev', e => { e.dockercoins[0].rng.tolerations = [{ key: 'x', operator: 'Exists', effect: 'NoRun' }]; }, 'dockercoins[dockercoins].rng.tolerations[0].effect: must be NoSchedule, PreferNoSchedule or NoExecute, got "NoRun"'],
    ['quota below full-scale pods', 'prod', e => { e.dockercoins[0].quota.pods = 10; }, 'dockercoins[dockercoins].quota.pods: 10 is below the 33 pods needed at full scale: rng 4 (3 nodes + 1 surge), hasher 11 (HPA maximum 10 + 1 surge), worker 11 (10 replicas + 1 surge), webui 4 (3 replicas + 1 surge), redis 1 (one pod, its claim is Recreate), redis-exporter 2 (1 + 1 surge)'],
    ['quota below full-scale CPU', 'prod', e => { e.dockercoins[0].quota.requests.cpu = '2'; }, 'dockercoins[dockercoins].quota.requests.cpu: 2 is below the 5040m the workloads need at full scale: rng 4 (3 nodes + 1 surge), hasher 11 (HPA maximum 10 + 1 surge), worker 11 (10 replicas + 1 surge), webui 4 (3 replicas + 1 surge), redis 1 (one pod, its claim is Recreate), redis-exporter 2 (1 + 1 surge)'],
    ['LimitRange default above max', 'dev', e => { e.dockercoins[0].limitRange.max.memory = '64Mi'; }, 'dockercoins[dockercoins].limitRange.max.memory: 64Mi is below defaultLimit.memory 128Mi'],
    ['bad CIDR', 'prod', e => { e.cluster.apiServerCidrs = ['10.10.0.0/33']; }, 'cluster.apiServerCidrs[0]: "10.10.0.0/33" is not a valid IPv4 CIDR (e.g. 10.0.0.0/16)'],
    ['no instances', 'dev', e => { e.dockercoins = []; }, 'dockercoins: must list at least one instance'],
  ];

  test.each(cases)('refuses %s', (_label, envName, breakIt, message) => {
    expect(problemsOf(envName, breakIt)).toContain(message);
  });

  test('instances each get their own namespace, quota and host', () => {
    const staging = loadEnvironment('staging');
    expect(new Set(staging.dockercoins.map(d => d.namespace)).size).toBe(staging.dockercoins.length);
  });

  const duplicates: Array<[string, (env: any) => void, string]> = [
    ['instance name', e => { e.dockercoins[1].name = 'blue'; }, 'dockercoins[1].name: "blue" is already used by dockercoins[0].name; instance names must be unique'],
    ['namespace', e => { e.dockercoins[1].namespace = 'blue'; }, 'dockercoins[green].namespace: "blue" is already used by dockercoins[blue].namespace; namespaces must be unique (each has one owner, which sets its Pod Security level, quota and policies)'],
    ['host', e => { e.dockercoins[1].host = e.dockercoins[0].host; }, 'dockercoins[green].host: "blue.dockercoins.staging.example.com" is already used by dockercoins[blue].host; hosts must be unique'],
    ['node port', e => { e.dockercoins[0].webui.nodePort = 30080; e.dockercoins[1].webui.nodePort = 30080; }, 'dockercoins[green].webui.nodePort: "30080" is already used by dockercoins[blue].webui.nodePort; node ports must be unique'],
  ];
  test.each(duplicates)('refuses a duplicate %s between instances', (_label, breakIt, message) => {
    expect(problemsOf('staging', breakIt)).toContain(message);
  });

  test('lists every problem at once', () => {
    const problems = problemsOf('dev', e => { e.dockercoins[0].worker.replicas = 0; e.dockercoins[0].rng.image.tag = 'latest'; });
    expect(problems).toHaveLength(2);
  });
});

describe('stack config overrides (Pulumi)', () => {
  test('override one field of an instance, merged by name', () => {
    const env = loadEnvironment('prod', { dockercoins: [{ name: 'dockercoins', worker: { replicas: 4 } }] });
    expect(env.dockercoins[0].worker.replicas).toBe(4);
    expect(env.dockercoins[0].webui.replicas).toBe(ENVIRONMENTS.prod.dockercoins[0].webui.replicas);
  });

  test('optional fields can be set', () => {
    const env = loadEnvironment('staging', { storageClass: 'local-path', clusterStorageClasses: ['local-path'], dockercoins: [{ name: 'blue', tlsSecretName: 'dev-tls' }] });
    expect(env.storageClass).toBe('local-path');
    expect(env.dockercoins[0].tlsSecretName).toBe('dev-tls');
  });

  test('a TLS Secret name without a certificate source is refused (nothing would issue or list it)', () => {
    expect(() => loadEnvironment('dev', { dockercoins: [{ name: 'dockercoins', tlsSecretName: 'dev-tls' }] }))
      .toThrow('dockercoins[dockercoins].tlsSecretName: "dev-tls" names a TLS Secret, but certificates.source is "none"');
  });

  test('overrides are validated like the config', () => {
    expect(() => loadEnvironment('prod', { dockercoins: [{ name: 'dockercoins', hasher: { image: { tag: 'latest' } } }] }))
      .toThrow('dockercoins[dockercoins].hasher.image.tag: "latest" is not allowed');
  });

  test('misspelt fields are refused', () => {
    expect(() => loadEnvironment('prod', { dockercoins: [{ name: 'dockercoins', worker: { replica: 4 } }] }))
      .toThrow('Invalid configuration for environment "prod":\n  - dockercoins[dockercoins].worker.replica: unknown field; the fields here are image, replicas, resources');
  });

  test('unknown environments are refused with the known ones', () => {
    expect(() => loadEnvironment('qa')).toThrow('environment: unknown environment "qa"; known: dev, staging, prod');
  });

  test('the environment name cannot be overridden', () => {
    expect(() => loadEnvironment('dev', { name: 'prod' })).toThrow('name: cannot be overridden');
  });

  test('base environments are not mutated by overrides', () => {
    loadEnvironment('dev', { dockercoins: [{ name: 'dockercoins', worker: { replicas: 3 } }] });
    expect(ENVIRONMENTS.dev.dockercoins[0].worker.replicas).toBe(1);
  });
});
