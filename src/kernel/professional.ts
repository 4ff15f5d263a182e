/**
 * The professional a request acts for, as every layer knows them: who they
 * are and the practice situation they act in. The auth layer builds it from
 * Pro Santé Connect; the journey, the eHDSI assertions and the audit read it.
 */
export interface Coded {
  code: string;
  display?: string;
  /** FHIR system URL of the code. */
  system: string;
}

export interface SiteId {
  type: 'FINESS' | 'FINESS_EJ' | 'SIRET' | 'SIREN' | 'STRUCTURE';
  value: string;
  system: string;
}

export interface PostalAddress {
  /** Street lines as printed (number, type and name of the street, complements). */
  lines: string[];
  postalCode?: string;
  city?: string;
  /** INSEE code of the commune. */
  cityCode?: string;
  /** ISO 3166 alpha-2. */
  country: string;
}

/** eHDSI healthcare facility types (HCP assertion attribute). */
export type EhdsiFacilityType = 'Hospital' | 'Resident Physician' | 'Pharmacy' | 'Other';

/**
 * Who is logged in and the practice situation they act in: the single object
 * the HCP identity assertion (eHDSI side), the Practitioner resources and the
 * portal are built from.
 */
export interface ProfessionalContext {
  /** PSC SubjectNameID: type digit + RPPS/ADELI. */
  nationalId: string;
  rpps?: string;
  givenName: string;
  familyName: string;
  /** "Given FAMILY" as used in assertions and pages. */
  displayName: string;
  /** Civility of practice (TRE_R11: DR, M, MME…). */
  civility?: string;
  profession: Coded & { display: string };
  category?: Coded;
  /** Ordinal specialty / savoir-faire, with its type (TRE_R04: S specialty…). */
  specialty?: Coded & { savoirFaireType?: string };
  /** TRE_R85 role (pharmacy preparers…), when PSC gives one. */
  role?: string;
  pharmacistSection?: string;
  practice: {
    /** TRE_R23: L libéral, S salarié, B bénévole. */
    mode: Coded;
    sector?: Coded;
    organisationName: string;
    /** Identifiers of the site, most specific first (FINESS, SIRET, …). */
    siteIds: SiteId[];
    /** Identifier of the structure in the national form (urn:oid:1.2.250.1.71.4.2.2 + type digit), when one is known. */
    nationalStructureId?: string;
    address: PostalAddress;
    phone?: string;
    email?: string;
    facilityType: EhdsiFacilityType;
  };
  /** Which exercice/activity of the PSC identity the situation comes from. */
  source: { exerciceIndex: number; activityIndex: number };
}
