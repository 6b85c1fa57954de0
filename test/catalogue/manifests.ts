/**
 * Catalogue of hand-written bad manifests: each is what a user might write
 * (or a model bug might render), with the exact lines `npm run validate`
 * prints for it. Every manifest is otherwise clean, so the lines are the
 * whole output. Exported so that the lead can count it in a global catalogue;
 * manifests.test.ts runs each through the validate CLI.
 *
 * Objects without a Namespace document live in a namespace treated as
 * Pod Security `restricted` (project policy), so the pods below carry the
 * restricted settings; the fragments only factor out that boilerplate.
 */

/** One bad manifest and what validate must print for it. */
export interface BadManifest {
  /** Unique, file-name safe. */
  readonly id: string;
  /** What the user got wrong, in a few words. */
  readonly mistake: string;
  /** The manifest file (one or more YAML documents). */
  readonly yaml: string;
  /** The problem lines, exactly and in order (without the summary line). */
  readonly expected: readonly string[];
}

/** Pod securityContext satisfying restricted and the hardening rule. */
const POD_SC = '{runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: RuntimeDefault}}';
/** Container securityContext satisfying restricted and the hardening rule. */
const SC = '{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}';
/** Requests and limits that pass every resource rule. */
const RES = '{requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}';
/** Probes on the port named http. */
const READY = '{httpGet: {path: /ready, port: http}}';
const LIVE = '{httpGet: {path: /healthz, port: http}}';
/** A namespace at the privileged level: pod-security is silent there, host-access is not. */
const AGENTS_NS = `apiVersion: v1
kind: Namespace
metadata: {name: agents, labels: {pod-security.kubernetes.io/enforce: privileged}}
`;

const HOST_PRIVILEGED = 'platform.dockercoins.io/host-access-privileged';
const HOST_SYS_ADMIN = 'platform.dockercoins.io/host-access-sys-admin';
const HOST_SOCKET = 'platform.dockercoins.io/host-access-runtime-socket';
const NAME_SUBDOMAIN = "(lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)";
const NAME_LABEL = "(lowercase letters, digits and '-', starting and ending with a letter or digit)";
const HOST_INVALID = `is not a valid DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters; "*." may prefix it)`;
const DUPLICATE = 'also defined earlier in the input (same apiVersion group, kind, namespace and name); only one of them is applied';
const LONG_NAME = 'a'.repeat(64);
const SUPERUSER = 'security.dockercoins.io/superuser-credentials';
const SETUP_POD = 'security.dockercoins.io/setup-pod';
const SKIP_VERIFY_REASON = 'security.dockercoins.io/insecure-skip-verify-reason';
const RBAC_FIX = 'grant only the verbs and resources needed, to named subjects, or say why with annotation security.dockercoins.io/rbac-grant-reason: <reason>';

/** A clean Pod web in namespace shop (labelled app: web), with `mounts` (container lines), `volumes` (spec lines) and the port named `port`. */
function pod(mounts: string, volumes: string, port = 'http'): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  securityContext: ${POD_SC}
${volumes ? `${volumes}\n` : ''}  containers:
  - name: web
    image: shop/web:1.0
    ports: [{name: ${port}, containerPort: 8080}]
${mounts ? `${mounts}\n` : ''}    securityContext: ${SC}
    resources: ${RES}
`;
}

/** An autoscaler of Deployment shop/web, with the `spec` lines after its scaleTargetRef. */
function hpa(spec: string): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
${spec}`;
}

/** A workload of `kind` in namespace shop, clean but for its selector, labels and `extra` spec lines. */
function workload(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', selector: string, labels: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: ${kind}
metadata: {name: web, namespace: shop}
spec:${kind === 'StatefulSet' ? '\n  serviceName: web' : ''}
  selector: ${selector}${extra}
  template:
    metadata: {labels: ${labels}}
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: web
        image: shop/web:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: ${READY}
        livenessProbe: ${LIVE}
        securityContext: ${SC}
        resources: ${RES}
`;
}

export const BAD_MANIFESTS: readonly BadManifest[] = [
  // ---------------------------------------------------------------- schema
  {
    id: 'schema-unknown-field',
    mistake: 'a typo in a field name (the API server drops it silently)',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    imagePullPolicyy: Always
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [schema] spec.containers[0].imagePullPolicyy: unknown field'],
  },
  {
    id: 'schema-misplaced-field',
    mistake: 'readOnlyRootFilesystem at pod level, where it does not exist',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: RuntimeDefault}, readOnlyRootFilesystem: true}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [schema] spec.securityContext.readOnlyRootFilesystem: unknown field'],
  },
  {
    id: 'schema-wrong-type',
    mistake: 'a port number quoted as a string',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    ports: [{name: http, containerPort: "8080"}]
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [schema] spec.containers[0].ports[0].containerPort: must be integer'],
  },
  {
    id: 'schema-required-field',
    mistake: 'an RBAC rule without verbs',
    yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
- apiGroups: [""]
  resources: [configmaps]
`,
    expected: ['Role shop/reader: [schema] rules[0].verbs: required field is missing'],
  },
  {
    id: 'schema-removed-api-version',
    mistake: 'an API version current clusters no longer serve',
    yaml: `apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
`,
    expected: ['PodDisruptionBudget shop/web: [schema] apiVersion: policy/v1beta1 PodDisruptionBudget is no longer served (removed in Kubernetes 1.25)'],
  },
  {
    id: 'schema-quantity-syntax',
    mistake: 'a space between number and unit',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 64 Mi}, limits: {cpu: 200m, memory: 128Mi}}
`,
    expected: ['Pod shop/web: [schema] spec.containers[0].resources.requests.memory: must be number or quantity string'],
  },

  // ---------------------------------------------------------------- object-name
  {
    id: 'name-uppercase',
    mistake: 'uppercase and an underscore in a ConfigMap name',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: Shop_Config, namespace: shop}
data: {mode: fast}
`,
    expected: [`ConfigMap shop/Shop_Config: [object-name] metadata.name "Shop_Config" is not a valid DNS-1123 subdomain ${NAME_SUBDOMAIN}`],
  },
  {
    id: 'name-namespace-with-dot',
    mistake: 'a dot in a Namespace name (a DNS-1123 label)',
    yaml: `apiVersion: v1
kind: Namespace
metadata: {name: team.shop, labels: {pod-security.kubernetes.io/enforce: restricted}}
`,
    expected: [`Namespace team.shop: [object-name] metadata.name "team.shop" is not a valid DNS-1123 label ${NAME_LABEL}`],
  },
  {
    id: 'name-namespace-too-long',
    mistake: 'a Namespace name of 64 characters',
    yaml: `apiVersion: v1
kind: Namespace
metadata: {name: ${LONG_NAME}}
`,
    expected: [`Namespace ${LONG_NAME}: [object-name] metadata.name "${LONG_NAME}" is 64 characters; a DNS-1123 label has at most 63`],
  },
  {
    id: 'name-service-leading-digit',
    mistake: 'a Service name starting with a digit',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: 8080-web, namespace: shop}
