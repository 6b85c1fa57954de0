/**
 * Regression tests of "Nothing a user does loses files, breaks a deploy or
 * ships wrong YAML silently": one test per item of the issue (the item is in
 * the test title), plus the bugs the catalogue and the config fuzz found.
 * The full table of bad inputs with their exact messages is
 * test/catalogue/config-cases.ts; this file pins the items themselves.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, ENVIRONMENTS, loadEnvironment, validateEnvironment } from '../../src/config';
import { readStackFile } from '../../src/config/stack-config';

const ROOT = path.join(__dirname, '..', '..');

/** The ConfigError a load throws; fails on acceptance or on any other exception (a stack trace for the user). */
function refusal(run: () => unknown): ConfigError {
  try { run(); } catch (e) {
    if (e instanceof ConfigError) return e;
    throw new Error(`expected a ConfigError, got ${(e as Error)?.stack ?? e}`);
  }
  throw new Error('the configuration was accepted');
}

const problems = (env: string, overrides: unknown) => {
  const e = refusal(() => loadEnvironment(env, overrides));
  expect(e.message.split('\n')[0]).toBe(`Invalid configuration for environment "${env}":`);
  return e.problems;
};

/** The environment file, edited: what `npm run synth` validates. */
function editedFile(env: string, change: (overlay: any) => void): readonly string[] {
  const overlay = JSON.parse(JSON.stringify(ENVIRONMENTS[env]));
  change(overlay);
  const e = refusal(() => validateEnvironment(overlay));
  expect(e.environment).toBe(env);
  return e.problems;
}

const dc = (patch: Record<string, unknown>) => ({ dockercoins: [{ name: 'dockercoins', ...patch }] });
const UNIQUE_NS = 'namespaces must be unique (each has one owner, which sets its Pod Security level, quota and policies)';
const SYSTEM_NS = 'is a Kubernetes system namespace; the model would enforce Pod Security, a quota and a default-deny policy on it (cutting off cluster DNS): choose a namespace of its own';

