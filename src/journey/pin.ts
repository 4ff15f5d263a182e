/** Where this server serves the Patient Information Notice (src/web/pin/). */
export const PIN_PATH = '/pin';

/** The 24 official EU languages (ISO 639-1). */
export const PIN_LANGUAGES = ['bg', 'cs', 'da', 'de', 'el', 'en', 'es', 'et', 'fi', 'fr', 'ga', 'hr', 'hu', 'it', 'lt', 'lv', 'mt', 'nl', 'pl', 'pt', 'ro', 'sk', 'sl', 'sv'] as const;

/** The server root of a FHIR base (http://host/prefix/fhir → http://host/prefix). */
function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/fhir$/, '');
}

/** True for this server's Patient Information Notice in an EU language (`<root>/pin/<lang>`). */
export function isPinUrl(uri: string, baseUrl: string): boolean {
  const prefix = `${serverRoot(baseUrl)}${PIN_PATH}/`;
  if (!uri.startsWith(prefix)) return false;
  return (PIN_LANGUAGES as readonly string[]).includes(uri.slice(prefix.length));
}

/** The notice's URL for a FHIR base (http://host/fhir → http://host/pin/fr). */
export function pinUrl(baseUrl: string, lang = 'fr'): string {
  return `${serverRoot(baseUrl)}${PIN_PATH}/${lang}`;
}
