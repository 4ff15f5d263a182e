/**
 * The identity document Pro Santé Connect returns at its UserInfo endpoint
 * (docs/references.md#pro-santé-connect-userinfo-and-the-french-nomenclatures), typed. Everything PSC sends is kept as given (strings, often
 * empty); readers treat an empty string as absent.
 */

/** One place of practice (PSC `activities[]`). */
export interface PscActivity {
  codeModeExercice?: string;
  codeSecteurDactivite?: string;
  codeSectionPharmacien?: string;
  codeRole?: string;
  codeGenreActivite?: string;
  numeroSiretSite?: string;
  numeroSirenSite?: string;
  numeroFinessSite?: string;
  numeroFinessetablissementJuridique?: string;
  identifiantTechniqueDeLaStructure?: string;
  raisonSocialeSite?: string;
  enseigneCommercialeSite?: string;
  complementDestinataire?: string;
  complementPointGeographique?: string;
  numeroVoie?: string;
  indiceRepetitionVoie?: string;
  codeTypeDeVoie?: string;
  libelleTypeDeVoie?: string;
  libelleVoie?: string;
  mentionDistribution?: string;
  bureauCedex?: string;
  codePostal?: string;
  codeCommune?: string;
  libelleCommune?: string;
  codePays?: string;
  codeDepartement?: string;
  telephone?: string;
  adresseEMail?: string;
  [other: string]: unknown;
}

/** One professional practice (PSC `exercices[]`): a profession, with its places of practice. */
export interface PscExercice {
  codeProfession?: string;
  codeCategorieProfessionnelle?: string;
  codeCiviliteDexercice?: string;
  nomDexercice?: string;
  prenomDexercice?: string;
  codeTypeSavoirFaire?: string;
  codeSavoirFaire?: string;
  activities?: PscActivity[];
  [other: string]: unknown;
}

/**
 * State of the professional's CPS card. Not a claim of the real PSC, which
 * refuses to authenticate an expired or revoked card itself; the embedded
 * stand-in sends it so that the two card rules of docs/references.md#eligibility-rules-sesali can be exercised, and
 * eligibility enforces it whenever it is present.
 */
export interface PscCardStatus {
  cardType?: string;
  serialNumber?: string;
  /** Last day of validity, YYYY-MM-DD. */
  notAfter?: string;
  revoked?: boolean;
}

export interface PscUserInfo {
  sub: string;
  /** National id of the professional: type digit then identifier (8 + RPPS, 0 + ADELI). */
  SubjectNameID: string;
  given_name?: string;
  family_name?: string;
  preferred_username?: string;
  SubjectOrganization?: string;
  SubjectRole?: string[];
  SubjectRefPro?: { codeCivilite?: string; exercices?: PscExercice[] };
  otherIds?: Array<{ identifiant?: string; origine?: string; qualite?: number }>;
  cardStatus?: PscCardStatus;
  [other: string]: unknown;
}

export class PscUserInfoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PscUserInfoError';
  }
}

/** Empty strings, null and non-strings are "absent". */
export function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t ? t : undefined;
}

function objects<T>(v: unknown): T[] {
  return Array.isArray(v) ? v.filter((x): x is T => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

/**
 * Checks the shape of a UserInfo response just enough to rely on it: the
 * national id is required; lists are normalised to arrays of objects.
 */
export function parsePscUserInfo(raw: unknown): PscUserInfo {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PscUserInfoError('UserInfo is not a JSON object');
  const doc = raw as Record<string, unknown>;
  const nationalId = text(doc.SubjectNameID) ?? text(doc.preferred_username);
  if (!nationalId) throw new PscUserInfoError('UserInfo has no SubjectNameID (national id of the professional)');
  const sub = text(doc.sub);
  if (!sub) throw new PscUserInfoError('UserInfo has no sub');
  const ref = doc.SubjectRefPro !== null && typeof doc.SubjectRefPro === 'object' ? doc.SubjectRefPro as Record<string, unknown> : {};
  const exercices = objects<PscExercice>(ref.exercices).map((e) => ({ ...e, activities: objects<PscActivity>(e.activities) }));
  const card = doc.cardStatus !== null && typeof doc.cardStatus === 'object' && !Array.isArray(doc.cardStatus) ? doc.cardStatus as PscCardStatus : undefined;
  return {
    ...doc,
    sub,
    SubjectNameID: nationalId,
    SubjectRefPro: { ...ref, exercices },
    otherIds: objects(doc.otherIds),
    SubjectRole: Array.isArray(doc.SubjectRole) ? doc.SubjectRole.filter((r): r is string => typeof r === 'string') : undefined,
    cardStatus: card,
  };
}
