// Two projects: unit specs live beside the code, e2e/integration specs in test/.
// TZ is pinned by scripts/run-tests.js (UTC, then a second zone) so nothing may depend on it.
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
};

module.exports = {
  // e2e suites boot the app and real services; unit specs are fast either way.
  testTimeout: 120000,
  // Keystone and Ironic, when a suite needs them, run once per jest run on free ports under a
  // run directory, and are stopped at its end.
  globalSetup: '<rootDir>/test/services/jest-global-setup.js',
  globalTeardown: '<rootDir>/test/services/jest-global-teardown.js',
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.js'] },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
