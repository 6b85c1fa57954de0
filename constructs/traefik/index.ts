import { HostIngress, IngressRoute } from '../lib/ingress';
import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { toYaml } from '../lib/yaml';
import { ComponentIdentity, recommendedLabels } from '../lib/labels';
import { NetworkRule, PeerSpec, PodPortRef, rulesToPods, WorkloadNetworkPolicy } from '../lib/network';
import { HealthChecks } from '../lib/probes';
import { ClusterService } from '../lib/service';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef, SpreadPolicy, TolerationSpec } from '../lib/types';
import { ContainerPortSpec, HardenedDaemonSet, HardenedDeployment, HardenedPod, PodProps } from '../lib/workload';
import type { PodSecurityLevel } from '../namespace';

/** How the entry points reach clients; see src/config/sections/traefik.ts. */
/**
 * How Traefik's entry points reach clients.
 * - `hostPort`: a DaemonSet binding ports 80/443 on every node, control-plane
 *   nodes included (the course's setup; no cloud load balancer needed). Needs a
 *   privileged namespace (hostPort is forbidden by baseline). Ingresses get no
 *   load-balancer address.
 * - `loadBalancer`: a Deployment behind a Service of type LoadBalancer, fully
 *   restricted; the Service address is published on every Ingress.
 */
export const TRAEFIK_MODES = ['hostPort', 'loadBalancer'] as const;
export type TraefikMode = (typeof TRAEFIK_MODES)[number];
/**
 * Who can reach Traefik's API and dashboard.
 * - `insecure`: `--api.insecure` (no authentication) on the internal `traefik`
 *   entry point, optionally routed from `dashboardHost`; hostPort mode only.
 * - `port-forward-only`: served on the internal entry point (8080), which no
 *   Service, host port or NetworkPolicy exposes; only `kubectl port-forward`.
 * - `disabled`: no API and no dashboard.
 */
export const DASHBOARD_EXPOSURES = ['insecure', 'port-forward-only', 'disabled'] as const;
export type DashboardExposure = (typeof DASHBOARD_EXPOSURES)[number];
/** Identity (and selector) of the controller pods. */
export const TRAEFIK_IDENTITY = { name: 'traefik', instance: 'traefik' } as const;

export interface TraefikProps {
  /** Namespace of every namespaced object. It must exist with the level `Traefik.podSecurity(mode)` returns. */
  readonly namespace: string;
  /** `hostPort` (DaemonSet, ports 80/443 on every node) or `loadBalancer` (Deployment behind a LoadBalancer Service). */
  readonly mode: TraefikMode;
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** Deployment settings; required with mode `loadBalancer`. */
  readonly loadBalancer?: { readonly replicas: number; readonly spread: SpreadPolicy };
  /** The IngressClass this controller serves; it is marked the cluster default. */
  readonly ingressClassName: string;
  readonly dashboard: DashboardExposure;
  /** Route this host to the insecure dashboard (only with dashboard `insecure`). @default - port-forward only */
  readonly dashboardHost?: string;
  /** How the dashboard host is published (class, annotations, TLS); required with `dashboardHost`. @default - no dashboard Ingress */
  readonly dashboardRoute?: IngressRoute;
  /**
   * TLS at the edge, where the environment has TLS: port 80 redirects
   * permanently to 443, and the HSTS middleware (`TRAEFIK_HSTS_MIDDLEWARE`) is
   * defined for the Ingresses to reference. @default - plain HTTP is served as is (no TLS in the environment)
   */
  readonly tls?: { readonly hsts: HstsPolicy };
  /**
   * Addresses whose X-Forwarded-* headers are trusted on the public entry
   * points (`entryPoints.<name>.forwardedHeaders.trustedIPs`): the load
   * balancer's. @default - none (forwarded headers of every client are dropped)
   */
  readonly trustedIPs?: readonly string[];
  /** Graceful shutdown; Traefik's life-cycle timeouts are derived from it (`traefikLifeCycle`). */
  readonly shutdown: TraefikShutdown;
  /**
   * Everything Ingresses route to: the only pods Traefik may open connections
   * to. The backends' own policies must admit this namespace on these ports.
   */
  readonly backends: readonly PodPortRef[];
  /** Who may scrape the metrics port (9100). @default - nobody */
  readonly metricsScrapers?: readonly PeerSpec[];
  /** The API server endpoints the Ingress provider watches. */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly port: number };
  /** Tolerations in hostPort mode. @default - run on control-plane nodes too (the course's setup) */
  readonly tolerations?: readonly TolerationSpec[];
}

