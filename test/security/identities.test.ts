/**
 * Issue 12, "Traffic and identity": the identities each environment's
 * dist/ gives its clients. Every assertion names the requirement it checks;
 * the committed dist/ is read (the golden test proves it equals the model).
 */
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { K8sObject, loadManifests } from '../../src/analysis/objects';
import { formatProblem, validateManifests } from '../../src/analysis/validate';
import { secretReads } from '../../src/analysis/rules-credentials';
import { SETUP_POD_ANNOTATION, SUPERUSER_CREDENTIALS_ANNOTATION, UNAUTHENTICATED_REASON_ANNOTATION } from '../../constructs/lib/credential-annotations';
import { INSECURE_SKIP_VERIFY_REASON_ANNOTATION } from '../../constructs/lib/verification-annotations';
import { WRITER_INDEX_PRIVILEGES } from '../../constructs/elasticsearch/setup';
import { REDIS_AUTHENTICATION } from '../../constructs/dockercoins';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { secretInventory, superuserCopies } from '../../src/secrets';
import { podSpec, podTemplateMeta, workloads } from '../helpers';

const REQ = {
  fluentBit: 'Fluent Bit writes with its own user whose role can only create documents in its indices',
  kibana: 'Kibana uses kibana_system',
  elastic: 'the elastic password is used by setup only',
  consulGossip: 'Consul: gossip encryption key from a Secret',
  consulAcl: 'Consul: ACLs enabled with default deny',
  consulBootstrap: 'Consul: a bootstrap path that puts no token in git or dist',
  prometheus: 'Prometheus: kubelets and API server scraped with CA verification, the relaxed setting only with a reason',
  redis: 'Redis: the documented reason network policy is the only guard',
  superuser: 'a superuser credential is mounted only in its server and setup pods',
};

const DIST = path.join(__dirname, '..', '..', 'dist');

