/**
 * Object identity rules: `object-name` (names the API server accepts) and
 * `duplicate-object` (the same object defined twice, so one silently
 * replaces the other on apply). The name grammars themselves, which the other
 * rules and the config schemas share, are constructs/lib/k8s-names.ts.
 */
import { type NameGrammar, nameProblem } from '../../constructs/lib/k8s-names';
import { K8sObject, isClusterScoped, namespaceOf } from './objects';

export {
  isDns1123Label, isDns1123Subdomain, isPortNumber, labelKeyProblems, labelValueProblems, nameProblem, portNameProblems,
} from '../../constructs/lib/k8s-names';
export type { NameGrammar } from '../../constructs/lib/k8s-names';

/** RBAC objects may use any path segment (`system:aggregate-to-view`), as the API server allows. */
const PATH_SEGMENT_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/**
 * The grammar of `metadata.name` for a kind. Namespaces are DNS-1123 labels;
 * Services are DNS-1035 labels, because the API server requires a leading
 * letter (the name becomes a DNS label and an environment variable prefix).
 */
export function nameGrammar(kind: string): NameGrammar {
  if (kind === 'Namespace') return 'dns1123-label';
  if (kind === 'Service') return 'dns1035-label';
  if (PATH_SEGMENT_KINDS.has(kind)) return 'path-segment';
  return 'dns1123-subdomain';
}

/** `object-name`: `metadata.name` (by kind) and `metadata.namespace` (a DNS-1123 label). */
export function checkObjectName(o: K8sObject): string[] {
  const out: string[] = [];
  const name = nameProblem('metadata.name', o.metadata.name, nameGrammar(o.kind));
  if (name) out.push(name);
  const ns = o.metadata.namespace;
  if (typeof ns === 'string' && !isClusterScoped(o.kind)) {
    const p = nameProblem('metadata.namespace', ns, 'dns1123-label');
    if (p) out.push(p);
  }
  return out;
}

/** The API group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * `duplicate-object`: indexes of objects that repeat an earlier object's
 * group, kind, namespace and name. The version is ignored: `autoscaling/v1`
 * and `autoscaling/v2` HorizontalPodAutoscalers of one name are one object.
 */
export function duplicateIndexes(objects: K8sObject[]): Set<number> {
  const seen = new Set<string>();
  const out = new Set<number>();
  objects.forEach((o, i) => {
    const key = [apiGroup(o.apiVersion), o.kind, namespaceOf(o) ?? '', o.metadata.name].join('\0');
    if (seen.has(key)) out.add(i);
    else seen.add(key);
  });
  return out;
}

export const DUPLICATE_MESSAGE = 'also defined earlier in the input (same apiVersion group, kind, namespace and name); only one of them is applied';
