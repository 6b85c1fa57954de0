/**
 * Exemptions from the auditors platform teams run on dist/ (kube-score,
 * Polaris), each with its reason. Dependency-free so that validate reads the
 * names without loading cdk8s.
 *
 * An exemption is acceptable only where the manifest is right and the tool
 * cannot know it (a node agent that must read the host, a policy that selects
 * client pods other teams label). The tool's own annotation goes on the
 * audited object; next to it, `exemptionReasonKey(tool, check)` holds the
 * reason, and `validate` (rule `audit-exemption`) refuses one without.
 *
 * - kube-score 1.20.0: `kube-score/ignore: <check id>,<check id>` on the object
 *   or its pod template (zegl/kube-score scorecard/scorecard.go, enabled.go);
 * - Polaris 9.6: `polaris.fairwinds.com/<check>-exempt: "true"` on the
 *   controller's own metadata (FairwindsOps/polaris pkg/validator/schema.go
 *   `hasExemptionAnnotation`; the pod template's annotations are not read).
 */

export type AuditTool = 'kube-score' | 'polaris';

/** One exemption: which tool, which check id, why. */
export interface AuditExemption {
  readonly tool: AuditTool;
  /** kube-score check id (e.g. `container-security-context-user-group-id`) or Polaris check (e.g. `hostNetworkSet`). */
  readonly check: string;
  readonly reason: string;
}

/** kube-score's ignore annotation (comma-separated check ids). */
export const KUBE_SCORE_IGNORE_ANNOTATION = 'kube-score/ignore';
/** Polaris' per-check exemption annotation. */
export const polarisExemptAnnotation = (check: string) => `polaris.fairwinds.com/${check}-exempt`;
/** Polaris' exemption of every check at once. */
export const POLARIS_EXEMPT_ALL_ANNOTATION = 'polaris.fairwinds.com/exempt';
/** Prefix of our reason annotations. */
export const EXEMPTION_REASON_PREFIX = 'exemption.platform.dockercoins.io/';
/** The annotation holding the reason of one exemption, e.g. `exemption.platform.dockercoins.io/polaris.hostNetworkSet`. */
export const exemptionReasonKey = (tool: AuditTool, check: string) => `${EXEMPTION_REASON_PREFIX}${tool}.${check}`;

/**
 * The annotations of a set of exemptions: the tools' own (one `kube-score/ignore`
 * listing every id, one `-exempt` per Polaris check) and one reason each.
 * The same check twice keeps both reasons, joined.
 */
export function exemptionAnnotations(exemptions: readonly AuditExemption[]): Record<string, string> {
  const reasons = new Map<string, { tool: AuditTool; check: string; reasons: string[] }>();
  for (const e of exemptions) {
    if (!e.reason.trim()) throw new Error(`${e.tool} exemption of ${e.check} needs a reason`);
    const key = `${e.tool}/${e.check}`;
    const entry = reasons.get(key) ?? { tool: e.tool, check: e.check, reasons: [] };
    if (!entry.reasons.includes(e.reason)) entry.reasons.push(e.reason);
    reasons.set(key, entry);
  }
  const sorted = [...reasons.values()].sort((a, b) => (a.tool + a.check < b.tool + b.check ? -1 : 1));
  const out: Record<string, string> = {};
  const ignored = sorted.filter(e => e.tool === 'kube-score').map(e => e.check);
  if (ignored.length) out[KUBE_SCORE_IGNORE_ANNOTATION] = ignored.join(',');
  for (const e of sorted) {
    if (e.tool === 'polaris') out[polarisExemptAnnotation(e.check)] = 'true';
    out[exemptionReasonKey(e.tool, e.check)] = e.reasons.join(' ');
  }
  return out;
}
