/** Search result Bundles of the journey. */
import { pageWindow, searchUrl, type SearchPage } from './paging.js';

export interface SearchEntry {
  resource: fhir4.FhirResource & { id?: string };
  mode?: 'match' | 'include' | 'outcome';
  score?: number;
  extension?: fhir4.Extension[];
}

function isOutcome(e: SearchEntry): boolean {
  return e.mode === 'outcome';
}

function bundle(baseUrl: string, links: fhir4.BundleLink[], entries: SearchEntry[], now: Date, total: number): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: now.toISOString(),
    total,
    link: links,
    entry: entries.map((e) => ({
      ...(e.resource.id && e.resource.resourceType !== 'OperationOutcome' ? { fullUrl: `${baseUrl}/${e.resource.resourceType}/${e.resource.id}` } : {}),
      resource: e.resource,
      search: { mode: e.mode ?? 'match', ...(e.score !== undefined ? { score: e.score } : {}), ...(e.extension ? { extension: e.extension } : {}) },
    })),
  };
}

/** A searchset Bundle of every entry, with its self link (an operation's result, e.g. $match); `total` counts the matches (not outcome entries). */
export function searchset(baseUrl: string, type: string, params: URLSearchParams, entries: SearchEntry[], now: Date, total?: number): fhir4.Bundle {
  const links = [{ relation: 'self', url: searchUrl(baseUrl, type, params) }];
  return bundle(baseUrl, links, entries, now, total ?? entries.filter((e) => !isOutcome(e)).length);
}

/**
 * One page of a search (src/fhir/paging.ts): `entries` are all its matches in
 * search order, and its OperationOutcome entries, shown on the first page
 * only (not with `_count=0`) and not counted in `total`.
 */
export function pagedSearchset(page: SearchPage, entries: SearchEntry[], now: Date): fhir4.Bundle {
  const matches = entries.filter((e) => !isOutcome(e));
  const window = pageWindow(page, matches.map((e) => e.resource.id));
  const shown = new Set(matches.slice(window.start, window.end));
  const outcomes = page.offset === 0 && page.count > 0;
  return bundle(page.baseUrl, window.links, entries.filter((e) => (isOutcome(e) ? outcomes : shown.has(e))), now, window.total);
}

/** An OperationOutcome entry of a searchset (information or warning). */
export function outcomeEntry(severity: 'information' | 'warning', code: fhir4.OperationOutcomeIssue['code'], text: string, details?: fhir4.CodeableConcept): SearchEntry {
  return {
    mode: 'outcome',
    resource: { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics: text, ...(details ? { details } : {}) }] },
  };
}
