import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectPath } from '../../src/util/project.js';

test('npm run ehdsi:chain discovers MARIJA in HR, queries, and retrieves L3 and L1 with matching hashes', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chain-'));
  const run = spawnSync(process.execPath, [projectPath('node_modules/tsx/dist/cli.mjs'), projectPath('src/cli/ehdsi-chain.ts')], {
    cwd: projectPath(), env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8', timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/match +MARIJA BOŽIČEVIĆ, female, born 1985-03-19/);
  expect(run.stdout).toMatch(/entry +L3 text\/xml urn:epSOS:ps:ps:2010/);
  expect(run.stdout).toMatch(/entry +L1 .*urn:ihe:iti:xds-sd:pdf:2008/);
  expect(run.stdout.match(/hash matches the registry/g)).toHaveLength(2);
}, 90_000);