/** Strict-Transport-Security of every TLS host (Traefik's headers middleware: stsSeconds, stsIncludeSubdomains, stsPreload). */
export interface HstsPolicy {
  readonly maxAgeSeconds: number;
  readonly includeSubdomains: boolean;
  readonly preload: boolean;
}

/** Shutdown of a Traefik pod: the kubelet's grace period, and how long Traefik keeps accepting requests after SIGTERM. */
export interface TraefikShutdown {
  readonly terminationGracePeriodSeconds: number;
  readonly requestAcceptGraceSeconds: number;
}

/** Seconds between the end of Traefik's grace timeout and SIGKILL: the process exits cleanly before the kubelet kills it. */
export const TRAEFIK_SHUTDOWN_MARGIN_SECONDS = 5;

/**
 * Traefik's entry point life cycle (static config
 * `entryPoints.<name>.transport.lifeCycle`, traefik/traefik v3.3.4
 * pkg/config/static/static_config.go `LifeCycle`), derived from the pod's
 * termination grace period. On SIGTERM each entry point keeps accepting for
 * `requestAcceptGraceTimeout` (while /ping answers 503 — pkg/ping/ping.go
 * `TerminatingStatusCode` — so readiness drops the pod from the endpoints),
 * then gives active requests `graceTimeOut` (pkg/server/server_entrypoint_tcp.go
 * `Shutdown`: the two run one after the other). Their sum plus a margin is the
 * grace period, so no request is cut by SIGKILL.
 */
export function traefikLifeCycle(shutdown: TraefikShutdown): { requestAcceptGraceTimeoutSeconds: number; graceTimeOutSeconds: number } {
  const graceTimeOutSeconds = shutdown.terminationGracePeriodSeconds - shutdown.requestAcceptGraceSeconds - TRAEFIK_SHUTDOWN_MARGIN_SECONDS;
  if (graceTimeOutSeconds < 1) {
    throw new Error(`traefik: terminationGracePeriodSeconds ${shutdown.terminationGracePeriodSeconds} leaves no time to finish requests after requestAcceptGraceSeconds ${shutdown.requestAcceptGraceSeconds} and the ${TRAEFIK_SHUTDOWN_MARGIN_SECONDS} s margin`);
  }
  return { requestAcceptGraceTimeoutSeconds: shutdown.requestAcceptGraceSeconds, graceTimeOutSeconds };
}

/** Name of the HSTS middleware in the file provider; Ingresses reference it as `<name>@file`. */
export const TRAEFIK_HSTS_MIDDLEWARE = 'hsts';
/** The Ingress annotation attaching middlewares to the router Traefik's Kubernetes Ingress provider builds (pkg/provider/kubernetes/ingress/annotations.go). */
export const TRAEFIK_ROUTER_MIDDLEWARES_ANNOTATION = 'traefik.ingress.kubernetes.io/router.middlewares';
/** Minimum TLS version of every TLS connection (file provider `tls.options.default.minVersion`; pkg/tls/certificate.go MinVersion values). */
export const TRAEFIK_MIN_TLS_VERSION = 'VersionTLS12';

/** Container ports (unprivileged: the process never needs a capability). */
export const TRAEFIK_PORTS = { traefik: 8080, web: 8000, websecure: 8443, metrics: 9100 } as const;
/** Ports clients use: on the node (hostPort mode) or on the LoadBalancer Service. */
export const TRAEFIK_PUBLIC_PORTS = { web: 80, websecure: 443 } as const;

/** Traefik's chart identity: uid/gid 65532 (nonroot). */
const TRAEFIK_USER = { user: 65532, group: 65532 };
const CONTROL_PLANE_TOLERATION: TolerationSpec = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' };
/** The file provider's dynamic configuration (a ConfigMap mounted read-only). */
const DYNAMIC_CONFIG_DIR = '/etc/traefik/dynamic';
const DYNAMIC_CONFIG_FILE = 'dynamic.yml';

/** `/ping` on the internal entry point: readiness drops a pod at once, liveness allows 30 s. */
/**
 * Readiness is `/ping`, which answers 503 (`ping.terminatingStatusCode`) from
 * SIGTERM on, so a draining Traefik leaves the Services while it finishes its
 * requests; liveness is the entry point accepting connections, which must not
 * fail while it drains (kube-score pod-probes-identical).
 */
const PING: HealthChecks = {
  readiness: { check: { http: { path: '/ping', port: 'traefik' } }, timings: { initialDelaySeconds: 2, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 1 } },
  liveness: { check: { tcp: { port: 'traefik' } }, timings: { initialDelaySeconds: 2, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 } },
};

