import { FhirError } from '../errors.js';
import type { FhirContext } from '../registry.js';

/** A searchset Bundle of the given resources (all matches: no paging needed for at most a few). */
export function searchsetOf(ctx: FhirContext, resourceType: string, resources: fhir4.FhirResource[]): fhir4.Bundle {
  const query = ctx.req.originalUrl.includes('?') ? ctx.req.originalUrl.slice(ctx.req.originalUrl.indexOf('?')) : '';
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    link: [{ relation: 'self', url: `${ctx.baseUrl}/${resourceType}${query}` }],
    entry: resources.map((r) => ({ fullUrl: `${ctx.baseUrl}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' } })),
  };
}

/** 403 for anything about another professional: each one only sees themselves. */
export function notYours(what: string): FhirError {
  return FhirError.forbidden(`${what}: a professional may only read their own Practitioner and PractitionerRole`);
}

/** Parses a token search value "system|value", "|value" or "value". */
export function parseToken(raw: string): { system?: string; value: string } {
  const i = raw.indexOf('|');
  if (i < 0) return { value: raw };
  return { system: raw.slice(0, i) || undefined, value: raw.slice(i + 1) };
}
