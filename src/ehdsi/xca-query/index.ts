export { buildFindDocumentsQuery, FIND_DOCUMENTS_QUERY_ID, PATIENT_SUMMARY_CLASS_CODE, APPROVED_STATUS, type FindDocumentsOptions } from './query.js';
export { parseAdhocQueryResponse, FORMAT_CODES, SCHEMES, XFRM, type DocumentEntry, type AdhocQueryResult } from './response.js';
export { registryErrors, registryStatus, RegistryResponseError, type RegistryError, type RegistryStatus } from './registry.js';
export { findPatientSummaries, NO_PATIENT_SUMMARY, type AssertionPair, type PatientSummaryList } from './find.js';
