/**
 * A failure talking to a country's gateway; the FHIR layer answers 502/504 naming the country.
 * `integrity`: a well-formed answer whose document is not the one the registry described
 * (size, SHA-1, media type or content), never served.
 */
export type GatewayErrorKind = 'timeout' | 'connection' | 'http' | 'fault' | 'malformed' | 'integrity';

export interface GatewayErrorInit {
  country: string;
  kind: GatewayErrorKind;
  message: string;
  httpStatus?: number;
  faultCode?: string;
  faultReason?: string;
  ehdsiCode?: string;
}

export class GatewayError extends Error {
  readonly country: string;
  readonly kind: GatewayErrorKind;
  readonly httpStatus?: number;
  readonly faultCode?: string;
  readonly faultReason?: string;
  readonly ehdsiCode?: string;

  constructor(init: GatewayErrorInit) {
    super(`${init.country} gateway: ${init.message}`);
    this.name = 'GatewayError';
    this.country = init.country;
    this.kind = init.kind;
    this.httpStatus = init.httpStatus;
    this.faultCode = init.faultCode;
    this.faultReason = init.faultReason;
    this.ehdsiCode = init.ehdsiCode;
  }
}