describe.each(Object.keys(ENVIRONMENTS))('%s', env => {
  const config = loadEnvironment(env);
  const objects = loadManifests([path.join(DIST, env)]);
  const logging = config.logging!.namespace;
  const data = config.stateful!.namespace;
  const monitoring = config.edge!.monitoring.namespace;
  const all = workloads(objects);
  /** Workloads (kind/ns/name prefix) reading a Secret key. */
  const readersOf = (namespace: string, secret: string) => all
    .filter(o => o.metadata.namespace === namespace && secretReads({ metadata: podTemplateMeta(o) ?? {}, spec: podSpec(o) }).some(r => r.secret === secret))
    .map(o => `${o.kind}/${o.kind === 'Job' ? o.metadata.name.replace(/-[0-9a-f]{8}$/, '') : o.metadata.name}`)
    .sort();
  const job = (namespace: string, prefix: string) => {
    const jobs = objects.filter(o => o.kind === 'Job' && o.metadata.namespace === namespace && new RegExp(`^${prefix}-[0-9a-f]{8}$`).test(o.metadata.name));
    expect(jobs).toHaveLength(1);
    return jobs[0] as any;
  };
  const script = (o: any) => podSpec(o).containers[0].command.join(' ');
  const fluentBitConf = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'fluent-bit-config')!.data['fluent-bit.conf'] as string;

  test(`${REQ.fluentBit}: the es output logs in as fluent-bit and only creates documents`, () => {
    expect(fluentBitConf).toMatch(/^\s+HTTP_User\s+fluent-bit$/m);
    expect(fluentBitConf).toMatch(/^\s+Write_Operation\s+create$/m);
    expect(fluentBitConf).not.toMatch(/HTTP_User\s+elastic\b/);
    const ds = all.find(o => o.kind === 'DaemonSet' && o.metadata.name === 'fluent-bit');
    expect(podSpec(ds).containers[0].env).toEqual([{ name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'fluent-bit-credentials', key: 'password' } } }]);
  });

  test(`${REQ.fluentBit}: the setup Job gives fluent-bit exactly create_doc + auto_configure on kubernetes-* and no cluster privilege`, () => {
    const s = script(job(logging, 'elasticsearch-setup'));
    const role = /PUT \/_security\/role\/fluent-bit-writer '([^']+)'/.exec(s);
    expect(role).not.toBeNull();
    expect(JSON.parse(role![1])).toEqual({ cluster: [], indices: [{ names: ['kubernetes-*'], privileges: [...WRITER_INDEX_PRIVILEGES], allow_restricted_indices: false }] });
    expect([...WRITER_INDEX_PRIVILEGES]).toEqual(['create_doc', 'auto_configure']);
    expect(s).toContain('PUT /_security/user/fluent-bit ');
    expect(s).toContain('\\"roles\\":[\\"fluent-bit-writer\\"]');
  });

  test(`${REQ.kibana}: Kibana connects as kibana_system with its own password, set by the setup Job`, () => {
    const kibana = all.find(o => o.kind === 'Deployment' && o.metadata.name === 'kibana');
    const env_ = Object.fromEntries(podSpec(kibana).containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env_.ELASTICSEARCH_USERNAME).toBe('kibana_system');
    expect(env_.ELASTICSEARCH_PASSWORD).toEqual({ secretKeyRef: { name: 'kibana-credentials', key: 'password' } });
    expect(podSpec(kibana).initContainers).toBeUndefined();
    expect(script(job(logging, 'elasticsearch-setup'))).toContain('POST /_security/user/kibana_system/_password');
  });

  test(`${REQ.elastic}: only the Elasticsearch nodes (bootstrap password) and setup Jobs read elasticsearch-credentials, and no other namespace has it`, () => {
    const readers = readersOf(logging, 'elasticsearch-credentials');
    expect(readers).toEqual(expect.arrayContaining(['Job/elasticsearch-setup', 'StatefulSet/elasticsearch']));
    // Any other reader is a setup Job (e.g. elasticsearch-exporter-setup where that exporter runs), marked with its reason.
    for (const r of readers.filter(x => x !== 'StatefulSet/elasticsearch')) {
      expect(r).toMatch(/^Job\//);
      expect(podTemplateMeta(job(logging, r.slice('Job/'.length))).annotations[SETUP_POD_ANNOTATION]).toMatch(/elastic superuser/);
    }
    const elsewhere = all.filter(o => o.metadata.namespace !== logging && secretReads({ metadata: {}, spec: podSpec(o) }).some(r => r.secret === 'elasticsearch-credentials'));
    expect(elsewhere).toEqual([]);
    const es = all.find(o => o.kind === 'StatefulSet' && o.metadata.name === 'elasticsearch');
    expect(podTemplateMeta(es).annotations[SUPERUSER_CREDENTIALS_ANNOTATION]).toBe('elasticsearch-credentials/password');
    expect(podTemplateMeta(job(logging, 'elasticsearch-setup')).annotations[SETUP_POD_ANNOTATION]).toMatch(/elastic superuser/);
  });

  test(`${REQ.consulGossip}: encrypt comes from consul-gossip-key through a file rendered at start on a memory emptyDir; dist carries no key`, () => {
    const sts = all.find(o => o.kind === 'StatefulSet' && o.metadata.name === 'consul');
    const spec = podSpec(sts);
    const init = spec.initContainers.find((c: any) => c.name === 'secrets-config');
    expect(init.command.join(' ')).toContain('"encrypt":"%s"');
    expect(spec.containers[0].command).toContain('-config-file=/consul/run/secrets.json');
    expect(spec.volumes).toContainEqual({ name: 'consul-run', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } });
    expect(spec.volumes).toContainEqual(expect.objectContaining({ name: 'gossip-key', secret: expect.objectContaining({ secretName: 'consul-gossip-key' }) }));
    const server = JSON.parse(objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'consul-config')!.data['server.json']);
    expect(server.encrypt).toBeUndefined();
    expect(server).toMatchObject({ encrypt_verify_incoming: true, encrypt_verify_outgoing: true });
  });

  test(`${REQ.consulAcl}: acl enabled, default_policy deny, token persistence; leave on SIGTERM (no token-needing preStop)`, () => {
    const server = JSON.parse(objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'consul-config')!.data['server.json']);
    expect(server.acl).toEqual({ enabled: true, default_policy: 'deny', down_policy: 'extend-cache', enable_token_persistence: true });
    expect(server.leave_on_terminate).toBe(true);
    const sts = all.find(o => o.kind === 'StatefulSet' && o.metadata.name === 'consul');
    expect(podSpec(sts).containers[0].lifecycle).toBeUndefined();
  });

  test(`${REQ.consulBootstrap}: initial_management from consul-management-token; only the servers and the ACL setup Job read it; no token value anywhere in dist`, () => {
    // The backups' token is created by a second run of the same setup Job (consul-backup-setup), where backups are configured.
    const backupSetup = (config as any).backups?.consul ? ['Job/consul-backup-setup'] : [];
    expect(readersOf(data, 'consul-management-token')).toEqual(['Job/consul-acl-setup', ...backupSetup, 'StatefulSet/consul']);
    const sts = all.find(o => o.kind === 'StatefulSet' && o.metadata.name === 'consul');
    expect(podSpec(sts).initContainers[0].command.join(' ')).toContain('"initial_management":"%s"');
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
    // Prometheus reads Consul's telemetry with its own agent:read token, in a job of its own.
    const prom = parseYaml(objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config')!.data['prometheus.yml']);
    const consulJob = prom.scrape_configs.find((j: any) => j.job_name === `${data}/consul`);
    expect(consulJob).toMatchObject({ metrics_path: '/v1/agent/metrics', params: { format: ['prometheus'] }, authorization: { credentials_file: '/etc/prometheus-credentials/consul-metrics-token/token' } });
    expect(readersOf(monitoring, 'consul-metrics-token')).toEqual(['Deployment/prometheus']);
    expect(podTemplateMeta(sts).annotations['prometheus.io/scrape']).toBeUndefined();
    const acl = script(job(data, 'consul-acl-setup'));
    expect(acl).toContain("policy prometheus-metrics 'Prometheus scrapes /v1/agent/metrics of the Consul servers' 'agent_prefix \"consul-\" {");
    expect(acl).toContain("policy consul-server-agent ");
  });

  test(`${REQ.prometheus}`, () => {
    const cm = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config')!;
    const prom = parseYaml(cm.data['prometheus.yml']);
    const tls = (name: string) => prom.scrape_configs.find((j: any) => j.job_name === name).tls_config;
    const ca = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';
    expect(tls('kubernetes-apiservers')).toEqual({ ca_file: ca, insecure_skip_verify: false });
    const choice = config.edge!.monitoring.prometheus.kubeletTls;
    for (const job of ['kubernetes-nodes', 'kubernetes-cadvisor']) {
      expect(tls(job)).toEqual({ ca_file: ca, insecure_skip_verify: !choice.verify });
    }
    if (choice.verify) expect(cm.metadata.annotations?.[INSECURE_SKIP_VERIFY_REASON_ANNOTATION]).toBeUndefined();
    else expect(cm.metadata.annotations?.[INSECURE_SKIP_VERIFY_REASON_ANNOTATION]).toBe(choice.reason);
    // Which environments relax it is the environment's statement: only the laptop cluster.
    expect(choice.verify).toBe(env !== 'dev');
    // Without its reason the rendered ConfigMap is refused by validate.
    if (!choice.verify) {
      const stripped = structuredClone(objects).map(o => (o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config' ? { ...o, metadata: { ...o.metadata, annotations: undefined } } : o));
      expect(validateManifests(stripped).map(formatProblem).filter(l => l.includes('[insecure-skip-verify]'))).toEqual([
        `ConfigMap ${monitoring}/prometheus-config: [insecure-skip-verify] prometheus.yml: scrape_configs[2].tls_config.insecure_skip_verify skips TLS certificate verification without a reason: verify against the CA, or set annotation ${INSECURE_SKIP_VERIFY_REASON_ANNOTATION}: <why this peer's certificate cannot be verified>`,
        `ConfigMap ${monitoring}/prometheus-config: [insecure-skip-verify] prometheus.yml: scrape_configs[3].tls_config.insecure_skip_verify skips TLS certificate verification without a reason: verify against the CA, or set annotation ${INSECURE_SKIP_VERIFY_REASON_ANNOTATION}: <why this peer's certificate cannot be verified>`,
      ]);
    }
  });

  test(`${REQ.redis}: each DockerCoins Redis carries the reason, runs without requirepass, and admits only worker, webui and its exporter`, () => {
    const redis = all.filter(o => o.kind === 'Deployment' && o.metadata.name === 'redis');
    expect(redis.length).toBe(config.dockercoins.length);
    for (const r of redis) {
      expect(podTemplateMeta(r).annotations[UNAUTHENTICATED_REASON_ANNOTATION]).toBe(REDIS_AUTHENTICATION.reason);
      expect(podSpec(r).containers[0].args.join(' ')).not.toMatch(/requirepass|aclfile/);
      const policy = objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.namespace === r.metadata.namespace && o.metadata.name === 'redis') as any;
      const peers = policy.spec.ingress.flatMap((i: any) => i.from.map((f: any) => f.podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? JSON.stringify(f)));
      expect(peers.sort()).toEqual(expect.arrayContaining(['webui', 'worker']));
      for (const p of peers) expect(['webui', 'worker', 'redis-exporter']).toContain(p);
    }
  });

  test(`${REQ.superuser}: validate passes dist, every declared superuser Secret key fills no other Secret, and SECRETS.md marks them`, () => {
    expect(validateManifests(objects).filter(p => p.rule === 'superuser-credential')).toEqual([]);
    const needs = secretInventory(renderCharts(config));
    expect(superuserCopies(needs)).toEqual([]);
    const superuser = needs.filter(n => n.superuserKeys?.length).map(n => `${n.namespace}/${n.name}`);
    expect(superuser).toEqual(expect.arrayContaining([`${logging}/elasticsearch-credentials`, `${data}/consul-management-token`, `${data}/postgres-auth`]));
    const backupSetup = (config as any).backups?.postgres ? ['Job/postgres-backup-setup'] : [];
    expect(readersOf(data, 'postgres-auth')).toEqual([...backupSetup, 'Job/postgres-exporter-setup', 'StatefulSet/postgres']);
  });

  test(`${REQ.superuser}: a Kibana that still mounted the elastic password, or a second owner, is refused`, () => {
    const objs: K8sObject[] = structuredClone(objects);
    const kibana = objs.find(o => o.kind === 'Deployment' && o.metadata.name === 'kibana') as any;
    kibana.spec.template.spec.initContainers = [{ ...kibana.spec.template.spec.containers[0], name: 'setup', env: [{ name: 'ELASTIC_PASSWORD', valueFrom: { secretKeyRef: { name: 'elasticsearch-credentials', key: 'password' } } }] }];
    const lines = validateManifests(objs).filter(p => p.rule === 'superuser-credential').map(formatProblem);
    expect(lines).toEqual([
      `Deployment ${logging}/kibana: [superuser-credential] init container setup env ELASTIC_PASSWORD reads superuser credential elasticsearch-credentials/password (owned by StatefulSet ${logging}/elasticsearch): only its server and setup Jobs (annotation ${SETUP_POD_ANNOTATION}: <reason>) may mount it; give this pod its own identity`,
    ]);
    kibana.spec.template.metadata.annotations = { [SUPERUSER_CREDENTIALS_ANNOTATION]: 'elasticsearch-credentials/password' };
    const owners = validateManifests(objs).filter(p => p.rule === 'superuser-credential').map(p => p.object).sort();
    expect(owners).toEqual([`Deployment ${logging}/kibana`, `StatefulSet ${logging}/elasticsearch`]);
  });
});

