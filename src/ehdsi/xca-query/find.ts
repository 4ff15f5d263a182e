/** ITI-38 end to end: FindDocuments (patient summary, or one kind of original clinical document) with the HCP and TRC assertions. */
import { EhdsiError } from '../errors/ehdsi-error.js';
import type { PatientId } from '../saml/types.js';
import { timedGatewayCall } from '../soap/call-metrics.js';
import type { SoapClient } from '../soap/client.js';
import { GatewayError } from '../soap/gateway-error.js';
import { ACTIONS } from '../soap/namespaces.js';
import type { GatewayTarget } from '../soap/target.js';
import { LOINC_OID, NO_ORIGINAL_DOCUMENT, orcdKind, type OrcdKind } from './orcd.js';
import { buildFindDocumentsQuery, PATIENT_SUMMARY_CLASS_CODE } from './query.js';
import { RegistryResponseError, type RegistryError } from './registry.js';
import { parseAdhocQueryResponse, type DocumentEntry } from './response.js';

export interface AssertionPair {
  hcp: string;
  trc: string;
}

export interface DocumentList {
  entries: DocumentEntry[];
  /** Warnings the country attached (e.g. 1102 no summary, 1104 no such original, 4201 no PDF): information, not failures. */
  warnings: RegistryError[];
}

/** The patient summary's list (the name it has always had). */
export type PatientSummaryList = DocumentList;

/** One kind of original clinical documents: `notOffered` is the eHDSI code (4202) of a country that does not offer the kind. */
export interface OriginalDocumentList extends DocumentList {
  notOffered?: string;
}

/** eHDSI 4202: the class code (the kind of document) is not supported by the country. */
export const KIND_NOT_OFFERED = '4202';

/** Code 1102 (no patient summary) is a warning meaning "empty", never an error for the caller. */
export const NO_PATIENT_SUMMARY = '1102';

interface FindOptions {
  classCodes: ReadonlyArray<{ code: string; codeSystem: string }>;
  /** The eHDSI code by which the country says it holds no such document: an empty answer, whatever its severity. */
  emptyCode: string;
  /** The eHDSI code by which it says it does not offer such documents at all: an empty answer saying so. */
  notOfferedCode?: string;
}

export function findPatientSummaries(client: SoapClient, target: GatewayTarget, patientId: PatientId, assertions: AssertionPair): Promise<PatientSummaryList> {
  return findDocuments(client, target, patientId, assertions, { classCodes: [PATIENT_SUMMARY_CLASS_CODE], emptyCode: NO_PATIENT_SUMMARY });
}

/**
 * The patient's original clinical documents of one kind (its class code): the
 * entries as listed, whatever their format (the caller keeps those it can
 * serve). 1104 (none of that kind) is an empty list; 4202 (a country that
 * does not offer the kind) an empty list saying so (`notOffered`).
 */
export function findOriginalClinicalDocuments(client: SoapClient, target: GatewayTarget, patientId: PatientId, kind: OrcdKind, assertions: AssertionPair): Promise<OriginalDocumentList> {
  const { classCode } = orcdKind(kind);
  return findDocuments(client, target, patientId, assertions, { classCodes: [{ code: classCode, codeSystem: LOINC_OID }], emptyCode: NO_ORIGINAL_DOCUMENT, notOfferedCode: KIND_NOT_OFFERED });
}

function findDocuments(client: SoapClient, target: GatewayTarget, patientId: PatientId, assertions: AssertionPair, opts: FindOptions): Promise<OriginalDocumentList> {
  // Timed with its outcome (metrics): a RegistryError thrown below counts as the class of its code.
  return timedGatewayCall(target.country, 'ITI-38', () => findUntimed(client, target, patientId, assertions, opts));
}

async function findUntimed(client: SoapClient, target: GatewayTarget, patientId: PatientId, assertions: AssertionPair, opts: FindOptions): Promise<OriginalDocumentList> {
  const response = await client.call({
    country: target.country,
    endpoint: target.endpoint,
    action: ACTIONS.xcaQuery,
    bodyXml: buildFindDocumentsQuery(patientId, { classCodes: opts.classCodes }),
    assertions: [assertions.hcp, assertions.trc],
    timeoutMs: target.timeoutMs,
  });
  let result;
  try {
    result = parseAdhocQueryResponse(response.body);
  } catch (e) {
    if (e instanceof RegistryResponseError) throw new GatewayError({ country: target.country, kind: 'malformed', message: `unreadable XCA query response: ${e.message}` });
    throw e;
  }
  const errors = result.errors.filter((e) => e.severity === 'error' && e.errorCode !== opts.emptyCode);
  const warnings = result.errors.filter((e) => !errors.includes(e));
  // Only "not offered" and nothing listed: an answer, not a failure.
  if (opts.notOfferedCode && result.entries.length === 0 && errors.length > 0 && errors.every((e) => e.errorCode === opts.notOfferedCode)) {
    return { entries: [], warnings: [...warnings, ...errors], notOffered: opts.notOfferedCode };
  }
  if (errors.length > 0 && (result.status === 'Failure' || result.entries.length === 0)) {
    throw new EhdsiError(target.country, 'xca-query', errors[0].errorCode, errors[0].codeContext);
  }
  if (result.status === 'Failure' && !result.errors.some((e) => e.errorCode === opts.emptyCode)) {
    throw new EhdsiError(target.country, 'xca-query', 'XDSRegistryError', 'Failure status without RegistryError');
  }
  return { entries: result.entries, warnings: [...warnings, ...errors] };
}
