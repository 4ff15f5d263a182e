/**
 * Every eHDSI / IHE error code of XCPD and XCA (docs/references.md#ehdsi-error-codes) as data:
 * its code system, the transactions that return it, and what it means in
 * French and English. (How the FHIR facade answers each one is the REST
 * layer's: src/fhir/gateway-outcome.ts.)
 */

export const EHDSI_CODE_SYSTEM = 'urn:oid:1.3.6.1.4.1.12559.11.10.1.3.2.2.1';
export const IHE_XCPD_CODE_SYSTEM = 'urn:oid:1.3.6.1.4.1.19376.1.2.27.3';

export interface EhdsiErrorRow {
  code: string;
  system: string;
  /** Which transactions return it. */
  transactions: ReadonlyArray<'xcpd' | 'xca-query' | 'xca-retrieve'>;
  en: string;
  fr: string;
  /** Not an error for the caller (1102: no summary, 1104: no original document of the kind → empty result). */
  informational?: boolean;
}

export const EHDSI_ERRORS: readonly EhdsiErrorRow[] = [
  // XCPD, IHE codes (1.3.6.1.4.1.19376.1.2.27.3)
  { code: 'AnswerNotAvailable', system: IHE_XCPD_CODE_SYSTEM, transactions: ['xcpd'], en: 'No patient matches the identity traits given', fr: 'Aucun patient ne correspond aux traits d’identité saisis' },
  { code: 'ResponderBusy', system: IHE_XCPD_CODE_SYSTEM, transactions: ['xcpd'], en: 'The country’s contact point is busy; try again later', fr: 'Le point de contact du pays est occupé ; réessayez plus tard' },
  { code: 'InternalError', system: IHE_XCPD_CODE_SYSTEM, transactions: ['xcpd'], en: 'Internal error at the country’s contact point', fr: 'Erreur interne au point de contact du pays' },
  // XCPD, eHDSI codes (1.3.6.1.4.1.12559.11.10.1.3.2.2.1)
  { code: 'AdditionalDemographicsRequested', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The country needs more demographic data to identify the patient', fr: 'Le pays demande des données démographiques supplémentaires pour identifier le patient' },
  { code: 'DemographicsQueryNotAllowed', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'A search on demographics alone is not allowed: give an identifier', fr: 'La recherche sur les seules données démographiques est interdite : saisissez un identifiant' },
  { code: 'PrivacyViolation', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The country refused the search to protect the patient’s privacy', fr: 'Le pays a refusé la recherche pour protéger la vie privée du patient' },
  { code: 'InsufficientRights', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The professional’s rights are insufficient for this search', fr: 'Les droits du professionnel sont insuffisants pour cette recherche' },
  { code: 'PatientAuthenticationRequired', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The country requires the patient to authenticate', fr: 'Le pays exige une authentification du patient' },
  { code: 'PolicyViolation', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The request violates the country’s access policy', fr: 'La demande enfreint la politique d’accès du pays' },
  { code: 'ERROR_PI_NO_MATCH', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'No patient matches the identity traits given', fr: 'Aucun patient ne correspond aux traits d’identité saisis' },
  { code: 'ERROR_PI_GENERIC', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'Patient identification failed at the country’s contact point', fr: 'L’identification du patient a échoué au point de contact du pays' },
  { code: 'ERROR_PI_MULTIPLE_MATCHES', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'Several patients match: give more identity traits', fr: 'Plusieurs patients correspondent : précisez les traits d’identité' },
  // XCA (RegistryError errorCode)
  { code: '1001', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd', 'xca-query', 'xca-retrieve'], en: 'The country rejected the identity assertion as invalid', fr: 'Le pays a rejeté l’assertion d’identité comme invalide' },
  { code: '1002', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The treatment relationship assertion does not match the identity assertion', fr: 'L’assertion de relation de soins ne correspond pas à l’assertion d’identité' },
  { code: '1102', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query'], en: 'No patient summary is available for this patient', fr: 'Aucune synthèse médicale n’est disponible pour ce patient', informational: true },
  { code: '1104', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query'], en: 'No original clinical document of the requested type is available for this patient', fr: 'Aucun document d’origine de ce type n’est disponible pour ce patient', informational: true },
  { code: '4201', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The country does not provide the PDF version of the document', fr: 'Le pays ne fournit pas la version PDF du document' },
  { code: '4202', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query'], en: 'The country does not support this kind of document', fr: 'Le pays ne prend pas en charge ce type de document' },
  { code: '4203', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The country could not transcode the document', fr: 'Le pays n’a pas pu transcoder le document' },
  { code: '4206', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The patient requested is not the one whose consent was recorded', fr: 'Le patient demandé n’est pas celui dont le consentement a été enregistré' },
  { code: '4701', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The patient has not consented to sharing their data with other countries', fr: 'Le patient n’a pas consenti au partage de ses données avec d’autres pays' },
  { code: '4702', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The professional’s authentication is too weak for the country', fr: 'L’authentification du professionnel est jugée trop faible par le pays' },
  { code: '4703', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The professional’s rights are insufficient for this document', fr: 'Les droits du professionnel sont insuffisants pour ce document' },
  { code: '4704', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd', 'xca-query', 'xca-retrieve'], en: 'The country found no valid signature on the request', fr: 'Le pays n’a pas trouvé de signature valide sur la demande' },
  { code: '4705', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The request violates the country’s access policy', fr: 'La demande enfreint la politique d’accès du pays' },
  { code: 'XDSRegistryError', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The country’s registry failed to answer the query', fr: 'Le registre du pays n’a pas pu répondre à la requête' },
  { code: 'XDSRepositoryError', system: EHDSI_CODE_SYSTEM, transactions: ['xca-retrieve'], en: 'The country’s repository failed to return the document', fr: 'Le dépôt du pays n’a pas pu renvoyer le document' },
  { code: 'XDSMissingDocument', system: EHDSI_CODE_SYSTEM, transactions: ['xca-retrieve'], en: 'The requested document does not exist (any more) in the country', fr: 'Le document demandé n’existe pas (ou plus) dans le pays' },
];

const BY_CODE = new Map(EHDSI_ERRORS.map((r) => [r.code, r]));

export function ehdsiErrorRow(code: string): EhdsiErrorRow | undefined {
  return BY_CODE.get(code);
}
