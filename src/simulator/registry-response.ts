/** ebXML registry response pieces the simulated XCA answers share: status and RegistryErrorList. */
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { NS } from '../ehdsi/soap/namespaces.js';

export const RESPONSE_STATUS = {
  Success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  PartialSuccess: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
  Failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
} as const;
export type ResponseStatus = keyof typeof RESPONSE_STATUS;

const SEVERITY = {
  error: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
  warning: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning',
} as const;

export interface RegistryErrorInit {
  errorCode: string;
  codeContext: string;
  severity: 'error' | 'warning';
  location?: string;
}

/** eHDSI codes that are warnings (the transaction still succeeds): no summary, no original document of the kind. */
const WARNING_CODES = new Set(['1102', '1104']);

/** A RegistryError for an eHDSI code, with the severity the code carries. */
export function ehdsiRegistryError(errorCode: string, codeContext: string, location?: string): RegistryErrorInit {
  return { errorCode, codeContext, severity: WARNING_CODES.has(errorCode) ? 'warning' : 'error', location };
}

/** Status of a response carrying these errors and `delivered` results (documents or entries). */
export function statusFor(errors: readonly RegistryErrorInit[], delivered: number): ResponseStatus {
  if (!errors.some((e) => e.severity === 'error')) return 'Success';
  return delivered > 0 ? 'PartialSuccess' : 'Failure';
}

/** Appends rs:RegistryErrorList to `parent` when there are errors. */
export function appendRegistryErrors(parent: XMLBuilder, errors: readonly RegistryErrorInit[], location: string): void {
  if (errors.length === 0) return;
  const highest = errors.some((e) => e.severity === 'error') ? SEVERITY.error : SEVERITY.warning;
  const list = parent.ele(NS.rs, 'rs:RegistryErrorList', { highestSeverity: highest });
  for (const e of errors) {
    list.ele(NS.rs, 'rs:RegistryError', { errorCode: e.errorCode, codeContext: e.codeContext, severity: SEVERITY[e.severity], location: e.location ?? location });
  }
}
