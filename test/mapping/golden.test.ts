// Golden outputs: every fixture document's IPS Bundle and conversion outcomes, reviewed against its
// CDA and kept under test/golden/. Any change of clinical content shows as a diff here.
// After a reviewed change: UPDATE_GOLDEN=1 npm run test:unit -- test/mapping/golden.test.ts
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { projectPath } from '../../src/util/project.js';

const goldenDir = projectPath('test', 'golden');
const now = new Date('2026-01-01T00:00:00Z');
const update = process.env.UPDATE_GOLDEN === '1';

/** fixtures/patients/<slug>/L3.xml → patients/<slug>-L3; fixtures/cda/<name>.xml → cda/<name>. */
function documents(): Array<{ name: string; file: string }> {
  const out: Array<{ name: string; file: string }> = [];
  const patients = projectPath('fixtures', 'patients');
  for (const slug of readdirSync(patients).sort()) {
    for (const level of ['L3', 'L1']) {
      const file = path.join(patients, slug, `${level}.xml`);
      if (existsSync(file)) out.push({ name: `patients/${slug}-${level}`, file });
    }
  }
  const cda = projectPath('fixtures', 'cda');
  for (const f of readdirSync(cda).filter((f) => f.endsWith('.xml')).sort()) out.push({ name: `cda/${f.replace(/\.xml$/, '')}`, file: path.join(cda, f) });
  return out;
}

/** What is compared: the Bundle, and what became of each statement (the report's outcomes and notes). */
function golden(file: string): string {
  const { bundle, report } = convertPatientSummary(readFileSync(file), { now });
  const outcomes = report.entryOutcomes.map((o) => ({ section: o.section, locator: o.locator, outcome: o.outcome, ...(o.resources ? { resources: o.resources } : {}), ...(o.code ? { code: o.code } : {}), reason: o.reason }));
  return `${JSON.stringify({ outcomes, notes: report.notes, bundle }, null, 1)}\n`;
}

describe('golden outputs of the fixtures', () => {
  const docs = documents();
  it('cover every fixture document', () => {
    expect(docs.length).toBeGreaterThanOrEqual(30);
  });
  it.each(docs.map((d) => [d.name, d.file]))('%s', (name, file) => {
    const target = path.join(goldenDir, `${name}.json`);
    const actual = golden(file);
    if (update) {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, actual);
    }
    expect(existsSync(target)).toBe(true);
    expect(actual).toBe(readFileSync(target, 'utf8'));
  });
});
