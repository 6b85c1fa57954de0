/**
 * @jest-environment node
 *
 * The Pulumi gate: the policy pack (policy/) over every resource the program
 * registers, under Pulumi mocks (as test/pulumi/ runs the program).
 *
 * Under mocks a kubernetes:yaml/v2:ConfigGroup is registered with its
 * objects as inputs (`objs`) and nothing below it: in a real preview the
 * Kubernetes provider registers each object as a child resource. This test
 * makes exactly those children (type token, name and inputs as
 * pulumi-kubernetes' yaml/v2 `register` does: policy/policies.ts cites it)
 * and runs every policy's own validate function on them, resource policies
 * per resource and stack policies over the whole stack.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment } from '../../src/config';
import { asPulumiDelivered, ENV_NAMES } from '../helpers';
import { isBadTarget, makeBad } from './bad-override';
import { Resource, runPack, typeToken } from './pack-run';
import { enableTransforms } from '../pulumi/engine-requests';

const PROJECT = 'dockercoins';
const STACK = 'gates';
const ROOT = path.join(__dirname, '..', '..');

interface Registered { type: string; name: string; inputs: any }
const registered: Registered[] = [];

let program: typeof import('../../src/pulumi/program');
let pack: typeof import('../../policy/policies');
let table: typeof import('../../constructs/lib/rule-table');
beforeAll(async () => {
  await pulumi.runtime.setMocks({
    newResource: args => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: args => args.inputs,
  }, PROJECT, STACK, false);
  // The program registers transforms, which mocks do not declare (engine-requests.ts).
  enableTransforms();
  // Imported after the mocks are set, as Pulumi requires.
  program = require('../../src/pulumi/program');
  pack = require('../../policy/policies');
  table = require('../../constructs/lib/rule-table');
});

const output = <T>(o: pulumi.Output<T>) => new Promise<T>(resolve => o.apply(resolve));

/** Every resource a real preview of the environment registers, with `change` applied to the objects of the ConfigGroups. */
async function resourcesOf(env: string, change: (o: any) => any = o => o): Promise<Resource[]> {
  registered.length = 0;
  const deployed = program.deployEnvironment(asPulumiDelivered(env), { secretValue: key => pulumi.secret(`test-secret-${key}`) });
  await new Promise(r => setImmediate(r));
  const out: Resource[] = [];
  for (const chart of deployed.charts) {
    const urn = await output(chart.group.urn);
    const groupName = `${env}-${chart.id}`;
    const group = registered.find(r => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === groupName)!;
    const qualifiedType = urn.split('::')[2];
    for (const obj of group.inputs.objs.map((o: any) => change(JSON.parse(JSON.stringify(o))))) {
      const type = typeToken(obj.apiVersion, obj.kind);
      // ResourcePrefix defaults to the ConfigGroup's name (provider/pkg/provider/yaml/v2/configgroup.go).
      const name = `${groupName}:${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
      out.push({ type, name, urn: `urn:pulumi:${STACK}::${PROJECT}::${qualifiedType}$${type}::${name}`, props: obj });
    }
  }
  for (const secret of deployed.secrets) {
    const urn = await output(secret.urn);
    const name = urn.split('::')[3];
    out.push({ type: 'kubernetes:core/v1:Secret', name, urn, props: unwrapSecrets(registered.find(r => r.type === 'kubernetes:core/v1:Secret' && r.name === name)!.inputs) });
  }
  return out;
}

/**
 * Secret values as a policy sees them: plain. The mocks hand inputs over with
 * each secret in its wire form (`{<secret signature>: ..., value}`), which
 * @pulumi/policy unwraps for validation (deserialize.js `deserializeProperty`,
 * case `specialSecretSig`).
 */
function unwrapSecrets(v: any): any {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v !== null && typeof v === 'object') {
    if (v[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return unwrapSecrets(v.value);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

describe('the policy pack is the rule table', () => {
  test('one policy per rule, same name, mandatory for errors, advisory for warnings, a stack policy exactly for set rules', () => {
    expect(pack.policies.map(p => p.name)).toEqual(table.RULE_TABLE.map(r => r.id));
    for (const rule of table.RULE_TABLE) {
      const p = pack.policies.find(x => x.name === rule.id)!;
      expect({ rule: rule.id, level: p.enforcementLevel }).toEqual({ rule: rule.id, level: rule.severity === 'error' ? 'mandatory' : 'advisory' });
      expect({ rule: rule.id, stack: 'validateStack' in p }).toEqual({ rule: rule.id, stack: rule.scope === 'set' });
      expect(p.description).toContain(rule.summary);
    }
  });

  test('the Environment type the Secret exemption names is the program\'s', () => {
    expect(pack.ENVIRONMENT_TYPE).toBe(program.ENVIRONMENT_TYPE);
  });

  test('Kubernetes objects are read from type tokens and inputs; components, providers and patches are not objects', () => {
    expect(pack.kubernetesObject('kubernetes:core/v1:ConfigMap', { metadata: { name: 'a', namespace: 'x' }, data: { k: 'v' } }, 'g:x/a'))
      .toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' }, data: { k: 'v' } });
    expect(pack.kubernetesObject('kubernetes:apps/v1:Deployment', { spec: { replicas: undefined } }, 'web-1234')?.metadata.name).toBe('web-1234');
    expect(pack.kubernetesObject('kubernetes:monitoring.coreos.com/v1:ServiceMonitor', {}, 'm')?.apiVersion).toBe('monitoring.coreos.com/v1');
    for (const t of ['kubernetes:yaml/v2:ConfigGroup', 'kubernetes:yaml:ConfigFile', 'kubernetes:helm.sh/v4:Chart', 'kubernetes:kustomize/v2:Directory', 'pulumi:providers:kubernetes', 'kubernetes:apps/v1:DeploymentPatch', 'kubernetes:core/v1:ConfigMapList', 'aws:s3/bucket:Bucket']) {
      expect({ t, o: pack.kubernetesObject(t, {}, 'x') }).toEqual({ t, o: undefined });
    }
  });

  test('policy/package.json pins the versions the repository installs (node resolves them from the root node_modules)', () => {
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'policy', 'package.json'), 'utf8'));
    expect(own.version).toMatch(/^\d+\.\d+\.\d+$/); // PolicyPack refuses a package without a version
    for (const [name, version] of Object.entries({ ...own.dependencies, ...own.devDependencies })) {
      expect({ name, version }).toEqual({ name, version: root.dependencies[name] ?? root.devDependencies[name] });
    }
    expect(fs.readFileSync(path.join(ROOT, 'policy', 'PulumiPolicy.yaml'), 'utf8')).toMatch(/^runtime: nodejs$/m);
  });
});

describe.each(ENV_NAMES)('the policy pack on the %s stack', env => {
  let resources: Resource[];
  beforeAll(async () => { resources = await resourcesOf(env); });

  test('sees every object of dist/ as a resource, and passes with no violation', () => {
    expect(resources.filter(r => r.type.startsWith('kubernetes:apps/v1:')).length).toBeGreaterThan(5);
    expect(resources.some(r => r.type === 'kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy')).toBe(true);
    expect(runPack(resources)).toEqual([]);
  });

  test('the Secrets created from secret stack config hold values and are exempt; the same Secret rendered into a chart is not', () => {
    const secrets = resources.filter(r => pack.isProgramSecret(r.urn));
    if (secrets.length === 0) return; // an environment without declared secrets
    expect(Object.keys(secrets[0].props.stringData).length).toBeGreaterThan(0);
    const group = resources.find(r => r.type === 'kubernetes:core/v1:Namespace')!;
    const rendered = { ...secrets[0], urn: group.urn.replace('kubernetes:core/v1:Namespace', 'kubernetes:core/v1:Secret') };
    const v = runPack([...resources, rendered]).filter(x => x.policy === 'secret-values');
    expect(v).toEqual([{ policy: 'secret-values', level: 'mandatory', message: expect.stringMatching(/\[secret-values\] Secret has stringData/) }]);
  });
});

describe('a deliberately bad override (privileged worker, no limits)', () => {
  test('is refused by config validation when written as dockercoins:overrides', () => {
    expect(() => loadEnvironment('prod', { dockercoins: [{ name: 'dockercoins', worker: { securityContext: { privileged: true } } }] })).toThrow(/worker\.securityContext/);
    expect(() => loadEnvironment('prod', { dockercoins: [{ name: 'dockercoins', worker: { resources: { limits: null } } }] })).toThrow(/worker\.resources\.limits/);
  });

  test('made to the objects the program deploys (a transformation, a hand edit), it is stopped by mandatory policies', async () => {
    const resources = await resourcesOf('prod', o => (isBadTarget(o) ? makeBad(o) : o));
    const v = runPack(resources);
    expect(v.length).toBeGreaterThan(0);
    expect(v.filter(x => !x.message.startsWith('Deployment dockercoins/worker: '))).toEqual([]);
    const mandatory = [...new Set(v.filter(x => x.level === 'mandatory').map(x => x.policy))].sort();
    expect(mandatory).toEqual(['host-access', 'pod-security', 'resources']);
    expect(v.map(x => x.message)).toEqual(expect.arrayContaining([
      expect.stringContaining('[pod-security] restricted: container worker: securityContext.privileged must not be true'),
      expect.stringContaining('[resources] container worker has no resources limits.cpu, limits.memory'),
      expect.stringContaining('[host-access] container worker is privileged'),
    ]));
  });
});

describe('the pack starts the way `pulumi preview --policy-pack policy/` starts it', () => {
  test('@pulumi/pulumi/cmd/run-policy-pack type-checks it (ts-node, the pack\'s tsconfig) and serves it', async () => {
    // The nodejs language host runs `node <@pulumi/pulumi/cmd/run-policy-pack> <engine> <pack dir>` with the
    // pack dir as working directory (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin,
    // commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8); the pack answers with the port it serves on.
    const runner = require.resolve('@pulumi/pulumi/cmd/run-policy-pack', { paths: [path.join(ROOT, 'policy')] });
    const child = spawn(process.execPath, [runner, '127.0.0.1:1', '.'], { cwd: path.join(ROOT, 'policy'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', d => (stderr += d));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', d => {
          stdout += d;
          const m = /^(\d+)\s*$/m.exec(stdout);
          if (m) resolve(m[1]);
        });
        child.on('exit', code => reject(new Error(`policy pack exited ${code}: ${stderr}`)));
      });
      expect(Number(port)).toBeGreaterThan(0);
    } finally {
      child.kill();
    }
  }, 120_000);
});
