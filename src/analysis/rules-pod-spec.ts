/**
 * `pod-spec`: what the API server's pod validation refuses and the OpenAPI
 * schema cannot express, for every pod and pod template:
 *  - container names: DNS-1123 labels, unique across containers, init and
 *    ephemeral containers (validateContainers, validateInitContainers:
 *    "Duplicate value");
 *  - container port names: IANA service names (at most 15 characters of a-z,
 *    0-9 and '-', at least one letter, no leading, trailing or double '-'),
 *    unique within a container (validateContainerPorts, IsValidPortName);
 *  - volume names: DNS-1123 labels, unique (ValidateVolumes);
 *  - volumeMounts: naming a volume of the pod, each mountPath once per
 *    container (ValidateVolumeMounts: "Not found", "must be unique").
 *  - ports, env, probes, lifecycle hooks and volume sources (rules-pod-fields.ts).
 * Encoded from kubernetes/kubernetes pkg/apis/core/validation/validation.go and
 * k8s.io/apimachinery pkg/util/validation (IsValidPortName).
 */
import { allContainers, describeContainer, isRecord, PodTemplate } from './objects';
import { nameProblem, portNameProblems } from './rules-names';
import { checkPodFields } from './rules-pod-fields';

/**
 * The problems of one pod template. `claimTemplates`: the volumeClaimTemplates of a StatefulSet,
 * which its controller adds to each pod as volumes. (The API server does not validate a
 * StatefulSet's pod spec at all, validation.go ValidatePodTemplateSpecForStatefulSet: these
 * mistakes surface later, as pods the controller cannot create.)
 */
export function checkPodSpec(tpl: PodTemplate, claimTemplates: unknown = []): string[] {
  const spec = tpl.spec;
  const out: string[] = [];
  const containers = allContainers(spec);

  const seen = new Map<string, string>();
  for (const ref of containers) {
    const name = ref.container.name;
    if (typeof name !== 'string') continue;
    const invalid = nameProblem('name', name, 'dns1123-label');
    if (invalid) out.push(`${describeContainer(ref)}: ${invalid}`);
    const earlier = seen.get(name);
    if (earlier) out.push(`${describeContainer(ref)}: the name is already used by the ${earlier}; names are unique across containers, init and ephemeral containers`);
    else seen.set(name, describeContainer(ref));
  }

  const volumes = Array.isArray(spec.volumes) ? spec.volumes.filter(isRecord) : [];
  const volumeNames = new Set<string>();
  volumes.forEach((v, i) => {
    if (typeof v.name !== 'string') return;
    const invalid = nameProblem(`volume ${i} name`, v.name, 'dns1123-label');
    if (invalid) out.push(invalid);
    if (volumeNames.has(v.name)) out.push(`volume ${i}: the name "${v.name}" is used by an earlier volume`);
    volumeNames.add(v.name);
  });
  // A claim template's volume replaces a pod volume of its name (the StatefulSet controller's updateStorage).
  const claims = Array.isArray(claimTemplates) ? claimTemplates.filter(isRecord) : [];
  for (const c of claims) if (isRecord(c.metadata) && typeof c.metadata.name === 'string') volumeNames.add(c.metadata.name);

  for (const ref of containers) {
    const who = describeContainer(ref);
    const ports = Array.isArray(ref.container.ports) ? ref.container.ports.filter(isRecord) : [];
    const portNames = new Set<string>();
    ports.forEach((p, i) => {
      if (typeof p.name !== 'string' || p.name === '') return;
      const problems = portNameProblems(p.name);
      if (problems.length > 0) out.push(`${who}: port ${i} name "${p.name}" ${problems.join(', ')} (an IANA service name)`);
      else if (portNames.has(p.name)) out.push(`${who}: port ${i} name "${p.name}" is used by an earlier port of the container`);
      portNames.add(p.name);
    });
    const mounts = Array.isArray(ref.container.volumeMounts) ? ref.container.volumeMounts.filter(isRecord) : [];
    const paths = new Set<string>();
    mounts.forEach((m, i) => {
      if (typeof m.name === 'string' && !volumeNames.has(m.name)) {
        out.push(`${who}: volumeMount ${i} names volume "${m.name}", which the pod does not declare (volumes: ${[...volumeNames].join(', ') || 'none'})`);
      }
      if (typeof m.mountPath === 'string') {
        if (paths.has(m.mountPath)) out.push(`${who}: volumeMount ${i} mountPath ${m.mountPath} is mounted by an earlier volumeMount of the container`);
        paths.add(m.mountPath);
      }
    });
  }
  return [...out, ...checkPodFields(spec)];
}
