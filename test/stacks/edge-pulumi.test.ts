/** @jest-environment node */
import * as pulumi from '@pulumi/pulumi';
import { asPulumiDelivered } from '../helpers';
import { enableTransforms } from '../pulumi/engine-requests';

const inputs = new Map<string, Record<string, any>>();
pulumi.runtime.setMocks({
  newResource: args => { inputs.set(args.name, args.inputs); return { id: `${args.name}_id`, state: args.inputs }; },
  call: args => args.inputs,
}, 'dockercoins', 'dev', false);
// The program registers transforms, which mocks do not declare (engine-requests.ts).
enableTransforms();

// Imported after the mocks are set.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { deployEnvironment } = require('../../src/pulumi/program') as typeof import('../../src/pulumi/program');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { renderCharts } = require('../../src/render') as typeof import('../../src/render');

const urn = (r: pulumi.Resource) => new Promise<string>(resolve => r.urn.apply(resolve));

describe('deployEnvironment with the edge charts', () => {
  test.each(['dev', 'prod'])('%s: each chart is a ConfigGroup of exactly its rendered objects, waves in order', async name => {
    const env = asPulumiDelivered(name);
    const deployed = deployEnvironment(env, { secretValue: key => pulumi.secret(`test-${key}`) });
    const byId = Object.fromEntries(deployed.charts.map(c => [c.id, c]));
    const expected = name === 'dev' ? ['namespaces', 'traefik', 'registry', 'metrics-server', 'dockercoins', 'monitoring'] : ['namespaces', 'traefik', 'dockercoins', 'monitoring'];
    expect(deployed.charts.map(c => c.id)).toEqual(expect.arrayContaining(expected));
    if (name !== 'dev') expect(deployed.charts.map(c => c.id)).not.toContain('registry');

    const urnsOf = async (ids: string[]) => Promise.all(ids.map(id => urn(byId[id].group)));
    const deps = async (id: string) => Promise.all(byId[id].dependsOn.map(urn));
    // Traefik (and the registry, metrics-server) wait for the namespaces only.
    expect(await deps('traefik')).toEqual(expect.arrayContaining(await urnsOf(['namespaces'])));
    expect(await deps('traefik')).not.toEqual(expect.arrayContaining(await urnsOf(['dockercoins'])));
    // The apps and monitoring wait for Traefik: their Ingresses need the class and, with a load balancer, its address.
    for (const id of ['dockercoins', 'monitoring']) expect(await deps(id)).toEqual(expect.arrayContaining(await urnsOf(['namespaces', 'traefik'])));
    if (name === 'dev') {
      expect(await deps('dockercoins')).toEqual(expect.arrayContaining(await urnsOf(['registry', 'metrics-server'])));
      expect(await deps('registry')).not.toContain(await urn(byId.traefik.group));
    }
    expect(await deps('traefik')).not.toContain(await urn(byId.monitoring.group));

    // Parity with cdk8s: same objects, except the managed-by label.
    await new Promise(r => setTimeout(r, 50));
    for (const chart of renderCharts(env, 'pulumi')) {
      const objs = inputs.get(`${env.name}-${chart.id}`)?.objs;
      expect(objs).toEqual(chart.objects);
    }
  });
});
