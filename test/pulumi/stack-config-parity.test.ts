/** @jest-environment node */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';
import { enableTransforms, settled } from './engine-requests';

/**
 * `npm run synth -- --stack-config Pulumi.<stack>.yaml` renders exactly what
 * the Pulumi program registers for that stack (issue 11): same loader, same
 * schema, same objects, in the same charts.
 */
const ROOT = path.join(__dirname, '..', '..');
const OVERRIDES = { dockercoins: [{ name: 'dockercoins', worker: { replicas: 12 } }], edge: { monitoring: { prometheus: { retention: '45d' } } } };
const SECRETS = Object.fromEntries(['postgresPassword', 'elasticPassword', 'fluentBitPassword', 'postgresExporterPassword', 'postgresBackupPassword', 'consulBackupToken', 'backupsS3AccessKeyId', 'backupsS3SecretAccessKey', 'consulGossipKey', 'consulManagementToken', 'consulAgentToken', 'consulMetricsToken', 'kibanaSystemPassword', 'kibanaEncryptionKey', 'elasticTransportCa', 'elasticTransportCert', 'elasticTransportKey',
  'alertmanagerOncallWebhookUrl', 'alertmanagerTeamWebhookUrl', 'elasticMonitoringPassword', 'grafanaAdminPassword', 'grafanaSecretKey']
  .map(key => [`dockercoins:${key}`, 'x']));
const groups = new Map<string, any[]>();

beforeAll(async () => {
  await pulumi.runtime.setMocks({
    newResource: args => {
      if (args.type === 'kubernetes:yaml/v2:ConfigGroup') groups.set(args.name, args.inputs.objs);
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: args => args.inputs,
  }, 'dockercoins', 'prod-eu', false);
  // The program registers transforms, which mocks do not declare (engine-requests.ts).
  enableTransforms();
  pulumi.runtime.setAllConfig({ 'dockercoins:environment': 'prod', 'dockercoins:overrides': JSON.stringify(OVERRIDES), ...SECRETS }, Object.keys(SECRETS));
  require('../../src/pulumi/index');
  await settled();
});

test('the stack render equals the objects Pulumi registers, chart by chart', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-'));
  try {
    const file = path.join(dir, 'Pulumi.prod-eu.yaml');
    fs.writeFileSync(file, `config:\n  dockercoins:environment: prod\n  dockercoins:overrides: ${JSON.stringify(OVERRIDES)}\n`);
    const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run.js'), 'synth', '--stack-config', file, '--out', path.join(dir, 'out')], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const folder = path.join(dir, 'out', 'prod-eu');
    const rendered = new Map(fs.readdirSync(folder).filter(f => f.endsWith('.k8s.yaml')).map(f => [
      `prod-${f.replace(/^\d+-|\.k8s\.yaml$/g, '')}`,
      parseAllDocuments(fs.readFileSync(path.join(folder, f), 'utf8')).map(d => d.toJS()),
    ]));
    expect([...rendered.keys()].sort()).toEqual([...groups.keys()].sort());
    for (const [name, objs] of groups) expect([name, rendered.get(name)]).toEqual([name, JSON.parse(JSON.stringify(objs))]);
    const worker = rendered.get('prod-dockercoins')!.find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'worker');
    expect(worker.spec.replicas).toBe(12);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
