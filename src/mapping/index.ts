/**
 * The CDA-to-IPS conversion: declarative maps of mappings/ run over an eHDSI
 * patient summary, French designations from the terminology catalogues.
 */
import type { Logger } from '../logging/logger.js';
import { defaultCatalogue, type TerminologyCatalogue } from '../terminology/catalogue.js';
import { convertCda, type ConversionResult, type FacadePatient } from './convert.js';
import { reportCounts } from './report.js';
import { projectMaps } from './map-loader.js';
import type { MapSet } from './map-types.js';

export { CdaInputError, MapFileError, type CdaInputProblem } from './errors.js';
export { reportCounts, reportOperationOutcome, type ConversionReport } from './report.js';
export { documentReferencesFor, pdfOfLevel1, cdaHeaderFacts, FORMAT, type DocumentKind, type OriginalDocument, type DocumentReferenceOptions } from './document-references.js';
export { originalDocumentReference, xdsDateTime, ORIGINAL_DOCUMENT_KINDS_FR, type OriginalDocumentFacts } from './original-document-reference.js';
export { stableUuid } from './engine.js';
export { loadMaps } from './map-loader.js';
export { checkConversionFiles, preloadConversion } from './conversion-files.js';

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
  /** The facade's Patient the professional found (the Bundle's Patient takes its id, URL and identifiers). */
  patient?: FacadePatient;
  /** The country that sent the document (ISO 3166-1 alpha-2). */
  sourceCountry?: string;
  /** Logs the report's counts (never codes, text or identifiers) at info level. */
  logger?: Pick<Logger, 'info'>;
}

/**
 * Converts an eHDSI patient summary CDA (level 3, or level 1 with its PDF) to
 * an IPS document Bundle and a conversion report.
 * @throws CdaInputError when the input is not an acceptable CDA document
 */
export function convertPatientSummary(cda: string | Buffer, opts: ConvertPatientSummaryOptions = {}): ConversionResult {
  const result = convertCda(cda, {
    language: opts.language ?? 'fr-FR',
    maxBytes: opts.maxBytes,
    maps: opts.maps ?? projectMaps(),
    catalogue: opts.catalogue ?? defaultCatalogue(opts.terminologyPath),
    now: opts.now,
    patient: opts.patient,
    sourceCountry: opts.sourceCountry,
  });
  opts.logger?.info({ conversion: reportCounts(result.report) }, 'patient summary converted');
  return result;
}

export type { ConversionResult, FacadePatient };