/**
 * Traefik v3 as the cluster's Kubernetes Ingress controller: its
 * ServiceAccount and least-privilege RBAC, the default IngressClass, the
 * controller pods (DaemonSet with host ports, or Deployment behind a
 * LoadBalancer), Prometheus metrics on their own port, access logs, and a
 * NetworkPolicy that lets clients in on the entry points and lets Traefik out
 * only to its backends, the API server and DNS.
 */
export class Traefik extends Construct {
  /**
   * The Pod Security level the namespace needs for a mode, with the reason.
   * hostPort is forbidden by baseline, so hostPort mode needs `privileged`.
   */
  public static podSecurity(mode: TraefikMode): { podSecurity: PodSecurityLevel; podSecurityReason?: string } {
    if (mode === 'loadBalancer') return { podSecurity: 'restricted' };
    return {
      podSecurity: 'privileged',
      podSecurityReason: 'Traefik in hostPort mode publishes ports 80/443 on every node (hostPort), which Pod Security baseline forbids. '
        + 'The pods still run non-root with all capabilities dropped, no privilege escalation and a read-only root filesystem; '
        + 'nothing else runs in this namespace.',
    };
  }

  /** Selector labels of the controller pods (for peers' NetworkPolicies). */
  public readonly selector: Record<string, string>;
  /** Name of the Service clients reach (loadBalancer mode only). */
  public readonly serviceName?: string;

