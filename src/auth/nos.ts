/** French national terminologies (NOS) used by PSC and the directory profiles (docs/references.md#pro-santé-connect-userinfo-and-the-french-nomenclatures). */

/** FHIR system URL of a NOS table, e.g. nosSystem('TRE_G15-ProfessionSante'). */
export function nosSystem(table: string): string {
  return `https://mos.esante.gouv.fr/NOS/${table}/FHIR/${table.replace(/_/g, '-')}`;
}

export const NOS = {
  profession: 'TRE_G15-ProfessionSante',
  category: 'TRE_R09-CategorieProfessionnelle',
  savoirFaireType: 'TRE_R04-TypeSavoirFaire',
  specialty: 'TRE_R38-SpecialiteOrdinale',
  practiceMode: 'TRE_R23-ModeExercice',
  sector: 'TRE_R02-SecteurActivite',
  civility: 'TRE_R11-CiviliteExercice',
  activityKind: 'TRE_R22-GenreActivite',
  pharmacistSection: 'TRE_R30-SectionTableauCNOP',
  role: 'TRE_R85-RolePriseCharge',
} as const;

/** Professions of TRE_G15 with their French designation (the allowed ones, and a few others for display). */
export const PROFESSIONS: Readonly<Record<string, string>> = {
  '10': 'Médecin',
  '21': 'Pharmacien',
  '26': 'Audioprothésiste',
  '28': 'Opticien-Lunetier',
  '40': 'Chirurgien-Dentiste',
  '50': 'Sage-Femme',
  '60': 'Infirmier',
  '69': 'Infirmier psychiatrique',
  '70': 'Masseur-Kinésithérapeute',
  '80': 'Pédicure-Podologue',
  '91': 'Orthophoniste',
  '92': 'Orthoptiste',
  '94': 'Ergothérapeute',
  '95': 'Diététicien',
  '96': 'Psychomotricien',
  '98': 'Manipulateur ERM',
};

export const CATEGORIES: Readonly<Record<string, string>> = { C: 'Civil', M: 'Militaire', E: 'Etudiant' };

export const PRACTICE_MODES: Readonly<Record<string, string>> = { L: 'Libéral, indépendant, artisan, commerçant', S: 'Salarié', B: 'Bénévole' };

/** A few ordinal specialties (TRE_R38) the fixtures use; others keep their bare code. */
export const SPECIALTIES: Readonly<Record<string, string>> = {
  SM04: 'Cardiologie et maladies vasculaires',
  SM25: 'Médecine du travail',
  SM26: 'Qualifié en médecine générale',
  SM54: 'Médecine générale',
};

/** Sectors of activity (TRE_R02) the eligibility rules and the facility type rely on. */
export const SECTORS: Readonly<Record<string, string>> = {
  SA01: 'Etablissement public de santé',
  SA02: 'Hôpital militaire du service de santé des armées',
  SA03: 'Etablissement privé PSPH',
  SA04: 'Etablissement privé non PSPH',
  SA05: 'Centre de santé',
  SA07: 'Cabinet individuel',
  SA08: 'Cabinet de groupe',
  SA23: 'Assurance privée',
  SA25: 'Médecine du travail',
  SA33: 'Officine',
};
