/**
 * `service-spec`: what the API server's Service validation refuses and the
 * OpenAPI schema cannot express (kubernetes/kubernetes
 * pkg/apis/core/validation/validation.go, ValidateService and validateServicePort):
 *  - with more than one port, every port has a name; names are DNS-1123
 *    labels and unique;
 *  - no two ports share a port number and protocol (TCP when not written);
 *  - a targetPort given by name is an IANA service name (IsValidPortName).
 */
import { isRecord, K8sObject } from './objects';
import { portNameProblems } from './rules-pod-spec';
import { nameProblem } from './rules-names';

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
    if (typeof p.targetPort === 'string') {
      const problems = portNameProblems(p.targetPort);
      if (problems.length > 0) out.push(`port ${i} targetPort "${p.targetPort}" ${problems.join(', ')} (a port name of the pods, an IANA service name)`);
    }
  });
  return out;
}