spec:
  ports: [{name: http, port: 80}]
`,
    expected: [`Service shop/8080-web: [object-name] metadata.name "8080-web" is not a valid DNS-1035 label (lowercase letters, digits and '-', starting with a letter and ending with a letter or digit)`],
  },
  {
    id: 'name-rbac-slash',
    mistake: 'a slash in a ClusterRole name',
    yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: shop/reader}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}
`,
    expected: [`ClusterRole shop/reader: [object-name] metadata.name "shop/reader" must not contain '/' or '%' and must not be '.' or '..'`],
  },
  {
    id: 'name-bad-namespace',
    mistake: 'an uppercase namespace in metadata.namespace',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: Shop}
data: {mode: fast}
`,
    expected: [`ConfigMap Shop/settings: [object-name] metadata.namespace "Shop" is not a valid DNS-1123 label ${NAME_LABEL}`],
  },

  // ---------------------------------------------------------------- duplicate-object
  {
    id: 'duplicate-configmap',
    mistake: 'the same ConfigMap pasted twice with different data',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: fast}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: safe}
`,
    expected: [`ConfigMap shop/settings: [duplicate-object] ${DUPLICATE}`],
  },
  {
    id: 'duplicate-across-versions',
    mistake: 'one HorizontalPodAutoscaler written in two API versions',
    yaml: `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 4
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 6
`,
    expected: [`HorizontalPodAutoscaler shop/web: [duplicate-object] ${DUPLICATE}`],
  },

  // ---------------------------------------------------------------- quantities
  {
    id: 'quantity-memory-millibytes',
    mistake: 'memory 96m (96 millibytes) meant as 96Mi',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 200m, memory: 96m}}
`,
    expected: ['Pod shop/web: [quantities] container web resources.limits.memory "96m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 96Mi'],
  },
  {
    id: 'quantity-cpu-byte-unit',
    mistake: 'cpu given in gibibytes',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 2Gi, memory: 128Mi}}
`,
    expected: ['Pod shop/web: [quantities] container web resources.limits.cpu "2Gi" has the byte unit Gi; cpu is counted in cores (2) or millicores (500m)'],
  },
  {
    id: 'quantity-negative',
    mistake: 'a negative cpu request',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: {requests: {cpu: -100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}
`,
    expected: ['Pod shop/web: [quantities] container web resources.requests.cpu "-100m" must not be negative'],
  },
  {
    id: 'quantity-request-above-limit',
    mistake: 'the memory limit lowered in one place and the request left above it',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 256Mi}, limits: {cpu: 200m, memory: 128Mi}}
`,
    expected: ['Pod shop/web: [quantities] container web resources.requests.memory "256Mi" is above its limit "128Mi": the API server refuses a request above its limit (raise the limit or lower the request)'],
  },
  {
    id: 'quantity-memory-without-unit',
    mistake: 'memory 128 (bytes) meant as 128Mi',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 128}, limits: {cpu: 200m, memory: 128Mi}}
`,
    expected: ['Pod shop/web: [quantities] container web resources.requests.memory 128 is below 4Mi: no container starts in that little memory (missing or wrong unit?)'],
  },
  {
    id: 'quantity-unknown-suffix',
    mistake: 'an SI prefix Kubernetes does not know (the schema lets it through)',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 64Mi, ephemeral-storage: 1d}, limits: {cpu: 200m, memory: 128Mi}}
`,
    expected: ['Pod shop/web: [quantities] container web resources.requests.ephemeral-storage "1d" is not a valid quantity (a number with one of the suffixes n u m k M G T P E Ki Mi Gi Ti Pi Ei, or an exponent like 1e3)'],
  },
  {
    id: 'quantity-init-container',
    mistake: 'millibytes in an init container',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  initContainers:
  - name: migrate
    image: shop/migrate:1.0
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 32m}, limits: {cpu: 200m, memory: 128Mi}}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [quantities] init container migrate resources.requests.memory "32m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 32Mi'],
  },
  {
    id: 'quantity-resource-quota',
    mistake: 'a quota with millibytes and cpu in bytes',
    yaml: `apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: shop}
spec:
  hard: {requests.memory: 512m, limits.cpu: 8Gi, pods: "20"}
`,
    expected: [
      'ResourceQuota shop/quota: [quantities] spec.hard["requests.memory"] "512m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 512Mi',
      'ResourceQuota shop/quota: [quantities] spec.hard["limits.cpu"] "8Gi" has the byte unit Gi; cpu is counted in cores (2) or millicores (500m)',
    ],
  },
  {
    id: 'quantity-limit-range',
    mistake: 'a negative LimitRange max',
    yaml: `apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: shop}
spec:
  limits:
  - type: Container
    max: {memory: -1Gi}
`,
    expected: ['LimitRange shop/limits: [quantities] spec.limits[0].max.memory "-1Gi" must not be negative'],
  },
  {
    id: 'quantity-pvc-storage',
    mistake: 'a volume claim of 10 millibytes',
    yaml: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10m}}
`,
    expected: ['PersistentVolumeClaim shop/data: [quantities] spec.resources.requests.storage "10m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 10Mi'],
  },
  {
    id: 'quantity-volume-claim-template',
    mistake: 'a StatefulSet claim template of 5 millibytes',
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: db
        image: postgres:16.4
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: ${READY}
        livenessProbe: ${LIVE}
        securityContext: ${SC}
        resources: ${RES}
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 5m}}
`,
    expected: ['StatefulSet shop/db: [quantities] volumeClaimTemplate data spec.resources.requests.storage "5m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 5Mi'],
  },
  {
    id: 'quantity-empty-dir-size',
    mistake: 'an emptyDir sizeLimit of 64 millibytes',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
    volumeMounts: [{name: cache, mountPath: /cache}]
  volumes:
  - name: cache
    emptyDir: {sizeLimit: 64m}
`,
    expected: ['Pod shop/web: [quantities] volume cache emptyDir.sizeLimit "64m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 64Mi'],
  },

  // ---------------------------------------------------------------- limit-range
  {
    id: 'limit-range-above-max',
    mistake: 'a container limit above the namespace LimitRange max',
    yaml: `apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: shop}
