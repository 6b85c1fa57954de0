/**
 * Certificates, from one typed source per environment (`certificates` in the
 * environment config). A component asks for a certificate — the Secret name,
 * the DNS names it serves (Ingress hosts, in-cluster Service names), its key
 * usages — and the source decides how the Secret comes to exist:
 *
 * - `cert-manager`: the model emits a cert-manager.io/v1 `Certificate`; the
 *   cert-manager controller (a cluster prerequisite, CERT_MANAGER_VERSION)
 *   writes the Secret (`tls.crt`, `tls.key`, `ca.crt`) and renews it. Internal
 *   endpoints are signed by the environment's CA ClusterIssuer (bootstrapped by
 *   a self-signed ClusterIssuer, `CertificateAuthority` below); Ingress hosts by
 *   the same CA or by a ClusterIssuer the cluster runs (e.g. ACME), by config.
 * - `external`: nothing is emitted; every Secret is listed by `npm run synth`
 *   (dist/<env>/SECRETS.md) with the `kubectl create secret` command.
 * - `none`: no TLS in this environment (dev); asking for a certificate is a bug.
 *
 * Nothing secret is ever rendered either way. Every request is recorded per
 * chart (`certificatesOf`): src/stack.ts attaches them to the StackChart so
 * that src/secrets.ts lists them and the invariants know who provides them.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { dnsLabel, dnsSubdomain, int, z } from './schema';
import { CERT_MANAGER_VERSION } from '../versions';

export { CERT_MANAGER_VERSION };

/** API version of every cert-manager object the model emits. */
export const CERT_MANAGER_API_VERSION = 'cert-manager.io/v1';

/** Keys cert-manager writes into a certificate Secret (and an `external` one must hold). */
export const TLS_SECRET_KEYS = { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;

const certManagerSource = z.strictObject({
  source: z.literal('cert-manager'),
  /**
   * The cert-manager release the cluster runs (a prerequisite, installed before
   * the first deploy). Only v1.x serves cert-manager.io/v1. @default CERT_MANAGER_VERSION
   */
  version: z.string().prefault(CERT_MANAGER_VERSION).superRefine((v, ctx) => {
    if (!/^v1\.\d+\.\d+$/.test(v)) ctx.addIssue({ code: 'custom', message: `"${v}" is not an exact cert-manager v1 release (e.g. ${CERT_MANAGER_VERSION}); the model emits cert-manager.io/v1 objects` });
  }),
  /**
   * cert-manager's cluster resource namespace (its `--cluster-resource-namespace`,
   * by default the namespace it is installed in): a CA ClusterIssuer reads its
   * key pair from a Secret there, so the CA Certificate is created there. @default cert-manager
   */
  clusterResourceNamespace: dnsLabel().prefault('cert-manager'),
  /**
   * Who signs Ingress hosts. `internal-ca`: the environment's own CA (clients
   * must trust it; fine for staging and internal users); `cluster-issuer`: an
   * existing ClusterIssuer of the cluster (e.g. an ACME issuer with a DNS-01
   * solver run by the platform team). @default internal-ca
   */
  ingressIssuer: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('internal-ca') }),
    z.strictObject({ type: z.literal('cluster-issuer'), name: dnsSubdomain() }),
  ]).prefault({ type: 'internal-ca' }),
  /** Lifetime of issued (leaf) certificates in hours. @default 2160 (90 days) */
  durationHours: int(24, 24 * 397).prefault(2160),
  /** Renew this many hours before expiry. @default 720 (30 days) */
  renewBeforeHours: int(1).prefault(720),
}).superRefine((c, ctx) => {
  if (c.renewBeforeHours >= c.durationHours) {
    ctx.addIssue({ code: 'custom', path: ['renewBeforeHours'], message: `${c.renewBeforeHours} must be below durationHours (${c.durationHours}): cert-manager would renew continuously` });
  }
});

/**
 * Where an environment's certificates come from. @default { source: 'none' } (no TLS, as dev)
 */
export const certificatesSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('none') }),
  certManagerSource,
  z.strictObject({ source: z.literal('external') }),
]).prefault({ source: 'none' });
export type CertificateSource = z.output<typeof certificatesSchema>;
export type CertManagerSource = Extract<CertificateSource, { source: 'cert-manager' }>;

/** Whether the environment serves TLS (Ingress hosts and internal endpoints). */
export const tlsEnabled = (source: CertificateSource): source is Exclude<CertificateSource, { source: 'none' }> => source.source !== 'none';

/** X.509 extended key usages a component may ask for (cert-manager's `usages` enum values). */
export type CertificateUsage = 'server auth' | 'client auth';
/** Key usages written into a Certificate (cert-manager's `usages` enum values, CRD cert-manager.io_certificates.yaml). */
export type CertificateSpecUsage = CertificateUsage | 'digital signature';

