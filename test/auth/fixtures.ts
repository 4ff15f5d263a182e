import { loadTestProfessionals, type TestProfessional } from '../../src/dev-idp/practitioners.js';

/** What each fixture of fixtures/practitioners must produce: eligible (null) or the code of the refusing rule. */
export const EXPECTED_OUTCOMES: Readonly<Record<string, string | null>> = {
  'cyril-toubib-gp': null,
  'hospital-cardiologist': null,
  'intern-medicine': null,
  'nurse': null,
  'dispensary-pharmacist': null,
  'hospital-pharmacist': null,
  'midwife': null,
  'dentist': null,
  'physiotherapist': null,
  'speech-therapist': null,
  'multi-exercice-occupational-and-gp': null,
  'occupational-physician': 'OCCUPATIONAL_MEDICINE',
  'private-insurer-physician': 'PRIVATE_INSURER',
  'no-exercice': 'NO_EXERCICE',
  'no-activity': 'NO_ACTIVITY',
  'no-practice-mode': 'NO_PRACTICE_MODE',
  'no-place-of-practice': 'NO_PLACE_OF_PRACTICE',
  'optician-profession-not-listed': 'PROFESSION_NOT_ALLOWED',
  'expired-card': 'CARD_EXPIRED',
  'revoked-card': 'CARD_REVOKED',
};

export const professionals: TestProfessional[] = loadTestProfessionals();

export function professional(slug: string): TestProfessional {
  const p = professionals.find((x) => x.slug === slug);
  if (!p) throw new Error(`no fixture ${slug}`);
  return p;
}
