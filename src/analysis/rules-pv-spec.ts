/**
 * The PersistentVolumes the API server refuses and the OpenAPI schema cannot see (kubernetes
 * pkg/apis/core/validation ValidatePersistentVolumeSpec, validateVolumeNodeAffinity and the
 * sources' own checks), part of `api-constraints`. Hand-written volumes (local disks, NFS
 * exports, pre-provisioned CSI volumes) are where they appear:
 *  - access modes given, known, ReadWriteOncePod alone;
 *  - capacity given, storage only, positive;
 *  - persistentVolumeReclaimPolicy Retain, Delete or Recycle, not Recycle for a hostPath of '/';
 *  - exactly one volume source (counted in the API server's order, which lets a flexVolume
 *    follow another source), with its required fields: hostPath and local a path, nfs a server
 *    and an absolute path, csi a driver and a volumeHandle; a local volume with node affinity;
 *  - node affinity: a required node selector as pod node affinity has it (rules-pod-fields.ts);
 *  - storageClassName a DNS subdomain, volumeMode Filesystem or Block.
 */
import { isRecord, K8sObject, stringField as text } from './objects';
import { nameProblem } from './rules-names';
import { nodeTermProblems } from './rules-pod-fields';
import { parseQuantity } from './rules-quantities';

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

/**
 * The access modes of a volume or a claim at `where` (`spec`, a claim template's spec): each
 * known, ReadWriteOncePod with no other known mode (ValidatePersistentVolumeSpec and
 * ValidatePersistentVolumeClaimSpec check them alike). An empty list is the caller's to word.
 */
export function accessModeProblems(modes: readonly unknown[], where: string): string[] {
  const out: string[] = [];
  for (const m of modes) if (typeof m === 'string' && !ACCESS_MODES.includes(m)) out.push(`${where}.accessModes ${JSON.stringify(m)} is not ${ACCESS_MODES.join(', ')}`);
  if (modes.includes('ReadWriteOncePod') && modes.some(m => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(String(m)))) out.push(`${where}.accessModes: ReadWriteOncePod cannot be combined with other access modes`);
  return out;
}
const RECLAIM_POLICIES = ['Retain', 'Delete', 'Recycle'];
const VOLUME_MODES = ['Filesystem', 'Block'];
/** The sources in the order ValidatePersistentVolumeSpec counts them. */
const SOURCES = ['hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi', 'cinder', 'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'scaleIO', 'local', 'storageos', 'csi'];

const given = (v: unknown) => v !== undefined && v !== null;

/** The required fields of the sources hand-written volumes use. */
function sourceProblems(source: string, s: Record<string, unknown>): string[] {
  const out: string[] = [];
  const at = `spec.${source}`;
  if ((source === 'hostPath' || source === 'local') && text(s.path) === '') out.push(`${at}.path is required`);
  if (source === 'nfs') {
    if (text(s.server) === '') out.push(`${at}.server is required`);
    if (text(s.path) === '') out.push(`${at}.path is required`);
    else if (!text(s.path).startsWith('/')) out.push(`${at}.path ${JSON.stringify(s.path)} must be an absolute path`);
  }
  if (source === 'csi') {
    if (text(s.driver) === '') out.push(`${at}.driver is required`);
    if (text(s.volumeHandle) === '') out.push(`${at}.volumeHandle is required`);
  }
  return out;
}

/** Why the API server refuses this PersistentVolume's spec. */
export function checkPersistentVolumeSpec(o: K8sObject): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  const out: string[] = [];
  const modes = Array.isArray(spec.accessModes) ? spec.accessModes : [];
  if (modes.length === 0) out.push('spec.accessModes is required (e.g. [ReadWriteOnce])');
  out.push(...accessModeProblems(modes, 'spec'));
  const capacity = isRecord(spec.capacity) ? spec.capacity : {};
  const resources = Object.keys(capacity);
  if (resources.length === 0) out.push('spec.capacity is required (storage: the size of the volume)');
  else if (!resources.includes('storage') || resources.length > 1) out.push(`spec.capacity holds ${resources.join(', ')}: a volume's capacity is storage only`);
  const storage = parseQuantity(capacity.storage);
  if (storage && storage.value <= 0) out.push(`spec.capacity.storage ${JSON.stringify(capacity.storage)} must be greater than zero`);
  const policy = spec.persistentVolumeReclaimPolicy;
  if (given(policy) && policy !== '' && !RECLAIM_POLICIES.includes(String(policy))) out.push(`spec.persistentVolumeReclaimPolicy ${JSON.stringify(policy)} must be Retain, Delete or Recycle`);
  const required = isRecord(spec.nodeAffinity) && isRecord(spec.nodeAffinity.required) ? spec.nodeAffinity.required : undefined;
  if (required) {
    const terms = Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [];
    if (terms.length === 0) out.push('spec.nodeAffinity.required.nodeSelectorTerms is empty: give at least one term');
    terms.forEach((t: unknown, i: number) => out.push(...nodeTermProblems(t, `spec.nodeAffinity.required.nodeSelectorTerms[${i}]`, true)));
  }
  let counted = 0;
  const sources: string[] = [];
  for (const source of SOURCES) {
    if (!given(spec[source])) continue;
    sources.push(source);
    // validation.go counts a flexVolume without checking for an earlier source.
    if (counted > 0 && source !== 'flexVolume') {
      out.push(`spec.${source} is a second volume source (after ${sources[0]}): a volume has one`);
      continue;
    }
    counted++;
    if (isRecord(spec[source])) out.push(...sourceProblems(source, spec[source]));
    if (source === 'local' && !required) out.push('spec.nodeAffinity.required is required for a local volume (the node that has the disk)');
  }
  if (sources.length === 0) out.push(`spec has no volume source (${['hostPath', 'local', 'nfs', 'csi'].join(', ')}, ...)`);
  if (isRecord(spec.hostPath) && policy === 'Recycle' && normalize(text(spec.hostPath.path)) === '/') out.push("spec.persistentVolumeReclaimPolicy may not be Recycle for a hostPath of '/' (it would wipe the node)");
  if (typeof spec.storageClassName === 'string' && spec.storageClassName !== '') {
    const p = nameProblem('spec.storageClassName', spec.storageClassName, 'dns1123-subdomain');
    if (p) out.push(p);
  }
  if (given(spec.volumeMode) && !VOLUME_MODES.includes(String(spec.volumeMode))) out.push(`spec.volumeMode ${JSON.stringify(spec.volumeMode)} must be Filesystem or Block`);
  return out;
}

/** Go's path.Clean, for the one question asked of it here (is the path the root?). */
function normalize(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return p.startsWith('/') ? `/${parts.join('/')}` : parts.join('/') || '.';
}
