/**
 * The RBAC objects the API server refuses and the OpenAPI schema cannot see
 * (kubernetes pkg/apis/rbac/validation, validatePolicyRule, ValidateRoleBinding,
 * ValidateClusterRoleBinding, validateRoleBindingSubject), part of
 * `api-constraints`:
 *  - a rule has verbs; a rule with nonResourceURLs names no apiGroups,
 *    resources or resourceNames, and sits in a ClusterRole; any other rule
 *    names apiGroups and resources, and resourceNames only with one resource;
 *  - a binding's roleRef is in rbac.authorization.k8s.io, of kind Role or
 *    ClusterRole (a ClusterRoleBinding: ClusterRole), with a name;
 *  - subjects are ServiceAccounts (a valid name; no apiGroup; in a
 *    ClusterRoleBinding a namespace), Users or Groups (apiGroup
 *    rbac.authorization.k8s.io, which the v1 defaults fill in), each named.
 * Whether a grant is too broad is `rbac-grant`'s question.
 */
import { isRecord, K8sObject } from './objects';
import { nameProblem } from './rules-names';

const RBAC = 'rbac.authorization.k8s.io';
const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);

function ruleProblems(rule: Record<string, unknown>, i: number, namespaced: boolean): string[] {
  const out: string[] = [];
  const where = `rules[${i}]`;
  // A missing verbs list is the schema rule's (a required field); an empty one is this rule's.
  if (Array.isArray(rule.verbs) && rule.verbs.length === 0) out.push(`${where} has no verbs`);
  if (count(rule.nonResourceURLs) > 0) {
    if (namespaced) out.push(`${where} names nonResourceURLs, which only a ClusterRole can grant`);
    if (count(rule.apiGroups) + count(rule.resources) + count(rule.resourceNames) > 0) out.push(`${where} names nonResourceURLs and resources: a rule grants one or the other (split it)`);
    return out;
  }
  if (count(rule.apiGroups) === 0) out.push(`${where} names no apiGroups (the core group is "")`);
  if (count(rule.resources) === 0) out.push(`${where} names no resources`);
  if (count(rule.resourceNames) > 0 && count(rule.resources) > 1) out.push(`${where} names resourceNames with ${count(rule.resources)} resources: resourceNames apply to one resource (split the rule)`);
  return out;
}

function subjectProblems(subject: Record<string, unknown>, i: number, namespaced: boolean): string[] {
  const where = `subjects[${i}]`;
  const name = typeof subject.name === 'string' ? subject.name : '';
  const apiGroup = typeof subject.apiGroup === 'string' ? subject.apiGroup : '';
  const out: string[] = [];
  if (name === '') out.push(`${where} has no name`);
  switch (subject.kind) {
    case 'ServiceAccount': {
      const invalid = name === '' ? undefined : nameProblem(`${where} name`, name, 'dns1123-subdomain');
      if (invalid) out.push(invalid);
      if (apiGroup !== '') out.push(`${where} is a ServiceAccount with apiGroup ${JSON.stringify(apiGroup)}: a ServiceAccount subject takes none (the core group)`);
      if (!namespaced && (typeof subject.namespace !== 'string' || subject.namespace === '')) out.push(`${where} is a ServiceAccount without a namespace: a ClusterRoleBinding must name it`);
      break;
    }
    case 'User':
    case 'Group':
      // v1 SetDefaults_Subject fills in rbac.authorization.k8s.io when the group is not written.
      if (subject.apiGroup !== undefined && apiGroup !== RBAC) out.push(`${where} is a ${subject.kind} with apiGroup ${JSON.stringify(apiGroup)}: it must be ${RBAC}`);
      break;
    default:
      out.push(`${where} kind ${JSON.stringify(subject.kind)} is not ServiceAccount, User or Group`);
  }
  return out;
}

export function checkRbacSpec(o: K8sObject): string[] {
  if (!o.apiVersion.startsWith(`${RBAC}/`)) return [];
  if (o.kind === 'Role' || o.kind === 'ClusterRole') {
    const rules = Array.isArray(o.rules) ? o.rules : [];
    return rules.flatMap((r: unknown, i: number) => (isRecord(r) ? ruleProblems(r, i, o.kind === 'Role') : []));
  }
  if (o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') return [];
  const namespaced = o.kind === 'RoleBinding';
  const out: string[] = [];
  const ref = isRecord(o.roleRef) ? o.roleRef : {};
  if (typeof ref.apiGroup === 'string' && ref.apiGroup !== RBAC) out.push(`roleRef.apiGroup ${JSON.stringify(ref.apiGroup)} must be ${RBAC}`);
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (typeof ref.kind === 'string' && !kinds.includes(ref.kind)) out.push(`roleRef.kind ${JSON.stringify(ref.kind)} must be ${kinds.join(' or ')}`);
  if (ref.name === '') out.push('roleRef.name is empty');
  else if (typeof ref.name === 'string') {
    const invalid = nameProblem('roleRef.name', ref.name, 'path-segment');
    if (invalid) out.push(invalid);
  }
  const subjects = Array.isArray(o.subjects) ? o.subjects : [];
  subjects.forEach((s: unknown, i: number) => { if (isRecord(s)) out.push(...subjectProblems(s, i, namespaced)); });
  return out;
}
