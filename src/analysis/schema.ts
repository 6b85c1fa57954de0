/**
 * Structural validation of Kubernetes objects against the OpenAPI schema,
 * using the ajv validators that kubernetes-models ships precompiled.
 *
 * Those validators check types, required fields, enums and formats, but the
 * Kubernetes schema does not declare `additionalProperties: false`, so on
 * their own they accept any unknown field — which is exactly the typo class
 * (`readinessprobe`, `securityContext` one level too deep) we most want to
 * catch, and which the API server drops silently (or rejects with strict
 * field validation). kubernetes-models does not ship the JSON schemas
 * themselves, only compiled code, so instead of re-deriving the property
 * lists we observe the validator: the object is wrapped in a Proxy that
 * records which keys the compiled code reads. A compiled validator reads every
 * property its schema declares (`data.foo === undefined` checks) and
 * enumerates keys only for maps (`additionalProperties`, e.g. labels). Hence:
 *  - an object whose keys were enumerated is a map: every key is allowed;
 *  - an object of which no key was read at all has an open schema
 *    (e.g. RawExtension, JSON): every key is allowed;
 *  - otherwise a present key that was never read is an unknown field.
 * This stays exact for every schema the validator descends into and needs no
 * second copy of the schema.
 */
import * as fs from 'fs';
import * as path from 'path';
import { APPLYSET_PARENT, APPLYSET_PARENT_API_VERSION } from '../../constructs/lib/applyset';
import { K8sObject, isRecord } from './objects';
import { isCertManagerKind, validateCertManager } from './schema-cert-manager';
import { RENDERED_KIND_MODELS } from './schema-models';

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, any>;
  message?: string;
}

type ModelValidate = (this: unknown) => void;

/** Cache of model validate functions by `apiVersion kind` (null = no schema). */
const validators = new Map<string, ModelValidate | null>();

const GROUP_RE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const VERSION_RE = /^v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND_RE = /^[A-Z][A-Za-z0-9]*$/;

/** Directory of the kubernetes-models package (resolved once). */
let modelsRoot: string | undefined;
function kubernetesModelsRoot(): string {
  modelsRoot ??= path.dirname(require.resolve('kubernetes-models/package.json'));
  return modelsRoot;
}

/**
 * Packages with the same layout (`<group>/<version>/<Kind>.js`, a class with
 * static apiVersion/kind and a compiled `validate`) for the custom resources
 * the delivery engines read: Argo CD's Application and AppProject
 * (@kubernetes-models/argo-cd 2.7.2, generated from Argo CD's CRDs) and Flux's
 * GitRepository and Kustomization (@kubernetes-models/flux-cd 2.3.4). The
 * first package with a file for the kind wins; kubernetes-models comes first.
 */
const CRD_MODEL_PACKAGES = ['@kubernetes-models/argo-cd', '@kubernetes-models/flux-cd'];
let modelRoots: string[] | undefined;
function modelPackageRoots(): string[] {
  modelRoots ??= [kubernetesModelsRoot(), ...CRD_MODEL_PACKAGES.flatMap((pkg) => {
    try { return [path.dirname(require.resolve(`${pkg}/package.json`))]; } catch { return []; }
  })];
  return modelRoots;
}

/**
 * The model module's file for apiVersion/kind in the first package that has
 * one, or undefined. The pieces are checked before a path is built from them:
 * the values come from arbitrary files and must not be able to reach other modules.
 */
export function modelFile(apiVersion: string, kind: string): string | undefined {
  const parts = apiVersion.split('/');
  const [group, version] = parts.length === 1 ? ['', parts[0]] : parts;
  if (parts.length > 2 || (group !== '' && !GROUP_RE.test(group)) || !VERSION_RE.test(version) || !KIND_RE.test(kind)) return undefined;
  return modelPackageRoots().map((root) => path.join(root, group || '', version, `${kind}.js`)).find((f) => fs.existsSync(f));
}

/**
 * Finds the kubernetes-models class for apiVersion/kind and returns its
 * validate method, or null when there is none. The kinds the stack renders
 * come from schema-models.ts (bundled), the others from disk. Results are
 * cached so each kind's module is loaded once.
 */
function lookupValidator(apiVersion: string, kind: string): ModelValidate | null {
  const key = `${apiVersion} ${kind}`;
  const cached = validators.get(key);
  if (cached !== undefined) return cached;
  let mod: Record<string, unknown> | undefined;
  if (Object.hasOwn(RENDERED_KIND_MODELS, key)) {
    mod = RENDERED_KIND_MODELS[key]();
  } else {
    const file = modelFile(apiVersion, kind);
    if (file) mod = require(file) as Record<string, unknown>;
  }
  const cls = mod?.[kind] as { apiVersion?: unknown; kind?: unknown; prototype?: { validate?: unknown } } | undefined;
  // Only top-level resources carry static apiVersion/kind; this rejects
  // e.g. `v1 Container`, which is a model but not an object kind.
  const found = cls && cls.apiVersion === apiVersion && cls.kind === kind && typeof cls.prototype?.validate === 'function'
    ? cls.prototype.validate as ModelValidate
    : null;
  validators.set(key, found);
  return found;
}

