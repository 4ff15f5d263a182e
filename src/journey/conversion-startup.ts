import { accessSync, constants, statSync } from 'node:fs';
import { ConfigError } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { preloadConversion } from '../mapping/index.js';
import { defaultCatalogue, type TerminologyCatalogue } from '../terminology/catalogue.js';
import { TerminologyImportError } from '../terminology/import/index.js';
import type { JourneyDeps } from './deps.js';

/** The setting naming the operator's catalogue, as a ConfigError names it. */
const TERMINOLOGY_SETTING = 'mapping.terminologyPath (MAPPING_TERMINOLOGY_PATH)';

/** A catalogue source as the start-up log tells it: never a code, a text or anything of a patient. */
export interface CatalogueSourceSummary {
  name: string;
  version?: string;
  official: boolean;
  /** Designations of the source in use in the translation language (those an official one replaced are not counted). */
  designations: number;
}

/** The sources of a catalogue with the number of their designations in `language`. */
export function catalogueSourceSummaries(catalogue: TerminologyCatalogue, language: string): CatalogueSourceSummary[] {
  const counts = new Map<string, number>();
  for (const entry of catalogue.entries(language)) counts.set(entry.designation.source.id, (counts.get(entry.designation.source.id) ?? 0) + 1);
  return catalogue.sources.map((s) => ({
    name: s.name,
    ...(s.version ? { version: s.version } : {}),
    official: s.official,
    designations: counts.get(s.id) ?? 0,
  }));
}

function checkReadable(location: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(location).isDirectory();
  } catch {
    throw new ConfigError(TERMINOLOGY_SETTING, `terminology catalogue not found: ${location}`);
  }
  try {
    accessSync(location, isDirectory ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch {
    throw new ConfigError(TERMINOLOGY_SETTING, `cannot read the terminology catalogue ${location}: permission denied`);
  }
}

/**
 * Loads the conversion's maps and terminology catalogues (the project's, then
 * the operator's from mapping.terminologyPath) before the server says it is
 * ready: every file of mappings/ the conversion reads is checked (maps, words
 * of the narratives, code systems, the project's catalogue), a wrong path or
 * an unreadable file stops the start naming the setting and the file, instead
 * of failing every $summary and $lookup; and a large release is read now, not
 * by the first request. Logs which catalogues were loaded.
 * @throws ConfigError when the operator's catalogue cannot be read
 * @throws MapFileError naming the file and the line of a broken file of mappings/
 */
export function preloadConversionCatalogues(conversion: JourneyDeps['conversion'], logger: Logger): CatalogueSourceSummary[] {
  const terminologyPath = conversion?.terminologyPath;
  const language = conversion?.language ?? 'fr-FR';
  const started = process.hrtime.bigint();
  if (terminologyPath) checkReadable(terminologyPath);
  try {
    preloadConversion({ terminologyPath });
  } catch (err) {
    if (terminologyPath && err instanceof TerminologyImportError) {
      throw new ConfigError(TERMINOLOGY_SETTING, `cannot load the terminology catalogue: ${err.message}`);
    }
    throw err;
  }
  // Read-only use of the catalogue preloadConversion has just cached.
  const catalogue = defaultCatalogue(terminologyPath);
  const sources = catalogueSourceSummaries(catalogue, language);
  logger.info({
    terminology: { language, ...(terminologyPath ? { terminologyPath } : {}), sources },
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
  }, 'terminology catalogues loaded');
  if (terminologyPath && !catalogue.sources.some((s) => s.official)) {
    logger.warn({ terminologyPath }, `${TERMINOLOGY_SETTING} gave no official designation: no file of it was recognised, or none has designations (see npm run terminology:load)`);
  }
  return sources;
}
