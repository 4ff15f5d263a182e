import { projectCatalogue, type TerminologyCatalogue } from '../../src/terminology/catalogue.js';

export const SNOMED = 'http://snomed.info/sct';
export const ASTHMA = '195967001';
/** A SNOMED CT code no catalogue translates. */
export const MADE_UP = '999000001';

const vs = (id: string, compose: fhir4.ValueSetCompose, version?: string): fhir4.ValueSet => ({
  resourceType: 'ValueSet', id, url: `https://example.org/fhir/ValueSet/${id}`, ...(version ? { version } : {}), status: 'active', compose,
});

/** Value sets of the tests: one enumerated (a translated concept, an untranslated one, one excluded), and three that cannot be enumerated. */
export const TEST_VALUE_SETS = {
  mixed: vs('test-mixed', {
    include: [{ system: SNOMED, concept: [{ code: ASTHMA, display: 'Asthma' }, { code: MADE_UP, display: 'Made-up disorder' }, { code: '38341003', display: 'Hypertensive disorder' }] }],
    exclude: [{ system: SNOMED, concept: [{ code: '38341003' }] }],
  }, '1.0'),
  filtered: vs('test-filtered', { include: [{ system: SNOMED, filter: [{ property: 'concept', op: 'is-a', value: '404684003' }] }] }),
  whole: vs('test-whole', { include: [{ system: 'http://loinc.org' }] }),
  imports: vs('test-imports', { include: [{ valueSet: ['https://example.org/fhir/ValueSet/test-mixed'] }] }),
};

/** The project's catalogue plus the tests' value sets. */
export function testCatalogue(): TerminologyCatalogue {
  const catalogue = projectCatalogue();
  for (const v of Object.values(TEST_VALUE_SETS)) catalogue.addFhirResource(v, 'test');
  return catalogue;
}
