/** @jest-environment node */
import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment } from '../../src/config';
import { renderCharts, renderEnvironment } from '../../src/render';
import { asPulumiDelivered, ENV_NAMES } from '../helpers';
import { EngineRequests, recordEngineRequests, RegisterRequest, until } from './engine-requests';

/**
 * The Environment component (issue "One component, one module"): one
 * `dockercoins:platform:Environment` per stack, every ConfigGroup and Secret
 * its child with an alias to its URN from before, outputs registered, waves
 * unchanged, and nothing registered for a stack lacking secrets. Asserted on
 * the requests the engine would receive (./engine-requests.ts), because the
 * mocks' `newResource` arguments carry no parent, alias or option.
 */
const STACK = 'prod-eu';
const PROJECT = 'dockercoins';
const CONFIG_GROUP = 'kubernetes:yaml/v2:ConfigGroup';
const SECRET = 'kubernetes:core/v1:Secret';
/** Kinds that may be retained on destroy: namespaces and their guardrails, never a workload or a claim. */
const GUARDRAIL_KINDS = ['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount', 'Role', 'RoleBinding'];

let recorded: EngineRequests;
let program: typeof import('../../src/pulumi/program');
beforeAll(async () => {
  recorded = await recordEngineRequests(PROJECT, STACK);
  // Imported after the mocks are set, as Pulumi requires.
  program = require('../../src/pulumi/program');
});

const urnOf = (r: pulumi.Resource) => new Promise<string>(resolve => r.urn.apply(resolve));
const secretValue = (key: string) => pulumi.secret(`test-${key}`);

