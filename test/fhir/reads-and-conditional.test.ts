/**
 * Issue 14, items 1 and 4 — what conformance testers and client libraries
 * (fhir-kit-client resolve(), fhirclient resolveReferences) rely on, over a
 * running journey: every type a search returns reads back (AuditEvent and
 * Questionnaire included); every read answers an ETag and Last-Modified and a
 * current copy gets 304 (audited as a success); _summary=true on reads and
 * searches; $expand by POST at the type and the instance level.
 */
import { Client } from 'fhir-kit-client';
import { JOURNEY_CANONICALS } from '../../src/journey/index.js';
import { consentBody } from '../journey/consent-body.js';
import {
  auditTrail, CARDIOLOGIST, DOCTOR, fhirClient, findCroatian, MARIJA_MBO, type FhirTestClient, type JourneyServer, withJourneyServer } from '../journey/harness.js';

const SUBSETTED = expect.objectContaining({ code: 'SUBSETTED' });

let server: JourneyServer;
let doctor: FhirTestClient;
let cardiologist: FhirTestClient;
let client: Client;
let marija: fhir4.Patient;
let consentId: string;

withJourneyServer(async (started, doctorClient) => {
  server = started;
  doctor = doctorClient;
  cardiologist = fhirClient(server.fhir, await server.token(CARDIOLOGIST));
  client = new Client({ baseUrl: server.fhir, bearerToken: await server.token(DOCTOR) });
  marija = await findCroatian(doctor, MARIJA_MBO);
  const created = await doctor.post('/Consent', consentBody(server.url, marija.id!, DOCTOR));
  expect(created.status).toBe(201);
  consentId = created.body.id;
});

const local = (fullUrl: string) => fullUrl.slice(server.fhir.length);

