/**
 * The translated summary as documents, as Sesali's API offers them: the
 * French PDF (from the translated Bundle) and the level 3 CDA with French
 * designations (OpenNCP's way). Below the journey; above the terminology.
 */
export { renderSummaryPdf, MAX_PAGES, type SummaryPdfOptions } from './summary-pdf.js';
export { translateCda, type TranslatedCda, type TranslateCdaOptions } from './translated-cda.js';
/** The French wording of patient and document facts (dates, sex, names, addresses, countries, languages). */
export { addressText, clean, conceptText, countryName, frenchDate, humanName, languageName, residenceAddress, resolver, sexName, type Resolver } from './summary-pdf/facts.js';
