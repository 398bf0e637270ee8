/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Process-spawning tests share two cores with the simulators they talk to.
  testTimeout: 60000,
  // Builds bin/lib/ once, so spawn tests run the real launcher and bundle.
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  maxWorkers: 2,
};
