'use strict';
// Runs TypeScript sources directly by transpiling each file with esbuild as it
// is required: no type-checking on the render path (`npm test` runs tsc).
// Transpiled files are cached in node_modules/.cache, keyed by content, so an
// unchanged tree loads without starting esbuild at all.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'dockercoins-ts');
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };
let esbuild;
let cacheKeyBase;

function transpile(source, filename) {
  if (!cacheKeyBase) cacheKeyBase = JSON.stringify(OPTIONS) + require('esbuild/package.json').version;
  const key = crypto.createHash('sha1').update(cacheKeyBase).update(filename).update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    esbuild = esbuild || require('esbuild');
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached); // atomic: concurrent runs never read half a file
    } catch {
      // A read-only tree still works, only slower.
    }
    return code;
  }
}

process.setSourceMapsEnabled(true);
require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
