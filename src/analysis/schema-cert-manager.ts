/**
 * Schema check of the cert-manager.io/v1 kinds the model emits (Certificate,
 * Issuer, ClusterIssuer). No kubernetes-models package ships cert-manager's
 * schemas, so the fields the model uses are encoded here from cert-manager's
 * own CRDs: cert-manager/cert-manager, tag v1.21.1 (commit
 * 24e33194fb39488eff2bbf10c6dc640f407cad44), deploy/crds/cert-manager.io_certificates.yaml,
 * cert-manager.io_issuers.yaml, cert-manager.io_clusterissuers.yaml
 * (openAPIV3Schema of version v1: types, enums, required fields), plus two
 * rules of cert-manager's validating webhook (internal/apis/certmanager/validation):
 * a Certificate names at least one subject, and `renewBefore` is shorter than
 * `duration`. Fields of the CRDs outside this subset are reported as not
 * checked, so an object the model emits is either checked or refused.
 */
import { isRecord, K8sObject } from './objects';

export const CERT_MANAGER_GROUP_VERSION = 'cert-manager.io/v1';
export const CERT_MANAGER_KINDS = ['Certificate', 'Issuer', 'ClusterIssuer'] as const;

/** `spec.usages` items (CRD enum, KeyUsage). */
export const CERTIFICATE_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system',
  'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
] as const;
/** `spec.privateKey` enums and the sizes its description allows per algorithm. */
const KEY_ALGORITHMS = ['RSA', 'ECDSA', 'Ed25519'];
const KEY_ENCODINGS = ['PKCS1', 'PKCS8'];
const ROTATION_POLICIES = ['Never', 'Always'];
const KEY_SIZES: Record<string, number[]> = { RSA: [2048, 4096, 8192], ECDSA: [256, 384, 521] };

/** Go time.ParseDuration units (the CRD: "units accepted by Go time.ParseDuration"). */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const GO_UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

function goDurationSeconds(v: string): number | undefined {
  if (!GO_DURATION.test(v)) return undefined;
  let total = 0;
  for (const m of v.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * GO_UNIT_SECONDS[m[2]];
  return total;
}

type Check = (value: unknown, at: string, out: string[]) => void;

const str: Check = (v, at, out) => { if (typeof v !== 'string') out.push(`${at}: must be string`); };
const bool: Check = (v, at, out) => { if (typeof v !== 'boolean') out.push(`${at}: must be boolean`); };
const int: Check = (v, at, out) => { if (!Number.isInteger(v)) out.push(`${at}: must be integer`); };
const enumOf = (values: readonly string[]): Check => (v, at, out) => {
  if (typeof v !== 'string' || !values.includes(v)) out.push(`${at}: must be one of ${values.map(x => JSON.stringify(x)).join(', ')}`);
};
const arrayOf = (item: Check): Check => (v, at, out) => {
  if (!Array.isArray(v)) { out.push(`${at}: must be array`); return; }
  v.forEach((x, i) => item(x, `${at}[${i}]`, out));
};
const stringMap: Check = (v, at, out) => {
  if (!isRecord(v)) { out.push(`${at}: must be object`); return; }
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') out.push(`${at}.${k}: must be string`);
};
const duration: Check = (v, at, out) => {
  if (typeof v !== 'string') { out.push(`${at}: must be string`); return; }
  const seconds = goDurationSeconds(v);
  if (seconds === undefined) out.push(`${at}: "${v}" is not a Go duration (e.g. 2160h, 90m)`);
};
/** A strict object: only the listed fields (the encoded subset), `required` present. */
const object = (fields: Record<string, Check>, required: readonly string[] = []): Check => (v, at, out) => {
  if (!isRecord(v)) { out.push(`${at}: must be object`); return; }
  for (const r of required) if (v[r] === undefined) out.push(`${at}.${r}: required field is missing`);
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    const check = fields[k];
    if (!check) out.push(`${at}.${k}: unknown field (or not in the subset of the cert-manager ${CERT_MANAGER_GROUP_VERSION} CRD this repository checks)`);
    else check(x, `${at}.${k}`, out);
  }
};