/** What a component asks for. */
export interface CertificateRequest {
  readonly namespace: string;
  /** Secret the certificate and key land in (also the Certificate's name). */
  readonly secretName: string;
  /** Subject alternative names: Ingress hosts or in-cluster Service DNS names; empty for a client identity with `commonName`. */
  readonly dnsNames: readonly string[];
  /** Subject common name: the identity of a client certificate. @default - none (servers are named by `dnsNames`) */
  readonly commonName?: string;
  readonly usages: readonly CertificateUsage[];
  /**
   * `ingress`: a host published through the ingress controller (signed by the
   * ingress issuer); `internal`: an in-cluster endpoint or client, signed by the
   * environment CA, whose `ca.crt` the other side trusts.
   */
  readonly purpose: 'ingress' | 'internal';
  /** Labels of the Certificate and of the Secret it writes. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A request as recorded for the environment's secret list. */
export interface CertificateNeed extends CertificateRequest {
  readonly source: 'cert-manager' | 'external';
  /** Keys the Secret holds. */
  readonly keys: readonly string[];
}

const NEEDS = new WeakMap<Chart, CertificateNeed[]>();

/** Every certificate requested inside a chart, in request order. */
export function certificatesOf(chart: Chart): readonly CertificateNeed[] {
  return NEEDS.get(chart) ?? [];
}

/** Names of the environment CA's objects (cluster-scoped issuers carry the environment: two environments never share one by accident). */
export function authorityNames(environment: string) {
  const base = `dockercoins-${environment}`;
  return { selfSigned: `${base}-selfsigned`, ca: `${base}-ca`, caSecret: `${base}-ca` } as const;
}

/** Typed subset of cert-manager.io/v1 objects the model emits (the fields src/analysis/schema-cert-manager.ts checks). */
export interface IssuerRef { readonly group: 'cert-manager.io'; readonly kind: 'ClusterIssuer' | 'Issuer'; readonly name: string }
export interface CertificateSpec {
  readonly secretName: string;
  readonly secretTemplate?: { readonly labels?: Record<string, string> };
  readonly commonName?: string;
  readonly dnsNames?: string[];
  readonly isCA?: boolean;
  readonly duration?: string;
  readonly renewBefore?: string;
  readonly usages?: CertificateSpecUsage[];
  readonly privateKey: { readonly algorithm: 'ECDSA' | 'RSA' | 'Ed25519'; readonly size?: number; readonly encoding: 'PKCS1' | 'PKCS8'; readonly rotationPolicy: 'Always' | 'Never' };
  readonly issuerRef: IssuerRef;
}
export type ClusterIssuerSpec = { readonly selfSigned: Record<string, never> } | { readonly ca: { readonly secretName: string } };

/**
 * ECDSA P-256 in PKCS#8: read by OpenSSL (Postgres), Go (Consul, Traefik) and
 * Java (Elasticsearch, which needs PKCS#8 for EC keys). A new key on every renewal.
 */
const PRIVATE_KEY: CertificateSpec['privateKey'] = { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' };

function certificateObject(scope: Construct, id: string, name: string, namespace: string, labels: Readonly<Record<string, string>>, spec: CertificateSpec): ApiObject {
  return new ApiObject(scope, id, { apiVersion: CERT_MANAGER_API_VERSION, kind: 'Certificate', metadata: { name, namespace, labels: { ...labels } }, spec });
}

/**
 * Asks the environment's source for a certificate. With cert-manager, emits a
 * Certificate in `scope`; with `external`, emits nothing. Either way the need
 * is recorded on the chart of `scope`. Returns the Secret name.
 */
export function requestCertificate(scope: Construct, id: string, source: CertificateSource, environment: string, request: CertificateRequest): string {
  if (!tlsEnabled(source)) throw new Error(`certificates: ${request.namespace}/${request.secretName} was requested, but the environment has no certificate source (certificates.source "none")`);
  if (request.dnsNames.length === 0 && !request.commonName) throw new Error(`certificates: ${request.namespace}/${request.secretName} needs a DNS name or a common name`);
  if (request.usages.length === 0) throw new Error(`certificates: ${request.namespace}/${request.secretName} needs at least one usage`);
  const chart = Chart.of(scope);
  const needs = NEEDS.get(chart) ?? [];
  if (needs.some(n => n.namespace === request.namespace && n.secretName === request.secretName)) {
    throw new Error(`certificates: ${request.namespace}/${request.secretName} is requested twice`);
  }
  // An Ingress certificate is only presented (no one reads its ca.crt); an internal one is also trusted through its ca.crt.
  const keys = request.purpose === 'ingress'
    ? [TLS_SECRET_KEYS.cert, TLS_SECRET_KEYS.key]
    : [TLS_SECRET_KEYS.cert, TLS_SECRET_KEYS.key, TLS_SECRET_KEYS.ca];
  needs.push({ ...request, dnsNames: [...request.dnsNames], usages: [...request.usages], source: source.source, keys });
  NEEDS.set(chart, needs);
  if (source.source === 'cert-manager') {
    const issuer = request.purpose === 'ingress' && source.ingressIssuer.type === 'cluster-issuer' ? source.ingressIssuer.name : authorityNames(environment).ca;
    certificateObject(scope, id, request.secretName, request.namespace, request.labels, {
      secretName: request.secretName,
      // The Secret carries the requester's labels, so it is found with its owner's.
      secretTemplate: { labels: { ...request.labels } },
      commonName: request.commonName,
      dnsNames: request.dnsNames.length > 0 ? [...request.dnsNames] : undefined,
      // An ACME issuer sets its own lifetime (90 days at Let's Encrypt) and ignores `duration`.
      duration: issuer === authorityNames(environment).ca ? `${source.durationHours}h` : undefined,
      renewBefore: `${source.renewBeforeHours}h`,
      // digitalSignature: the TLS handshake signs with the (ECDSA) key; without `usages` cert-manager would add keyEncipherment, meaningless for ECDSA.
      usages: ['digital signature', ...request.usages],
      privateKey: PRIVATE_KEY,
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: issuer },
    });
  }
  return request.secretName;
}

/**
 * How a construct gets certificates without knowing the environment: the
 * stack builder hands one to every build step where the environment has TLS
 * (`BuildContext.certificates`), undefined where it has none.
 */
export interface CertificateProvider {
  /** Requests a certificate (see `requestCertificate`); returns the Secret name. */
  request(scope: Construct, id: string, request: CertificateRequest): string;
}

/** The provider of an environment's source; undefined for `none`. */
export function certificateProvider(source: CertificateSource, environment: string): CertificateProvider | undefined {
  if (!tlsEnabled(source)) return undefined;
  return { request: (scope, id, request) => requestCertificate(scope, id, source, environment, request) };
}

/**
 * Secret of an Ingress host's certificate: the configured name, else
 * `<first label of the host>-tls` (`kibana.staging.example.com` -> `kibana-tls`).
 */
export function ingressTlsSecretName(host: string, configured?: string): string {
  return configured ?? `${host.split('.')[0]}-tls`;
}

/**
 * A volume with only the CA (`ca.crt`) of a certificate Secret: what a client mounts to verify a server,
 * never the server's key. World-readable: a CA certificate is public.
 */
export function caVolume(name: string, secretName: string) {
  return { name, secret: { secretName, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } };
}

/** The in-cluster DNS names of a Service: `name`, `name.ns`, `name.ns.svc`, `name.ns.svc.<domain>`. */
export function serviceDnsNames(service: string, namespace: string, clusterDomain = 'cluster.local'): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}