describe('item: a DockerCoins instance namespace that is not its own is refused by name, with the field', () => {
  test.each(['kube-system', 'default', 'kube-public', 'kube-node-lease'])('item: instance namespace %s (a Kubernetes system namespace)', ns => {
    expect(problems('prod', dc({ namespace: ns }))).toEqual([`dockercoins[dockercoins].namespace: "${ns}" ${SYSTEM_NS}`]);
  });

  test.each([
    ['traefik', 'ingress.controllerNamespace'],
    ['logging', 'logging.namespace'],
    ['monitoring', 'edge.monitoring.namespace'],
    ['data', 'stateful.namespace'],
  ])('item: instance namespace %s (owned by %s) is refused naming both fields, and no quota noise follows', (ns, owner) => {
    // The first claimant owns the name; the line names the other field and the instance's.
    expect(problems('prod', dc({ namespace: ns }))).toEqual([`${owner}: "${ns}" is already used by dockercoins[dockercoins].namespace; ${UNIQUE_NS}`]);
  });

  test('item: instance namespace node-agents is refused with the field (it used to crash with a stack trace)', () => {
    expect(problems('prod', dc({ namespace: 'node-agents' }))).toEqual([
      `dockercoins[dockercoins].namespace: "node-agents" is already used by the node agents (node-exporter, Fluent Bit); ${UNIQUE_NS}`,
    ]);
  });

  test('item: instance namespace node-agents through `synth --stack-config`: exit 1, the message, no stack trace, nothing written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-node-agents-'));
    try {
      const file = path.join(dir, 'Pulumi.prod.yaml');
      fs.writeFileSync(file, 'config:\n  dockercoins:environment: prod\n  dockercoins:overrides:\n    dockercoins:\n      - name: dockercoins\n        namespace: node-agents\n');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run.js'), 'synth', '--stack-config', file, '--out', path.join(dir, 'out')], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stderr).toBe(`Invalid configuration for environment "prod":\n  - dockercoins[dockercoins].namespace: "node-agents" is already used by the node agents (node-exporter, Fluent Bit); ${UNIQUE_NS}\nNothing was written.\n`);
      expect(r.status).toBe(1);
      expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('item: quantities with units that cannot be meant name the field (not only quota lines)', () => {
  test.each([
    ["memory '96m'", { limits: { memory: '96m' } }, 'dockercoins[dockercoins].rng.resources.limits.memory: "96m" is 0.096 bytes (the suffix m means milli): write 96Mi for mebibytes'],
    ["memory '1'", { requests: { memory: '1' } }, 'dockercoins[dockercoins].rng.resources.requests.memory: "1" is below 4Mi: no container runs in less (the runtime and the process need a few MiB); did you mean Mi?'],
    ["cpu '2Gi'", { limits: { cpu: '2Gi' } }, 'dockercoins[dockercoins].rng.resources.limits.cpu: "2Gi" has a byte unit, but CPU is counted in cores: write e.g. 500m, 1 or 2'],
    ["cpu '100Mi'", { requests: { cpu: '100Mi' } }, 'dockercoins[dockercoins].rng.resources.requests.cpu: "100Mi" has a byte unit, but CPU is counted in cores: write e.g. 500m, 1 or 2'],
  ])('item: %s is refused at its field, once', (_item, amounts, line) => {
    for (const env of ['dev', 'prod']) {
      const lines = problems(env, dc({ rng: { resources: amounts } }));
      expect(lines).toEqual([line]);
      expect(lines.every(l => !/\.quota\./.test(l))).toBe(true);
    }
  });
});

describe('item: containers above their namespace LimitRange max are refused (admission would refuse the pods)', () => {
  test('item: Redis limits.memory 5Gi under a 4Gi LimitRange max (prod)', () => {
    expect(problems('prod', dc({ redis: { resources: { requests: { memory: '5Gi' }, limits: { memory: '5Gi' } } } }))).toEqual([
      'dockercoins[dockercoins].redis.resources.limits.memory: 5Gi is above the namespace LimitRange max 4Gi (dockercoins[dockercoins].limitRange.max.memory): admission would refuse the pod; lower the limit or raise the max',
    ]);
  });

  test('item: Postgres cpu 3 under the stateful LimitRange max 2 (prod)', () => {
    expect(problems('prod', { stateful: { postgres: { resources: { requests: { cpu: '3' }, limits: { cpu: '3' } } } } })).toEqual([
      'stateful.postgres.resources.limits.cpu: 3 is above the namespace LimitRange max 2 (stateful.limitRange.max.cpu): admission would refuse the pod; lower the limit or raise the max',
    ]);
  });
});

describe('item: misspelt and misplaced known fields are refused by path', () => {
  test.each([
    ['typo tlsSecretname', dc({ tlsSecretname: 'dockercoins-tls' }), 'dockercoins[dockercoins].tlsSecretname: unknown field; the fields here are availability, hasher, host, limitRange, name, namespace, quota, redis, rng, settings, tlsSecretName, webui, worker'],
    ['typo replicaCount', dc({ worker: { replicaCount: 3 } }), 'dockercoins[dockercoins].worker.replicaCount: unknown field; the fields here are image, replicas, resources'],
    ['misplaced rng.nodePort', dc({ rng: { nodePort: 30081 } }), 'dockercoins[dockercoins].rng.nodePort: unknown field; the fields here are image, resources, tolerations'],
    ['misplaced webui.tolerations', dc({ webui: { tolerations: [{ operator: 'Exists' }] } }), 'dockercoins[dockercoins].webui.tolerations: unknown field; the fields here are image, nodePort, replicas, resources'],
    ['misplaced stateful.postgres.ui', { stateful: { postgres: { ui: { host: 'postgres.example.com' } } } }, 'stateful.postgres.ui: unknown field; the fields here are clientNamespaces, database, image, resources, shmSize, storage, user'],
  ])('item: %s', (_item, overrides, line) => {
    expect(problems('prod', overrides)).toEqual([line]);
  });

  test('item: the same typo in an environment file is refused by path (esbuild does not type-check)', () => {
    expect(editedFile('prod', o => { o.dockercoins[0].tlsSecretname = o.dockercoins[0].tlsSecretName; delete o.dockercoins[0].tlsSecretName; }))
      .toEqual([expect.stringMatching(/^dockercoins\[dockercoins\]\.tlsSecretname: unknown field; /)]);
  });
});

describe('item: one host, two routers', () => {
  test('item: DockerCoins host = Kibana host', () => {
    expect(problems('dev', dc({ host: 'kibana.localhost' }))).toEqual(['logging.kibana.host: "kibana.localhost" is already used by dockercoins[dockercoins].host; hosts must be unique']);
  });

  test('item: Kibana host = Prometheus ingressHost', () => {
    expect(problems('dev', { logging: { kibana: { host: 'prometheus.localhost' } } })).toEqual(['logging.kibana.host: "prometheus.localhost" is already used by edge.monitoring.prometheus.ingressHost; hosts must be unique']);
  });

  test('item: Consul UI host = Traefik dashboardHost (dev)', () => {
    expect(problems('dev', { stateful: { consul: { ui: { host: 'traefik.localhost' } } } })).toEqual(['edge.traefik.dashboardHost: "traefik.localhost" is already used by stateful.consul.ui.host; hosts must be unique']);
  });
});

test("item: storageClass 'replicatd' in prod is refused (claims would stay Pending)", () => {
  expect(problems('prod', { storageClass: 'replicatd' })).toEqual([
    'storageClass: "replicatd" is neither created by this environment (stateful.storageClasses: replicated) nor declared as provided by the cluster (clusterStorageClasses: none); fix the name or declare it',
  ]);
});

test("item: CIDR '10.10.0.5/8' (host bits set) is refused with the canonical form", () => {
  expect(problems('prod', { cluster: { nodeCidrs: ['10.10.0.5/8'] } })).toEqual(['cluster.nodeCidrs[0]: "10.10.0.5/8" has host bits set below the /8 prefix: write 10.0.0.0/8']);
});

test('item: an override given as a map for dockercoins says it is a list of named items', () => {
  expect(problems('prod', { dockercoins: { dockercoins: { worker: { replicas: 3 } } } })).toEqual([
    'dockercoins: must be a list of named items (each with a name; overrides merge by name: [{ name: ..., ... }]), got an object',
  ]);
});

test('item: a duplicate instance name does not say "dockercoins[blue] ... already used by dockercoins[blue]"', () => {
  const lines = editedFile('staging', o => { o.dockercoins[1] = { ...o.dockercoins[1], name: 'blue' }; });
  expect(lines).toEqual(['dockercoins[1].name: "blue" is already used by dockercoins[0].name; instance names must be unique']);
  for (const line of lines) expect(line).not.toMatch(/dockercoins\[blue\].*already used by dockercoins\[blue\]/);
});

describe('item: DEBUG values the DockerCoins images do not understand (they turn debug on only for values starting with "y"; docs/images.md)', () => {
  test.each([
    ['true', 'is not read as on'],
    ['false', 'is not read as on'],
    ['1', 'is not read as on'],
    ['on', 'is not read as on'],
    ['Yes', 'is read as on'],
    ['y', 'is read as on'],
  ])('item: DEBUG %j is refused', (value, verdict) => {
    expect(problems('dev', dc({ settings: { DEBUG: value } }))).toEqual([
      `dockercoins[dockercoins].settings.DEBUG: "${value}" ${verdict} by the DockerCoins images (they test for a value starting with "y"): write "yes" or "no"`,
    ]);
  });

  test.each(['yes', 'no'])('item: DEBUG %j is accepted', value => {
    expect(loadEnvironment('dev', dc({ settings: { DEBUG: value } })).dockercoins[0].settings.DEBUG).toBe(value);
  });
});

describe('found by the catalogue and the config fuzz', () => {
  test('an empty or invalid instance name is shown by index, not as dockercoins[] (fuzz)', () => {
    expect(editedFile('staging', o => { o.dockercoins[0] = { ...o.dockercoins[0], name: '' }; }))
      .toEqual(["dockercoins[0].name: \"\" is not a valid DNS label (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)"]);
  });

  test.each([
    ['a zero request', { requests: { cpu: '0' } }, 'dockercoins[dockercoins].rng.resources.requests.cpu: must be greater than zero, got "0"'],
    ['a negative request', { requests: { cpu: '-100m' } }, 'dockercoins[dockercoins].rng.resources.requests.cpu: must be greater than zero, got "-100m"'],
    ['an unparsable limit', { limits: { memory: '64MB' } }, 'dockercoins[dockercoins].rng.resources.limits.memory: "64MB" is not a valid Kubernetes quantity (e.g. 100m, 0.5, 64Mi, 1Gi)'],
  ])('%s is reported once, not twice (fuzz)', (_label, amounts, line) => {
    expect(problems('dev', dc({ rng: { resources: amounts } }))).toEqual([line]);
  });

  test('an override item without a name is refused as such (it used to replace the whole list and report ten missing fields)', () => {
    expect(problems('staging', { dockercoins: [{ worker: { replicas: 3 } }] })).toEqual([
      'dockercoins[0]: has no name, but override items of dockercoins merge by name into those of staging (blue, green): name the item to change, e.g. [{ name: blue, ... }]',
    ]);
  });

  test('an override item whose name matches no instance says so in one line (a typo of the name)', () => {
    expect(problems('prod', { dockercoins: [{ name: 'dockercoin', worker: { replicas: 12 } }] })).toEqual([
      'dockercoins[dockercoin]: "dockercoin" matches no item of dockercoins in prod (dockercoins), so the override adds a new item, which lacks namespace, host, availability, rng, hasher, worker.resources, webui, redis, quota, limitRange: correct the name to change an existing item, or give every field of a new one',
    ]);
  });

  test('a new instance given in full through an override is still accepted', () => {
    const green = { ...JSON.parse(JSON.stringify(loadEnvironment('staging').dockercoins[1])), name: 'teal', namespace: 'teal', host: 'teal.dockercoins.staging.example.com' };
    expect(loadEnvironment('staging', { dockercoins: [green] }).dockercoins.map(d => d.name)).toEqual(['blue', 'green', 'teal']);
  });

  test('a namespace claimed twice is reported once, without the quota lines of both owners counted together', () => {
    expect(problems('staging', { dockercoins: [{ name: 'green', namespace: 'blue' }] })).toEqual([
      `dockercoins[green].namespace: "blue" is already used by dockercoins[blue].namespace; ${UNIQUE_NS}`,
    ]);
  });

  test('invalid YAML in a stack file names the line and column', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-yaml-'));
    try {
      const file = path.join(dir, 'Pulumi.prod.yaml');
      fs.writeFileSync(file, 'config:\n  dockercoins:environment: prod\n  description: a: b\n');
      const e = refusal(() => readStackFile(file));
      expect(e.problems).toEqual([`--stack-config ${file}: not valid YAML: Nested mappings are not allowed in compact mappings (line 3, column 16)`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
