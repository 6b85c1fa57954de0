import { App, Chart } from 'cdk8s';
import { DockerCoins } from '../constructs/dockercoins';
import { ControlledIngressRoute } from '../constructs/lib/ingress';
import { EnvironmentConfig } from './config';
import { platformNamespace } from './stacks/namespaces';
import { buildStateful } from './stacks/stateful';
import { buildEdge } from './stacks/edge';
import { buildLogging } from './stacks/logging';

/** Version of this platform model, the `app.kubernetes.io/version` of objects that are not a packaged app. */
export const PLATFORM_VERSION = '0.1.0';

/** A chart of the stack and its place in the deployment order. */
export interface StackChart {
  /** Chart id: the file name in dist/<env>/ and the Pulumi resource name. */
  readonly id: string;
  /**
   * Deployment wave. Wave 0 holds namespaces and their guardrails, which must
   * exist before anything else (and before secrets Pulumi creates in them).
   */
  readonly wave: number;
  readonly chart: Chart;
  /**
   * Secrets the chart's workloads read but the model never renders (no secret
   * in git). Pulumi creates them from secret stack config; with kubectl the
   * operator creates them first (see README).
   * @default - none
   */
  readonly secrets?: readonly RequiredSecret[];
}

/** A Secret that must exist before a chart is applied. */
export interface RequiredSecret {
  readonly name: string;
  readonly namespace: string;
  /** Secret key -> Pulumi config key (namespace `dockercoins`) holding the secret value. */
  readonly keys: Readonly<Record<string, string>>;
  /** Labels of the Secret object. */
  readonly labels: Record<string, string>;
}

/**
 * Builds every chart of an environment into `app`, in deployment order. Both
 * engines call this: cdk8s synthesizes the charts to YAML, Pulumi deploys their
 * objects.
 */
export function buildStack(app: App, env: EnvironmentConfig): StackChart[] {
  const namespaces = new Chart(app, 'namespaces', { disableResourceNameHashes: true });
  const charts: StackChart[] = [{ id: 'namespaces', wave: 0, chart: namespaces }];

  for (const instance of env.dockercoins) {
    platformNamespace(namespaces, {
      name: instance.namespace,
      instance: instance.name,
      partOf: 'dockercoins',
      podSecurity: 'restricted',
      quota: instance.quota,
      limitRange: instance.limitRange,
      viewer: true,
    });
    const id = instance.name === 'dockercoins' ? 'dockercoins' : `dockercoins-${instance.name}`;
    const chart = new Chart(app, id, { disableResourceNameHashes: true });
    new DockerCoins(chart, 'DockerCoins', {
      instance: instance.name,
      namespace: instance.namespace,
      settings: instance.settings,
      ingress: ingressRoute(env, instance.host, instance.tlsSecretName),
      availability: instance.availability,
      rng: instance.rng,
      hasher: instance.hasher,
      worker: instance.worker,
      webui: { ...instance.webui, nodePortSources: env.cluster.nodeCidrs },
      redis: instance.redis.persistence
        ? { ...instance.redis, persistence: withEnvironmentStorageClass(instance.redis.persistence, env) }
        : instance.redis,
    });
    charts.push({ id, wave: 2, chart });
  }
  charts.push(...buildStateful(app, namespaces, env));
  charts.push(...buildEdge(app, namespaces, env));
  charts.push(...buildLogging(app, namespaces, env));
  // Deployment order: by wave, then by id (the file order kubectl applies).
  return charts.sort((a, b) => a.wave - b.wave || a.id.localeCompare(b.id));
}

/** A claim's StorageClass: its own, else the environment's (else the cluster default). */
export function withEnvironmentStorageClass<T extends { readonly storageClassName?: string }>(storage: T, env: EnvironmentConfig): T {
  return { ...storage, storageClassName: storage.storageClassName ?? env.storageClass };
}

/** Annotations every Ingress of the environment carries. */
export function ingressAnnotations(env: EnvironmentConfig): Record<string, string> | undefined {
  // Without a published load-balancer address, Pulumi would wait 10 minutes per Ingress.
  return env.ingress.awaitLoadBalancer ? undefined : { 'pulumi.com/skipAwait': 'true' };
}

/** How a host is published in this environment: its ingress class, controller and annotations. */
export function ingressRoute(env: EnvironmentConfig, host: string, tlsSecretName?: string): ControlledIngressRoute {
  return {
    host,
    className: env.ingress.className,
    controllerNamespace: env.ingress.controllerNamespace,
    tlsSecretName,
    annotations: ingressAnnotations(env),
  };
}
