import { App, Chart } from 'cdk8s';
import type { BuildContext, StackChart } from '../constructs/lib/component';
import type { ControlledIngressRoute } from '../constructs/lib/ingress';
import { CertificateProvider, certificateProvider, certificatesOf, ingressTlsSecretName } from '../constructs/lib/certificates';
import { PLATFORM_VERSION } from '../constructs/lib/component';
import { compareCodePoints } from '../constructs/lib/order';
import { ProductionNamespace } from '../constructs/namespace';
import type { EnvironmentConfig } from './config';
import { activeComponents, declaredNamespaces, wiringOf } from './config/wiring';

export { PLATFORM_VERSION };
export type { RequiredSecret, StackChart } from '../constructs/lib/component';

/** Annotations every Ingress of the environment carries. */
export function ingressAnnotations(env: EnvironmentConfig): Record<string, string> | undefined {
  // Without a published load-balancer address, Pulumi would wait 10 minutes per Ingress.
  return env.ingress.awaitLoadBalancer ? undefined : { 'pulumi.com/skipAwait': 'true' };
}

/**
 * How a host is published in this environment: its ingress class, controller
 * and annotations. Where the environment has TLS, every host gets a
 * certificate from the environment's source (Secret `tlsSecretName`, else
 * `<first label>-tls`) and the controller's TLS annotations (HSTS).
 */
export function ingressRoute(env: EnvironmentConfig, host: string, tlsSecretName?: string, tls?: { certificates?: CertificateProvider; annotations?: Readonly<Record<string, string>> }): ControlledIngressRoute {
  const base = ingressAnnotations(env);
  if (!tls?.certificates) return { host, className: env.ingress.className, controllerNamespace: env.ingress.controllerNamespace, tlsSecretName, annotations: base };
  const annotations = { ...base, ...tls.annotations };
  return {
    host,
    className: env.ingress.className,
    controllerNamespace: env.ingress.controllerNamespace,
    tlsSecretName: ingressTlsSecretName(host, tlsSecretName),
    annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    certificates: tls.certificates,
  };
}

/** A claim's StorageClass: its own, else the environment's (else the cluster default). */
export function withEnvironmentStorageClass<T extends { readonly storageClassName?: string }>(storage: T, env: EnvironmentConfig): T {
  return { ...storage, storageClassName: storage.storageClassName ?? env.storageClass };
}

/**
 * Builds every chart of an environment into `app`, in deployment order. Both
 * engines call this: cdk8s synthesizes the charts to YAML, Pulumi deploys their
 * objects. Each registered component that the environment configures offers
 * its endpoints first; the namespaces they own go into the `namespaces` chart
 * (wave 0); then every build step gets the union of the offers (wiring).
 */
export function buildStack(app: App, env: EnvironmentConfig): StackChart[] {
  const active = activeComponents(env);
  const wiring = wiringOf(active);
  const namespaces = new Chart(app, 'namespaces', { disableResourceNameHashes: true });
  for (const ns of declaredNamespaces(active)) {
    ProductionNamespace.ensure(namespaces, {
      name: ns.name,
      podSecurity: ns.podSecurity,
      podSecurityReason: ns.podSecurityReason,
      quota: ns.quota,
      limitRange: ns.limitRange,
      viewer: ns.viewer,
      identity: { name: ns.name, instance: ns.instance ?? ns.name, component: 'namespace', partOf: ns.partOf, version: PLATFORM_VERSION },
    });
  }
  const charts: StackChart[] = [{ id: 'namespaces', wave: 0, chart: namespaces }];
  const certificates = certificateProvider(env.certificates, env.name);
  for (const { component, config } of active) {
    const ctx: BuildContext<unknown> = {
      app,
      namespaces,
      platform: env,
      config,
      environment: env,
      wiring,
      certificates,
      ingressRoute: (host, tls) => ingressRoute(env, host, tls, { certificates, annotations: wiring.tlsRouteAnnotations }),
      withStorageClass: storage => withEnvironmentStorageClass(storage, env),
    };
    // Certificates requested while building are recorded on their chart (src/secrets.ts lists them).
    charts.push(...component.build(ctx).map(c => ({ ...c, certificates: certificatesOf(c.chart) })));
  }
  // Deployment order: by wave, then by id (the file order kubectl applies), by code point.
  return charts.sort((a, b) => a.wave - b.wave || compareCodePoints(a.id, b.id));
}
