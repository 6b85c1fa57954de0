import { UNAUTHENTICATED_REASON_ANNOTATION } from '../lib/credential-annotations';
import { ControlledIngressRoute, HostIngress } from '../lib/ingress';
import { Construct } from 'constructs';
import { ComponentIdentity, recommendedLabels, selectorLabels } from '../lib/labels';
import { NetworkRule, PeerSpec, WorkloadNetworkPolicy } from '../lib/network';
import { HealthChecks, ProbeTimings } from '../lib/probes';
import { ClusterService } from '../lib/service';
import { SETTINGS_CHECKSUM_ANNOTATION, SettingsConfigMap } from '../lib/settings';
import { ContainerResources, ImageRef, SpreadPolicy, StorageRequest, TolerationSpec } from '../lib/types';
import { HardenedDaemonSet, HardenedDeployment, HardenedPod, PersistentClaim } from '../lib/workload';
import { RunAsIdentity } from '../lib/security';

/** Image and resources of one DockerCoins service. */
export interface ServiceSizing {
  readonly image: ImageRef;
  readonly resources: ContainerResources;
}

export interface DockerCoinsProps {
  /** Instance name (`app.kubernetes.io/instance`); distinguishes side-by-side stacks. */
  readonly instance: string;
  /** Namespace of every object. It must exist (see `ProductionNamespace`). */
  readonly namespace: string;
  /** Non-secret settings read by the apps (e.g. DEBUG), as environment variables. */
  readonly settings: Readonly<Record<string, string>>;
  /** How the web UI is published; only the ingress controller's namespace may reach webui. */
  readonly ingress: ControlledIngressRoute;
  /** Replica-safety settings. */
  readonly availability: {
    /** Create PodDisruptionBudgets (maxUnavailable 1) for the replicated Deployments. */
    readonly disruptionBudgets: boolean;
    /** Spread replicas across nodes. */
    readonly spread: SpreadPolicy;
  };
  /** rng runs on every node (DaemonSet). */
  readonly rng: ServiceSizing & {
    /** Tolerations, e.g. to run on tainted nodes. @default - none */
    readonly tolerations?: readonly TolerationSpec[];
  };
  /** hasher is autoscaled on CPU. */
  readonly hasher: ServiceSizing & {
    readonly autoscaling: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCpuUtilization: number };
  };
  readonly worker: ServiceSizing & { readonly replicas: number };
  readonly webui: ServiceSizing & {
    readonly replicas: number;
    /** Also publish webui on this node port (laptop clusters). @default - ClusterIP only */
    readonly nodePort?: number;
    /**
     * Where node-port connections come from: kube-proxy rewrites their source
     * to a node address, so these are the node CIDRs. Required with `nodePort`.
     * @default - none
     */
    readonly nodePortSources?: readonly string[];
  };
  readonly redis: ServiceSizing & {
    /** Keep data on a PersistentVolumeClaim. @default - emptyDir (lost with the pod) */
    readonly persistence?: StorageRequest;
    /** Pods besides worker and webui that may connect to Redis (e.g. a metrics exporter). @default - none */
    readonly clients?: readonly PeerSpec[];
  };
}

/** All DockerCoins images run as root; we run them as an arbitrary unprivileged user instead. */
const APP_USER: RunAsIdentity = { user: 10001, group: 10001 };
/**
 * Not the image's redis user (999:1000): its entrypoint only chowns and drops
 * privileges when started as root, so any uid that can write /data works
 * (docker-library/redis docker-entrypoint.sh, docs/images.md); fsGroup makes
 * the claim or emptyDir writable. kube-score wants uid/gid >= 10000.
 */
