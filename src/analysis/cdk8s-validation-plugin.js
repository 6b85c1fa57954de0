'use strict';
// Entry point for cdk8s.yaml `validations:`. The cdk8s CLI loads plugins with
// require(), so this file must be plain JavaScript: it teaches require() to
// load TypeScript (esbuild transpile, no type-check — `npm test` runs tsc)
// and re-exports the plugin class from the .ts module.
// Keep an existing hook (bin/register.js, ts-node...) if one is installed.
if (!require.extensions['.ts']) require('../../bin/register');

module.exports = require('./cdk8s-validation-plugin.ts');
