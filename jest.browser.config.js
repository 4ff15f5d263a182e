// The browser tests (test/browser/: chromium driven by playwright-core), run by `npm run test:browser`,
// not by `npm test`: a machine may have no chromium. CHROMIUM_PATH names it (default /usr/bin/chromium).
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 90000,
};
