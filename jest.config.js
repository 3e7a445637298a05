/** Type checking happens once in `tsc --noEmit` (npm test), so ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // The fault sweep's files add their counts up into one line at the end of the run.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
  // One worker: on a 2-core machine a second one buys a few seconds and doubles the memory. Each test file loads its own
  // copy of the AWS SDK and CDK modules, so a worker's heap only grows; one whose heap passed this after a file is
  // replaced by a fresh one. The CDK synth tests (test/infra) hold most of their memory outside the heap, where this
  // check does not see it: `npm test` runs them apart, with a fresh worker for each file (npm run test:stack).
  maxWorkers: 1,
  workerIdleMemoryLimit: '200MB',
};
