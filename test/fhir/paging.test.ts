/**
 * Issue 14, item 2: paging on every search. `_count` (default 50, at most
 * 200; 0 = total only), Bundle.link self/first/next/previous, and the page
 * links' cursor `_page`: signed, bound to the professional and the resource
 * type, expiring; following `next` runs the search again, over a real journey
 * (simulator, PSC stand-in, real tokens) and with fhir-kit-client.
 */
import { Client } from 'fhir-kit-client';
import { ConfigError } from '../../src/config/config.js';
import { configurePaging, issueCursor, PAGE_SIZE } from '../../src/fhir/paging.js';
import {
  CARDIOLOGIST, DOCTOR, fhirClient, findCroatian, HR_DOMAIN, MARIJA_MBO, soapCalls, type FhirTestClient, type JourneyServer, withJourneyServer } from '../journey/harness.js';

let server: JourneyServer;
let doctor: FhirTestClient;
let doctorToken: string;
let cardiologist: FhirTestClient;

/** GET of an absolute URL (a page link) for the doctor, or another caller. */
const follow = (url: string, client: FhirTestClient = doctor) => {
  expect(url.startsWith(`${server.fhir}/`)).toBe(true);
  return client.get(url.slice(server.fhir.length));
};
const link = (bundle: fhir4.Bundle, relation: string) => bundle.link?.find((l) => l.relation === relation)?.url;
const ids = (bundle: fhir4.Bundle) => (bundle.entry ?? []).map((e) => e.resource!.id!);
const tokenOf = (url: string) => new URL(url).searchParams.get('_page')!;
const croatian = (mbo: string) => `identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${mbo}`)}&address-country=HR`;

withJourneyServer(async (started, client) => {
  server = started;
  doctorToken = await server.token(DOCTOR);
  doctor = client;
  cardiologist = fhirClient(server.fhir, await server.token(CARDIOLOGIST));
  // Some history: one discovery and a few reads of the trail (each one audited).
  await findCroatian(doctor, MARIJA_MBO);
  for (let i = 0; i < 6; i++) expect((await doctor.get('/AuditEvent?_count=0')).status).toBe(200);
});

/** Every page of a search from its first URL, following `next`. */
async function walk(first: string): Promise<fhir4.Bundle[]> {
  const pages: fhir4.Bundle[] = [];
  let next: string | undefined = first;
  while (next && pages.length < 100) {
    const res = await (pages.length ? follow(next) : doctor.get(next));
    expect(res.status).toBe(200);
    pages.push(res.body as fhir4.Bundle);
    next = link(res.body, 'next');
  }
  return pages;
}

test('AuditEvent?_count=2: next walks every event once, total stays that of the first page, although each page is itself audited', async () => {
  const pages = await walk('/AuditEvent?_count=2');
  const total = pages[0].total!;
  expect(total).toBeGreaterThanOrEqual(7);
  expect(pages).toHaveLength(Math.ceil(total / 2));
  expect(pages.every((p) => p.total === total && ids(p).length <= 2 && ids(p).length > 0)).toBe(true);
  const walked = pages.flatMap(ids);
  expect(new Set(walked).size).toBe(walked.length);
  expect(walked).toHaveLength(total);
  // The whole list now: the walk's own reads on top (newest first), then exactly what was walked.
  const all = (await doctor.get('/AuditEvent?_count=200')).body as fhir4.Bundle;
  expect(all.total).toBe(total + pages.length);
  expect(ids(all).slice(pages.length)).toEqual(walked);
});

test('links: self as asked, first and next on page 1, previous and first later, no next on the last page; nothing but _page in them', async () => {
  const pages = await walk('/AuditEvent?_count=2&_format=json');
  const [one, two] = pages;
  const last = pages[pages.length - 1];
  expect(link(one, 'self')).toBe(`${server.fhir}/AuditEvent?_count=2`);
  expect(link(one, 'previous')).toBeUndefined();
  expect(link(one, 'first')).toBeDefined();
  expect(link(last, 'next')).toBeUndefined();
  for (const page of pages.slice(1)) {
    expect(link(page, 'self')).toBe(`${server.fhir}/AuditEvent?_page=${tokenOf(link(page, 'self')!)}`);
    expect(link(page, 'previous')).toBeDefined();
  }
  for (const url of [link(one, 'next')!, link(two, 'previous')!, link(two, 'first')!]) {
    expect([...new URL(url).searchParams.keys()]).toEqual(['_page']);
    // The professional is bound by a keyed digest: no national id in the link.
    expect(Buffer.from(tokenOf(url).split('.')[0], 'base64url').toString('utf8')).not.toContain(DOCTOR);
  }
  const previous = (await follow(link(two, 'previous')!)).body as fhir4.Bundle;
  expect(ids(previous)).toEqual(ids(one));
  const first = (await follow(link(last, 'first')!)).body as fhir4.Bundle;
  expect([ids(first), first.total]).toEqual([ids(one), one.total]);
});

test('_summary and _elements stay on the page links; _count=0 gives the total alone; no _count is a page of 50', async () => {
  const one = (await doctor.get('/AuditEvent?_count=2&_elements=outcome')).body as fhir4.Bundle;
  const next = link(one, 'next')!;
  expect(new URL(next).searchParams.get('_elements')).toBe('outcome');
  const two = (await follow(next)).body as fhir4.Bundle;
  expect(two.entry!.every((e) => e.resource!.meta?.tag?.some((t) => t.code === 'SUBSETTED') && !('entity' in e.resource!))).toBe(true);

  const counted = (await doctor.get('/AuditEvent?_count=0')).body as fhir4.Bundle;
  expect(counted.total).toBeGreaterThan(0);
  expect(counted.entry).toEqual([]);
  expect(counted.link!.map((l) => l.relation)).toEqual(['self', 'first']);

  const plain = (await doctor.get('/AuditEvent')).body as fhir4.Bundle;
  expect(PAGE_SIZE.default).toBe(50);
  expect(ids(plain)).toHaveLength(Math.min(plain.total!, PAGE_SIZE.default));
  expect((await doctor.get('/AuditEvent?_count=100000')).status).toBe(200);
});

test('Patient search: each page asks XCPD again; an OperationOutcome only on the first page, outside total', async () => {
  const before = soapCalls(server);
  const one = (await doctor.get(`/Patient?${croatian(MARIJA_MBO)}&_count=1`)).body as fhir4.Bundle;
  expect([one.total, ids(one).length, link(one, 'next')]).toEqual([1, 1, undefined]);
  const first = (await follow(link(one, 'first')!)).body as fhir4.Bundle;
  expect([first.total, ids(first)]).toEqual([1, ids(one)]);
  expect(soapCalls(server)).toBe(before + 2);

  const unknown = `identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|999999999`)}&address-country=HR`;
  const none = (await doctor.get(`/Patient?${unknown}`)).body as fhir4.Bundle;
  expect(none.total).toBe(0);
  expect(none.entry!.map((e) => e.search!.mode)).toEqual(['outcome']);
  const countOnly = (await doctor.get(`/Patient?${unknown}&_count=0`)).body as fhir4.Bundle;
  expect([countOnly.total, countOnly.entry]).toEqual([0, []]);
});

