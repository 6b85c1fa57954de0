import { createHash } from 'crypto';
import { formatCredentials, SecretKeyRef, SETUP_POD_ANNOTATION, SUPERUSER_CREDENTIALS_ANNOTATION } from './credential-annotations';
import { HOST_ACCESS_ANNOTATION, HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION } from './host-access-annotations';
import { sortedEntries } from './order';
import { Construct } from 'constructs';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');
import { ComponentIdentity, recommendedLabels, selectorLabels } from './labels';
import { HealthChecks, ProbesWaived, PROBES_WAIVED_ANNOTATION, renderProbe, intOrString } from './probes';
import { resourceProblems, resourceRequirements } from './resources';
import { MIN_HIGH_ID, restrictedContainerSecurityContext, restrictedPodSecurityContext, RunAsIdentity } from './security';
import { AuditExemption, exemptionAnnotations } from './audit-exemptions';
import { PriorityTier, priorityClassFor } from './priority';
import { ContainerResources, ImageRef, imageName, QosClass, SpreadPolicy, StorageRequest, TolerationSpec } from './types';

/** A path the program writes to. The root filesystem is read-only, so each becomes an emptyDir. */
export interface WritablePath {
  /** Mount path, e.g. `/tmp`. */
  readonly path: string;
  /** `Memory` for tmpfs (e.g. /dev/shm). @default - node disk, counted against ephemeral-storage */
  readonly medium?: 'Memory';
  /** Size limit of the emptyDir. @default 64Mi */
  readonly sizeLimit?: string;
}

/** A port a container listens on. */
export interface ContainerPortSpec {
  /** IANA-style name (at most 15 characters), used by Services and NetworkPolicies. */
  readonly name: string;
  readonly containerPort: number;
  /** @default TCP */
  readonly protocol?: 'TCP' | 'UDP';
  /**
   * Also publish the port on the node's addresses (the CNI portmap plugin
   * DNATs `node:hostPort` to `pod:containerPort`, so the process itself can
   * bind an unprivileged port as non-root). Forbidden by Pod Security
   * baseline: only in namespaces whose level is privileged, with the reason.
   * @default - not published on the node
   */
  readonly hostPort?: number;
}

/** A node directory mounted into a node agent (see `HostAccess`). */
export interface HostPathSpec {
  /** Volume name. */
  readonly name: string;
  /** Directory on the node, e.g. `/proc`. */
  readonly hostPath: string;
  /** Where the containers see it, e.g. `/host/proc`. @default - same as `hostPath` */
  readonly mountPath?: string;
  /** `HostToContainer` to see mounts made on the node after the pod started (e.g. the root filesystem). @default None */
  readonly mountPropagation?: 'HostToContainer';
  /** Mount read-write. Node agents should only read the node (a log shipper's position database is the exception). @default false (read-only) */
  readonly writable?: boolean;
  /** hostPath type check. @default Directory (the kubelet refuses to start the pod if it is missing) */
  readonly type?: 'Directory' | 'DirectoryOrCreate';
}

/**
 * Access to the node a pod runs on, for node agents (metrics exporters, log
 * shippers). Everything here is forbidden by Pod Security baseline: such pods
 * belong in a namespace whose level is privileged, with the reason written
 * next to that namespace (`ProductionNamespace.podSecurityReason`). The
 * containers keep the restricted container settings (non-root unless
 * `runAs` says otherwise, no privilege escalation, drop ALL, read-only root).
 */
export interface HostAccess {
  /** Why the pod needs the node; rendered as the pod annotation `platform.dockercoins.io/host-access-reason`. */
  readonly reason: string;
  /** Use the node's network namespace (listens on node addresses; NetworkPolicies do not apply). @default false */
  readonly network?: boolean;
  /** See the node's processes. @default false */
  readonly pid?: boolean;
  /** Node directories, mounted into every (non-init) container (read-only unless `writable`). @default - none */
  readonly paths?: readonly HostPathSpec[];
  /**
   * Run as uid/gid 0 without capabilities, e.g. to read the kubelet's
   * root-owned 0640 log files (owner permission, no CAP_DAC_OVERRIDE needed).
   * @default false
   */
  readonly runAsRoot?: boolean;
  /**
   * Why uid 0 and not an unprivileged id (the reason of the kube-score
   * user/group id and Polaris runAsRootAllowed exemptions).
   * @default - `reason`
   */
  readonly runAsRootReason?: string;
  /**
   * Why a host path that contains the container runtime socket (e.g. `/`) is
   * mounted, and why the pod cannot use the socket; rendered as
   * `HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION`, which `validate` requires for such mounts.
   * @default - no such mount
   */
  readonly runtimeSocketReason?: string;
}

