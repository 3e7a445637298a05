/** Type checking happens once in `tsc --noEmit` (npm test), so ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 60000,
  // One worker: on a 2-core machine a second one buys a few seconds and doubles the memory. Each test file loads its own
  // copy of the AWS SDK and CDK modules, so a worker's heap only grows; one whose heap passed this after a file is
  // replaced by a fresh one (measured: 62 s for the suite, largest process 760 MB, the whole tree under 1 GB).
  maxWorkers: 1,
  workerIdleMemoryLimit: '200MB',
};
