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
const path = require('path');

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

/** A path as the user would type it: relative to `cwd` when inside it, else as given. */
function shownPath(filename, cwd = process.cwd()) {
  const relative = path.relative(cwd, filename);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : filename;
}

/** `code` of the error `transpile` throws for a file esbuild cannot parse. */
const SYNTAX_ERROR = 'ERR_DOCKERCOINS_TS_SYNTAX';

/**
 * Transpiles one file. `sourcemap`: 'inline' (a comment at the end of the code,
 * what Node reads), 'external' (`map` returned separately, what jest reads) or false.
 * `shown` names the file in a syntax error (@default filename).
 */
function transpile(source, filename, sourcemap, shown = filename) {
  esbuild = esbuild || require('esbuild');
  let result;
  try {
    result = esbuild.transformSync(source, { ...OPTIONS, sourcemap, sourcefile: filename });
  } catch (e) {
    throw syntaxError(e, shown) || e;
  }
  return { code: result.code, map: result.map || undefined };
}

/**
 * esbuild's "Transform failed" as one error naming the file by `shownPath` and each problem by
 * line and column, with the line and a caret; undefined for anything else (a crashed service).
 * esbuild's location: line 1-based, column 0-based in UTF-8 bytes (esbuild's lib/main.d.ts,
 * `interface Location`); shown 1-based in characters, as tsc and editors count.
 */
function syntaxError(e, shown) {
  const messages = e && Array.isArray(e.errors) ? e.errors : [];
  if (messages.length === 0) return undefined;
  const lines = messages.map(({ text, location }) => {
    if (!location) return `${shown}: ${text}`;
    const before = Buffer.from(location.lineText, 'utf8').subarray(0, location.column).toString('utf8');
    // The caret under the token: a space per character before it, tabs kept (they indent alike).
    const pad = [...before].map(c => (c === '\t' ? '\t' : ' ')).join('');
    return `${shown}:${location.line}:${before.length + 1}: ${text}\n    ${location.lineText}\n    ${pad}^`;
  });
  const error = new SyntaxError(`${lines.join('\n')}\n(TypeScript that does not parse: fix the file; \`npm run typecheck\` also reports its type errors)`);
  error.code = SYNTAX_ERROR;
  return error;
}

/** Starts esbuild's service now, so that the first `transpile` of a long-lived process (synth --watch) is fast. */
function warmUp() {
  transpile('', 'warm-up.ts', false);
}

module.exports = { OPTIONS, SYNTAX_ERROR, cacheKey, shownPath, transpile, warmUp };