export { HOST_ACCESS_ANNOTATION, HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION };

/** An environment variable read from a key of an existing Secret (the value never enters the model). */
export function secretEnv(name: string, secretName: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** One container of a hardened workload. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: ImageRef;
  /** @default - image entrypoint */
  readonly command?: readonly string[];
  /** @default - image cmd */
  readonly args?: readonly string[];
  /** @default - no ports */
  readonly ports?: readonly ContainerPortSpec[];
  /** Literal, non-secret environment variables. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Environment variables from Secret keys or the downward API. @default - none */
  readonly envFrom?: readonly k8s.EnvVar[];
  /** ConfigMaps whose keys all become environment variables. @default - none */
  readonly configMapEnv?: readonly string[];
  /** Requests and limits; always explicit. */
  readonly resources: ContainerResources;
  /** Health checks, or the documented reason there are none. */
  readonly probes: HealthChecks | ProbesWaived;
  /** Paths the process writes (emptyDirs). @default - none */
  readonly writablePaths?: readonly WritablePath[];
  /** Additional mounts of volumes declared on the workload. @default - none */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** Command run before the container is stopped. @default - none */
  readonly preStop?: readonly string[];
  /** Overrides the pod's identity for this container. @default - the pod's */
  readonly runAs?: RunAsIdentity;
}

/** What every hardened pod needs. */
export interface PodProps {
  /** Recommended-label identity; name + instance select the pods. */
  readonly identity: ComponentIdentity;
  /** Namespace of every object created. */
  readonly namespace: string;
  /** The containers. */
  readonly containers: readonly ContainerSpec[];
  /** Init containers (hardened the same way). @default - none */
  readonly initContainers?: readonly ContainerSpec[];
  /** The numeric identity of the pod. */
  readonly runAs: RunAsIdentity;
  /** The QoS class the resources must produce; checked at construction. */
  readonly qos: QosClass;
  /** Allow binding ports < 1024 as non-root (sysctl). @default false */
  readonly bindsPrivilegedPorts?: boolean;
  /** Seconds between SIGTERM and SIGKILL; choose what the app needs to shut down. */
  readonly terminationGracePeriodSeconds: number;
  /** Mount a ServiceAccount token (only for pods that call the API server). @default false */
  readonly automountServiceAccountToken?: boolean;
  /** What the pod calls the Kubernetes API for: required with `automountServiceAccountToken` (the reason of Polaris' automountServiceAccountToken exemption). */
  readonly apiAccessReason?: string;
  /**
   * The platform tier: the pod's PriorityClass is the tier's (`priorityClassFor`).
   * Node agents (`hostAccess`) are tier `node-agent`.
   */
  readonly tier: PriorityTier;
  /**
   * Auditor exemptions of this workload beyond those derived from its spec
   * (host access, waived probes, API access, low ids), each with its reason.
   * @default - none
   */
  readonly auditExemptions?: readonly AuditExemption[];
  /** Use an existing ServiceAccount instead of creating one. @default - one ServiceAccount per workload */
  readonly serviceAccountName?: string;
  /** Additional pod volumes. @default - none */
  readonly volumes?: readonly k8s.Volume[];
  /** Additional pod-template labels, never part of the selector (e.g. a client label another policy admits). @default - none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Additional pod-template annotations (e.g. config checksums). @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Tolerations. @default - none */
  readonly tolerations?: readonly TolerationSpec[];
  /** Spread replicas across nodes. @default none */
  readonly spread?: SpreadPolicy;
  /** Node selector. @default - none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** PriorityClass overriding the tier's, e.g. `system-cluster-critical` for cluster add-ons in kube-system. @default - `priorityClassFor(tier)` */
  readonly priorityClassName?: string;
  /** Node access for node agents; see `HostAccess`. @default - none (the pod is isolated from the node) */
  readonly hostAccess?: HostAccess;
  /**
   * Superuser credentials this server owns (it creates the superuser from
   * them at first start): declared on the pod template so that `validate`
   * refuses them in any other pod but setup Jobs (constructs/lib/credential-annotations.ts).
   * @default - none
   */
  readonly superuserCredentials?: readonly SecretKeyRef[];
}

