/**
 * Parses a token search value: "system|value", "|value" (system "": FHIR's
 * "no system") or "value" (no system given: any).
 */
export function parseToken(raw: string): { system?: string; value: string } {
  const i = raw.indexOf('|');
  if (i < 0) return { value: raw };
  return { system: raw.slice(0, i), value: raw.slice(i + 1) };
}
