/** @jest-environment node */
import * as pulumi from '@pulumi/pulumi';
import { enableTransforms, settled } from './engine-requests';

/**
 * The program entry (Pulumi.yaml → bin/pulumi.js → src/pulumi/index.ts) reads
 * the environment and overrides from stack config.
 */
const groups: Array<{ name: string; objs: any[] }> = [];
/** Secret stack config the prod charts declare (`pulumi config set --secret ...`). */
const SECRETS = Object.fromEntries(['postgresPassword', 'elasticPassword', 'fluentBitPassword', 'postgresExporterPassword', 'postgresBackupPassword', 'consulBackupToken', 'backupsS3AccessKeyId', 'backupsS3SecretAccessKey', 'consulGossipKey', 'consulManagementToken', 'consulAgentToken', 'consulMetricsToken', 'kibanaSystemPassword', 'kibanaEncryptionKey', 'elasticTransportCa', 'elasticTransportCert', 'elasticTransportKey',
  'alertmanagerOncallWebhookUrl', 'alertmanagerTeamWebhookUrl', 'elasticMonitoringPassword', 'grafanaAdminPassword', 'grafanaSecretKey']
  .map(key => [`dockercoins:${key}`, `test-${key}`]));

beforeAll(async () => {
  await pulumi.runtime.setMocks({
    newResource: args => {
      if (args.type === 'kubernetes:yaml/v2:ConfigGroup') groups.push({ name: args.name, objs: args.inputs.objs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: args => args.inputs,
  }, 'dockercoins', 'prod-eu', false);
  // The program registers transforms, which mocks do not declare (engine-requests.ts).
  enableTransforms();
  pulumi.runtime.setAllConfig({
    'dockercoins:environment': 'prod',
    'dockercoins:overrides': JSON.stringify({ dockercoins: [{ name: 'dockercoins', webui: { replicas: 5 } }] }),
    ...SECRETS,
  }, Object.keys(SECRETS));
});

test('a stack named prod-eu deploys the prod environment with its stack overrides', async () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const program = require('../../src/pulumi/index');
  await settled();
  expect(program.environment).toBe('prod');
  expect(groups.map(g => g.name)).toContain('prod-namespaces');
  const webui = groups.flatMap(g => g.objs).find(o => o.kind === 'Deployment' && o.metadata.name === 'webui');
  expect(webui.spec.replicas).toBe(5);
  expect(program.webui).toEqual(['https://dockercoins.example.com/']);
});

test('invalid stack overrides fail the deployment with the environment, field and reason', () => {
  pulumi.runtime.setAllConfig({
    'dockercoins:environment': 'prod',
    'dockercoins:overrides': JSON.stringify({ dockercoins: [{ name: 'dockercoins', hasher: { autoscaling: { minReplicas: 20 } } }] }),
    ...SECRETS,
  }, Object.keys(SECRETS));
  jest.isolateModules(() => {
    expect(() => require('../../src/pulumi/index')).toThrow(
      'Invalid configuration for environment "prod":\n  - dockercoins[dockercoins].hasher.autoscaling.minReplicas: 20 is above maxReplicas 10');
  });
});

test('regression: a stack lacking several secrets is refused before any resource, listing every missing key with its command', () => {
  pulumi.runtime.setAllConfig({ 'dockercoins:environment': 'prod', 'dockercoins:elasticPassword': 'x' }, ['dockercoins:elasticPassword']);
  const before = groups.length;
  let message = '';
  jest.isolateModules(() => {
    try { require('../../src/pulumi/index'); } catch (e) { message = (e as Error).message; }
  });
  expect(message.split('\n')[0]).toBe('Stack "prod-eu" (environment "prod") lacks 18 secret config values; nothing was deployed. Set each with:');
  // Transport TLS comes from cert-manager in prod (docs/security-tls.md): no elasticTransport* keys.
  expect(message).not.toContain('elasticTransport');
  for (const key of ['fluentBitPassword', 'postgresExporterPassword', 'consulGossipKey', 'consulManagementToken', 'consulAgentToken', 'consulMetricsToken', 'postgresPassword', 'kibanaSystemPassword', 'kibanaEncryptionKey', 'alertmanagerOncallWebhookUrl', 'alertmanagerTeamWebhookUrl', 'elasticMonitoringPassword', 'grafanaAdminPassword', 'grafanaSecretKey', 'postgresBackupPassword', 'consulBackupToken', 'backupsS3AccessKeyId', 'backupsS3SecretAccessKey']) {
    expect(message).toContain(`  pulumi config set --secret dockercoins:${key} <value> -s prod-eu\n`);
  }
  expect(message).not.toContain('dockercoins:elasticPassword');
  expect(groups.length).toBe(before);
});

test('the project default for overrides ({}) deploys the environment unchanged', () => {
  pulumi.runtime.setAllConfig({ 'dockercoins:environment': 'prod', 'dockercoins:overrides': '{}', ...SECRETS }, Object.keys(SECRETS));
  jest.isolateModules(() => {
    expect(require('../../src/pulumi/index').environment).toBe('prod');
  });
});
