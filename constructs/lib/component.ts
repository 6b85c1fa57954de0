/**
 * The component contract. A component is one folder (constructs/<name>/)
 * holding its construct, its config schema with documented defaults
 * (schema.ts) and its build step (component.ts). It declares what it NEEDS
 * (namespaces it owns, secrets it reads) and what it OFFERS (Ingress routes
 * and their backends, metrics endpoints, node ports, network peers). The stack
 * builder (src/stack.ts) collects every component's offers first, checks them
 * across components (one owner per namespace, one router per host, one owner
 * per node port), and hands the union to every build step: Traefik's backends
 * and Prometheus' scrape targets are these offers, never restated.
 */
import type { App, Chart } from 'cdk8s';
import type { z, ZodType } from 'zod';
import type { CertificateNeed, CertificateProvider, CertificateSource } from './certificates';
import type { Footprint } from './guardrails';
import type { ControlledIngressRoute } from './ingress';
import type { PeerSpec, PodPortRef } from './network';
import type { LimitRangeSpec, PodSecurityLevel, QuotaSpec } from '../namespace';
import type { PanelOffer } from './panels';
import type { RuleGroup, RuleWorkload } from '../monitoring/rules';

/** Version of this platform model: `app.kubernetes.io/version` of objects that are not a packaged app. */
export const PLATFORM_VERSION = '0.1.0';

/** Environment-wide facts every component may read (the top level of the environment config). */
export interface PlatformFacts {
  /** Environment name (a DNS label): the dist/ folder and the Pulumi stack. */
  readonly name: string;
  /** Planning figure: nodes DaemonSets run on, used to check that quotas and anti-affinity fit. */
  readonly nodes: number;
  /** A production environment: `validate` requires backups of every data store. */
  readonly production: boolean;
  /** StorageClass of every claim that names none. @default - the cluster's default class */
  readonly storageClass?: string;
  readonly ingress: { readonly className: string; readonly controllerNamespace: string; readonly awaitLoadBalancer: boolean };
  readonly cluster: { readonly apiServerCidrs: readonly string[]; readonly apiServerPort: number; readonly nodeCidrs: readonly string[] };
  /** Where certificates come from; any source but `none` means the environment serves TLS (constructs/lib/certificates.ts). */
  readonly certificates: CertificateSource;
}

/** A Secret a chart's pods read that the model never renders (no secret in git). */
export interface RequiredSecret {
  readonly name: string;
  readonly namespace: string;
  /** Secret key -> Pulumi config key (namespace `dockercoins`) holding the value. */
  readonly keys: Readonly<Record<string, string>>;
  /** Labels of the Secret object. */
  readonly labels: Record<string, string>;
  /**
   * Keys that are superuser credentials (grant everything on a server). Only
   * the owning server and setup Jobs read them (the server's pods declare
   * them, `validate` checks), and their config keys fill no other Secret.
   * @default - none
   */
  readonly superuserKeys?: readonly string[];
}

/** A chart of the stack and its place in the deployment order. */
export interface StackChart {
  /** Chart id: the file name in dist/<env>/ and the Pulumi resource name. */
  readonly id: string;
  /** Deployment wave: 0 namespaces, guardrails and cluster-scoped prerequisites; 1 platform services; 2 apps and consumers. */
  readonly wave: number;
  readonly chart: Chart;
  /** Secrets the chart's pods read; Pulumi creates them from secret stack config. @default - none */
  readonly secrets?: readonly RequiredSecret[];
  /** Certificates its objects requested (filled by the stack builder from `certificatesOf(chart)`). @default - none */
  readonly certificates?: readonly CertificateNeed[];
}

/** A namespace a component owns (declares and guards). Exactly one component owns each namespace. */
export interface NamespaceOffer {
  readonly name: string;
  /** Config field that names it, for messages. @default - a constant of the component */
  readonly field?: string;
  readonly partOf: string;
  /** `app.kubernetes.io/instance` of the namespace. @default - the namespace name */
  readonly instance?: string;
  readonly podSecurity: PodSecurityLevel;
  /** Required below restricted. */
  readonly podSecurityReason?: string;
  readonly quota?: QuotaSpec;
  readonly limitRange?: LimitRangeSpec;
  /** Config field holding `quota` and `limitRange`, for messages (e.g. `dockercoins[blue]`). */
  readonly guardrailsField?: string;
  readonly viewer?: boolean;
  /** Several components may share a namespace they all declare identically (node-agents). @default false */
  readonly shared?: boolean;
}

/** A host the model publishes through the ingress controller, and the pods behind it. */
export interface RouteOffer {
  readonly host: string;
  /** Config field of the host, for messages. */
  readonly field: string;
  /** Every route publishes `/` (Prefix). */
  readonly path: '/';
  readonly tlsSecretName?: string;
  /** Pods and target port the controller connects to. @default - served by the controller itself (e.g. its dashboard) */
  readonly backend?: PodPortRef;
}