  constructor(scope: Construct, id: string, props: TraefikProps) {
    super(scope, id);
    const ns = props.namespace;
    const name = 'traefik';
    const identity: ComponentIdentity = { name, instance: name, component: 'ingress-controller', partOf: 'edge', version: props.image.tag };
    const labels = recommendedLabels(this, identity);
    const hostPort = props.mode === 'hostPort';
    if (!hostPort && !props.loadBalancer) throw new Error('traefik: mode "loadBalancer" needs loadBalancer.replicas and spread');
    if (props.dashboard === 'insecure' && !hostPort) throw new Error('traefik: an insecure dashboard is only allowed in hostPort mode');
    if (props.dashboardHost && props.dashboard !== 'insecure') throw new Error('traefik: dashboardHost needs dashboard "insecure"');
    if (props.dashboardHost && !props.dashboardRoute) throw new Error('traefik: dashboardHost needs dashboardRoute');
    const lifeCycle = traefikLifeCycle(props.shutdown);
    const publicEntryPoints = ['web', 'websecure'] as const;

    const args = [
      '--global.checkNewVersion=false',
      '--global.sendAnonymousUsage=false',
      '--log.level=INFO',
      '--accesslog=true',
      '--accesslog.format=json',
      `--entryPoints.traefik.address=:${TRAEFIK_PORTS.traefik}/tcp`,
      `--entryPoints.web.address=:${TRAEFIK_PORTS.web}/tcp`,
      `--entryPoints.websecure.address=:${TRAEFIK_PORTS.websecure}/tcp`,
      '--entryPoints.websecure.http.tls=true',
      `--entryPoints.metrics.address=:${TRAEFIK_PORTS.metrics}/tcp`,
      '--ping=true',
      '--ping.entryPoint=traefik',
      '--metrics.prometheus=true',
      '--metrics.prometheus.entryPoint=metrics',
      // Per-router series (traefik_router_*), off by default; the dashboards and 5xx panels read them.
      '--metrics.prometheus.addRoutersLabels=true',
      '--providers.kubernetesingress=true',
      `--providers.kubernetesingress.ingressClass=${props.ingressClassName}`,
      // Shutdown timeouts of every entry point, from the termination grace period (traefikLifeCycle).
      ...(['traefik', 'web', 'websecure', 'metrics'] as const).flatMap(ep => [
        `--entryPoints.${ep}.transport.lifeCycle.requestAcceptGraceTimeout=${lifeCycle.requestAcceptGraceTimeoutSeconds}s`,
        `--entryPoints.${ep}.transport.lifeCycle.graceTimeOut=${lifeCycle.graceTimeOutSeconds}s`,
      ]),
      // X-Forwarded-* from the load balancer only (entryPoints.<name>.forwardedHeaders.trustedIPs, a comma-separated list).
      ...(props.trustedIPs?.length ? publicEntryPoints.map(ep => `--entryPoints.${ep}.forwardedHeaders.trustedIPs=${props.trustedIPs!.join(',')}`) : []),
      // TLS: every request on port 80 is redirected permanently to https on the PUBLIC port 443. `to` is
      // ":443", not "websecure": with an entry point name, Traefik redirects to that entry point's own
      // address port (8443, pkg/provider/traefik/internal.go getRedirectPort), which clients never reach.
      ...(props.tls ? [
        `--entryPoints.web.http.redirections.entryPoint.to=:${TRAEFIK_PUBLIC_PORTS.websecure}`,
        '--entryPoints.web.http.redirections.entryPoint.scheme=https',
        '--entryPoints.web.http.redirections.entryPoint.permanent=true',
      ] : []),
      // The dynamic configuration (TLS options, HSTS middleware, dashboard router). A file, not the
      // directory: a ConfigMap mount also holds `..data` links the directory provider would read twice.
      `--providers.file.filename=${DYNAMIC_CONFIG_DIR}/${DYNAMIC_CONFIG_FILE}`,
      '--providers.file.watch=false',
    ];
    this.serviceName = hostPort ? undefined : name;
    // Publishing the Service fills every Ingress's status with the LB address.
    if (!hostPort) args.push(`--providers.kubernetesingress.ingressendpoint.publishedservice=${ns}/${name}`);

    const podAnnotations: Record<string, string> = {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(TRAEFIK_PORTS.metrics),
      'prometheus.io/path': '/metrics',
    };
    if (props.dashboard === 'insecure') args.push('--api.dashboard=true', '--api.insecure=true');
    else if (props.dashboard === 'port-forward-only') args.push('--api.dashboard=true');
    else args.push('--api=false');
    const dynamic = new SettingsConfigMap(this, 'DynamicConfig', {
      name: 'traefik-dynamic',
      namespace: ns,
      labels,
      data: { [DYNAMIC_CONFIG_FILE]: toYaml(traefikDynamicConfig({ dashboardRouter: props.dashboard === 'port-forward-only', hsts: props.tls?.hsts })) },
    });
    const volumes: k8s.Volume[] = [{ name: 'dynamic-config', configMap: { name: dynamic.name } }];
    const volumeMounts: k8s.VolumeMount[] = [{ name: 'dynamic-config', mountPath: DYNAMIC_CONFIG_DIR, readOnly: true }];
    podAnnotations[SETTINGS_CHECKSUM_ANNOTATION] = dynamic.checksum;

    const ports: ContainerPortSpec[] = [
      { name: 'traefik', containerPort: TRAEFIK_PORTS.traefik },
      { name: 'web', containerPort: TRAEFIK_PORTS.web, hostPort: hostPort ? TRAEFIK_PUBLIC_PORTS.web : undefined },
      { name: 'websecure', containerPort: TRAEFIK_PORTS.websecure, hostPort: hostPort ? TRAEFIK_PUBLIC_PORTS.websecure : undefined },
      { name: 'metrics', containerPort: TRAEFIK_PORTS.metrics },
    ];
    const pod: PodProps = {
      identity,
      tier: 'ingress',
      namespace: ns,
      runAs: TRAEFIK_USER,
      qos: 'Burstable',
      // Connections drain during the grace period; Traefik's life-cycle timeouts fit inside it (traefikLifeCycle).
      terminationGracePeriodSeconds: props.shutdown.terminationGracePeriodSeconds,
      automountServiceAccountToken: true,
      apiAccessReason: 'the Ingress provider watches Ingresses, Services and EndpointSlices and updates Ingress status through the API',
      podAnnotations,
      volumes,
      containers: [{
        name,
        image: props.image,
        args,
        // hostPort is DNAT by the CNI to the unprivileged container port, so
        // the process binds 8000/8443 as non-root with no capability.
        ports,
        resources: props.resources,
        probes: PING,
        writablePaths: [{ path: '/data' }, { path: '/tmp' }],
        volumeMounts,
      }],
    };
    let workload: HardenedPod;
    if (hostPort) {
      workload = new HardenedDaemonSet(this, 'DaemonSet', {
        ...pod,
        tolerations: props.tolerations ?? [CONTROL_PLANE_TOLERATION],
      }).pod;
    } else {
      const lb = props.loadBalancer!;
      workload = new HardenedDeployment(this, 'Deployment', {
        ...pod,
        replicas: lb.replicas,
        spread: lb.spread,
        maxSurge: 1,
        maxUnavailable: 0,
        disruptionBudget: lb.replicas > 1 ? { maxUnavailable: 1 } : undefined,
      }).pod;
      new ClusterService(this, 'Service', {
        name,
        namespace: ns,
        labels,
        selector: workload.selector,
        type: 'LoadBalancer',
        ports: [
          { name: 'web', port: TRAEFIK_PUBLIC_PORTS.web, targetPort: 'web' },
          { name: 'websecure', port: TRAEFIK_PUBLIC_PORTS.websecure, targetPort: 'websecure' },
        ],
      });
    }
    this.selector = workload.selector;

    new TraefikRbac(this, 'Rbac', { name, namespace: ns, labels, serviceAccountName: workload.serviceAccountName });

    new k8s.KubeIngressClass(this, 'IngressClass', {
      metadata: { name: props.ingressClassName, labels, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'traefik.io/ingress-controller' },
    });

    const dashboardHost = props.dashboard === 'insecure' ? props.dashboardHost : undefined;
    if (dashboardHost) {
      // Traefik routes the host to its own internal entry point.
      const service = new ClusterService(this, 'DashboardService', {
        name: 'traefik-dashboard', namespace: ns, labels, selector: workload.selector,
        ports: [{ name: 'traefik', port: TRAEFIK_PORTS.traefik, targetPort: 'traefik' }],
      });
      new HostIngress(this, 'DashboardIngress', {
        name: 'traefik-dashboard', namespace: ns, labels, serviceName: service.name, servicePort: 'traefik',
        route: props.dashboardRoute!,
      });
    }

    const self: PeerSpec = { pods: workload.selector };
    const ingress: NetworkRule[] = [
      // Clients: any address, on the entry points (the container ports behind host ports or the LB).
      { peers: [{ cidr: '0.0.0.0/0' }], ports: [{ port: TRAEFIK_PORTS.web }, { port: TRAEFIK_PORTS.websecure }] },
    ];
    if (props.metricsScrapers?.length) ingress.push({ peers: props.metricsScrapers, ports: [{ port: TRAEFIK_PORTS.metrics }] });
    if (dashboardHost) ingress.push({ peers: [self], ports: [{ port: TRAEFIK_PORTS.traefik }] });
    const egress: NetworkRule[] = [
      ...rulesToPods(props.backends),
      { peers: props.apiServer.cidrs.map(cidr => ({ cidr })), ports: [{ port: props.apiServer.port }] },
    ];
    if (dashboardHost) egress.push({ peers: [self], ports: [{ port: TRAEFIK_PORTS.traefik }] });
    new WorkloadNetworkPolicy(this, 'Policy', { name, namespace: ns, labels, podSelector: workload.selector, ingress, egress });
  }
}