spec:
  limits:
  - type: Container
    max: {cpu: 100m, memory: 1Gi}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [limit-range] container web limits.cpu 200m is above max 100m of LimitRange shop/limits'],
  },
  {
    id: 'limit-range-below-min',
    mistake: 'an init container request below the namespace LimitRange min',
    yaml: `apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: shop}
spec:
  limits:
  - type: Container
    min: {memory: 64Mi}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  initContainers:
  - name: migrate
    image: shop/migrate:1.0
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 32Mi}, limits: {cpu: 200m, memory: 128Mi}}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [limit-range] init container migrate requests.memory 32Mi is below min 64Mi of LimitRange shop/limits'],
  },

  // ---------------------------------------------------------------- host-access
  {
    id: 'host-access-privileged',
    mistake: 'a privileged node agent without a declared reason',
    yaml: `${AGENTS_NS}---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: agents}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: agent
    image: shop/agent:1.0
    securityContext: {privileged: true, readOnlyRootFilesystem: true}
    resources: ${RES}
`,
    expected: [`Pod agents/agent: [host-access] container agent is privileged (securityContext.privileged: true); declare it with pod template annotation ${HOST_PRIVILEGED}: <reason>`],
  },
  {
    id: 'host-access-sys-admin',
    mistake: 'CAP_SYS_ADMIN added without a declared reason',
    yaml: `${AGENTS_NS}---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: agents}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: agent
        image: shop/agent:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: ${READY}
        livenessProbe: ${LIVE}
        securityContext: {readOnlyRootFilesystem: true, capabilities: {add: [SYS_ADMIN]}}
        resources: ${RES}
`,
    expected: [`DaemonSet agents/agent: [host-access] container agent adds capability SYS_ADMIN; declare it with pod template annotation ${HOST_SYS_ADMIN}: <reason>`],
  },
  {
    id: 'host-access-docker-socket',
    mistake: 'the Docker socket mounted without a declared reason',
    yaml: `${AGENTS_NS}---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: agents}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: agent
    image: shop/agent:1.0
    securityContext: ${SC}
    resources: ${RES}
    volumeMounts: [{name: docker, mountPath: /var/run/docker.sock}]
  volumes:
  - name: docker
    hostPath: {path: /var/run/docker.sock, type: Socket}
`,
    expected: [`Pod agents/agent: [host-access] volume "docker" mounts the container runtime socket /var/run/docker.sock (hostPath); declare it with pod template annotation ${HOST_SOCKET}: <reason>`],
  },
  {
    id: 'host-access-run-directory',
    mistake: 'the node /run directory (holding the containerd socket) mounted read-only',
    yaml: `${AGENTS_NS}---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: agents}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: agent
    image: shop/agent:1.0
    securityContext: ${SC}
    resources: ${RES}
    volumeMounts: [{name: run, mountPath: /host/run, readOnly: true}]
  volumes:
  - name: run
    hostPath: {path: /run/, type: Directory}
`,
    expected: [`Pod agents/agent: [host-access] volume "run" mounts hostPath /run/, which contains the container runtime socket /run/containerd/containerd.sock; declare it with pod template annotation ${HOST_SOCKET}: <reason>`],
  },
  {
    id: 'host-access-path-backsteps',
    mistake: "a hostPath written with '..' (the API server refuses it; admission compares segments, never resolves them)",
    yaml: `${AGENTS_NS}---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: agents}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: agent
    image: shop/agent:1.0
    securityContext: ${SC}
    resources: ${RES}
    volumeMounts: [{name: logs, mountPath: /host/logs, readOnly: true}]
  volumes:
  - name: logs
    hostPath: {path: /var/log/pods/../containers, type: Directory}
`,
    expected: [`Pod agents/agent: [host-access] volume "logs" hostPath /var/log/pods/../containers has a '..' segment; write the path it means (/var/log/containers)`],
  },
  {
    id: 'host-access-empty-reason',
    mistake: 'a privileged declaration without a reason',
    yaml: `${AGENTS_NS}---
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: agents
  annotations: {${HOST_PRIVILEGED}: ""}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: agent
    image: shop/agent:1.0
    securityContext: {privileged: true, readOnlyRootFilesystem: true}
    resources: ${RES}
