/**
 * `object-meta`: labels, annotations and label selectors the API server
 * refuses and the OpenAPI schema cannot see (it types them as string maps):
 *  - label keys: qualified names (an optional DNS-1123 subdomain prefix and
 *    '/', then a name of at most 63 letters, digits, '-', '_' or '.',
 *    alphanumeric at both ends); label values: empty or such a name
 *    (k8s.io/apimachinery pkg/api/validate/content/kube.go IsLabelKey,
 *    IsLabelValue; pkg/apis/meta/v1/validation ValidateLabels);
 *  - annotation keys: qualified names, case aside; an object's annotations at
 *    most 256 KiB of keys and values (pkg/api/validation/objectmeta.go
 *    ValidateAnnotations, TotalAnnotationSizeLimitB);
 *  - label selectors: matchLabels as labels; a matchExpressions operator In or
 *    NotIn with values, Exists or DoesNotExist without, nothing else; keys
 *    label keys, values label values (meta/v1/validation ValidateLabelSelector,
 *    ValidateLabelSelectorRequirement: values are checked on create); a
 *    Service's and a ReplicationController's map selectors as labels
 *    (pkg/apis/core/validation ValidateService);
 *  - finalizers: qualified names; of a built-in kind, a name without '/' one
 *    of kubernetes, orphan and foregroundDeletion (core ValidateObjectMeta,
 *    validateKubeFinalizerName); never orphan with foregroundDeletion
 *    (objectmeta.go ValidateFinalizers);
 *  - ownerReferences: an apiVersion with a version, a kind, a name and a uid,
 *    no v1 Event as owner, at most one controller (ValidateOwnerReferences).
 * Where: the object's metadata, its pod template's (a CronJob's job template's
 * too), a StatefulSet's claim templates', and the selectors of workloads, Jobs,
 * PodDisruptionBudgets, Services. NetworkPolicy selectors are `netpol-spec`'s.
 */
import { isAppsWorkload, isRecord, K8sObject } from './objects';
import { apiGroup, labelKeyProblems, labelValueProblems } from './rules-names';

/** apimachinery pkg/api/validation/objectmeta.go: 256 KiB of annotation keys and values, counted in bytes. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** The problems of a label map at `field` (ValidateLabels). Values that are not strings are the schema rule's. */
export function labelProblems(field: string, labels: unknown): string[] {
  if (!isRecord(labels)) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyProblems = labelKeyProblems(key);
    if (keyProblems.length > 0) out.push(`${field} key ${JSON.stringify(key)}: ${keyProblems.join('; ')}`);
    if (typeof value === 'string') {
      const valueProblems = labelValueProblems(value);
      if (valueProblems.length > 0) out.push(`${field} ${JSON.stringify(key)}: the value ${JSON.stringify(value)} ${valueProblems.join('; ')}`);
    }
  }
  return out;
}

/** The problems of an annotation map at `field` (ValidateAnnotations). */
export function annotationProblems(field: string, annotations: unknown): string[] {
  if (!isRecord(annotations)) return [];
  const out: string[] = [];
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const keyProblems = labelKeyProblems(key.toLowerCase());
    if (keyProblems.length > 0) out.push(`${field} key ${JSON.stringify(key)}: ${keyProblems.join('; ')}`);
    bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) {
    out.push(`${field} hold ${bytes} bytes of keys and values; the API server accepts at most ${ANNOTATIONS_MAX_BYTES} (256 KiB): move the large values into a ConfigMap`);
  }
  return out;
}

const OPERATORS_WITH_VALUES = new Set(['In', 'NotIn']);
const OPERATORS_WITHOUT_VALUES = new Set(['Exists', 'DoesNotExist']);