test(`${REQ.superuser}: a superuser value copied into another Secret is reported (the link validate cannot see)`, () => {
  const needs = [
    { namespace: 'logging', name: 'elasticsearch-credentials', keys: { password: 'elasticPassword' }, source: 'pulumi' as const, usedBy: [], superuserKeys: ['password'] },
    { namespace: 'node-agents', name: 'elasticsearch-credentials', keys: { password: 'elasticPassword' }, source: 'pulumi' as const, usedBy: [] },
  ];
  expect(superuserCopies(needs)).toEqual([
    'logging/elasticsearch-credentials key password is a superuser credential, but its value dockercoins:elasticPassword also fills node-agents/elasticsearch-credentials: give those readers their own identity',
  ]);
});

test(`${REQ.prometheus}: the schema refuses verify: false without a reason, naming the field`, () => {
  expect(() => loadEnvironment('prod', { edge: { monitoring: { prometheus: { kubeletTls: { verify: false } } } } })).toThrow(/edge\.monitoring\.prometheus\.kubeletTls\.reason/);
  expect(() => loadEnvironment('prod', { edge: { monitoring: { prometheus: { kubeletTls: { verify: false, reason: 'because' } } } } })).toThrow(/edge\.monitoring\.prometheus\.kubeletTls\.reason: must say why the kubelet certificates cannot be verified/);
});
