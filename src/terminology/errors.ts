/**
 * What a terminology request can get wrong, told in French (the
 * professional's language) and in English (the integrator's). The FHIR layer
 * turns it into an OperationOutcome; the codes are FHIR IssueType codes.
 */
export type TerminologyIssue = 'not-found' | 'not-supported' | 'too-costly' | 'invalid';

export class TerminologyError extends Error {
  constructor(
    readonly issue: TerminologyIssue,
    readonly french: string,
    english: string,
    /** The request parameter at fault, when there is one. */
    readonly parameter?: string,
  ) {
    super(english);
    this.name = 'TerminologyError';
  }
}
