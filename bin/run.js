#!/usr/bin/env node
'use strict';
// Entry point of the npm scripts: `node bin/run.js <command> [args]`.
// Each command parses its own arguments (node's util.parseArgs, strict) and
// has `--help`; this file only picks the command.
const path = require('path');

/** Every command, with the one line `node bin/run.js --help` prints. */
const COMMANDS = {
  synth: 'render every environment (or --env <name>) into dist/<env>/ (npm run synth)',
  cdk8s: 'the cdk8s.yaml app: render DOCKERCOINS_ENV (default dev) into CDK8S_OUTDIR (npm run cdk8s -- synth)',
  validate: 'check rendered manifests in dist/ or the given files and folders (npm run validate)',
  diff: 'semantic diff of dist/<env>/ against a git ref or another environment (npm run diff)',
  bench: 'time rendering, the stock ts-node path, K instances and optionally the tests (npm run bench)',
};

/** Commands that load and validate environment configurations (zod). */
const VALIDATES_CONFIG = new Set(['synth', 'cdk8s', 'bench']);

function usage() {
  const width = Math.max(...Object.keys(COMMANDS).map(c => c.length));
  return [
    'usage: node bin/run.js <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, line]) => `  ${name.padEnd(width)}  ${line}`),
    '',
    "`node bin/run.js <command> --help` describes a command's options.",
    '',
  ].join('\n');
}

const [command, ...args] = process.argv.slice(2);
if (command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(usage());
  process.exit(0);
}
if (!Object.prototype.hasOwnProperty.call(COMMANDS, command)) {
  const reason = command === undefined ? 'no command given' : `unknown command ${JSON.stringify(command)}`;
  process.stderr.write(`run: ${reason}\n\n${usage()}`);
  process.exit(2);
}

// One bundled file when this tree ran unchanged before (bin/bundle.js); `synth --watch` reloads
// the modules a save changed, so it runs from the sources, and runs the unchanged modules it
// reloads from the scripts compiled for them before (bin/register.js reuseCompiled).
const watching = command === 'synth' && args.some(a => a === '--watch' || a.startsWith('--watch='));
const register = require('./register');
register.useCodeCache();
if (watching) register.reuseCompiled();
// zod compiles every object schema into a parser (new Function) on its first parse: worth it for
// thousands of parses, not for the few a command makes (about 50 ms of `npm run synth`). Commands
// that validate configurations run zod's interpreted parsers (z.config jitless: same results).
// Set before the command loads: zod reads it when a schema is built. zod keeps its configuration in
// globalThis.__zod_globalConfig, which `z.config()` extends (zod/v4/core/core.cjs): the same object
// for the zod of node_modules and the one in a bundle, without loading zod here (about 60 ms).
// test/cli/loading.test.ts checks that zod reads it.
if (VALIDATES_CONFIG.has(command)) globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
let fromBundle = false;
let started = false;
Promise.resolve(watching ? undefined : require('./bundle').load(command))
  .then(bundled => {
    fromBundle = bundled !== undefined;
    const commandModule = bundled || require(path.join(__dirname, '..', 'src', 'cli', `${command}.ts`));
    started = true;
    return commandModule.main(args);
  })
  .then(code => { process.exitCode = code; })
  .catch(err => {
    // A source that does not parse: the file, line and column to fix, not esbuild's stack.
    if (err && err.code === require('./transpile').SYNTAX_ERROR) {
      process.stderr.write(`${command}: ${err.message}\n${started ? '' : 'Nothing was run or written.\n'}`);
      process.exitCode = 1;
      return;
    }
    const lines = fromBundle ? '\n(lines of the bundle: DOCKERCOINS_BUNDLE=0 runs the sources, whose stack traces name .ts lines)' : '';
    process.stderr.write(`${command} failed: ${err && err.stack ? err.stack : err}${lines}\n`);
    process.exitCode = 1;
  });
