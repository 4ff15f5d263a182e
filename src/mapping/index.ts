/**
 * The CDA-to-IPS conversion: declarative maps of mappings/ run over an eHDSI
 * patient summary, French designations from the terminology catalogues.
 */
import { defaultCatalogue, type TerminologyCatalogue } from '../terminology/catalogue.js';
import { convertCda, type ConversionResult } from './convert.js';
import { projectMaps } from './map-loader.js';
import type { MapSet } from './map-types.js';

export { CdaInputError, MapFileError, type CdaInputProblem } from './errors.js';
export { reportCounts, reportOperationOutcome, type ConversionReport } from './report.js';
export { documentReferencesFor, pdfOfLevel1, cdaHeaderFacts, FORMAT, type OriginalDocument, type DocumentReferenceOptions } from './document-references.js';
export { loadMaps } from './map-loader.js';

export interface ConvertPatientSummaryOptions {
  /** Target language of the designations (default fr-FR). */
  language?: string;
  /** Operator's terminology catalogue (file or folder of FHIR CodeSystem/ValueSet JSON). */
  terminologyPath?: string;
  /** Largest document accepted, bytes (default 20 MiB). */
  maxBytes?: number;
  /** Other maps or catalogue (tests, tools). */
  maps?: MapSet;
  catalogue?: TerminologyCatalogue;
  now?: Date;
}

/**
 * Converts an eHDSI patient summary CDA (level 3, or level 1 with its PDF) to
 * an IPS document Bundle and a conversion report.
 * @throws CdaInputError when the input is not an acceptable CDA document
 */
export function convertPatientSummary(cda: string | Buffer, opts: ConvertPatientSummaryOptions = {}): ConversionResult {
  return convertCda(cda, {
    language: opts.language ?? 'fr-FR',
    maxBytes: opts.maxBytes,
    maps: opts.maps ?? projectMaps(),
    catalogue: opts.catalogue ?? defaultCatalogue(opts.terminologyPath),
    now: opts.now,
  });
}

export type { ConversionResult };
