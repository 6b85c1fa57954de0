/**
 * The ApplySet specification as kubectl implements it (KEP-3659, alpha since
 * kubectl 1.27, behind KUBECTL_APPLYSET=true). Facts from kubectl's own source,
 * kubernetes/kubectl pkg/cmd/apply/applyset.go (commit
 * dee3483a3d6a64c07fdf746caf80af446dee99ac), encoded here once so that the
 * model renders the parent and `validate` can check it:
 *
 * - the parent carries the label `applyset.kubernetes.io/id`, whose value is
 *   `applyset-<id>-v1` with `<id>` = base64url without padding
 *   (`base64.RawURLEncoding`) of sha256(`<name>.<namespace>.<kind>.<group>`)
 *   (`ApplySet.ID()`; namespace and group are empty strings for a
 *   cluster-scoped parent and for the core group);
 * - the parent carries `applyset.kubernetes.io/tooling` (`<tool>/<version>`;
 *   kubectl refuses a parent whose tool is not `kubectl`, `fetchParent`) and
 *   `applyset.kubernetes.io/contains-group-kinds` (kubectl refuses an existing
 *   parent without it: "kubectl requires the ... annotation to be set on all
 *   ApplySet parent objects", `parseKindAnnotation`), a comma-separated,
 *   sorted list of `Kind.group` (`Kind` for the core group,
 *   `generateKindsAnnotation` with apimachinery's `GroupKind.String()`), and
 *   `applyset.kubernetes.io/additional-namespaces`, the sorted namespaces of
 *   the namespaced members other than the parent's own
 *   (`generateNamespacesAnnotation`);
 * - members get `applyset.kubernetes.io/part-of: <id>` from kubectl itself,
 *   which refuses input that already carries it ("ApplySet label %q already
 *   set in input data", `AddLabels`): the model never renders that label;
 * - a Secret or ConfigMap parent is namespaced, its namespace comes only from
 *   `-n`, and `-n` makes kubectl refuse every object of another namespace
 *   (kubernetes/cli-runtime pkg/resource/visitor.go `RequireNamespace`), so a
 *   set spanning namespaces needs a cluster-scoped custom parent whose CRD is
 *   labelled `applyset.kubernetes.io/is-parent-type`; kubectl cannot create
 *   such a parent ("custom resource ApplySet parents cannot be created
 *   automatically"), so it is rendered and applied first.
 */
import { createHash } from 'crypto';

export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
export const APPLYSET_PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
export const APPLYSET_TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
export const APPLYSET_GROUP_KINDS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
export const APPLYSET_NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';
export const APPLYSET_PARENT_TYPE_LABEL = 'applyset.kubernetes.io/is-parent-type';

/** The custom, cluster-scoped parent type the model defines (its CRD is rendered with the parent). */
export const APPLYSET_PARENT = {
  group: 'platform.dockercoins.io',
  version: 'v1',
  kind: 'ApplySet',
  plural: 'applysets',
} as const;
export const APPLYSET_PARENT_API_VERSION = `${APPLYSET_PARENT.group}/${APPLYSET_PARENT.version}`;

/** The oldest kubectl with `--applyset` (alpha). */
export const APPLYSET_MIN_KUBECTL = 'v1.27.0';

/** `applyset.kubernetes.io/id` of a parent (kubectl's `ApplySet.ID()`). */
export function applySetId(parent: { name: string; namespace?: string; kind: string; group: string }): string {
  const unencoded = [parent.name, parent.namespace ?? '', parent.kind, parent.group].join('.');
  const hash = createHash('sha256').update(unencoded, 'utf8').digest('base64url');
  return `applyset-${hash}-v1`;
}

/** apimachinery `GroupKind.String()`: `Kind` for the core group, else `Kind.group`. */
export function groupKindString(apiVersion: string, kind: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return group === '' ? kind : `${kind}.${group}`;
}

/** Go's sort.Strings order (bytewise; the values here are ASCII). */
export function goSortStrings(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