const REDIS_USER: RunAsIdentity = { user: 10999, group: 10999, fsGroup: 10999 };
/** Every DockerCoins web service listens on 80 (the images hard-code it); Services use the same port. */
export const DOCKERCOINS_HTTP_PORT = 80;
/** Selector of one DockerCoins service's pods in an instance (the name is also the Service name the images call). */
export const dockercoinsPods = (service: 'rng' | 'hasher' | 'worker' | 'webui' | 'redis', instance: string) => selectorLabels({ name: service, instance });
const HTTP_PORT = DOCKERCOINS_HTTP_PORT;
/** Redis listens on 6379 (its Service `redis` too: the images connect to `redis:6379`). */
export const DOCKERCOINS_REDIS_PORT = 6379;
const REDIS_PORT = DOCKERCOINS_REDIS_PORT;
/**
 * How the DockerCoins Redis authenticates its clients: it does not, and
 * cannot. The images connect to `redis` without credentials, and their code
 * reads none from the environment (jpetazzo/container.training, dockercoins/,
 * commit 5656362): worker.py opens `Redis("redis")`, webui.js
 * `createClient({ url: "redis://redis" })`; rng and hasher never talk to
 * Redis. With `requirepass` (or an ACL default user that needs a password)
 * Redis answers their commands with NOAUTH, so DockerCoins stops. The guard
 * is the network: Redis' NetworkPolicy admits worker, webui and the clients
 * listed in `redis.clients` (redis-exporter), in its own namespace only.
 */
export const REDIS_AUTHENTICATION = {
  mode: 'network-policy-only',
  reason: 'the DockerCoins images connect to redis:6379 without credentials (worker.py Redis("redis"), webui.js createClient redis://redis) and read none from the environment; a password would lock them out, so only the redis NetworkPolicy (worker, webui, listed exporters) admits clients',
} as const;

/** Name of the Redis claim (with `redis.persistence`). */
export const DOCKERCOINS_REDIS_CLAIM = 'redis-data';
/**
 * What the worker writes to Redis (dockercoins/worker/worker.py): it adds the
 * hashes it computed to the string key `hashes` (INCRBY), and each coin it
 * finds is a field of the hash `wallet` (HSET). Both in database 0.
 */
export const DOCKERCOINS_REDIS_KEYS = { hashes: 'hashes', wallet: 'wallet', db: 0 } as const;

/** Readiness: quick to take a pod out of rotation. */
const READINESS: ProbeTimings = { initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 };
/** Liveness: lenient; a restart is worse than a slow answer. */
const LIVENESS: ProbeTimings = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
/**
 * rng is single-threaded Flask and `GET /<n>` sleeps 0.1 s: under load a probe
 * waits behind real requests. A 1 s liveness timeout causes restart cascades, so
 * liveness allows 5 s and 6 failures (a minute) while readiness reacts fast.
 */
const RNG_READINESS: ProbeTimings = { initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 2 };
const RNG_LIVENESS: ProbeTimings = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 };

/**
 * Readiness asks the app (an HTTP answer on `path`); liveness only asks whether
 * the port accepts connections, which the kernel does even while the
 * single-threaded servers (Flask, thin) are busy hashing: a slow answer takes
 * the pod out of the Service, it never restarts it (kube-score
 * pod-probes-identical: the same probe for both restarts pods that are merely busy).
 */
function httpChecks(path: string, readiness: ProbeTimings, liveness: ProbeTimings): HealthChecks {
  return {
    readiness: { check: { http: { path, port: 'http' } }, timings: readiness },
    liveness: { check: { tcp: { port: 'http' } }, timings: liveness },
  };
}

/**
 * The DockerCoins application: rng (DaemonSet), hasher (autoscaled), worker,
 * redis and webui, with Services named exactly as the images expect (`rng`,
 * `hasher`, `redis`), an Ingress for webui and least-privilege network policies.
 */
