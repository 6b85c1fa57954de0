import { Construct } from 'constructs';
import type { CertificateProvider } from './certificates';
import k8s = require('cdk8s-plus-27/lib/imports/k8s');

/** How a web UI is published through the ingress controller. */
export interface IngressRoute {
  /** Host name, e.g. `kibana.example.com`. */
  readonly host: string;
  /** IngressClass. */
  readonly className: string;
  /** TLS certificate Secret for `host`. @default - plain HTTP */
  readonly tlsSecretName?: string;
  /** Extra annotations (e.g. `pulumi.com/skipAwait`). @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Where the certificate of `tlsSecretName` comes from: the Ingress asks it
   * for one covering `host`. @default - the Secret is provided by whoever set `tlsSecretName`
   */
  readonly certificates?: CertificateProvider;
}

/** An `IngressRoute` whose backend admits only the ingress controller's namespace. */
export interface ControlledIngressRoute extends IngressRoute {
  /** Namespace of the ingress controller, the only one allowed to reach the backend port. */
  readonly controllerNamespace: string;
}

export interface HostIngressProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly route: IngressRoute;
  /** Backend Service. */
  readonly serviceName: string;
  /** Backend Service port, by name or number. */
  readonly servicePort: string | number;
}

/** An Ingress sending every path of one host to one Service port, with TLS when the route names a Secret. */
export class HostIngress extends Construct {
  constructor(scope: Construct, id: string, props: HostIngressProps) {
    super(scope, id);
    const { route } = props;
    const port = typeof props.servicePort === 'number' ? { number: props.servicePort } : { name: props.servicePort };
    if (route.tlsSecretName && route.certificates) {
      route.certificates.request(this, 'Certificate', {
        namespace: props.namespace, secretName: route.tlsSecretName, dnsNames: [route.host], usages: ['server auth'], purpose: 'ingress', labels: props.labels,
      });
    }
    new k8s.KubeIngress(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: route.annotations ? { ...route.annotations } : undefined },
      spec: {
        ingressClassName: route.className,
        tls: route.tlsSecretName ? [{ hosts: [route.host], secretName: route.tlsSecretName }] : undefined,
        rules: [{
          host: route.host,
          http: {
            paths: [{
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: props.serviceName, port } },
            }],
          },
        }],
      },
    });
  }
}