/** Lifetime of the environment CA: 5 years, renewed 1 year ahead (its clients reload `ca.crt` from the Secrets cert-manager refreshes). */
const CA_DURATION_HOURS = 5 * 8760;
const CA_RENEW_BEFORE_HOURS = 8760;

export interface CertificateAuthorityProps {
  readonly environment: string;
  readonly source: CertManagerSource;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The environment's private CA, managed by cert-manager: a self-signed
 * ClusterIssuer signs one CA Certificate (in the cluster resource namespace),
 * and a CA ClusterIssuer signs every internal certificate with it. Every
 * certificate Secret it issues carries the CA as `ca.crt`, which is what
 * clients verify the servers against.
 */
export class CertificateAuthority extends Construct {
  public readonly issuerName: string;

  constructor(scope: Construct, id: string, props: CertificateAuthorityProps) {
    super(scope, id);
    const names = authorityNames(props.environment);
    const labels = { ...props.labels };
    const issuer = (cid: string, name: string, spec: ClusterIssuerSpec) => new ApiObject(this, cid, { apiVersion: CERT_MANAGER_API_VERSION, kind: 'ClusterIssuer', metadata: { name, labels }, spec });
    issuer('SelfSigned', names.selfSigned, { selfSigned: {} });
    certificateObject(this, 'Certificate', names.ca, props.source.clusterResourceNamespace, labels, {
      secretName: names.caSecret,
      secretTemplate: { labels },
      isCA: true,
      commonName: `DockerCoins ${props.environment} internal CA`,
      duration: `${CA_DURATION_HOURS}h`,
      renewBefore: `${CA_RENEW_BEFORE_HOURS}h`,
      privateKey: PRIVATE_KEY,
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: names.selfSigned },
    });
    issuer('Issuer', names.ca, { ca: { secretName: names.caSecret } });
    this.issuerName = names.ca;
  }
}
