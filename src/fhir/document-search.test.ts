import { FhirError } from '../kernel/errors.js';
import { documentScope, documentSearch, matchesDocument } from './document-search.js';

const search = (query: string) => documentSearch(new URLSearchParams(query));

function doc(type: string, creation?: string, period?: fhir4.Period): fhir4.DocumentReference {
  return {
    resourceType: 'DocumentReference',
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: type }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: type }] }],
    content: [{ attachment: { contentType: 'application/pdf', ...(creation ? { creation } : {}) } }],
    ...(period ? { context: { period } } : {}),
  };
}

describe('documentScope: what the country is asked', () => {
  it('everything without a filter; only the kinds asked by type and category (ANDed); nothing for another status', () => {
    expect(documentScope(search(''))).toEqual({ summary: true, originals: ['laboratory', 'discharge', 'imaging-report', 'image'] });
    expect(documentScope(search('type=http://loinc.org|11502-2,x-clinical-image'))).toEqual({ summary: false, originals: ['laboratory', 'image'] });
    expect(documentScope(search('type=60591-5'))).toEqual({ summary: true, originals: [] });
    expect(documentScope(search('category=34105-7&type=34105-7,11502-2'))).toEqual({ summary: false, originals: ['discharge'] });
    expect(documentScope(search('type=11502-2&type=34105-7'))).toEqual({ summary: false, originals: [] });
    expect(documentScope(search('status=superseded,entered-in-error'))).toEqual({ summary: false, originals: [] });
    expect(documentScope(search('status=superseded,current'))).toEqual({ summary: true, originals: ['laboratory', 'discharge', 'imaging-report', 'image'] });
  });

  it('no patient summary when a period is searched: its documents have none', () => {
    expect(documentScope(search('period=ge2024'))).toEqual({ summary: false, originals: ['laboratory', 'discharge', 'imaging-report', 'image'] });
  });
});

describe('matchesDocument', () => {
  it('by type and category', () => {
    expect(matchesDocument(doc('11502-2'), search('type=11502-2'))).toBe(true);
    expect(matchesDocument(doc('11502-2'), search('category=urn:oid:2.16.840.1.113883.6.1|34105-7'))).toBe(false);
  });

  it('by creation, with each prefix of FHIR date search (the value\'s range against the target\'s)', () => {
    const d = doc('11502-2', '2025-09-02T07:30:00Z');
    const yes = ['2025', 'eq2025-09-02', 'ge2025-09-02', 'le2025-09-02', 'ne2024', 'gt2025-09-01', 'lt2025-09-03', 'sa2025-09-01', 'eb2025-09-03', 'ge2025-09-02T07:30:00Z', 'eq2024,eq2025'];
    const no = ['2024', 'ne2025', 'gt2025-09-02', 'lt2025-09-02', 'sa2025-09-02', 'eb2025-09-02', 'eq2025-09-02T07:31:00Z'];
    for (const v of yes) expect({ v, match: matchesDocument(d, search(`creation=${encodeURIComponent(v)}`)) }).toEqual({ v, match: true });
    for (const v of no) expect({ v, match: matchesDocument(d, search(`creation=${encodeURIComponent(v)}`)) }).toEqual({ v, match: false });
    // Repeated: ANDed.
    expect(matchesDocument(d, search('creation=ge2025-01-01&creation=lt2025-09-01'))).toBe(false);
    // No creation: no match on a creation search.
    expect(matchesDocument(doc('11502-2'), search('creation=ge2000'))).toBe(false);
  });

  it('by period: a range against the search value, an open end running on', () => {
    const stay = doc('34105-7', undefined, { start: '2023-04-14T09:00:00Z', end: '2023-04-18T10:00:00Z' });
    expect(matchesDocument(stay, search('period=2023-04'))).toBe(true);
    expect(matchesDocument(stay, search('period=2023-04-15'))).toBe(false);
    expect(matchesDocument(stay, search('period=gt2023-04-15'))).toBe(true);
    expect(matchesDocument(stay, search('period=lt2023-04-15'))).toBe(true);
    expect(matchesDocument(stay, search('period=sa2023-04-13'))).toBe(true);
    const ongoing = doc('34105-7', undefined, { start: '2023-04-14' });
    expect(matchesDocument(ongoing, search('period=gt2030'))).toBe(true);
    expect(matchesDocument(ongoing, search('period=eb2030'))).toBe(false);
    expect(matchesDocument(doc('34105-7'), search('period=ge2000'))).toBe(false);
  });
});

describe('documentSearch refuses what it cannot search by, naming the parameter', () => {
  it.each([
    ['type=http://snomed.info/sct|1', 'type'],
    ['type=11488-4', 'type'],
    ['category=|60591-5', 'category'],
    ['creation=2025-02-30', 'creation'],
    ['creation=ap2025', 'creation'],
    ['creation=2025-01-01T10:00', 'creation'],
    ['period=', 'period'],
    ['status=final', 'status'],
  ])('%s', (query, param) => {
    let error: unknown;
    try {
      search(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FhirError);
    expect(error).toMatchObject({ status: 400, issues: [{ code: 'value', expression: [param] }] });
  });
});
