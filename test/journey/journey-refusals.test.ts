/**
 * The journey's refusals and edge cases over real HTTP: a trait that breaks
 * the mask, an unknown patient, a patient without summary, $summary without
 * consent and with an expired one, another professional trying every id;
 * each leaves its audit record.
 */
import { consentBody } from './consent-body.js';
import {
  auditTrail, CARDIOLOGIST, DOCTOR, fhirClient, findCroatian, HR_DOMAIN, MARIJA_MBO, NO_SUMMARY_MBO, soapCalls, startJourneyServer,
  type FhirTestClient, type JourneyServer, withJourneyServer } from './harness.js';

let server: JourneyServer;
let doctor: FhirTestClient;
let cardiologist: FhirTestClient;

withJourneyServer(async (started, client) => {
  server = started;
  doctor = client;
  cardiologist = fhirClient(server.fhir, await server.token(CARDIOLOGIST));
});

beforeEach(() => server.sim.faults.reset());

const issue = (body: fhir4.OperationOutcome) => body.issue[0];

test('a trait that breaks the mask: 400 naming the trait, nothing sent, audited', async () => {
  const before = soapCalls(server);
  const res = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|15760185X`)}&address-country=HR`);
  expect(res.status).toBe(400);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(issue(res.body).expression).toEqual(['identifier']);
  expect(issue(res.body).diagnostics).toContain("Numéro d'assuré (MBO)");
  expect(issue(res.body).diagnostics).toContain(`urn:oid:${HR_DOMAIN}`);
  const tooLong = await doctor.post('/Patient/$match', {
    resourceType: 'Parameters',
    parameter: [{ name: 'resource', resource: { resourceType: 'Patient', identifier: [{ system: `urn:oid:${HR_DOMAIN}`, value: '1576018530' }], address: [{ country: 'HR' }] } }],
  });
  expect(tooLong.status).toBe(400);
  expect(issue(tooLong.body).expression).toEqual(['Patient.identifier']);
  const missing = await doctor.get('/Patient?address-country=HR&family=BOŽIČEVIĆ');
  expect(missing.status).toBe(400);
  expect(issue(missing.body).code).toBe('required');
  const unknownCountry = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}&address-country=XX`);
  expect(unknownCountry.status).toBe(400);
  expect(issue(unknownCountry.body).expression).toEqual(['address-country']);
  expect(soapCalls(server)).toBe(before);
  const trail = await auditTrail(doctor);
  expect(trail.slice(0, 4).map((e) => [e.interaction, e.outcome, e.detail])).toEqual([
    ['search-patient', '4', 'client-error: http-400'],
    ['search-patient', '4', 'client-error: http-400'],
    ['match-patient', '4', 'client-error: http-400'],
    ['search-patient', '4', 'client-error: http-400'],
  ]);
  expect(trail[3].country).toBe('HR');
});

test('an unknown patient: an empty searchset with an informational OperationOutcome, audited', async () => {
  const res = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|999999999`)}&address-country=HR`);
  expect(res.status).toBe(200);
  expect(res.body.total).toBe(0);
  expect(res.body.entry).toHaveLength(1);
  expect(res.body.entry[0].search.mode).toBe('outcome');
  expect(issue(res.body.entry[0].resource)).toMatchObject({ severity: 'information', code: 'not-found' });
  const match = await doctor.post('/Patient/$match', {
    resourceType: 'Parameters',
    parameter: [{ name: 'resource', resource: { resourceType: 'Patient', identifier: [{ system: `urn:oid:${HR_DOMAIN}`, value: '999999999' }], address: [{ country: 'HR' }] } }],
  });
  expect(match.status).toBe(200);
  expect(match.body.total).toBe(0);
  const [last, first] = await auditTrail(doctor);
  expect([first.interaction, first.outcome, first.transaction, first.country]).toEqual(['search-patient', '0', 'ITI-55', 'HR']);
  expect(first.patient).toBeUndefined();
  expect([last.interaction, last.outcome, last.transaction]).toEqual(['match-patient', '0', 'ITI-55']);
});

test('a patient with no summary: 404 with the eHDSI 1102 answer, an empty DocumentReference search, audited', async () => {
  const ivana = await findCroatian(doctor, NO_SUMMARY_MBO);
  expect((await doctor.post('/Consent', consentBody(server.url, ivana.id!, DOCTOR))).status).toBe(201);
  const summary = await doctor.get(`/Patient/${ivana.id}/$summary`);
  expect(summary.status).toBe(404);
  expect(issue(summary.body).details!.coding![0].code).toBe('1102');
  expect(issue(summary.body).diagnostics).toContain('HR');
  const docs = await doctor.get(`/DocumentReference?patient=Patient/${ivana.id}`);
  expect(docs.status).toBe(200);
  expect(docs.body.total).toBe(0);
  expect(docs.body.entry[0].search.mode).toBe('outcome');
  const [docEvent, summaryEvent] = await auditTrail(doctor, `?patient=Patient/${ivana.id}`);
  expect([summaryEvent.interaction, summaryEvent.outcome, summaryEvent.transaction, summaryEvent.detail]).toEqual(['summary-read', '4', 'ITI-38', 'client-error: 1102']);
  expect([docEvent.interaction, docEvent.outcome]).toEqual(['document-search', '0']);
});

test('$summary, documents and originals without consent: 403 saying a consent is required, no SOAP call, audited as refused', async () => {
  const marija = await findCroatian(cardiologist, MARIJA_MBO);
  const before = soapCalls(server);
  const summary = await cardiologist.get(`/Patient/${marija.id}/$summary`);
  expect(summary.status).toBe(403);
  expect(issue(summary.body).code).toBe('forbidden');
  expect(issue(summary.body).diagnostics).toMatch(/consentement du patient est requis/);
  expect(issue(summary.body).details!.coding![0].code).toBe('consent-required');
  expect((await cardiologist.post(`/Patient/${marija.id}/$summary`)).status).toBe(403);
  expect((await cardiologist.get(`/DocumentReference?patient=Patient/${marija.id}`)).status).toBe(403);
  expect((await cardiologist.get(`/Binary/${marija.id}.L1`, { Accept: 'application/pdf' })).status).toBe(403);
  expect(soapCalls(server)).toBe(before);
  const trail = await auditTrail(cardiologist, `?patient=Patient/${marija.id}`);
  expect(trail.slice(0, 4).map((e) => [e.interaction, e.outcome, e.detail, e.country])).toEqual([
    ['document-read', '4', 'refused: consent-required', 'HR'],
    ['document-search', '4', 'refused: consent-required', 'HR'],
    ['summary-read', '4', 'refused: consent-required', 'HR'],
    ['summary-read', '4', 'refused: consent-required', 'HR'],
  ]);
});

test('a consent that is incomplete or contradictory: 400/422 naming the element', async () => {
  const marija = await findCroatian(doctor, MARIJA_MBO);
  const good = consentBody(server.url, marija.id!, DOCTOR);
  const without = { ...good, provision: undefined, verification: undefined };
  const missing = await doctor.post('/Consent', without);
  expect(missing.status).toBe(400);
  expect(missing.body.issue.map((i: fhir4.OperationOutcomeIssue) => i.expression![0])).toEqual(['Consent.provision.purpose', 'Consent.verification']);
  const cases: Array<[Partial<fhir4.Consent>, string]> = [
    [{ status: 'rejected' }, 'Consent.status'],
    [{ performer: [{ reference: `Practitioner/psc-${CARDIOLOGIST}` }] }, 'Consent.performer'],
    [{ policy: [{ uri: 'https://example.org/notice' }] }, 'Consent.policy.uri'],
    [{ provision: { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }, { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT' }] } }, 'Consent.provision.purpose'],
    [{ provision: { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HMARKT' }] } }, 'Consent.provision.purpose'],
    [{ verification: [{ ...good.verification![0], verified: false }, good.verification![1]] }, 'Consent.verification[0].verified'],
    [{ category: [{ coding: [{ system: 'http://loinc.org', code: '64292-6' }] }] }, 'Consent.category'],
  ];
  for (const [change, element] of cases) {
    const res = await doctor.post('/Consent', { ...good, ...change });
    expect([res.status, res.body.issue[0].expression[0]]).toEqual([422, element]);
  }
  const consents = await doctor.get(`/Consent?patient=Patient/${marija.id}`);
  expect(consents.body.total).toBe(0);
});

test('an expired consent: 403 without SOAP call, reads back inactive; a new one can be recorded', async () => {
  const short = await startJourneyServer({ trcAssertionMinutes: 0.05 });
  try {
    const client = fhirClient(short.fhir, await short.token(DOCTOR));
    const marija = await findCroatian(client, MARIJA_MBO);
    const first = await client.post('/Consent', consentBody(short.url, marija.id!, DOCTOR));
    expect(first.status).toBe(201);
    expect(Date.parse(first.body.provision.period.end) - Date.now()).toBeLessThanOrEqual(3000);
    const cached = await client.get(`/Consent/${first.body.id}`);
    expect([cached.status, cached.headers.get('etag')]).toEqual([200, 'W/"1"']);
    await new Promise((resolve) => setTimeout(resolve, 3200));
    const before = soapCalls(short);
    const expired = await client.get(`/Patient/${marija.id}/$summary`);
    expect(expired.status).toBe(403);
    expect(issue(expired.body).details!.coding![0].code).toBe('consent-expired');
    expect(issue(expired.body).diagnostics).toMatch(/a expiré/);
    expect(soapCalls(short)).toBe(before);
    expect((await client.get(`/Consent/${first.body.id}`)).body.status).toBe('inactive');
    // Expiry is a new version: a copy cached while the consent was active is not current any more.
    const revalidated = await client.get(`/Consent/${first.body.id}`, { 'If-None-Match': cached.headers.get('etag')!, 'If-Modified-Since': cached.headers.get('last-modified')! });
    expect([revalidated.status, revalidated.body.status, revalidated.headers.get('etag')]).toEqual([200, 'inactive', 'W/"2"']);
    expect((await client.get(`/Consent/${first.body.id}`, { 'If-None-Match': 'W/"2"' })).status).toBe(304);
    expect((await client.get(`/Consent/${first.body.id}/_history/1`)).body).toMatchObject({ status: 'active', meta: { versionId: '1' } });
    expect((await client.get(`/Consent/${first.body.id}/_history/2`)).body).toMatchObject({ status: 'inactive', meta: { versionId: '2' } });
    expect((await client.get(`/Consent/${first.body.id}/_history/3`)).status).toBe(404);
    const second = await client.post('/Consent', consentBody(short.url, marija.id!, DOCTOR));
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect((await client.get(`/Patient/${marija.id}/$summary`)).status).toBe(200);
    const trail = await auditTrail(client, `?patient=Patient/${marija.id}`);
    expect(trail.map((e) => [e.interaction, e.outcome, e.detail])).toEqual(expect.arrayContaining([
      ['summary-read', '4', 'refused: consent-expired'],
      ['summary-read', '0', undefined],
    ]));
  } finally {
    await short.close();
  }
});

test('another professional cannot read, search or guess the doctor\'s patients, consents, documents or audit events', async () => {
  const marija = await findCroatian(doctor, MARIJA_MBO);
  const consent = await doctor.post('/Consent', consentBody(server.url, marija.id!, DOCTOR));
  expect(consent.status).toBe(201);
  expect((await doctor.get(`/Patient/${marija.id}/$summary`)).status).toBe(200);
  const docs = await doctor.get(`/DocumentReference?patient=Patient/${marija.id}`);
  const binaryIds: string[] = docs.body.entry.map((e: fhir4.BundleEntry) => (e.resource as fhir4.DocumentReference).content[0].attachment.url!.split('/').pop());
  // The summary's four documents and her eight original clinical documents (fixtures/patients/hr-marija-bozicevic).
  expect(binaryIds).toHaveLength(4 + 8);

  const stranger = fhirClient(server.fhir, await server.token('899700301164'));
  const before = soapCalls(server);
  const attempts = [
    await stranger.get(`/Patient/${marija.id}`),
    await stranger.get(`/Patient/${marija.id}/$summary`),
    await stranger.post(`/Patient/${marija.id}/$summary`),
    await stranger.get(`/Consent/${consent.body.id}`),
    await stranger.get(`/DocumentReference?patient=Patient/${marija.id}`),
    ...await Promise.all(binaryIds.map((id) => stranger.get(`/Binary/${id}`, { Accept: '*/*' }))),
  ];
  for (const res of attempts) {
    expect(res.status).toBe(404);
    expect(res.raw.toString('utf8')).not.toMatch(/BOŽIČEVIĆ|MARIJA|157601853|%PDF/);
  }
  const foreignConsent = await stranger.post('/Consent', consentBody(server.url, marija.id!, '899700301164'));
  expect(foreignConsent.status).toBe(422);
  expect(foreignConsent.body.issue[0].expression).toEqual(['Consent.patient']);
  const lists = [
    await stranger.get(`/Consent?patient=Patient/${marija.id}`),
    await stranger.get('/Consent'),
    await stranger.get(`/AuditEvent?patient=Patient/${marija.id}&agent=Practitioner/psc-${DOCTOR}`),
    await stranger.get(`/AuditEvent?agent=urn:oid:1.2.250.1.71.4.2.1|${DOCTOR}`),
  ];
  for (const res of lists) {
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(0);
    expect(res.raw.toString('utf8')).not.toContain(consent.body.id);
  }
  expect(soapCalls(server)).toBe(before);
  // The stranger's own trail records each refused attempt; the doctor's trail does not show them.
  const theirs = await auditTrail(stranger, `?patient=Patient/${marija.id}`);
  expect(theirs.filter((e) => e.outcome === '4').map((e) => e.interaction).sort()).toEqual(
    ['consent-create', ...binaryIds.map(() => 'document-read'), 'document-search', 'patient-read', 'summary-read', 'summary-read'].sort(),
  );
  const doctors = await auditTrail(doctor, `?patient=Patient/${marija.id}`);
  expect(doctors.every((e) => e.outcome === '0' || e.detail !== undefined)).toBe(true);
  expect((await doctor.get(`/AuditEvent?agent=Practitioner/psc-899700301164`)).body.total).toBe(0);
});

test('AuditEvent search by date and agent; a malformed date is a 400 naming the parameter', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const all = (await doctor.get('/AuditEvent')).body.total;
  expect(all).toBeGreaterThan(0);
  expect((await doctor.get(`/AuditEvent?date=${today}`)).body.total).toBe(all + 1);
  expect((await doctor.get('/AuditEvent?date=lt2000-01-01')).body.total).toBe(0);
  const own = await doctor.get(`/AuditEvent?agent=${encodeURIComponent(`urn:oid:1.2.250.1.71.4.2.1|${DOCTOR}`)}&_count=2`);
  expect(own.body.entry).toHaveLength(2);
  expect(own.body.total).toBe(all + 3);
  const bad = await doctor.get('/AuditEvent?date=yesterday');
  expect(bad.status).toBe(400);
  expect(bad.body.issue[0].expression).toEqual(['date']);
});
