/**
 * Every eHDSI / IHE error code of XCPD and XCA (DESIGN §6.1–6.2) as data:
 * the HTTP status the FHIR facade answers, the OperationOutcome issue code,
 * the code system of the `details` coding, and a message in French and English.
 * 4xx = something the professional or the patient can act on; 502 = the
 * gateway (or the exchange between gateways) failed.
 */

export const EHDSI_CODE_SYSTEM = 'urn:oid:1.3.6.1.4.1.12559.11.10.1.3.2.2.1';
export const IHE_XCPD_CODE_SYSTEM = 'urn:oid:1.3.6.1.4.1.19376.1.2.27.3';

export type EhdsiIssueCode = 'not-found' | 'forbidden' | 'security' | 'business-rule' | 'multiple-matches' | 'not-supported' | 'exception' | 'transient' | 'timeout' | 'informational';

export interface EhdsiErrorRow {
  code: string;
  status: number;
  issueCode: EhdsiIssueCode;
  system: string;
  /** Which transactions return it. */
  transactions: ReadonlyArray<'xcpd' | 'xca-query' | 'xca-retrieve'>;
  en: string;
  fr: string;
  /** Not an error for the caller (1102: no summary → empty result). */
  informational?: boolean;
}

export const EHDSI_ERRORS: readonly EhdsiErrorRow[] = [
  // XCPD, IHE codes (1.3.6.1.4.1.19376.1.2.27.3)
  { code: 'AnswerNotAvailable', status: 404, issueCode: 'not-found', system: IHE_XCPD_CODE_SYSTEM, transactions: ['xcpd'], en: 'No patient matches the identity traits given', fr: 'Aucun patient ne correspond aux traits d’identité saisis' },
  { code: 'ResponderBusy', status: 502, issueCode: 'transient', system: IHE_XCPD_CODE_SYSTEM, transactions: ['xcpd'], en: 'The country’s contact point is busy; try again later', fr: 'Le point de contact du pays est occupé ; réessayez plus tard' },
  { code: 'InternalError', status: 502, issueCode: 'exception', system: IHE_XCPD_CODE_SYSTEM, transactions: ['xcpd'], en: 'Internal error at the country’s contact point', fr: 'Erreur interne au point de contact du pays' },
  // XCPD, eHDSI codes (1.3.6.1.4.1.12559.11.10.1.3.2.2.1)
  { code: 'AdditionalDemographicsRequested', status: 422, issueCode: 'business-rule', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The country needs more demographic data to identify the patient', fr: 'Le pays demande des données démographiques supplémentaires pour identifier le patient' },
  { code: 'DemographicsQueryNotAllowed', status: 422, issueCode: 'business-rule', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'A search on demographics alone is not allowed: give an identifier', fr: 'La recherche sur les seules données démographiques est interdite : saisissez un identifiant' },
  { code: 'PrivacyViolation', status: 403, issueCode: 'security', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The country refused the search to protect the patient’s privacy', fr: 'Le pays a refusé la recherche pour protéger la vie privée du patient' },
  { code: 'InsufficientRights', status: 403, issueCode: 'forbidden', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The professional’s rights are insufficient for this search', fr: 'Les droits du professionnel sont insuffisants pour cette recherche' },
  { code: 'PatientAuthenticationRequired', status: 403, issueCode: 'security', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The country requires the patient to authenticate', fr: 'Le pays exige une authentification du patient' },
  { code: 'PolicyViolation', status: 403, issueCode: 'forbidden', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'The request violates the country’s access policy', fr: 'La demande enfreint la politique d’accès du pays' },
  { code: 'ERROR_PI_NO_MATCH', status: 404, issueCode: 'not-found', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'No patient matches the identity traits given', fr: 'Aucun patient ne correspond aux traits d’identité saisis' },
  { code: 'ERROR_PI_GENERIC', status: 502, issueCode: 'exception', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'Patient identification failed at the country’s contact point', fr: 'L’identification du patient a échoué au point de contact du pays' },
  { code: 'ERROR_PI_MULTIPLE_MATCHES', status: 422, issueCode: 'multiple-matches', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd'], en: 'Several patients match: give more identity traits', fr: 'Plusieurs patients correspondent : précisez les traits d’identité' },
  // XCA (RegistryError errorCode)
  { code: '1001', status: 502, issueCode: 'security', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd', 'xca-query', 'xca-retrieve'], en: 'The country rejected the identity assertion as invalid', fr: 'Le pays a rejeté l’assertion d’identité comme invalide' },
  { code: '1002', status: 502, issueCode: 'security', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The treatment relationship assertion does not match the identity assertion', fr: 'L’assertion de relation de soins ne correspond pas à l’assertion d’identité' },
  { code: '1102', status: 404, issueCode: 'not-found', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query'], en: 'No patient summary is available for this patient', fr: 'Aucune synthèse médicale n’est disponible pour ce patient', informational: true },
  { code: '4201', status: 404, issueCode: 'not-found', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The country does not provide the PDF version of the document', fr: 'Le pays ne fournit pas la version PDF du document' },
  { code: '4202', status: 404, issueCode: 'not-supported', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query'], en: 'The country does not support this kind of document', fr: 'Le pays ne prend pas en charge ce type de document' },
  { code: '4203', status: 502, issueCode: 'exception', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The country could not transcode the document', fr: 'Le pays n’a pas pu transcoder le document' },
  { code: '4206', status: 403, issueCode: 'security', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The patient requested is not the one whose consent was recorded', fr: 'Le patient demandé n’est pas celui dont le consentement a été enregistré' },
  { code: '4701', status: 403, issueCode: 'forbidden', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The patient has not consented to sharing their data with other countries', fr: 'Le patient n’a pas consenti au partage de ses données avec d’autres pays' },
  { code: '4702', status: 403, issueCode: 'security', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The professional’s authentication is too weak for the country', fr: 'L’authentification du professionnel est jugée trop faible par le pays' },
  { code: '4703', status: 403, issueCode: 'forbidden', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The professional’s rights are insufficient for this document', fr: 'Les droits du professionnel sont insuffisants pour ce document' },
  { code: '4704', status: 502, issueCode: 'security', system: EHDSI_CODE_SYSTEM, transactions: ['xcpd', 'xca-query', 'xca-retrieve'], en: 'The country found no valid signature on the request', fr: 'Le pays n’a pas trouvé de signature valide sur la demande' },
  { code: '4705', status: 403, issueCode: 'forbidden', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The request violates the country’s access policy', fr: 'La demande enfreint la politique d’accès du pays' },
  { code: 'XDSRegistryError', status: 502, issueCode: 'exception', system: EHDSI_CODE_SYSTEM, transactions: ['xca-query', 'xca-retrieve'], en: 'The country’s registry failed to answer the query', fr: 'Le registre du pays n’a pas pu répondre à la requête' },
  { code: 'XDSRepositoryError', status: 502, issueCode: 'exception', system: EHDSI_CODE_SYSTEM, transactions: ['xca-retrieve'], en: 'The country’s repository failed to return the document', fr: 'Le dépôt du pays n’a pas pu renvoyer le document' },
  { code: 'XDSMissingDocument', status: 404, issueCode: 'not-found', system: EHDSI_CODE_SYSTEM, transactions: ['xca-retrieve'], en: 'The requested document does not exist (any more) in the country', fr: 'Le document demandé n’existe pas (ou plus) dans le pays' },
];

const BY_CODE = new Map(EHDSI_ERRORS.map((r) => [r.code, r]));

export function ehdsiErrorRow(code: string): EhdsiErrorRow | undefined {
  return BY_CODE.get(code);
}

/** Issue codes the FHIR layer writes (FHIR issue-type) for each table issue code. */
export const FHIR_ISSUE_CODE: Record<EhdsiIssueCode, fhir4.OperationOutcomeIssue['code']> = {
  'not-found': 'not-found',
  forbidden: 'forbidden',
  security: 'security',
  'business-rule': 'business-rule',
  'multiple-matches': 'multiple-matches',
  'not-supported': 'not-supported',
  exception: 'exception',
  transient: 'transient',
  timeout: 'timeout',
  informational: 'informational',
};
