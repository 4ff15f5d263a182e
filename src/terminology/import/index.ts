import type { DesignationSink } from '../designation.js';
import { readChunks, readChunksSync } from './chunks.js';
import { type FileImport, ImportContext, type LoadOptions } from './context.js';
import { type Plan, planImports } from './plan.js';
import { type FileReport, type LoadReport, TerminologyImportError } from './report.js';

/**
 * Loads an operator's official terminology (a file or a folder, formats mixed)
 * into a catalogue: FHIR JSON/YAML and FHIR NPM packages, SNOMED CT RF2
 * snapshots, LOINC linguistic variants, plain system,code,display CSV. Every
 * designation is official and carries its source. Rows that cannot be used
 * are counted by reason in the report; a file that cannot be read as its
 * format stops the load (TerminologyImportError, naming the file).
 */

export type { LoadOptions } from './context.js';
export type { FileReport, IgnoredFile, ImportFormat, LoadReport, SkippedRows } from './report.js';
export { TerminologyImportError } from './report.js';

function asImportError(file: string, err: unknown): TerminologyImportError {
  return err instanceof TerminologyImportError ? err : new TerminologyImportError(file, (err as Error).message);
}

function loadReport(ctx: ImportContext, location: string, files: FileReport[], ignored: LoadReport['ignored']): LoadReport {
  return { location, language: ctx.language, files, ignored, designations: files.reduce((n, f) => n + f.designations, 0) };
}

function plan(ctx: ImportContext, location: string): Plan {
  try {
    return planImports(ctx, location);
  } catch (err) {
    throw asImportError(location, err);
  }
}

function finish(imp: FileImport): FileReport {
  try {
    return imp.finish();
  } catch (err) {
    throw asImportError(imp.reads[0]?.file ?? '', err);
  }
}

/** Synchronous load (the conversion's catalogue is built synchronously at start-up). */
export function loadOperatorCatalogue(catalogue: DesignationSink, location: string, options?: LoadOptions): LoadReport {
  const ctx = new ImportContext(catalogue, options);
  const { imports, ignored } = plan(ctx, location);
  const files = imports.map((imp) => {
    for (const { file, sink } of imp.reads) {
      try {
        readChunksSync(file, sink);
      } catch (err) {
        throw asImportError(file, err);
      }
    }
    return finish(imp);
  });
  return loadReport(ctx, location, files, ignored);
}

/** The same, reading from streams. */
export async function loadOperatorCatalogueAsync(catalogue: DesignationSink, location: string, options?: LoadOptions): Promise<LoadReport> {
  const ctx = new ImportContext(catalogue, options);
  const { imports, ignored } = plan(ctx, location);
  const files: FileReport[] = [];
  for (const imp of imports) {
    for (const { file, sink } of imp.reads) {
      try {
        await readChunks(file, sink);
      } catch (err) {
        throw asImportError(file, err);
      }
    }
    files.push(finish(imp));
  }
  return loadReport(ctx, location, files, ignored);
}
