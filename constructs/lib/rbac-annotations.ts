/**
 * The annotation that carries why a Role, ClusterRole or binding makes a
 * broad grant (a wildcard, escalate/bind/impersonate, cluster-admin, a subject
 * meaning everyone). Dependency-free, so that `validate` (rule `rbac-grant`)
 * reads it from rendered YAML without the model, and a construct that ever
 * needs such a grant sets the same key.
 */
export const RBAC_GRANT_REASON_ANNOTATION = 'security.dockercoins.io/rbac-grant-reason';
