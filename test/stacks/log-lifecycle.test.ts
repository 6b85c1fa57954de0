/**
 * Elasticsearch snapshots and log retention (issue 13, "Backups and restore
 * drills": "a snapshot repository and a snapshot lifecycle policy, and an
 * index lifecycle policy that deletes log indices after the environment's
 * retention; applied by the setup job, idempotently").
 *
 * Elasticsearch 8's APIs the setup Job calls: PUT _ilm/policy/<name> (create
 * or update), PUT _index_template/<name>, PUT <indices>/_settings,
 * PUT _snapshot/<repo> (verified on every node), PUT _slm/policy/<name>,
 * GET _slm/policy/<name> (`last_success` once a snapshot succeeded) and
 * POST _slm/policy/<name>/_execute. A shared file system repository must be
 * listed in `path.repo` and be the same file system on every node; s3
 * credentials are secure settings (keystore) `s3.client.<name>.access_key`
 * and `secret_key`.
 */
import { execFileSync, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse as parseYaml } from 'yaml';
import { elasticsearchRules } from '../../constructs/elasticsearch-exporter/rules';
import { ELASTICSEARCH_SNAPSHOTS_DIR, keystoreScript } from '../../constructs/elasticsearch';
import { elasticsearchSetupScript, ilmPolicy, logIndexTemplate, slmPolicy, snapshotRepository, SnapshotLifecycle } from '../../constructs/elasticsearch/setup';
import { snapshotsSchema } from '../../constructs/logging/schema';
import { FLUENT_BIT_USER, LOG_LIFECYCLE, LOG_SNAPSHOTS, LOGGING_SECRETS } from '../../constructs/logging/component';
import { K8sObject } from '../../src/analysis/objects';
import { formatProblem, validateManifests } from '../../src/analysis/validate';
import { ConfigError, loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { secretInventory } from '../../src/secrets';
import { dataObjectKeys, keyOf } from '../../src/delivery/model';
import { offeredWorkloads } from '../../src/delivery';
import { find, podSpec } from '../helpers';

const ENVS = ['dev', 'staging', 'prod'] as const;
const objectsOf = (env: string, overrides?: unknown) => renderCharts(loadEnvironment(env, overrides)).flatMap(c => c.objects) as any[];
const setupJob = (objects: any[]) => objects.find(o => o.kind === 'Job' && /^elasticsearch-setup(-[0-9a-f]{8})?$/.test(o.metadata.name));
const setupScript = (objects: any[]) => podSpec(setupJob(objects)).containers[0].command.join(' ');
const esYaml = (objects: any[]) => parseYaml(find(objects, 'ConfigMap', 'elasticsearch-config', 'logging').data['elasticsearch.yml']);
const problems = (env: string, overrides: unknown): string[] => {
  try {
    loadEnvironment(env, overrides);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
};
const S3 = { type: 's3', bucket: 'dockercoins-logs', basePath: 'prod/elasticsearch', endpoint: 'minio.backup.example.com', pathStyleAccess: true, cidrs: ['10.20.0.0/24'], port: 9000 };

describe.each(ENVS)('%s: log retention (ILM), applied by the setup Job', env => {
  const config = loadEnvironment(env);
  const objects = objectsOf(env);
  const script = setupScript(objects);

  test('the ILM policy deletes log indices at logging.retention', () => {
    expect(script).toContain(`PUT /_ilm/policy/${LOG_LIFECYCLE.name} '${JSON.stringify(ilmPolicy(config.logging!.retention))}'`);
    expect(ilmPolicy(config.logging!.retention)).toMatchObject({ policy: { phases: { delete: { min_age: config.logging!.retention, actions: { delete: {} } } } } });
  });

  test('an index template attaches it to exactly the indices Fluent Bit writes (its Logstash_Prefix), and the indices that exist get it too', () => {
    const fluentBitConf = find(objects, 'ConfigMap', 'fluent-bit-config', 'node-agents')?.data ?? {};
    const prefix = /Logstash_Prefix\s+(\S+)/.exec(Object.values(fluentBitConf).join('\n'))![1];
    expect(LOG_LIFECYCLE.indices).toEqual([`${prefix}-*`]);
    expect(LOG_LIFECYCLE.indices).toEqual(FLUENT_BIT_USER.indices);
    expect(script).toContain(`PUT /_index_template/${LOG_LIFECYCLE.name} '${JSON.stringify(logIndexTemplate(LOG_LIFECYCLE))}'`);
    expect(logIndexTemplate(LOG_LIFECYCLE)).toMatchObject({ index_patterns: [`${prefix}-*`], template: { settings: { 'index.lifecycle.name': LOG_LIFECYCLE.name } } });
    expect(script).toContain(`PUT '/${prefix}-*/_settings?allow_no_indices=true&expand_wildcards=open,closed' '{"index.lifecycle.name":"${LOG_LIFECYCLE.name}"}'`);
  });

  test('snapshots where the environment configures them: repository, SLM policy with its schedule and retention', () => {
    const snapshots = config.logging!.elasticsearch.snapshots;
    if (!snapshots) {
      expect(script).not.toContain('_snapshot');
      expect(script).not.toContain('_slm');
      return;
    }
    expect(script).toContain(`PUT /_snapshot/${LOG_SNAPSHOTS.repository} '{"type":"fs","settings":{"location":"${ELASTICSEARCH_SNAPSHOTS_DIR}"}}'`);
    const policy = JSON.parse(/PUT \/_slm\/policy\/nightly-logs '([^']+)'/.exec(script)![1]);
    expect(policy).toEqual({
      schedule: snapshots.schedule, name: '<logs-{now/d}>', repository: LOG_SNAPSHOTS.repository,
      config: { indices: LOG_LIFECYCLE.indices, include_global_state: false, ignore_unavailable: true },
      retention: { expire_after: snapshots.retention.expireAfter, min_count: snapshots.retention.minCount, max_count: snapshots.retention.maxCount },
    });
  });

  test('the setup Job still passes every review rule', () => {
    expect(validateManifests(objects as K8sObject[]).map(formatProblem)).toEqual([]);
  });
});

test('environments: dev keeps no snapshots, staging an fs claim (one node), prod an fs claim every node shares (ReadWriteMany)', () => {
  expect(loadEnvironment('dev').logging!.elasticsearch.snapshots).toBeUndefined();
  expect(loadEnvironment('staging').logging!.elasticsearch.snapshots!.repository).toMatchObject({ type: 'fs', accessMode: 'ReadWriteOnce' });
  expect(loadEnvironment('prod').logging!.elasticsearch.snapshots!.repository).toMatchObject({ type: 'fs', accessMode: 'ReadWriteMany' });
  expect(ENVS.map(e => loadEnvironment(e).logging!.retention)).toEqual(['3d', '7d', '30d']);
});

describe('fs repository: one claim in path.repo, mounted by every node at the same path', () => {
  test.each(['staging', 'prod'])('%s', env => {
    const config = loadEnvironment(env);
    const repo = config.logging!.elasticsearch.snapshots!.repository as { size: string; accessMode: string };
    const objects = objectsOf(env);
    expect(esYaml(objects)['path.repo']).toEqual([ELASTICSEARCH_SNAPSHOTS_DIR]);
    const claim = find(objects, 'PersistentVolumeClaim', 'elasticsearch-snapshots', 'logging');
    expect(claim.spec).toEqual({ accessModes: [repo.accessMode], storageClassName: config.storageClass, resources: { requests: { storage: repo.size } } });
    const sts = find(objects, 'StatefulSet', 'elasticsearch', 'logging');
    expect(podSpec(sts).volumes).toContainEqual({ name: 'snapshots', persistentVolumeClaim: { claimName: 'elasticsearch-snapshots' } });
    expect(podSpec(sts).containers[0].volumeMounts).toContainEqual({ name: 'snapshots', mountPath: ELASTICSEARCH_SNAPSHOTS_DIR });
    // It holds data: every delivery engine protects it like the other claims.
    expect(dataObjectKeys(offeredWorkloads(config)).has(keyOf(claim))).toBe(true);
  });
  test('dev renders no snapshot claim and no path.repo', () => {
    const objects = objectsOf('dev');
    expect(objects.find(o => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'elasticsearch-snapshots')).toBeUndefined();
    expect(esYaml(objects)['path.repo']).toBeUndefined();
  });
});

describe('refusals', () => {
  test('an fs repository with several nodes must be ReadWriteMany: ConfigError naming the field', () => {
    const rwo = { logging: { elasticsearch: { snapshots: { repository: { type: 'fs', size: '100Gi', accessMode: 'ReadWriteOnce' } } } } };
    expect(problems('prod', rwo)).toEqual([expect.stringMatching(/^logging\.elasticsearch\.snapshots\.repository\.accessMode: ReadWriteOnce cannot hold the snapshots of 3 nodes: .*set accessMode: ReadWriteMany/)]);
    // The default access mode is ReadWriteOnce, so an fs repository that does not say otherwise is refused the same way.
    expect(snapshotsSchema.parse({ repository: { type: 'fs', size: '1Gi' } }).repository).toMatchObject({ accessMode: 'ReadWriteOnce' });
    // One node: ReadWriteOnce is fine.
    expect(problems('staging', { logging: { elasticsearch: { snapshots: { repository: { type: 'fs', size: '1Gi', accessMode: 'ReadWriteOnce' } } } } })).toEqual([]);
  });
  test.each([
    ['retention in words', { logging: { retention: 'a week' } }, 'logging.retention: "a week" is not an Elasticsearch time value'],
    ['retention in weeks (ILM has no w unit)', { logging: { retention: '2w' } }, 'logging.retention: "2w" is not an Elasticsearch time value'],
    ['a five-field Unix cron', { logging: { elasticsearch: { snapshots: { repository: { type: 'fs', size: '1Gi' }, schedule: '30 1 * * *' } } } }, 'logging.elasticsearch.snapshots.schedule: "30 1 * * *" is not an Elasticsearch cron expression'],
    ['maxCount below minCount', { logging: { elasticsearch: { snapshots: { repository: { type: 'fs', size: '1Gi' }, retention: { minCount: 10, maxCount: 5 } } } } }, 'logging.elasticsearch.snapshots.retention.maxCount: 5 is below minCount 10'],
    ['an s3 repository without the endpoint addresses', { logging: { elasticsearch: { snapshots: { repository: { type: 's3', bucket: 'logs' } } } } }, 'logging.elasticsearch.snapshots.repository.cidrs:'],
    ['a bucket name S3 refuses', { logging: { elasticsearch: { snapshots: { repository: { ...S3, bucket: 'Logs_Bucket' } } } } }, 'logging.elasticsearch.snapshots.repository.bucket: must be an S3 bucket name'],
  ])('%s', (_what, overrides, message) => {
    expect(problems('staging', overrides)).toEqual([expect.stringContaining(message)]);
  });
});

describe('s3 repository (repository-s3, built into Elasticsearch 8)', () => {
  const overrides = { logging: { elasticsearch: { snapshots: { repository: S3 } } } };
  const objects = objectsOf('prod', overrides);
  const sts = find(objects, 'StatefulSet', 'elasticsearch', 'logging');
  const spec = podSpec(sts);

  test('client settings in elasticsearch.yml; no shared claim, no path.repo', () => {
    expect(esYaml(objects)).toMatchObject({
      's3.client.default.endpoint': 'minio.backup.example.com:9000', 's3.client.default.protocol': 'https', 's3.client.default.path_style_access': 'true',
    });
    expect(esYaml(objects)['path.repo']).toBeUndefined();
    expect(objects.find(o => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'elasticsearch-snapshots')).toBeUndefined();
  });

  test('the keys go into the keystore from the Secret, by an init container after the seed, never in a command line or the YAML', () => {
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['seed-config', 'keystore']);
    const keystore = spec.initContainers[1];
    expect(keystore.env).toEqual(expect.arrayContaining([
      { name: 'S3_ACCESS_KEY', valueFrom: { secretKeyRef: { name: LOGGING_SECRETS.snapshotS3.name, key: 'accessKey' } } },
      { name: 'S3_SECRET_KEY', valueFrom: { secretKeyRef: { name: LOGGING_SECRETS.snapshotS3.name, key: 'secretKey' } } },
    ]));
    expect(keystore.command).toEqual(['sh', '-c', keystoreScript()]);
    expect(keystore.command[2]).toContain('elasticsearch-keystore add --stdin --force s3.client.default.access_key');
    expect(keystore.command[2]).toContain('elasticsearch-keystore add --stdin --force s3.client.default.secret_key');
    // The same config directory the node starts from.
    expect(keystore.volumeMounts).toContainEqual({ name: 'config', mountPath: '/usr/share/elasticsearch/config' });
    const inventory = secretInventory(renderCharts(loadEnvironment('prod', overrides)));
    expect(inventory.find(s => s.namespace === 'logging' && s.name === LOGGING_SECRETS.snapshotS3.name)).toMatchObject({ keys: { accessKey: 'elasticSnapshotAccessKey', secretKey: 'elasticSnapshotSecretKey' } });
  });

  test('the nodes may reach the endpoint, and only its addresses on its port', () => {
    const policy = find(objects, 'NetworkPolicy', 'elasticsearch', 'logging');
    const external = policy.spec.egress.filter((r: any) => r.to.some((p: any) => p.ipBlock));
    expect(external).toEqual([{ to: [{ ipBlock: { cidr: '10.20.0.0/24' } }], ports: [{ port: 9000, protocol: 'TCP' }] }]);
  });

  test('the setup Job registers the bucket with the default client', () => {
    expect(setupScript(objects)).toContain(`PUT /_snapshot/logs '${JSON.stringify(snapshotRepository({ type: 's3', bucket: S3.bucket, basePath: S3.basePath }))}'`);
    expect(snapshotRepository({ type: 's3', bucket: S3.bucket, basePath: S3.basePath })).toEqual({ type: 's3', settings: { bucket: S3.bucket, client: 'default', base_path: S3.basePath } });
  });

  test('passes every review rule', () => {
    expect(validateManifests(objects as K8sObject[]).map(formatProblem)).toEqual([]);
  });
});

