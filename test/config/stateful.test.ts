import * as fc from 'fast-check';
import { ConfigError, loadEnvironment } from '../../src/config';
import { validateManifests } from '../../src/analysis/validate';

/** The problems of an environment with `overrides`, or [] when it is valid. */
function problems(env: string, overrides: unknown): readonly string[] {
  try {
    loadEnvironment(env, overrides);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}
const stateful = (s: unknown) => ({ stateful: s });

describe('stateful config validation', () => {
  test.each(['dev', 'staging', 'prod'])('%s is valid', env => {
    expect(problems(env, undefined)).toEqual([]);
  });

  test('even Consul replicas are refused with the reason', () => {
    expect(problems('prod', stateful({ consul: { replicas: 4 } }))).toContainEqual(
      expect.stringMatching(/^stateful\.consul\.replicas: must be odd, got 4: 4 servers tolerate no more failures than 3/));
  });

  test('zero Consul replicas are refused', () => {
    expect(problems('dev', stateful({ consul: { replicas: 0 } }))).toContain('stateful.consul.replicas: must be at least 1, got 0');
  });

  test('required anti-affinity with more servers than nodes is refused', () => {
    expect(problems('staging', stateful({ consul: { antiAffinity: 'required' } }))).toContainEqual(
      expect.stringMatching(/^stateful\.consul\.antiAffinity: "required" places each of the 3 servers on its own node, but the environment plans 2 nodes/));
  });

  test('unknown join mode is refused', () => {
    expect(problems('dev', stateful({ consul: { join: 'gossip' } }))).toContain('stateful.consul.join: must be one of dns, kubernetes, got "gossip"');
  });

  test('zero storage is refused', () => {
    expect(problems('dev', stateful({ postgres: { storage: { size: '0' } } }))).toContain('stateful.postgres.storage.size: must be greater than zero, got "0"');
    expect(problems('dev', stateful({ consul: { storage: { size: '0Gi' } } }))).toContain('stateful.consul.storage.size: must be greater than zero, got "0Gi"');
    expect(problems('dev', stateful({ consul: { storage: { size: 'lots' } } }))).toContainEqual(
      expect.stringMatching(/^stateful\.consul\.storage\.size: "lots" is not a valid Kubernetes quantity/));
  });

  test('bad storage class names are refused', () => {
    expect(problems('dev', stateful({ postgres: { storage: { storageClassName: 'Fast_SSD' } } }))).toContainEqual(
      expect.stringMatching(/^stateful\.postgres\.storage\.storageClassName: "Fast_SSD" is not a valid DNS subdomain name/));
    expect(problems('prod', stateful({ storageClasses: [{ name: 'replicated' }, { name: 'Replicated!', provisioner: 'driver.longhorn.io' }] }))).toContainEqual(
      expect.stringMatching(/^stateful\.storageClasses\[1\]\.name: "Replicated!" is not a valid DNS subdomain name/));
    expect(problems('staging', { storageClass: 'UPPER' })).toContainEqual(expect.stringMatching(/^storageClass: "UPPER" is not a valid DNS subdomain name/));
  });

  test('property: a provisioner passes the config exactly when validate (the API server\'s grammar) accepts it', () => {
    const provisioner = fc.oneof(
      fc.constantFrom('driver.longhorn.io', 'kubernetes.io/aws-ebs', 'Driver.Longhorn.IO', 'rancher.io/local-path', 'a/b/c', '', 'x'.repeat(64), `example.com/${'y'.repeat(64)}`, `${'d'.repeat(70)}.io`, '-bad', 'ebs.csi.aws.com_'),
      fc.stringMatching(/^[a-zA-Z0-9._/-]{1,12}$/));
    fc.assert(fc.property(provisioner, v => {
      const config = problems('prod', stateful({ storageClasses: [{ name: 'replicated', provisioner: v }] })).some(p => p.includes('.provisioner:'));
      const rendered = validateManifests([{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'replicated' }, provisioner: v }], ['api-constraints']).some(p => p.message.startsWith('provisioner'));
      expect([v, config]).toEqual([v, rendered]);
    }), { numRuns: 200 });
  });

  test('StorageClass fields are checked', () => {
    const p = problems('prod', stateful({ storageClasses: [{ name: 'replicated', provisioner: 'Longhorn Driver', reclaimPolicy: 'Recycle', volumeBindingMode: 'Later', parameters: { numberOfReplicas: 3 } }] }));
    expect(p).toContainEqual(expect.stringMatching(/^stateful\.storageClasses\[replicated\]\.provisioner: "Longhorn Driver" is not a valid provisioner name/));
    expect(p).toContain('stateful.storageClasses[replicated].reclaimPolicy: must be one of Retain, Delete, got "Recycle"');
    expect(p).toContain('stateful.storageClasses[replicated].volumeBindingMode: must be one of WaitForFirstConsumer, Immediate, got "Later"');
    expect(p).toContain('stateful.storageClasses[replicated].parameters.numberOfReplicas: must be a string, got 3 (quote it in YAML)');
  });

  test('Postgres limits different from requests are refused (Guaranteed QoS)', () => {
    expect(problems('prod', stateful({ postgres: { resources: { limits: { cpu: '2' } } } }))).toContain(
      'stateful.postgres.resources.limits.cpu: must equal requests.cpu for Guaranteed QoS (requests 1, limits 2)');
  });

  test('a /dev/shm as large as the memory limit is refused', () => {
    expect(problems('dev', stateful({ postgres: { shmSize: '256Mi' } }))).toContain(
      'stateful.postgres.shmSize: 256Mi must be below limits.memory 256Mi: /dev/shm is memory-backed and counts against the limit');
  });

  test('a non-alpine Postgres tag is refused (uid/gid 70 are the alpine image\'s)', () => {
    expect(problems('dev', stateful({ postgres: { image: { tag: '16.4' } } }))).toContainEqual(
      expect.stringMatching(/^stateful\.postgres\.image\.tag: "16\.4" is not an alpine tag/));
    expect(problems('dev', stateful({ postgres: { image: { tag: 'latest' } } }))).toContainEqual(
      expect.stringMatching(/^stateful\.postgres\.image\.tag: "latest" is not allowed/));
  });

  test('bad UI host is refused', () => {
    expect(problems('dev', stateful({ consul: { ui: { host: 'http://consul.localhost/' } } }))).toContainEqual(
      expect.stringMatching(/^stateful\.consul\.ui\.host: "http:\/\/consul\.localhost\/" is not a valid DNS host name/));
  });

  test('bad client namespaces and identifiers are refused', () => {
    expect(problems('dev', stateful({ postgres: { clientNamespaces: ['Apps'] } }))).toContainEqual(
      expect.stringMatching(/^stateful\.postgres\.clientNamespaces\[0\]: "Apps" is not a valid DNS label/));
    expect(problems('dev', stateful({ postgres: { user: 'drop table' } }))).toContainEqual(
      expect.stringMatching(/^stateful\.postgres\.user: "drop table" is not a plain Postgres identifier/));
  });

  test('the namespace may not be a DockerCoins namespace', () => {
    expect(problems('dev', stateful({ namespace: 'dockercoins' }))).toContainEqual(
      'stateful.namespace: "dockercoins" is already used by dockercoins[dockercoins].namespace; namespaces must be unique (each has one owner, which sets its Pod Security level, quota and policies)');
  });

  test('the quota must admit every server, the database and their claims', () => {
    const p = problems('prod', stateful({ quota: { pods: 3, persistentVolumeClaims: 3, storage: '50Gi' } }));
    // prod also backs both stores up and drills them (backups): their CronJob and setup pods count too.
    expect(p).toContain('stateful.quota.pods: 3 is below the 14 pods needed at full scale: consul 3 (3 servers), consul-acl-setup 1, postgres 1, postgres-exporter 2 (1 + 1 surge), postgres-exporter-setup 1, postgres-backup 1 (concurrencyPolicy Forbid), consul-backup 1 (concurrencyPolicy Forbid), postgres-restore-drill + consul-restore-drill 2 (one each, concurrencyPolicy Forbid), postgres-backup-setup + consul-backup-setup 2 (one each)');
    expect(p).toContain('stateful.quota.persistentVolumeClaims: 3 is below the 4 claims: consul 3 x 10Gi, postgres 1 x 50Gi');
    expect(p).toContainEqual(expect.stringMatching(/^stateful\.quota\.storage: 50Gi is below the 80Gi claimed/));
    expect(problems('prod', stateful({ quota: { requests: { memory: '1Gi' } } }))).toContainEqual(
      expect.stringMatching(/^stateful\.quota\.requests\.memory: 1Gi is below the 3904Mi the workloads need at full scale: consul 3 \(3 servers\), consul-acl-setup 1, postgres 1, postgres-exporter 2 \(1 \+ 1 surge\), postgres-exporter-setup 1, postgres-backup 1 .*, postgres-backup-setup \+ consul-backup-setup 2 \(one each\)$/));
  });

  test('overrides of StorageClass parameters are free-form; other unknown fields are refused', () => {
    expect(problems('prod', stateful({ storageClasses: [{ name: 'replicated', parameters: { dataLocality: 'best-effort' } }] }))).toEqual([]);
    expect(problems('prod', stateful({ consul: { replica: 3 } }))).toContain('stateful.consul.replica: unknown field; the fields here are antiAffinity, clientNamespaces, datacenter, image, join, replicas, resources, setup, storage, ui');
  });
});
