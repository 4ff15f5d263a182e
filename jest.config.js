// Jest runs our TypeScript as native ES modules (ts-jest, transpile only; `npm run
// typecheck` does the type checking), so the ESM-only libraries (openid-client,
// oidc-provider, jose) load as they do in production.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, isolatedModules: true, diagnostics: false }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/test/corpus/', '<rootDir>/test/browser/'],
  testTimeout: 20000,
};