let quantityFormat: RegExp | null | undefined;

/**
 * Whether the schema's own `quantity` format accepts `value`. That format
 * (from @kubernetes-models/validate, which the compiled validators use) is
 * laxer than the API server: it accepts any SI prefix (`1Y`, `2d`, `3h`), so
 * the `quantities` rule checks the real grammar and uses this to report only
 * what the schema let through. True when the format cannot be found.
 */
export function schemaAcceptsQuantity(value: string): boolean {
  if (quantityFormat === undefined) {
    try {
      const mod = require(require.resolve('@kubernetes-models/validate', { paths: [kubernetesModelsRoot()] }));
      const re: unknown = mod?.formats?.quantity?.validate;
      quantityFormat = re instanceof RegExp ? re : null;
    } catch {
      quantityFormat = null;
    }
  }
  return quantityFormat === null || quantityFormat.test(value);
}

/**
 * API versions kubernetes-models still ships schemas for but that current
 * clusters no longer serve, with the release that removed them. Objects
 * using them would validate here and then fail to apply, so they are errors.
 * (Source: the Kubernetes deprecated API migration guide.)
 */
const REMOVED_API_VERSIONS: Record<string, string> = {
  'extensions/v1beta1': '1.22',
  'apps/v1beta1': '1.16',
  'apps/v1beta2': '1.16',
  'admissionregistration.k8s.io/v1beta1': '1.22',
  'apiextensions.k8s.io/v1beta1': '1.22',
  'apiregistration.k8s.io/v1beta1': '1.22',
  'authentication.k8s.io/v1beta1': '1.22',
  'authorization.k8s.io/v1beta1': '1.22',
  'certificates.k8s.io/v1beta1': '1.22',
  'coordination.k8s.io/v1beta1': '1.22',
  'networking.k8s.io/v1beta1': '1.22',
  'rbac.authorization.k8s.io/v1beta1': '1.22',
  'scheduling.k8s.io/v1beta1': '1.22',
  'batch/v1beta1': '1.25',
  'discovery.k8s.io/v1beta1': '1.25',
  'events.k8s.io/v1beta1': '1.25',
  'autoscaling/v2beta1': '1.25',
  'policy/v1beta1': '1.25',
  'node.k8s.io/v1beta1': '1.25',
  'autoscaling/v2beta2': '1.26',
  'flowcontrol.apiserver.k8s.io/v1beta1': '1.26',
  'storage.k8s.io/v1beta1': '1.27',
  'flowcontrol.apiserver.k8s.io/v1beta2': '1.29',
  'flowcontrol.apiserver.k8s.io/v1beta3': '1.32',
};

/**
 * Declared fields the compiled validators never read, so the observation
 * above cannot see them: the kubernetes-models generator drops every schema
 * property named `description` (it takes the key for documentation), e.g.
 * AppProject `spec.description` (declared in
 * @kubernetes-models/argo-cd argoproj.io/v1alpha1/AppProject.d.ts, absent from
 * its _schemas validator) and JSONSchemaProps `description` in a CRD. Listed
 * by JSON pointer, per kind, so a misplaced `description` elsewhere is still unknown.
 */
const UNREAD_FIELDS: Record<string, RegExp[]> = {
  'argoproj.io/v1alpha1 AppProject': [/^\/spec\/description$/, /^\/spec\/roles\/\d+\/description$/],
  // `description` is lost when kubernetes-models compiles its schemas (read as the JSON Schema keyword):
  // PriorityClass.d.ts declares `description?: string` (scheduling.k8s.io/v1) and the API server accepts it.
  'scheduling.k8s.io/v1 PriorityClass': [/^\/description$/],
  'apiextensions.k8s.io/v1 CustomResourceDefinition': [/^\/spec\/versions\/\d+\/schema\/openAPIV3Schema(\/(properties\/[^/]+|items|additionalProperties))*\/description$/],
};

/** Whether a schema is available for this apiVersion/kind. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return isCertManagerKind(apiVersion, kind) || lookupValidator(apiVersion, kind) !== null;
}

/** What the validator did with one object node, and the one proxy that records it. */
interface Access {
  read: Set<string>;
  enumerated: boolean;
  proxy: object;
}

/**
 * Wraps `value` so that every read is recorded in `log`, recursively (nested
 * objects are wrapped lazily when read). Arrays are tracked too but only
 * objects are checked for unknown keys. A node read again gets the same proxy:
 * the validators read each property several times (type, then value).
 */
function track(value: unknown, log: WeakMap<object, Access>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const known = log.get(value);
  if (known) return known.proxy;
  const read = new Set<string>();
  const access: Access = {
    read,
    enumerated: false,
    proxy: new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') read.add(key);
        return track(Reflect.get(target, key, receiver), log);
      },
      has(target, key) {
        if (typeof key === 'string') read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        access.enumerated = true;
        return Reflect.ownKeys(target);
      },
    }),
  };
  log.set(value, access);
  return access.proxy;
}

