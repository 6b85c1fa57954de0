/** @jest-environment node */
import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { asPulumiDelivered, ENV_NAMES } from '../helpers';
import { enableTransforms, settled } from './engine-requests';

interface Registered { type: string; name: string; inputs: any }
const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks({
    newResource: args => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: args => args.inputs,
  }, 'dockercoins', 'test', false);
  // The program registers transforms, which mocks do not declare (engine-requests.ts).
  enableTransforms();
});

// Imported after the mocks are set, as Pulumi requires.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { deployEnvironment } = require('../../src/pulumi/program') as typeof import('../../src/pulumi/program');

const output = <T>(o: pulumi.Output<T>) => new Promise<T>(resolve => o.apply(resolve));
/** The engine label is the only intended difference between the engines. */
const normalise = (objects: any[]) => JSON.parse(JSON.stringify(objects).replace(/"app.kubernetes.io\/managed-by":"pulumi"/g, '"app.kubernetes.io/managed-by":"cdk8s"'));

describe.each(ENV_NAMES)('Pulumi program for %s', env => {
  let deployed: ReturnType<typeof deployEnvironment>;
  beforeAll(() => {
    registered.length = 0;
    deployed = deployEnvironment(asPulumiDelivered(env), { secretValue: key => pulumi.secret(`test-secret-${key}`) });
  });

  test('deploys exactly the objects cdk8s renders, one ConfigGroup per chart', async () => {
    await settled();
    const groups = registered.filter(r => r.type === 'kubernetes:yaml/v2:ConfigGroup');
    const rendered = renderCharts(asPulumiDelivered(env), 'cdk8s');
    expect(groups.map(g => g.name).sort()).toEqual(rendered.map(c => `${env}-${c.id}`).sort());
    for (const chart of rendered) {
      const group = groups.find(g => g.name === `${env}-${chart.id}`)!;
      expect(normalise(group.inputs.objs)).toEqual(chart.objects);
    }
  });

  test('labels the objects it manages as managed by pulumi', async () => {
    await settled();
    const group = registered.find(r => r.type === 'kubernetes:yaml/v2:ConfigGroup')!;
    expect(group.inputs.objs[0].metadata.labels['app.kubernetes.io/managed-by']).toBe('pulumi');
  });

  test('deploys in waves: namespaces (and cluster-scoped storage) first, secrets next, then each wave after all earlier ones', () => {
    const first = deployed.charts[0];
    expect(first.id).toBe('namespaces');
    for (const chart of deployed.charts.filter(c => c.wave === 0)) expect(chart.dependsOn).toEqual([]);
    const later = deployed.charts.filter(c => c.wave > 0);
    expect(later.length).toBeGreaterThan(0);
    for (const chart of later) {
      expect(chart.dependsOn).toContain(first.group);
      for (const secret of deployed.secrets) expect(chart.dependsOn).toContain(secret);
      for (const earlier of deployed.charts.filter(c => c.wave < chart.wave)) expect(chart.dependsOn).toContain(earlier.group);
    }
  });

  test('creates each declared Secret from secret stack config, after the namespaces and never in the rendered objects', async () => {
    const declared = renderCharts(asPulumiDelivered(env), 'pulumi').flatMap(c => c.secrets);
    expect(deployed.secrets).toHaveLength(declared.length);
    for (const [i, spec] of declared.entries()) {
      const secret = deployed.secrets[i];
      expect(await output(secret.metadata.name)).toBe(spec.name);
      expect(await output(secret.metadata.namespace)).toBe(spec.namespace);
      expect(pulumi.Output.isInstance(secret.stringData)).toBe(true);
    }
    const everything = JSON.stringify(renderCharts(asPulumiDelivered(env), 'cdk8s').map(c => c.objects));
    expect(everything).not.toContain('test-secret-');
  });
});

test('stack config overrides reach the deployed objects', async () => {
  registered.length = 0;
  deployEnvironment(loadEnvironment('prod', { dockercoins: [{ name: 'dockercoins', worker: { replicas: 7 } }] }), { secretValue: key => pulumi.secret(`test-secret-${key}`) });
  await settled();
  const objs = registered.filter(r => r.type === 'kubernetes:yaml/v2:ConfigGroup').flatMap(g => g.inputs.objs);
  expect(objs.find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'worker').spec.replicas).toBe(7);
});

test('an environment another engine delivers (staging: Argo CD) is refused before any resource is registered', async () => {
  const { DeliveryEngineError } = require('../../src/pulumi/program') as typeof import('../../src/pulumi/program');
  await settled();
  const before = registered.length;
  expect(() => deployEnvironment(loadEnvironment('staging'), { secretValue: key => pulumi.secret(`test-secret-${key}`) }))
    .toThrow(new DeliveryEngineError('staging', 'argocd', 'Environment "staging" is delivered by argocd (delivery.engine in src/config/environments/staging.ts), not by Pulumi; nothing was deployed. '
      + 'One environment has exactly one engine: deliver it as docs/delivery.md describes for that engine, '
      + "or make Pulumi its engine with delivery: { engine: 'pulumi' } in src/config/environments/staging.ts (and stop the other engine first)."));
  await settled();
  expect(registered.length).toBe(before);
});
