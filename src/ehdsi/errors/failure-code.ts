import { GatewayError } from '../soap/gateway-error.js';
import { EhdsiError } from './ehdsi-error.js';

/** A country's refusal (eHDSI error) or a failed exchange with its gateway. */
export function isGatewayFailure(error: unknown): error is EhdsiError | GatewayError {
  return error instanceof EhdsiError || error instanceof GatewayError;
}

/** The code that names a gateway failure in an audit record: the eHDSI code, or the kind of failure. */
export function failureCodeOf(error: EhdsiError | GatewayError): string {
  if (error instanceof EhdsiError) return error.code;
  return error.ehdsiCode ?? `gateway-${error.kind}`;
}
