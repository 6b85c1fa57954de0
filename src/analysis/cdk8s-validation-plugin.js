'use strict';
// Entry point for cdk8s.yaml `validations:`. The cdk8s CLI loads plugins with
// require(), so this file must be plain JavaScript: it teaches require() to
// load TypeScript (esbuild transpile, no type-check — `npm test` runs tsc)
// and re-exports the plugin class from the .ts module.
const fs = require('fs');

// Keep an existing hook (bin/register.js, ts-node...) if one is installed.
if (!require.extensions['.ts']) {
  const esbuild = require('esbuild');
  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcefile: filename,
      sourcemap: 'inline',
    });
    module._compile(code, filename);
  };
}

module.exports = require('./cdk8s-validation-plugin.ts');
