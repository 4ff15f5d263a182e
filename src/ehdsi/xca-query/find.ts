/** ITI-38 end to end: FindDocuments for the patient summary with the HCP and TRC assertions. */
import { EhdsiError } from '../errors/ehdsi-error.js';
import type { PatientId } from '../saml/types.js';
import { timedGatewayCall } from '../soap/call-metrics.js';
import type { SoapClient } from '../soap/client.js';
import { GatewayError } from '../soap/gateway-error.js';
import { ACTIONS } from '../soap/namespaces.js';
import type { GatewayTarget } from '../soap/target.js';
import { buildFindDocumentsQuery } from './query.js';
import { RegistryResponseError, type RegistryError } from './registry.js';
import { parseAdhocQueryResponse, type DocumentEntry } from './response.js';

export interface AssertionPair {
  hcp: string;
  trc: string;
}

export interface PatientSummaryList {
  entries: DocumentEntry[];
  /** Warnings the country attached (e.g. 1102 no summary, 4201 no PDF): information, not failures. */
  warnings: RegistryError[];
}

/** Code 1102 (no patient summary) is a warning meaning "empty", never an error for the caller. */
export const NO_PATIENT_SUMMARY = '1102';

export function findPatientSummaries(client: SoapClient, target: GatewayTarget, patientId: PatientId, assertions: AssertionPair): Promise<PatientSummaryList> {
  // Timed with its outcome (metrics): a RegistryError thrown below counts as the class of its code.
  return timedGatewayCall(target.country, 'ITI-38', () => findUntimed(client, target, patientId, assertions));
}

async function findUntimed(client: SoapClient, target: GatewayTarget, patientId: PatientId, assertions: AssertionPair): Promise<PatientSummaryList> {
  const response = await client.call({
    country: target.country,
    endpoint: target.endpoint,
    action: ACTIONS.xcaQuery,
    bodyXml: buildFindDocumentsQuery(patientId),
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
  const errors = result.errors.filter((e) => e.severity === 'error' && e.errorCode !== NO_PATIENT_SUMMARY);
  const warnings = result.errors.filter((e) => !errors.includes(e));
  if (errors.length > 0 && (result.status === 'Failure' || result.entries.length === 0)) {
    throw new EhdsiError(target.country, 'xca-query', errors[0].errorCode, errors[0].codeContext);
  }
  if (result.status === 'Failure' && !result.errors.some((e) => e.errorCode === NO_PATIENT_SUMMARY)) {
    throw new EhdsiError(target.country, 'xca-query', 'XDSRegistryError', 'Failure status without RegistryError');
  }
  return { entries: result.entries, warnings: [...warnings, ...errors] };
}
