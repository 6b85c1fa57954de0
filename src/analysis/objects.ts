/**
 * Plain Kubernetes objects as parsed from rendered YAML, and the small helpers
 * every analysis needs (loading, naming, finding the pod template).
 *
 * Everything here works on plain JSON: no cdk8s constructs, no cluster.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, type Tags } from 'yaml';
import { isRecord } from '../../constructs/lib/record';
import { parseEmitterStream } from './manifest-yaml';

/**
 * A Kubernetes object as plain JSON: as it appears in a manifest file, and as
 * rendered (src/render.ts `ManifestObject` is this type). The one object type
 * of the project; tests use it too.
 */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: any;
}

/** The pod template (or the Pod itself) of a workload object. */
export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: any };
  spec: Record<string, any>;
}

/**
 * YAML as kubectl reads it (sigs.k8s.io/yaml: go-yaml v2, YAML 1.1): `yes`, `no`, `on`, `off`,
 * `y` and `n` are booleans and `0644` is octal, so a hand-written `value: yes` reaches the API
 * server as true (and is refused where a string belongs) and `defaultMode: 0644` as 420; keys too
 * (`on:` becomes "true"). Unlike the `yaml` package's 1.1 schema, go-yaml v2 reads neither
 * sexagesimal numbers (`1:20` stays a string) nor timestamps (kept as strings into JSON): those
 * tags are left out. (kubernetes/kubernetes#34146 "kubectl / kubernetes not 100% compatible with
 * YAML 1.2", open; kubernetes-sigs/yaml#82: `off` reaches even a string field as false.)
 */
export const KUBECTL_YAML = {
  prettyErrors: true,
  version: '1.1' as const,
  customTags: (tags: Tags): Tags => tags.filter(t => typeof t === 'string' || (t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp')),
};

/**
 * Parses a (multi-document) YAML or JSON text into objects.
 *
 * Empty documents (`---` separators, comments only) are skipped. A JSON array
 * or a `kind: List` document is flattened into its items, because that is how
 * kubectl treats them. Parse errors name `source` so a failing file is found.
 */
export function parseManifests(yamlText: string, source = '<input>'): K8sObject[] {
  const out: K8sObject[] = [];
  // Files in the project's own style (all of dist/) are read by a reader of that style alone;
  // anything else by `yaml` (src/analysis/manifest-yaml.ts: the same values either way).
  // Both readers recurse per level: a text nested deeper than the stack allows is refused by name.
  const fast = withinStack(source, 'the stream', () => parseEmitterStream(yamlText));
  // parseAllDocuments returns an EmptyStream (an array) for empty input.
  const docs = fast ?? withinStack(source, 'the stream', () => parseAllDocuments(yamlText, KUBECTL_YAML));
  docs.forEach((doc, index) => {
    let value: unknown;
    if (fast) value = doc;
    else {
      const parsed = doc as ReturnType<typeof parseAllDocuments>[number];
      if (parsed.errors.length > 0) {
        throw new Error(`${source}: YAML document ${index + 1}: ${parsed.errors[0].message}`);
      }
      // The alias limit refuses a YAML bomb (aliases of aliases expanding to gigabytes); its error names no file.
      try {
        value = withinStack(source, `document ${index + 1}`, () => parsed.toJS({ maxAliasCount: 100 }));
      } catch (e) {
        if (e instanceof TooDeep) throw e;
        throw new Error(`${source}: YAML document ${index + 1}: ${e instanceof Error ? e.message : String(e)} (more than 100 alias expansions; write the repeated values out)`);
      }
    }
    if (value === null || value === undefined) return;
    // Every rule walks objects recursively: a bound here keeps them all within the stack.
    if (nestedDeeperThan(value, MAX_MANIFEST_DEPTH)) throw new TooDeep(`${source}: document ${index + 1}: ${TOO_DEEP}`);
    for (const item of flattenLists(value)) {
      out.push(asObject(item, `${source}: document ${index + 1}`));
    }
  });
  return out;
}

/**
 * The deepest nesting of objects and arrays a manifest may have here. The API server decodes JSON
 * up to 10,000 levels (Go's encoding/json scanner, maxNestingDepth, which sigs.k8s.io/json keeps);
 * a Kubernetes object's own fields nest about 20 deep, a CRD's schema about 40 (dist/: 12).
 * Refusing past 500 keeps every recursive reader and rule within Node's default stack (`yaml`
 * runs out of it near 1,000 levels of flow collections).
 */
export const MAX_MANIFEST_DEPTH = 500;
const DEPTH_HINT = 'no Kubernetes object nests so deep; look for a generator that recursed or a run of brackets ([[[[...)';
const TOO_DEEP = `nested more than ${MAX_MANIFEST_DEPTH} levels deep (objects and arrays within each other): ${DEPTH_HINT}`;
const OUT_OF_STACK = `nested too deeply to read (the reader ran out of stack; a manifest may nest at most ${MAX_MANIFEST_DEPTH} levels): ${DEPTH_HINT}`;

class TooDeep extends Error {}

/** Runs `read`; a stack overflow on the way (a reader recursing per level) becomes the depth refusal, naming `source`. */
function withinStack<T>(source: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new TooDeep(`${source}: ${what}: ${OUT_OF_STACK}`);
    throw e;
  }
}

/** Whether objects and arrays nest more than `limit` levels in `value` (a root object is level 1); no recursion. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function flattenLists(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(flattenLists);
  if (isRecord(value) && value.kind === 'List' && Array.isArray(value.items)) {
    return value.items.flatMap(flattenLists);
  }
  return [value];
}

function asObject(value: unknown, where: string): K8sObject {
  if (!isRecord(value)) throw new Error(`${where}: expected a Kubernetes object, got ${describe(value)}`);
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    throw new Error(`${where}: object without apiVersion/kind`);
  }
  if (!isRecord(value.metadata) || typeof value.metadata.name !== 'string') {
    throw new Error(`${where}: ${value.kind} without metadata.name`);
  }
  return value as K8sObject;
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}

export { isRecord };

/** A field's string value, or '' when it is missing or not a string (the API server's zero value). */
export function stringField(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/**
 * Loads every manifest from the given files and directories.
 *
 * Directories are walked recursively and only `*.yaml`, `*.yml` and `*.json`
 * files are read; files named explicitly are read whatever their extension.
 * Sub-directories whose name starts with `.` are skipped: synth stages
 * environments in `.tmp-*` and keeps backups in `.old-*`, and `.git` is never
 * a manifest folder (a dot-directory named explicitly is still read).
 * Files are visited in sorted order so results are deterministic across
 * file systems. A missing path throws an error naming it.
 */
export function loadManifests(paths: string[]): K8sObject[] {
  const files: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new Error(`${p}: no such file or directory`);
    }
    if (stat.isDirectory()) files.push(...walk(p));
    else files.push(p);
  }
  return files.flatMap((f) => parseManifests(readManifestFile(f), f));
}

