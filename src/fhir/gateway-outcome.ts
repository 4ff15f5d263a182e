/**
 * eHDSI errors and gateway failures → what the FHIR layer answers: an HTTP
 * status and one OperationOutcome issue whose details carry the eHDSI code
 * and whose text (French) and diagnostics name the country.
 */
import { GatewayError } from '../ehdsi/soap/gateway-error.js';
import { EhdsiError } from '../ehdsi/errors/ehdsi-error.js';
import { EHDSI_CODE_SYSTEM, ehdsiErrorRow } from '../ehdsi/errors/ehdsi-errors.js';

/**
 * How the facade answers each eHDSI code of src/ehdsi/errors/ehdsi-errors.ts:
 * HTTP status and OperationOutcome issue code, one row per answer. 4xx = something the
 * professional or the patient can act on; 502 = the gateway (or the exchange
 * between gateways) failed.
 */
type Answer = readonly [status: 403 | 404 | 422 | 502, code: fhir4.OperationOutcomeIssue['code']];

const ANSWER_GROUPS: ReadonlyArray<readonly [...Answer, codes: readonly string[]]> = [
  [403, 'forbidden', ['InsufficientRights', 'PolicyViolation', '4701', '4703', '4705']],
  [403, 'security', ['PrivacyViolation', 'PatientAuthenticationRequired', '4206', '4702']],
  [404, 'not-found', ['AnswerNotAvailable', 'ERROR_PI_NO_MATCH', '1102', '1104', '4201', 'XDSMissingDocument']],
  [404, 'not-supported', ['4202']],
  [422, 'business-rule', ['AdditionalDemographicsRequested', 'DemographicsQueryNotAllowed']],
  [422, 'multiple-matches', ['ERROR_PI_MULTIPLE_MATCHES']],
  [502, 'exception', ['InternalError', 'ERROR_PI_GENERIC', '4203', 'XDSRegistryError', 'XDSRepositoryError']],
  [502, 'security', ['1001', '1002', '4704']],
  [502, 'transient', ['ResponderBusy']],
];

/** The same, by eHDSI code. */
export const EHDSI_ANSWERS: Readonly<Record<string, Answer>> = Object.fromEntries(
  ANSWER_GROUPS.flatMap(([status, code, codes]) => codes.map((c): [string, Answer] => [c, [status, code]])),
);

export interface FhirErrorAnswer {
  status: number;
  issue: fhir4.OperationOutcomeIssue;
}

const GATEWAY_KIND_TEXT: Record<GatewayError['kind'], { fr: string; en: string }> = {
  timeout: { fr: 'le point de contact du pays n’a pas répondu à temps', en: 'the country’s contact point did not answer in time' },
  connection: { fr: 'le point de contact du pays est injoignable', en: 'the country’s contact point cannot be reached' },
  http: { fr: 'le point de contact du pays a répondu par une erreur HTTP', en: 'the country’s contact point answered with an HTTP error' },
  fault: { fr: 'le point de contact du pays a renvoyé une erreur SOAP', en: 'the country’s contact point returned a SOAP fault' },
  malformed: { fr: 'la réponse du point de contact du pays est illisible', en: 'the answer of the country’s contact point is unreadable' },
  integrity: {
    fr: 'le document reçu du pays ne correspond pas à celui qu’il a annoncé (taille, empreinte SHA-1 ou format) : il n’est pas affiché',
    en: 'the document the country sent does not match the one it announced (size, SHA-1 hash or format); it is not served',
  },
};

function fromCode(code: string, country: string): FhirErrorAnswer {
  const row = ehdsiErrorRow(code);
  const answer = EHDSI_ANSWERS[code];
  if (!row || !answer) {
    // A code outside the table: still the gateway's refusal, reported as such with its code.
    return {
      status: 502,
      issue: {
        severity: 'error',
        code: 'exception',
        details: { coding: [{ system: EHDSI_CODE_SYSTEM, code }], text: `Erreur ${code} renvoyée par le pays ${country}` },
        diagnostics: `${country}: eHDSI error ${code} (not in the facade's table)`,
      },
    };
  }
  return {
    status: answer[0],
    issue: {
      severity: row.informational ? 'information' : 'error',
      code: answer[1],
      details: { coding: [{ system: row.system, code: row.code, display: row.en }], text: `${row.fr} (pays : ${country})` },
      diagnostics: `${country}: ${row.en} (eHDSI ${row.code})`,
    },
  };
}

/** Status and issue for an eHDSI code, an EhdsiError or a GatewayError (timeout → 504, other gateway failures → 502). */
export function ehdsiErrorToOutcome(error: string | EhdsiError | GatewayError, country?: string): FhirErrorAnswer {
  if (typeof error === 'string') return fromCode(error, country ?? '??');
  if (error instanceof EhdsiError) return fromCode(error.code, country ?? error.country);
  const c = country ?? error.country;
  if (error.kind === 'fault' && error.ehdsiCode && ehdsiErrorRow(error.ehdsiCode)) {
    const answer = fromCode(error.ehdsiCode, c);
    // A fault is always the gateway's failure as seen by the caller, unless the code says the caller can act.
    return answer.status >= 500 ? { ...answer, status: 502 } : answer;
  }
  const text = GATEWAY_KIND_TEXT[error.kind];
  return {
    status: error.kind === 'timeout' ? 504 : 502,
    issue: {
      severity: 'error',
      code: error.kind === 'timeout' ? 'timeout' : 'transient',
      details: { ...(error.ehdsiCode ? { coding: [{ system: EHDSI_CODE_SYSTEM, code: error.ehdsiCode }] } : {}), text: `Pays ${c} : ${text.fr}` },
      diagnostics: `${c}: ${text.en} (${error.kind}${error.httpStatus ? `, HTTP ${error.httpStatus}` : ''}${error.faultReason ? `, ${error.faultReason}` : ''})`,
    },
  };
}
