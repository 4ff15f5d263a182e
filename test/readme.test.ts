import { readFileSync } from 'node:fs';
import { SETTINGS } from '../src/config/settings.js';
import { projectPath } from '../src/util/project.js';

const readme = readFileSync(projectPath('README.md'), 'utf8');

test('the README documents every setting (regenerate with: npx tsx scripts/readme-config.ts)', () => {
  const missing = SETTINGS.filter((s) => !readme.includes(`\`${s.env}\``)).map((s) => s.env);
  expect(missing).toEqual([]);
});

test('the README gives the two commands, and .ci/run calls the README test command', () => {
  expect(readme).toContain('npm ci && npm start');
  expect(readme).toContain('npm test');
  expect(readFileSync(projectPath('.ci/run'), 'utf8')).toMatch(/^npm test$/m);
});