describe('the setup script against an Elasticsearch stand-in: idempotent, loud on a refusal', () => {
  const FAKE = path.join(__dirname, '..', 'fixtures', 'fake-elasticsearch');
  const snapshots: SnapshotLifecycle = {
    ...LOG_SNAPSHOTS, type: { type: 'fs' }, schedule: '0 30 1 * * ?', retention: { expireAfter: '30d', minCount: 5, maxCount: 50 }, indices: LOG_LIFECYCLE.indices,
  };
  const script = elasticsearchSetupScript([{ ...FLUENT_BIT_USER, password: { name: 'x', key: 'password' } }], { ...LOG_LIFECYCLE, retention: '7d' }, snapshots);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-setup-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (extra: Record<string, string> = {}) => spawnSync('sh', ['-c', script], {
    env: {
      PATH: `${FAKE}:${process.env.PATH}`, FAKE_ES_STATE: path.join(dir, 'state.json'), ELASTICSEARCH_URL: 'http://elasticsearch.logging.svc:9200',
      ELASTIC_PASSWORD: 'e', KIBANA_SYSTEM_PASSWORD: 'k1', FLUENT_BIT_PASSWORD: 'f1', ...extra,
    },
    encoding: 'utf8',
  });
  const state = () => JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));

  test('a second run succeeds, leaves the same objects, and takes no second first snapshot', () => {
    const first = run();
    expect([first.status, first.stderr]).toEqual([0, '']);
    const objectsAfterFirst = state().objects;
    expect(Object.keys(objectsAfterFirst)).toEqual(expect.arrayContaining([
      `/_ilm/policy/${LOG_LIFECYCLE.name}`, `/_index_template/${LOG_LIFECYCLE.name}`, '/kubernetes-*/_settings', '/_snapshot/logs', '/_slm/policy/nightly-logs',
    ]));
    expect(JSON.parse(objectsAfterFirst['/_slm/policy/nightly-logs'])).toEqual(slmPolicy(snapshots));
    expect(state().executed).toEqual(['/_slm/policy/nightly-logs/_execute']);
    const second = run();
    expect([second.status, second.stderr]).toEqual([0, '']);
    expect(state().objects).toEqual(objectsAfterFirst);
    expect(state().executed).toEqual(['/_slm/policy/nightly-logs/_execute']);
    expect(second.stdout).toContain('SLM policy nightly-logs: has a snapshot');
  });

  test.each(['/_ilm/policy/', '/_index_template/', '/_snapshot/logs', '/_slm/policy/nightly-logs'])('a refused %s request fails the Job with the answer', refused => {
    const r = run({ FAKE_ES_FAIL: refused });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('HTTP 400');
    expect(r.stderr).toContain('refused by the test');
  });
});