test('a tampered, malformed or expired cursor: 400 (invalid, French and English) before any country is asked', async () => {
  const one = (await doctor.get(`/Patient?${croatian(MARIJA_MBO)}&_count=1`)).body as fhir4.Bundle;
  const token = tokenOf(link(one, 'first')!);
  const [body, signature] = token.split('.');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  const forged = `${Buffer.from(JSON.stringify({ ...payload, o: 1 })).toString('base64url')}.${signature}`;
  const expired = issueCursor({ resourceType: 'Patient', query: payload.q, offset: 0, count: 1, owner: DOCTOR, expires: Math.floor(Date.now() / 1000) - 1 });
  const before = soapCalls(server);
  for (const bad of [forged, `${body}.${signature.slice(0, -2)}AA`, 'abc', `${body}x.${signature}`, expired]) {
    const res = await doctor.get(`/Patient?_page=${encodeURIComponent(bad)}`);
    expect(res.status).toBe(400);
    expect(res.body.issue[0]).toMatchObject({ code: 'invalid', expression: ['_page'], details: { text: expect.stringMatching(/Lien de page (invalide|expiré)/) } });
    expect(res.body.issue[0].diagnostics).toMatch(/malformed|altered|expired/);
  }
  // A page link carries its whole search: nothing else may be added but how it is shown.
  const added = await doctor.get(`/Patient?_page=${token}&address-country=FR`);
  expect([added.status, added.body.issue[0].expression]).toEqual([400, ['address-country']]);
  expect((await doctor.get(`/Patient?_page=${token}&_page=${token}`)).status).toBe(400);
  expect(soapCalls(server)).toBe(before);
  // Under Prefer: handling=strict, _page is a known parameter.
  expect((await doctor.get(`/Patient?_page=${token}`, { Prefer: 'handling=strict' })).status).toBe(200);
});

