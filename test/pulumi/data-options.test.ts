/**
 * @jest-environment node
 *
 * Data survives a destroy (issue 13): "namespaces that hold claims,
 * StatefulSets and claims are retainOnDelete (and optionally protect, typed
 * per environment); a mock test proves the options are set."
 *
 * The objects are children of a ConfigGroup, registered by the Kubernetes
 * provider, so the program sets their options through the group's
 * `transforms` (src/pulumi/program.ts, `dataTransform`). This test records
 * what the engine is sent (engine-requests.ts): which groups carry a
 * transform, and, calling each transform back through the SDK's callback
 * server as the engine does for every child, the options it answers for every
 * rendered object: `retainOnDelete` (and `protect` where
 * `delivery.pulumi.protectData`) on exactly the objects holding data, nothing
 * on the others.
 */
import * as pulumi from '@pulumi/pulumi';
import { ENVIRONMENTS, EnvironmentConfig, loadEnvironment, validateEnvironment } from '../../src/config';
import { DeployedEnvironment, deployEnvironment } from '../../src/pulumi/program';
import { K8sObject } from '../../src/analysis/objects';
import { renderCharts } from '../../src/render';
import { asPulumiDelivered } from '../helpers';
import { EngineRequests, invokeTransform, recordEngineRequests, until } from './engine-requests';

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise(resolve => output.apply(resolve));
/** The provider's type token of an object (`kubernetes:apps/v1:StatefulSet`, `kubernetes:core/v1:Namespace`). */
const typeToken = (o: K8sObject) => `kubernetes:${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Computed from the rendered objects alone: claims, StatefulSets with claim templates, and their Namespaces. */
function holdingData(objects: readonly K8sObject[]): Set<string> {
  const holders = objects.filter(o => o.kind === 'PersistentVolumeClaim' || (o.kind === 'StatefulSet' && ((o as any).spec?.volumeClaimTemplates ?? []).length > 0));
  const namespaces = new Set(holders.map(o => o.metadata.namespace!));
  return new Set([...holders.map(key), ...objects.filter(o => o.kind === 'Namespace' && namespaces.has(o.metadata.name)).map(key)]);
}

let engine: EngineRequests;
beforeAll(async () => { engine = await recordEngineRequests('dockercoins', 'data-options'); });

async function deploy(env: EnvironmentConfig, name: string): Promise<DeployedEnvironment> {
  const deployed = deployEnvironment({ ...env, name } as EnvironmentConfig, { secretValue: k => pulumi.secret(`test-${k}`) });
  await Promise.all(deployed.charts.map(c => value(c.group.urn)));
  await until(() => deployed.charts.every(c => engine.registrations.some(r => r.name === `${name}-${c.id}` && r.urn)));
  return deployed;
}

const CASES: Array<[string, () => EnvironmentConfig, boolean]> = [
  ['prod (protectData: true)', () => loadEnvironment('prod'), true],
  ['prod with protectData: false', () => validateEnvironment({ ...ENVIRONMENTS.prod, delivery: { engine: 'pulumi', pulumi: { protectData: false } } }), false],
  ['staging as Pulumi-delivered (default false)', () => asPulumiDelivered('staging'), false],
  ['dev as Pulumi-delivered (default false)', () => asPulumiDelivered('dev'), false],
];

describe.each(CASES)('%s', (label, config, protect) => {
  const name = `t${CASES.findIndex(c => c[0] === label)}`;
  let deployed: DeployedEnvironment;
  beforeAll(async () => { deployed = await deploy(config(), name); });

  test('the typed setting', () => {
    const env = config();
    expect(env.delivery).toEqual({ engine: 'pulumi', pulumi: { protectData: protect } });
  });

  test('retainOnDelete, and protect as configured, on exactly the objects holding data; every other object untouched', async () => {
    const rendered = renderCharts({ ...config(), name } as EnvironmentConfig, 'pulumi');
    const data = holdingData(rendered.flatMap(c => c.objects));
    // Prod and staging hold claims in several namespaces; the test would prove nothing without them.
    expect([...data].filter(k => k.startsWith('StatefulSet/')).length).toBeGreaterThan(0);
    expect([...data].filter(k => k.startsWith('Namespace/')).length).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const chart of rendered) {
      const group = engine.registrations.find(r => r.name === `${name}-${chart.id}` && r.type === 'kubernetes:yaml/v2:ConfigGroup')!;
      const holds = chart.objects.filter(o => data.has(key(o)));
      // A transform only on the groups that hold data.
      expect([chart.id, group.transforms.length]).toEqual([chart.id, holds.length > 0 ? 1 : 0]);
      if (holds.length === 0) continue;
      for (const o of chart.objects) {
        const answer = await invokeTransform(group.transforms[0], { type: typeToken(o), name: `${name}-${chart.id}:${key(o)}`, parent: group.urn!, props: o as unknown as Record<string, unknown> });
        if (data.has(key(o))) {
          expect([key(o), answer]).toEqual([key(o), { changed: true, retainOnDelete: true, protect: protect ? true : undefined, deleteBeforeReplace: undefined }]);
          seen.add(key(o));
        } else {
          expect([key(o), answer.changed]).toEqual([key(o), false]);
        }
      }
    }
    expect([...seen].sort()).toEqual([...data].sort());
    // The chart records the same objects.
    expect(deployed.charts.flatMap(c => c.dataObjects).sort()).toEqual([...data].sort());
  });

  test('the namespaces group keeps retainOnDelete as a whole, no other group has it', () => {
    for (const c of deployed.charts) {
      const group = engine.registrations.find(r => r.name === `${name}-${c.id}`)!;
      expect([c.id, group.retainOnDelete]).toEqual([c.id, c.id === 'namespaces' ? true : undefined]);
    }
  });
});
