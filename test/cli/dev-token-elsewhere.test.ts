/**
 * `npm run dev-token` from outside the project folder: npm finds no package.json
 * there (plain `npm run` fails with ENOENT, exit 254, and `-s` hides even that),
 * so the README's way is `npm --prefix <project folder> run -s dev-token -- …`,
 * which works from any folder; relative settings are then relative to the
 * project folder, as for `npm start`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectPath, projectRoot } from '../../src/util/project.js';

let elsewhere: string;
beforeAll(() => {
  elsewhere = mkdtempSync(path.join(tmpdir(), 'dev-token-elsewhere-'));
});
afterAll(() => {
  rmSync(elsewhere, { recursive: true, force: true });
});

const npm = (args: string[], env: Record<string, string> = {}) => spawnSync('npm', args, {
  cwd: elsewhere, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env },
});

test('npm --prefix <project> run -s dev-token -- --list --json works from another folder', () => {
  const run = npm(['--prefix', projectRoot(), 'run', '-s', 'dev-token', '--', '--list', '--json']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toContainEqual({ nationalId: '899700209937', name: 'CYRIL TOUBIB', eligible: true, rule: null });
}, 60_000);

test('…and prints a token there, with the key of the DATA_DIR given', () => {
  const dataDir = path.join(elsewhere, 'data');
  const run = npm(['--prefix', projectRoot(), 'run', '-s', 'dev-token', '--', '899700209937'], { DATA_DIR: dataDir });
  expect(run.status).toBe(0);
  expect(run.stdout.trim().split('.')).toHaveLength(3);
  expect(existsSync(path.join(dataDir, 'dev-idp'))).toBe(true);
}, 60_000);

test('the README says how', () => {
  expect(readFileSync(projectPath('README.md'), 'utf8')).toContain('npm --prefix <project folder> run -s dev-token -- 899700209937');
});
