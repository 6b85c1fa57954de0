'use strict';
// Entry of `synth --watch`'s render worker (a worker thread of src/cli/watch.ts, with its own
// require cache): the loader and zod setting of bin/run.js, then the worker's loop
// (serveRenderWorker). Part of the watcher: never reloaded, a change needs a restart.
const register = require('../../bin/register');
register.useCodeCache();
register.reuseCompiled();
// As bin/run.js sets it for the commands that validate configurations (zod's interpreted parsers).
globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
// loadSynth: src/cli/synth.ts, loaded again once what it imports changed (as synth.ts passes it to watch).
const synth = require.resolve('./synth.ts');
require('./watch.ts').serveRenderWorker(() => require(synth));
