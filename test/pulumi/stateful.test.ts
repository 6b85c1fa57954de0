/** @jest-environment node */
import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment } from '../../src/config';
import { DeployedEnvironment, deployEnvironment } from '../../src/pulumi/program';
import { enableTransforms } from './engine-requests';

/** Every resource the program registers, as the engine sees it. */
const registered: Array<{ type: string; name: string; inputs: any }> = [];
pulumi.runtime.setMocks({
  newResource: args => {
    registered.push({ type: args.type, name: args.name, inputs: args.inputs });
    return { id: `${args.name}_id`, state: args.inputs };
  },
  call: args => args.inputs,
}, 'dockercoins', 'prod', false);
// The program registers transforms, which mocks do not declare (engine-requests.ts).
enableTransforms();

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise(resolve => output.apply(resolve));

describe('Pulumi program: stateful services (prod)', () => {
  let deployed: DeployedEnvironment;
  beforeAll(async () => {
    deployed = deployEnvironment(loadEnvironment('prod'), { secretValue: key => pulumi.secret(`test-${key}`) });
    // Let registrations reach the mock monitor.
    await Promise.all([...deployed.secrets.map(s => value(s.id)), ...deployed.charts.map(c => value(c.group.urn))]);
  });
  const chart = (id: string) => deployed.charts.find(c => c.id === id)!;
  const postgresSecret = () => registered.find(r => r.type === 'kubernetes:core/v1:Secret' && r.inputs.metadata?.name === 'postgres-auth');

  test('creates the Postgres password Secret in the data namespace from dockercoins:postgresPassword', async () => {
    const secret = postgresSecret();
    expect(secret).toBeDefined();
    expect(secret!.inputs.metadata.namespace).toBe('data');
    expect(secret!.inputs.metadata.labels['app.kubernetes.io/name']).toBe('postgres');
    // The value reaches the engine marked secret (encrypted in the state).
    expect(secret!.inputs.stringData).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: { password: 'test-postgresPassword' },
    });
    const names = await Promise.all(deployed.secrets.map(s => value(s.metadata.apply(m => m.name))));
    expect(names.filter(n => n === 'postgres-auth')).toHaveLength(1);
  });

  test('charts deploy in waves: namespaces and storage, then the Secret, then consul and postgres, then apps', () => {
    expect(deployed.charts.map(c => `${c.wave}:${c.id}`)).toEqual(expect.arrayContaining(['0:namespaces', '0:storage', '1:consul', '1:postgres', '2:dockercoins']));
    for (const secret of deployed.secrets) expect(chart('postgres').dependsOn).toContain(secret);
    expect(chart('postgres').dependsOn).toEqual(expect.arrayContaining([chart('namespaces').group, chart('storage').group]));
    expect(chart('consul').dependsOn).toEqual(expect.arrayContaining([chart('namespaces').group, chart('storage').group]));
    expect(chart('storage').dependsOn).toEqual([]);
    expect(chart('namespaces').dependsOn).toEqual([]);
    expect(chart('dockercoins').dependsOn).toEqual(expect.arrayContaining([chart('consul').group, chart('postgres').group]));
  });

  test('the ConfigGroups hold the rendered objects, and none contains the secret value', () => {
    const groups = registered.filter(r => r.type === 'kubernetes:yaml/v2:ConfigGroup');
    expect(groups.map(g => g.name)).toEqual(expect.arrayContaining(['prod-consul', 'prod-dockercoins', 'prod-namespaces', 'prod-postgres', 'prod-storage']));
    expect(JSON.stringify(groups)).not.toContain('test-postgresPassword');
    const pg = groups.find(g => g.name === 'prod-postgres')!.inputs.objs as any[];
    expect(pg.some(o => o.kind === 'Secret')).toBe(false);
    const sts = pg.find(o => o.kind === 'StatefulSet');
    expect(sts.metadata.labels['app.kubernetes.io/managed-by']).toBe('pulumi');
    const env = sts.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-auth', key: 'password' } } });
    const storage = groups.find(g => g.name === 'prod-storage')!.inputs.objs as any[];
    expect(storage.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['StorageClass/replicated']);
  });
});
