/**
 * Every Secret an environment needs and the model never renders (no secret in
 * git): those the charts declare (Pulumi creates them from secret stack config;
 * with kubectl an operator creates them first), and those objects reference
 * but nobody creates (Ingress TLS certificates, provided outside the model).
 * `npm run synth` writes the list as dist/<env>/SECRETS.md with the commands
 * for both engines; test/secrets.test.ts proves nothing read is missing.
 */
import type { CertificateNeed } from '../constructs/lib/certificates';
import type { RequiredSecret } from '../constructs/lib/component';
import type { K8sObject } from './analysis/objects';

/** What the inventory reads of a rendered chart (structurally a RenderedChart of src/render.ts). */
export interface ChartSecrets { readonly objects: readonly K8sObject[]; readonly secrets: readonly RequiredSecret[]; readonly certificates?: readonly CertificateNeed[] }

/** What a certificate Secret must contain (its request). */
export interface CertificateSecret {
  readonly dnsNames: readonly string[];
  /** Common name of a client certificate. @default - none */
  readonly commonName?: string;
  readonly usages: readonly string[];
  readonly purpose: 'ingress' | 'internal';
  /** Keys of the Secret (`tls.crt`, `tls.key`, and `ca.crt` for internal endpoints). */
  readonly keys: readonly string[];
}

export interface SecretNeed {
  readonly namespace: string;
  readonly name: string;
  /** Secret key -> Pulumi secret config key; empty for certificates. */
  readonly keys: Readonly<Record<string, string>>;
  /**
   * `pulumi`: created by the Pulumi program from secret config; `external`:
   * created outside both engines (TLS); `cert-manager`: written by cert-manager
   * from a rendered Certificate of the same name.
   */
  readonly source: 'pulumi' | 'external' | 'cert-manager';
  /** For certificate Secrets: what the certificate must cover. @default - not a certificate */
  readonly certificate?: CertificateSecret;
  /** Who reads it, e.g. `Ingress dockercoins/webui`. */
  readonly usedBy: readonly string[];
  /** Keys that are superuser credentials (see RequiredSecret.superuserKeys). */
  readonly superuserKeys?: readonly string[];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const isPem = (secretKey: string) => /\.(crt|key|pem)$/.test(secretKey);

/** The secrets of an environment, sorted by namespace and name. */
export function secretInventory(charts: readonly ChartSecrets[]): SecretNeed[] {
  type Need = { namespace: string; name: string; keys: Record<string, string>; source: SecretNeed['source']; certificate?: CertificateSecret; usedBy: Set<string>; superuserKeys?: string[] };
  const needs = new Map<string, Need>();
  for (const chart of charts) {
    for (const s of chart.secrets) {
      needs.set(`${s.namespace}/${s.name}`, {
        namespace: s.namespace, name: s.name, keys: { ...s.keys }, source: 'pulumi', usedBy: new Set(),
        ...(s.superuserKeys?.length ? { superuserKeys: [...s.superuserKeys].sort(compare) } : {}),
      });
    }
    for (const c of chart.certificates ?? []) {
      const certificate: CertificateSecret = { dnsNames: [...c.dnsNames], ...(c.commonName ? { commonName: c.commonName } : {}), usages: [...c.usages], purpose: c.purpose, keys: [...c.keys] };
      needs.set(`${c.namespace}/${c.secretName}`, { namespace: c.namespace, name: c.secretName, keys: {}, source: c.source, certificate, usedBy: new Set() });
    }
  }
  const rendered = new Set(charts.flatMap(c => c.objects).filter(o => o.kind === 'Secret').map(o => `${o.metadata.namespace}/${o.metadata.name}`));
  for (const o of charts.flatMap(c => c.objects)) {
    const ns = o.metadata.namespace ?? '';
    const ref = `${o.kind} ${ns}/${o.metadata.name}`;
    const use = (name: string, external: boolean) => {
      const key = `${ns}/${name}`;
      if (rendered.has(key)) return;
      const need = needs.get(key) ?? (external ? { namespace: ns, name, keys: {}, source: 'external' as const, usedBy: new Set<string>() } as Need : undefined);
      if (!need) return; // read but neither declared nor TLS: the invariants suite reports it
      need.usedBy.add(ref);
      needs.set(key, need);
    };
    if (o.kind === 'Ingress') for (const tls of (o.spec?.tls ?? []) as Array<{ secretName?: string }>) if (tls.secretName) use(tls.secretName, true);
    const pod = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
    if (!pod) continue;
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) use(e.valueFrom.secretKeyRef.name, false);
      for (const e of c.envFrom ?? []) if (e.secretRef?.name) use(e.secretRef.name, false);
    }
    for (const v of pod.volumes ?? []) {
      if (v.secret?.secretName) use(v.secret.secretName, false);
      for (const p of v.projected?.sources ?? []) if (p.secret?.name) use(p.secret.name, false);
    }
  }
  return [...needs.values()]
    .map(n => ({ ...n, usedBy: [...n.usedBy].sort(compare) }))
    .sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
}

