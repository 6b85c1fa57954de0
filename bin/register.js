'use strict';
// Runs TypeScript sources directly by transpiling each file with esbuild as it
// is required: no type-checking on the render path (`npm test` runs tsc).
const fs = require('fs');
const esbuild = require('esbuild');

process.setSourceMapsEnabled(true);
require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = esbuild.transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  module._compile(code, filename);
};
