import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDK8S_CLI_FLAGS } from '../../src/cli/cdk8s';
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { renderEnvironment } from '../../src/render';
import { filesUnder } from '../../src/cli/synth';
import { CliRun, STRESS, inProcess } from '../helpers/cli';

const ROOT = path.join(__dirname, '..', '..');
const COMMANDS = ['synth', 'cdk8s', 'validate', 'diff', 'bench'];

/** The environment of a child process, without the caller's CDK8S_* / DOCKERCOINS_ENV settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CDK8S_') && k !== 'DOCKERCOINS_ENV') env[k] = v;
  return { ...env, ...extra };
}

function run(args: string[], extra: Record<string, string> = {}): CliRun {
  const { status, stdout, stderr } = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: cleanEnv(extra) });
  return { status, stdout, stderr };
}

/**
 * A command's own main in-process (test/helpers/cli.ts); with `spawned` (every call under stress)
 * also through `node bin/run.js`, which must give the same exit code, stdout and stderr.
 */
async function runCommand(args: string[], extra: Record<string, string> = {}, spawned = false): Promise<CliRun> {
  const result = await inProcess(args, { DOCKERCOINS_ENV: '', ...extra });
  if (spawned || STRESS) expect(run(args, extra)).toEqual(result);
  return result;
}

/** Files of a folder, name -> content. */
function readFolder(dir: string): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).sort().map(f => [f, fs.readFileSync(path.join(dir, ...f.split('/')), 'utf8')]));
}

