// Tests over the public eHDSI samples (../shared/ehdsi-samples); run by `npm run test:corpus -- <folder>`.
import base from './jest.config.js';

export default { ...base, testMatch: ['<rootDir>/test/corpus/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'] };
