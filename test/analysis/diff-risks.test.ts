/**
 * Risk flags for changes that lose data or expose something: removed TLS,
 * the service account token mounted again, Secret values in the manifests,
 * storage policies moving to Delete, a reclaim policy change, a claim
 * template's class or size, a removed Namespace.
 */
import fc from 'fast-check';
import { diffManifests, ManifestDiff } from '../../src/analysis/diff';
import { formatDiffMarkdown, formatDiffText } from '../../src/analysis/diff-format';
import { K8sObject } from '../../src/analysis/objects';

const risks = (d: ManifestDiff) => d.objects.flatMap((o) => o.risks.map((r) => `${r.code}: ${r.message}`));
function diffAfter(o: K8sObject, change: (x: any) => void): ManifestDiff {
  const after = structuredClone(o);
  change(after);
  return diffManifests([o], [after]);
}

describe('tls-removed', () => {
  const ingress: K8sObject = {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'kibana', namespace: 'logging' },
    spec: {
      ingressClassName: 'traefik',
      rules: [{ host: 'kibana.example.com' }, { host: 'logs.example.com' }],
      tls: [{ hosts: ['kibana.example.com', 'logs.example.com'], secretName: 'kibana-tls' }],
    },
  };
  it.each([
    ['the tls list', (x: any) => delete x.spec.tls, ['kibana.example.com', 'logs.example.com']],
    ['an entry', (x: any) => (x.spec.tls = []), ['kibana.example.com', 'logs.example.com']],
    ['one host', (x: any) => x.spec.tls[0].hosts.pop(), ['logs.example.com']],
  ])('flags removing %s', (_what, change, hosts) => {
    expect(risks(diffAfter(ingress, change))).toEqual(
      hosts.map((h) => `tls-removed: TLS removed for host ${h}: it may be served over plain HTTP or with the controller's default certificate`),
    );
  });
  it('flags a removed entry without hosts, not a moved host or a new secret name', () => {
    const hostless = { ...structuredClone(ingress), spec: { ...ingress.spec, tls: [{ secretName: 'default-tls' }] } };
    expect(risks(diffAfter(hostless, (x) => delete x.spec.tls))).toEqual(['tls-removed: TLS entry without hosts removed: hosts it covered may be served over plain HTTP']);
    expect(risks(diffAfter(ingress, (x) => (x.spec.tls = [{ hosts: ['logs.example.com'], secretName: 'b' }, { hosts: ['kibana.example.com'], secretName: 'a' }])))).toEqual([]);
  });
});

describe('automountServiceAccountToken', () => {
  const sa: K8sObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'hasher', namespace: 'dc' }, automountServiceAccountToken: false };
  const deployment: K8sObject = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hasher', namespace: 'dc' },
    spec: { selector: { matchLabels: { app: 'hasher' } }, template: { spec: { serviceAccountName: 'hasher', automountServiceAccountToken: false, containers: [{ name: 'hasher', image: 'hasher:1' }] } } },
  };
  it('flags turning it on in a pod spec or a ServiceAccount', () => {
    expect(risks(diffAfter(deployment, (x) => (x.spec.template.spec.automountServiceAccountToken = true)))).toEqual([
      'security-loosened: pod automountServiceAccountToken turned on: the API token is mounted into the pods',
    ]);
    expect(risks(diffAfter(sa, (x) => (x.automountServiceAccountToken = true)))).toEqual([
      'security-loosened: ServiceAccount automountServiceAccountToken turned on: the API token is mounted into the pods',
    ]);
  });
  it('flags dropping false (the default mounts the token)', () => {
    expect(risks(diffAfter(deployment, (x) => delete x.spec.template.spec.automountServiceAccountToken))).toEqual([
      'security-loosened: pod automountServiceAccountToken no longer false: the API token is mounted unless its ServiceAccount opts out',
    ]);
    expect(risks(diffAfter(sa, (x) => delete x.automountServiceAccountToken))).toEqual([
      'security-loosened: ServiceAccount automountServiceAccountToken no longer false: the API token is mounted unless a pod opts out',
    ]);
  });
  it('does not flag turning it off', () => {
    const on = structuredClone(deployment);
    on.spec.template.spec.automountServiceAccountToken = true;
    expect(risks(diffManifests([on], [deployment]))).toEqual([]);
  });
});

