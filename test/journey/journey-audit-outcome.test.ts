/**
 * Issue 12, item 2: every search and operation checks its parameters before
 * anything is sent to a country, and the audit outcome of a call is the
 * outcome of its HTTP answer (2xx → 0, 4xx → 4, 502/504 → 8, other 5xx → 12),
 * whatever failed and when.
 */
import { consentBody } from './consent-body.js';
import {
  auditTrail, DOCTOR, findCroatian, HR_DOMAIN, MARIJA_MBO, MARIJA_QUERY, soapCalls, type FhirTestClient, type JourneyServer, withJourneyServer } from './harness.js';

let server: JourneyServer;
let doctor: FhirTestClient;

withJourneyServer(async (started, client) => {
  server = started;
  doctor = client;
});

const marija = MARIJA_QUERY;

test('a Patient search refused for an unknown _summary value reaches no country and is audited as a minor failure (4), not a success', async () => {
  const before = soapCalls(server);
  const res = await doctor.get(`/Patient?${marija}&_summary=maybe`);
  expect(res.status).toBe(400);
  expect(res.body.issue[0].expression).toEqual(['_summary']);
  expect(soapCalls(server)).toBe(before);
  const [event] = await auditTrail(doctor);
  expect(event).toMatchObject({ interaction: 'search-patient', outcome: '4', detail: 'client-error: http-400' });
});

test.each([
  ['_elements that names no element', '_elements=%2C'],
  ['_elements with a path', '_elements=name.family'],
  ['_summary given twice', '_summary=count&_summary=data'],
  ['_count that is not a number', '_count=ten'],
  ['_pretty that is not a boolean', '_pretty=yes'],
  ['a modifier the parameter does not take', `identifier%3Aof-type=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}`],
])('a Patient search with %s: 400 before any XCPD call, audited 4', async (_what, extra) => {
  const before = soapCalls(server);
  const res = await doctor.get(`/Patient?${marija}&${extra}`);
  expect(res.status).toBe(400);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(soapCalls(server)).toBe(before);
  const [event] = await auditTrail(doctor);
  expect(event).toMatchObject({ interaction: 'search-patient', outcome: '4', detail: 'client-error: http-400' });
});

test('an unknown _format: 406 before the token is even looked at, nothing sent, audited 4 for the professional', async () => {
  const before = soapCalls(server);
  const res = await doctor.get(`/Patient?${marija}&_format=text/csv`);
  expect(res.status).toBe(406);
  expect(soapCalls(server)).toBe(before);
  const [event] = await auditTrail(doctor);
  expect(event).toMatchObject({ interaction: 'search-patient', outcome: '4', detail: 'client-error: http-406' });
});

test('unknown search parameters are ignored as FHIR says (lenient), refused under Prefer: handling=strict before XCPD', async () => {
  let before = soapCalls(server);
  const strict = await doctor.get(`/Patient?${marija}&colour=blue`, { Prefer: 'handling=strict' });
  expect(strict.status).toBe(400);
  expect(soapCalls(server)).toBe(before);
  before = soapCalls(server);
  const lenient = await doctor.get(`/Patient?${marija}&colour=blue&_summary=count`);
  expect(lenient.status).toBe(200);
  expect(lenient.body.total).toBe(1);
  expect(soapCalls(server)).toBe(before + 1);
  const [event] = await auditTrail(doctor);
  expect(event).toMatchObject({ interaction: 'search-patient', outcome: '0', transaction: 'ITI-55' });
});

test('$summary with a parameter it does not define: 400 before any XCA call, audited 4 with the patient', async () => {
  const patient = await findCroatian(doctor, MARIJA_MBO);
  expect((await doctor.post('/Consent', consentBody(server.url, patient.id!, DOCTOR))).status).toBe(201);
  const before = soapCalls(server);
  for (const query of ['identifier=x', '_summary=true']) {
    const res = await doctor.get(`/Patient/${patient.id}/$summary?${query}`);
    expect(res.status).toBe(400);
    const [event] = await auditTrail(doctor);
    expect(event).toMatchObject({ interaction: 'summary-read', outcome: '4', detail: 'client-error: http-400', patient: `Patient/${patient.id}` });
  }
  expect(soapCalls(server)).toBe(before);
  const ok = await doctor.get(`/Patient/${patient.id}/$summary?_elements=type,entry`);
  expect(ok.status).toBe(200);
  expect(soapCalls(server)).toBeGreaterThan(before);
  const [event] = await auditTrail(doctor);
  expect(event).toMatchObject({ interaction: 'summary-read', outcome: '0', patient: `Patient/${patient.id}` });
});