/** A node port the model opens (cluster-wide: one owner each). */
export interface NodePortOffer { readonly port: number; readonly field: string }

/** A claim a component makes, and the StorageClass it names (checked to exist). */
export interface ClaimNeed { readonly storageClassName?: string; readonly field: string }

/**
 * A workload a component renders (Deployment, StatefulSet or DaemonSet, its
 * autoscaler and claims). Prometheus generates the availability, rollout,
 * crash-loop, autoscaler and claim alerts of every offered workload
 * (constructs/monitoring/rules.ts `workloadRules`), so no rule names a
 * workload by hand.
 */
export type WorkloadOffer = RuleWorkload;

/**
 * Where Prometheus sends alerts: every Alertmanager replica by address (a
 * clustered Alertmanager deduplicates; a load-balanced Service would hide
 * replicas), and the pods and port its egress policy opens.
 */
export interface AlertmanagerOffer {
  readonly namespace: string;
  readonly pods: Readonly<Record<string, string>>;
  readonly port: number;
  /** `host:port` of each replica. */
  readonly targets: readonly string[];
}

/**
 * A connection a component's pods open to pods of another component (a need):
 * the serving component admits `from` on `to.port` in its own policy, the
 * client opens its egress; neither restates the other's selector or port.
 */
export interface ClientNeed {
  readonly from: { readonly namespace: string; readonly pods: Readonly<Record<string, string>> };
  readonly to: PodPortRef;
}

/**
 * A scrape target that needs a bearer token: Prometheus scrapes it in a job
 * of its own (not through the `prometheus.io/*` annotations, which carry no
 * credentials), with the token read from a Secret in Prometheus' namespace
 * that the monitoring component declares.
 */
export interface ScrapeAuthorization {
  /** The Secret (created in Prometheus' namespace, never rendered), its key and the Pulumi config key of its value. */
  readonly secret: { readonly name: string; readonly key: string; readonly configKey: string };
  readonly path: string;
  /** Query parameters, e.g. `{ format: ['prometheus'] }`. @default - none */
  readonly params?: Readonly<Record<string, readonly string[]>>;
}

/**
 * A pod port Prometheus scrapes, optionally over TLS and with a token. With
 * `tls`, the port serves HTTPS: Prometheus scrapes it in a job of its own,
 * verifying the certificate against the environment CA for `serverName` (pods
 * are scraped by IP, which no certificate names). With `authorization`, the
 * job also sends the bearer token.
 */
export interface ScrapeTargetOffer extends PodPortRef {
  /** @default - plain HTTP */
  readonly tls?: { readonly serverName: string };
  /** @default - scraped without credentials */
  readonly authorization?: ScrapeAuthorization;
}

/**
 * The metrics query API (Prometheus' HTTP API): where dashboards read series.
 * Clients (Grafana) offer themselves as `clients` of `pods`/`port`, which the
 * monitoring component admits in its policy.
 */
export interface MetricsQueryOffer extends PodPortRef {
  /** In-cluster base URL of the API, e.g. `http://prometheus.monitoring.svc:9090`. */
  readonly url: string;
  /** The scrape interval: the smallest step a query should use. */
  readonly scrapeInterval: string;
}

/** What a component offers to the others, computed from its config alone (before anything is built). */
export interface Offers {
  /** What its workloads occupy at full scale, per namespace: checked against that namespace's quota and LimitRange. */
  readonly footprints?: readonly Footprint[];
  /** Claims it makes (needs): each named StorageClass must be created by the environment or provided by the cluster. */
  readonly claims?: readonly ClaimNeed[];
  readonly namespaces?: readonly NamespaceOffer[];
  readonly routes?: readonly RouteOffer[];
  /** Pod ports Prometheus scrapes (they carry prometheus.io annotations, or an authorization); each admits the scraper in its own policy. */
  readonly scrapeTargets?: readonly ScrapeTargetOffer[];
  readonly nodePorts?: readonly NodePortOffer[];
  /** The ingress controller's pods (backends admit them). */
  readonly ingressController?: PeerSpec;
  /**
   * Annotations the ingress controller needs on every Ingress with TLS (e.g.
   * Traefik's HSTS middleware); the stack adds them to every TLS route.
   */
  readonly tlsRouteAnnotations?: Readonly<Record<string, string>>;
  /** The metrics scraper's pods (scrape targets admit them). */
  readonly metricsScraper?: PeerSpec;
  /** Workloads it renders: Prometheus generates their alerts. */
  readonly workloads?: readonly WorkloadOffer[];
  /** Rules about the metrics it exposes (offered with the scrape target they read); Prometheus loads them. */
  readonly alertRules?: readonly RuleGroup[];
  /** The Alertmanager Prometheus sends alerts to. */
  readonly alertmanager?: AlertmanagerOffer;
  /** Connections its pods open to other components' pods (the servers admit them). */
  readonly clients?: readonly ClientNeed[];
  /** Dashboard panels about the metrics it exposes (offered with the scrape target they read); Grafana provisions them. */
  readonly panels?: readonly PanelOffer[];
  /** The metrics query API dashboards read (Prometheus). */
  readonly metricsQuery?: MetricsQueryOffer;
  /**
   * Secrets of the certificates it requests for its own endpoints where the environment has TLS (Ingress
   * hosts' certificates come from `routes`): one certificate per Secret name and namespace, checked in wiring.
   */
  readonly certificateSecrets?: readonly CertificateSecretOffer[];
  /** Stores of state it runs that only a backup can bring back (a production environment must back each one up). */
  readonly dataStores?: readonly DataStoreOffer[];
  /** The data stores (`DataStoreOffer.store`) it backs up. */
  readonly backups?: readonly string[];
  /** Claims it renders that hold data but belong to no offered workload (a CronJob's): delivery protects them like workloads' claims. */
  readonly dataClaims?: readonly { readonly namespace: string; readonly name: string }[];
}

