/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/images'],
  testMatch: ['**/*.test.ts'],
  // Shared support (test/support: app builders, moto_server, fixtures, bench start-up) and fixture data are imported
  // by suites and benchmarks; nothing in them is a suite, whatever its name.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/support/', '<rootDir>/test/fixtures/'],
  // Type-checking happens once in `npm run lint` (tsc --noEmit); tests transpile only, which is ~4x faster.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 120000,
  // Two cores, three files at once: the Terraform apply and the integration tests mostly wait on terraform or their
  // own moto_server, so a third worker keeps both cores busy (147 s -> 138 s wall for the whole suite here).
  maxWorkers: 3,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
