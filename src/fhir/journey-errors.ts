import { AuditWriteError } from '../audit/index.js';
import { UnknownCountryError } from '../ehdsi/countries/errors.js';
import { EhdsiError } from '../ehdsi/errors/ehdsi-error.js';
import { ehdsiErrorToOutcome } from './gateway-outcome.js';
import { UnknownProfessionError } from '../ehdsi/saml/isco.js';
import { GatewayError } from '../ehdsi/soap/gateway-error.js';
import { FhirError } from '../kernel/errors.js';
import { CdaInputError } from '../mapping/errors.js';
import { StoreError } from '../store/errors.js';

/** A gateway failure or eHDSI error as the FHIR answer: status and issue of the eHDSI error table, plus the code for the audit record. */
export class GatewayFhirError extends FhirError {
  constructor(status: number, issue: fhir4.OperationOutcomeIssue, readonly ehdsiCode: string, readonly country: string) {
    // An answer that is not a success carries an error issue, even for the table's informational codes (1102).
    const severity = status >= 400 && issue.severity === 'information' ? 'error' : issue.severity;
    super(status, { severity, code: issue.code, diagnostics: issue.diagnostics, details: issue.details });
  }
}

/** The code that names a gateway failure in the audit record (eHDSI code, or the failure kind). */
function gatewayCode(error: EhdsiError | GatewayError): string {
  if (error instanceof EhdsiError) return error.code;
  return error.ehdsiCode ?? `gateway-${error.kind}`;
}

export function gatewayError(error: EhdsiError | GatewayError): GatewayFhirError {
  const answer = ehdsiErrorToOutcome(error);
  return new GatewayFhirError(answer.status, answer.issue, gatewayCode(error), error.country);
}

/**
 * Every failure of the journey as a FhirError: eHDSI answers through the
 * error table (4xx when the professional or patient can act, 502/504 when the
 * gateway failed), storage and audit failures as 503 (nothing is served
 * unaudited), an unreadable document from a country as 502. Anything else is
 * a bug of ours and is rethrown as is (→ 500).
 */
export function toFhirError(error: unknown): unknown {
  if (error instanceof FhirError) return error;
  if (error instanceof EhdsiError || error instanceof GatewayError) return gatewayError(error);
  if (error instanceof AuditWriteError) {
    return new FhirError(503, { code: 'transient', diagnostics: 'L’accès n’a pas pu être tracé : le service est momentanément indisponible (the access could not be audited)' }, { 'Retry-After': '30' });
  }
  if (error instanceof StoreError) {
    return new FhirError(503, { code: 'transient', diagnostics: 'Le stockage du service est momentanément indisponible (storage unavailable)' }, { 'Retry-After': '30' });
  }
  if (error instanceof CdaInputError) {
    return new FhirError(502, { code: 'exception', diagnostics: `The document sent by the country cannot be read: ${error.message}` });
  }
  if (error instanceof UnknownCountryError) {
    return new FhirError(404, { code: 'not-found', diagnostics: `Le pays ${error.code} n'est plus joignable par ce service (country no longer configured)` });
  }
  if (error instanceof UnknownProfessionError) {
    return FhirError.forbidden('Cette profession ne peut pas accéder aux synthèses médicales européennes (no eHDSI role for the profession)');
  }
  return error;
}
