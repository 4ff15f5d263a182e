import path from 'node:path';
import type { CatalogueSource } from '../designation.js';

/** The distribution formats an operator's catalogue may come in. */
export type ImportFormat = 'fhir' | 'fhir-npm-package' | 'snomed-rf2' | 'loinc-linguistic-variant' | 'csv';

export interface SkippedRows {
  reason: string;
  count: number;
  /** The first few rows or resources concerned ("line 12", a code…), to find them in the file. */
  examples: string[];
}

/** What one file (or FHIR package) gave. */
export interface FileReport {
  file: string;
  format: ImportFormat;
  sources: Array<Pick<CatalogueSource, 'id' | 'name' | 'version'>>;
  designations: number;
  skipped: SkippedRows[];
  /** Facts the operator should know (a rule applied, a missing companion file…). */
  notes: string[];
}

export interface IgnoredFile {
  file: string;
  reason: string;
}

export interface LoadReport {
  location: string;
  /** Language the rows were kept for. */
  language: string;
  files: FileReport[];
  ignored: IgnoredFile[];
  designations: number;
}

/** A file that cannot be read as the format it was recognised as: loading stops, naming the file. */
export class TerminologyImportError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'TerminologyImportError';
  }
}

const EXAMPLES_KEPT = 3;

/** Counts skipped rows by reason, keeping a few examples of each (bounded, whatever the file's size). */
export class SkipTally {
  private readonly byReason = new Map<string, SkippedRows>();

  skip(reason: string, example?: string): void {
    let s = this.byReason.get(reason);
    if (!s) this.byReason.set(reason, (s = { reason, count: 0, examples: [] }));
    s.count++;
    if (example !== undefined && s.examples.length < EXAMPLES_KEPT) s.examples.push(example);
  }

  /** The same, the example being a line of a file (its text built only when kept). */
  skipLine(reason: string, file: string, line: number): void {
    const kept = this.byReason.get(reason)?.examples.length ?? 0;
    this.skip(reason, kept < EXAMPLES_KEPT ? `${path.basename(file)} line ${line}` : undefined);
  }

  get list(): SkippedRows[] {
    return [...this.byReason.values()];
  }
}
