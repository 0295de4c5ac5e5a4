// Jest runs the TypeScript sources directly through swc (ESM, decorators with metadata for NestJS).
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'es6' },
    },
  ],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  testEnvironment: 'node',
};

export default {
  // Medium and e2e tests run real PostgreSQL, processes and sockets: a hook may take tens of seconds on a
  // loaded 2-core machine. (Jest reads the timeout globally, not per project.)
  testTimeout: 60_000,
  // One temp folder per run, removed at the end with everything the tests put in it.
  globalSetup: '<rootDir>/test/support/temp-root.setup.ts',
  globalTeardown: '<rootDir>/test/support/temp-root.teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'medium',
      testMatch: ['<rootDir>/test/medium/**/*.spec.ts'],
      testTimeout: 60_000,
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
  ],
};
