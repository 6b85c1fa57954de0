/** @jest-environment node */
import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { enableTransforms, settled } from './engine-requests';

/**
 * Regression (issue 10, blocker 2): after `pulumi stack init <env>` the stack
 * has no config at all; the stack name alone selects the environment. prod is
 * the environment Pulumi delivers (src/config/environments/prod.ts); dev is
 * delivered by kubectl, so a fresh dev stack is refused (issue 14: one engine
 * per environment) before anything is registered.
 */
const groups: string[] = [];
let stack = 'prod';
beforeAll(async () => {
  await pulumi.runtime.setMocks({
    newResource: args => { groups.push(args.name); return { id: `${args.name}-id`, state: args.inputs }; },
    call: args => args.inputs,
  }, 'dockercoins', stack, false);
  // The program registers transforms, which mocks do not declare (engine-requests.ts).
  enableTransforms();
  pulumi.runtime.setAllConfig({}, []);
});

const prodSecrets = [...new Set(renderCharts(loadEnvironment('prod'), 'pulumi').flatMap(c => c.secrets.flatMap(s => Object.values(s.keys))))].sort();

test('a fresh stack named prod resolves the prod environment and asks only for its secrets', () => {
  expect(prodSecrets.length).toBeGreaterThan(1);
  jest.isolateModules(() => {
    expect(() => require('../../src/pulumi/index')).toThrow(new RegExp(`^Stack "prod" \\(environment "prod"\\) lacks ${prodSecrets.length} secret config values; nothing was deployed`));
  });
  expect(groups).toEqual([]);
});

test('with its secrets set, a stack named prod deploys prod with no other stack config', async () => {
  const secrets = Object.fromEntries(prodSecrets.map(k => [`dockercoins:${k}`, 'x']));
  pulumi.runtime.setAllConfig(secrets, Object.keys(secrets));
  jest.isolateModules(() => {
    expect(require('../../src/pulumi/index').environment).toBe('prod');
  });
  await settled();
  expect(groups).toContain('prod-namespaces');
});

test('a stack named dev (delivered by kubectl) is refused with the engine and the fix, before anything is registered', async () => {
  groups.length = 0;
  stack = 'dev';
  await pulumi.runtime.setMocks({
    newResource: args => { groups.push(args.name); return { id: `${args.name}-id`, state: args.inputs }; },
    call: args => args.inputs,
  }, 'dockercoins', 'dev', false);
  // The program registers transforms, which mocks do not declare (engine-requests.ts).
  enableTransforms();
  const devSecrets = [...new Set(renderCharts(loadEnvironment('dev'), 'pulumi').flatMap(c => c.secrets.flatMap(s => Object.values(s.keys))))];
  const secrets = Object.fromEntries(devSecrets.map(k => [`dockercoins:${k}`, 'x']));
  pulumi.runtime.setAllConfig(secrets, Object.keys(secrets));
  jest.isolateModules(() => {
    expect(() => require('../../src/pulumi/index')).toThrow(
      'Environment "dev" is delivered by kubectl (delivery.engine in src/config/environments/dev.ts), not by Pulumi; nothing was deployed. '
      + 'One environment has exactly one engine: deliver it as docs/delivery.md describes for that engine, '
      + "or make Pulumi its engine with delivery: { engine: 'pulumi' } in src/config/environments/dev.ts (and stop the other engine first).");
  });
  await settled();
  expect(groups).toEqual([]);
});
