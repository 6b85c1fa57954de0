import * as pulumi from '@pulumi/pulumi';

/**
 * Regression (issue 10, blocker 2): after `pulumi stack init dev` the stack
 * has no config at all; the stack name alone selects the environment.
 */
const groups: string[] = [];
beforeAll(async () => {
  await pulumi.runtime.setMocks({
    newResource: args => { groups.push(args.name); return { id: `${args.name}-id`, state: args.inputs }; },
    call: args => args.inputs,
  }, 'dockercoins', 'dev', false);
  pulumi.runtime.setAllConfig({}, []);
});

test('a fresh stack named dev resolves the dev environment and asks only for its secrets', () => {
  jest.isolateModules(() => {
    expect(() => require('../../src/pulumi/index')).toThrow(/^Stack "dev" \(environment "dev"\) lacks 13 secret config values; nothing was deployed/);
  });
  expect(groups).toEqual([]);
});

test('with its secrets set, a stack named dev deploys dev with no other stack config', async () => {
  const secrets = Object.fromEntries(['elasticMonitoringPassword', 'elasticPassword', 'grafanaAdminPassword', 'grafanaSecretKey', 'kibanaEncryptionKey', 'kibanaSystemPassword', 'postgresPassword', 'fluentBitPassword', 'postgresExporterPassword', 'consulGossipKey', 'consulManagementToken', 'consulAgentToken', 'consulMetricsToken'].map(k => [`dockercoins:${k}`, 'x']));
  pulumi.runtime.setAllConfig(secrets, Object.keys(secrets));
  jest.isolateModules(() => {
    expect(require('../../src/pulumi/index').environment).toBe('dev');
  });
  await new Promise(r => setImmediate(r));
  expect(groups).toContain('dev-namespaces');
});
