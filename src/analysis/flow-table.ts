/**
 * Who can reach what, as a Markdown table: every workload port and the
 * sources the rendered NetworkPolicies admit to it (the same flow model as
 * topology.md and the invariants). docs/security.md embeds the prod table;
 * test/security/security-doc.test.ts keeps it equal to dist/prod.
 */
import { allowedFlows, NetworkModelOptions } from './network';
import { compareStrings, K8sObject } from './objects';

/** A Job's name without the template hash HardenedJob appends (`consul-acl-setup-1a2b3c4d` -> `consul-acl-setup`). */
const stable = (name: string) => name.replace(/-[0-9a-f]{8}$/, '');

export function flowTable(objects: K8sObject[], options: NetworkModelOptions = {}): string {
  const jobs = new Set(objects.filter(o => o.kind === 'Job').map(o => `${o.metadata.namespace}/${o.metadata.name}`));
  const label = (name: string) => (jobs.has(name) ? `${stable(name)} (Job)` : name);
  const rows = new Map<string, Set<string>>();
  for (const f of allowedFlows(objects, options)) {
    const key = `${label(f.to.name!)}\u0000${f.port}/${f.protocol ?? 'TCP'}`;
    const from = f.from === 'external' ? 'outside the cluster (ipBlock)' : label(f.from.name!);
    rows.set(key, (rows.get(key) ?? new Set()).add(from));
  }
  const lines = ['| to (namespace/workload) | port | admitted from |', '| --- | --- | --- |'];
  for (const key of [...rows.keys()].sort(compareStrings)) {
    const [to, port] = key.split('\u0000');
    lines.push(`| ${to} | ${port} | ${[...rows.get(key)!].sort(compareStrings).join(', ')} |`);
  }
  return lines.join('\n');
}