/** Whether pods of this spec occupy node ports (hostNetwork or hostPort): two cannot run on one node. */
export function bindsNodePorts(props: Pick<PodProps, 'containers' | 'hostAccess'>): boolean {
  return (props.hostAccess?.network ?? false) || props.containers.some(c => (c.ports ?? []).some(p => p.hostPort !== undefined));
}

/**
 * Builds a ServiceAccount (no token automount) and a pod template with the
 * project's production settings: restricted security contexts, explicit
 * resources, probes, read-only root filesystem with emptyDirs, recommended
 * labels, stable selector labels and spreading.
 */
export class HardenedPod extends Construct {
  public readonly template: k8s.PodTemplateSpec;
  public readonly selector: Record<string, string>;
  public readonly labels: Record<string, string>;
  public readonly serviceAccountName: string;
  /** Auditor exemptions derived from the pod's spec (and given in `auditExemptions`); the controller renders them. */
  public readonly exemptions: AuditExemption[];

  constructor(scope: Construct, id: string, props: PodProps) {
    super(scope, id);
    const name = props.identity.name;
    this.labels = recommendedLabels(this, props.identity);
    this.selector = selectorLabels(props.identity);

    for (const c of [...props.containers, ...(props.initContainers ?? [])]) {
      const problems = resourceProblems(c.resources, props.qos);
      if (problems.length > 0) {
        throw new Error(`${props.namespace}/${name} container "${c.name}": ${problems.join('; ')}`);
      }
    }

    this.serviceAccountName = props.serviceAccountName ?? name;
    if (!props.serviceAccountName) {
      new k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { name, namespace: props.namespace, labels: this.labels },
        automountServiceAccountToken: props.automountServiceAccountToken ?? false,
      });
    }

    const host = props.hostAccess;
    if (host && !host.reason.trim()) throw new Error(`${props.namespace}/${name}: hostAccess needs a reason`);
    if (host?.network && props.bindsPrivilegedPorts) {
      throw new Error(`${props.namespace}/${name}: bindsPrivilegedPorts (a pod sysctl) cannot be combined with hostAccess.network`);
    }

    const waivers = props.containers.filter((c): c is ContainerSpec & { probes: ProbesWaived } => 'waivedBecause' in c.probes);
    const annotations: Record<string, string> = { ...(props.podAnnotations ?? {}) };
    if (waivers.length > 0) {
      annotations[PROBES_WAIVED_ANNOTATION] = waivers.map(c => `${c.name}: ${c.probes.waivedBecause}`).join('; ');
    }
    if (host) {
      if (!host.reason.trim()) throw new Error(`${props.namespace}/${name}: hostAccess needs a reason`);
      annotations[HOST_ACCESS_ANNOTATION] = host.reason;
      if (host.runtimeSocketReason !== undefined) {
        if (!host.runtimeSocketReason.trim()) throw new Error(`${props.namespace}/${name}: hostAccess.runtimeSocketReason is empty`);
        annotations[HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION] = host.runtimeSocketReason;
      }
    }
    if (props.superuserCredentials?.length) annotations[SUPERUSER_CREDENTIALS_ANNOTATION] = formatCredentials(props.superuserCredentials);
    const pullPolicy = (this.node.tryGetContext(IMAGE_PULL_POLICY_CONTEXT) as string | undefined) ?? 'IfNotPresent';
    const root = host?.runAsRoot ?? false;
    if (host && props.tier !== 'node-agent') throw new Error(`${props.namespace}/${name}: a pod with hostAccess is a node agent (tier node-agent), not ${props.tier}`);
    this.exemptions = podExemptions(props, waivers, root);
    if (pullPolicy !== 'Always') {
      // The environment's typed choice (src/config/schema.ts imagePullPolicy): dev runs images loaded into the node.
      const reason = `the environment pulls ${pullPolicy}: its images are loaded into the nodes (kind load, minikube image load), which have no registry to re-check`;
      this.exemptions.push({ tool: 'kube-score', check: 'container-image-pull-policy', reason }, { tool: 'polaris', check: 'pullPolicyNotAlways', reason });
    }
    const hostMounts: k8s.VolumeMount[] = (host?.paths ?? []).map(p => ({
      name: p.name, mountPath: p.mountPath ?? p.hostPath, readOnly: !p.writable, mountPropagation: p.mountPropagation,
    }));

    const allContainers = [...props.containers, ...(props.initContainers ?? [])];
    const emptyDirs = new Map<string, WritablePath>();
    for (const c of allContainers) {
      for (const w of c.writablePaths ?? []) emptyDirs.set(volumeNameForPath(w.path), w);
    }

    this.template = {
      metadata: { labels: props.podLabels ? { ...this.labels, ...props.podLabels } : this.labels, annotations: Object.keys(annotations).length ? annotations : undefined },
      spec: {
        serviceAccountName: this.serviceAccountName,
        automountServiceAccountToken: props.automountServiceAccountToken ?? false,
        enableServiceLinks: false, // peers are found by DNS; service env vars only leak topology
        terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
        securityContext: restrictedPodSecurityContext({ runAs: props.runAs, bindsPrivilegedPorts: props.bindsPrivilegedPorts, root }),
        hostNetwork: host?.network || undefined,
        hostPid: host?.pid || undefined,
        // With the node's network, cluster DNS must be asked for explicitly.
        dnsPolicy: host?.network ? 'ClusterFirstWithHostNet' : undefined,
        priorityClassName: props.priorityClassName ?? priorityClassFor(props.tier),
        initContainers: props.initContainers?.map(c => renderContainer(c, props.runAs, pullPolicy, root)),
        containers: props.containers.map(c => renderContainer(c, props.runAs, pullPolicy, root, hostMounts)),
        volumes: [
          ...[...emptyDirs.entries()].map(([volume, w]) => ({
            name: volume,
            emptyDir: { medium: w.medium, sizeLimit: k8s.Quantity.fromString(w.sizeLimit ?? '64Mi') },
          })),
          ...(props.volumes ?? []),
          ...(host?.paths ?? []).map(p => ({ name: p.name, hostPath: { path: p.hostPath, type: p.type ?? 'Directory' } })),
        ],
        tolerations: props.tolerations?.map(t => ({ ...t })),
        nodeSelector: props.nodeSelector ? { ...props.nodeSelector } : undefined,
        topologySpreadConstraints: spreadConstraints(props.spread ?? 'none', this.selector),
      },
    };
  }
}