const rendered = (env: string) => Object.fromEntries(renderEnvironment(loadEnvironment(env)).map(f => [f.name, f.content]).sort(([a], [b]) => (a < b ? -1 : 1)));

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-app-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('node bin/run.js', () => {
  test('--help lists every command with one line each and exits 0', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: node bin\/run.js <command>/);
    for (const c of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${c} +\\S.*$`, 'm'));
  });

  test.each([
    [[], 'run: no command given'],
    [['render'], 'run: unknown command "render"'],
    [['--synth'], 'run: unknown command "--synth"'],
  ])('%j prints the list of commands and exits 2', (args, message) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(message);
    for (const c of COMMANDS) expect(result.stderr).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    expect(result.stdout).toBe('');
  });

  test.each(COMMANDS)('%s --help prints its usage and exits 0; an unknown option exits 2', async command => {
    const help = await runCommand([command, '--help'], { CDK8S_OUTDIR: path.join(tmp, 'out') }, command === 'synth');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: /);
    const bad = await runCommand([command, '--no-such-option'], { CDK8S_OUTDIR: path.join(tmp, 'out') }, command === 'cdk8s');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--no-such-option/);
    expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
  });
});

describe('node bin/run.js cdk8s (the cdk8s.yaml app)', () => {
  test('--help prints the usage, naming DOCKERCOINS_ENV and CDK8S_OUTDIR, and renders nothing', async () => {
    const out = path.join(tmp, 'out');
    const result = await runCommand(['cdk8s', '--help'], { CDK8S_OUTDIR: out });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('DOCKERCOINS_ENV');
    expect(result.stdout).toContain('CDK8S_OUTDIR');
    expect(result.stdout).toContain(`known: ${Object.keys(ENVIRONMENTS).join(', ')}`);
    expect(fs.existsSync(out)).toBe(false);
  });

  test.each([[['--bogus'], "cdk8s: Unknown option '--bogus'"], [['synth'], "cdk8s: Unexpected argument 'synth'"]])(
    '%j is refused with exit 2 and the usage, rendering nothing', async (args, message) => {
      const out = path.join(tmp, 'out');
      const result = await runCommand(['cdk8s', ...args], { CDK8S_OUTDIR: out });
      expect(result.status).toBe(2);
      expect(result.stderr.split('\n')[0]).toContain(message);
      expect(result.stderr).toContain('usage: DOCKERCOINS_ENV=<env>');
      expect(fs.existsSync(out)).toBe(false);
    });

  test('an unknown DOCKERCOINS_ENV: one line naming the variable and the known environments, exit 1', async () => {
    const out = path.join(tmp, 'out');
    const result = await runCommand(['cdk8s'], { DOCKERCOINS_ENV: 'production', CDK8S_OUTDIR: out }, true);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('cdk8s: DOCKERCOINS_ENV="production" is not a known environment; known: dev, staging, prod\n');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('renders DOCKERCOINS_ENV into CDK8S_OUTDIR, exactly what renderEnvironment gives', async () => {
    const out = path.join(tmp, 'out');
    const result = await runCommand(['cdk8s'], { DOCKERCOINS_ENV: 'staging', CDK8S_OUTDIR: out });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFolder(out)).toEqual(rendered('staging'));
  });
});

describe('the stock cdk8s CLI offline (`npm run cdk8s -- synth`)', () => {
  /**
   * Runs node_modules/.bin/cdk8s with the network cut: every node process it
   * starts (the CLI, its upgrade-check child, the app) preloads a hook that
   * fails each socket connect. HOME is empty, so no cached upgrade answer
   * (~/.cdk8s-cli.version) and no user plugins take part.
   */
  function cdk8sOffline(args: string[], extraEnv: Record<string, string> = {}) {
    const noNetwork = path.join(tmp, 'no-network.js');
    fs.writeFileSync(noNetwork, `'use strict';
const net = require('net');
net.Socket.prototype.connect = function () {
  const err = Object.assign(new Error('connect ENETUNREACH (network disabled by the test)'), { code: 'ENETUNREACH' });
  process.nextTick(() => this.destroy(err));
  return this;
};
`);
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --require ${noNetwork}`.trim();
    return spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: cleanEnv({ HOME: home, USERPROFILE: home, NODE_OPTIONS: nodeOptions, DOCKERCOINS_ENV: 'dev', NO_COLOR: '1', ...extraEnv }),
    });
  }

  const NETWORK_OR_UPGRADE = /upgrade|new version|registry\.npmjs|http error|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/i;

  test('with the project flags: exit 0, no upgrade or network message, and the files renderEnvironment(dev) gives', () => {
    const out = path.join(tmp, 'cdk8s.out');
    const result = cdk8sOffline([...CDK8S_CLI_FLAGS, 'synth', '--output', out]);
    expect(result.stderr).not.toMatch(NETWORK_OR_UPGRADE);
    expect(result.stdout).not.toMatch(NETWORK_OR_UPGRADE);
    expect(readFolder(out)).toEqual(rendered('dev'));
    // Exit 0 also needs the validation plugin (cdk8s.yaml) to find no problem in dev.
    expect({ status: result.status, stderr: result.stderr, stdout: result.status === 0 ? '' : result.stdout }).toEqual({ status: 0, stderr: '', stdout: '' });
    expect(result.stdout).toContain('Validations ended succesfully'); // sic: the CLI's spelling
  });

  test('control: without them the CLI checks for an upgrade and prints the network error', () => {
    const result = cdk8sOffline(['synth', '--output', path.join(tmp, 'cdk8s.out')]);
    expect(result.stderr).toContain('network disabled by the test'); // the hook did cut the check off
    expect(result.stderr).toMatch(/A new version undefined of cdk8s-cli is available/);
  });

  // Bare `npx cdk8s synth` (no npm script): the CLI reads every option from CDK8S_* variables too
  // (yargs `.env('CDK8S')` in node_modules/cdk8s-cli/lib/cli/index.js), so the upgrade check is off
  // with CDK8S_CHECK_UPGRADE=false, as the README says.
  // Also: DOCKERCOINS_ENV reaches the app through the CLI (prod here, dev in the other runs).
  test('bare `DOCKERCOINS_ENV=prod cdk8s synth` with CDK8S_CHECK_UPGRADE=false: no upgrade check, no network message, exit 0, prod rendered', () => {
    const out = path.join(tmp, 'cdk8s-env.out');
    const result = cdk8sOffline(['synth', '--output', out], { CDK8S_CHECK_UPGRADE: 'false', DOCKERCOINS_ENV: 'prod' });
    expect(result.stderr).not.toMatch(NETWORK_OR_UPGRADE);
    expect(result.status).toBe(0);
    expect(readFolder(out)).toEqual(rendered('prod'));
  });

  test('package.json runs the cdk8s CLI with those flags: `npm run cdk8s -- synth`', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts ?? {};
    expect(scripts.cdk8s).toBe(['cdk8s', ...CDK8S_CLI_FLAGS].join(' '));
  });
});
