/**
 * The Node.js lines (README "Run and test"): what is supported, how CI tests the
 * other lines (scripts/with-node.sh), and oidc-provider's runtime warning, which
 * is printed exactly on a release that is not an LTS one from 22 (Jod) on.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { projectPath } from '../src/util/project.js';

const readme = readFileSync(projectPath('README.md'), 'utf8');
const WARNING = 'oidc-provider WARNING: Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.';

test('the README names the supported lines and the lowest that runs, as package.json engines does', () => {
  expect(readme).toContain('Node.js 22, 24 or 26 and npm are all you need');
  expect(readme).toContain('Node.js 20.19 still runs it');
  expect(readme).toContain(WARNING);
  const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { engines: { node: string } };
  expect(pkg.engines.node).toBe('>=20.19');
});

test('.ci/run runs the suites again on Node.js 26 and 24 with scripts/with-node.sh', () => {
  const ci = readFileSync(projectPath('.ci/run'), 'utf8');
  expect(ci).toMatch(/^for major in 26 24; do\n {2}scripts\/with-node\.sh "\$major" npm test$/m);
  expect(ci).toContain('scripts/with-node.sh "$major" npm run test:corpus -- "$SAMPLES"');
  expect(ci).toContain('scripts/with-node.sh "$major" npm run test:conformance -- "$IPS_IG" fixtures "$SAMPLES/cda"');
});

test('scripts/with-node.sh refuses a line it does not pin, and a call without a command, before downloading anything', () => {
  const script = projectPath('scripts', 'with-node.sh');
  const unknown = spawnSync(script, ['25', 'true'], { encoding: 'utf8' });
  expect([unknown.status, unknown.stderr]).toEqual([2, 'with-node: no pinned Node.js 25 (pinned: 22, 24, 26)\n']);
  const bare = spawnSync(script, ['24'], { encoding: 'utf8' });
  expect([bare.status, bare.stderr]).toEqual([2, 'with-node: usage: scripts/with-node.sh <22|24|26> <command…>\n']);
});

test(`oidc-provider warns on this Node.js (${process.version}) exactly when it is not an LTS release from 22 on`, () => {
  const lts = (process.release as { lts?: string }).lts;
  const supported = lts !== undefined && lts.charCodeAt(0) >= 'Jod'.charCodeAt(0);
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('oidc-provider')"], { cwd: projectPath(), encoding: 'utf8', timeout: 30_000 });
  expect(run.status).toBe(0);
  expect(run.stderr.includes(WARNING)).toBe(!supported);
}, 30_000);
