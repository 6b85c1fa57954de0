import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { renderEnvironment } from '../../src/render';
import { filesUnder } from '../../src/cli/synth';
import { CliRun, ROOT, STRESS, inProcess, spawnCli } from '../helpers/cli';

/**
 * Runs the command's main in-process; with `spawned` (every call under stress) also as
 * `node bin/run.js`, which must give the same exit code, stdout and stderr.
 */
async function run(args: string[], env: Record<string, string> = {}, spawned = false): Promise<CliRun> {
  const result = await inProcess(args, env);
  if (spawned || STRESS) expect(spawnCli(args, env)).toEqual(result);
  return result;
}

describe('npm run synth', () => {
  let out: string;
  beforeEach(() => { out = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')); });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  test('renders every environment into <out>/<env>/, byte-identical on rerun', async () => {
    expect((await run(['synth', '--out', out], {}, true)).status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['.synth-output', ...Object.keys(ENVIRONMENTS)].sort());
    const snapshot = () => Object.keys(ENVIRONMENTS).flatMap(env => filesUnder(path.join(out, env)).map(f => fs.readFileSync(path.join(out, env, f), 'utf8')));
    const first = snapshot();
    expect((await run(['synth', '--out', out])).status).toBe(0);
    expect(snapshot()).toEqual(first);
    expect((await run(['synth', '--out', out, '--check'])).status).toBe(0);
  });

  test('the committed dist/ matches the code', async () => {
    const result = await run(['synth', '--check'], {}, true);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('--check reports stale output', async () => {
    await run(['synth', '--out', out]);
    fs.appendFileSync(path.join(out, 'dev', '00-namespaces.k8s.yaml'), '# edited by hand\n');
    const result = await run(['synth', '--out', out, '--check']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(path.join(out, 'dev', '00-namespaces.k8s.yaml'));
  });

  test('regression: --env=prod is accepted like --env prod (one parser for every command)', async () => {
    const result = await run(['synth', '--env=prod', '--out', out]);
    expect(result.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['.synth-output', 'prod']);
  });

  test.each([
    [['--env', 'production'], 'synth: --env "production": unknown environment; known: dev, staging, prod'],
    [['--prune', '--env', 'dev'], 'synth: --prune needs every environment rendered: drop --env'],
    [['--out', ''], 'synth: --out needs a folder'],
    [['stray'], "synth: Unexpected argument 'stray'"],
  ])('synth %j is refused with exit 2: %s', async (args, message) => {
    const result = await run(['synth', ...args, '--out', out].slice(0, args.includes('--out') ? args.length + 1 : undefined));
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(message);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('--help prints the usage and exits 0 without rendering', async () => {
    const result = await run(['synth', '--help', '--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run synth/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('bad arguments exit 2 with the usage', async () => {
    const result = await run(['synth', '--bogus'], {}, true);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("synth: Unknown option '--bogus'");
    expect(result.stderr).toContain('usage: npm run synth');
  });

  test('an invalid environment is refused before anything is written, naming environment, field and reason', async () => {
    // A failing render must leave the previous output untouched: run the CLI on a
    // copy of the project whose prod config is broken.
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'));
    try {
      // dist/ as committed: what `synth` renders from this tree (checked by 'the committed dist/ matches the code').
      for (const entry of ['bin', 'src', 'constructs', 'package.json', 'dist']) fs.cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
      const before = fs.readFileSync(path.join(project, 'dist', 'dev', '00-namespaces.k8s.yaml'), 'utf8');
      const prodFile = path.join(project, 'src', 'config', 'environments', 'prod.ts');
      fs.writeFileSync(prodFile, fs.readFileSync(prodFile, 'utf8').replace('replicas: 10 }', 'replicas: 0 }'));
      const versions = path.join(project, 'constructs', 'versions.ts');
      fs.writeFileSync(versions, fs.readFileSync(versions, 'utf8').replace("hub('redis', '7.4.2-alpine')", "hub('redis', 'latest')"));
      fs.writeFileSync(path.join(project, 'src', 'config', 'environments', 'dev.ts'),
        fs.readFileSync(path.join(project, 'src', 'config', 'environments', 'dev.ts'), 'utf8').replace("DEBUG: 'yes'", "DEBUG: 'no'"));
      const result = spawnSync(process.execPath, ['bin/run.js', 'synth'], { cwd: project, encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('Invalid configuration for environment "prod":');
      expect(result.stderr).toContain('dockercoins[dockercoins].worker.replicas: must be at least 1, got 0');
      expect(result.stderr).toContain('dockercoins[dockercoins].redis.image.tag: "latest" is not allowed');
      expect(result.stderr).toContain('Nothing was written');
      expect(fs.readFileSync(path.join(project, 'dist', 'dev', '00-namespaces.k8s.yaml'), 'utf8')).toBe(before);
      expect(fs.readFileSync(path.join(project, 'dist', 'dev', '20-dockercoins.k8s.yaml'), 'utf8')).toContain('DEBUG: "yes"');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test('the cdk8s app entry renders the environment named by DOCKERCOINS_ENV (dev by default) into CDK8S_OUTDIR', async () => {
    expect((await run(['cdk8s'], { CDK8S_OUTDIR: out, DOCKERCOINS_ENV: 'staging' })).status).toBe(0);
    const files = renderEnvironment(loadEnvironment('staging'));
    for (const f of files) expect(fs.readFileSync(path.join(out, f.name), 'utf8')).toBe(f.content);
    const devOut = path.join(out, 'dev');
    expect((await run(['cdk8s'], { CDK8S_OUTDIR: devOut, DOCKERCOINS_ENV: '' })).status).toBe(0);
    expect(filesUnder(devOut).sort()).toEqual(renderEnvironment(loadEnvironment('dev')).map(f => f.name).sort());
    const bad = await run(['cdk8s'], { CDK8S_OUTDIR: out, DOCKERCOINS_ENV: 'qa' }, true);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('DOCKERCOINS_ENV="qa" is not a known environment; known: dev, staging, prod');
  });
  // The stock cdk8s CLI through cdk8s.yaml: test/cli/cdk8s.test.ts.
});

describe('synth --print-config and --stack-config', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-cli-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const stackFile = (name: string, body: string) => { const f = path.join(dir, name); fs.writeFileSync(f, body); return f; };

  test('--print-config prints the merged, validated config with defaults filled in', async () => {
    const result = await run(['synth', '--print-config', 'prod']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^name: prod\n/);
    // A default from the component schema, not written in prod.ts:
    expect(result.stdout).toContain('repository: dockercoins/rng');
  });

  test('--print-config with --stack-config shows the stack overrides merged', async () => {
    const f = stackFile('Pulumi.prod-eu.yaml', 'config:\n  dockercoins:environment: prod\n  dockercoins:overrides: { dockercoins: [{ name: dockercoins, worker: { replicas: 12 } }] }\n');
    const result = await run(['synth', '--print-config', 'prod', '--stack-config', f]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('replicas: 12');
  });

  test.each([
    [['--stack-config', 'Pulumi.dev.yaml'], 2, 'synth: --stack-config needs --out <dir> (dist/ holds the environments, not stacks)'],
    [['--stack-config', 'Pulumi.dev.yaml', '--out', 'dist'], 2, 'synth: --out dist: dist/ holds the environments as synth renders them; render a stack elsewhere'],
    [['--print-config', 'qa'], 2, 'synth: --print-config "qa": unknown environment; known: dev, staging, prod'],
  ])('synth %j is refused (exit %i): %s', async (args, status, message) => {
    const result = await run(['synth', ...args]);
    expect(result.status).toBe(status);
    expect(result.stderr.split('\n')[0]).toBe(message);
  });

  test.each([
    ['stack.yaml', 'config: {}\n', 'the file name must be Pulumi.<stack>.yaml (the stack name comes from it)'],
    ['Pulumi.x.yaml', 'config:\n  dockercoins:environment: prod\n  description: a: b\n', 'not valid YAML:'],
    ['Pulumi.x.yaml', 'config:\n  dockercoins:enviroment: prod\n', 'config key "dockercoins:enviroment" is not a setting of this project'],
    ['Pulumi.x.yaml', 'config:\n  overrides: {}\n', 'config key "overrides" is not of the form <namespace>:<name>'],
    ['Pulumi.x.yaml', 'config:\n  dockercoins:environment: prod\n  dockercoins:overrides: { dockercoins: [{ name: dockercoins, worker: { replicaCount: 3 } }] }\n', 'dockercoins[dockercoins].worker.replicaCount: unknown field; the fields here are image, replicas, resources'],
    ['Pulumi.qa.yaml', 'config: {}\n', 'environment: unknown environment "qa"; known: dev, staging, prod'],
  ])('a bad stack file %s is refused naming the problem, nothing written', async (name, body, message) => {
    const result = await run(['synth', '--stack-config', stackFile(name, body), '--out', path.join(dir, 'out')], {}, name === 'stack.yaml');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});
