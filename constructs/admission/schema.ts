import { dnsLabel, z } from '../lib/schema';

/**
 * In-cluster enforcement of the rule table (constructs/lib/rule-table.ts):
 * ValidatingAdmissionPolicies with their bindings, one per namespace of the
 * model.
 *
 * Prerequisite: Kubernetes >= 1.30, where admissionregistration.k8s.io/v1
 * ValidatingAdmissionPolicy is served by default (GA in 1.30; earlier
 * releases serve only v1beta1/v1alpha1 behind feature gates and refuse these
 * objects). Check with `kubectl api-versions | grep admissionregistration.k8s.io/v1`
 * and `kubectl explain validatingadmissionpolicy --api-version=admissionregistration.k8s.io/v1`.
 * On an older cluster set `enabled: false`: the other gates (synth, cdk8s
 * plugin, Pulumi policy pack) still apply.
 */
export const admissionSchema = z.strictObject({
  /** Render the policies and bindings. @default true */
  enabled: z.boolean().prefault(true),
  /**
   * What a failed check does. `Deny` refuses the request (the API server
   * answers 422/403 with the check's message); `Warn` admits it and returns the
   * message as a warning, and `Audit` records it in the audit log — `Warn`
   * renders `[Warn, Audit]`, for introducing the policies on a cluster whose
   * running pods are not yet compliant (Deny and Warn may not be combined,
   * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBindingSpec.validationActions).
   * @default Deny
   */
  action: z.enum(['Deny', 'Warn']).prefault('Deny'),
  /** Prefix of every policy and binding name (they are cluster-scoped). @default dockercoins */
  namePrefix: dnsLabel().prefault('dockercoins'),
});
export type AdmissionConfig = z.infer<typeof admissionSchema>;