`,
    expected: [
      `Pod agents/agent: [host-access] annotation ${HOST_PRIVILEGED} must give a non-empty reason`,
      `Pod agents/agent: [host-access] container agent is privileged (securityContext.privileged: true); declare it with pod template annotation ${HOST_PRIVILEGED}: <reason>`,
    ],
  },
  {
    id: 'host-access-stale-declaration',
    mistake: 'a runtime-socket declaration left behind after the mount was removed',
    yaml: `${AGENTS_NS}---
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: agents
  annotations: {${HOST_SOCKET}: lists the containers of the node}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: agent
    image: shop/agent:1.0
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: [`Pod agents/agent: [host-access] annotation ${HOST_SOCKET} declares a need the pod does not have; remove it`],
  },

  // ---------------------------------------------------------------- pod-security
  {
    id: 'pod-security-privilege-escalation',
    mistake: 'allowPrivilegeEscalation not set to false',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: {readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [pod-security] restricted: container web: securityContext.allowPrivilegeEscalation must be false (allow-privilege-escalation)'],
  },
  {
    id: 'pod-security-run-as-non-root',
    mistake: 'runAsNonRoot missing',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: {runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [pod-security] restricted: runAsNonRoot must be true in the pod securityContext or in every container (missing in web) (run-as-non-root)'],
  },
  {
    id: 'pod-security-baseline-host-network',
    mistake: 'hostNetwork in a baseline namespace',
    yaml: `apiVersion: v1
kind: Namespace
metadata: {name: edge, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
apiVersion: v1
kind: Pod
metadata: {name: proxy, namespace: edge}
spec:
  hostNetwork: true
  securityContext: ${POD_SC}
  containers:
  - name: proxy
    image: envoyproxy/envoy:v1.31.0
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod edge/proxy: [pod-security] baseline: hostNetwork must not be true (host-namespaces)'],
  },

  // ---------------------------------------------------------------- hardening
  {
    id: 'hardening-writable-root',
    mistake: 'a writable root filesystem',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: {drop: [ALL]}}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [hardening] container web: securityContext.readOnlyRootFilesystem must be true (read-only-root-filesystem)'],
  },
  {
    id: 'hardening-no-uid',
    mistake: 'no numeric runAsUser (the image USER decides)',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true, runAsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [hardening] container web: runAsUser must be set to a number (pod or container securityContext) (explicit-run-as-user)'],
  },

  // ---------------------------------------------------------------- probes, probe-port
  {
    id: 'probes-missing-liveness',
    mistake: 'a Deployment without a livenessProbe',
    yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: web
        image: nginx:1.27
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: ${READY}
        securityContext: ${SC}
        resources: ${RES}
`,
    expected: ['Deployment shop/web: [probes] container web has no livenessProbe (or set pod template annotation platform.dockercoins.io/probes-waived: <reason>)'],
  },
  {
    id: 'probes-waiver-without-reason',
    mistake: 'a probes waiver with an empty reason',
    yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata:
      labels: {app: worker}
      annotations: {platform.dockercoins.io/probes-waived: ""}
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: worker
        image: shop/worker:1.0
        securityContext: ${SC}
        resources: ${RES}
`,
    expected: [
      'Deployment shop/worker: [probes] annotation platform.dockercoins.io/probes-waived must give a non-empty reason',
      'Deployment shop/worker: [probes] container worker has no readinessProbe (or set pod template annotation platform.dockercoins.io/probes-waived: <reason>)',
      'Deployment shop/worker: [probes] container worker has no livenessProbe (or set pod template annotation platform.dockercoins.io/probes-waived: <reason>)',
    ],
  },
  {
    id: 'probe-port-unknown-name',
    mistake: 'a probe on a port name the container does not declare',
    yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: web
        image: nginx:1.27
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
        readinessProbe: {httpGet: {path: /ready, port: web}}
        livenessProbe: {tcpSocket: {port: 8081}}
        securityContext: ${SC}
        resources: ${RES}
`,
    expected: ['Deployment shop/web: [probe-port] container web readinessProbe.httpGet.port "web" is not a port name of the container (declared: http, metrics)'],
  },

  // ---------------------------------------------------------------- resources, image-tag
  {
    id: 'resources-missing-limits',
    mistake: 'requests without limits',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: {requests: {cpu: 50m, memory: 64Mi}}
`,
    expected: ['Pod shop/web: [resources] container web has no resources limits.cpu, limits.memory'],
  },
  {
    id: 'image-latest',
    mistake: 'the latest tag',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:latest
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [image-tag] container web image nginx:latest uses the latest tag'],
  },
  {
    id: 'image-no-tag',
    mistake: 'no tag behind a registry port',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: registry.local:5000/shop/web
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [image-tag] container web image registry.local:5000/shop/web has no tag (pulls latest)'],
  },

  // ---------------------------------------------------------------- secret-values
  {
    id: 'secret-committed-data',
    mistake: 'a Secret with its values in the repository',
    yaml: `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData: {password: hunter2, user: shop}
`,
    expected: ['Secret shop/db: [secret-values] Secret has stringData (password, user); secret values must not be committed'],
  },
  {
    id: 'secret-literal-env',
    mistake: 'a password as a literal env value',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    env:
    - {name: DB_PASSWORD, value: hunter2}
    - {name: DB_PASSWORD_FILE, value: /run/secrets/db}
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [secret-values] container web env DB_PASSWORD has a literal value; use valueFrom.secretKeyRef'],
  },

  // ---------------------------------------------------------------- service-selector, service-target-port
  {
    id: 'service-selector-typo',
    mistake: 'a Service selector that matches no pod',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    ports: [{name: http, containerPort: 8080}]
    securityContext: ${SC}
    resources: ${RES}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: wbe}
  ports: [{name: http, port: 80, targetPort: http}]
`,
    expected: ['Service shop/web: [service-selector] selector app=wbe matches no pod template in namespace shop'],
  },
  {
    id: 'service-target-port-name',
    mistake: 'a Service targetPort name the pods do not declare',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    ports: [{name: http, containerPort: 8080}]
    securityContext: ${SC}
    resources: ${RES}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: web}]
`,
    expected: ['Service shop/web: [service-target-port] port 80: no selected pod declares a port named "web" for TCP (declared: http=8080/TCP)'],
  },
  {
    id: 'service-target-port-number',
    mistake: 'a Service targetPort left at the old container port',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    ports: [{name: http, containerPort: 8080}]
    securityContext: ${SC}
    resources: ${RES}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
`,
    expected: ['Service shop/web: [service-target-port] port 80: no selected pod declares containerPort 80/TCP (declared: http=8080/TCP)'],
  },
  {
    id: 'service-target-port-protocol',
    mistake: 'a UDP Service port onto a TCP-only container port',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: dns, namespace: shop, labels: {app: dns}}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: dns
    image: coredns/coredns:1.11.3
    ports: [{name: dns, containerPort: 5353}]
    securityContext: ${SC}
    resources: ${RES}
---
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: shop}
spec:
  selector: {app: dns}
  ports: [{name: dns, port: 53, targetPort: 5353, protocol: UDP}]
`,
    expected: ['Service shop/dns: [service-target-port] port 53: no selected pod declares containerPort 5353/UDP (declared: dns=5353/TCP)'],
  },

  // ---------------------------------------------------------------- plain-http
  {
    id: 'plain-http-host-in-tls-environment',
    mistake: 'one host left on plain HTTP where the environment serves TLS (issue 12)',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: admin, namespace: shop}
spec:
  rules:
  - host: admin.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
`,
    expected: ['Ingress shop/admin: [plain-http] rule 0 host "admin.example.com" is served over plain HTTP in an environment with TLS: list it in spec.tls with a certificate Secret'],
  },

  // ---------------------------------------------------------------- ingress-backend, ingress-host, ingress-conflict
  {
    id: 'ingress-backend-missing-service',
    mistake: 'an Ingress backend naming a Service that does not exist',
    yaml: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
`,
    expected: ['Ingress shop/web: [ingress-backend] rule 0 (shop.example.com/) path 0: Service shop/web does not exist'],
  },
  {
    id: 'ingress-backend-wrong-port',
    mistake: 'an Ingress backend on the container port instead of the Service port',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 8080}}}}
`,
    expected: ['Ingress shop/web: [ingress-backend] rule 0 (shop.example.com/) path 0: Service shop/web has no port 8080'],
  },
  {
    id: 'ingress-host-uppercase',
    mistake: 'an Ingress host with capitals',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  tls: [{hosts: [Shop.example.com], secretName: shop-tls}]
  rules:
  - host: Shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
`,
    expected: [
      'Ingress shop/web: [ingress-host] rule 0 host "Shop.example.com" must be lowercase',
      'Ingress shop/web: [ingress-host] tls 0 host "Shop.example.com" must be lowercase',
    ],
  },
  {
    id: 'ingress-host-invalid',
    mistake: 'an underscore, a port and an IP address as Ingress hosts; a wildcard is fine',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: web_shop.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}
  - host: shop.example.com:443
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}
  - host: 192.0.2.10
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}
  - host: "*.shop.example.com"
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}
`,
    expected: [
      `Ingress shop/web: [ingress-host] rule 0 host "web_shop.example.com" ${HOST_INVALID}`,
      `Ingress shop/web: [ingress-host] rule 1 host "shop.example.com:443" ${HOST_INVALID}`,
      'Ingress shop/web: [ingress-host] rule 2 host "192.0.2.10" must be a DNS name, not an IP address',
    ],
  },
  {
    id: 'ingress-conflict-across-namespaces',
    mistake: 'two teams publishing the same host and path',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}
