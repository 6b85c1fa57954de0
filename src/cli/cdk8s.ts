import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { ConfigError, ENVIRONMENTS, loadEnvironment } from '../config';
import { renderEnvironment } from '../render';

/**
 * How the project runs the stock cdk8s CLI: `npm run cdk8s -- synth` runs
 * `cdk8s --no-check-upgrade synth` (package.json `scripts.cdk8s`).
 *
 * Why the flag: before every command, cdk8s-cli 2.207.60 asks the npm registry
 * for its latest version unless its global yargs option `check-upgrade`
 * (default true) is false:
 *   node_modules/cdk8s-cli/lib/cli/index.js:41
 *     .option('check-upgrade', { type: 'boolean', desc: 'Check for cdk8s-cli upgrade', default: true })
 *   node_modules/cdk8s-cli/lib/cli/index.js:43-44  if (argv.checkUpgrade) { ... upgradeAvailable() }
 *   node_modules/cdk8s-cli/lib/upgrades.js:78       cdk8s.Yaml.load(`http://registry.npmjs.org/${module}/latest`)
 * (source: cdk8s-team/cdk8s-cli src/cli/index.ts and src/upgrades.ts). The
 * fetch runs in a child node process whose stderr is inherited
 * (node_modules/cdk8s/lib/yaml.js:139, execFileSync), so offline it prints the
 * child's stack trace ("Error: http error: ..." from
 * node_modules/cdk8s/lib/_loadurl.mjs:42); the failed fetch then yields
 * `undefined`, which differs from the installed version, so the CLI also
 * claims "A new version undefined of cdk8s-cli is available"
 * (lib/upgrades.js:58, lib/cli/index.js:47). The answer is cached for 30 min in
 * ~/.cdk8s-cli.version (lib/upgrades.js:46-47), only after a successful fetch.
 *
 * cdk8s.yaml has no setting for it (lib/config.js readConfigSync only feeds
 * the synth/import commands), so the supported switches are the flag
 * `--no-check-upgrade` / `--check-upgrade=false`, or the environment variable
 * CDK8S_CHECK_UPGRADE=false (lib/cli/index.js:59 `.env('CDK8S')`). The npm
 * script uses the flag: it works in every shell, Windows included.
 */
export const CDK8S_CLI_FLAGS: readonly string[] = ['--no-check-upgrade'];

export const HELP = `usage: DOCKERCOINS_ENV=<env> npm run cdk8s -- synth [--output <dir>]
       node bin/run.js cdk8s [--help]

The cdk8s.yaml \`app\`: renders ONE environment into one folder, so that the
stock cdk8s CLI (\`npm run cdk8s -- synth\`) and its validation plugins work
as usual. \`npm run synth\` renders every environment into dist/<env>/.

  DOCKERCOINS_ENV   environment to render (default dev); known: ${Object.keys(ENVIRONMENTS).join(', ')}
  CDK8S_OUTDIR      folder to write into (default cdk8s.out); the cdk8s CLI sets
                    it to its output folder: cdk8s.yaml \`output\` (cdk8s.out) or
                    \`--output <dir>\`. The cdk8s CLI empties that folder first.

Takes no arguments.

  -h, --help        show this help

Exit status: 0 rendered, 1 unknown or invalid environment, 2 bad arguments.
`;

export function main(argv: string[] = []): number {
  let help = false;
  try {
    ({ values: { help = false } } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    process.stderr.write(`cdk8s: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (help) { process.stdout.write(HELP); return 0; }

  const name = process.env.DOCKERCOINS_ENV || 'dev';
  const known = Object.keys(ENVIRONMENTS);
  if (!Object.prototype.hasOwnProperty.call(ENVIRONMENTS, name)) {
    process.stderr.write(`cdk8s: DOCKERCOINS_ENV=${JSON.stringify(name)} is not a known environment; known: ${known.join(', ')}\n`);
    return 1;
  }
  const outdir = process.env.CDK8S_OUTDIR || 'cdk8s.out';
  try {
    const files = renderEnvironment(loadEnvironment(name));
    fs.mkdirSync(outdir, { recursive: true });
    for (const file of files) {
      // Delivery files live in sub-folders (applyset/, argocd/, flux/wave-<n>/).
      const target = path.join(outdir, ...file.name.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.content);
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`cdk8s: ${e.message}\n`); return 1; }
    throw e;
  }
}
