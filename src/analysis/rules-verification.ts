/**
 * `insecure-skip-verify`: a setting that turns off TLS certificate
 * verification must carry its reason in INSECURE_SKIP_VERIFY_REASON_ANNOTATION
 * on the object that holds it:
 *  - a ConfigMap whose YAML (or JSON) file sets `insecure_skip_verify: true`
 *    (Prometheus' tls_config) or `insecureSkipVerify: true` anywhere;
 *  - an object whose spec sets `insecureSkipTLSVerify: true` (an APIService);
 *  - a pod template whose container passes a skip-verification flag
 *    (`--kubelet-insecure-tls` of metrics-server, `--insecure-skip-tls-verify`
 *    of kubectl-style clients, `--insecure-skip-verify`).
 * An annotation on an object that relaxes nothing is refused too (a stale
 * reason misleads the next reviewer).
 */
import { parse } from 'yaml';
import { INSECURE_SKIP_VERIFY_REASON_ANNOTATION } from '../../constructs/lib/verification-annotations';
import { parseEmitterStream } from './manifest-yaml';
import { allContainers, describeContainer, isRecord, K8sObject, PodTemplate } from './objects';

export { INSECURE_SKIP_VERIFY_REASON_ANNOTATION };

/** Keys that disable verification when true. */
const SKIP_KEYS = new Set(['insecure_skip_verify', 'insecureSkipVerify', 'insecureSkipTLSVerify']);
/** Command-line flags that disable verification (alone or `=true`). */
export const SKIP_FLAGS = ['--kubelet-insecure-tls', '--insecure-skip-tls-verify', '--insecure-skip-verify', '--tls-skip-verify'];

/** Paths (`a.b[2].c`) of every skip key set to true in a parsed document. */
export function skipVerifyPaths(doc: unknown, path = ''): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => skipVerifyPaths(v, `${path}[${i}]`));
  if (!isRecord(doc)) return [];
  return Object.entries(doc).flatMap(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    if (SKIP_KEYS.has(k) && (v === true || v === 'true')) return [p];
    return skipVerifyPaths(v, p);
  });
}

function reasonProblems(annotations: unknown, findings: string[]): string[] {
  const value = isRecord(annotations) ? annotations[INSECURE_SKIP_VERIFY_REASON_ANNOTATION] : undefined;
  const hasReason = typeof value === 'string' && value.trim() !== '';
  if (findings.length === 0) {
    return value === undefined ? [] : [`annotation ${INSECURE_SKIP_VERIFY_REASON_ANNOTATION} is set, but nothing here skips certificate verification: remove it`];
  }
  if (hasReason) return [];
  return findings.map(f => `${f} skips TLS certificate verification without a reason: verify against the CA, or set annotation ${INSECURE_SKIP_VERIFY_REASON_ANNOTATION}: <why this peer's certificate cannot be verified>`);
}

/** ConfigMap files that skip verification. */
export function checkConfigMapVerification(o: K8sObject): string[] {
  const findings: string[] = [];
  const data = isRecord(o.data) ? o.data : {};
  for (const [file, text] of Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (typeof text !== 'string' || !/insecure_?skip_?verify/i.test(text)) continue;
    let doc: unknown;
    try {
      // The model's own files (prometheus.yml) are in the emitter's style: the fast reader reads
      // them as `yaml` does; anything else, or more than one document (which parse refuses), goes to `yaml`.
      const docs = parseEmitterStream(text);
      doc = docs?.length === 1 ? docs[0] : parse(text);
    } catch {
      continue; // not YAML/JSON: nothing to read structurally
    }
    for (const p of skipVerifyPaths(doc)) findings.push(`${file}: ${p}`);
  }
  return reasonProblems(o.metadata.annotations, findings);
}

/** Objects whose own spec skips verification (APIService `spec.insecureSkipTLSVerify`). */
export function checkSpecVerification(o: K8sObject): string[] {
  if (!isRecord(o.spec) || o.spec.insecureSkipTLSVerify !== true) return [];
  return reasonProblems(o.metadata.annotations, ['spec.insecureSkipTLSVerify']);
}

/** Containers that pass a skip-verification flag. */
export function checkPodVerification(tpl: PodTemplate): string[] {
  const findings: string[] = [];
  for (const ref of allContainers(tpl.spec)) {
    const argv = [...(Array.isArray(ref.container.command) ? ref.container.command : []), ...(Array.isArray(ref.container.args) ? ref.container.args : [])];
    for (const a of argv) {
      if (typeof a !== 'string') continue;
      const flag = SKIP_FLAGS.find(f => a === f || a === `${f}=true`);
      if (flag) findings.push(`${describeContainer(ref)} argument ${a}`);
    }
  }
  return reasonProblems(tpl.metadata.annotations, findings);
}