/**
 * The largest manifest file read. The API server takes at most 3 MiB per request
 * (apiserver's MaxRequestBodyBytes), so a file holds many objects only; CRD bundles
 * reach about 10 MiB. Past this a file is refused before it is read (a 600 MB file
 * would otherwise fill memory and fail with no file named).
 */
export const MAX_MANIFEST_FILE_BYTES = 64 * 2 ** 20;

/** A manifest file's text; every refusal names the file. Pipes (`validate <(kubectl get ...)`) are read too. */
function readManifestFile(file: string): string {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw new Error('is a folder, not a file (a link to a folder?)');
    if (stat.isFile() && stat.size > MAX_MANIFEST_FILE_BYTES) {
      throw new Error(`is ${(stat.size / 2 ** 20).toFixed(1)} MiB: larger than the ${MAX_MANIFEST_FILE_BYTES / 2 ** 20} MiB a manifest file may have here (split it; the API server takes at most 3 MiB per object)`);
    }
    bytes = fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${file}: ${err.code ? `cannot be read (${err.code})` : err.message}`);
  }
  if (bytes.length > MAX_MANIFEST_FILE_BYTES) throw new Error(`${file}: more than the ${MAX_MANIFEST_FILE_BYTES / 2 ** 20} MiB a manifest file may have here (split it)`);
  return bytes.toString('utf8');
}

/** Manifest files under `dir`, recursively, in code-point order, hidden folders skipped (what `loadManifests` reads). */
export function manifestFiles(dir: string): string[] {
  return walk(dir);
}

function walk(dir: string): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareStrings(a.name, b.name));
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!isHiddenName(e.name)) out.push(...walk(full));
    } else if (MANIFEST_EXT.test(e.name) && !isKustomizationFile(e.name)) {
      // A FIFO or socket in a folder would block the read or fail it: refused by name (a pipe named explicitly is read).
      if (!e.isFile() && !e.isSymbolicLink()) throw new Error(`${full}: not a regular file: a folder's manifests are files (name a pipe explicitly to read it)`);
      out.push(full);
    }
  }
  return out;
}

/**
 * Whether a file is a kustomization (kustomize's build instructions, e.g.
 * dist/<env>/kustomization.yaml), not a manifest: the names kustomize
 * recognises (sigs.k8s.io/kustomize/api/konfig `RecognizedKustomizationFileNames`).
 * Folders skip them; a kustomization named explicitly is still read (and refused).
 */