describe('every reference resolves', () => {
  test('each type a search or a Bundle returns has a read in the CapabilityStatement', async () => {
    const cs = (await doctor.get('/metadata')).body as fhir4.CapabilityStatement;
    const resources = cs.rest![0].resource!;
    const unreadable = resources.filter((r) => r.interaction?.some((i) => i.code === 'search-type') && !r.interaction.some((i) => i.code === 'read'));
    expect(unreadable.map((r) => r.type)).toEqual([]);
    const codes = (type: string) => resources.find((r) => r.type === type)!.interaction!.map((i) => i.code).sort();
    expect(codes('AuditEvent')).toEqual(['read', 'search-type', 'vread']);
    expect(codes('Questionnaire')).toEqual(['read', 'search-type']);
  });

  test('AuditEvent/{id}: your own event as the search lists it, audited as audit-read; version 1 only', async () => {
    const search = await doctor.get(`/AuditEvent?patient=Patient/${marija.id}`);
    const entry = (search.body as fhir4.Bundle).entry![0];
    const read = await doctor.get(local(entry.fullUrl!));
    expect(read.status).toBe(200);
    expect(read.body).toEqual(entry.resource);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.headers.get('last-modified')).toBe(new Date((entry.resource as fhir4.AuditEvent).recorded).toUTCString());
    const [event] = await auditTrail(doctor);
    expect(event).toMatchObject({ interaction: 'audit-read', outcome: '0', patient: `Patient/${marija.id}` });

    expect((await doctor.get(`${local(entry.fullUrl!)}/_history/1`)).body).toEqual(entry.resource);
    expect((await doctor.get(`${local(entry.fullUrl!)}/_history/2`)).status).toBe(404);
  });

  test('AuditEvent/{id} of another professional, or unknown: 404, audited as a failed audit-read of the caller', async () => {
    const [entry] = (await doctor.get('/AuditEvent')).body.entry as fhir4.BundleEntry[];
    const foreign = await cardiologist.get(local(entry.fullUrl!));
    expect(foreign.status).toBe(404);
    expect(foreign.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(foreign.body)).not.toContain(DOCTOR);
    const [event] = await auditTrail(cardiologist);
    expect(event).toMatchObject({ interaction: 'audit-read', outcome: '4', detail: 'client-error: http-404' });
    expect((await doctor.get('/AuditEvent/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await fetch(`${entry.fullUrl}`)).status).toBe(401);
  });

  test('Questionnaire/{id}: the search mask as the search lists it; 404 for another id; a professional only', async () => {
    const [entry] = (await doctor.get('/Questionnaire?jurisdiction=HR')).body.entry as fhir4.BundleEntry[];
    const read = await doctor.get(local(entry.fullUrl!));
    expect(read.status).toBe(200);
    expect(read.body).toEqual(entry.resource);
    expect(read.headers.get('etag')).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    expect((await doctor.get('/Questionnaire/search-mask-xx')).status).toBe(404);
    expect((await fetch(entry.fullUrl!)).status).toBe(401);
  });

  test('fhir-kit-client resolve(): every entry of an AuditEvent and a DocumentReference searchset, and what they point to', async () => {
    const documents = await client.search({ resourceType: 'DocumentReference', searchParams: { patient: `Patient/${marija.id}` } }) as unknown as fhir4.Bundle;
    const audit = await client.search({ resourceType: 'AuditEvent', searchParams: { patient: `Patient/${marija.id}` } }) as unknown as fhir4.Bundle;
    expect(documents.entry!.length).toBeGreaterThan(1);
    expect(audit.entry!.length).toBeGreaterThan(1);
    const references = new Set<string>();
    for (const entry of [...documents.entry!, ...audit.entry!].filter((e) => e.search?.mode !== 'outcome')) {
      const resolved = await client.resolve({ reference: entry.fullUrl! });
      expect(resolved).toEqual(entry.resource);
      const resource = entry.resource as Partial<Pick<fhir4.DocumentReference, 'subject' | 'relatesTo'> & Pick<fhir4.AuditEvent, 'entity'>>;
      if (resource.subject?.reference) references.add(resource.subject.reference);
      for (const r of resource.relatesTo ?? []) references.add(r.target.reference!);
      for (const e of resource.entity ?? []) if (e.what?.reference) references.add(e.what.reference);
    }
    expect([...references].some((r) => r.startsWith('DocumentReference/'))).toBe(true);
    for (const reference of references) {
      const resolved = await client.resolve({ reference }) as unknown as fhir4.Resource;
      expect(`${resolved.resourceType}/${resolved.id}`).toBe(reference);
    }
  });
});

describe('conditional reads', () => {
  test('Patient/{id}: ETag (hash of the content) and Last-Modified; If-None-Match → 304 without a body, audited as a success', async () => {
    const first = await doctor.get(`/Patient/${marija.id}`);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    expect(lastModified).toBe(new Date(first.body.meta.lastUpdated).toUTCString());
    expect((await doctor.get(`/Patient/${marija.id}`)).headers.get('etag')).toBe(etag);

    const notModified = await doctor.get(`/Patient/${marija.id}`, { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.raw.length).toBe(0);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('last-modified')).toBe(lastModified);
    const [event] = await auditTrail(doctor);
    expect(event).toMatchObject({ interaction: 'patient-read', outcome: '0', patient: `Patient/${marija.id}` });
    expect(event.detail).toBeUndefined();

    // Strong or weak, in a list, or *: a match; another tag: the content.
    expect((await doctor.get(`/Patient/${marija.id}`, { 'If-None-Match': `"x", ${etag.slice(2)}` })).status).toBe(304);
    expect((await doctor.get(`/Patient/${marija.id}`, { 'If-None-Match': '*' })).status).toBe(304);
    const changed = await doctor.get(`/Patient/${marija.id}`, { 'If-None-Match': 'W/"other"' });
    expect(changed.status).toBe(200);
    expect(changed.body.id).toBe(marija.id);
    // The XML is another representation: another tag.
    expect((await doctor.get(`/Patient/${marija.id}?_format=xml`, { 'If-None-Match': etag })).status).toBe(200);
  });

  test('Patient/{id}: If-Modified-Since → 304 when not modified since, the content otherwise', async () => {
    const lastModified = (await doctor.get(`/Patient/${marija.id}`)).headers.get('last-modified')!;
    expect((await doctor.get(`/Patient/${marija.id}`, { 'If-Modified-Since': lastModified })).status).toBe(304);
    const before = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect((await doctor.get(`/Patient/${marija.id}`, { 'If-Modified-Since': before })).status).toBe(200);
    // If-None-Match wins over If-Modified-Since.
    expect((await doctor.get(`/Patient/${marija.id}`, { 'If-Modified-Since': lastModified, 'If-None-Match': 'W/"other"' })).status).toBe(200);
  });

  test('Consent/{id} and its version: ETag W/"1"; If-None-Match → 304, audited as a successful consent-read', async () => {
    const read = await doctor.get(`/Consent/${consentId}`);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.headers.get('last-modified')).toBeTruthy();
    for (const path of [`/Consent/${consentId}`, `/Consent/${consentId}/_history/1`]) {
      const res = await doctor.get(path, { 'If-None-Match': 'W/"1"' });
      expect([path, res.status, res.raw.length]).toEqual([path, 304, 0]);
      const [event] = await auditTrail(doctor);
      expect(event).toMatchObject({ interaction: 'consent-read', outcome: '0', patient: `Patient/${marija.id}` });
    }
  });

  test('Binary/{id}: the document\'s own bytes have their ETag too; a current copy is not sent again, audited as a success', async () => {
    const pdf = await doctor.get(`/Binary/${marija.id}.L1`, { Accept: 'application/pdf' });
    expect(pdf.status).toBe(200);
    const etag = pdf.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    const again = await doctor.get(`/Binary/${marija.id}.L1`, { Accept: 'application/pdf', 'If-None-Match': etag });
    expect([again.status, again.raw.length]).toEqual([304, 0]);
    const [event] = await auditTrail(doctor);
    expect(event).toMatchObject({ outcome: '0', patient: `Patient/${marija.id}` });
    // As a FHIR Binary resource it is another representation.
    expect((await doctor.get(`/Binary/${marija.id}.L1`, { 'If-None-Match': etag })).status).toBe(200);
  });

  test('a foreign id stays a 404 whatever the validators', async () => {
    expect((await cardiologist.get(`/Consent/${consentId}`, { 'If-None-Match': '*' })).status).toBe(404);
  });

  test('searches and operations are not conditional: no ETag', async () => {
    expect((await doctor.get('/Questionnaire?jurisdiction=HR')).headers.get('etag')).toBeNull();
    expect((await doctor.get('/ValueSet/countries/$expand')).headers.get('etag')).toBeNull();
  });
});

describe('_summary=true', () => {
  test('on a read: the summary elements of R4, nested ones in backbone elements, tagged SUBSETTED', async () => {
    const full = (await doctor.get(`/Consent/${consentId}`)).body as fhir4.Consent;
    const res = await doctor.get(`/Consent/${consentId}?_summary=true`);
    expect(res.status).toBe(200);
    const summary = res.body as fhir4.Consent;
    expect(summary.meta!.tag).toEqual([SUBSETTED]);
    expect(summary.meta!.versionId).toBe(full.meta!.versionId);
    expect(summary).toMatchObject({ id: consentId, status: full.status, scope: full.scope, patient: full.patient, performer: full.performer });
    // Consent.policy is not a summary element; in verification only `verified` is.
    expect(summary.policy).toBeUndefined();
    expect(summary.verification).toEqual([{ verified: true }, { verified: true }]);
    expect(summary.provision!.purpose).toEqual(full.provision!.purpose);

    const xml = await doctor.get(`/Consent/${consentId}?_summary=true&_format=xml`);
    expect(xml.status).toBe(200);
    expect(xml.raw.toString('utf8')).toContain('<code value="SUBSETTED"/>');

    const patient = (await doctor.get(`/Patient/${marija.id}?_summary=true`)).body as fhir4.Patient;
    expect(patient).toMatchObject({ resourceType: 'Patient', id: marija.id, name: marija.name, birthDate: marija.birthDate });
    expect(patient.meta!.tag).toEqual([SUBSETTED]);
  });

  test('on a search: applied to each entry; _summary=count is the total only; _summary=true on an operation is refused', async () => {
    const full = (await doctor.get('/AuditEvent')).body as fhir4.Bundle;
    const res = await doctor.get('/AuditEvent?_summary=true');
    expect(res.status).toBe(200);
    const bundle = res.body as fhir4.Bundle;
    expect(bundle.entry!.length).toBeGreaterThan(1);
    for (const entry of bundle.entry!) {
      const event = entry.resource as fhir4.AuditEvent;
      expect(event.meta!.tag).toEqual([SUBSETTED]);
      expect(event.agent.every((a) => a.type === undefined && a.requestor !== undefined)).toBe(true);
      expect(event.source.site).toBeUndefined();
      expect(event.source.observer).toBeDefined();
    }
    // Newest first: this search's own record is not in it yet, the previous one's is.
    expect(bundle.entry!.map((e) => e.fullUrl)).toContain(full.entry![0].fullUrl);

    const count = await doctor.get('/AuditEvent?_summary=count');
    expect(count.body.entry).toBeUndefined();
    expect(typeof count.body.total).toBe('number');
    const refused = await doctor.get('/ValueSet/countries/$expand?_summary=true');
    expect(refused.status).toBe(400);
    expect(refused.body.issue[0].expression).toEqual(['_summary']);
  });

  test('_summary=text, data and false are as before', async () => {
    const text = (await doctor.get(`/Patient/${marija.id}?_summary=text`)).body;
    expect(text.id).toBe(marija.id);
    expect(text.name).toBeUndefined();
    const data = (await doctor.get(`/Consent/${consentId}?_summary=data`)).body;
    expect(data.policy).toBeDefined();
    expect(data.meta.tag).toEqual([SUBSETTED]);
    const plain = (await doctor.get(`/Consent/${consentId}?_summary=false`)).body;
    expect(plain.meta.tag).toBeUndefined();
  });
});

describe('$expand by POST', () => {
  const countries = JOURNEY_CANONICALS.countriesValueSet;
  const codes = (vs: fhir4.ValueSet) => vs.expansion!.contains!.map((c) => c.code);

  test('POST ValueSet/countries/$expand with no body, an empty Parameters, or as GET: the same expansion', async () => {
    const byGet = (await doctor.get('/ValueSet/countries/$expand')).body as fhir4.ValueSet;
    for (const body of [undefined, { resourceType: 'Parameters' }]) {
      const res = await doctor.post('/ValueSet/countries/$expand', body);
      expect(res.status).toBe(200);
      expect(codes(res.body)).toEqual(codes(byGet));
    }
  });

  test('POST ValueSet/$expand with a Parameters body: url, filter, displayLanguage, count', async () => {
    const byUrl = await doctor.post('/ValueSet/$expand', { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: countries }] });
    expect(byUrl.status).toBe(200);
    expect(codes(byUrl.body)).toContain('HR');
    const filtered = await doctor.post('/ValueSet/$expand', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUri: 'https://ehdsi-fhir-facade.org/fhir/ValueSet/fr-snomed-ct' }, { name: 'filter', valueString: 'asthm' },
        { name: 'displayLanguage', valueCode: 'fr-FR' }, { name: 'count', valueInteger: 5 },
      ],
    });
    expect(filtered.status).toBe(200);
    expect(filtered.body.expansion.parameter).toEqual(expect.arrayContaining([{ name: 'filter', valueString: 'asthm' }]));
    expect(filtered.body.expansion.contains.length).toBeGreaterThan(0);
    expect(filtered.body.expansion.contains.length).toBeLessThanOrEqual(5);
    const inline = await doctor.post('/ValueSet/$expand', { resourceType: 'Parameters', parameter: [{ name: 'valueSet', resource: byUrl.body }] });
    expect([inline.status, inline.body.issue[0].code]).toEqual([400, 'not-supported']);
  });

  test('fhir-kit-client operation(): $expand at the instance and the type level, POST by default', async () => {
    const instance = await client.operation({ name: '$expand', resourceType: 'ValueSet', id: 'countries' }) as unknown as fhir4.ValueSet;
    expect(codes(instance)).toContain('HR');
    const type = await client.operation({
      name: 'expand', resourceType: 'ValueSet', input: { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: countries }] },
    }) as unknown as fhir4.ValueSet;
    expect(codes(type)).toEqual(codes(instance));
    const lookup = await client.operation({
      name: '$lookup', resourceType: 'CodeSystem', input: { resourceType: 'Parameters', parameter: [{ name: 'coding', valueCoding: { system: 'http://snomed.info/sct', code: '195967001' } }] },
    }) as unknown as fhir4.Parameters;
    expect(lookup.parameter!.some((p) => p.name === 'display')).toBe(true);
    const summary = await client.operation({ name: '$summary', resourceType: 'Patient', id: marija.id }) as unknown as fhir4.Bundle;
    expect(summary).toMatchObject({ resourceType: 'Bundle', type: 'document' });
  });
});
