export { buildFindDocumentsQuery, FIND_DOCUMENTS_QUERY_ID, PATIENT_SUMMARY_CLASS_CODE, APPROVED_STATUS, type FindDocumentsOptions } from './query.js';
export { parseAdhocQueryResponse, FORMAT_CODES, SCHEMES, XFRM, type DocumentEntry, type DocumentAuthor, type AdhocQueryResult } from './response.js';
export { registryErrors, registryStatus, RegistryResponseError, type RegistryError, type RegistryStatus } from './registry.js';
export {
  findPatientSummaries, findOriginalClinicalDocuments, NO_PATIENT_SUMMARY, KIND_NOT_OFFERED, type AssertionPair, type DocumentList, type OriginalDocumentList, type PatientSummaryList,
} from './find.js';
export {
  ORCD_KINDS, ORCD_FORMATS, ORCD_TEMPLATE_ID, NO_ORIGINAL_DOCUMENT, orcdKind, orcdKindOfClassCode, orcdMediaType,
  type OrcdKind, type OrcdKindDef, type OrcdFormatCode, type OrcdMediaType,
} from './orcd.js';
