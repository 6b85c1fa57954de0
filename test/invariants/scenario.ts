/**
 * One rendered configuration and the invariant checks over it, shared by the
 * invariant tests (test/invariants/*.test.ts).
 */
import { EnvironmentConfig, loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { K8sObject } from '../../src/analysis/objects';
import { activeComponents, wiringOf } from '../../src/config/wiring';
import {
  checkClientNeedsReachable, checkIngressBackendsReachable, checkNamespaceReferences, checkScrapeTargetsReachable, checkSecretsProvided, checkServicesSelectPods,
  ClientConnection, DeclaredSecret, PodRef, podsIn, REQUIREMENTS,
} from './checks';

/** Namespaces the cluster has without this model creating them. */
export const CLUSTER_NAMESPACES = ['kube-system', 'default'] as const;

/** Those, plus the prerequisites' namespaces an environment names (cert-manager's cluster resource namespace). */
export function clusterNamespaces(config: { certificates: { source: string; clusterResourceNamespace?: string } }): string[] {
  return [...CLUSTER_NAMESPACES, ...(config.certificates.source === 'cert-manager' && config.certificates.clusterResourceNamespace ? [config.certificates.clusterResourceNamespace] : [])];
}

/** Labels of the Prometheus server pods (src/stacks/edge.ts PROMETHEUS_SELECTOR). */
export const PROMETHEUS_POD = { 'app.kubernetes.io/name': 'prometheus' } as const;

export interface Scenario {
  readonly config: EnvironmentConfig;
  readonly objects: K8sObject[];
  /** Secrets the charts declare (created before them, never rendered). */
  readonly declared: DeclaredSecret[];
  /** Every pod of `ingress.controllerNamespace`. */
  readonly controllers: PodRef[];
  /** The Prometheus pods of `edge.monitoring.namespace`. */
  readonly prometheus: PodRef[];
  /** Connections components offer to open to other components' pods (the `clients` offers). */
  readonly clients: readonly ClientConnection[];
}

export function scenario(env: string, overrides?: unknown): Scenario {
  const config = loadEnvironment(env, overrides);
  const charts = renderCharts(config);
  const objects = charts.flatMap(c => c.objects) as unknown as K8sObject[];
  return {
    config,
    objects,
    // Certificate Secrets exist before their readers: issued by cert-manager or created outside the model (the keys they request).
    declared: [...charts.flatMap(c => c.secrets), ...charts.flatMap(c => c.certificates).map(c => ({ name: c.secretName, namespace: c.namespace, keys: Object.fromEntries(c.keys.map(k => [k, ''])) }))],
    controllers: podsIn(objects, config.ingress.controllerNamespace),
    prometheus: config.edge ? podsIn(objects, config.edge.monitoring.namespace, { ...PROMETHEUS_POD }) : [],
    clients: wiringOf(activeComponents(config)).clients,
  };
}

export type Requirement = (typeof REQUIREMENTS)[keyof typeof REQUIREMENTS];

/** Every invariant over a scenario (or a mutated copy of its objects), by requirement. */
export function runChecks(s: Scenario, objects: K8sObject[] = s.objects, declared: readonly DeclaredSecret[] = s.declared): Record<Requirement, string[]> {
  return {
    [REQUIREMENTS.ingress]: checkIngressBackendsReachable(objects, { controllers: s.controllers }),
    [REQUIREMENTS.scrape]: checkScrapeTargetsReachable(objects, { prometheus: s.prometheus }),
    [REQUIREMENTS.secrets]: checkSecretsProvided(objects, declared),
    [REQUIREMENTS.services]: checkServicesSelectPods(objects),
    [REQUIREMENTS.namespaces]: checkNamespaceReferences(objects, clusterNamespaces(s.config)),
    [REQUIREMENTS.clients]: checkClientNeedsReachable(objects, s.clients),
  } as Record<Requirement, string[]>;
}

/** Deep copy of an object list, to break one field. */
export function copyOf(objects: readonly K8sObject[]): K8sObject[] {
  return JSON.parse(JSON.stringify(objects));
}