describe.each(ENV_NAMES)('the %s environment as one component', name => {
  let platform: import('../../src/pulumi/program').PlatformEnvironment;
  let requests: RegisterRequest[];
  let component: RegisterRequest;
  const children = () => requests.filter(r => r !== component);
  const rendered = () => renderCharts(asPulumiDelivered(name), 'pulumi');

  beforeAll(async () => {
    platform = program.deployEnvironment(asPulumiDelivered(name), { secretValue });
    const mine = () => recorded.registrations.filter(r => r.name === name || r.name.startsWith(`${name}-`));
    const expected = 1 + platform.charts.length + platform.secrets.length;
    await until(() => mine().filter(r => r.urn).length === expected);
    requests = mine();
    component = requests.find(r => r.type === program.ENVIRONMENT_TYPE)!;
    await until(() => recorded.outputs.has(component.urn!));
  });

  test('one dockercoins:platform:Environment component, named after the environment, at the root of the stack', async () => {
    expect(requests.filter(r => r.type === program.ENVIRONMENT_TYPE)).toHaveLength(1);
    expect(component).toMatchObject({ name, parent: '', custom: false, remote: false, aliases: [] });
    expect(component.urn).toBe(`urn:pulumi:${STACK}::${PROJECT}::dockercoins:platform:Environment::${name}`);
    expect(await urnOf(platform)).toBe(component.urn);
    expect(platform.environment).toBe(name);
  });

  test('every ConfigGroup (one per file of dist/<env>/) and every Secret is its child, and nothing else sits at the root', async () => {
    const files = renderEnvironment(asPulumiDelivered(name)).map(f => f.name).filter(f => f.endsWith('.k8s.yaml'));
    expect(platform.files).toEqual(files);
    const groups = children().filter(r => r.type === CONFIG_GROUP);
    // Registration reaches the monitor asynchronously: compare as sets (the order is the dependsOn test's business).
    expect(groups.map(g => g.name).sort()).toEqual(rendered().map(c => `${name}-${c.id}`).sort());
    const secrets = children().filter(r => r.type === SECRET);
    expect(secrets).toHaveLength(rendered().flatMap(c => c.secrets).length);
    expect(groups.length + secrets.length).toBe(children().length);
    for (const child of children()) {
      expect([child.name, child.parent]).toEqual([child.name, component.urn]);
      // The URN names the parent type: this is what changes for an existing stack (see the alias test).
      expect(child.urn).toBe(`urn:pulumi:${STACK}::${PROJECT}::dockercoins:platform:Environment$${child.type}::${child.name}`);
    }
    for (const chart of platform.charts) expect((chart.group as any).__parentResource).toBe(platform);
    for (const secret of platform.secrets) expect((secret as any).__parentResource).toBe(platform);
  });

  test('each child is aliased to its URN from before the component, so an existing stack replaces nothing', async () => {
    for (const child of children()) {
      // { parent: pulumi.rootStackResource }: current name and type, no parent.
      expect([child.name, child.aliases]).toEqual([child.name, [{ spec: { name: '', type: '', noParent: true, parentUrn: '' } }]]);
      const before = await new Promise<string>(resolve => pulumi.createUrn(child.name, child.type, pulumi.rootStackResource).apply(resolve));
      expect(before).toBe(`urn:pulumi:${STACK}::${PROJECT}::${child.type}::${child.name}`);
      expect(before).toBe(child.urn!.replace(`${program.ENVIRONMENT_TYPE}$`, ''));
    }
    // Resource names are unchanged: the ones existing stacks hold.
    expect(children().map(c => c.name)).toEqual(expect.arrayContaining([`${name}-namespaces`, `${name}-data-postgres-auth`, ...rendered().map(c => `${name}-${c.id}`)]));
  });

  test('the waves are unchanged: the engine receives the same dependencies as before', async () => {
    expect(platform.charts.map(c => `${c.wave}:${c.id}`)).toEqual(rendered().map(c => `${c.wave}:${c.id}`));
    const first = Math.min(...platform.charts.map(c => c.wave));
    const byName = new Map(children().map(c => [c.name, c]));
    const groupUrns = async (wave: (w: number) => boolean) => Promise.all(platform.charts.filter(c => wave(c.wave)).map(c => urnOf(c.group)));
    const secretUrns = await Promise.all(platform.secrets.map(urnOf));
    for (const chart of platform.charts) {
      const expected = chart.wave === first ? [] : [...await groupUrns(w => w < chart.wave), ...secretUrns];
      expect([chart.id, [...byName.get(`${name}-${chart.id}`)!.dependencies].sort()]).toEqual([chart.id, expected.sort()]);
      expect(chart.dependsOn).toHaveLength(expected.length);
    }
    for (const secret of children().filter(r => r.type === SECRET)) {
      expect([...secret.dependencies].sort()).toEqual((await groupUrns(w => w === first)).sort());
    }
  });

  test('registers its outputs: environment, namespaces, charts in order, files, web UI URLs, Secret names', () => {
    const env = asPulumiDelivered(name);
    const objects = rendered().flatMap(c => c.objects);
    const outputs = {
      environment: name,
      namespaces: objects.filter(o => o.kind === 'Namespace').map(o => o.metadata.name),
      dockercoinsNamespaces: env.dockercoins.map(d => d.namespace),
      charts: rendered().map(c => c.id),
      files: platform.files,
      webui: env.dockercoins.map(d => `${d.tlsSecretName ? 'https' : 'http'}://${d.host}/`),
      secrets: rendered().flatMap(c => c.secrets).map(s => `${s.namespace}/${s.name}`),
      retainedOnDelete: ['namespaces'],
    };
    expect(recorded.outputs.get(component.urn!)).toEqual(outputs);
    expect(platform.outputs).toEqual(outputs);
    expect(outputs.namespaces).toContain('data');
    expect(JSON.stringify(recorded.outputs.get(component.urn!))).not.toContain('test-');
  });

  test('retainOnDelete is set on the group holding the Namespaces only, and that group holds namespaces and their guardrails only', () => {
    expect(requests.filter(r => r.retainOnDelete !== undefined).map(r => [r.name, r.retainOnDelete])).toEqual([[`${name}-namespaces`, true]]);
    expect(platform.charts.filter(c => c.retainOnDelete).map(c => c.id)).toEqual(['namespaces']);
    const retained = rendered().filter(c => c.id === 'namespaces').flatMap(c => c.objects);
    expect([...new Set(retained.map(o => o.kind))].filter(k => !GUARDRAIL_KINDS.includes(k))).toEqual([]);
    // Every namespace holding a claim is among the retained Namespaces (claims of volumeClaimTemplates live only as long as it).
    const retainedNamespaces = retained.filter(o => o.kind === 'Namespace').map(o => o.metadata.name);
    const objects = rendered().flatMap(c => c.objects);
    const holdingClaims = objects.filter(o => o.kind === 'PersistentVolumeClaim' || (o.kind === 'StatefulSet' && (o.spec.volumeClaimTemplates ?? []).length > 0)).map(o => o.metadata.namespace!);
    expect(holdingClaims).toContain('data');
    for (const ns of holdingClaims) expect(retainedNamespaces).toContain(ns);
  });
});

test('a stack lacking secret config registers nothing, not even the component', async () => {
  const before = recorded.registrations.length;
  expect(() => program.deployEnvironment(loadEnvironment('prod'), { hasSecret: key => key === 'elasticPassword', stack: STACK }))
    .toThrow(program.MissingSecretsError);
  await new Promise(r => setTimeout(r, 50));
  expect(recorded.registrations.slice(before)).toEqual([]);
});
