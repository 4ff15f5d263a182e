/** Search result Bundles of the journey. */
import { FhirError } from '../kernel/errors.js';

export interface SearchEntry {
  resource: fhir4.FhirResource & { id?: string };
  mode?: 'match' | 'include' | 'outcome';
  score?: number;
  extension?: fhir4.Extension[];
}

function selfLink(baseUrl: string, type: string, params: URLSearchParams): string {
  const query = new URLSearchParams([...params].filter(([k]) => !['_format', '_pretty'].includes(k))).toString();
  return `${baseUrl}/${type}${query ? `?${query}` : ''}`;
}

/** A searchset Bundle; `total` counts the matches (not outcome entries), all of them when `_count` kept fewer. */
export function searchset(baseUrl: string, type: string, params: URLSearchParams, entries: SearchEntry[], now: Date, total?: number): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: now.toISOString(),
    total: total ?? entries.filter((e) => (e.mode ?? 'match') === 'match').length,
    link: [{ relation: 'self', url: selfLink(baseUrl, type, params) }],
    entry: entries.map((e) => ({
      ...(e.resource.id && e.resource.resourceType !== 'OperationOutcome' ? { fullUrl: `${baseUrl}/${e.resource.resourceType}/${e.resource.id}` } : {}),
      resource: e.resource,
      search: { mode: e.mode ?? 'match', ...(e.score !== undefined ? { score: e.score } : {}), ...(e.extension ? { extension: e.extension } : {}) },
    })),
  };
}

/** An OperationOutcome entry of a searchset (information or warning). */
export function outcomeEntry(severity: 'information' | 'warning', code: fhir4.OperationOutcomeIssue['code'], text: string, details?: fhir4.CodeableConcept): SearchEntry {
  return {
    mode: 'outcome',
    resource: { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics: text, ...(details ? { details } : {}) }] },
  };
}

/** `_count`, when given: a non-negative integer (400 otherwise). */
export function countParam(params: URLSearchParams): number | undefined {
  const raw = params.get('_count');
  if (raw === null) return undefined;
  if (!/^\d{1,6}$/.test(raw)) throw FhirError.badRequest(`_count must be a non-negative integer, got "${raw}"`, ['_count'], 'value');
  return Number(raw);
}
