/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/images'],
  testMatch: ['**/*.test.ts'],
  // Type-checking happens once in `npm run lint` (tsc --noEmit); tests transpile only, which is ~4x faster.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 120000,
  // Two cores: integration tests mostly wait on their own moto_server process, so run two files at once.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
