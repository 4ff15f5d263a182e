/** Why an input document could not be converted: a fault of the document, not of the server. */
export type CdaInputProblem = 'empty' | 'too-large' | 'too-deep' | 'not-xml' | 'doctype' | 'not-cda';

/**
 * A CDA document the converter refuses (not XML, not a ClinicalDocument,
 * DOCTYPE/entities, too large). Callers turn it into a 4xx / 502 as fits their layer.
 */
export class CdaInputError extends Error {
  readonly problem: CdaInputProblem;
  constructor(problem: CdaInputProblem, message: string) {
    super(message);
    this.name = 'CdaInputError';
    this.problem = problem;
  }
}

/** A map file in mappings/ that does not load (invalid YAML or against the schema). */
export class MapFileError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, message: string) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
    this.name = 'MapFileError';
    this.file = file;
    this.line = line;
  }
}
