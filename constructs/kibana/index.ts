import { ControlledIngressRoute, HostIngress } from '../lib/ingress';
import { caVolume } from '../lib/certificates';
import { Construct } from 'constructs';
import { ComponentIdentity, selectorLabels } from '../lib/labels';
import { PeerSpec, WorkloadNetworkPolicy } from '../lib/network';
import { ProbeTimings } from '../lib/probes';
import { parseQuantity } from '../lib/quantity';
import { RunAsIdentity } from '../lib/security';
import { ClusterService } from '../lib/service';
import { ContainerResources, ImageRef } from '../lib/types';
import { HardenedDeployment, HardenedPod, secretEnv } from '../lib/workload';

export interface KibanaProps {
  /** Instance name (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** Namespace of every object (restricted Pod Security is enough). */
  readonly namespace: string;
  /** docker.elastic.co/kibana/kibana with the SAME tag as Elasticsearch. */
  readonly image: ImageRef;
  readonly replicas: number;
  readonly resources: ContainerResources;
  /** The Elasticsearch it shows. */
  readonly elasticsearch: {
    /** HTTP URL, e.g. `http://elasticsearch.logging.svc:9200`. */
    readonly url: string;
    readonly port: number;
    /** The Elasticsearch pods, for the egress rule. */
    readonly peer: PeerSpec;
    /**
     * Secret (in Kibana's namespace) whose `ca.crt` signs Elasticsearch's
     * certificate: Kibana verifies HTTPS against it
     * (`elasticsearch.ssl.certificateAuthorities`, verification mode `full`).
     * @default - plain HTTP (`url` is http://)
     */
    readonly caSecret?: string;
  };
  /**
   * Existing Secret (never rendered) with keys `password` (of the built-in
   * `kibana_system` user Kibana connects as; the Elasticsearch setup Job sets
   * it, see constructs/elasticsearch/setup.ts; letters and digits only, it is
   * sent in a JSON body) and `encryptionKey` (at least 32 characters, shared by
   * all replicas for sessions, saved objects and reports).
   */
  readonly credentialsSecret: string;
  /** How Kibana is published. */
  readonly ingress: ControlledIngressRoute;
}

export const KIBANA_PORT = 5601;
/** Where Kibana reads the CA that signs Elasticsearch's certificate. */
export const KIBANA_ELASTICSEARCH_CA = '/usr/share/kibana/config/elasticsearch-ca/ca.crt';
/** `app.kubernetes.io/name` of the Kibana pods. */
export const KIBANA_NAME = 'kibana';
/** Selector of the Kibana pods of an instance. */
export const kibanaPods = (instance: string) => selectorLabels({ name: KIBANA_NAME, instance });
/**
 * Kibana's image, like Elasticsearch's, gives the root group the owner's
 * permissions on its files (`--chown=1000:0`, the kibana user is in group 0):
 * any uid with group 0 as a supplementary group runs it. An id of our own
 * (kube-score: >= 10000); data and /tmp are emptyDirs.
 */
const KIBANA_USER: RunAsIdentity = { user: 11000, group: 11000, supplementalGroups: [0] };

const READINESS: ProbeTimings = { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
/** Liveness on the port only: /api/status turns 503 when Elasticsearch is down, and a restart would not help. */
const LIVENESS: ProbeTimings = { initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 };
/** Kibana needs a minute or two to start (plugins, saved-object migrations). */
const STARTUP: ProbeTimings = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 };

/** Kibana: Deployment, Service, Ingress and its network allow-list. */
export class Kibana extends Construct {
  public readonly pod: HardenedPod;

