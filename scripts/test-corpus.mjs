// Runs the corpus tests against a folder of eHDSI samples:
//   npm run test:corpus -- ../shared/ehdsi-samples
// The folder is passed to the tests as EHDSI_SAMPLES.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const folder = process.argv[2];
if (!folder || !existsSync(folder)) {
  console.error('usage: npm run test:corpus -- <path to ehdsi-samples folder>');
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--config', 'jest.corpus.config.js', ...process.argv.slice(3)], {
  stdio: 'inherit',
  env: { ...process.env, EHDSI_SAMPLES: path.resolve(folder) },
});
process.exit(result.status ?? 1);
