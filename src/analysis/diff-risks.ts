/**
 * Risk flags for a change between two versions of one object: the changes a
 * reviewer must not miss in a large diff.
 *
 *  - replaced           an immutable field changed: the object is deleted and
 *                       recreated (Pulumi replaces it; kubectl apply fails)
 *  - data-loss          a PVC, PVC template or pod volume disappears
 *  - rbac-widened       new verbs/resources/apiGroups/wildcards, new subjects
 *  - netpol-loosened    a NetworkPolicy admits more than before, or is gone
 *  - security-loosened  a pod or container security setting got weaker
 *  - scale-to-zero      replicas drop to 0
 *  - tls-removed        an Ingress host loses its TLS entry
 *  - secret-values      a Secret carries values in the rendered manifests
 *                       (which are committed); the values are never shown
 *
 * data-loss also covers retention and reclaim policies moving to Delete (or
 * a PersistentVolume to Recycle) and a removed Namespace; replaced also covers
 * a StorageClass's immutable fields (reclaimPolicy among them) and names the
 * storage class and size changes of a StatefulSet's claim templates;
 * security-loosened also covers the service account token being mounted again.
 */
import { ipBlockCovers } from './ip-blocks';
import { peerScope, selectorCovers } from './network';
import { K8sObject, allContainers, compareStrings, isRecord, namespaceOf, podTemplateOf } from './objects';
import { ENFORCE_LABEL, PodSecurityLevel } from './pod-security';

export type RiskCode =
  | 'replaced'
  | 'data-loss'
  | 'rbac-widened'
  | 'netpol-loosened'
  | 'security-loosened'
  | 'scale-to-zero'
  | 'tls-removed'
  | 'secret-values';

/** One flagged risk of a change. */
export interface Risk {
  code: RiskCode;
  message: string;
}

function eq(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** JSON with sorted keys, for order-insensitive object comparison. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isRecord(v)) return Object.fromEntries(Object.keys(v).sort(compareStrings).filter((k) => v[k] !== undefined).map((k) => [k, canonical(v[k])]));
  return v;
}