/** Collects unknown fields of a validated tree, as JSON-pointer-ish paths. */
function unknownFields(value: unknown, at: string, log: WeakMap<object, Access>, out: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  const access = log.get(value);
  // Not visited: its parent was not descended into (an unknown field itself,
  // or a type error), already reported there.
  if (!access) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, `${at}/${i}`, log, out));
    return;
  }
  const open = access.enumerated || access.read.size === 0;
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (!open && !access.read.has(k)) {
      out.push(`${at}/${escapePointer(k)}`);
      continue;
    }
    unknownFields(v, `${at}/${escapePointer(k)}`, log, out);
  }
}

function escapePointer(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/spec/template/spec/containers/0/image` -> `spec.template.spec.containers[0].image`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '(root)';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * Turns ajv errors into one message per problem.
 *
 * int-or-string and quantity fields are `oneOf` schemas: a wrong value yields
 * one error per branch plus the `oneOf` error. Branch errors at the same path
 * are dropped in favour of a single "must be an integer or a string" style
 * message so the output stays readable.
 */
function formatErrors(errors: AjvError[]): string[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const messages: string[] = [];
  for (const e of errors) {
    const p = pointerToPath(e.instancePath);
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') {
      const kinds = errors
        .filter((b) => b.instancePath === e.instancePath && b.keyword !== e.keyword)
        .map((b) => (b.keyword === 'type' ? String(b.params.type) : b.keyword === 'format' ? `${b.params.format} string` : b.keyword));
      messages.push(`${p}: must be ${kinds.length ? unique(kinds).join(' or ') : 'valid'}`);
      continue;
    }
    if (oneOfPaths.has(e.instancePath)) continue;
    switch (e.keyword) {
      case 'required': {
        const child = e.instancePath === '' ? e.params.missingProperty : `${p}.${e.params.missingProperty}`;
        messages.push(`${child}: required field is missing`);
        break;
      }
      case 'type':
        messages.push(`${p}: must be ${e.params.type}`);
        break;
      case 'enum':
        messages.push(`${p}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
        break;
      case 'format':
        messages.push(`${p}: must be a valid ${e.params.format}`);
        break;
      default:
        messages.push(`${p}: ${e.message ?? e.keyword}`);
    }
  }
  return unique(messages);
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/**
 * Validates one object against the Kubernetes OpenAPI schema.
 *
 * Returns one message per problem, each starting with the field path
 * (`spec.template.spec.containers[0].ports[0].containerPort: must be integer`);
 * an empty list means valid. Unknown apiVersion/kind pairs yield
 * `no schema for <apiVersion> <kind>` — custom resources must be checked some
 * other way (cert-manager.io/v1 Certificate, Issuer and ClusterIssuer are: schema-cert-manager.ts). API versions removed from Kubernetes (e.g. `extensions/v1beta1`)
 * are reported too, although kubernetes-models still has their schemas. Unknown fields are reported as `<path>: unknown field`.
 */
export function validateSchema(o: K8sObject): string[] {
  if (!isRecord(o)) return ['(root): must be object'];
  const removedIn = REMOVED_API_VERSIONS[o.apiVersion];
  if (removedIn) return [`apiVersion: ${o.apiVersion} ${o.kind} is no longer served (removed in Kubernetes ${removedIn})`];
  // cert-manager's kinds: encoded from its CRDs (schema-cert-manager.ts), no kubernetes-models package.
  if (isCertManagerKind(String(o.apiVersion), String(o.kind))) return validateCertManager(o);
  if (o.apiVersion === APPLYSET_PARENT_API_VERSION && o.kind === APPLYSET_PARENT.kind) return validateApplySetParent(o);
  const validate = lookupValidator(String(o.apiVersion), String(o.kind));
  if (!validate) return [`no schema for ${o.apiVersion} ${o.kind}`];
  const log = new WeakMap<object, Access>();
  const proxy = track(o, log);
  let errors: AjvError[] = [];
  try {
    validate.call(proxy);
  } catch (err: any) {
    if (!Array.isArray(err?.errors)) throw err;
    errors = err.errors as AjvError[];
  }
  const unknown: string[] = [];
  unknownFields(o, '', log, unknown);
  const unread = UNREAD_FIELDS[`${o.apiVersion} ${o.kind}`] ?? [];
  return [...formatErrors(errors), ...unknown.filter((u) => !unread.some((re) => re.test(u))).map((u) => `${pointerToPath(u)}: unknown field`)];
}

/**
 * The model's ApplySet parent (constructs/lib/applyset.ts): its CRD
 * (src/delivery/applyset.ts) declares apiVersion, kind and metadata only, so
 * any other field is unknown; metadata is an ObjectMeta, checked with the
 * schema of an object that holds nothing else (a ConfigMap without data).
 */
function validateApplySetParent(o: K8sObject): string[] {
  const unknown = Object.keys(o).filter((k) => !['apiVersion', 'kind', 'metadata'].includes(k)).map((k) => `${pointerToPath(`/${escapePointer(k)}`)}: unknown field`);
  return [...validateSchema({ apiVersion: 'v1', kind: 'ConfigMap', metadata: o.metadata }), ...unknown];
}