/**
 * The exemptions a pod's own spec justifies, with the reason the spec already
 * states: host access (its `reason`), waived probes (the waiver), API access,
 * an identity the image needs below 10000, and uid 0 for node agents.
 */
function podExemptions(props: PodProps, waivers: ReadonlyArray<ContainerSpec & { probes: ProbesWaived }>, root: boolean): AuditExemption[] {
  const where = `${props.namespace}/${props.identity.name}`;
  const out: AuditExemption[] = [...(props.auditExemptions ?? [])];
  const host = props.hostAccess;
  if (host?.network) {
    out.push({ tool: 'polaris', check: 'hostNetworkSet', reason: host.reason });
    out.push({ tool: 'polaris', check: 'missingNetworkPolicy', reason: 'on the node network NetworkPolicies do not apply to the pod; the node firewall guards its port' });
  }
  if (host?.pid) out.push({ tool: 'polaris', check: 'hostPIDSet', reason: host.reason });
  if ((host?.paths ?? []).length > 0) out.push({ tool: 'polaris', check: 'hostPathSet', reason: host!.reason });
  if (root) {
    const why = host!.runAsRootReason ?? host!.reason;
    out.push({ tool: 'polaris', check: 'runAsRootAllowed', reason: why });
    out.push({ tool: 'kube-score', check: 'container-security-context-user-group-id', reason: why });
  }
  for (const w of waivers) {
    out.push({ tool: 'polaris', check: 'livenessProbeMissing', reason: `${w.name}: ${w.probes.waivedBecause}` });
    out.push({ tool: 'polaris', check: 'readinessProbeMissing', reason: `${w.name}: ${w.probes.waivedBecause}` });
  }
  if (props.automountServiceAccountToken) {
    if (!props.apiAccessReason?.trim()) throw new Error(`${where}: automountServiceAccountToken needs an apiAccessReason`);
    out.push({ tool: 'polaris', check: 'automountServiceAccountToken', reason: props.apiAccessReason });
  }
  if (!root) {
    for (const c of [...props.containers, ...(props.initContainers ?? [])]) {
      const id = c.runAs ?? props.runAs;
      if (id.user >= MIN_HIGH_ID && id.group >= MIN_HIGH_ID) continue;
      if (!id.lowIdReason?.trim()) {
        throw new Error(`${where} container "${c.name}": uid ${id.user} / gid ${id.group} is below ${MIN_HIGH_ID}; run as a higher id or give runAs.lowIdReason`);
      }
      out.push({ tool: 'kube-score', check: 'container-security-context-user-group-id', reason: `${c.name}: ${id.lowIdReason}` });
    }
  }
  return out;
}

