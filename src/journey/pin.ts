import { CANONICAL_BASE } from './canonical.js';

/** Where this server serves the Patient Information Notice (src/web/pin/). */
export const PIN_PATH = '/pin';

/** The 24 official EU languages (ISO 639-1). */
export const PIN_LANGUAGES = ['bg', 'cs', 'da', 'de', 'el', 'en', 'es', 'et', 'fi', 'fr', 'ga', 'hr', 'hu', 'it', 'lt', 'lv', 'mt', 'nl', 'pl', 'pt', 'ro', 'sk', 'sl', 'sv'] as const;
export type PinLanguage = (typeof PIN_LANGUAGES)[number];

/** The server root of a FHIR base (http://host/prefix/fhir → http://host/prefix). */
function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/fhir$/, '');
}

function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

function language(code: string): PinLanguage | undefined {
  const lang = code.toLowerCase();
  return (PIN_LANGUAGES as readonly string[]).includes(lang) ? lang as PinLanguage : undefined;
}

/**
 * The notice's canonical URL in one language, the same whatever Host a
 * client used: what a stored Consent names in policy.uri.
 */
export function pinCanonical(lang: PinLanguage = 'fr'): string {
  return `${CANONICAL_BASE}${PIN_PATH}/${lang}`;
}

/**
 * The language of a Patient Information Notice URL, or undefined when it is
 * not one: the canonical (`https://ehdsi-fhir-facade.org/fhir/pin/<lang>`), or
 * this server's `/pin/<lang>` (below its path prefix, if any) on whatever host
 * and port the client reached it (localhost, 127.0.0.1, a proxy's name), http
 * or https, without query or fragment. Any of the 24 EU languages.
 */
export function pinLanguage(uri: string, baseUrl: string): PinLanguage | undefined {
  const canonicalPrefix = `${CANONICAL_BASE}${PIN_PATH}/`;
  if (uri.startsWith(canonicalPrefix)) return language(uri.slice(canonicalPrefix.length));
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '') return undefined;
  const prefix = `${pathOf(serverRoot(baseUrl)) ?? ''}${PIN_PATH}/`;
  if (!url.pathname.startsWith(prefix)) return undefined;
  return language(url.pathname.slice(prefix.length));
}

/** True for a Patient Information Notice URL in an EU language (see pinLanguage). */
export function isPinUrl(uri: string, baseUrl: string): boolean {
  return pinLanguage(uri, baseUrl) !== undefined;
}

/** Where this server serves the notice, for a FHIR base (http://host/fhir → http://host/pin/fr). */
export function pinUrl(baseUrl: string, lang = 'fr'): string {
  return `${serverRoot(baseUrl)}${PIN_PATH}/${lang}`;
}
