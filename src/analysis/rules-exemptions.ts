/**
 * Rule `audit-exemption`: an exemption from the auditors reviewers run on
 * dist/ is acceptable only with its reason next to it. For every check id in
 * `kube-score/ignore` (on the object or its pod template: kube-score reads
 * both) and every `polaris.fairwinds.com/<check>-exempt: "true"` (or the
 * blanket `polaris.fairwinds.com/exempt`), the same metadata must carry a
 * non-empty `exemption.platform.dockercoins.io/<tool>.<check>` (for the
 * blanket one `.../polaris.exempt`). The names are those of
 * constructs/lib/audit-exemptions.ts, which renders both halves.
 */
import {
  exemptionReasonKey, KUBE_SCORE_IGNORE_ANNOTATION, POLARIS_EXEMPT_ALL_ANNOTATION,
} from '../../constructs/lib/audit-exemptions';
import { K8sObject, podTemplateOf } from './objects';

const POLARIS_EXEMPT = /^polaris\.fairwinds\.com\/(.+)-exempt$/;

function check(annotations: Record<string, unknown> | undefined, where: string): string[] {
  if (!annotations) return [];
  const out: string[] = [];
  const reason = (key: string) => {
    const v = annotations[key];
    return typeof v === 'string' && v.trim() !== '';
  };
  const ignore = annotations[KUBE_SCORE_IGNORE_ANNOTATION];
  if (typeof ignore === 'string') {
    const ids = ignore.split(',').map(s => s.trim()).filter(Boolean);
    if (ids.length === 0) out.push(`${where}annotation ${KUBE_SCORE_IGNORE_ANNOTATION} lists no check id`);
    for (const id of ids) {
      if (!reason(exemptionReasonKey('kube-score', id))) {
        out.push(`${where}kube-score check ${id} is ignored without a reason: add annotation ${exemptionReasonKey('kube-score', id)}: <why the manifest is right and the tool cannot know it>`);
      }
    }
  }
  for (const [key, value] of Object.entries(annotations)) {
    if (String(value).toLowerCase() !== 'true') continue;
    const check = key === POLARIS_EXEMPT_ALL_ANNOTATION ? 'exempt' : POLARIS_EXEMPT.exec(key)?.[1];
    if (check === undefined) continue;
    if (!reason(exemptionReasonKey('polaris', check))) {
      out.push(`${where}Polaris ${check === 'exempt' ? 'exemption of every check' : `check ${check} is exempted`} without a reason: add annotation ${exemptionReasonKey('polaris', check)}: <why the manifest is right and the tool cannot know it>`);
    }
  }
  return out;
}

/** Problems of one object: its own metadata, then its pod template's. */
export function checkAuditExemptions(o: K8sObject): string[] {
  const tpl = podTemplateOf(o);
  return [...check(o.metadata?.annotations, ''), ...(tpl ? check(tpl.metadata?.annotations, 'pod template: ') : [])];
}