describe('snapshot alerts from the exporter (--collector.snapshots), only where snapshots are taken', () => {
  test.each(ENVS)('%s', env => {
    const config = loadEnvironment(env);
    const objects = objectsOf(env);
    const args = podSpec(find(objects, 'Deployment', 'elasticsearch-exporter', 'logging')).containers[0].args;
    const rules = elasticsearchRules(config.logging!.elasticsearch.nodes, config.logging!.elasticsearch.snapshots
      ? { repository: LOG_SNAPSHOTS.repository, alertAfter: config.logging!.elasticsearch.snapshots.alertAfter } : undefined).rules as any[];
    const names = rules.map(r => r.alert);
    // The rule file Prometheus loads carries the same rules.
    const prometheusRules = objects.filter(o => o.kind === 'ConfigMap').map(o => Object.values(o.data ?? {}).join('\n')).join('\n');
    if (config.logging!.elasticsearch.snapshots) {
      expect(args).toContain('--collector.snapshots');
      expect(names).toEqual(expect.arrayContaining(['ElasticsearchSnapshotFailed', 'ElasticsearchSnapshotTooOld']));
      expect(rules.find(r => r.alert === 'ElasticsearchSnapshotTooOld').expr)
        .toBe('time() - max by (namespace, repository) (elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds{repository="logs"}) > 129600');
      expect(prometheusRules).toContain('ElasticsearchSnapshotTooOld');
    } else {
      expect(args).not.toContain('--collector.snapshots');
      expect(names).not.toContain('ElasticsearchSnapshotFailed');
      expect(prometheusRules).not.toContain('ElasticsearchSnapshotTooOld');
    }
  });
});

test('the fake curl is executable (the idempotency test runs it from PATH)', () => {
  expect(execFileSync(path.join(__dirname, '..', 'fixtures', 'fake-elasticsearch', 'curl'), ['-X', 'GET', 'http://x:9200/'], { env: { ...process.env, FAKE_ES_STATE: path.join(os.tmpdir(), `fake-es-${process.pid}.json`) } }).toString()).toBe('200');
});
