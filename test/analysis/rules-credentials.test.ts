/**
 * `superuser-credential` over the space of ways a pod can read a Secret key
 * (env, envFrom, secret volume with or without items, projected volume),
 * kinds, and whether the pod owns the credential or is a setup Job.
 */
import fc from 'fast-check';
import { K8sObject } from '../../src/analysis/objects';
import { checkSuperuserCredentials, declaredCredentials } from '../../src/analysis/rules-credentials';
import { SETUP_POD_ANNOTATION, SUPERUSER_CREDENTIALS_ANNOTATION } from '../../constructs/lib/credential-annotations';
import { workloadsOf } from '../../src/analysis/objects';

type Read = 'env' | 'envFrom' | 'volume' | 'volumeItems' | 'projected' | 'projectedItems';
const READS: Read[] = ['env', 'envFrom', 'volume', 'volumeItems', 'projected', 'projectedItems'];

function workload(kind: string, name: string, spec: Record<string, any>, annotations: Record<string, string> = {}): K8sObject {
  const template = { metadata: { labels: { app: name }, annotations }, spec };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name, namespace: 'ns', annotations }, spec };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: { name, namespace: 'ns' }, spec: { schedule: '@daily', jobTemplate: { spec: { template } } } };
  return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name, namespace: 'ns' }, spec: { template } };
}

function reading(read: Read, secret: string, key: string): Record<string, any> {
  const c: Record<string, any> = { name: 'c', image: 'x:1' };
  const spec: Record<string, any> = { containers: [c] };
  const items = [{ key, path: key }];
  switch (read) {
    case 'env': c.env = [{ name: 'V', valueFrom: { secretKeyRef: { name: secret, key } } }]; break;
    case 'envFrom': c.envFrom = [{ secretRef: { name: secret } }]; break;
    case 'volume': spec.volumes = [{ name: 'v', secret: { secretName: secret } }]; break;
    case 'volumeItems': spec.volumes = [{ name: 'v', secret: { secretName: secret, items } }]; break;
    case 'projected': spec.volumes = [{ name: 'v', projected: { sources: [{ secret: { name: secret } }] } }]; break;
    case 'projectedItems': spec.volumes = [{ name: 'v', projected: { sources: [{ secret: { name: secret, items } }] } }]; break;
  }
  return spec;
}

const owner = workload('StatefulSet', 'db', reading('env', 'db-auth', 'password'), { [SUPERUSER_CREDENTIALS_ANNOTATION]: 'db-auth/password' });
const problemsOf = (objs: K8sObject[], o: K8sObject) => {
  const w = workloadsOf(objs).find(x => x.object === o)!;
  return checkSuperuserCredentials(o, w.template, w.namespace, declaredCredentials(workloadsOf(objs)));
};

test('any read of the declared key by a pod that is neither its owner nor a setup Job is exactly one problem; by a setup Job none', () => {
  fc.assert(fc.property(
    fc.constantFrom(...READS),
    fc.constantFrom('Deployment', 'DaemonSet', 'StatefulSet', 'Pod', 'Job', 'CronJob'),
    fc.boolean(),
    (read, kind, setup) => {
      const o = workload(kind, 'client', reading(read, 'db-auth', 'password'), setup ? { [SETUP_POD_ANNOTATION]: 'creates the app role' } : {});
      const problems = problemsOf([owner, o], o);
      const isSetup = setup && (kind === 'Job' || kind === 'CronJob');
      if (isSetup) return problems.length === 0;
      const reads = problems.filter(p => p.includes('reads superuser credential db-auth/password (owned by StatefulSet ns/db)'));
      const misplaced = problems.filter(p => p.includes('is only for Jobs and CronJobs'));
      return reads.length === 1 && misplaced.length === (setup ? 1 : 0) && problems.length === reads.length + misplaced.length;
    },
  ));
});

test('another key of the same Secret, or the same Secret name in another namespace, is not the credential', () => {
  fc.assert(fc.property(fc.constantFrom(...READS.filter(r => r === 'env' || r.endsWith('Items'))), read => {
    const other = workload('Deployment', 'app', reading(read, 'db-auth', 'username'));
    const elsewhere = { ...workload('Deployment', 'app2', reading(read, 'db-auth', 'password')) };
    (elsewhere.metadata as any).namespace = 'other';
    return problemsOf([owner, other, elsewhere], other).length === 0 && problemsOf([owner, other, elsewhere], elsewhere).length === 0;
  }));
});

test('malformed and empty declarations, and an empty setup reason, are refused', () => {
  const bad = workload('StatefulSet', 'db2', { containers: [{ name: 'c', image: 'x:1' }] }, { [SUPERUSER_CREDENTIALS_ANNOTATION]: 'no-slash, a/b/c' });
  expect(problemsOf([bad], bad)).toEqual([
    `annotation ${SUPERUSER_CREDENTIALS_ANNOTATION}: "no-slash" is not <secret>/<key>`,
    `annotation ${SUPERUSER_CREDENTIALS_ANNOTATION}: "a/b/c" is not <secret>/<key>`,
  ]);
  const empty = workload('StatefulSet', 'db3', { containers: [{ name: 'c', image: 'x:1' }] }, { [SUPERUSER_CREDENTIALS_ANNOTATION]: ' ' });
  expect(problemsOf([empty], empty)).toEqual([`annotation ${SUPERUSER_CREDENTIALS_ANNOTATION} must list <secret>/<key> entries`]);
  const job = workload('Job', 'setup', reading('env', 'db-auth', 'password'), { [SETUP_POD_ANNOTATION]: '  ' });
  expect(problemsOf([owner, job], job)).toEqual([
    `annotation ${SETUP_POD_ANNOTATION} must give a non-empty reason`,
    `container c env V reads superuser credential db-auth/password (owned by StatefulSet ns/db): only its server and setup Jobs (annotation ${SETUP_POD_ANNOTATION}: <reason>) may mount it; give this pod its own identity`,
  ]);
});
