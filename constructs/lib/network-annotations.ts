/** NetworkPolicy annotations, dependency-free so that validate reads them without loading cdk8s (as probe-annotations.ts). */

/** Annotation on a NetworkPolicy whose podSelector is meant for pods created outside this model. */
export const EXTERNAL_PODS_ANNOTATION = 'platform.dockercoins.io/selects-external-pods';
