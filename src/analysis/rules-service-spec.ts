/**
 * `service-spec`: what the API server's Service validation refuses and the
 * OpenAPI schema cannot express (kubernetes/kubernetes
 * pkg/apis/core/validation/validation.go, ValidateService and validateServicePort):
 *  - with more than one port, every port has a name; names are DNS-1123
 *    labels and unique;
 *  - no two ports share a port number and protocol (TCP when not written);
 *  - a targetPort given by name is an IANA service name (IsValidPortName);
 *  - ports, unless headless (clusterIP None) or ExternalName;
 *  - by type (ClusterIP when not written): no clusterIP None for NodePort and
 *    LoadBalancer; for ExternalName no clusterIP and an externalName that is
 *    a DNS-1123 subdomain (one trailing dot allowed); no nodePort for
 *    ClusterIP, each nodePort and protocol once; loadBalancerSourceRanges and
 *    allocateLoadBalancerNodePorts only for LoadBalancer; externalTrafficPolicy
 *    only when externally accessible (NodePort, LoadBalancer, externalIPs);
 *    healthCheckNodePort only for LoadBalancer with externalTrafficPolicy
 *    Local; no sessionAffinityConfig without ClientIP affinity
 *    (validateServiceExternalTrafficPolicy and the rest of ValidateService);
 *  - port, targetPort and nodePort numbers 1-65535 (a targetPort 0 is
 *    defaulted to the port), protocols TCP, UDP or SCTP, sessionAffinity None
 *    or ClientIP with a timeout of 1-86400 seconds, loadBalancerSourceRanges
 *    CIDRs (validateServicePort, supportedPortProtocols,
 *    MaxClientIPServiceAffinitySeconds, ValidateService).
 */
import { parseCidrSloppy } from '../../constructs/lib/cidr';
import { isRecord, K8sObject } from './objects';
import { isDns1123Subdomain, isPortNumber, nameProblem, portNameProblems } from './rules-names';

export function checkServiceSpec(o: K8sObject): string[] {
  if (o.kind !== 'Service' || o.apiVersion !== 'v1') return [];
  const ports: Array<Record<string, any>> = Array.isArray(o.spec?.ports) ? o.spec.ports.filter(isRecord) : [];
  const out: string[] = [];
  const names = new Set<string>();
  const numbers = new Map<string, number>();
  ports.forEach((p, i) => {
    const name = typeof p.name === 'string' ? p.name : '';
    const invalid = name === '' ? undefined : nameProblem(`port ${i} name`, name, 'dns1123-label');
    if (name === '') {
      if (ports.length > 1) out.push(`port ${i} (${p.port}) has no name: with more than one port, each needs one (a DNS-1123 label, e.g. http, metrics)`);
    } else if (invalid) {
      out.push(invalid);
    } else if (names.has(name)) {
      out.push(`port ${i} name "${name}" is used by an earlier port`);
    }
    if (name !== '') names.add(name);
    const key = `${p.port}/${typeof p.protocol === 'string' ? p.protocol : 'TCP'}`;
    const earlier = numbers.get(key);
    if (earlier !== undefined) out.push(`port ${i} (${key}) repeats port ${earlier}: each port number and protocol once`);
    else numbers.set(key, i);
    for (const field of ['port', 'targetPort', 'nodePort'] as const) {
      const n = p[field];
      // targetPort 0 and nodePort 0 mean "not given" (defaulted to the port, allocated).
      if (typeof n === 'number' && !(n === 0 && field !== 'port') && !isPortNumber(n)) out.push(`port ${i} ${field} ${n} must be from 1 to 65535`);
    }
    if (set(p.protocol) && !PROTOCOLS.includes(String(p.protocol))) out.push(`port ${i} protocol ${JSON.stringify(p.protocol)} must be TCP, UDP or SCTP`);
    if (typeof p.targetPort === 'string') {
      const problems = portNameProblems(p.targetPort);
      if (problems.length > 0) out.push(`port ${i} targetPort "${p.targetPort}" ${problems.join(', ')} (a port name of the pods, an IANA service name)`);
    }
  });
  return [...out, ...typeProblems(isRecord(o.spec) ? o.spec : {}, ports)];
}