describe('secret-values', () => {
  const secret = (data?: Record<string, string>, stringData?: Record<string, string>): K8sObject => ({
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'postgres-auth', namespace: 'data' }, type: 'Opaque', ...(data && { data }), ...(stringData && { stringData }),
  });
  it('flags an added or changed Secret with values, naming the keys only', () => {
    expect(risks(diffManifests([], [secret({ password: 'cGFzcw==' }, { user: 'app' })]))).toEqual([
      'secret-values: Secret has values in the rendered manifests (data.password, stringData.user): they would be committed to git; create it from secret stack config instead',
    ]);
    expect(risks(diffManifests([secret()], [secret({ token: 'dA==' })]))).toEqual([
      'secret-values: Secret has values in the rendered manifests (data.token): they would be committed to git; create it from secret stack config instead',
    ]);
  });
  it('does not flag a Secret without values, or a removed one', () => {
    expect(risks(diffManifests([], [secret({})]))).toEqual([]);
    expect(risks(diffManifests([secret({ a: 'YQ==' })], []))).toEqual([]);
  });
  it('for any values, the risk names the keys and no output shows a value', () => {
    const key = fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/);
    // '§' marks the values: nothing else in the output contains it.
    const value = fc.string({ minLength: 1, maxLength: 40 }).map((v) => `§${v}§`);
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), fc.dictionary(key, value, { maxKeys: 3 }), (data, stringData) => {
        const d = diffManifests([secret({ old: '§previous§' })], [secret(data, Object.keys(stringData).length > 0 ? stringData : undefined)]);
        expect(formatDiffText(d) + formatDiffMarkdown(d)).not.toContain('§');
        const risk = d.objects[0].risks.find((r) => r.code === 'secret-values');
        for (const k of Object.keys(data)) expect(risk?.message).toContain(`data.${k}`);
      }),
    );
  });
});

describe('data-loss: storage policies moving to Delete', () => {
  const sts: K8sObject = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'data' },
    spec: { serviceName: 'postgres', selector: { matchLabels: { app: 'postgres' } }, template: { spec: { containers: [{ name: 'postgres', image: 'postgres:16' }] } } },
  };
  it.each([
    ['whenDeleted', 'deleting the StatefulSet deletes its PersistentVolumeClaims and their data'],
    ['whenScaled', 'scaling down deletes the PersistentVolumeClaims of the removed replicas'],
  ])('flags persistentVolumeClaimRetentionPolicy.%s: Delete (default Retain)', (field, consequence) => {
    expect(risks(diffAfter(sts, (x) => (x.spec.persistentVolumeClaimRetentionPolicy = { [field]: 'Delete' })))).toEqual([
      `data-loss: spec.persistentVolumeClaimRetentionPolicy.${field} moves from Retain to Delete: ${consequence}`,
    ]);
  });
  it('flags a StorageClass reclaimPolicy moving to Delete, explicitly or by its default', () => {
    const sc: K8sObject = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'replicated' }, provisioner: 'driver.longhorn.io', reclaimPolicy: 'Retain' };
    const toDelete = 'data-loss: reclaimPolicy moves from Retain to Delete: volumes it provisions from now on are deleted with their claims';
    // reclaimPolicy is immutable (ValidateStorageClassUpdate): any change recreates the class, and only new volumes follow it.
    const replaced = (change: string) => `replaced: reclaimPolicy changed (${change}): the StorageClass will be deleted and recreated; volumes provisioned before keep the reclaim policy they were created with (change each PersistentVolume's persistentVolumeReclaimPolicy)`;
    expect(risks(diffAfter(sc, (x) => (x.reclaimPolicy = 'Delete')))).toEqual([replaced('Retain -> Delete'), toDelete]);
    expect(risks(diffAfter(sc, (x) => delete x.reclaimPolicy))).toEqual([replaced('Retain -> unset'), toDelete]);
    // Towards Retain loses nothing, but is still a change of the policy: existing volumes stay Delete.
    expect(risks(diffManifests([{ ...sc, reclaimPolicy: 'Delete' }], [sc]))).toEqual([replaced('Delete -> Retain')]);
    expect(risks(diffManifests([sc], [sc]))).toEqual([]);
  });
  it.each(['provisioner', 'volumeBindingMode'])('flags a StorageClass %s change as a replacement (immutable)', field => {
    const sc: K8sObject = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'replicated' }, provisioner: 'driver.longhorn.io', volumeBindingMode: 'Immediate', reclaimPolicy: 'Retain' };
    const value = field === 'provisioner' ? 'rancher.io/local-path' : 'WaitForFirstConsumer';
    expect(risks(diffAfter(sc, (x) => (x[field] = value)))).toEqual([`replaced: ${field} changed (${String((sc as any)[field])} -> ${value}): the StorageClass will be deleted and recreated`]);
  });
  it('flags a PersistentVolume moving to Recycle (its files are deleted on release), not one moving to Retain', () => {
    const pv: K8sObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, nfs: { server: 'nfs', path: '/x' }, persistentVolumeReclaimPolicy: 'Retain' } };
    expect(risks(diffAfter(pv, (x) => (x.spec.persistentVolumeReclaimPolicy = 'Recycle')))).toEqual([
      'data-loss: spec.persistentVolumeReclaimPolicy moves from Retain to Recycle: the volume is scrubbed (its files deleted) when its claim is released',
    ]);
    expect(risks(diffManifests([{ ...pv, spec: { ...pv.spec, persistentVolumeReclaimPolicy: 'Delete' } }], [pv]))).toEqual([]);
  });
  it('flags a PersistentVolume reclaim policy moving to Delete', () => {
    const pv: K8sObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/data' } } };
    expect(risks(diffAfter(pv, (x) => (x.spec.persistentVolumeReclaimPolicy = 'Delete')))).toEqual([
      'data-loss: spec.persistentVolumeReclaimPolicy moves from Retain to Delete: the volume and its data are deleted when its claim is released',
    ]);
  });
});

