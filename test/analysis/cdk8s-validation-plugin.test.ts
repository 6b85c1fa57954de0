import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerCoinsValidation, ValidationContextLike } from '../../src/analysis/cdk8s-validation-plugin';

const ROOT = path.join(__dirname, '..', '..');
const STACK = path.join(__dirname, '..', 'fixtures', 'analysis', 'stack');
const stackFiles = () => fs.readdirSync(STACK).sort().map((f) => path.join(STACK, f));

function fakeContext(manifests: string[]) {
  const violations: any[] = [];
  const submitted: any[] = [];
  const ctx: ValidationContextLike = {
    manifests,
    report: { addViolation: (v) => violations.push(v), submit: (s, m) => submitted.push([s, m]) },
    logger: { log: () => undefined },
  };
  return { ctx, violations, submitted };
}

describe('DockerCoinsValidation', () => {
  let tmp: string;
  let bad: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-'));
    bad = path.join(tmp, 'bad.k8s.yaml');
    fs.writeFileSync(bad, 'apiVersion: v1\nkind: Secret\nmetadata: {name: pg, namespace: dockercoins}\nstringData: {password: x}\n');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('submits success for a clean app', async () => {
    const { ctx, violations, submitted } = fakeContext(stackFiles());
    await new DockerCoinsValidation().validate(ctx);
    expect(violations).toEqual([]);
    expect(submitted).toEqual([['success', expect.objectContaining({ problems: '0' })]]);
  });

  it('reports violations grouped by rule with resource name and manifest path', async () => {
    const { ctx, violations, submitted } = fakeContext([...stackFiles(), bad]);
    await new DockerCoinsValidation().validate(ctx);
    expect(violations).toEqual([
      {
        ruleName: 'secret-values',
        recommendation: expect.any(String),
        fix: expect.any(String),
        violatingResources: [{ resourceName: 'pg', manifestPath: bad, locations: [expect.stringMatching(/^Secret dockercoins\/pg: Secret has stringData/)] }],
      },
    ]);
    expect(submitted[0][0]).toBe('failure');
  });

  it('can skip rules and rejects unknown rule ids', async () => {
    const { ctx, submitted } = fakeContext([...stackFiles(), bad]);
    await new DockerCoinsValidation({ skip: ['secret-values'] }).validate(ctx);
    expect(submitted[0][0]).toBe('success');
    expect(() => new DockerCoinsValidation({ skip: ['secrets'] })).toThrow(/unknown rule\(s\) in skip: secrets/);
  });

  it('loads through the JS shim with the cdk8s CLI plugin loader', () => {
    // A child process: the shim installs a require hook, which jest's module
    // system would not use. This is what `cdk8s synth` does with cdk8s.yaml.
    const script = `
      // not in the package's exports map: load by absolute path
      const cli = require('path').dirname(require.resolve('cdk8s-cli/package.json'));
      const { ValidationPlugin } = require(cli + '/lib/plugins/validation.js');
      const { PluginManager } = require(cli + '/lib/plugins/_manager.js');
      const app = { manifests: JSON.parse(process.argv[1]) };
      const config = { package: './src/analysis/cdk8s-validation-plugin.js', version: '0.1.0', class: 'DockerCoinsValidation' };
      const { plugin, context } = ValidationPlugin.load(config, app, false, new PluginManager(require('os').tmpdir()));
      plugin.validate(context).then(() => {
        const json = context.report.toJson();
        process.stdout.write('\\n' + JSON.stringify({ status: json.summary.status, rules: json.violations.map((v) => v.ruleName) }));
      });
    `;
    const out = execFileSync(process.execPath, ['-e', script, JSON.stringify([...stackFiles(), bad])], { cwd: ROOT, encoding: 'utf8' });
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/dockercoins validation: \d+ objects, 1 problems/); // the plugin's logger output
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ status: 'failure', rules: ['secret-values'] });
  });
});
