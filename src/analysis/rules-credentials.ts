/**
 * `superuser-credential`: a Secret key a server declares as its superuser
 * credential (pod template annotation SUPERUSER_CREDENTIALS_ANNOTATION on the
 * server's own pods) may be read only by that server and by setup pods (Jobs
 * whose pod template carries SETUP_POD_ANNOTATION with a reason). Every other
 * pod of the namespace that reads the key (env, envFrom, secret or projected
 * volume, init containers included) is refused: it should have its own
 * identity (an Elasticsearch user, a Consul token, a Postgres role) that a
 * setup Job creates.
 *
 * The declarations are read from the rendered objects, so the rule needs
 * nothing of the model; a credential declared by two workloads is refused
 * too (the annotation names the one owner, it is not a waiver).
 */
import {
  parseCredentials, SETUP_POD_ANNOTATION, SUPERUSER_CREDENTIALS_ANNOTATION,
} from '../../constructs/lib/credential-annotations';
import { allContainers, describeContainer, isRecord, K8sObject, objectRef, PodTemplate, WorkloadTemplate } from './objects';

export { SETUP_POD_ANNOTATION, SUPERUSER_CREDENTIALS_ANNOTATION };

/** Kinds whose pods run to completion (the only ones that may be setup pods). */
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

/** Superuser credentials of a namespace: `secret/key` -> the workloads declaring it. */
export type DeclaredCredentials = Map<string, Map<string, string[]>>;

const keyOf = (secret: string, key: string) => `${secret}/${key}`;

/** Every declaration of the object set, per namespace. */
export function declaredCredentials(workloads: readonly WorkloadTemplate[]): DeclaredCredentials {
  const out: DeclaredCredentials = new Map();
  for (const w of workloads) {
    const value = w.template.metadata.annotations?.[SUPERUSER_CREDENTIALS_ANNOTATION];
    if (typeof value !== 'string') continue;
    const ns = out.get(w.namespace) ?? new Map<string, string[]>();
    out.set(w.namespace, ns);
    for (const ref of parseCredentials(value)) {
      if ('malformed' in ref) continue;
      const k = keyOf(ref.secret, ref.key);
      ns.set(k, [...(ns.get(k) ?? []), objectRef(w.object)]);
    }
  }
  return out;
}

/** A read of a Secret: one key, or every key (`envFrom`, a volume without items). */
interface SecretRead { secret: string; key?: string; where: string }

/** Every Secret key a pod template reads, and where. */
export function secretReads(tpl: PodTemplate): SecretRead[] {
  const reads: SecretRead[] = [];
  for (const ref of allContainers(tpl.spec)) {
    const where = describeContainer(ref);
    for (const e of Array.isArray(ref.container.env) ? ref.container.env : []) {
      const s = e?.valueFrom?.secretKeyRef;
      if (isRecord(s) && typeof s.name === 'string') reads.push({ secret: s.name, key: String(s.key), where: `${where} env ${e.name}` });
    }
    for (const e of Array.isArray(ref.container.envFrom) ? ref.container.envFrom : []) {
      const s = e?.secretRef;
      if (isRecord(s) && typeof s.name === 'string') reads.push({ secret: s.name, where: `${where} envFrom` });
    }
  }
  const volumeReads = (secret: string, items: unknown, where: string) => {
    if (Array.isArray(items) && items.length > 0) for (const i of items) reads.push({ secret, key: String(i?.key), where });
    else reads.push({ secret, where });
  };
  for (const v of Array.isArray(tpl.spec.volumes) ? tpl.spec.volumes : []) {
    if (!isRecord(v)) continue;
    if (isRecord(v.secret) && typeof v.secret.secretName === 'string') volumeReads(v.secret.secretName, v.secret.items, `volume ${v.name}`);
    for (const p of Array.isArray(v.projected?.sources) ? v.projected.sources : []) {
      if (isRecord(p?.secret) && typeof p.secret.name === 'string') volumeReads(p.secret.name, p.secret.items, `projected volume ${v.name}`);
    }
  }
  return reads;
}

/** The problems of one workload. */
export function checkSuperuserCredentials(o: K8sObject, tpl: PodTemplate, namespace: string, declared: DeclaredCredentials): string[] {
  const out: string[] = [];
  const annotations = isRecord(tpl.metadata.annotations) ? tpl.metadata.annotations : {};
  const own = new Set<string>();
  const ownValue = annotations[SUPERUSER_CREDENTIALS_ANNOTATION];
  if (ownValue !== undefined) {
    const refs = typeof ownValue === 'string' ? parseCredentials(ownValue) : [];
    if (refs.length === 0) out.push(`annotation ${SUPERUSER_CREDENTIALS_ANNOTATION} must list <secret>/<key> entries`);
    for (const ref of refs) {
      if ('malformed' in ref) {
        out.push(`annotation ${SUPERUSER_CREDENTIALS_ANNOTATION}: "${ref.malformed}" is not <secret>/<key>`);
        continue;
      }
      const k = keyOf(ref.secret, ref.key);
      own.add(k);
      const owners = declared.get(namespace)?.get(k) ?? [];
      if (owners.length > 1) out.push(`superuser credential ${k} is declared by ${owners.join(', ')}: a credential has one owning server; other pods need their own identity`);
    }
  }
  const setup = annotations[SETUP_POD_ANNOTATION];
  let isSetup = false;
  if (setup !== undefined) {
    if (typeof setup !== 'string' || setup.trim() === '') out.push(`annotation ${SETUP_POD_ANNOTATION} must give a non-empty reason`);
    else if (!RUN_TO_COMPLETION.has(o.kind)) out.push(`annotation ${SETUP_POD_ANNOTATION} is only for Jobs and CronJobs (pods that run to completion), not a ${o.kind}`);
    else isSetup = true;
  }
  const credentials = declared.get(namespace);
  if (!credentials || isSetup) return out;
  for (const read of secretReads(tpl)) {
    const hits = read.key !== undefined
      ? (credentials.has(keyOf(read.secret, read.key)) ? [keyOf(read.secret, read.key)] : [])
      : [...credentials.keys()].filter(k => k.startsWith(`${read.secret}/`));
    for (const k of hits) {
      if (own.has(k)) continue;
      out.push(`${read.where} reads superuser credential ${k} (owned by ${credentials.get(k)!.join(', ')}): only its server and setup Jobs (annotation ${SETUP_POD_ANNOTATION}: <reason>) may mount it; give this pod its own identity`);
    }
  }
  return out;
}