---
apiVersion: v1
kind: Service
metadata: {name: blog, namespace: blog}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: blog, namespace: blog}
spec:
  rules:
  - host: Example.com
    http:
      paths:
      - {path: /blog, pathType: Prefix, backend: {service: {name: blog, port: {name: http}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: blog, port: {name: http}}}}
`,
    expected: [
      'Ingress blog/blog: [ingress-host] rule 0 host "Example.com" must be lowercase',
      'Ingress blog/blog: [ingress-conflict] rule 0 (Example.com/) path 1: also published by Ingress shop/web rule 0 path 0',
    ],
  },
  {
    id: 'ingress-conflict-within-one',
    mistake: 'one path listed twice in an Ingress',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80}, {name: api, port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: web, port: {name: api}}}}
      - {path: /api, pathType: Exact, backend: {service: {name: web, port: {name: http}}}}
`,
    expected: ['Ingress shop/web: [ingress-conflict] rule 0 (shop.example.com/api) path 1: also published by rule 0 path 0 of this Ingress'],
  },

  // ---------------------------------------------------------------- workload-spec
  {
    id: 'workload-spec-selector-mismatch',
    mistake: 'a Deployment whose selector does not match its template labels (renamed in one place only)',
    yaml: workload('Deployment', '{matchLabels: {app: web}}', '{app: webui}'),
    expected: ['Deployment shop/web: [workload-spec] spec.selector {"matchLabels":{"app":"web"}} does not match spec.template.metadata.labels {"app":"webui"}: the API server refuses the Deployment ("`selector` does not match template `labels`"); make the template labels include what the selector asks for'],
  },
  {
    id: 'workload-spec-empty-selector',
    mistake: 'a StatefulSet with an empty selector (its labels indented one level too little)',
    yaml: workload('StatefulSet', '{matchLabels: {}}', '{app: web}'),
    expected: ['StatefulSet shop/web: [workload-spec] spec.selector is empty: the API server refuses it ("empty selector is invalid for statefulset"); select the template labels'],
  },
  {
    id: 'workload-spec-recreate-with-rolling-update',
    mistake: 'a Deployment switched to Recreate (a single-writer database client) with its old rollingUpdate block left in',
    yaml: workload('Deployment', '{matchLabels: {app: web}}', '{app: web}', '\n  strategy: {type: Recreate, rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}'),
    expected: ['Deployment shop/web: [workload-spec] spec.strategy.rollingUpdate is set with type Recreate: the API server refuses it (remove rollingUpdate, or use RollingUpdate)'],
  },
  {
    id: 'workload-spec-daemonset-surge',
    mistake: 'a DaemonSet given maxSurge: 1 alone (maxUnavailable then defaults to 1: both non-zero)',
    yaml: workload('DaemonSet', '{matchLabels: {app: web}}', '{app: web}', '\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}'),
    expected: ['DaemonSet shop/web: [workload-spec] spec.updateStrategy.rollingUpdate: maxSurge 1 with maxUnavailable 1 (the default): the API server refuses a DaemonSet with both non-zero ("may not be set when maxUnavailable is non-zero"); to surge, set maxUnavailable: 0'],
  },

  // ---------------------------------------------------------------- pod-spec
  {
    id: 'pod-spec-mount-without-volume',
    mistake: 'a volumeMount whose volume was renamed (or never declared) in the pod',
    yaml: pod(`    volumeMounts: [{name: cache, mountPath: /var/cache/web}]`, `  volumes: [{name: tmp, emptyDir: {}}]`),
    expected: ['Pod shop/web: [pod-spec] container web: volumeMount 0 names volume "cache", which the pod does not declare (volumes: tmp)'],
  },
  {
    id: 'pod-spec-port-name',
    mistake: 'a container port name longer than 15 characters (IANA service names)',
    yaml: pod('', '', 'metrics-endpoint'),
    expected: ['Pod shop/web: [pod-spec] container web: port 0 name "metrics-endpoint" must be no more than 15 characters (an IANA service name)'],
  },
  {
    id: 'pod-spec-duplicate-container',
    mistake: 'a sidecar pasted with the name of the main container',
    yaml: `${pod('', '')}  - name: web
    image: shop/sidecar:1.0
    securityContext: ${SC}
    resources: ${RES}
`,
    expected: ['Pod shop/web: [pod-spec] container web: the name is already used by the container web; names are unique across containers, init and ephemeral containers'],
  },

  {
    id: 'pod-spec-probe-two-handlers',
    mistake: 'a readiness probe switched from httpGet to tcpSocket without removing httpGet',
    yaml: pod('    readinessProbe: {httpGet: {path: /ready, port: http}, tcpSocket: {port: http}}', ''),
    expected: ['Pod shop/web: [pod-spec] container web: readinessProbe sets httpGet and tcpSocket: one handler only'],
  },
  {
    id: 'pod-spec-env-value-and-value-from',
    mistake: 'an env var given a literal fallback value next to its configMapKeyRef',
    yaml: pod('    env: [{name: REDIS_HOST, value: redis, valueFrom: {configMapKeyRef: {name: web-settings, key: REDIS_HOST}}}]', ''),
    expected: ['Pod shop/web: [pod-spec] container web: env 0 (REDIS_HOST): sets both value and valueFrom: keep one'],
  },

  // ---------------------------------------------------------------- api-constraints
  {
    id: 'api-constraints-pdb-both-bounds',
    mistake: 'a PodDisruptionBudget with minAvailable and maxUnavailable',
    yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 1
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
`,
    expected: ['PodDisruptionBudget shop/web: [api-constraints] spec sets both minAvailable and maxUnavailable: the API server refuses it ("cannot be both set"); keep one'],
  },
  {
    id: 'api-constraints-hpa-max-below-min',
    mistake: 'an autoscaler whose minimum was raised above its maximum',
    yaml: hpa(`  minReplicas: 5
  maxReplicas: 2
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
`),
    expected: ['HorizontalPodAutoscaler shop/web: [api-constraints] spec.maxReplicas 2 is below spec.minReplicas 5: the API server refuses it; raise maxReplicas or lower minReplicas'],
  },
  {
    id: 'api-constraints-hpa-pods-metric-utilization',
    mistake: 'an autoscaler on a per-pod custom metric given a utilization target (which only resource metrics take)',
    yaml: hpa(`  minReplicas: 2
  maxReplicas: 6
  metrics: [{type: Pods, pods: {metric: {name: http_requests}, target: {type: Utilization, averageUtilization: 80}}}]
`),
    expected: ['HorizontalPodAutoscaler shop/web: [api-constraints] spec.metrics[0].pods.target.averageValue is required: a Pods metric targets a per-pod average value'],
  },
  {
    id: 'api-constraints-hpa-policy-period',
    mistake: 'an autoscaler whose scale-down policy period was written in minutes as seconds (an hour, past the 30-minute bound)',
    yaml: hpa(`  minReplicas: 2
  maxReplicas: 6
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
  behavior:
    scaleDown:
      policies: [{type: Percent, value: 10, periodSeconds: 3600}]
`),
    expected: ['HorizontalPodAutoscaler shop/web: [api-constraints] spec.behavior.scaleDown.policies[0].periodSeconds 3600 must be from 1 to 1800'],
  },
  {
    id: 'api-constraints-quota-scope-storage',
    mistake: 'a quota for non-best-effort pods that also caps ephemeral storage (a scope counts pods, cpu and memory only)',
    yaml: `apiVersion: v1
kind: ResourceQuota
metadata: {name: burstable, namespace: shop}
spec:
  scopes: [NotBestEffort]
  hard: {pods: "20", requests.cpu: "4", requests.ephemeral-storage: 10Gi}
`,
    expected: ['ResourceQuota shop/burstable: [api-constraints] spec.scopes[0] NotBestEffort cannot limit requests.ephemeral-storage: it counts pods, cpu and memory (and their requests. and limits.); move them to a quota without this scope'],
  },
  {
    id: 'api-constraints-quota-fractional-count',
    mistake: 'a quota whose pod count was written in millis, as if it were cpu',
    yaml: `apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: shop}