  constructor(scope: Construct, id: string, props: KibanaProps) {
    super(scope, id);
    const name = KIBANA_NAME;
    const ns = props.namespace;
    const identity: ComponentIdentity = { name, instance: props.instance, component: 'dashboard', partOf: 'logging', version: props.image.tag };
    const encryptionKey = (envName: string) => secretEnv(envName, props.credentialsSecret, 'encryptionKey');
    const scheme = props.ingress.tlsSecretName ? 'https' : 'http';
    // Node's heap: three quarters of the memory limit, the rest for buffers and native code.
    const heapMiB = Math.floor((parseQuantity(props.resources.limits.memory) ?? 0) / 2 ** 20 * 0.75);
    const replicated = props.replicas > 1;
    const caSecret = props.elasticsearch.caSecret;
    if (caSecret && !props.elasticsearch.url.startsWith('https://')) throw new Error(`kibana: caSecret is set but the Elasticsearch URL ${props.elasticsearch.url} is not https`);
    const caMounts = caSecret ? [{ name: 'elasticsearch-ca', mountPath: KIBANA_ELASTICSEARCH_CA.replace(/\/ca\.crt$/, ''), readOnly: true }] : [];

    const deployment = new HardenedDeployment(this, 'Deployment', {
      identity,
      tier: 'monitoring',
      namespace: ns,
      runAs: KIBANA_USER,
      qos: 'Burstable',
      replicas: props.replicas,
      terminationGracePeriodSeconds: 30,
      spread: replicated ? 'preferred' : 'none',
      disruptionBudget: replicated ? { maxUnavailable: 1 } : undefined,
      containers: [{
        name,
        image: props.image,
        ports: [{ name: 'http', containerPort: KIBANA_PORT }],
        // The image maps these variables onto kibana.yml settings.
        env: {
          ELASTICSEARCH_HOSTS: props.elasticsearch.url,
          ELASTICSEARCH_USERNAME: 'kibana_system',
          SERVER_HOST: '0.0.0.0',
          SERVER_NAME: props.ingress.host,
          SERVER_PUBLICBASEURL: `${scheme}://${props.ingress.host}`,
          TELEMETRY_OPTIN: 'false',
          // The image maps ELASTICSEARCH_SSL_* onto elasticsearch.ssl.* (kibana-docker's setting list):
          // verify the certificate chain against the environment CA and the host name (`full`).
          ...(caSecret ? { ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES: KIBANA_ELASTICSEARCH_CA, ELASTICSEARCH_SSL_VERIFICATIONMODE: 'full' } : {}),
          NODE_OPTIONS: `--max-old-space-size=${heapMiB}`,
        },
        envFrom: [
          secretEnv('ELASTICSEARCH_PASSWORD', props.credentialsSecret, 'password'),
          encryptionKey('XPACK_SECURITY_ENCRYPTIONKEY'),
          encryptionKey('XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY'),
          encryptionKey('XPACK_REPORTING_ENCRYPTIONKEY'),
        ],
        resources: props.resources,
        probes: {
          // Kibana >= 8.9 answers unauthenticated status calls with a redacted
          // body: 200 when available, 503 otherwise.
          readiness: { check: { http: { path: '/api/status', port: 'http' } }, timings: READINESS },
          liveness: { check: { tcp: { port: 'http' } }, timings: LIVENESS },
          startup: { check: { tcp: { port: 'http' } }, timings: STARTUP },
        },
        writablePaths: [
          { path: '/usr/share/kibana/data', sizeLimit: '256Mi' },
          { path: '/tmp', sizeLimit: '256Mi' },
        ],
        volumeMounts: caMounts,
      }],
      // Only the CA of the Secret is projected: Kibana never holds Elasticsearch's private key.
      volumes: caSecret ? [caVolume('elasticsearch-ca', caSecret)] : [],
    });
    this.pod = deployment.pod;

    const service = new ClusterService(this, 'Service', {
      name, namespace: ns, labels: this.pod.labels, selector: this.pod.selector,
      ports: [{ name: 'http', port: KIBANA_PORT, targetPort: 'http' }],
    });

    const ing = props.ingress;
    new HostIngress(this, 'Ingress', { name, namespace: ns, labels: this.pod.labels, route: ing, serviceName: service.name, servicePort: 'http' });

    new WorkloadNetworkPolicy(this, 'Policy', {
      name, namespace: ns, labels: this.pod.labels, podSelector: this.pod.selector,
      ingress: [{ peers: [{ namespace: ing.controllerNamespace }], ports: [{ port: KIBANA_PORT }] }],
      egress: [{ peers: [props.elasticsearch.peer], ports: [{ port: props.elasticsearch.port }] }],
    });
  }
}