/**
 * A superuser credential lives in one Secret: its config key fills no other
 * Secret (a copy in another namespace would let that namespace's pods read it
 * where `validate` cannot see the link). One line per config key that does.
 */
export function superuserCopies(needs: readonly SecretNeed[]): string[] {
  const out: string[] = [];
  for (const n of needs) {
    for (const key of n.superuserKeys ?? []) {
      const configKey = n.keys[key];
      const copies = needs.filter(o => o !== n && Object.values(o.keys).includes(configKey));
      if (copies.length > 0) {
        out.push(`${n.namespace}/${n.name} key ${key} is a superuser credential, but its value dockercoins:${configKey} also fills ${copies.map(c => `${c.namespace}/${c.name}`).join(', ')}: give those readers their own identity`);
      }
    }
  }
  return out;
}

/**
 * The command that generates a value for a config key: Consul token SecretIDs
 * must be UUIDs (lower case), a gossip key is base64 of 32 random bytes
 * (what `consul keygen` prints); passwords are hex (safe in JSON, URLs and SQL).
 */
export function generator(configKey: string): string {
  if (/Token$/.test(configKey)) return "uuidgen | tr 'A-Z' 'a-z'";
  if (/GossipKey$/.test(configKey)) return 'openssl rand -base64 32';
  // S3 credentials are issued by the store, not generated here.
  if (/(AccessKey|SecretKey)$/.test(configKey)) return 'cat <file with the key your S3 store issued>';
  return 'openssl rand -hex 24';
}

/** File of the per-environment secret list (Markdown; kubectl ignores it). */
export const SECRETS_FILE = 'SECRETS.md';

