'use strict';
// Pulumi entry point (see Pulumi.yaml): the program is TypeScript, transpiled on
// load by esbuild instead of Pulumi's type-checking ts-node.
require('./register');
module.exports = require('../src/pulumi/index.ts');
