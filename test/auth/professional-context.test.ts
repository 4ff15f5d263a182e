import { evaluateEligibility } from '../../src/auth/eligibility/index.js';
import { toProfessionalContext, type ProfessionalContext } from '../../src/auth/professional-context.js';
import { professional } from './fixtures.js';

function contextOf(slug: string): ProfessionalContext {
  const who = professional(slug).userInfo;
  const d = evaluateEligibility(who, new Date('2026-11-24T00:00:00Z'));
  if (!d.allowed) throw new Error(`${slug} is not eligible`);
  return toProfessionalContext(who, d.situation);
}

describe('ProfessionalContext (what the HCP identity assertion is built from)', () => {
  test('the user guide\'s GP: identity, profession, practice situation and site', () => {
    const c = contextOf('cyril-toubib-gp');
    expect(c).toMatchObject({
      nationalId: '899700209937',
      rpps: '99700209937',
      givenName: 'CYRIL',
      familyName: 'TOUBIB',
      displayName: 'CYRIL TOUBIB',
      civility: 'DR',
      profession: { code: '10', display: 'Médecin' },
      category: { code: 'C' },
      specialty: { code: 'SM54', savoirFaireType: 'S' },
      practice: {
        mode: { code: 'L' },
        sector: { code: 'SA07' },
        organisationName: 'CABINET DU DR CYRIL',
        siteIds: [{ type: 'SIRET', value: '99970020993700' }],
        nationalStructureId: '399970020993700',
        address: { lines: ['695 AVENUE DE LA REPUBLIQUE'], postalCode: '75011', city: 'PARIS', cityCode: '75111', country: 'FR' },
        facilityType: 'Resident Physician',
      },
      source: { exerciceIndex: 0, activityIndex: 0 },
    });
  });

  test.each([
    ['hospital-cardiologist', 'Hospital', '1999000011'],
    ['hospital-pharmacist', 'Hospital', '1999000045'],
    ['dispensary-pharmacist', 'Pharmacy', '1999000037'],
    ['nurse', 'Resident Physician', '399970030113100'],
    ['intern-medicine', 'Hospital', '1999000029'],
  ])('%s: facility type %s, structure %s', (slug, facilityType, structure) => {
    const c = contextOf(slug);
    expect(c.practice.facilityType).toBe(facilityType);
    expect(c.practice.nationalStructureId).toBe(structure);
  });

  test('the intern keeps category E (étudiant); the multi-exercice professional acts in the qualifying practice', () => {
    expect(contextOf('intern-medicine').category?.code).toBe('E');
    const c = contextOf('multi-exercice-occupational-and-gp');
    expect(c.practice.organisationName).toBe('CABINET MEDICAL DE LA GARE');
    expect(c.specialty?.code).toBe('SM54');
    expect(c.source.exerciceIndex).toBe(1);
  });

  test('a site without a name gets a readable organisation name from the professional and the city', () => {
    expect(contextOf('speech-therapist').practice.organisationName).toBe('Cabinet de OLIVIER PAROLE (STRASBOURG)');
  });
});