/** SECRETS.md of an environment: what to create before the first deploy, for both engines. */
export function renderSecrets(envName: string, needs: readonly SecretNeed[]): string {
  const lines = [
    `# Secrets of ${envName} (never in git)`,
    '',
    'Generated by `npm run synth` from the model. Create each before deploying; nothing here is ever rendered.',
    '',
    '| namespace | Secret | keys | Pulumi | read by |',
    '| --- | --- | --- | --- | --- |',
    ...needs.map(n => `| ${n.namespace} | ${n.name} | ${secretKeys(n).join(', ')} | ${pulumiColumn(n)} | ${n.usedBy.join(', ') || '-'} |`),
    '',
  ];
  const pulumi = needs.filter(n => n.source === 'pulumi');
  // Config key -> the Secret key it fills (PEM files are read from a file of that name).
  const fills = new Map(pulumi.flatMap(n => Object.entries(n.keys).map(([secretKey, configKey]) => [configKey, secretKey] as const)));
  const configKeys = [...fills.keys()].sort(compare);
  if (configKeys.length > 0) {
    lines.push('## Pulumi', '', 'The program creates these Secrets from secret stack config (one value may serve several Secrets):', '', '```sh');
    for (const key of configKeys) {
      const file = fills.get(key)!;
      lines.push(isPem(file)
        ? `pulumi config set --secret dockercoins:${key} -s ${envName} < ${file}   # PEM, see docs/logging.md`
        : /Url$/.test(key)
          ? `pulumi config set --secret dockercoins:${key} "https://<the receiver's URL>" -s ${envName}   # see docs/runbooks.md`
          : `pulumi config set --secret dockercoins:${key} "$(${generator(key)})" -s ${envName}`);
    }
    lines.push('```', '');
  }
  lines.push('## kubectl', '', `Apply \`dist/${envName}/00-namespaces.k8s.yaml\` first, then create:`, '', '```sh');
  for (const n of needs) {
    if (n.source === 'cert-manager') continue;
    if (n.source === 'external') lines.push(tlsSecretCommand(n));
    else lines.push(`kubectl -n ${n.namespace} create secret generic ${n.name} ${Object.keys(n.keys).map(k => (isPem(k) ? `--from-file=${k}=${k}` : `--from-literal=${k}=<value of dockercoins:${n.keys[k]}>`)).join(' ')}`);
  }
  lines.push('```', '');
  const external = needs.filter(n => n.source === 'external');
  if (external.length > 0) {
    lines.push('## TLS certificates (provided outside the model)', '',
      'Neither engine creates these: create them with the commands above, for either engine, before the objects that read them are applied.',
      'Each certificate must be valid for the names below. An internal endpoint\'s Secret also holds `ca.crt`, the CA its clients verify it against',
      '(one CA for the environment), so it is created with `--type=kubernetes.io/tls` and three files instead of `kubectl create secret tls`.', '',
      '| namespace | Secret | DNS names | usages |', '| --- | --- | --- | --- |',
      ...external.map(n => `| ${n.namespace} | ${n.name} | ${n.certificate ? subjectOf(n.certificate) : '(the Ingress hosts that read it)'} | ${(n.certificate?.usages ?? ['server auth']).join(', ')} |`), '');
  }
  const issued = needs.filter(n => n.source === 'cert-manager');
  if (issued.length > 0) {
    lines.push('## TLS certificates (issued by cert-manager)', '',
      'cert-manager (a prerequisite, see docs/security-tls.md) writes and renews each of these Secrets from the Certificate of the same name in dist/; nothing to create by hand.', '',
      '| namespace | Secret | DNS names | usages |', '| --- | --- | --- | --- |',
      ...issued.map(n => `| ${n.namespace} | ${n.name} | ${subjectOf(n.certificate!)} | ${n.certificate!.usages.join(', ')} |`), '');
  }
  return lines.join('\n');
}

/** What a certificate names: its DNS names, or `CN=<name>` for a client identity. */
function subjectOf(c: CertificateSecret): string {
  return [...(c.commonName ? [`CN=${c.commonName}`] : []), ...c.dnsNames].join(', ');
}

/** Keys a Secret holds. */
function secretKeys(n: SecretNeed): string[] {
  if (n.certificate) return [...n.certificate.keys];
  if (n.source === 'external') return ['tls.crt', 'tls.key'];
  return Object.keys(n.keys).map(k => (n.superuserKeys?.includes(k) ? `${k} (superuser)` : k));
}

function pulumiColumn(n: SecretNeed): string {
  if (n.source === 'cert-manager') return `not created (cert-manager issues it from Certificate ${n.namespace}/${n.name})`;
  if (n.source === 'external') return 'not created (provided outside the model)';
  return Object.values(n.keys).map(k => `\`dockercoins:${k}\``).join(', ');
}

/**
 * The exact command creating a certificate Secret provided outside the model:
 * `kubectl create secret tls` where the Secret holds a certificate and its key;
 * with `ca.crt` as well (internal endpoints), the same Secret type from three files.
 */
export function tlsSecretCommand(n: Pick<SecretNeed, 'namespace' | 'name' | 'certificate'>): string {
  const keys = n.certificate?.keys ?? ['tls.crt', 'tls.key'];
  if (!keys.includes('ca.crt')) return `kubectl -n ${n.namespace} create secret tls ${n.name} --cert=${n.name}.crt --key=${n.name}.key`;
  return `kubectl -n ${n.namespace} create secret generic ${n.name} --type=kubernetes.io/tls --from-file=tls.crt=${n.name}.crt --from-file=tls.key=${n.name}.key --from-file=ca.crt=ca.crt`;
}