spec:
  hard: {pods: 2500m, requests.cpu: 2500m}
`,
    expected: ['ResourceQuota shop/quota: [api-constraints] spec.hard.pods "2500m" must be a whole number: pods counts objects or devices'],
  },
  {
    id: 'pod-spec-node-affinity-gt-values',
    mistake: 'a node affinity that keeps pods on nodes with more than 4 cores, written with two values for Gt',
    yaml: pod('', `  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions: [{key: example.com/cores, operator: Gt, values: ["4", "8"]}]`),
    expected: ['Pod shop/web: [pod-spec] affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values must hold exactly one value (an integer) for Gt'],
  },
  {
    id: 'api-constraints-admission-params-without-kind',
    mistake: 'an admission policy that reads its parameters, written without saying which kind holds them',
    yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replica-limit}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  validations:
    - expression: object.spec.replicas <= params.maxReplicas
`,
    expected: ['ValidatingAdmissionPolicy replica-limit: [api-constraints] spec.validations[0].expression reads params, but the policy has no spec.paramKind: the API server declares params only with one'],
  },
  {
    id: 'api-constraints-admission-binding-deny-warn',
    mistake: 'a policy binding that both denies and warns, to be sure',
    yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replica-limit}
spec:
  policyName: replica-limit
  validationActions: [Deny, Warn]
`,
    expected: ['ValidatingAdmissionPolicyBinding replica-limit: [api-constraints] spec.validationActions holds both Deny and Warn: a denied request already carries the message (keep Deny, or Warn with Audit)'],
  },
  {
    id: 'api-constraints-local-volume-without-node',
    mistake: 'a local PersistentVolume for a node disk, written without saying which node has the disk',
    yaml: `apiVersion: v1
kind: PersistentVolume
metadata: {name: ssd-node-1}
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local-ssd
  local: {path: /mnt/disks/ssd1}
`,
    expected: ['PersistentVolume ssd-node-1: [api-constraints] spec.nodeAffinity.required is required for a local volume (the node that has the disk)'],
  },
  {
    id: 'api-constraints-storage-class-recycle',
    mistake: 'a StorageClass that recycles released volumes (a PersistentVolume policy no provisioner offers)',
    yaml: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: scratch}
provisioner: rancher.io/local-path
reclaimPolicy: Recycle
`,
    expected: ['StorageClass scratch: [api-constraints] reclaimPolicy "Recycle" must be Delete or Retain (Recycle is not offered for provisioned volumes)'],
  },
  {
    id: 'api-constraints-ingress-relative-path',
    mistake: 'an Ingress Prefix path without its leading slash',
    yaml: `${pod('', '')}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: api, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`,
    expected: ['Ingress shop/web: [api-constraints] rule 0 path 0: path "api" must be an absolute path (start with /) for pathType Prefix'],
  },

  {
    id: 'api-constraints-job-restart-policy',
    mistake: 'a Job written like a Deployment pod (no restartPolicy: the default Always is refused)',
    yaml: `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  template:
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: migrate
        image: shop/migrate:1.0
        securityContext: ${SC}
        resources: ${RES}
`,
    expected: ['Job shop/migrate: [api-constraints] spec.template.spec.restartPolicy is not set (the pod default is Always): a Job\'s pods need OnFailure or Never, and the API server refuses the Job'],
  },

  {
    id: 'api-constraints-cron-day-seven',
    mistake: 'a CronJob scheduled for Sunday as day 7 (robfig/cron, which Kubernetes uses, counts 0-6) in a time zone spelled in lowercase',
    yaml: `apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  schedule: '0 3 * * 7'
  timeZone: europe/paris
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          securityContext: ${POD_SC}
          containers:
          - name: report
            image: shop/report:1.0
            securityContext: ${SC}
            resources: ${RES}
`,
    expected: [
      'CronJob shop/report: [api-constraints] spec.schedule "0 3 * * 7" field day of week "7": 7 is above the maximum 6',
      'CronJob shop/report: [api-constraints] spec.timeZone "europe/paris" is spelled Europe/Paris (time zone names are case-sensitive)',
    ],
  },

  {
    id: 'api-constraints-binding-to-service-account-kind',
    mistake: 'a RoleBinding whose roleRef names the ServiceAccount instead of the Role',
    yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ServiceAccount, name: web}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
