/**
 * A Markdown document with a Mermaid diagram of the stack: workloads grouped
 * by namespace, the Services in front of them, the Ingress hosts routing to
 * the Services, and the connections NetworkPolicies allow between workloads.
 *
 * Output is deterministic (sorted everywhere) so it can be committed and
 * reviewed as a diff.
 */
import { K8sObject, compareStrings, isRecord, namespaceOf, workloadsOf } from './objects';
import { allowedFlows, matchesSelector, NetworkModelOptions } from './network';

/** Mermaid-safe node ids, unique per logical key. */
class Ids {
  private readonly byKey = new Map<string, string>();
  private readonly used = new Set<string>();

  get(key: string): string {
    let id = this.byKey.get(key);
    if (id) return id;
    const base = key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'n';
    id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}_${i}`;
    this.used.add(id);
    this.byKey.set(key, id);
    return id;
  }
}

/** Text inside a quoted Mermaid label. */
function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

interface WorkloadNode {
  id: string;
  namespace: string;
  name: string;
  kind: string;
  labels: Record<string, string>;
}

/**
 * Renders the topology of `objects` as Markdown with a Mermaid
 * `flowchart LR`. Edges: Ingress host -> Service (labelled with the path),
 * Service -.-> selected workloads, workload -> workload for allowed network
 * flows (labelled `port/protocol`, several ports merged), and
 * `external` -> workload when ingress from outside the cluster is allowed.
 */
export function renderTopology(objects: K8sObject[], title: string, options: NetworkModelOptions = {}): string {
  const ids = new Ids();
  const workloads: WorkloadNode[] = workloadsOf(objects).map(({ object: o, template, namespace }) => (
    { id: ids.get(`w ${namespace} ${o.metadata.name}`), namespace, name: o.metadata.name, kind: o.kind, labels: template.metadata.labels ?? {} }));
  const services = objects
    .filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')
    .map((o) => ({ o, namespace: namespaceOf(o) ?? 'default', id: ids.get(`s ${namespaceOf(o)} ${o.metadata.name}`) }));
  const byName = (a: { namespace: string; o?: K8sObject; name?: string }, b: typeof a) =>
    compareStrings(a.namespace, b.namespace) || compareStrings(a.name ?? a.o!.metadata.name, b.name ?? b.o!.metadata.name);
  workloads.sort(byName);
  services.sort(byName);

  const lines: string[] = ['flowchart LR'];
  const namespaces = [...new Set([...workloads.map((w) => w.namespace), ...services.map((s) => s.namespace)])].sort(compareStrings);
  for (const ns of namespaces) {
    lines.push(`  subgraph ${ids.get(`ns ${ns}`)}[${label(`namespace ${ns}`)}]`);
    for (const s of services.filter((x) => x.namespace === ns)) {
      const ports = (Array.isArray(s.o.spec?.ports) ? s.o.spec.ports : []).map((p: any) => p?.port).filter((p: unknown) => p !== undefined);
      lines.push(`    ${s.id}[/${label(`svc ${s.o.metadata.name}${ports.length ? ` :${ports.join(',')}` : ''}`)}/]`);
    }
    for (const w of workloads.filter((x) => x.namespace === ns)) lines.push(`    ${w.id}[${label(`${w.kind} ${w.name}`)}]`);
    lines.push('  end');
  }

  const edges = new Set<string>();
  // Ingress host -> Service
  const hosts = new Map<string, string>();
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    const ns = namespaceOf(ing) ?? 'default';
    const rules: any[] = Array.isArray(ing.spec?.rules) ? ing.spec.rules : [];
    const targets: Array<{ host: string; path: string; service: string }> = [];
    for (const r of rules) {
      for (const p of Array.isArray(r?.http?.paths) ? r.http.paths : []) {
        if (isRecord(p?.backend?.service)) targets.push({ host: r.host ?? '*', path: p.path ?? '/', service: p.backend.service.name });
      }
    }
    if (isRecord(ing.spec?.defaultBackend?.service)) targets.push({ host: '*', path: '(default)', service: ing.spec.defaultBackend.service.name });
    for (const t of targets) {
      const hostId = ids.get(`h ${t.host}`);
      hosts.set(hostId, t.host);
      const svc = services.find((s) => s.namespace === ns && s.o.metadata.name === t.service);
      // A missing Service is drawn as a dangling node so the mistake is visible.
      const svcId = svc ? svc.id : ids.get(`s ${ns} ${t.service}`);
      if (!svc) lines.push(`  ${svcId}[/${label(`missing svc ${ns}/${t.service}`)}/]`);
      edges.add(`  ${hostId} -->|${label(t.path)}| ${svcId}`);
    }
  }
  for (const [id, host] of [...hosts].sort((a, b) => compareStrings(a[1], b[1]))) lines.push(`  ${id}{{${label(`host ${host}`)}}}`);

  // Service -.-> workloads it selects
  for (const s of services) {
    const selector = s.o.spec?.selector;
    if (!isRecord(selector) || Object.keys(selector).length === 0) continue;
    for (const w of workloads) {
      if (w.namespace === s.namespace && matchesSelector({ matchLabels: selector }, w.labels)) edges.add(`  ${s.id} -.-> ${w.id}`);
    }
  }

  // Allowed flows, one edge per (source, destination) with merged ports.
  const flowPorts = new Map<string, string[]>();
  for (const f of allowedFlows(objects, options)) {
    const from = f.from === 'external' ? ids.get('external') : ids.get(`w ${f.from.namespace} ${f.from.name!.slice(f.from.namespace.length + 1)}`);
    const to = ids.get(`w ${f.to.namespace} ${f.to.name!.slice(f.to.namespace.length + 1)}`);
    const key = `${from} ${to}`;
    flowPorts.set(key, [...(flowPorts.get(key) ?? []), `${f.port}/${f.protocol}`]);
  }
  if ([...flowPorts.keys()].some((k) => k.startsWith(`${ids.get('external')} `))) lines.push(`  ${ids.get('external')}((${label('external')}))`);
  for (const [key, ports] of flowPorts) {
    const [from, to] = key.split(' ');
    edges.add(`  ${from} ==>|${label(ports.join(', '))}| ${to}`);
  }

  lines.push(...[...edges].sort(compareStrings));
  return [
    `# ${title}`,
    '',
    'Solid arrows: Ingress routes; dotted: Service selects workload; thick: connections allowed by NetworkPolicies (port/protocol).',
    '',
    '```mermaid',
    ...lines,
    '```',
    '',
  ].join('\n');
}