const issuerRef = object({ name: str, kind: str, group: str }, ['name']);
const privateKey: Check = (v, at, out) => {
  object({ algorithm: enumOf(KEY_ALGORITHMS), encoding: enumOf(KEY_ENCODINGS), rotationPolicy: enumOf(ROTATION_POLICIES), size: int })(v, at, out);
  if (!isRecord(v) || typeof v.size !== 'number') return;
  const allowed = KEY_SIZES[String(v.algorithm ?? 'RSA')];
  if (allowed && !allowed.includes(v.size)) out.push(`${at}.size: ${v.size} is not a valid ${String(v.algorithm ?? 'RSA')} key size (${allowed.join(', ')})`);
};
const certificateSpec: Check = (v, at, out) => {
  object({
    secretName: str,
    secretTemplate: object({ labels: stringMap, annotations: stringMap }),
    commonName: str,
    dnsNames: arrayOf(str),
    ipAddresses: arrayOf(str),
    uris: arrayOf(str),
    emailAddresses: arrayOf(str),
    isCA: bool,
    duration,
    renewBefore: duration,
    usages: arrayOf(enumOf(CERTIFICATE_USAGES)),
    privateKey,
    issuerRef,
  }, ['issuerRef', 'secretName'])(v, at, out);
  if (!isRecord(v)) return;
  // Webhook: a certificate names a subject.
  const names = ['commonName', 'dnsNames', 'ipAddresses', 'uris', 'emailAddresses'].filter(k => v[k] !== undefined && !(Array.isArray(v[k]) && v[k].length === 0));
  if (names.length === 0) out.push(`${at}: at least one of commonName, dnsNames, ipAddresses, uris or emailAddresses must be set`);
  // Webhook: renewBefore below duration (90 days when unset).
  const d = typeof v.duration === 'string' ? goDurationSeconds(v.duration) : 90 * 86400;
  const r = typeof v.renewBefore === 'string' ? goDurationSeconds(v.renewBefore) : undefined;
  if (d !== undefined && r !== undefined && r >= d) out.push(`${at}.renewBefore: ${v.renewBefore} must be shorter than the duration`);
  if (d !== undefined && d < 3600) out.push(`${at}.duration: ${v.duration} is below the minimum of 1h`);
};
const issuerSpec: Check = (v, at, out) => {
  object({
    selfSigned: object({ crlDistributionPoints: arrayOf(str) }),
    ca: object({ secretName: str, crlDistributionPoints: arrayOf(str), issuingCertificateURLs: arrayOf(str), ocspServers: arrayOf(str) }, ['secretName']),
  })(v, at, out);
  if (!isRecord(v)) return;
  // Exactly one issuer type (the webhook refuses none or several).
  const types = ['acme', 'ca', 'selfSigned', 'vault', 'venafi'].filter(k => v[k] !== undefined);
  if (types.length !== 1) out.push(`${at}: must configure exactly one issuer type, got ${types.length === 0 ? 'none' : types.join(', ')}`);
};

const metadata = (namespaced: boolean): Check => (v, at, out) => {
  if (!isRecord(v)) { out.push(`${at}: must be object`); return; }
  if (typeof v.name !== 'string' || v.name === '') out.push(`${at}.name: required field is missing`);
  if (!namespaced && v.namespace !== undefined) out.push(`${at}.namespace: a ClusterIssuer is cluster-scoped and has no namespace`);
};

/** Whether `validateCertManager` knows the apiVersion/kind. */
export function isCertManagerKind(apiVersion: string, kind: string): boolean {
  return apiVersion === CERT_MANAGER_GROUP_VERSION && (CERT_MANAGER_KINDS as readonly string[]).includes(kind);
}

/** Problems of one cert-manager object, each starting with the field path (empty = valid). */
export function validateCertManager(o: K8sObject): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o)) if (!['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k)) out.push(`${k}: unknown field`);
  metadata(o.kind !== 'ClusterIssuer')(o.metadata, 'metadata', out);
  if (o.spec === undefined) out.push('spec: required field is missing');
  else if (o.kind === 'Certificate') certificateSpec(o.spec, 'spec', out);
  else issuerSpec(o.spec, 'spec', out);
  return out;
}
