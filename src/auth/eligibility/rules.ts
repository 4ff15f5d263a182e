import type { PscActivity, PscExercice, PscUserInfo } from '../psc-userinfo.js';
import { text } from '../psc-userinfo.js';

/**
 * The eligibility rules of the Sesali user guide (docs/references.md#eligibility-rules-sesali) as a table.
 * Each row has a stable code (used in OperationOutcome details and by the
 * portal), a French and an English message, and the test that refuses.
 */

/** Professions allowed to use the service (TRE_G15 codes). */
export const ALLOWED_PROFESSIONS: readonly string[] = ['10', '21', '40', '50', '60', '69', '70', '80', '91', '92', '94', '95', '96', '98'];
/** TRE_R85 roles of pharmacy preparers, allowed whatever their profession code (it changed in 2024). */
export const PHARMACY_PREPARER_ROLES: readonly string[] = ['316', '317'];
/** Occupational medicine: specialty SM25 when the savoir-faire is an ordinal specialty (type S). */
export const OCCUPATIONAL_MEDICINE = { savoirFaireType: 'S', specialty: 'SM25' } as const;
/** Sector "Assurance privée" (TRE_R02). */
export const PRIVATE_INSURER_SECTOR = 'SA23';
/** Practice modes of TRE_R23. */
export const PRACTICE_MODE_CODES: readonly string[] = ['L', 'S', 'B'];

export const ELIGIBILITY_SYSTEM = 'urn:ehdsi-fhir-facade:eligibility-rule';

export interface RuleMessages {
  fr: string;
  en: string;
}

interface RuleBase {
  /** Stable code, never renamed: clients and the portal rely on it. */
  code: string;
  messages: RuleMessages;
}

/** A rule on the professional as a whole (card, presence of a practice). */
export interface IdentityRule extends RuleBase {
  scope: 'identity';
  refuses: (who: PscUserInfo, today: string) => boolean;
}

/** A rule on one exercice (profession, specialty). */
export interface ExerciceRule extends RuleBase {
  scope: 'exercice';
  refuses: (exercice: PscExercice) => boolean;
}

/** A rule on one place of practice of an exercice. */
export interface ActivityRule extends RuleBase {
  scope: 'activity';
  refuses: (activity: PscActivity, exercice: PscExercice) => boolean;
}

export type EligibilityRule = IdentityRule | ExerciceRule | ActivityRule;

function hasAddress(a: PscActivity): boolean {
  return Boolean(text(a.libelleVoie) && (text(a.codePostal) || text(a.libelleCommune) || text(a.codeCommune)));
}

export const ELIGIBILITY_RULES: readonly EligibilityRule[] = [
  {
    code: 'CARD_REVOKED',
    scope: 'identity',
    messages: {
      fr: 'Votre carte de professionnel de santé (CPS) est révoquée.',
      en: 'Your health professional card (CPS) has been revoked.',
    },
    refuses: (who) => who.cardStatus?.revoked === true,
  },
  {
    code: 'CARD_EXPIRED',
    scope: 'identity',
    messages: {
      fr: 'Votre carte de professionnel de santé (CPS) est expirée.',
      en: 'Your health professional card (CPS) has expired.',
    },
    refuses: (who, today) => {
      const notAfter = text(who.cardStatus?.notAfter);
      return notAfter !== undefined && notAfter.slice(0, 10) < today;
    },
  },
  {
    code: 'NO_EXERCICE',
    scope: 'identity',
    messages: {
      fr: 'Aucune situation d\'exercice n\'est enregistrée pour vous dans l\'annuaire santé.',
      en: 'No practice situation is registered for you in the national health directory.',
    },
    refuses: (who) => (who.SubjectRefPro?.exercices ?? []).length === 0,
  },
  {
    code: 'PROFESSION_NOT_ALLOWED',
    scope: 'exercice',
    messages: {
      fr: 'Votre profession ne fait pas partie des professions autorisées à consulter les résumés patients européens.',
      en: 'Your profession is not one of those allowed to read European patient summaries.',
    },
    refuses: (e) => !ALLOWED_PROFESSIONS.includes(text(e.codeProfession) ?? '')
      && !(e.activities ?? []).some((a) => PHARMACY_PREPARER_ROLES.includes(text(a.codeRole) ?? '')),
  },
  {
    code: 'OCCUPATIONAL_MEDICINE',
    scope: 'exercice',
    messages: {
      fr: 'La médecine du travail (spécialité SM25) n\'est pas autorisée à consulter les résumés patients européens.',
      en: 'Occupational medicine (specialty SM25) is not allowed to read European patient summaries.',
    },
    refuses: (e) => text(e.codeTypeSavoirFaire) === OCCUPATIONAL_MEDICINE.savoirFaireType && text(e.codeSavoirFaire) === OCCUPATIONAL_MEDICINE.specialty,
  },
  {
    code: 'NO_ACTIVITY',
    scope: 'exercice',
    messages: {
      fr: 'Aucun lieu d\'exercice (activité) n\'est enregistré pour votre profession.',
      en: 'No place of practice (activity) is registered for your profession.',
    },
    refuses: (e) => (e.activities ?? []).length === 0,
  },
  {
    code: 'NO_PRACTICE_MODE',
    scope: 'activity',
    messages: {
      fr: 'Votre mode d\'exercice (libéral, salarié ou bénévole) n\'est pas renseigné.',
      en: 'Your practice mode (self-employed, salaried or volunteer) is not recorded.',
    },
    refuses: (a) => !PRACTICE_MODE_CODES.includes(text(a.codeModeExercice) ?? ''),
  },
  {
    code: 'NO_PLACE_OF_PRACTICE',
    scope: 'activity',
    messages: {
      fr: 'Les informations sur votre lieu d\'exercice sont insuffisantes (ni raison sociale ni adresse).',
      en: 'The information on your place of practice is insufficient (neither a site name nor an address).',
    },
    refuses: (a) => !text(a.raisonSocialeSite) && !text(a.enseigneCommercialeSite) && !hasAddress(a),
  },
  {
    code: 'PRIVATE_INSURER',
    scope: 'activity',
    messages: {
      fr: 'L\'exercice pour le compte d\'une assurance privée (secteur SA23) n\'est pas autorisé.',
      en: 'Practice on behalf of a private insurer (sector SA23) is not allowed.',
    },
    refuses: (a) => text(a.codeSecteurDactivite) === PRIVATE_INSURER_SECTOR,
  },
];

export function ruleByCode(code: string): EligibilityRule | undefined {
  return ELIGIBILITY_RULES.find((r) => r.code === code);
}