describe('replaced: a StatefulSet claim template\'s storage class or size (immutable: the StatefulSet must be recreated)', () => {
  const sts: K8sObject = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'data' },
    spec: {
      serviceName: 'postgres', selector: { matchLabels: { app: 'postgres' } }, template: { spec: { containers: [{ name: 'postgres', image: 'postgres:16' }] } },
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '10Gi' } } } },
        { metadata: { name: 'wal' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } } },
      ],
    },
  };
  const tail = 'existing claims keep their class and size: resize each claim, or move the data to new claims): the StatefulSet will be deleted and recreated';
  it.each([
    ['storageClassName', (x: any) => (x.spec.volumeClaimTemplates[0].spec.storageClassName = 'replicated'), 'data: storageClassName standard -> replicated'],
    ['size', (x: any) => (x.spec.volumeClaimTemplates[1].spec.resources.requests.storage = '5Gi'), 'wal: storage 1Gi -> 5Gi'],
    ['both, in two templates', (x: any) => {
      x.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '20Gi';
      delete x.spec.volumeClaimTemplates[1].spec.storageClassName;
    }, 'data: storage 10Gi -> 20Gi; wal: storageClassName standard -> unset'],
  ])('%s', (_what, change, detail) => {
    expect(risks(diffAfter(sts, change))).toEqual([`replaced: spec.volumeClaimTemplates changed (${detail}; ${tail}`]);
  });
  it('another template change is still flagged, without a size or class detail', () => {
    expect(risks(diffAfter(sts, (x) => x.spec.volumeClaimTemplates[0].spec.accessModes.push('ReadWriteOncePod')))).toEqual([
      'replaced: spec.volumeClaimTemplates changed: the StatefulSet will be deleted and recreated',
    ]);
  });
});

describe('data-loss: a removed Namespace', () => {
  it('flags it, whatever else is removed with it', () => {
    const ns: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'data' } };
    expect(risks(diffManifests([ns], []))).toEqual([
      'data-loss: Namespace removed: everything in it is deleted with it, including PersistentVolumeClaims and Secrets not in these manifests',
    ]);
    expect(risks(diffManifests([], [ns]))).toEqual([]);
  });
});