/** A store of state (a database, a consensus store) and the config section that deploys it. */
export interface DataStoreOffer { readonly store: string; readonly field: string }

/** A certificate Secret a component's endpoint uses, and the config section that makes it. */
export interface CertificateSecretOffer { readonly namespace: string; readonly secretName: string; readonly field: string }

/** The union of every component's offers, as the build steps see it. */
export interface Wiring {
  /** Every namespace the environment declares, each once, in declaration order (with its Pod Security level). */
  readonly namespaces: readonly NamespaceOffer[];
  readonly routes: readonly RouteOffer[];
  readonly scrapeTargets: readonly ScrapeTargetOffer[];
  /** @default - no ingress controller in the model (routes still render, for an external controller in `ingress.controllerNamespace`) */
  readonly ingressController?: PeerSpec;
  /** Annotations of every TLS Ingress, from the ingress controller's offer. @default - none */
  readonly tlsRouteAnnotations?: Readonly<Record<string, string>>;
  /** @default - no metrics scraper in the model */
  readonly metricsScraper?: PeerSpec;
  readonly workloads: readonly WorkloadOffer[];
  readonly alertRules: readonly RuleGroup[];
  /** @default - no Alertmanager in the model (rules are still evaluated and shown in the Prometheus UI) */
  readonly alertmanager?: AlertmanagerOffer;
  readonly clients: readonly ClientNeed[];
  readonly panels: readonly PanelOffer[];
  /** Every `dataClaims` offer. */
  readonly dataClaims: readonly { readonly namespace: string; readonly name: string }[];
  /** @default - no metrics query API in the model */
  readonly metricsQuery?: MetricsQueryOffer;
}

/** Everything a build step gets. */
export interface BuildContext<C> {
  readonly app: App;
  /** The `namespaces` chart (wave 0); the stack builder declares every offered namespace there. */
  readonly namespaces: Chart;
  readonly platform: PlatformFacts;
  /** The component's own validated config section. */
  readonly config: C;
  /** The whole validated environment config (for components that read a sibling section). */
  readonly environment: unknown;
  readonly wiring: Wiring;
  /** Certificates from the environment's source; undefined where the environment has no TLS (`certificates.source: none`). */
  readonly certificates?: CertificateProvider;
  /** How a host is published in this environment (class, controller namespace, annotations). */
  ingressRoute(host: string, tlsSecretName?: string): ControlledIngressRoute;
  /** A claim's StorageClass: its own, else the environment's. */
  withStorageClass<T extends { readonly storageClassName?: string }>(storage: T): T;
}

/** A problem found across fields: `path` from the root of the environment config. */
export interface Problem { readonly path: string; readonly reason: string }

/** One component of the platform. */
export interface Component<C = unknown> {
  /** Registry id, unique. */
  readonly id: string;
  /** Where its config lives in the environment config, e.g. ['edge', 'traefik']; absent = not deployed. */
  readonly configPath: readonly string[];
  /** Config schema (strict, with defaults); the TypeScript type is inferred from it. */
  readonly schema: ZodType<C, any>;
  /** The config section must be present. @default false (absent = not deployed) */
  readonly required?: boolean;
  /** Whether a present section deploys anything (e.g. `enabled: false`). @default - always */
  enabled?(config: C): boolean;
  /** Rules across sections (e.g. anti-affinity against the planned node count), run after the schema passed. */
  check?(config: C, platform: PlatformFacts, environment: unknown): Problem[];
  /** What it offers and owns, from its config alone. */
  offers(config: C, platform: PlatformFacts, environment: unknown): Offers;
  /** Builds its charts. */
  build(ctx: BuildContext<C>): StackChart[];
}

/** Identity helper so a component's config type is the output of its schema. */
export function defineComponent<S extends ZodType>(component: Omit<Component<z.output<S>>, 'schema'> & { readonly schema: S }): Component<z.output<S>> {
  return component as Component<z.output<S>>;
}
