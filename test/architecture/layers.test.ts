/**
 * The one-way layers (issue 13): `npm run lint:layers` runs dependency-cruiser
 * over src/ with .dependency-cruiser.mjs. This test runs the same config over a
 * small made-up src/ tree, so that a rule that stops matching (a renamed folder,
 * a resolution that no longer maps `./x.js` to `./x.ts`) fails here instead of
 * letting the real check pass on nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectPath } from '../../src/util/project.js';

let dir: string;

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] }, include: ['src/**/*.ts', 'test/**/*.ts'] }),
  // A made-up src/: the imports that are wrong are exactly those listed in the test below; all the
  // others (a lower layer, the own folder, config → logging, a test importing the test wiring,
  // test/ importing src/) are allowed and must not be reported.
  'src/util/a.ts': "export const a = 1;",
  'src/logging/l.ts': "import { a } from '../util/a.js';\nexport const l = a;",
  'src/config/c.ts': "import { l } from '../logging/l.js';\nimport type { K } from '../kernel/k.js';\nexport const c: K = l;",
  'src/kernel/k.ts': "import { l } from '../logging/l.js';\nexport type K = number;\nexport const k = l;",
  'src/terminology/t.ts': "import type { M } from '../mapping/m.js';\nexport const t: M | 1 = 1;",
  'src/mapping/m.ts': "import { s } from '../store/s.js';\nexport type M = number;\nexport const m = s;",
  'src/store/s.ts': "import { a } from '../util/a.js';\nexport const s = a;",
  'src/ehdsi/e.ts': "import { h } from '../../test/helpers/h.js';\nexport const e = h;",
  'src/ehdsi/e.test.ts': "import { app } from '../app-services.js';\nimport { sim } from '../simulator/sim.js';\nimport { f } from '../fhir/f.js';\nexport const x = [app, sim, f];",
  'src/audit/au.ts': "import { s } from '../store/s.js';\nexport const au = s;",
  'src/documents/doc.ts': "import { au } from '../audit/au.js';\nimport { n } from '../newthing/n.js';\nexport const doc = [au, n];",
  'src/auth/au.ts': "import { w } from '../web/w.js';\nexport const auth = w;",
  'src/journey/j.ts': "import { auth } from '../auth/au.js';\nexport const j = auth;",
  'src/fhir/f.ts': "import { g } from './g.js';\nexport const f = 1;\nexport const ff = g;",
  'src/fhir/g.ts': "import { f } from './f.js';\nimport { j } from '../journey/j.js';\nexport const g = () => [f, j];",
  'src/web/w.ts': "export const w = 1;",
  'src/simulator/sim.ts': "import { d } from '../dev-idp/d.js';\nexport const sim = d;",
  'src/dev-idp/d.ts': "export const d = 1;",
  'src/app-services.ts': "import { sim } from './simulator/sim.js';\nexport const app = sim;",
  'src/newthing/n.ts': "import { a } from '../util/a.js';\nimport { gone } from '../util/gone.js';\nexport const n = [a, gone];",
  'test/helpers/h.ts': "import { f } from '../../src/fhir/f.js';\nexport const h = f;",
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'layers-'));
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text + '\n');
  }
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Violation { rule: { name: string }; from: string; to: string }

const DEPCRUISE = projectPath('node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

test('.dependency-cruiser.mjs finds every kind of wrong import, type-only ones included, and nothing else', () => {
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', projectPath('.dependency-cruiser.mjs'), '--output-type', 'json', '--output-to', 'result.json'],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  expect([run.status, run.stderr]).toEqual([0, '']);
  const { summary } = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as { summary: { violations: Violation[] } };
  const found = summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
  expect(found).toEqual([
    'layer-0-config-only-util-logging: src/config/c.ts → src/kernel/k.ts',
    'layer-0-kernel-only-util: src/kernel/k.ts → src/logging/l.ts',
    'layer-1-terminology-not-up: src/terminology/t.ts → src/mapping/m.ts',
    'layer-2-mapping-store-ehdsi-tests-not-up: src/ehdsi/e.test.ts → src/fhir/f.ts',
    'layer-2-siblings-independent: src/mapping/m.ts → src/store/s.ts',
    'layer-3-siblings-independent: src/documents/doc.ts → src/audit/au.ts',
    'layer-4-auth-not-up: src/auth/au.ts → src/web/w.ts',
    'layer-8-siblings-independent: src/simulator/sim.ts → src/dev-idp/d.ts',
    'no-circular: src/fhir/f.ts → src/fhir/g.ts',
    'not-to-unresolvable: src/newthing/n.ts → ../util/gone.js',
    'src-module-in-no-layer-imported: src/documents/doc.ts → src/newthing/n.ts',
    'src-module-in-no-layer: src/newthing/n.ts → ../util/gone.js',
    'src-module-in-no-layer: src/newthing/n.ts → src/util/a.ts',
    'src-not-to-test: src/ehdsi/e.ts → test/helpers/h.ts',
  ]);
  // With the err output that npm run lint:layers prints, depcruise exits with the number of errors.
  const report = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', projectPath('.dependency-cruiser.mjs'), '--output-type', 'err'],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  expect(report.status).toBe(found.length);
  expect(report.stdout).toContain(`${found.length} dependency violations (${found.length} errors, 0 warnings)`);
}, 60_000);
