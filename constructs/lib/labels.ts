import { Construct } from 'constructs';

/** Context key holding the value of `app.kubernetes.io/managed-by` (the engine that applies the objects). */
export const MANAGED_BY_CONTEXT = 'platform/managed-by';

/** Who a set of objects belongs to, in the terms of the Kubernetes recommended labels. */
export interface ComponentIdentity {
  /** `app.kubernetes.io/name`: the application, e.g. `hasher`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: the instance of the stack, e.g. `dockercoins` or `blue`. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role in the architecture, e.g. `backend`. */
  readonly component: string;
  /** `app.kubernetes.io/part-of`: the higher-level application, e.g. `dockercoins`. */
  readonly partOf: string;
  /** `app.kubernetes.io/version`: the version of the software (usually the image tag). */
  readonly version: string;
}

/**
 * The full set of Kubernetes recommended labels. Label values are limited to 63
 * characters of [A-Za-z0-9._-], alphanumeric at both ends (the API server refuses
 * others): every value is made one (`labelValue`), because identities come from
 * names that may be longer (a StorageClass name is a DNS subdomain of up to 253
 * characters) and image tags may hold other characters (e.g. `+`).
 */
export function recommendedLabels(scope: Construct, id: ComponentIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    'app.kubernetes.io/component': labelValue(id.component),
    'app.kubernetes.io/part-of': labelValue(id.partOf),
    'app.kubernetes.io/version': labelValue(id.version),
    'app.kubernetes.io/managed-by': labelValue(managedBy(scope)),
  };
}

/**
 * The labels a selector may use: only name and instance. They never change for
 * the life of a workload (selectors are immutable), unlike version or the
 * construct path.
 */
export function selectorLabels(id: Pick<ComponentIdentity, 'name' | 'instance'>): Record<string, string> {
  return {
    'app.kubernetes.io/name': labelValue(id.name),
    'app.kubernetes.io/instance': labelValue(id.instance),
  };
}

/** The engine applying the objects (`cdk8s` unless the app's context says otherwise). */
export function managedBy(scope: Construct): string {
  return (scope.node.tryGetContext(MANAGED_BY_CONTEXT) as string | undefined) ?? 'cdk8s';
}

/** `value` as a label value: other characters replaced by `_`, at most 63 characters, alphanumeric at both ends (unchanged when it already is one). */
export function labelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
