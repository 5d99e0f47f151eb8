// The Galera runs (npm run test:galera), apart from the default projects: they need the
// three-node cluster that scripts/run-galera-tests.js starts, and take minutes.
module.exports = {
  rootDir: '../..',
  testMatch: ['<rootDir>/test/galera/**/*.galera-spec.ts'],
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  testTimeout: 300000,
};