/** Whether a workload runs more than one pod at a time (the replicas, or the autoscaler's maximum). */
function isReplicated(replicas: number | undefined, autoscaling?: { maxReplicas: number }): boolean {
  return autoscaling ? autoscaling.maxReplicas > 1 : (replicas ?? 1) > 1;
}

/** App context key: how replicated workloads spread over nodes unless they say otherwise (set by the stack builder, src/render.ts). */
export const SPREAD_CONTEXT = 'platform/spread';

/** The spread of a workload: its own, else the environment's for replicated workloads, else none. */
function effectiveSpread(scope: Construct, own: SpreadPolicy | undefined, replicated: boolean): SpreadPolicy {
  if (own !== undefined) return own;
  return replicated ? ((scope.node.tryGetContext(SPREAD_CONTEXT) as SpreadPolicy | undefined) ?? 'none') : 'none';
}

/** The emptyDir volume name used for a writable path (`/var/run/postgresql` -> `var-run-postgresql`). */
export function volumeNameForPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'root';
}

/** App context key: the environment's imagePullPolicy (set once by the stack builder, src/render.ts). */
export const IMAGE_PULL_POLICY_CONTEXT = 'platform/image-pull-policy';

function renderContainer(c: ContainerSpec, podRunAs: RunAsIdentity, pullPolicy: string, root = false, hostMounts: readonly k8s.VolumeMount[] = []): k8s.Container {
  const probes = 'waivedBecause' in c.probes ? undefined : c.probes;
  const env: k8s.EnvVar[] = [
    ...sortedEntries(c.env ?? {}).map(([name, value]) => ({ name, value })),
    ...(c.envFrom ?? []),
  ];
  return {
    name: c.name,
    image: imageName(c.image),
    // Always explicit (never derived from the tag); which one is the environment's choice.
    imagePullPolicy: pullPolicy,
    command: c.command ? [...c.command] : undefined,
    args: c.args ? [...c.args] : undefined,
    ports: c.ports?.map(p => ({ name: p.name, containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol ?? 'TCP' })),
    env: env.length ? env : undefined,
    envFrom: c.configMapEnv?.map(name => ({ configMapRef: { name } })),
    resources: resourceRequirements(c.resources),
    readinessProbe: probes ? renderProbe(probes.readiness) : undefined,
    livenessProbe: probes ? renderProbe(probes.liveness) : undefined,
    startupProbe: probes?.startup ? renderProbe(probes.startup) : undefined,
    securityContext: restrictedContainerSecurityContext(c.runAs ?? podRunAs, { root }),
    volumeMounts: [
      ...(c.writablePaths ?? []).map(w => ({ name: volumeNameForPath(w.path), mountPath: w.path })),
      ...(c.volumeMounts ?? []),
      ...hostMounts,
    ],
    lifecycle: c.preStop ? { preStop: { exec: { command: [...c.preStop] } } } : undefined,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

function spreadConstraints(policy: SpreadPolicy, selector: Record<string, string>): k8s.TopologySpreadConstraint[] | undefined {
  if (policy === 'none') return undefined;
  return [{
    maxSkew: 1,
    topologyKey: 'kubernetes.io/hostname',
    whenUnsatisfiable: policy === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
  }];
}

/** Rolling-update tuning shared by Deployments and DaemonSets. */
export interface RolloutProps {
  /** Seconds a new pod must be ready before it counts as available. @default 5 */
  readonly minReadySeconds?: number;
  /** @default 1 */
  readonly maxSurge?: number;
  /** @default 0 (never drop below the desired count during a rollout) */
  readonly maxUnavailable?: number;
}

/** Disruption budget for voluntary evictions (node drains). */
export interface DisruptionBudgetProps {
  /** @default - no PodDisruptionBudget */
  readonly maxUnavailable?: number;
  readonly minAvailable?: number;
}

export interface HardenedDeploymentProps extends PodProps, RolloutProps {
  /** Desired replicas; omit when an autoscaler owns the count. */
  readonly replicas?: number;
  /** `Recreate` for single-writer volumes. @default RollingUpdate */
  readonly strategy?: 'RollingUpdate' | 'Recreate';
  /** @default - maxUnavailable 1 when replicated (replicas > 1, or an autoscaler maximum > 1), else none */
  readonly disruptionBudget?: DisruptionBudgetProps;
  /** @default - no HorizontalPodAutoscaler */
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCpuUtilization: number };
}

/** A Deployment with production defaults (see `HardenedPod`), optionally with a PDB and a CPU HPA. */
export class HardenedDeployment extends Construct {
  public readonly pod: HardenedPod;
  public readonly object: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: HardenedDeploymentProps) {
    super(scope, id);
    this.pod = new HardenedPod(this, 'Pod', { ...props, spread: effectiveSpread(this, props.spread, isReplicated(props.replicas, props.autoscaling)) });
    const name = props.identity.name;
    const recreate = props.strategy === 'Recreate';
    const exemptions = [...this.pod.exemptions];
    if (props.autoscaling) {
      exemptions.push({
        tool: 'polaris', check: 'deploymentMissingReplicas',
        reason: `the HorizontalPodAutoscaler owns the replica count (${props.autoscaling.minReplicas} to ${props.autoscaling.maxReplicas}); a static spec.replicas would reset it on every apply (kube-score deployment-targeted-by-hpa-does-not-have-replicas-configured)`,
      });
    }
    this.object = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name, namespace: props.namespace, labels: this.pod.labels, annotations: annotationsOrNone(exemptions) },
      spec: {
        // An HPA owns the replica count: leaving it out keeps applies from resetting it.
        replicas: props.autoscaling ? undefined : props.replicas,
        revisionHistoryLimit: 5,
        minReadySeconds: props.minReadySeconds ?? 5,
        selector: { matchLabels: this.pod.selector },
        strategy: recreate
          ? { type: 'Recreate' }
          : {
            type: 'RollingUpdate',
            rollingUpdate: {
              maxSurge: k8s.IntOrString.fromNumber(props.maxSurge ?? 1),
              maxUnavailable: k8s.IntOrString.fromNumber(props.maxUnavailable ?? 0),
            },
          },
        template: this.pod.template,
      },
    });
    // Every replicated Deployment has a budget: a drain takes one pod at a time.
    const budget = props.disruptionBudget ?? (isReplicated(props.replicas, props.autoscaling) ? { maxUnavailable: 1 } : undefined);
    if (budget) new Pdb(this, 'Budget', props, this.pod, budget);
    if (props.autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name, namespace: props.namespace, labels: this.pod.labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: props.autoscaling.minReplicas,
          maxReplicas: props.autoscaling.maxReplicas,
          metrics: [{
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: props.autoscaling.targetCpuUtilization } },
          }],
        },
      });
    }
  }
}

