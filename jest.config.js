/**
 * Tests are transpiled only, by esbuild (bin/jest-transform.js, the same
 * JavaScript as the run path); `npm test` type-checks once with tsc before jest runs.
 */
module.exports = {
  // One context and module registry per worker, shared by its test files (why: the file).
  testEnvironment: '<rootDir>/test/setup/worker-environment.js',
  runtime: '<rootDir>/test/setup/worker-runtime.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/bin/jest-transform.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // One worker per core (jest's default, cores - 1, leaves one idle). Many tests wait on child
  // processes (the CLI). Measured on 2 cores with shared worker contexts (jest alone, two runs
  // each): 2 workers 59-62 s, 3 workers 62-65 s (a third context to warm up, no idle core to use).
  maxWorkers: '100%',
  testTimeout: 30000,
  // Cheap stack traces for the Pulumi SDK's per-promise records only (why: the file).
  setupFilesAfterEnv: ['<rootDir>/test/setup/pulumi-promise-stacks.ts'],
};
