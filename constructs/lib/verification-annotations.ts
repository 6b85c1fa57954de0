/**
 * The annotation that carries why an object skips TLS certificate
 * verification. Dependency-free, so that `validate` (rule
 * `insecure-skip-verify`) reads it from rendered YAML without the model.
 *
 * It goes on the object that holds the relaxed setting: the ConfigMap whose
 * configuration file sets `insecure_skip_verify: true` (Prometheus), or the
 * pod template whose container passes `--kubelet-insecure-tls`
 * (metrics-server).
 */
export const INSECURE_SKIP_VERIFY_REASON_ANNOTATION = 'security.dockercoins.io/insecure-skip-verify-reason';
