import type { CodeableConcept, OperationOutcome, OperationOutcomeIssue } from './types.js';

export type IssueSeverity = OperationOutcomeIssue['severity'];
/** FHIR IssueType codes (http://hl7.org/fhir/issue-type). */
export type IssueCode = OperationOutcomeIssue['code'];

export interface IssueInit {
  severity?: IssueSeverity;
  code: IssueCode;
  diagnostics?: string;
  expression?: string[];
  details?: CodeableConcept;
}

/**
 * An error a handler raises to answer with an OperationOutcome. Everything a
 * user can cause must end up as one of these, with a 4xx status.
 */
export class FhirError extends Error {
  readonly issues: IssueInit[];
  readonly headers: Record<string, string>;

  constructor(readonly status: number, issue: IssueInit | IssueInit[], headers: Record<string, string> = {}) {
    const list = Array.isArray(issue) ? issue : [issue];
    super(list.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'FhirError';
    this.issues = list;
    this.headers = headers;
  }

  static badRequest(diagnostics: string, expression?: string[], code: IssueCode = 'invalid'): FhirError {
    return new FhirError(400, { code, diagnostics, expression });
  }

  static unprocessable(diagnostics: string, expression?: string[], code: IssueCode = 'business-rule'): FhirError {
    return new FhirError(422, { code, diagnostics, expression });
  }

  static notFound(diagnostics: string): FhirError {
    return new FhirError(404, { code: 'not-found', diagnostics });
  }

  static forbidden(diagnostics: string, details?: CodeableConcept): FhirError {
    return new FhirError(403, { code: 'forbidden', diagnostics, details });
  }

  toOperationOutcome(): OperationOutcome {
    return operationOutcome(this.issues);
  }
}

export function operationOutcome(issues: IssueInit[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => {
      const issue: OperationOutcomeIssue = { severity: i.severity ?? 'error', code: i.code };
      if (i.details) issue.details = i.details;
      if (i.diagnostics) issue.diagnostics = i.diagnostics;
      if (i.expression?.length) issue.expression = i.expression;
      return issue;
    }),
  };
}