export interface HardenedDaemonSetProps extends PodProps, RolloutProps {}

/** A DaemonSet (one pod per eligible node) with production defaults. */
export class HardenedDaemonSet extends Construct {
  public readonly pod: HardenedPod;
  public readonly object: k8s.KubeDaemonSet;

  constructor(scope: Construct, id: string, props: HardenedDaemonSetProps) {
    super(scope, id);
    // A pod holding node ports cannot start next to its predecessor on the same
    // node: surging would leave the new pod Pending forever. Replace in place.
    const nodePorts = bindsNodePorts(props);
    if (nodePorts && (props.maxSurge ?? 0) > 0) {
      throw new Error(`${props.namespace}/${props.identity.name}: maxSurge must be 0 for pods that bind node ports (hostPort or hostNetwork)`);
    }
    this.pod = new HardenedPod(this, 'Pod', props);
    const exemptions = [...this.pod.exemptions, {
      tool: 'polaris' as const, check: 'topologySpreadConstraint',
      reason: 'a DaemonSet runs one pod per eligible node: the controller itself spreads it',
    }];
    this.object = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: props.identity.name, namespace: props.namespace, labels: this.pod.labels, annotations: annotationsOrNone(exemptions) },
      spec: {
        revisionHistoryLimit: 5,
        minReadySeconds: props.minReadySeconds ?? 5,
        selector: { matchLabels: this.pod.selector },
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            // Surge starts the new pod before stopping the old one, unless the
            // pods bind node ports (then one node at a time goes without).
            maxSurge: k8s.IntOrString.fromNumber(props.maxSurge ?? (nodePorts ? 0 : 1)),
            maxUnavailable: k8s.IntOrString.fromNumber(props.maxUnavailable ?? (nodePorts ? 1 : 0)),
          },
        },
        template: this.pod.template,
      },
    });
  }
}

/** A persistent volume claim template of a StatefulSet. */
export interface VolumeClaimSpec extends StorageRequest {
  /** Claim (and volume) name, mounted by containers through `volumeMounts`. */
  readonly name: string;
  /** @default ['ReadWriteOnce'] */
  readonly accessModes?: readonly string[];
}