/**
 * The file provider's dynamic configuration (traefik/traefik v3.3.4,
 * pkg/config/dynamic): `tls.options.default` applies to every TLS router
 * without its own options (pkg/tls/tls.go `Options.MinVersion`); the `hsts`
 * headers middleware (pkg/config/dynamic/middlewares.go `Headers.STSSeconds`,
 * `STSIncludeSubdomains`, `STSPreload`) is attached by the Ingress annotation
 * `router.middlewares: hsts@file` — no Traefik CRD is needed for either.
 */
export function traefikDynamicConfig(o: { dashboardRouter: boolean; hsts?: HstsPolicy }): Record<string, unknown> {
  const http: Record<string, unknown> = {};
  // The same router `--api.insecure` would create, declared explicitly on the internal entry point that nothing publishes.
  if (o.dashboardRouter) http.routers = { dashboard: { entryPoints: ['traefik'], rule: 'PathPrefix(`/api`) || PathPrefix(`/dashboard`)', service: 'api@internal' } };
  if (o.hsts) {
    http.middlewares = {
      [TRAEFIK_HSTS_MIDDLEWARE]: {
        headers: { stsSeconds: o.hsts.maxAgeSeconds, stsIncludeSubdomains: o.hsts.includeSubdomains, stsPreload: o.hsts.preload },
      },
    };
  }
  return {
    ...(Object.keys(http).length > 0 ? { http } : {}),
    tls: { options: { default: { minVersion: TRAEFIK_MIN_TLS_VERSION } } },
  };
}

/**
 * What the Kubernetes Ingress provider reads (Traefik's chart, v3): Services,
 * nodes and EndpointSlices to find backends, Secrets for TLS certificates,
 * Ingresses and IngressClasses, and the Ingress status it writes.
 */
export const TRAEFIK_CLUSTER_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'nodes', 'services'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
];

class TraefikRbac extends Construct {
  constructor(scope: Construct, id: string, props: { name: string; namespace: string; labels: Record<string, string>; serviceAccountName: string }) {
    super(scope, id);
    // Cluster-scoped names carry the namespace: two controllers never share a role by accident.
    const roleName = `${props.name}-${props.namespace}`;
    new k8s.KubeClusterRole(this, 'Role', {
      metadata: { name: roleName, labels: props.labels },
      rules: TRAEFIK_CLUSTER_RULES.map(r => ({ ...r })),
    });
    new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata: { name: roleName, labels: props.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: props.serviceAccountName, namespace: props.namespace }],
    });
  }
}
