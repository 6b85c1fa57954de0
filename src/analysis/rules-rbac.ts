/**
 * `rbac-grant`: the grants that undo least privilege, refused unless the
 * object says why in RBAC_GRANT_REASON_ANNOTATION:
 *  - a Role or ClusterRole rule with the verb `*`, the resource `*` or the
 *    non-resource URL `*` (everything, including what later versions add);
 *  - the verbs `escalate`, `bind` and `impersonate`, which let the holder give
 *    itself more than it has (Kubernetes' RBAC privilege-escalation prevention
 *    exempts exactly these; docs "Using RBAC Authorization");
 *  - a binding of the ClusterRole `cluster-admin` (Polaris'
 *    clusterrolebindingClusterAdmin and rolebindingClusterAdminClusterRole);
 *  - a binding to a subject that means everyone: the groups
 *    `system:authenticated`, `system:unauthenticated`, `system:serviceaccounts`
 *    and the user `system:anonymous` (CIS Kubernetes benchmarks 4.1.8, 4.1.9),
 *    except to the discovery roles the API server itself binds them to
 *    (`system:basic-user`, `system:discovery`, `system:public-info-viewer`).
 * A reason on an object that grants none of these is refused as stale.
 */
import { RBAC_GRANT_REASON_ANNOTATION } from '../../constructs/lib/rbac-annotations';
import { isRecord, K8sObject } from './objects';

export { RBAC_GRANT_REASON_ANNOTATION };

const ESCALATING_VERBS = ['escalate', 'bind', 'impersonate'];

/** Subjects that stand for every user, every anonymous request or every service account. */
const EVERYONE: Readonly<Record<string, string>> = {
  'Group system:authenticated': 'every authenticated user and service account',
  'Group system:unauthenticated': 'every anonymous request',
  'Group system:serviceaccounts': 'every service account of the cluster',
  'User system:anonymous': 'every anonymous request',
};

/** The ClusterRoles the API server binds to everyone by default (its discovery and self-review roles). */
const DEFAULT_PUBLIC_ROLES = new Set(['system:basic-user', 'system:discovery', 'system:public-info-viewer']);

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function roleFindings(o: K8sObject): string[] {
  const rules: unknown[] = Array.isArray(o.rules) ? o.rules : [];
  return rules.flatMap((rule, i) => {
    if (!isRecord(rule)) return [];
    const verbs = strings(rule.verbs);
    const out: string[] = [];
    if (verbs.includes('*')) out.push(`rule ${i} grants every verb ("*")`);
    if (strings(rule.resources).includes('*')) out.push(`rule ${i} grants every resource ("*")`);
    if (strings(rule.nonResourceURLs).includes('*')) out.push(`rule ${i} grants every non-resource URL ("*")`);
    const escalating = verbs.filter(v => ESCALATING_VERBS.includes(v));
    if (escalating.length > 0) out.push(`rule ${i} grants ${escalating.map(v => `"${v}"`).join(', ')}, which lets its holder raise its own privileges`);
    return out;
  });
}

function bindingFindings(o: K8sObject): string[] {
  const roleRef: Record<string, unknown> = isRecord(o.roleRef) ? o.roleRef : {};
  const role = `${roleRef.kind} ${roleRef.name}`;
  const out: string[] = [];
  if (roleRef.kind === 'ClusterRole' && roleRef.name === 'cluster-admin') {
    out.push(`binds ClusterRole cluster-admin (every verb on every resource${o.kind === 'RoleBinding' ? ` of namespace ${o.metadata.namespace ?? 'default'}` : ', cluster-wide'})`);
  }
  const publicRole = roleRef.kind === 'ClusterRole' && DEFAULT_PUBLIC_ROLES.has(String(roleRef.name));
  const subjects: unknown[] = Array.isArray(o.subjects) ? o.subjects : [];
  subjects.forEach((s, i) => {
    if (!isRecord(s)) return;
    const meaning = EVERYONE[`${s.kind} ${s.name}`];
    if (meaning && !publicRole) out.push(`subject ${i} (${s.kind} ${s.name}) gives ${role} to ${meaning}`);
  });
  return out;
}

/** The problems of a Role, ClusterRole, RoleBinding or ClusterRoleBinding; none for other objects. */
export function checkRbacGrants(o: K8sObject): string[] {
  if (!/^rbac\.authorization\.k8s\.io\//.test(o.apiVersion)) return [];
  const findings = o.kind === 'Role' || o.kind === 'ClusterRole' ? roleFindings(o)
    : o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding' ? bindingFindings(o) : undefined;
  if (findings === undefined) return [];
  const reason = o.metadata.annotations?.[RBAC_GRANT_REASON_ANNOTATION];
  if (findings.length === 0) {
    return reason === undefined ? [] : [`annotation ${RBAC_GRANT_REASON_ANNOTATION} is set, but nothing here is a broad grant: remove it`];
  }
  if (typeof reason === 'string' && reason.trim() !== '') return [];
  return findings.map(f => `${f}: grant only the verbs and resources needed, to named subjects, or say why with annotation ${RBAC_GRANT_REASON_ANNOTATION}: <reason>`);
}