/** The spec of a claim, whether a StatefulSet template or a standalone PersistentVolumeClaim. */
export function claimSpec(claim: Omit<VolumeClaimSpec, 'name'>): k8s.PersistentVolumeClaimSpec {
  return {
    accessModes: [...(claim.accessModes ?? ['ReadWriteOnce'])],
    storageClassName: claim.storageClassName,
    resources: { requests: { storage: k8s.Quantity.fromString(claim.size) } },
  };
}

export interface PersistentClaimProps extends VolumeClaimSpec {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** A standalone PersistentVolumeClaim (a Deployment's data: Prometheus, the registry, Redis). */
export class PersistentClaim extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: PersistentClaimProps) {
    super(scope, id);
    this.name = props.name;
    new k8s.KubePersistentVolumeClaim(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: claimSpec(props),
    });
  }
}

export interface HardenedStatefulSetProps extends PodProps {
  readonly replicas: number;
  /** Headless Service governing the pods' DNS names. */
  readonly serviceName: string;
  /** @default - no claims */
  readonly volumeClaims?: readonly VolumeClaimSpec[];
  /** @default OrderedReady */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
  /** @default 10 */
  readonly minReadySeconds?: number;
  /** @default - maxUnavailable 1 when replicas > 1, else none */
  readonly disruptionBudget?: DisruptionBudgetProps;
  /** Required or preferred anti-affinity on the hostname. @default none */
  readonly antiAffinity?: SpreadPolicy;
}

/**
 * A StatefulSet with production defaults. Uses the typed L1 API because
 * cdk8s-plus-27 has no volumeClaimTemplates, and its escape hatch drops
 * mistyped values silently.
 */
export class HardenedStatefulSet extends Construct {
  public readonly pod: HardenedPod;
  public readonly object: k8s.KubeStatefulSet;

  constructor(scope: Construct, id: string, props: HardenedStatefulSetProps) {
    super(scope, id);
    this.pod = new HardenedPod(this, 'Pod', { ...props, spread: effectiveSpread(this, props.spread, isReplicated(props.replicas)) });
    const template: k8s.PodTemplateSpec = {
      ...this.pod.template,
      spec: { ...this.pod.template.spec!, affinity: antiAffinity(props.antiAffinity ?? 'none', this.pod.selector) },
    };
    this.object = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: props.identity.name, namespace: props.namespace, labels: this.pod.labels, annotations: annotationsOrNone(this.pod.exemptions) },
      spec: {
        replicas: props.replicas,
        serviceName: props.serviceName,
        podManagementPolicy: props.podManagementPolicy ?? 'OrderedReady',
        revisionHistoryLimit: 5,
        minReadySeconds: props.minReadySeconds ?? 10,
        selector: { matchLabels: this.pod.selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template,
        volumeClaimTemplates: props.volumeClaims?.map(claim => ({
          metadata: { name: claim.name, labels: this.pod.selector },
          spec: claimSpec(claim),
        })),
      },
    });
    const budget = props.disruptionBudget ?? (isReplicated(props.replicas) ? { maxUnavailable: 1 } : undefined);
    if (budget) new Pdb(this, 'Budget', props, this.pod, budget);
  }
}

function annotationsOrNone(exemptions: readonly AuditExemption[]): Record<string, string> | undefined {
  return exemptions.length ? exemptionAnnotations(exemptions) : undefined;
}

function antiAffinity(policy: SpreadPolicy, selector: Record<string, string>): k8s.Affinity | undefined {
  const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } };
  if (policy === 'required') return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
  if (policy === 'preferred') {
    return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
  }
  return undefined;
}

class Pdb extends Construct {
  constructor(scope: Construct, id: string, props: PodProps, pod: HardenedPod, budget: DisruptionBudgetProps) {
    super(scope, id);
    new k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.identity.name, namespace: props.namespace, labels: pod.labels },
      spec: {
        selector: { matchLabels: pod.selector },
        maxUnavailable: budget.maxUnavailable !== undefined ? intOrString(budget.maxUnavailable) : undefined,
        minAvailable: budget.minAvailable !== undefined ? intOrString(budget.minAvailable) : undefined,
      },
    });
  }
}

export interface HardenedJobProps extends PodProps {
  /**
   * Why this Job is a setup pod (it holds a superuser credential to create the
   * narrower identities the other pods use). Rendered as `SETUP_POD_ANNOTATION`.
   */
  readonly setupReason: string;
  /** Retries of a failed pod (exponential back-off). @default 10 */
  readonly backoffLimit?: number;
  /** Wall-clock limit of the whole Job, so a stuck setup fails visibly. @default 1800 */
  readonly activeDeadlineSeconds?: number;
}