export class DockerCoins extends Construct {
  constructor(scope: Construct, id: string, props: DockerCoinsProps) {
    super(scope, id);
    const ns = props.namespace;
    const identity = (name: string, component: string, image: ImageRef): ComponentIdentity =>
      ({ name, instance: props.instance, component, partOf: 'dockercoins', version: image.tag });

    const settings = new SettingsConfigMap(this, 'Settings', {
      name: 'dockercoins-settings',
      namespace: ns,
      labels: recommendedLabels(this, identity('dockercoins', 'settings', props.webui.image)),
      data: props.settings,
    });
    const podAnnotations = { [SETTINGS_CHECKSUM_ANNOTATION]: settings.checksum };
    const httpPort = [{ name: 'http', containerPort: HTTP_PORT }];
    const common = {
      namespace: ns,
      tier: 'app' as const,
      runAs: APP_USER,
      qos: 'Burstable' as const,
      podAnnotations,
    };
    const appContainer = (name: string, sizing: ServiceSizing) => ({
      name,
      image: sizing.image,
      resources: sizing.resources,
      configMapEnv: [settings.name],
    });
    const deploymentAvailability = {
      spread: props.availability.spread,
      disruptionBudget: props.availability.disruptionBudgets ? { maxUnavailable: 1 } : undefined,
    };

    // rng: one per node, as in the course, so that entropy scales with the cluster.
    const rng = new HardenedDaemonSet(this, 'Rng', {
      ...common,
      identity: identity('rng', 'backend', props.rng.image),
      bindsPrivilegedPorts: true,
      terminationGracePeriodSeconds: 10,
      tolerations: props.rng.tolerations,
      containers: [{
        ...appContainer('rng', props.rng),
        ports: httpPort,
        env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
        probes: httpChecks('/', RNG_READINESS, RNG_LIVENESS),
        writablePaths: [{ path: '/tmp' }],
      }],
    });

    const hasher = new HardenedDeployment(this, 'Hasher', {
      ...common,
      ...deploymentAvailability,
      identity: identity('hasher', 'backend', props.hasher.image),
      bindsPrivilegedPorts: true,
      terminationGracePeriodSeconds: 10,
      autoscaling: props.hasher.autoscaling,
      containers: [{
        ...appContainer('hasher', props.hasher),
        ports: httpPort,
        env: { HOME: '/tmp' }, // ruby wants a writable HOME
        probes: httpChecks('/', READINESS, LIVENESS),
        writablePaths: [{ path: '/tmp' }],
      }],
    });

    const worker = new HardenedDeployment(this, 'Worker', {
      ...common,
      ...deploymentAvailability,
      identity: identity('worker', 'worker', props.worker.image),
      replicas: props.worker.replicas,
      // worker ignores SIGTERM: waiting longer only delays rollouts. Its state is
      // in redis, so killing it mid-loop loses at most one hash.
      terminationGracePeriodSeconds: 5,
      containers: [{
        ...appContainer('worker', props.worker),
        env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
        probes: {
          waivedBecause: 'worker serves no port and has no health endpoint; it retries failed calls itself, and a crash already restarts the container',
        },
        writablePaths: [{ path: '/tmp' }],
      }],
    });

    const redisData = props.redis.persistence ? DOCKERCOINS_REDIS_CLAIM : undefined;
    const redis = new HardenedDeployment(this, 'Redis', {
      ...common,
      ...deploymentAvailability,
      // A single Redis; a PDB with maxUnavailable 1 would not protect it and
      // minAvailable 1 would block every node drain.
      disruptionBudget: undefined,
      spread: 'none',
      identity: identity('redis', 'database', props.redis.image),
      // The instance's only store: evicted after the stateless services it serves.
      tier: 'data',
      runAs: REDIS_USER,
      qos: 'Guaranteed',
      replicas: 1,
      // One writer on a ReadWriteOnce volume: never run two pods at once.
      strategy: props.redis.persistence ? 'Recreate' : 'RollingUpdate',
      terminationGracePeriodSeconds: 30,
      podAnnotations: { [UNAUTHENTICATED_REASON_ANNOTATION]: REDIS_AUTHENTICATION.reason },
      volumes: redisData ? [{ name: 'data', persistentVolumeClaim: { claimName: redisData } }] : undefined,
      containers: [{
        name: 'redis',
        image: props.redis.image,
        resources: props.redis.resources,
        args: props.redis.persistence
          ? ['redis-server', '--appendonly', 'yes', '--dir', '/data']
          : ['redis-server', '--save', '', '--appendonly', 'no', '--dir', '/data'],
        ports: [{ name: 'redis', containerPort: REDIS_PORT }],
        probes: {
          // `redis-cli ping` exits 0 on an error reply (e.g. LOADING): readiness checks for PONG.
          readiness: { check: { exec: ['sh', '-c', 'redis-cli ping | grep -q PONG'] }, timings: READINESS },
          liveness: { check: { exec: ['redis-cli', 'ping'] }, timings: LIVENESS },
        },
        writablePaths: redisData ? [{ path: '/tmp' }] : [{ path: '/data', sizeLimit: '256Mi' }, { path: '/tmp' }],
        volumeMounts: redisData ? [{ name: 'data', mountPath: '/data' }] : undefined,
      }],
    });
    if (props.redis.persistence) {
      new PersistentClaim(this, 'RedisData', { ...props.redis.persistence, name: DOCKERCOINS_REDIS_CLAIM, namespace: ns, labels: redis.pod.labels });
    }

    const webui = new HardenedDeployment(this, 'Webui', {
      ...common,
      ...deploymentAvailability,
      identity: identity('webui', 'frontend', props.webui.image),
      replicas: props.webui.replicas,
      bindsPrivilegedPorts: true,
      terminationGracePeriodSeconds: 10,
      containers: [{
        ...appContainer('webui', props.webui),
        ports: httpPort,
        // `GET /` answers 302 to /index.html, which a probe counts as success.
        probes: httpChecks('/', READINESS, LIVENESS),
        writablePaths: [{ path: '/tmp' }],
      }],
    });

    // Services: names are hard-coded in the images.
    const service = (id: string, pod: HardenedPod, port: number, portName: string, extra?: { type?: 'NodePort'; nodePort?: number }) =>
      new ClusterService(this, id, {
        name: pod.selector['app.kubernetes.io/name'],
        namespace: ns,
        labels: pod.labels,
        selector: pod.selector,
        type: extra?.type,
        ports: [{ name: portName, port, targetPort: portName, nodePort: extra?.nodePort }],
      });
    service('RngService', rng.pod, HTTP_PORT, 'http');
    service('HasherService', hasher.pod, HTTP_PORT, 'http');
    service('RedisService', redis.pod, REDIS_PORT, 'redis');
    const webuiService = service('WebuiService', webui.pod, HTTP_PORT, 'http',
      props.webui.nodePort ? { type: 'NodePort', nodePort: props.webui.nodePort } : undefined);

    new HostIngress(this, 'WebuiIngress', {
      name: 'webui', namespace: ns, labels: webui.pod.labels, route: props.ingress, serviceName: webuiService.name, servicePort: 'http',
    });

    // Network: worker calls rng, hasher and redis; webui reads redis; only the
    // ingress controller (and, with a node port, the nodes) reach webui.
    const pods = (pod: HardenedPod, port: number): NetworkRule => ({ peers: [{ pods: pod.selector }], ports: [{ port }] });
    const policy = (id: string, pod: HardenedPod, rules: { ingress?: NetworkRule[]; egress?: NetworkRule[] }) =>
      new WorkloadNetworkPolicy(this, id, {
        name: pod.selector['app.kubernetes.io/name'], namespace: ns, labels: pod.labels, podSelector: pod.selector, ...rules,
      });
    policy('RngPolicy', rng.pod, { ingress: [pods(worker.pod, HTTP_PORT)] });
    policy('HasherPolicy', hasher.pod, { ingress: [pods(worker.pod, HTTP_PORT)] });
    policy('RedisPolicy', redis.pod, {
      ingress: [
        pods(worker.pod, REDIS_PORT),
        pods(webui.pod, REDIS_PORT),
        ...(props.redis.clients?.length ? [{ peers: props.redis.clients, ports: [{ port: REDIS_PORT }] }] : []),
      ],
    });
    policy('WorkerPolicy', worker.pod, { egress: [pods(rng.pod, HTTP_PORT), pods(hasher.pod, HTTP_PORT), pods(redis.pod, REDIS_PORT)] });
    const webuiPeers: PeerSpec[] = [{ namespace: props.ingress.controllerNamespace }];
    // A NodePort connection arrives from a node address (kube-proxy SNAT), not from a pod.
    if (props.webui.nodePort) {
      if (!props.webui.nodePortSources?.length) throw new Error(`${ns}/webui: nodePort needs nodePortSources (the node CIDRs)`);
      for (const cidr of props.webui.nodePortSources) webuiPeers.push({ cidr });
    }
    policy('WebuiPolicy', webui.pod, {
      ingress: [{ peers: webuiPeers, ports: [{ port: HTTP_PORT }] }],
      egress: [pods(redis.pod, REDIS_PORT)],
    });
  }
}