/** The problems of a metav1.LabelSelector at `field` (ValidateLabelSelector). */
export function labelSelectorProblems(field: string, selector: unknown): string[] {
  if (!isRecord(selector)) return [];
  const out = labelProblems(`${field}.matchLabels`, selector.matchLabels);
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  expressions.forEach((e: unknown, i: number) => {
    if (!isRecord(e)) return;
    const where = `${field}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    const operator = e.operator;
    if (typeof operator === 'string' && OPERATORS_WITH_VALUES.has(operator)) {
      if (values.length === 0) out.push(`${where}: operator ${operator} needs values`);
    } else if (typeof operator === 'string' && OPERATORS_WITHOUT_VALUES.has(operator)) {
      if (values.length > 0) out.push(`${where}: operator ${operator} takes no values (remove them)`);
    } else {
      out.push(`${where}: operator ${JSON.stringify(operator)} is not In, NotIn, Exists or DoesNotExist`);
    }
    if (typeof e.key === 'string') {
      const keyProblems = labelKeyProblems(e.key);
      if (keyProblems.length > 0) out.push(`${where} key ${JSON.stringify(e.key)}: ${keyProblems.join('; ')}`);
    }
    values.forEach((v: unknown, j: number) => {
      if (typeof v !== 'string') return;
      const valueProblems = labelValueProblems(v);
      if (valueProblems.length > 0) out.push(`${where}.values[${j}] ${JSON.stringify(v)} ${valueProblems.join('; ')}`);
    });
  });
  return out;
}

/** Labels and annotations of the ObjectMeta at `field` (`metadata`, `spec.template.metadata`...). */
function metaProblems(field: string, meta: unknown): string[] {
  if (!isRecord(meta)) return [];
  return [...labelProblems(`${field}.labels`, meta.labels), ...annotationProblems(`${field}.annotations`, meta.annotations)];
}

/** helpers.go standardFinalizers: the finalizers Kubernetes itself names without a domain. */
const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

/** Whether the kind is served by Kubernetes itself (its group is core, dot-free or under k8s.io), not a custom resource. */
function isBuiltInGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group === 'k8s.io' || group.endsWith('.k8s.io');
}

/** The object's own finalizers and ownerReferences (the metadata templates cannot carry them to the objects they make). */
function ownershipProblems(o: K8sObject): string[] {
  const out: string[] = [];
  const finalizers = Array.isArray(o.metadata.finalizers) ? o.metadata.finalizers : [];
  const builtIn = isBuiltInGroup(apiGroup(o.apiVersion));
  const finalizerNames = (list: unknown[], field: string) => list.forEach((f: unknown, i: number) => {
    if (typeof f !== 'string') return;
    const where = `${field}[${i}] ${JSON.stringify(f)}`;
    const problems = labelKeyProblems(f);
    if (problems.length > 0) out.push(`${where}: ${problems.join('; ')}`);
    else if (builtIn && !f.includes('/') && !STANDARD_FINALIZERS.includes(f)) out.push(`${where} is neither a standard finalizer (${STANDARD_FINALIZERS.join(', ')}) nor domain-qualified (example.com/cleanup)`);
  });
  finalizerNames(finalizers, 'metadata.finalizers');
  // A Namespace's own finalizers (ValidateNamespace: validateFinalizerName, the same rule).
  if (o.kind === 'Namespace' && o.apiVersion === 'v1' && isRecord(o.spec) && Array.isArray(o.spec.finalizers)) finalizerNames(o.spec.finalizers, 'spec.finalizers');
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) out.push('metadata.finalizers hold both orphan and foregroundDeletion: the API server refuses them together (one deletion policy)');
  const owners = Array.isArray(o.metadata.ownerReferences) ? o.metadata.ownerReferences : [];
  let controller: string | undefined;
  owners.forEach((r: unknown, i: number) => {
    const ref = isRecord(r) ? r : {};
    const where = `metadata.ownerReferences[${i}]`;
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    if (apiVersion.split('/').pop() === '') out.push(`${where}.apiVersion ${JSON.stringify(apiVersion)} has no version`);
    for (const field of ['kind', 'name', 'uid'] as const) if (typeof ref[field] !== 'string' || ref[field] === '') out.push(`${where}.${field} must not be empty`);
    if (apiVersion === 'v1' && ref.kind === 'Event') out.push(`${where}: a v1 Event cannot own objects`);
    if (ref.controller === true) {
      const name = `${String(ref.kind)}/${String(ref.name)}`;
      if (controller !== undefined) out.push(`${where} is a second controller (${name}, after ${controller}): at most one owner has controller: true`);
      else controller = name;
    }
  });
  return out;
}

/** The job spec's template metadata and selector, at `field` (`spec`, or `spec.jobTemplate.spec`). */
function jobSpecProblems(field: string, jobSpec: unknown): string[] {
  if (!isRecord(jobSpec)) return [];
  return [
    ...labelSelectorProblems(`${field}.selector`, jobSpec.selector),
    ...(isRecord(jobSpec.template) ? metaProblems(`${field}.template.metadata`, jobSpec.template.metadata) : []),
  ];
}

export function checkObjectMeta(o: K8sObject): string[] {
  const out = [...metaProblems('metadata', o.metadata), ...ownershipProblems(o)];
  const spec = o.spec;
  if (!isRecord(spec)) return out;
  const group = apiGroup(o.apiVersion);
  if (isAppsWorkload(o)) {
    out.push(...labelSelectorProblems('spec.selector', spec.selector));
    if (isRecord(spec.template)) out.push(...metaProblems('spec.template.metadata', spec.template.metadata));
    if (o.kind === 'StatefulSet' && Array.isArray(spec.volumeClaimTemplates)) {
      spec.volumeClaimTemplates.forEach((c: unknown, i: number) => { if (isRecord(c)) out.push(...metaProblems(`spec.volumeClaimTemplates[${i}].metadata`, c.metadata)); });
    }
  } else if (group === 'batch' && o.kind === 'Job') {
    out.push(...jobSpecProblems('spec', spec));
  } else if (group === 'batch' && o.kind === 'CronJob') {
    if (isRecord(spec.jobTemplate)) {
      out.push(...metaProblems('spec.jobTemplate.metadata', spec.jobTemplate.metadata));
      out.push(...jobSpecProblems('spec.jobTemplate.spec', spec.jobTemplate.spec));
    }
  } else if (group === 'policy' && o.kind === 'PodDisruptionBudget') {
    out.push(...labelSelectorProblems('spec.selector', spec.selector));
  } else if (group === '' && (o.kind === 'Service' || o.kind === 'ReplicationController')) {
    out.push(...labelProblems('spec.selector', spec.selector));
    if (o.kind === 'ReplicationController' && isRecord(spec.template)) out.push(...metaProblems('spec.template.metadata', spec.template.metadata));
  }
  return out;
}
