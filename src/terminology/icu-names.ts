/**
 * Country and language names from ICU's CLDR data (Intl.DisplayNames), in
 * any language Node's ICU knows: ISO 3166-1 alpha-2 countries and BCP 47 /
 * ISO 639 language tags need no hand-written list.
 */
import type { CatalogueSource, Designation } from './designation.js';

export const ISO_3166_SYSTEM = 'urn:iso:std:iso:3166';
export const BCP_47_SYSTEM = 'urn:ietf:bcp:47';

export const CLDR_SOURCE: CatalogueSource = { id: 'cldr', name: 'CLDR (ICU, Intl.DisplayNames)', version: process.versions.cldr, official: true };

// ISO 3166 leaves these to users; CLDR names some (ZZ "région inconnue", XA pseudo-locales). XK is kept: the EU codes Kosovo so.
const USER_ASSIGNED_REGION = /^(AA|Q[M-Z]|X[A-JL-Z]|ZZ)$/;

type NameType = 'region' | 'language';
const displayNames = new Map<string, Intl.DisplayNames | null>();

function namer(type: NameType, language: string): Intl.DisplayNames | null {
  const key = `${type}|${language}`;
  let dn = displayNames.get(key);
  if (dn === undefined) {
    try {
      // "standard": "anglais (Royaume-Uni)", not the dialect name "anglais britannique", so every tag reads the same way.
      dn = new Intl.DisplayNames([language], { type, fallback: 'none', ...(type === 'language' ? { languageDisplay: 'standard' as const } : {}) });
    } catch {
      dn = null;
    }
    displayNames.set(key, dn);
  }
  return dn;
}

/** First letter upper case: CLDR writes French language names in lower case ("croate"), a display starts with a capital. */
function capitalised(text: string, language: string): string {
  const first = String.fromCodePoint(text.codePointAt(0)!);
  return first.toLocaleUpperCase(language) + text.slice(first.length);
}

/**
 * Names already asked (ICU's canonicalisation and lookup cost microseconds,
 * and every document asks the same few); bounded, since codes come from documents.
 */
const names = new Map<string, string | undefined>();
const MAX_REMEMBERED = 4096;

function remembered(type: NameType, code: string, language: string, name: (code: string, language: string) => string | undefined): string | undefined {
  const key = `${type}|${language}|${code}`;
  if (names.has(key)) return names.get(key);
  const value = name(code, language);
  if (names.size < MAX_REMEMBERED) names.set(key, value);
  return value;
}

/** Name of an ISO 3166-1 alpha-2 country ("HR" → "Croatie"), undefined for what is not one. */
export function countryName(code: string, language = 'fr'): string | undefined {
  return remembered('region', code, language, icuCountryName);
}

function icuCountryName(code: string, language: string): string | undefined {
  const region = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(region) || USER_ASSIGNED_REGION.test(region)) return undefined;
  const name = namer('region', language)?.of(region);
  return name ? capitalised(name, language) : undefined;
}

/** Name of a BCP 47 language tag ("hr" → "Croate", "hr-HR" → "Croate (Croatie)"), undefined for a tag ICU does not name. */
export function languageName(tag: string, language = 'fr'): string | undefined {
  return remembered('language', tag, language, icuLanguageName);
}

function icuLanguageName(tag: string, language: string): string | undefined {
  let canonical: string;
  try {
    [canonical] = Intl.getCanonicalLocales(tag.trim());
  } catch {
    return undefined;
  }
  if (!canonical) return undefined;
  let name: string | undefined;
  try {
    name = namer('language', language)?.of(canonical);
  } catch {
    return undefined;
  }
  return name ? capitalised(name, language) : undefined;
}

/** The ICU name of a code of the ISO 3166 or BCP 47 system, as an official designation; undefined for other systems. */
export function icuDesignation(system: string, code: string, language: string): Designation | undefined {
  const text = system === ISO_3166_SYSTEM ? countryName(code, language) : system === BCP_47_SYSTEM ? languageName(code, language) : undefined;
  return text ? { text, source: CLDR_SOURCE, status: 'official' } : undefined;
}
