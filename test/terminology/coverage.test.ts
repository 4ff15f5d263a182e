import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectCatalogue } from '../../src/terminology/catalogue.js';
import { valueSetCoverage } from '../../src/terminology/coverage.js';
import { readFshValueSets } from '../../src/terminology/fsh-value-sets.js';
import { loadOperatorCatalogue } from '../../src/terminology/import/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const SCT = 'http://snomed.info/sct';

describe('FSH value sets', () => {
  it('reads url, version, title and the listed concepts, resolving aliases (from any file) and urn:oid systems', () => {
    const [other, problems] = readFshValueSets(path.join(fixtures, 'value-sets'));
    expect(problems).toMatchObject({ name: 'SyntheticProblems', title: 'Synthetic problems', url: 'https://example.org/fhir/ValueSet/synthetic-problems', version: '0.0.1', rules: 1 });
    expect(problems.concepts).toEqual([
      { system: SCT, code: '195967001', display: 'Asthma' },
      { system: SCT, code: '59621000', display: 'Essential hypertension' },
      { system: SCT, code: '999000002', display: 'Made-up "quoted" disorder' },
      { system: SCT, code: '195967001', display: 'Asthma (listed twice)' },
    ]);
    expect(other).toMatchObject({ name: 'SyntheticRoutes', version: '0.0.2' });
    expect(other.concepts.map((c) => c.system)).toEqual(['http://standardterms.edqm.eu', 'http://standardterms.edqm.eu', SCT]);
  });
});

describe('coverage of value sets', () => {
  it('counts each code once as official, project only or untranslated, per value set and over distinct codes', () => {
    const valueSets = readFshValueSets(path.join(fixtures, 'value-sets'));
    const catalogue = projectCatalogue();
    const project = valueSetCoverage(catalogue, valueSets, 'fr-FR');
    expect(project.valueSets.find((v) => v.name === 'SyntheticProblems')).toMatchObject({ codes: 3, official: 0, project: 2, none: 1, rules: 1 });

    loadOperatorCatalogue(catalogue, path.join(fixtures, 'snomed-rf2'));
    loadOperatorCatalogue(catalogue, path.join(fixtures, 'csv'));
    const loaded = valueSetCoverage(catalogue, valueSets, 'fr-FR');
    expect(loaded.valueSets).toEqual([
      expect.objectContaining({ name: 'SyntheticRoutes', codes: 3, official: 2, project: 1, none: 0 }),
      expect.objectContaining({ name: 'SyntheticProblems', codes: 3, official: 2, project: 0, none: 1 }),
    ]);
    // 195967001 is in both value sets: counted once in the total.
    expect(loaded.total).toEqual({ codes: 5, official: 3, project: 1, none: 1 });
  });
});