function get(o: unknown, path: string): unknown {
  let cur: any = o;
  for (const k of path.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/**
 * Fields whose change forces delete + recreate, per kind (paths from the
 * object root). Most are immutable in the API; Service type/clusterIP changes
 * are replacements for the Pulumi provider (and a new cluster IP either way).
 */
const IMMUTABLE: Record<string, string[]> = {
  Deployment: ['spec.selector'],
  ReplicaSet: ['spec.selector'],
  DaemonSet: ['spec.selector'],
  StatefulSet: ['spec.selector', 'spec.volumeClaimTemplates', 'spec.serviceName', 'spec.podManagementPolicy'],
  Job: ['spec.selector', 'spec.template', 'spec.completionMode'],
  Service: ['spec.clusterIP', 'spec.clusterIPs', 'spec.type'],
  PersistentVolumeClaim: ['spec.storageClassName', 'spec.accessModes', 'spec.volumeName', 'spec.selector', 'spec.volumeMode'],
  // The API refuses updates to these (kubernetes pkg/apis/storage/validation, ValidateStorageClassUpdate:
  // "updates to parameters are forbidden", provisioner and reclaimPolicy likewise; volumeBindingMode is immutable).
  StorageClass: ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'],
};

/** What a replaced object's change means beyond "deleted and recreated", per kind and field. */
const REPLACEMENT_NOTES: Record<string, Record<string, string>> = {
  StorageClass: { reclaimPolicy: 'volumes provisioned before keep the reclaim policy they were created with (change each PersistentVolume\'s persistentVolumeReclaimPolicy)' },
};

/**
 * Risks of changing `before` into `after`. Either may be undefined for an
 * added or removed object.
 */
export function assessRisks(before: K8sObject | undefined, after: K8sObject | undefined): Risk[] {
  const out: Risk[] = [];
  const kind = (after ?? before)!.kind;
  if (before && after) {
    for (const path of IMMUTABLE[kind] ?? []) {
      if (!eq(get(before, path), get(after, path))) {
        // The API server rejects some Service type/clusterIP transitions and
        // Pulumi replaces on them; either way the Service may get a new IP.
        const outcome = kind === 'Service' ? 'the Service may be replaced and get a new cluster IP' : `the ${kind} will be deleted and recreated`;
        const note = REPLACEMENT_NOTES[kind]?.[path];
        const detail = kind === 'StatefulSet' && path === 'spec.volumeClaimTemplates' ? claimTemplateChanges(before, after) : '';
        out.push({ code: 'replaced', message: `${path} changed${scalarChange(get(before, path), get(after, path))}${detail}: ${outcome}${note ? `; ${note}` : ''}` });
      }
    }
    if (before.immutable === true && !eq(before.data, after.data)) {
      out.push({ code: 'replaced', message: `${kind} is immutable: changing its data recreates it` });
    }
  }
  out.push(...dataLoss(before, after));
  out.push(...rbac(before, after));
  out.push(...networkPolicy(before, after));
  out.push(...security(before, after));
  out.push(...namespaceLevel(before, after));
  out.push(...tls(before, after));
  out.push(...secretValues(after));
  const replicas = (o: K8sObject | undefined) => (o && typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1);
  if (before && after && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(kind) && replicas(before) > 0 && replicas(after) === 0) {
    out.push({ code: 'scale-to-zero', message: `replicas drop from ${replicas(before)} to 0` });
  }
  return out;
}

/**
 * The storage class and size changes of a StatefulSet's claim templates, as
 * ` (data: storageClassName a -> b, storage 1Gi -> 2Gi; existing claims keep
 * ...)`. volumeClaimTemplates are immutable (the API allows updates to
 * replicas, template, updateStrategy, persistentVolumeClaimRetentionPolicy,
 * minReadySeconds and ordinals only), and a recreated StatefulSet adopts the
 * claims that exist by name: they keep their class and size, only claims of
 * new replicas get the new template.
 */
function claimTemplateChanges(before: K8sObject, after: K8sObject): string {
  const templates = (o: K8sObject) => new Map((Array.isArray(o.spec?.volumeClaimTemplates) ? o.spec.volumeClaimTemplates : [])
    .filter((t: any) => typeof t?.metadata?.name === 'string').map((t: any) => [t.metadata.name as string, t]));
  const was = templates(before);
  const changes: string[] = [];
  for (const [name, t] of templates(after)) {
    const old = was.get(name);
    if (!old) continue;
    const show = (v: unknown) => (v === undefined ? 'unset' : String(v));
    const cls = [get(old, 'spec.storageClassName'), get(t, 'spec.storageClassName')];
    const size = [get(old, 'spec.resources.requests.storage'), get(t, 'spec.resources.requests.storage')];
    const fields = [
      ...(cls[0] !== cls[1] ? [`storageClassName ${show(cls[0])} -> ${show(cls[1])}`] : []),
      ...(size[0] !== size[1] ? [`storage ${show(size[0])} -> ${show(size[1])}`] : []),
    ];
    if (fields.length > 0) changes.push(`${name}: ${fields.join(', ')}`);
  }
  return changes.length > 0
    ? ` (${changes.join('; ')}; existing claims keep their class and size: resize each claim, or move the data to new claims)`
    : '';
}

/** ` (A -> B)` for scalar values, empty otherwise (objects are in the field list). */
function scalarChange(a: unknown, b: unknown): string {
  const show = (v: unknown) => (v === undefined ? 'unset' : String(v));
  return isRecord(a) || isRecord(b) || Array.isArray(a) || Array.isArray(b) ? '' : ` (${show(a)} -> ${show(b)})`;
}

// ------------------------------------------------------------------ data loss

function names(list: unknown, key: (x: any) => unknown = (x) => x?.name): string[] {
  return Array.isArray(list) ? list.map(key).filter((n): n is string => typeof n === 'string') : [];
}

function dataLoss(before: K8sObject | undefined, after: K8sObject | undefined): Risk[] {
  const out: Risk[] = [];
  if (before?.kind === 'PersistentVolumeClaim' && !after) out.push({ code: 'data-loss', message: 'PersistentVolumeClaim removed: its volume may be deleted' });
  if (before?.kind === 'StatefulSet') {
    const kept = new Set(names(after?.spec?.volumeClaimTemplates, (t) => t?.metadata?.name));
    for (const n of names(before.spec?.volumeClaimTemplates, (t) => t?.metadata?.name)) {
      if (after && !kept.has(n)) out.push({ code: 'data-loss', message: `volumeClaimTemplate ${n} removed` });
    }
  }
  if (before?.kind === 'Namespace' && !after) {
    out.push({ code: 'data-loss', message: 'Namespace removed: everything in it is deleted with it, including PersistentVolumeClaims and Secrets not in these manifests' });
  }
  if (before && after) out.push(...deletePolicies(before, after));
  const bt = before && podTemplateOf(before);
  const at = after && podTemplateOf(after);
  if (bt && at) {
    const kept = new Set(names(at.spec.volumes));
    for (const v of Array.isArray(bt.spec.volumes) ? bt.spec.volumes : []) {
      if (isRecord(v) && typeof v.name === 'string' && !kept.has(v.name)) {
        const type = Object.keys(v).find((k) => k !== 'name') ?? 'volume';
        out.push({ code: 'data-loss', message: `volume ${v.name} (${type}) removed from the pod template` });
      }
    }
  }
  return out;
}

/**
 * Policies that decide whether storage outlives its owner, with the API
 * defaults: a change to Delete means data goes with the object from now on.
 */
const DELETE_POLICIES: Record<string, Array<{ path: string; default: string; consequence: string }>> = {
  StatefulSet: [
    { path: 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted', default: 'Retain', consequence: 'deleting the StatefulSet deletes its PersistentVolumeClaims and their data' },
    { path: 'spec.persistentVolumeClaimRetentionPolicy.whenScaled', default: 'Retain', consequence: 'scaling down deletes the PersistentVolumeClaims of the removed replicas' },
  ],
  StorageClass: [{ path: 'reclaimPolicy', default: 'Delete', consequence: 'volumes it provisions from now on are deleted with their claims' }],
  PersistentVolume: [{ path: 'spec.persistentVolumeReclaimPolicy', default: 'Retain', consequence: 'the volume and its data are deleted when its claim is released' }],
};
/** Recycle (deprecated) scrubs the volume (`rm -rf` of its contents) when its claim is released: data is lost like with Delete. */
const RECYCLE_CONSEQUENCE = 'the volume is scrubbed (its files deleted) when its claim is released';

function deletePolicies(before: K8sObject, after: K8sObject): Risk[] {
  const out: Risk[] = [];
  for (const p of DELETE_POLICIES[after.kind] ?? []) {
    const was = get(before, p.path) ?? p.default;
    const now = get(after, p.path) ?? p.default;
    if (was !== 'Delete' && now === 'Delete') out.push({ code: 'data-loss', message: `${p.path} moves from ${String(was)} to Delete: ${p.consequence}` });
    if (was !== 'Recycle' && now === 'Recycle') out.push({ code: 'data-loss', message: `${p.path} moves from ${String(was)} to Recycle: ${RECYCLE_CONSEQUENCE}` });
  }
  return out;
}

// ------------------------------------------------------------------ RBAC

/** One permission: api group, resource, verb, resource name ('*' = any). */
type Grant = [string, string, string, string];

function grants(rules: unknown): { grants: Grant[]; urls: Array<[string, string]> } {
  const out: Grant[] = [];
  const urls: Array<[string, string]> = [];
  for (const r of Array.isArray(rules) ? rules : []) {
    if (!isRecord(r)) continue;
    const verbs = names(r.verbs, (x) => x);
    for (const url of names(r.nonResourceURLs, (x) => x)) for (const v of verbs) urls.push([url, v]);
    const groups = names(r.apiGroups, (x) => x);
    const resources = names(r.resources, (x) => x);
    const resourceNames = names(r.resourceNames, (x) => x);
    for (const g of groups) for (const res of resources) for (const v of verbs) for (const n of resourceNames.length ? resourceNames : ['*']) out.push([g, res, v, n]);
  }
  return { grants: out, urls };
}

function covers(held: string, wanted: string): boolean {
  return held === '*' || held === wanted;
}

/** Subresource wildcards: `pods/*` covers `pods/log`, `*` covers everything. */
function coversResource(held: string, wanted: string): boolean {
  if (covers(held, wanted)) return true;
  return held.endsWith('/*') && wanted.startsWith(held.slice(0, -1));
}

function rbac(before: K8sObject | undefined, after: K8sObject | undefined): Risk[] {
  if (!after) return [];
  const out: Risk[] = [];
  if (after.kind === 'Role' || after.kind === 'ClusterRole') {
    const b = grants(before?.rules);
    const a = grants(after.rules);
    const added = a.grants.filter(([g, r, v, n]) => !b.grants.some(([bg, br, bv, bn]) => covers(bg, g) && coversResource(br, r) && covers(bv, v) && covers(bn, n)));
    // Report per rule line rather than per grant, to keep messages short.
    const lines = [...new Set(added.map(([g, r, v, n]) => `${v} ${g === '' ? 'core' : g}/${r}${n === '*' ? '' : `/${n}`}`))];
    // The resource-name '*' only means "unrestricted"; wildcards are in the other three.
    const isWild = ([g, r, v]: Grant) => g === '*' || r === '*' || r.endsWith('/*') || v === '*';
    const wildcard = added.some(isWild);
    if (before && lines.length > 0) {
      out.push({ code: 'rbac-widened', message: `${wildcard ? 'wildcard ' : ''}permissions added: ${summarize(lines)}` });
    } else if (!before && wildcard) {
      out.push({ code: 'rbac-widened', message: `new ${after.kind} with wildcard permissions: ${summarize([...new Set(added.filter(isWild).map(([g, r, v]) => `${v} ${g === '' ? 'core' : g}/${r}`))])}` });
    }
    const newUrls = a.urls.filter(([u, v]) => !b.urls.some(([bu, bv]) => (bu === u || bu === '*' || (bu.endsWith('*') && u.startsWith(bu.slice(0, -1)))) && covers(bv, v)));
    if (before && newUrls.length > 0) out.push({ code: 'rbac-widened', message: `non-resource URLs added: ${summarize(newUrls.map(([u, v]) => `${v} ${u}`))}` });
    if (before && !eq(before.aggregationRule, after.aggregationRule) && after.aggregationRule) {
      out.push({ code: 'rbac-widened', message: 'aggregationRule changed: the role may aggregate more permissions' });
    }
  }
  if (after.kind === 'RoleBinding' || after.kind === 'ClusterRoleBinding') {
    const subject = (s: any) => `${s?.kind} ${s?.namespace ? `${s.namespace}/` : ''}${s?.name}`;
    const old = new Set(names(before?.subjects, subject));
    const added = names(after.subjects, subject).filter((s) => !old.has(s));
    const role = `${after.roleRef?.kind} ${after.roleRef?.name}`;
    if (!before) out.push({ code: 'rbac-widened', message: `new ${after.kind} grants ${role} to ${summarize(added)}` });
    else if (added.length > 0) out.push({ code: 'rbac-widened', message: `${role} granted to new subjects: ${summarize(added)}` });
    if (before && !eq(before.roleRef, after.roleRef)) out.push({ code: 'replaced', message: `roleRef is immutable (now ${role}): the binding will be deleted and recreated` });
  }
  return out;
}

function summarize(items: string[], max = 6): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

// ------------------------------------------------------------------ NetworkPolicy

function policyTypes(spec: any): string[] {
  if (Array.isArray(spec?.policyTypes)) return spec.policyTypes;
  return ['Ingress', ...(Array.isArray(spec?.egress) && spec.egress.length > 0 ? ['Egress'] : [])];
}

/**
 * Whether old peer `held` admits everything new peer `wanted` admits: the
 * same peer, an ipBlock containing it, or selectors it only adds constraints
 * to (a podSelector added to a namespaceSelector narrows the peer). A peer
 * without namespaceSelector stands for the policy's own namespace.
 */
function peerCovers(held: unknown, wanted: unknown, namespace: string): boolean {
  if (eq(held, wanted)) return true;
  if (!isRecord(held) || !isRecord(wanted)) return false;
  const h = peerScope(held, namespace);
  const w = peerScope(wanted, namespace);
  if (!h || !w) return false;
  if ('ipBlock' in h || 'ipBlock' in w) return 'ipBlock' in h && 'ipBlock' in w && ipBlockCovers(h.ipBlock, w.ipBlock);
  return selectorCovers(h.namespaces, w.namespaces) && selectorCovers(h.pods, w.pods);
}

/** Whether old port `held` admits every port new port `wanted` admits (protocol TCP by default; no port = all). */
function portCovers(held: unknown, wanted: unknown): boolean {
  if (eq(held, wanted)) return true;
  if (!isRecord(held) || !isRecord(wanted) || (held.protocol ?? 'TCP') !== (wanted.protocol ?? 'TCP')) return false;
  if (held.port === undefined || held.port === null) return true;
  if (typeof held.port === 'number' && typeof wanted.port === 'number') {
    const end = (p: Record<string, any>) => (typeof p.endPort === 'number' ? p.endPort : p.port);
    return held.port <= wanted.port && end(wanted) <= end(held);
  }
  // A named port is only known to equal itself.
  return typeof held.port === 'string' && held.port === wanted.port && wanted.endPort === undefined;
}

/** The items of a rule's peer or port list; empty or missing = everything (`ALL`). */
const ALL = Symbol('all');
function itemsOf(list: unknown): unknown[] {
  return Array.isArray(list) && list.length > 0 ? list : [ALL];
}

/** Whether an old rule's list admits `wanted` (an item, or ALL). */
function admits(list: unknown, wanted: unknown, covers: (held: unknown, wanted: unknown) => boolean): boolean {
  const held = itemsOf(list);
  if (held[0] === ALL) return true;
  return wanted !== ALL && held.some((h) => covers(h, wanted));
}

function networkPolicy(before: K8sObject | undefined, after: K8sObject | undefined): Risk[] {
  if ((before ?? after)!.kind !== 'NetworkPolicy' || !before) return [];
  if (!after) return [{ code: 'netpol-loosened', message: 'NetworkPolicy removed: the pods it selected lose its restrictions' }];
  const out: Risk[] = [];
  const bTypes = policyTypes(before.spec);
  const aTypes = policyTypes(after.spec);
  for (const t of bTypes) if (!aTypes.includes(t)) out.push({ code: 'netpol-loosened', message: `policyType ${t} removed: ${t.toLowerCase()} is no longer restricted` });
  if (!eq(before.spec?.podSelector, after.spec?.podSelector)) {
    out.push({ code: 'netpol-loosened', message: 'podSelector changed: pods no longer selected lose this policy' });
  }
  for (const [dir, peerKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const oldRules: any[] = Array.isArray(before.spec?.[dir]) ? before.spec[dir] : [];
    const newRules: any[] = Array.isArray(after.spec?.[dir]) ? after.spec[dir] : [];
    const namespace = namespaceOf(after) ?? 'default';
    newRules.forEach((rule, i) => {
      // A rule admits each of its peers on each of its ports; it is no looser
      // if every such pair is admitted by some old rule.
      const covered = itemsOf(rule?.[peerKey]).every((peer) => itemsOf(rule?.ports).every((port) => oldRules.some((old) =>
        admits(old?.[peerKey], peer, (h, w) => peerCovers(h, w, namespace)) && admits(old?.ports, port, portCovers))));
      if (!covered) out.push({ code: 'netpol-loosened', message: `${dir} rule ${i} admits peers or ports no previous rule admitted` });
    });
  }
  return out;
}

// ------------------------------------------------------------------ security contexts

/**
 * The API token mounted again. A pod's `automountServiceAccountToken`
 * overrides its ServiceAccount's; unset, the pod follows the ServiceAccount,
 * and an unset ServiceAccount mounts. So: a pod set to true (it was not), a
 * pod or ServiceAccount that was false and is now unset or true.
 */
function automount(before: unknown, after: unknown, owner: 'pod' | 'ServiceAccount'): Risk[] {
  const turnedOn = owner === 'pod' ? after === true && before !== true : before === false && after === true;
  if (turnedOn) return [{ code: 'security-loosened', message: `${owner} automountServiceAccountToken turned on: the API token is mounted into the pods` }];
  if (before === false && after === undefined) {
    const unless = owner === 'pod' ? 'its ServiceAccount opts out' : 'a pod opts out';
    return [{ code: 'security-loosened', message: `${owner} automountServiceAccountToken no longer false: the API token is mounted unless ${unless}` }];
  }
  return [];
}

function security(before: K8sObject | undefined, after: K8sObject | undefined): Risk[] {
  if (before?.kind === 'ServiceAccount' && after) return automount(before.automountServiceAccountToken, after.automountServiceAccountToken, 'ServiceAccount');
  const bt = before && podTemplateOf(before);
  const at = after && podTemplateOf(after);
  if (!bt || !at) return [];
  const out: Risk[] = [];
  const loosened = (what: string) => out.push({ code: 'security-loosened', message: what });
  out.push(...automount(bt.spec.automountServiceAccountToken, at.spec.automountServiceAccountToken, 'pod'));
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (bt.spec[ns] !== true && at.spec[ns] === true) loosened(`${ns} enabled`);
  }
  const oldHostPaths = new Set(names((bt.spec.volumes ?? []).filter((v: any) => v?.hostPath)));
  for (const n of names((at.spec.volumes ?? []).filter((v: any) => v?.hostPath))) if (!oldHostPaths.has(n)) loosened(`hostPath volume ${n} added`);
  const bPod = isRecord(bt.spec.securityContext) ? bt.spec.securityContext : {};
  const aPod = isRecord(at.spec.securityContext) ? at.spec.securityContext : {};
  const oldContainers = new Map(allContainers(bt.spec).map(({ container }) => [container.name, container]));
  for (const { container: c } of allContainers(at.spec)) {
    const old = oldContainers.get(c.name);
    if (!old) continue; // a new container is reviewed by validate, not diff
    const b = effective(old, bPod);
    const a = effective(c, aPod);
    const who = `container ${c.name}`;
    if (b.runAsNonRoot === true && a.runAsNonRoot !== true) loosened(`${who}: runAsNonRoot no longer true`);
    if (b.runAsUser !== 0 && a.runAsUser === 0) loosened(`${who}: runAsUser set to 0 (root)`);
    if (b.readOnlyRootFilesystem === true && a.readOnlyRootFilesystem !== true) loosened(`${who}: readOnlyRootFilesystem no longer true`);
    if (b.allowPrivilegeEscalation === false && a.allowPrivilegeEscalation !== false) loosened(`${who}: allowPrivilegeEscalation no longer false`);
    if (b.privileged !== true && a.privileged === true) loosened(`${who}: privileged enabled`);
    const strongSeccomp = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
    if (strongSeccomp(b.seccomp) && !strongSeccomp(a.seccomp)) loosened(`${who}: seccompProfile weakened from ${b.seccomp} to ${a.seccomp ?? 'unset'}`);
    const addedCaps = a.capAdd.filter((x) => !b.capAdd.includes(x));
    if (addedCaps.length > 0) loosened(`${who}: capabilities added: ${addedCaps.join(', ')}`);
    const undropped = b.capDrop.filter((x) => !a.capDrop.includes(x));
    if (undropped.length > 0) loosened(`${who}: capabilities no longer dropped: ${undropped.join(', ')}`);
    const oldHostPorts = new Set(names(old.ports, (p) => (p?.hostPort ? String(p.hostPort) : undefined)));
    for (const hp of names(c.ports, (p) => (p?.hostPort ? String(p.hostPort) : undefined))) if (!oldHostPorts.has(hp)) loosened(`${who}: hostPort ${hp} added`);
  }
  return out;
}

/** Container security settings with pod-level fallbacks applied. */
function effective(c: Record<string, any>, pod: Record<string, any>) {
  const sc = isRecord(c.securityContext) ? c.securityContext : {};
  return {
    runAsNonRoot: sc.runAsNonRoot ?? pod.runAsNonRoot,
    runAsUser: sc.runAsUser ?? pod.runAsUser,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem,
    allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
    privileged: sc.privileged,
    seccomp: sc.seccompProfile?.type ?? pod.seccompProfile?.type,
    capAdd: names(sc.capabilities?.add, (x) => x),
    capDrop: names(sc.capabilities?.drop, (x) => x),
  };
}

const LEVEL_RANK: Readonly<Record<PodSecurityLevel, number>> = { privileged: 0, baseline: 1, restricted: 2 };
/** Unknown values count as restricted, like a missing label (see pod-security.ts). */
const rank = (level: string) => (Object.prototype.hasOwnProperty.call(LEVEL_RANK, level) ? LEVEL_RANK[level as PodSecurityLevel] : LEVEL_RANK.restricted);

/** A namespace whose enforced Pod Security level goes down. */
function namespaceLevel(before: K8sObject | undefined, after: K8sObject | undefined): Risk[] {
  if (before?.kind !== 'Namespace' || !after) return [];
  // Unlabelled counts as restricted, the project default (see pod-security.ts).
  const b = before.metadata.labels?.[ENFORCE_LABEL] ?? 'restricted';
  const a = after.metadata.labels?.[ENFORCE_LABEL] ?? 'restricted';
  if (rank(a) < rank(b)) return [{ code: 'security-loosened', message: `Pod Security enforce level lowered from ${b} to ${a}` }];
  return [];
}

// ------------------------------------------------------------------ TLS

/** Hosts covered by an Ingress's TLS entries, and whether an entry has no hosts (it then covers the default). */
function tlsCoverage(o: K8sObject): { hosts: Set<string>; hostless: boolean } {
  const entries = Array.isArray(o.spec?.tls) ? o.spec.tls.filter(isRecord) : [];
  return {
    hosts: new Set(entries.flatMap((t: Record<string, any>) => names(t.hosts, (h) => h))),
    hostless: entries.some((t: Record<string, any>) => names(t.hosts, (h) => h).length === 0),
  };
}

function tls(before: K8sObject | undefined, after: K8sObject | undefined): Risk[] {
  if (before?.kind !== 'Ingress' || !after) return [];
  const b = tlsCoverage(before);
  const a = tlsCoverage(after);
  const lost = [...b.hosts].filter((h) => !a.hosts.has(h)).sort(compareStrings);
  const out: Risk[] = lost.map((h) => ({ code: 'tls-removed', message: `TLS removed for host ${h}: it may be served over plain HTTP or with the controller's default certificate` }));
  if (b.hostless && !a.hostless) out.push({ code: 'tls-removed', message: 'TLS entry without hosts removed: hosts it covered may be served over plain HTTP' });
  return out;
}

// ------------------------------------------------------------------ Secret values

/**
 * A Secret with data/stringData in the rendered manifests: the manifests are
 * committed, so the values would be in git. Only the key names are shown.
 */
function secretValues(after: K8sObject | undefined): Risk[] {
  if (after?.kind !== 'Secret') return [];
  const keys = (['data', 'stringData'] as const).flatMap((f) => (isRecord(after[f]) ? Object.keys(after[f]).map((k) => `${f}.${k}`) : []));
  if (keys.length === 0) return [];
  return [{ code: 'secret-values', message: `Secret has values in the rendered manifests (${summarize(keys.sort(compareStrings))}): they would be committed to git; create it from secret stack config instead` }];
}
