/**
 * Pulumi's SDK records a stack trace on every promise it creates (`debuggablePromise` in
 * @pulumi/pulumi/runtime/debuggable.js reads `new Error().stack` at once, for its leak report at
 * exit), thousands per deployment. Under jest each of those goes through source-map-support, which
 * maps every frame through the source maps: a fifth of a Pulumi suite's time, measured on
 * test/pulumi/data-options.test.ts and program.test.ts (17.9 s -> 13.3 s). For those traces only,
 * this gives the three frames above debuggablePromise (who made the promise), unmapped (lines of
 * the generated JavaScript); every other stack, failing tests' included, is mapped as before. Runs after jest installed source-map-support
 * (setupFilesAfterEnv).
 */
const mapped = Error.prepareStackTrace;

export function isPulumiPromiseTrace(frames: readonly NodeJS.CallSite[]): boolean {
  const top = frames[0];
  return top !== undefined && top.getFunctionName() === 'debuggablePromise'
    && /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/.test(top.getFileName() ?? '');
}

if (mapped) {
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
    isPulumiPromiseTrace(frames) ? [String(error), ...frames.slice(1, 4).map(f => `    at ${f}`)].join('\n') : mapped(error, frames);
}
