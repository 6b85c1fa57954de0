'use strict';
// TypeScript -> CommonJS with esbuild, transpile only: types are checked once,
// by `tsc` in `npm test`. Shared by the run path (bin/register.js) and the
// tests (bin/jest-transform.js), so that tests run the JavaScript that
// `npm run synth` and `pulumi up` run.
//
// Anything cached from `transpile` is keyed by `cacheKey`: the options, the
// esbuild version and this file's own code, plus what the caller adds (the
// file's content and path, the source-map mode...). Change any of them and
// the cache misses; nothing stale is ever served.
const crypto = require('crypto');
const fs = require('fs');

/** esbuild options of every path; each caller picks its source-map mode. */
const OPTIONS = Object.freeze({ loader: 'ts', format: 'cjs', target: 'node20' });

let esbuild;
let keyBase;

/** sha1 over what decides the output (options, esbuild version, this file) and `parts`. */
function cacheKey(...parts) {
  if (!keyBase) {
    keyBase = crypto.createHash('sha1')
      .update(JSON.stringify(OPTIONS))
      .update(require('esbuild/package.json').version)
      .update(fs.readFileSync(__filename))
      .digest('hex');
  }
  const hash = crypto.createHash('sha1').update(keyBase);
  for (const part of parts) hash.update('\0').update(part);
  return hash.digest('hex');
}

/**
 * Transpiles one file. `sourcemap`: 'inline' (a comment at the end of the code,
 * what Node reads), 'external' (`map` returned separately, what jest reads) or false.
 */
function transpile(source, filename, sourcemap) {
  esbuild = esbuild || require('esbuild');
  const { code, map } = esbuild.transformSync(source, { ...OPTIONS, sourcemap, sourcefile: filename });
  return { code, map: map || undefined };
}

/** Starts esbuild's service now, so that the first `transpile` of a long-lived process (synth --watch) is fast. */
function warmUp() {
  transpile('', 'warm-up.ts', false);
}

module.exports = { OPTIONS, cacheKey, transpile, warmUp };
