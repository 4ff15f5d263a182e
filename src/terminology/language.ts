import { normaliseLanguage, type TerminologyCatalogue } from './catalogue.js';

/**
 * Display languages of terminology requests: BCP 47 tags as the catalogue
 * keys them, the source language (the eHDSI pivot, English: asking for it
 * means the displays as defined) and the choice an Accept-Language header
 * makes among the catalogue's languages.
 */

/** The language of the source displays (eHDSI pivot documents and catalogues are in English). */
export const SOURCE_LANGUAGE = 'en';

/** Longest tag accepted (BCP 47 tags in use are far shorter; this bounds the parsing). */
const MAX_TAG_LENGTH = 35;
/** Most Accept-Language entries considered (browsers send a handful). */
const MAX_ACCEPTED = 16;

/** A BCP 47 tag as the catalogue keys it (fr → fr-FR), or undefined when the tag is malformed. */
export function languageTag(raw: string): string | undefined {
  if (raw === '' || raw.length > MAX_TAG_LENGTH) return undefined;
  try {
    const [canonical] = Intl.getCanonicalLocales(raw);
    return canonical ? normaliseLanguage(canonical) : undefined;
  } catch {
    return undefined;
  }
}

export function isSourceLanguage(language: string): boolean {
  return language.split('-')[0].toLowerCase() === SOURCE_LANGUAGE;
}

/** Whether the catalogue has any designation in `language` (a catalogue for that language exists). */
export function hasDesignations(catalogue: TerminologyCatalogue, language: string): boolean {
  return !catalogue.entries(language)[Symbol.iterator]().next().done;
}

/** The catalogue language that serves `language`: itself, else its primary language's (fr-BE → fr-FR), else itself. */
export function servingLanguage(catalogue: TerminologyCatalogue, language: string): string {
  if (hasDesignations(catalogue, language)) return language;
  const primary = normaliseLanguage(language.split('-')[0]);
  return hasDesignations(catalogue, primary) ? primary : language;
}

/**
 * The display language an Accept-Language header asks for: its most
 * preferred language the catalogue has designations in; undefined when the
 * source language or any language (*) comes first, or none is served.
 * Malformed entries are skipped: a header is not the client's explicit request.
 */
export function preferredLanguage(header: string, catalogue: TerminologyCatalogue): string | undefined {
  const ranked = header.split(',').slice(0, MAX_ACCEPTED).map((entry, order) => {
    const [tag, ...params] = entry.split(';').map((s) => s.trim());
    const q = params.find((p) => /^q=/i.test(p));
    return { tag, weight: q ? Number(q.slice(2)) : 1, order };
  }).filter((e) => e.tag !== '' && e.weight > 0).sort((a, b) => b.weight - a.weight || a.order - b.order);
  for (const { tag } of ranked) {
    if (tag === '*') return undefined;
    const language = languageTag(tag);
    if (!language) continue;
    if (isSourceLanguage(language)) return undefined;
    const served = servingLanguage(catalogue, language);
    if (hasDesignations(catalogue, served)) return served;
  }
  return undefined;
}