test('another professional\'s cursor: 404, as if it did not exist; a cursor on another resource type: 400', async () => {
  const one = (await doctor.get('/AuditEvent?_count=1')).body as fhir4.Bundle;
  const next = link(one, 'next')!;
  const theirs = await follow(next, cardiologist);
  expect(theirs.status).toBe(404);
  expect(theirs.body.issue[0]).toMatchObject({ code: 'not-found', details: { text: 'Page de résultats introuvable.' } });
  const elsewhere = await doctor.get(`/Consent?_page=${tokenOf(next)}`);
  expect(elsewhere.status).toBe(400);
  expect(elsewhere.body.issue[0]).toMatchObject({ code: 'invalid', expression: ['_page'] });
  expect(elsewhere.body.issue[0].diagnostics).toContain('AuditEvent');
  expect((await follow(next)).status).toBe(200);
});

test('every search pages: ValueSet, Questionnaire, Consent, Practitioner', async () => {
  let paged = 0;
  for (const type of ['ValueSet', 'Questionnaire', 'Consent', 'Practitioner']) {
    const one = (await doctor.get(`/${type}?_count=1`)).body as fhir4.Bundle;
    expect(one.resourceType).toBe('Bundle');
    expect(ids(one).length).toBeLessThanOrEqual(1);
    expect(link(one, 'first')).toBeDefined();
    if (one.total! > 1) {
      const two = (await follow(link(one, 'next')!)).body as fhir4.Bundle;
      expect([two.total, ids(two).length]).toEqual([one.total, 1]);
      expect(ids(two)).not.toEqual(ids(one));
      paged++;
    } else {
      expect(link(one, 'next')).toBeUndefined();
    }
  }
  expect(paged).toBeGreaterThanOrEqual(2);
});

test('fhir-kit-client: search, then nextPage until none, walks every AuditEvent once', async () => {
  const client = new Client({ baseUrl: server.fhir, customHeaders: { Authorization: `Bearer ${doctorToken}` } });
  let bundle = await client.search({ resourceType: 'AuditEvent', searchParams: { _count: 3 } }) as unknown as fhir4.Bundle;
  const total = bundle.total!;
  const seen: string[] = [];
  for (let guard = 0; bundle && guard < 100; guard++) {
    seen.push(...ids(bundle));
    bundle = await client.nextPage({ bundle: bundle as never }) as unknown as fhir4.Bundle;
  }
  expect(seen).toHaveLength(total);
  expect(new Set(seen).size).toBe(total);
});

test('the signing key: fhir.pagingKey replaces the start-up one (links signed before fail), a short one is refused', async () => {
  expect(() => configurePaging({ get: () => 'too short' })).toThrow(ConfigError);
  const before = link((await doctor.get('/AuditEvent?_count=1')).body, 'next')!;
  configurePaging({ get: (key) => (key === 'fhir.pagingKey' ? 'k'.repeat(40) : undefined) });
  expect((await follow(before)).status).toBe(400);
  const after = link((await doctor.get('/AuditEvent?_count=1')).body, 'next')!;
  expect((await follow(after)).status).toBe(200);
});
