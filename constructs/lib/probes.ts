import k8s = require('cdk8s-plus-27/lib/imports/k8s');

/** Timings of a probe; every field explicit so that each app's tolerance is visible in its construct. */
export interface ProbeTimings {
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  /** @default 1 */
  readonly successThreshold?: number;
}

/** What a probe checks. */
export type ProbeCheck =
  | { readonly http: { readonly path: string; readonly port: number | string; readonly scheme?: 'HTTP' | 'HTTPS' } }
  | { readonly tcp: { readonly port: number | string } }
  | { readonly exec: readonly string[] };

/** The health checks of a long-running container. */
export interface HealthChecks {
  /** When the container may receive traffic. */
  readonly readiness: { readonly check: ProbeCheck; readonly timings: ProbeTimings };
  /** When the kubelet restarts the container. Keep lenient: a false positive restarts a healthy process. */
  readonly liveness: { readonly check: ProbeCheck; readonly timings: ProbeTimings };
  /** Protects slow starters from the liveness probe. @default - none */
  readonly startup?: { readonly check: ProbeCheck; readonly timings: ProbeTimings };
}

/**
 * A container without probes must say why; the reason is rendered as a pod
 * annotation so that reviewers and the validator see the decision.
 */
export interface ProbesWaived {
  readonly waivedBecause: string;
}

/** Annotation carrying the reason a workload has no probes (defined dependency-free, for the rule table). */
export { PROBES_WAIVED_ANNOTATION } from './probe-annotations';

export function renderProbe(probe: { check: ProbeCheck; timings: ProbeTimings }): k8s.Probe {
  const t = probe.timings;
  const timings = {
    initialDelaySeconds: t.initialDelaySeconds,
    periodSeconds: t.periodSeconds,
    timeoutSeconds: t.timeoutSeconds,
    failureThreshold: t.failureThreshold,
    successThreshold: t.successThreshold ?? 1,
  };
  const c = probe.check;
  if ('http' in c) {
    return { ...timings, httpGet: { path: c.http.path, port: intOrString(c.http.port), scheme: c.http.scheme ?? 'HTTP' } };
  }
  if ('tcp' in c) {
    return { ...timings, tcpSocket: { port: intOrString(c.tcp.port) } };
  }
  return { ...timings, exec: { command: [...c.exec] } };
}

export function intOrString(value: number | string): k8s.IntOrString {
  return typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
}
