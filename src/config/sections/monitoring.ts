import { ContainerResources, ImageRef } from '../../../constructs/lib/types';
import type { EnvironmentConfig } from '../types';
import type { Checker } from '../validate';
import { checkEmptyDirFits, checkStorage, StorageConfig } from './storage';

export const PROMETHEUS_IMAGE: ImageRef = { registry: 'quay.io', repository: 'prometheus/prometheus', tag: 'v3.2.1' };
export const NODE_EXPORTER_IMAGE: ImageRef = { registry: 'quay.io', repository: 'prometheus/node-exporter', tag: 'v1.8.2' };
export const KUBE_STATE_METRICS_IMAGE: ImageRef = { registry: 'registry.k8s.io', repository: 'kube-state-metrics/kube-state-metrics', tag: 'v2.13.0' };
export const METRICS_SERVER_IMAGE: ImageRef = { registry: 'registry.k8s.io', repository: 'metrics-server/metrics-server', tag: 'v0.7.2' };

/** Prometheus durations: one or more `<number><unit>`, units ms, s, m, h, d, w, y (e.g. `15d`, `12h`, `1h30m`). */
const DURATION = /^(?:[0-9]+(?:ms|s|m|h|d|w|y))+$/;

export interface MonitoringConfig {
  /** Namespace of Prometheus and kube-state-metrics (restricted). */
  readonly namespace: string;
  readonly prometheus: PrometheusConfig;
  /** node-exporter runs on every node, in the shared privileged `node-agents` namespace. */
  readonly nodeExporter: { readonly image: ImageRef; readonly resources: ContainerResources };
  /** Cluster object metrics (deployments, pods, HPAs...). */
  readonly kubeStateMetrics: { readonly enabled: boolean; readonly image: ImageRef; readonly resources: ContainerResources };
  /**
   * The resource metrics API (`kubectl top`, CPU HorizontalPodAutoscalers) for
   * clusters that lack it. Installed in kube-system.
   */
  readonly metricsServer: {
    readonly enabled: boolean;
    readonly image: ImageRef;
    readonly resources: ContainerResources;
    /** Skip verifying kubelet serving certificates (self-signed on kubeadm/kind clusters). */
    readonly kubeletInsecureTls: boolean;
  };
}

export interface PrometheusConfig {
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** `--storage.tsdb.retention.time`, e.g. `15d`. */
  readonly retention: string;
  /** How often every target is scraped, e.g. `30s`. */
  readonly scrapeInterval: string;
  /** TSDB storage. With emptyDir the size must fit the container's ephemeral-storage limit. */
  readonly storage: StorageConfig;
  /** Host of the Prometheus UI Ingress. @default - no Ingress (port-forward) */
  readonly ingressHost?: string;
  /** TLS Secret for `ingressHost`. @default - plain HTTP */
  readonly tlsSecretName?: string;
}

export function checkDuration(c: Checker, path: string, value: unknown): value is string {
  if (!c.string(path, value)) return false;
  if (!DURATION.test(value) || !/[1-9]/.test(value)) {
    c.add(path, `"${value}" is not a valid Prometheus duration (a positive number with a unit ms, s, m, h, d, w or y, e.g. 15d, 12h, 1h30m)`);
    return false;
  }
  return true;
}

export function checkMonitoring(c: Checker, path: string, value: unknown, _env: EnvironmentConfig): value is MonitoringConfig {
  if (!c.object(path, value)) return false;
  const m = value as Record<string, unknown>;
  c.dnsLabel(`${path}.namespace`, m.namespace);
  const pp = `${path}.prometheus`;
  if (c.object(pp, m.prometheus)) {
    const p = m.prometheus as Record<string, unknown>;
    c.image(`${pp}.image`, p.image);
    const resources = c.resources(`${pp}.resources`, p.resources, 'Burstable');
    checkDuration(c, `${pp}.retention`, p.retention);
    checkDuration(c, `${pp}.scrapeInterval`, p.scrapeInterval);
    if (checkStorage(c, `${pp}.storage`, p.storage) && resources) {
      checkEmptyDirFits(c, pp, p.storage, (p.resources as ContainerResources).limits.ephemeralStorage);
    }
    if (p.ingressHost !== undefined) c.host(`${pp}.ingressHost`, p.ingressHost);
    if (p.tlsSecretName !== undefined) {
      if (p.ingressHost === undefined) c.add(`${pp}.tlsSecretName`, 'is only used with ingressHost');
      else c.dnsSubdomain(`${pp}.tlsSecretName`, p.tlsSecretName);
    }
  }
  const component = (key: string, withFlag: boolean): Record<string, unknown> | undefined => {
    const p = `${path}.${key}`;
    if (!c.object(p, m[key])) return undefined;
    const v = m[key] as Record<string, unknown>;
    if (withFlag) c.boolean(`${p}.enabled`, v.enabled);
    c.image(`${p}.image`, v.image);
    c.resources(`${p}.resources`, v.resources, 'Burstable');
    return v;
  };
  component('nodeExporter', false);
  component('kubeStateMetrics', true);
  const ms = component('metricsServer', true);
  if (ms) c.boolean(`${path}.metricsServer.kubeletInsecureTls`, ms.kubeletInsecureTls);
  return true;
}
