/** Pod annotations about probes, dependency-free so that the rule table and validate read them without loading cdk8s. */

/** Annotation carrying the reason a workload has no probes. */
export const PROBES_WAIVED_ANNOTATION = 'platform.dockercoins.io/probes-waived';
