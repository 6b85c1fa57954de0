'use strict';
// Jest transform for the TypeScript tests and sources: esbuild, transpile only,
// the same JavaScript as the run path (bin/transpile.js). `npm test` type-checks
// once with tsc before jest runs; ts-jest would type-check (or at least load the
// TypeScript compiler) again in every worker.
//
// The map is returned next to the code: jest maps stack traces through it, and
// `jest --coverage` instruments the output and maps the counts back to the .ts
// lines with it. Jest caches the output by `getCacheKey`: the file's content and
// path, jest's config, whether coverage instruments it, this file's code and
// everything bin/transpile.js keys by (options, esbuild version, its code).
//
// Coverage: esbuild's module helpers (`var __copyProps = ...`, `__export(...)`,
// `module.exports = __toCommonJS(...)`) have no place in the .ts file; counted,
// their branches and getters would be mapped onto unrelated lines. When jest
// instruments a file they are marked `istanbul ignore` (a comment at the start
// of their line, so only those ignored lines shift and the map stays valid).
const crypto = require('crypto');
const fs = require('fs');
const { cacheKey, transpile } = require('./transpile');

const SELF = crypto.createHash('sha1').update(fs.readFileSync(__filename)).digest('hex');

module.exports = {
  canInstrument: false,
  getCacheKey(source, filename, options) {
    return cacheKey('jest', SELF, filename, source, options.configString, options.instrument ? 'instrument' : '');
  },
  process(source, filename, options) {
    const { code, map } = transpile(source, filename, 'external');
    // An object: coverage (babel-plugin-istanbul's inputSourceMap) ignores a map given as a string.
    return { code: options && options.instrument ? ignoreHelpers(code) : code, map: JSON.parse(map) };
  },
};

const HELPER = /^(var __\w+ = |__export\(\w+, \{$|module\.exports = __toCommonJS\()/gm;

function ignoreHelpers(code) {
  return code.replace(HELPER, '/* istanbul ignore next */ $1');
}