export function isKustomizationFile(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base === 'kustomization.yaml' || base === 'kustomization.yml' || base === 'Kustomization';
}

/** Whether a directory entry is hidden (`.tmp-dev-123`, `.old-prod-1`, `.git`): never part of a manifest set. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

/**
 * Locale-independent string comparison by Unicode code point, for
 * deterministic sorting (never `localeCompare`, whose order depends on the
 * machine's ICU data and locale).
 *
 * JavaScript's `<` compares UTF-16 code units, which puts astral characters
 * (surrogate pairs, 0xD800-0xDFFF) before U+E000-U+FFFF; code units are
 * remapped at the first difference so the order is that of code points.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) < codePointRank(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Moves surrogates above U+E000-U+FFFF, preserving every other order. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * Kinds that are not namespaced. Only built-in kinds are known; a custom
 * resource is assumed namespaced, which is the common case.
 */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding',
  'CustomResourceDefinition', 'StorageClass', 'IngressClass', 'PriorityClass',
  'RuntimeClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'APIService', 'CertificateSigningRequest', 'FlowSchema',
  'PriorityLevelConfiguration', 'ComponentStatus', 'IPAddress', 'ServiceCIDR',
  // cert-manager (cert-manager.io_clusterissuers.yaml: scope Cluster)
  'ClusterIssuer',
]);

/** Whether objects of this kind live outside namespaces. */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** The namespace an object lives in (`default` when unset), or undefined for cluster-scoped kinds. */
export function namespaceOf(o: K8sObject): string | undefined {
  if (isClusterScoped(o.kind)) return undefined;
  return o.metadata.namespace ?? 'default';
}

/**
 * A short human reference: `Deployment dockercoins/hasher`, or
 * `ClusterRole traefik` for cluster-scoped objects. Used in every message.
 */
export function objectRef(o: K8sObject): string {
  const ns = namespaceOf(o);
  return ns === undefined ? `${o.kind} ${o.metadata.name}` : `${o.kind} ${ns}/${o.metadata.name}`;
}

/** Whether `o` is an apps/v1 workload (Deployment, ReplicaSet, StatefulSet, DaemonSet): a selector, a pod template, pods that restart Always. */
export function isAppsWorkload(o: K8sObject): boolean {
  return o.apiVersion.startsWith('apps/') && APPS_WORKLOAD_KINDS.has(o.kind);
}
const APPS_WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

/** Kinds whose pods are described by `podTemplateOf`. */
export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const;

/**
 * The pod template of a workload, or the Pod itself.
 *
 * Returns undefined for other kinds and for malformed objects without a spec,
 * so callers can simply skip non-workloads. The returned objects are the live
 * sub-objects (not copies); callers must not mutate them.
 */
export function podTemplateOf(o: K8sObject): PodTemplate | undefined {
  let tpl: unknown;
  switch (o.kind) {
    case 'Pod':
      tpl = { metadata: o.metadata, spec: o.spec };
      break;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      tpl = o.spec?.template;
      break;
    case 'CronJob':
      tpl = o.spec?.jobTemplate?.spec?.template;
      break;
    default:
      return undefined;
  }
  if (!isRecord(tpl) || !isRecord(tpl.spec)) return undefined;
  return { metadata: isRecord(tpl.metadata) ? tpl.metadata : {}, spec: tpl.spec };
}

/** A workload of an object set: the object, its pod template and its namespace. */
export interface WorkloadTemplate {
  object: K8sObject;
  template: PodTemplate;
  namespace: string;
}

/** Every object with a pod template (`podTemplateOf`), in input order. */
export function workloadsOf(objects: readonly K8sObject[]): WorkloadTemplate[] {
  return objects.flatMap((object) => {
    const template = podTemplateOf(object);
    return template ? [{ object, template, namespace: namespaceOf(object) ?? 'default' }] : [];
  });
}

/** A container of a pod spec, tagged with the list it came from. */
export interface ContainerRef {
  container: Record<string, any>;
  list: 'containers' | 'initContainers' | 'ephemeralContainers';
}

/** `container web`, `init container setup` or `ephemeral container debug`, for messages. */
export function describeContainer(ref: ContainerRef): string {
  const name = typeof ref.container.name === 'string' ? ref.container.name : '?';
  const kind = ref.list === 'containers' ? 'container' : ref.list === 'initContainers' ? 'init container' : 'ephemeral container';
  return `${kind} ${name}`;
}

/** All containers of a pod spec: regular, init and ephemeral, in that order. */
export function allContainers(podSpec: Record<string, any>): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const list of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    const cs = podSpec?.[list];
    if (!Array.isArray(cs)) continue;
    for (const c of cs) if (isRecord(c)) out.push({ container: c, list });
  }
  return out;
}
