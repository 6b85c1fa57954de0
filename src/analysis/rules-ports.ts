/**
 * Port references that fail only at run time:
 *  - `service-target-port`: a Service `targetPort` (a name, a number, or by
 *    default the `port`) that no container of the selected pods declares for
 *    that protocol. Kubernetes sends traffic to an undeclared numeric port
 *    anyway, but in this project every listening port is declared, so an
 *    undeclared one is a typo or a stale number; an unresolved name leaves
 *    the Service without endpoints.
 *  - `probe-port`: a probe whose port is a name the container does not
 *    declare (the kubelet fails the probe, so the pod never becomes ready or
 *    is restarted). Numeric probe ports are not checked: a probe may hit an
 *    undeclared port (an admin or health port), which Kubernetes allows.
 */
import { K8sObject, allContainers, compareStrings, describeContainer, isRecord } from './objects';
import { matchesSelector } from './network';

/** A declared container port. */
export interface DeclaredPort {
  name?: string;
  containerPort: number;
  protocol: string;
}

/** Ports declared by the containers and init containers (sidecars) of a pod spec. */
export function declaredPorts(podSpec: Record<string, any>): DeclaredPort[] {
  const out: DeclaredPort[] = [];
  for (const { container, list } of allContainers(podSpec)) {
    if (list === 'ephemeralContainers') continue; // ephemeral containers cannot declare ports
    for (const p of Array.isArray(container.ports) ? container.ports : []) {
      if (!isRecord(p) || typeof p.containerPort !== 'number') continue;
      out.push({ ...(typeof p.name === 'string' ? { name: p.name } : {}), containerPort: p.containerPort, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP' });
    }
  }
  return out;
}

function describePorts(ports: DeclaredPort[]): string {
  const all = [...new Set(ports.map((p) => `${p.name !== undefined ? `${p.name}=` : ''}${p.containerPort}/${p.protocol}`))].sort(compareStrings);
  return all.length > 0 ? all.join(', ') : 'none';
}

/** A pod template's labels and declared ports, by namespace. */
export interface PodPorts {
  namespace: string;
  labels: Record<string, string>;
  ports: DeclaredPort[];
}

/** Every port of a Service resolves in some selected pod (Services without selector or of type ExternalName are skipped). */
export function checkServiceTargetPorts(svc: K8sObject, namespace: string, pods: PodPorts[]): string[] {
  const selector = svc.spec?.selector;
  if (!isRecord(selector) || Object.keys(selector).length === 0 || svc.spec?.type === 'ExternalName') return [];
  const selected = pods.filter((p) => p.namespace === namespace && matchesSelector({ matchLabels: selector }, p.labels));
  if (selected.length === 0) return []; // reported by service-selector
  const declared = selected.flatMap((p) => p.ports);
  const out: string[] = [];
  for (const sp of Array.isArray(svc.spec?.ports) ? svc.spec.ports : []) {
    if (!isRecord(sp)) continue;
    const target = sp.targetPort ?? sp.port;
    const protocol = typeof sp.protocol === 'string' ? sp.protocol : 'TCP';
    const same = declared.filter((d) => d.protocol === protocol);
    if (typeof target === 'number') {
      if (!same.some((d) => d.containerPort === target)) {
        out.push(`port ${sp.port}: no selected pod declares containerPort ${target}/${protocol} (declared: ${describePorts(declared)})`);
      }
    } else if (typeof target === 'string') {
      if (!same.some((d) => d.name === target)) {
        out.push(`port ${sp.port}: no selected pod declares a port named ${JSON.stringify(target)} for ${protocol} (declared: ${describePorts(declared)})`);
      }
    }
  }
  return out;
}

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

/** Named probe ports resolve among the ports of the probe's own container. */
export function checkProbePorts(podSpec: Record<string, any>): string[] {
  const out: string[] = [];
  for (const ref of allContainers(podSpec)) {
    if (ref.list === 'ephemeralContainers') continue; // no probes allowed
    const c = ref.container;
    const names = (Array.isArray(c.ports) ? c.ports : []).filter((p: unknown) => isRecord(p) && typeof p.name === 'string').map((p: any) => p.name as string);
    for (const probe of PROBES) {
      if (!isRecord(c[probe])) continue;
      // grpc.port is an integer only: nothing to resolve
      for (const handler of ['httpGet', 'tcpSocket'] as const) {
        const port = c[probe][handler]?.port;
        if (typeof port !== 'string' || names.includes(port)) continue;
        const declared = names.length > 0 ? [...new Set(names)].sort(compareStrings).join(', ') : 'none';
        out.push(`${describeContainer(ref)} ${probe}.${handler}.port ${JSON.stringify(port)} is not a port name of the container (declared: ${declared})`);
      }
    }
  }
  return out;
}
