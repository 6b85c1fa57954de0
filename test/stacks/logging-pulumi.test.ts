/** @jest-environment node */
import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment } from '../../src/config';
import { deployEnvironment } from '../../src/pulumi/program';
import { enableTransforms } from '../pulumi/engine-requests';

type Created = { type: string; name: string; inputs: any };
const created: Created[] = [];

// Mocks before the program creates any resource (describe bodies run at collection time).
pulumi.runtime.setMocks({
  newResource: args => {
    created.push({ type: args.type, name: args.name, inputs: args.inputs });
    return { id: `${args.name}_id`, state: args.inputs };
  },
  call: args => args.inputs,
}, 'dockercoins', 'prod', false);
// The program registers transforms, which mocks do not declare (engine-requests.ts).
enableTransforms();

const out = <T>(o: pulumi.Output<T>) => new Promise<T>(resolve => o.apply(resolve));
const requested: string[] = [];
const secretValue = (key: string) => { requested.push(key); return pulumi.secret(`test-${key}`); };

describe('Pulumi deploys logging (prod, mocks)', () => {
  const deployed = deployEnvironment(loadEnvironment('prod'), { secretValue });

  it('reads every logging secret from stack config', () => {
    expect(requested).toEqual(expect.arrayContaining(['elasticPassword', 'kibanaSystemPassword', 'kibanaEncryptionKey', 'fluentBitPassword']));
    // Transport TLS uses the node certificate cert-manager issues (certificates.source), not stack config.
    expect(requested.filter(k => k.startsWith('elasticTransport'))).toEqual([]);
  });

  it('creates the Secrets in the right namespaces with the right keys', async () => {
    const secrets = await Promise.all(deployed.secrets.map(async s => ({
      name: await out(s.metadata.name),
      namespace: await out(s.metadata.namespace),
    })));
    const byRef = new Map(secrets.map((s, i) => [`${s.namespace}/${s.name}`, deployed.secrets[i]]));
    expect([...byRef.keys()]).toEqual(expect.arrayContaining([
      'logging/elasticsearch-credentials', 'logging/kibana-credentials', 'logging/fluent-bit-credentials', 'node-agents/fluent-bit-credentials',
    ]));
    expect(byRef.has('logging/elasticsearch-transport-tls')).toBe(false);
    // The elastic superuser's password is created in the logging namespace only (requirement: the elastic password is used by setup only).
    expect([...byRef.keys()].filter(k => k.endsWith('/elasticsearch-credentials'))).toEqual(['logging/elasticsearch-credentials']);
    await new Promise(r => setTimeout(r, 50));
    // stringData arrives marked secret ({ <signature>, value }).
    const stringData = (ns: string, name: string) => {
      const sd = created.find(c => c.type === 'kubernetes:core/v1:Secret' && c.inputs.metadata?.name === name && c.inputs.metadata?.namespace === ns)!.inputs.stringData;
      return (sd && 'value' in sd ? sd.value : sd) as Record<string, string>;
    };
    expect(stringData('node-agents', 'fluent-bit-credentials')).toEqual({ password: 'test-fluentBitPassword' });
    expect(stringData('logging', 'fluent-bit-credentials')).toEqual({ password: 'test-fluentBitPassword' });
    expect(stringData('logging', 'elasticsearch-credentials')).toEqual({ password: 'test-elasticPassword' });
    expect(stringData('logging', 'kibana-credentials')).toEqual({ password: 'test-kibanaSystemPassword', encryptionKey: 'test-kibanaEncryptionKey' });
  });

  it('deploys the logging chart after the namespaces and its Secrets, and never puts a secret value in it', async () => {
    const logging = deployed.charts.find(c => c.id === 'logging')!;
    const namespaces = deployed.charts.find(c => c.id === 'namespaces')!;
    expect(logging.wave).toBe(1);
    expect(logging.dependsOn).toContain(namespaces.group);
    for (const s of deployed.secrets) expect(logging.dependsOn).toContain(s);
    await new Promise(r => setTimeout(r, 50));
    const group = created.find(c => c.type === 'kubernetes:yaml/v2:ConfigGroup' && c.name === 'prod-logging')!;
    const objs = JSON.stringify(group.inputs.objs);
    expect(objs).toContain('"elasticsearch"');
    expect(objs).not.toContain('test-');
    expect(group.inputs.objs.filter((o: any) => o.kind === 'Secret')).toEqual([]);
  });

  it('the dockercoins chart (wave 2) waits for logging (wave 1)', () => {
    const logging = deployed.charts.find(c => c.id === 'logging')!;
    const apps = deployed.charts.find(c => c.id === 'dockercoins')!;
    expect(apps.dependsOn).toContain(logging.group);
  });
});
