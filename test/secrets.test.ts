import { loadEnvironment, ENVIRONMENTS } from '../src/config';
import { renderCharts } from '../src/render';
import { secretInventory } from '../src/secrets';

/**
 * Every Secret a pod or an Ingress reads is either rendered (none are: no
 * secret in git) or listed in the environment's SECRETS.md (issue 12: the list
 * is complete, from the model).
 */
describe.each(Object.keys(ENVIRONMENTS))('secrets of %s', env => {
  const charts = renderCharts(loadEnvironment(env));
  const listed = new Set(secretInventory(charts).map(s => `${s.namespace}/${s.name}`));
  const objects = charts.flatMap(c => c.objects);

  test('no Secret object is rendered', () => {
    expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
  });

  test('every Secret read by a pod or an Ingress is listed', () => {
    const read: string[] = [];
    for (const o of objects) {
      const ns = o.metadata.namespace;
      for (const t of o.kind === 'Ingress' ? o.spec.tls ?? [] : []) read.push(`${ns}/${t.secretName}`);
      const pod = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
      if (!pod) continue;
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) read.push(`${ns}/${e.valueFrom.secretKeyRef.name}`);
        for (const e of c.envFrom ?? []) if (e.secretRef) read.push(`${ns}/${e.secretRef.name}`);
      }
      for (const v of pod.volumes ?? []) if (v.secret) read.push(`${ns}/${v.secret.secretName}`);
    }
    expect(read.filter(r => !listed.has(r))).toEqual([]);
  });

  test('every listed Secret is read by something (no stale entries)', () => {
    for (const s of secretInventory(charts)) expect([`${s.namespace}/${s.name}`, s.usedBy.length > 0]).toEqual([`${s.namespace}/${s.name}`, true]);
  });
});

test('prod lists its Ingress TLS Secrets as issued by cert-manager, or as provided outside the model with source external', () => {
  const issued = secretInventory(renderCharts(loadEnvironment('prod'))).filter(s => s.certificate?.purpose === 'ingress');
  expect(issued.map(s => [`${s.namespace}/${s.name}`, s.source])).toEqual([['dockercoins/dockercoins-tls', 'cert-manager'], ['logging/kibana-tls', 'cert-manager'], ['monitoring/grafana-tls', 'cert-manager']]);
  const external = secretInventory(renderCharts(loadEnvironment('prod', { certificates: { source: 'external' } }))).filter(s => s.certificate?.purpose === 'ingress');
  expect(external.map(s => [`${s.namespace}/${s.name}`, s.source, s.certificate!.keys])).toEqual([['dockercoins/dockercoins-tls', 'external', ['tls.crt', 'tls.key']], ['logging/kibana-tls', 'external', ['tls.crt', 'tls.key']], ['monitoring/grafana-tls', 'external', ['tls.crt', 'tls.key']]]);
});
