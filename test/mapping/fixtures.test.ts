import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateResource } from '../../src/fhir/validation.js';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { checkIpsBundle } from '../../src/mapping/ips-checks.js';
import { projectMaps } from '../../src/mapping/map-loader.js';
import { defaultCatalogue } from '../../src/terminology/catalogue.js';
import { codedElementsOf } from '../../src/terminology/coded-elements.js';
import { projectPath } from '../../src/util/project.js';
import { lostCodes } from './coverage.js';

// Whatever synthetic patients exist at run time: fixtures/patients/<slug>/{L3,L1}.xml
const root = projectPath('fixtures', 'patients');
const documents = existsSync(root)
  ? readdirSync(root).flatMap((slug) => ['L3.xml', 'L1.xml'].map((f) => path.join(root, slug, f)).filter((f) => existsSync(f)))
  : [];
const rel = (f: string): string => path.relative(root, f);

describe('the project fixtures', () => {
  it('exist', () => {
    expect(documents.length).toBeGreaterThan(0);
  });

  it.each(documents.map((f) => [rel(f), f]))('%s converts to a valid IPS Bundle without losing a coded entry', (_name, file) => {
    const xml = readFileSync(file, 'utf8');
    const { bundle, report } = convertPatientSummary(xml, { now: new Date('2024-01-01T00:00:00Z') });
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
    expect(checkIpsBundle(bundle, projectMaps())).toEqual([]);
    expect(lostCodes(xml, bundle, report)).toEqual([]);
    expect(report.documentLevel).toBe(file.endsWith('L1.xml') ? 'L1' : 'L3');
    if (report.documentLevel === 'L3') expect(report.entries.mapped).toBeGreaterThan(0);
  });

  it('use only codes the French catalogue translates', () => {
    const catalogue = defaultCatalogue();
    const missing = new Set<string>();
    for (const file of documents) {
      for (const c of codedElementsOf(readFileSync(file))) if (!catalogue.designation(c.system, c.code, 'fr-FR')) missing.add(`${c.system}|${c.code} ${c.display ?? ''}`);
    }
    expect([...missing].sort()).toEqual([]);
  });
});
