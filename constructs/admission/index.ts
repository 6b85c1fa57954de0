/**
 * ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, Kubernetes
 * >= 1.30) generated from the rule table: every rule the table expresses in
 * CEL reaches the cluster, with its message and reason.
 *
 * One policy per Pod Security level (`<prefix>-pods-<level>`) holds the
 * table's checks that apply at that level: the Pod Security checks from
 * baseline (or restricted) up, and the project's own rules (hardening,
 * host-access declarations, probes, probe ports, resources, pinned images) in
 * every level, privileged included. Each namespace of the model gets one
 * binding (`<prefix>-<namespace>`) to the policy of its enforce level, so the
 * verdict for a pod is validate's for its namespace: the node-agents
 * (privileged) namespace admits host namespaces and hostPath, and still
 * requires the host-access declarations validate requires.
 *
 * Policies match Pods (like Pod Security Admission's enforce mode): CREATE,
 * and UPDATE when the spec changes (image updates, ephemeral containers
 * through the `pods/ephemeralcontainers` subresource). Workload objects are
 * admitted and their pods refused, exactly as Pod Security Admission does.
 */
import { ApiObject, Chart } from 'cdk8s';
import type { IValidatingAdmissionPolicySpec } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicySpec';
import type { IValidatingAdmissionPolicyBindingSpec } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBindingSpec';
import { Construct } from 'constructs';
import { PLATFORM_VERSION } from '../lib/component';
import { recommendedLabels } from '../lib/labels';
import { ADMISSION_VARIABLES, admissionChecks, celString, checkApplies } from '../lib/rule-table';
import type { PodSecurityLevel } from '../namespace';

/** The API group/version of the objects (GA in Kubernetes 1.30). */
export const ADMISSION_API_VERSION = 'admissionregistration.k8s.io/v1';

/**
 * The label every Namespace carries with its own name, set by the API server
 * (kubernetes.io/metadata.name, "Well-Known Labels, Annotations and Taints":
 * immutable, on every namespace since 1.22), so a binding selects exactly one
 * namespace whatever its other labels.
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The pod label a binding in a namespace the model does not own selects the model's pods by (recommended label `name`). */
export const POD_NAME_LABEL = 'app.kubernetes.io/name';

export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

export interface AdmissionPoliciesProps {
  /** Prefix of the cluster-scoped names. */
  readonly namePrefix: string;
  /** Deny: refuse; Warn: admit with a warning, and audit. */
  readonly action: 'Deny' | 'Warn';
  /**
   * Every namespace of the model and its enforced Pod Security level, in
   * declaration order; then the namespaces the model runs workloads in without
   * owning them (metrics-server in kube-system), with `pods`: the binding
   * then selects only those pods (by `app.kubernetes.io/name`), never the
   * cluster's own.
   */
  readonly namespaces: ReadonlyArray<{ readonly name: string; readonly podSecurity: PodSecurityLevel; readonly pods?: readonly string[] }>;
  /** `app.kubernetes.io/instance` of the objects. */
  readonly instance: string;
}

/** Name of the policy for a Pod Security level. */
export function policyName(prefix: string, level: PodSecurityLevel): string {
  return `${prefix}-pods-${level}`;
}

/** The spec of the policy for one level: every table check that applies there, in table order. */
export function policySpec(level: PodSecurityLevel): IValidatingAdmissionPolicySpec {
  return {
    failurePolicy: 'Fail',
    matchConstraints: {
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }],
    },
    // Metadata-only updates (labels, annotations, finalizers) of running pods are not re-judged.
    matchConditions: [{ name: 'creation-or-spec-change', expression: "request.operation == 'CREATE' || object.spec != oldObject.spec" }],
    variables: ADMISSION_VARIABLES.map((v) => ({ name: v.name, expression: v.expression })),
    validations: admissionChecks().filter((c) => checkApplies(c.level, level)).map((c) => ({
      expression: c.expression,
      message: `[${c.rule}/${c.check}] ${c.message}`,
      ...(c.messageExpression ? { messageExpression: `${celString(`[${c.rule}/${c.check}] `)} + ${c.messageExpression}` } : {}),
      reason: c.reason,
    })),
  };
}

/** The three policies and one binding per namespace. */
export class AdmissionPolicies extends Construct {
  constructor(scope: Chart, id: string, props: AdmissionPoliciesProps) {
    super(scope, id);
    const labels = (name: string) => recommendedLabels(scope, { name, instance: props.instance, component: 'admission-policy', partOf: 'dockercoins', version: PLATFORM_VERSION });
    const used = new Set(props.namespaces.map((n) => n.podSecurity));
    for (const level of POD_SECURITY_LEVELS.filter((l) => used.has(l))) {
      const name = policyName(props.namePrefix, level);
      new ApiObject(this, `policy-${level}`, {
        apiVersion: ADMISSION_API_VERSION,
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name, labels: labels(name) },
        spec: policySpec(level),
      });
    }
    for (const ns of props.namespaces) {
      const name = `${props.namePrefix}-${ns.name}`;
      const spec: IValidatingAdmissionPolicyBindingSpec = {
        policyName: policyName(props.namePrefix, ns.podSecurity),
        validationActions: props.action === 'Deny' ? ['Deny'] : ['Warn', 'Audit'],
        matchResources: {
          namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns.name } },
          ...(ns.pods ? { objectSelector: { matchExpressions: [{ key: POD_NAME_LABEL, operator: 'In', values: [...ns.pods] }] } } : {}),
        },
      };
      new ApiObject(this, `binding-${ns.name}`, {
        apiVersion: ADMISSION_API_VERSION,
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name, labels: labels(name) },
        spec,
      });
    }
  }
}