const set = (v: unknown) => v !== undefined && v !== null;
/** supportedPortProtocols. */
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
/** core MaxClientIPServiceAffinitySeconds. */
const MAX_AFFINITY_SECONDS = 86400;

/** The rules of ValidateService that depend on the Service type (defaulted to ClusterIP, as the server validates after defaulting). */
function typeProblems(spec: Record<string, any>, ports: Array<Record<string, any>>): string[] {
  const out: string[] = [];
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  const headless = spec.clusterIP === 'None' || (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === 'None');
  if (ports.length === 0 && !headless && type !== 'ExternalName') out.push('has no ports: a Service needs at least one (unless headless, clusterIP None, or of type ExternalName)');
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) out.push(`clusterIP None (headless) is refused for type ${type}: remove it, or make the Service a ClusterIP one`);
  if (type === 'ExternalName') {
    if ((typeof spec.clusterIP === 'string' && spec.clusterIP !== '') || (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0)) out.push('type ExternalName takes no clusterIP: remove it');
    const name = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
    if (name === '') out.push('type ExternalName needs spec.externalName (the DNS name the Service stands for)');
    else if (!isDns1123Subdomain(name)) out.push(`spec.externalName ${JSON.stringify(spec.externalName)} must be a DNS name (lowercase letters, digits, '-' and '.', at most 253 characters)`);
  }
  const nodePorts = new Map<string, number>();
  ports.forEach((p, i) => {
    if (!set(p.nodePort) || p.nodePort === 0) return;
    if (type === 'ClusterIP') out.push(`port ${i} sets nodePort ${p.nodePort}, which type ClusterIP does not take (use type NodePort, or remove it)`);
    const key = `${p.nodePort}/${typeof p.protocol === 'string' ? p.protocol : 'TCP'}`;
    const earlier = nodePorts.get(key);
    if (earlier !== undefined) out.push(`port ${i} nodePort ${key} repeats port ${earlier}'s: each nodePort and protocol once`);
    else nodePorts.set(key, i);
  });
  for (const field of ['loadBalancerSourceRanges', 'allocateLoadBalancerNodePorts']) {
    const given = field === 'loadBalancerSourceRanges' ? Array.isArray(spec[field]) && spec[field].length > 0 : set(spec[field]);
    if (given && type !== 'LoadBalancer') out.push(`spec.${field} is set on a Service of type ${type}: only type LoadBalancer takes it`);
  }
  const externallyAccessible = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (set(spec.externalTrafficPolicy) && spec.externalTrafficPolicy !== '' && !externallyAccessible) {
    out.push(`spec.externalTrafficPolicy is set on a Service of type ${type} without externalIPs: only externally accessible Services (NodePort, LoadBalancer) take it`);
  }
  if (set(spec.healthCheckNodePort) && spec.healthCheckNodePort !== 0 && !(type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    out.push('spec.healthCheckNodePort is set: only a LoadBalancer Service with externalTrafficPolicy Local takes it');
  }
  if (set(spec.sessionAffinityConfig) && spec.sessionAffinity !== 'ClientIP') out.push('spec.sessionAffinityConfig is set without sessionAffinity ClientIP: set the affinity, or remove the config');
  if (set(spec.sessionAffinity) && spec.sessionAffinity !== 'None' && spec.sessionAffinity !== 'ClientIP') out.push(`spec.sessionAffinity ${JSON.stringify(spec.sessionAffinity)} must be None or ClientIP`);
  const timeout = isRecord(spec.sessionAffinityConfig) && isRecord(spec.sessionAffinityConfig.clientIP) ? spec.sessionAffinityConfig.clientIP.timeoutSeconds : undefined;
  if (typeof timeout === 'number' && (timeout < 1 || timeout > MAX_AFFINITY_SECONDS)) out.push(`spec.sessionAffinityConfig.clientIP.timeoutSeconds ${timeout} must be from 1 to ${MAX_AFFINITY_SECONDS}`);
  (Array.isArray(spec.loadBalancerSourceRanges) ? spec.loadBalancerSourceRanges : []).forEach((r: unknown, i: number) => {
    if (typeof r === 'string' && parseCidrSloppy(r.trim()) === undefined) out.push(`spec.loadBalancerSourceRanges[${i}] ${JSON.stringify(r)} is not a CIDR (e.g. 203.0.113.0/24)`);
  });
  return out;
}
