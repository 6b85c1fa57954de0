#!/usr/bin/env node
'use strict';
// Entry point of the npm scripts: `node bin/run.js <command> [args]`.
require('./register');
const path = require('path');

const COMMANDS = ['synth', 'cdk8s', 'validate', 'diff', 'bench'];
const [command, ...args] = process.argv.slice(2);
if (!COMMANDS.includes(command)) {
  process.stderr.write(`usage: node bin/run.js <${COMMANDS.join('|')}> [options]\n`);
  process.exit(2);
}
const { main } = require(path.join(__dirname, '..', 'src', 'cli', `${command}.ts`));
Promise.resolve()
  .then(() => main(args))
  .then(code => { process.exitCode = code; })
  .catch(err => {
    process.stderr.write(`${command} failed: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
