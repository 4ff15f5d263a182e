/**
 * The metrics of the gateway calls (src/util/metrics.ts): each transaction
 * (XCPD, XCA query, XCA retrieve) is timed from its request to its parsed
 * answer, with how it ended — the kind of a GatewayError, the class of the
 * eHDSI code of an EhdsiError, or success. Nothing of the patient is recorded.
 */
import { observeGatewayCall, type GatewayOutcome, type GatewayTransaction } from '../../util/metrics.js';
import { EhdsiError } from '../errors/ehdsi-error.js';
import { GatewayError } from './gateway-error.js';

/**
 * The class of an eHDSI error code: the thousand of a numeric code (1xxx
 * assertions, 4xxx policy, consent and documents…), ehdsi-pi for the
 * patient-identification codes of XCPD, ehdsi-xds for the XDS registry and
 * repository codes, ehdsi-other for anything else a country may send.
 */
export function ehdsiCodeClass(code: string): GatewayOutcome {
  const numeric = /^([1-5])\d{3}$/.exec(code);
  if (numeric) return `ehdsi-${numeric[1]}xxx` as GatewayOutcome;
  if (/^XDS/.test(code)) return 'ehdsi-xds';
  if (/^ERROR_PI_/.test(code) || PATIENT_IDENTIFICATION.has(code)) return 'ehdsi-pi';
  return 'ehdsi-other';
}

/** The XCPD codes (IHE and eHDSI) of a failed patient identification. */
const PATIENT_IDENTIFICATION = new Set([
  'AnswerNotAvailable', 'ResponderBusy', 'InternalError', 'AdditionalDemographicsRequested', 'DemographicsQueryNotAllowed',
  'PrivacyViolation', 'InsufficientRights', 'PatientAuthenticationRequired', 'PolicyViolation',
]);

/** How a failed call ended, for the metrics. */
export function gatewayOutcomeOf(error: unknown): GatewayOutcome {
  if (error instanceof GatewayError) return error.kind;
  if (error instanceof EhdsiError) return ehdsiCodeClass(error.code);
  return 'error';
}

/**
 * Runs one gateway transaction and records it: duration, country, transaction
 * and outcome (`outcomeOf` tells the outcome of an answer that is a country's
 * refusal without being thrown, as XCPD's error outcome).
 */
export async function timedGatewayCall<T>(country: string, transaction: GatewayTransaction, run: () => Promise<T>, outcomeOf?: (result: T) => GatewayOutcome): Promise<T> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  let result: T;
  try {
    result = await run();
  } catch (e) {
    observeGatewayCall(country, transaction, gatewayOutcomeOf(e), seconds());
    throw e;
  }
  observeGatewayCall(country, transaction, outcomeOf?.(result) ?? 'success', seconds());
  return result;
}