`,
    expected: ['RoleBinding shop/web: [api-constraints] roleRef.kind "ServiceAccount" must be Role or ClusterRole'],
  },

  {
    id: 'api-constraints-limit-range-default-above-max',
    mistake: 'a LimitRange whose default limit was raised above its max',
    yaml: `apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: shop}
spec:
  limits:
  - type: Container
    default: {memory: 512Mi}
    defaultRequest: {memory: 128Mi}
    max: {memory: 256Mi}
`,
    expected: ['LimitRange shop/limits: [api-constraints] spec.limits[0].default.memory 512Mi is above max.memory 256Mi'],
  },

  // ---------------------------------------------------------------- object-meta
  {
    id: 'object-meta-label-value',
    mistake: 'a label value with a space and a version label with a "+" (semver build metadata)',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
  namespace: shop
  labels: {app.kubernetes.io/part-of: web shop, app.kubernetes.io/version: 1.0.0+build.5}
data: {LOG_LEVEL: info}
`,
    expected: [
      `ConfigMap shop/web-settings: [object-meta] metadata.labels "app.kubernetes.io/part-of": the value "web shop" must be empty or consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      `ConfigMap shop/web-settings: [object-meta] metadata.labels "app.kubernetes.io/version": the value "1.0.0+build.5" must be empty or consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    ],
  },
  {
    id: 'object-meta-selector-operator',
    mistake: 'a PodDisruptionBudget selecting with In but no values',
    yaml: `${pod('', '')}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  maxUnavailable: 1
  selector:
    matchExpressions: [{key: app, operator: In}]
`,
    expected: ['PodDisruptionBudget shop/web: [object-meta] spec.selector.matchExpressions[0]: operator In needs values'],
  },

  // ---------------------------------------------------------------- config-data
  {
    id: 'config-data-path-key',
    mistake: 'a ConfigMap key written as a path (keys become file names; mount items choose paths)',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: web-settings, namespace: shop}
data:
  conf.d/web.conf: 'listen 8080;'
`,
    expected: [`ConfigMap shop/web-settings: [config-data] data key "conf.d/web.conf" must consist of letters, digits, '-', '_' or '.' (it becomes a file name where the object is mounted)`],
  },
  {
    id: 'config-data-tls-secret-keys',
    mistake: 'an empty TLS Secret committed as a placeholder for the certificate to come',
    yaml: `apiVersion: v1
kind: Secret
metadata: {name: web-tls, namespace: shop}
type: kubernetes.io/tls
`,
    expected: [
      'Secret shop/web-tls: [config-data] type kubernetes.io/tls needs the key tls.crt',
      'Secret shop/web-tls: [config-data] type kubernetes.io/tls needs the key tls.key',
    ],
  },

  // ---------------------------------------------------------------- service-spec
  {
    id: 'service-spec-unnamed-ports',
    mistake: 'a second Service port added without names (and with the same port number)',
    yaml: `${pod('', '')}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: http}
  - {port: 80, targetPort: 8080}
`,
    expected: [
      'Service shop/web: [service-spec] port 0 (80) has no name: with more than one port, each needs one (a DNS-1123 label, e.g. http, metrics)',
      'Service shop/web: [service-spec] port 1 (80) has no name: with more than one port, each needs one (a DNS-1123 label, e.g. http, metrics)',
      'Service shop/web: [service-spec] port 1 (80/TCP) repeats port 0: each port number and protocol once',
    ],
  },

  {
    id: 'service-spec-headless-load-balancer',
    mistake: 'a headless Service (clusterIP None) turned into a LoadBalancer to publish it',
    yaml: `${pod('', '')}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`,
    expected: ['Service shop/web: [service-spec] clusterIP None (headless) is refused for type LoadBalancer: remove it, or make the Service a ClusterIP one'],
  },

  // ---------------------------------------------------------------- netpol-spec
  {
    id: 'netpol-spec-ipblock-with-selector',
    mistake: 'an ipBlock and a namespaceSelector in one peer (meant as two peers), with an exception outside the block',
    yaml: `${pod('', '')}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: edge}}
    ports: [{port: 8080, endPort: 8000}]
`,
    expected: [
      'NetworkPolicy shop/web: [netpol-spec] spec.ingress[0].ports[0].endPort 8000 must be at or above port 8080',
      'NetworkPolicy shop/web: [netpol-spec] spec.ingress[0].from[0] sets ipBlock with namespaceSelector: an ipBlock stands alone (use two peers)',
      'NetworkPolicy shop/web: [netpol-spec] spec.ingress[0].from[0].ipBlock.except[0] "10.1.0.0/24" must be a strict subset of the cidr "10.0.0.0/16"',
    ],
  },

  // ---------------------------------------------------------------- rbac-grant
  {
    id: 'rbac-grant-wildcard-role',
    mistake: 'a Role granting every verb on every resource ("just make it work")',
    yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- apiGroups: ['*']
  resources: ['*']
  verbs: ['*']
`,
    expected: [
      `Role shop/deployer: [rbac-grant] rule 0 grants every verb ("*"): ${RBAC_FIX}`,
      `Role shop/deployer: [rbac-grant] rule 0 grants every resource ("*"): ${RBAC_FIX}`,
    ],
  },
  {
    id: 'rbac-grant-cluster-admin',
    mistake: "cluster-admin bound to an app's ServiceAccount in its namespace",
    yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-admin, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
`,
    expected: [`RoleBinding shop/web-admin: [rbac-grant] binds ClusterRole cluster-admin (every verb on every resource of namespace shop): ${RBAC_FIX}`],
  },
  {
    id: 'rbac-grant-everyone',
    mistake: 'the view ClusterRole given to every authenticated user (it reads every ConfigMap of the cluster)',
    yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-viewers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: 'system:authenticated', apiGroup: rbac.authorization.k8s.io}]
`,
    expected: [`ClusterRoleBinding all-viewers: [rbac-grant] subject 0 (Group system:authenticated) gives ClusterRole view to every authenticated user and service account: ${RBAC_FIX}`],
  },

  // ---------------------------------------------------------------- netpol-selector
  {
    id: 'netpol-selector-typo',
    mistake: 'a NetworkPolicy that selects no pod',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: wbe}}
  policyTypes: [Ingress]
