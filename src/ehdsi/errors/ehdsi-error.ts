/** An error a country's gateway reported inside a well-formed answer (RegistryError, XCPD AE). */
export type EhdsiTransaction = 'xcpd' | 'xca-query' | 'xca-retrieve';

export class EhdsiError extends Error {
  constructor(
    readonly country: string,
    readonly transaction: EhdsiTransaction,
    readonly code: string,
    /** The country's own wording (codeContext, detectedIssueEvent text): for logs, not for patients' data. */
    readonly context?: string,
  ) {
    super(`${country} ${transaction}: eHDSI error ${code}${context ? ` (${context})` : ''}`);
    this.name = 'EhdsiError';
  }
}