/**
 * A run-to-completion setup Job with the production pod defaults. A Job's pod
 * template is immutable, so the object name carries a hash of the template
 * (`<name>-<8 hex>`): a changed script or image is a new Job that runs again,
 * an unchanged one is left alone by `kubectl apply` and Pulumi. The scripts
 * it runs must be idempotent (they run again whenever the template changes).
 */
export class HardenedJob extends Construct {
  public readonly pod: HardenedPod;
  public readonly object: k8s.KubeJob;
  /** The Job's name (with the template hash). */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: HardenedJobProps) {
    super(scope, id);
    if (!props.setupReason.trim()) throw new Error(`${props.namespace}/${props.identity.name}: a setup Job needs a reason`);
    this.pod = new HardenedPod(this, 'Pod', {
      ...props,
      podAnnotations: { ...(props.podAnnotations ?? {}), [SETUP_POD_ANNOTATION]: props.setupReason },
    });
    const template: k8s.PodTemplateSpec = { ...this.pod.template, spec: { ...this.pod.template.spec!, restartPolicy: 'OnFailure' } };
    // What the pod runs (spec and annotations), not its labels: the engines differ only in the
    // managed-by label, and both must name the Job alike.
    const hash = createHash('sha256').update(JSON.stringify({ spec: template.spec, annotations: template.metadata?.annotations })).digest('hex').slice(0, 8);
    this.name = `${props.identity.name}-${hash}`;
    this.object = new k8s.KubeJob(this, 'Resource', {
      metadata: { name: this.name, namespace: props.namespace, labels: this.pod.labels, annotations: annotationsOrNone(this.pod.exemptions) },
      spec: {
        backoffLimit: props.backoffLimit ?? 10,
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 1800,
        template,
      },
    });
  }
}

export interface HardenedCronJobProps extends PodProps {
  /** Cron schedule (five fields), evaluated in `timeZone`. */
  readonly schedule: string;
  /** @default Etc/UTC (the controller's local time zone otherwise, which differs between clusters) */
  readonly timeZone?: string;
  /**
   * Seconds after its scheduled time a missed run may still start; later, it
   * counts as missed (kube-score cronjob-has-deadline). @default 3600
   */
  readonly startingDeadlineSeconds?: number;
  /** Wall-clock limit of one run, so a stuck run fails visibly. @default 3600 */
  readonly activeDeadlineSeconds?: number;
  /** Pods retried after a failure (each a new pod: restartPolicy Never keeps the failed pod's log). @default 1 */
  readonly backoffLimit?: number;
  /** Finished Jobs kept, per outcome. @default 3 */
  readonly historyLimit?: number;
}

/**
 * A scheduled Job with the production pod defaults: one run at a time
 * (`concurrencyPolicy: Forbid`), a starting deadline, a run deadline, failed
 * pods kept for their logs (`restartPolicy: Never`), and Job history for
 * kube-state-metrics (`kube_job_status_failed`, `kube_cronjob_status_last_successful_time`).
 * Unlike a setup Job its name is stable: a CronJob's template may change in place.
 */
export class HardenedCronJob extends Construct {
  public readonly pod: HardenedPod;
  public readonly object: k8s.KubeCronJob;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: HardenedCronJobProps) {
    super(scope, id);
    // Job names are `<cronjob>-<scheduled minute>` and must stay within 63 characters.
    if (props.identity.name.length > 52) throw new Error(`${props.namespace}/${props.identity.name}: a CronJob name has at most 52 characters`);
    this.pod = new HardenedPod(this, 'Pod', props);
    this.name = props.identity.name;
    const template: k8s.PodTemplateSpec = { ...this.pod.template, spec: { ...this.pod.template.spec!, restartPolicy: 'Never' } };
    const history = props.historyLimit ?? 3;
    this.object = new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name: this.name, namespace: props.namespace, labels: this.pod.labels, annotations: annotationsOrNone(this.pod.exemptions) },
      spec: {
        schedule: props.schedule,
        timeZone: props.timeZone ?? 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: props.startingDeadlineSeconds ?? 3600,
        successfulJobsHistoryLimit: history,
        failedJobsHistoryLimit: history,
        jobTemplate: {
          metadata: { labels: this.pod.labels },
          spec: {
            backoffLimit: props.backoffLimit ?? 1,
            activeDeadlineSeconds: props.activeDeadlineSeconds ?? 3600,
            template,
          },
        },
      },
    });
  }
}