`,
    expected: ['NetworkPolicy shop/web-ingress: [netpol-selector] podSelector {"matchLabels":{"app":"wbe"}} matches no pod template in namespace shop'],
  },

  // ---------------------------------------------------------------- superuser-credential
  {
    id: 'superuser-credential-in-app-pod',
    mistake: "an app reads the database server's superuser password instead of its own role's",
    yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db}
      annotations: {${SUPERUSER}: db-auth/password}
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: db
        image: postgres:16.4-alpine
        securityContext: ${SC}
        resources: ${RES}
        readinessProbe: {exec: {command: [pg_isready]}}
        livenessProbe: {exec: {command: [pg_isready]}}
        env:
        - {name: POSTGRES_PASSWORD, valueFrom: {secretKeyRef: {name: db-auth, key: password}}}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: app
    image: shop/app:1.0
    securityContext: ${SC}
    resources: ${RES}
    env:
    - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db-auth, key: password}}}
`,
    expected: [
      `Pod shop/app: [superuser-credential] container app env DB_PASSWORD reads superuser credential db-auth/password (owned by StatefulSet shop/db): only its server and setup Jobs (annotation ${SETUP_POD}: <reason>) may mount it; give this pod its own identity`,
    ],
  },
  {
    id: 'superuser-credential-setup-deployment',
    mistake: 'a long-running Deployment marked as a setup pod to keep a superuser token (whole Secret via envFrom)',
    yaml: `apiVersion: v1
kind: Pod
metadata:
  name: consul
  namespace: shop
  annotations: {${SUPERUSER}: consul-mgmt/token}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: consul
    image: hashicorp/consul:1.19.2
    securityContext: ${SC}
    resources: ${RES}
    volumeMounts: [{name: mgmt, mountPath: /secrets, readOnly: true}]
  volumes: [{name: mgmt, secret: {secretName: consul-mgmt}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: shop}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata:
      labels: {app: admin}
      annotations: {${SETUP_POD}: creates tokens}
    spec:
      securityContext: ${POD_SC}
      containers:
      - name: admin
        image: hashicorp/consul:1.19.2
        securityContext: ${SC}
        resources: ${RES}
        readinessProbe: {exec: {command: [consul, members]}}
        livenessProbe: {exec: {command: [consul, members]}}
        envFrom: [{secretRef: {name: consul-mgmt}}]
`,
    expected: [
      `Deployment shop/admin: [superuser-credential] annotation ${SETUP_POD} is only for Jobs and CronJobs (pods that run to completion), not a Deployment`,
      `Deployment shop/admin: [superuser-credential] container admin envFrom reads superuser credential consul-mgmt/token (owned by Pod shop/consul): only its server and setup Jobs (annotation ${SETUP_POD}: <reason>) may mount it; give this pod its own identity`,
    ],
  },

  // ---------------------------------------------------------------- insecure-skip-verify
  {
    id: 'insecure-skip-verify-no-reason',
    mistake: 'a scrape job that skips certificate verification, with no reason given',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: prometheus-config, namespace: shop}
data:
  prometheus.yml: |
    scrape_configs:
      - job_name: kubelets
        scheme: https
        tls_config: {ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt, insecure_skip_verify: true}
        kubernetes_sd_configs: [{role: node}]
`,
    expected: [
      `ConfigMap shop/prometheus-config: [insecure-skip-verify] prometheus.yml: scrape_configs[0].tls_config.insecure_skip_verify skips TLS certificate verification without a reason: verify against the CA, or set annotation ${SKIP_VERIFY_REASON}: <why this peer's certificate cannot be verified>`,
    ],
  },

  // ---------------------------------------------------------------- audit-exemption
  {
    id: 'audit-exemption-without-reason',
    mistake: 'silencing kube-score and Polaris on a NetworkPolicy without saying why',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  securityContext: ${POD_SC}
  containers:
  - name: web
    image: nginx:1.27
    securityContext: ${SC}
    resources: ${RES}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
  annotations: {kube-score/ignore: networkpolicy-targets-pod, polaris.fairwinds.com/exempt: "true"}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
`,
    expected: [
      'NetworkPolicy shop/web: [audit-exemption] kube-score check networkpolicy-targets-pod is ignored without a reason: add annotation exemption.platform.dockercoins.io/kube-score.networkpolicy-targets-pod: <why the manifest is right and the tool cannot know it>',
      'NetworkPolicy shop/web: [audit-exemption] Polaris exemption of every check without a reason: add annotation exemption.platform.dockercoins.io/polaris.exempt: <why the manifest is right and the tool cannot know it>',
    ],
  },

  // ---------------------------------------------------------------- several at once
  {
    id: 'several-rules-one-pod',
    mistake: 'a quick hand-written pod: latest image, no security settings, memory in millibytes',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
  containers:
  - name: debug
    image: busybox
    resources: {requests: {cpu: 10m, memory: 16m}, limits: {cpu: 100m, memory: 64Mi}}
`,
    expected: [
      'Pod shop/debug: [pod-security] restricted: container debug: securityContext.allowPrivilegeEscalation must be false (allow-privilege-escalation)',
      'Pod shop/debug: [pod-security] restricted: container debug: securityContext.capabilities.drop must include ALL (capabilities)',
      'Pod shop/debug: [pod-security] restricted: runAsNonRoot must be true in the pod securityContext or in every container (missing in debug) (run-as-non-root)',
      'Pod shop/debug: [pod-security] restricted: seccompProfile.type must be RuntimeDefault or Localhost in the pod securityContext or in every container (missing in debug) (seccomp)',
      'Pod shop/debug: [hardening] container debug: securityContext.readOnlyRootFilesystem must be true (read-only-root-filesystem)',
      'Pod shop/debug: [hardening] container debug: runAsUser must be set to a number (pod or container securityContext) (explicit-run-as-user)',
      'Pod shop/debug: [hardening] container debug: runAsGroup must be set to a number (pod or container securityContext) (explicit-run-as-group)',
      'Pod shop/debug: [quantities] container debug resources.requests.memory "16m" has the suffix m (milli-, 1/1000 byte); for mebibytes write 16Mi',
      'Pod shop/debug: [image-tag] container debug image busybox has no tag (pulls latest)',
    ],
  },
];
