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
  // Two cores: integration tests mostly wait on their own moto_server process, so run two files at once.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
