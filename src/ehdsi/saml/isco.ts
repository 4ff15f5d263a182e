/**
 * ISCO-08 role of a French health professional for the XSPA role attribute,
 * derived from the TRE_G15 profession (eHDSIHealthcareProfessionalRole value set).
 */
export const ISCO_CODE_SYSTEM = '2.16.840.1.113883.2.9.6.2.7';

export interface IscoRole {
  code: string;
  displayName: string;
}

const ROLES: Record<string, IscoRole> = {
  '221': { code: '221', displayName: 'Medical doctors' },
  '2211': { code: '2211', displayName: 'Generalist medical practitioners' },
  '2212': { code: '2212', displayName: 'Specialist medical practitioners' },
  '2221': { code: '2221', displayName: 'Nursing professionals' },
  '2222': { code: '2222', displayName: 'Midwifery professionals' },
  '2261': { code: '2261', displayName: 'Dentists' },
  '2262': { code: '2262', displayName: 'Pharmacists' },
  '2264': { code: '2264', displayName: 'Physiotherapists' },
  '2265': { code: '2265', displayName: 'Dieticians and nutritionists' },
  '2266': { code: '2266', displayName: 'Audiologists and speech therapists' },
  '2267': { code: '2267', displayName: 'Optometrists and ophthalmic opticians' },
  '2269': { code: '2269', displayName: 'Health professionals not elsewhere classified' },
  '3211': { code: '3211', displayName: 'Medical imaging and therapeutic equipment technicians' },
  '3213': { code: '3213', displayName: 'Pharmaceutical technicians and assistants' },
};

/** TRE_G15-ProfessionSante code → ISCO-08 code. */
const BY_PROFESSION: Record<string, string> = {
  '10': '221', // médecin
  '21': '2262', // pharmacien
  '28': '3213', // préparateur en pharmacie (hospitalière)
  '40': '2261', // chirurgien-dentiste
  '50': '2222', // sage-femme
  '60': '2221', // infirmier
  '69': '2221', // infirmier psychiatrique
  '70': '2264', // masseur-kinésithérapeute
  '80': '2269', // pédicure-podologue
  '91': '2266', // orthophoniste
  '92': '2267', // orthoptiste
  '94': '2269', // ergothérapeute
  '95': '2265', // diététicien
  '96': '2269', // psychomotricien
  '98': '3211', // manipulateur d'électroradiologie médicale
};

/** Pharmacy preparers are identified by their TRE_R85 role since 2024. */
const PHARMACY_PREPARER_ROLES = new Set(['316', '317']);

export class UnknownProfessionError extends Error {
  constructor(readonly professionCode: string) {
    super(`no ISCO role known for profession ${professionCode}`);
    this.name = 'UnknownProfessionError';
  }
}

export function iscoRoleFor(profession: { code: string; category?: string; specialty?: string; role?: string }): IscoRole {
  if (profession.role && PHARMACY_PREPARER_ROLES.has(profession.role)) return ROLES['3213'];
  const code = BY_PROFESSION[profession.code];
  if (!code) throw new UnknownProfessionError(profession.code);
  return ROLES[code];
}
