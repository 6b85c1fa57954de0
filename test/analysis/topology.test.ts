import * as path from 'path';
import { K8sObject, loadManifests } from '../../src/analysis/objects';
import { renderTopology } from '../../src/analysis/topology';

const STACK = path.join(__dirname, '..', 'fixtures', 'analysis', 'stack');

/** The fixture plus a Traefik controller in its own namespace, reachable from outside. */
function stack(): K8sObject[] {
  const traefik: K8sObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'traefik', namespace: 'traefik' },
    spec: {
      selector: { matchLabels: { app: 'traefik' } },
      template: { metadata: { labels: { app: 'traefik' } }, spec: { containers: [{ name: 'traefik', image: 'traefik:v3.1', ports: [{ name: 'web', containerPort: 8000 }, { name: 'metrics', containerPort: 9100 }] }] } },
    },
  };
  const policy: K8sObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web-from-anywhere', namespace: 'traefik' },
    spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 'web' }] }] },
  };
  return [...loadManifests([STACK]), traefik, policy, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'traefik' } }];
}

describe('renderTopology', () => {
  const md = renderTopology(stack(), 'DockerCoins (test)');
  const has = (line: string) => md.split('\n').map((l) => l.trim()).includes(line);

  it('is a Markdown document with one Mermaid flowchart', () => {
    expect(md.startsWith('# DockerCoins (test)\n')).toBe(true);
    expect(md.match(/```mermaid\nflowchart LR\n/g)).toHaveLength(1);
    expect(md.trimEnd().endsWith('```')).toBe(true);
  });

  it('groups workloads and Services by namespace', () => {
    expect(md).toMatch(/subgraph ns_dockercoins\["namespace dockercoins"\]\n(\s{4}.*\n)*\s{4}w_dockercoins_worker\["Deployment worker"\]\n\s{2}end/);
    expect(has('subgraph ns_traefik["namespace traefik"]')).toBe(true);
    expect(has('s_dockercoins_redis[/"svc redis :6379"/]')).toBe(true);
  });

  it('draws Ingress host -> Service and Service -> selected workload', () => {
    expect(has('h_dockercoins_example_com{{"host dockercoins.example.com"}}')).toBe(true);
    expect(has('h_dockercoins_example_com -->|"/"| s_dockercoins_webui')).toBe(true);
    expect(has('s_dockercoins_hasher -.-> w_dockercoins_hasher')).toBe(true);
    expect(has('s_dockercoins_rng -.-> w_dockercoins_rng')).toBe(true);
    // a Service only points at what it selects
    expect(md).not.toContain('s_dockercoins_hasher -.-> w_dockercoins_rng');
  });

  it('draws exactly the allowed network flows', () => {
    for (const edge of [
      'w_dockercoins_worker ==>|"80/TCP"| w_dockercoins_hasher',
      'w_dockercoins_worker ==>|"80/TCP"| w_dockercoins_rng',
      'w_dockercoins_worker ==>|"6379/TCP"| w_dockercoins_redis',
      'w_dockercoins_webui ==>|"6379/TCP"| w_dockercoins_redis',
      // webui admits the traefik namespace; traefik's egress is unrestricted
      'w_traefik_traefik ==>|"80/TCP"| w_dockercoins_webui',
      // only the named port "web" is open to the outside, not metrics
      'external ==>|"8000/TCP"| w_traefik_traefik',
      'external(("external"))',
    ]) {
      expect({ edge, present: has(edge) }).toEqual({ edge, present: true });
    }
    for (const absent of ['w_dockercoins_webui ==>|"80/TCP"| w_dockercoins_hasher', 'w_dockercoins_hasher ==>', 'external ==>|"8000/TCP, 9100/TCP"|', 'w_dockercoins_worker ==>|"80/TCP"| w_dockercoins_webui', '==>|"9100/TCP"|']) {
      expect({ absent, found: md.includes(absent) }).toEqual({ absent, found: false });
    }
  });

  it('merges several ports between the same pair into one edge', () => {
    const objs = stack();
    objs.find((o) => o.metadata.name === 'web-from-anywhere')!.spec.ingress[0].ports.push({ port: 'metrics' });
    expect(renderTopology(objs, 't')).toContain('external ==>|"8000/TCP, 9100/TCP"| w_traefik_traefik');
  });

  it('is deterministic regardless of input order', () => {
    expect(renderTopology([...stack()].reverse(), 'DockerCoins (test)')).toBe(md);
  });

  it('shows an Ingress backend without Service as a missing node', () => {
    const objs = stack().filter((o) => !(o.kind === 'Service' && o.metadata.name === 'webui'));
    const out = renderTopology(objs, 't');
    expect(out).toContain('[/"missing svc dockercoins/webui"/]');
  });

  it('escapes quotes in labels', () => {
    const objs = stack();
    objs.find((o) => o.kind === 'Ingress')!.spec.rules[0].http.paths[0].path = '/"x"';
    expect(renderTopology(objs, 't')).toContain('-->|"/#quot;x#quot;"| s_dockercoins_webui');
  });
});
