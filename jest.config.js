/**
 * Type checking happens once in `tsc --noEmit` (npm test), so the transform only strips types: SWC, which does it many
 * times faster than ts-jest on a fresh machine, where nothing is cached yet.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // The fault sweep's files add their counts up into one line at the end of the run.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
  // Two workers, one per core. Each test file loads its own copy of the AWS SDK, so a worker's heap only grows; one
  // whose heap passed this after a file is replaced by a fresh one, and `npm run test:pipeline` caps each worker's V8
  // heap (NODE_OPTIONS) so that the two together stay under 1 GB. The CDK synth tests (test/infra) hold most of their
  // memory outside the heap, where this check does not see it: `npm test` runs them apart, one worker, a fresh one for
  // each file (npm run test:stack).
  maxWorkers: 2,
  workerIdleMemoryLimit: '200MB',
};
