import { parseQuantity } from '../lib/quantity';
import { dnsLabel, dnsSubdomain, duration, host, image, resources, storage, z } from '../lib/schema';
import { VERSIONS } from '../versions';

const agent = (defaultImage: { registry: string; repository: string; tag: string }) =>
  z.strictObject({ image: image().prefault(defaultImage), resources: resources('Burstable') });

/** An emptyDir counts against the pod's ephemeral-storage limit: the kubelet evicts the pod beyond it. */
export function emptyDirFits(s: { type: string; size: string }, ephemeralLimit: string): string | undefined {
  if (s.type !== 'emptyDir' || parseQuantity(ephemeralLimit)! >= parseQuantity(s.size)!) return undefined;
  return `${ephemeralLimit} is below storage.size ${s.size}: an emptyDir counts against it and the pod would be evicted`;
}

/**
 * How the kubelets' serving certificates are verified (Prometheus' kubelet
 * and cAdvisor jobs, metrics-server). `verify: true` checks them against the
 * cluster CA (the service account's ca.crt): the cluster signs kubelet
 * serving certificates (kubeadm `serverTLSBootstrap: true` with the CSRs
 * approved, or a managed cluster that does). `verify: false` skips the check
 * (a kind or default kubeadm cluster, whose kubelets serve self-signed
 * certificates) and must say why: the reason is rendered next to the setting
 * and `validate` refuses the setting without one. The ServiceAccount token
 * still authenticates the scraper either way. @default { verify: true }
 */
export const kubeletTls = () => z.discriminatedUnion('verify', [
  z.strictObject({ verify: z.literal(true) }),
  z.strictObject({
    verify: z.literal(false),
    /** Why this cluster's kubelet certificates cannot be verified (rendered as an annotation). */
    reason: z.string().superRefine((r, ctx) => {
      if (r.trim().length < 20) ctx.addIssue({ code: 'custom', message: 'must say why the kubelet certificates cannot be verified (at least 20 characters), e.g. "kind cluster: kubelets serve self-signed certificates"' });
    }),
  }),
]).prefault({ verify: true });
export type KubeletTls = z.infer<ReturnType<typeof kubeletTls>>;

export const prometheusSchema = z.strictObject({
  image: image().prefault(VERSIONS.prometheus),
  resources: resources('Burstable'),
  /** `--storage.tsdb.retention.time`, e.g. `15d`. */
  retention: duration(),
  /** How often every target is scraped. @default 30s */
  scrapeInterval: duration().prefault('30s'),
  /** TSDB storage; an emptyDir must fit the ephemeral-storage limit. */
  storage: storage(),
  /** Host of the Prometheus UI Ingress (no authentication: only where the network is trusted). @default - port-forward */
  ingressHost: host().optional(),
  /** TLS Secret for `ingressHost`. @default - plain HTTP */
  tlsSecretName: dnsSubdomain().optional(),
  /** Verification of the kubelets' serving certificates. @default { verify: true } */
  kubeletTls: kubeletTls(),
}).superRefine((p, ctx) => {
  const fits = emptyDirFits(p.storage, p.resources.limits.ephemeralStorage);
  if (fits) ctx.addIssue({ code: 'custom', path: ['resources', 'limits', 'ephemeralStorage'], message: fits });
  if (p.tlsSecretName !== undefined && p.ingressHost === undefined) ctx.addIssue({ code: 'custom', path: ['tlsSecretName'], message: 'is only used with ingressHost' });
});

/** Prometheus, node-exporter (every node, in node-agents) and kube-state-metrics. */
export const monitoringSchema = z.strictObject({
  /** Namespace of Prometheus and kube-state-metrics (restricted), owned by monitoring alone. @default monitoring */
  namespace: dnsLabel().prefault('monitoring'),
  prometheus: prometheusSchema,
  nodeExporter: agent(VERSIONS.nodeExporter),
  /** Cluster object metrics (deployments, pods, HPAs...). */
  kubeStateMetrics: agent(VERSIONS.kubeStateMetrics).extend({ /** @default true */ enabled: z.boolean().prefault(true) }),
});
export type MonitoringConfig = z.infer<typeof monitoringSchema>;

/** The resource metrics API (`kubectl top`, CPU HPAs) for clusters that lack it; installed in kube-system. */
export const metricsServerSchema = agent(VERSIONS.metricsServer).extend({
  enabled: z.boolean(),
  /** Verification of the kubelets' serving certificates (`--kubelet-insecure-tls` only with a reason). @default { verify: true } */
  kubeletTls: kubeletTls(),
});
export type MetricsServerConfig = z.infer<typeof metricsServerSchema>;
