/**
 * Done-when of the journey: over real HTTP against the running server, the
 * eHDSI simulator and the PSC stand-in, MARIJA BOŽIČEVIĆ (Croatia, 157601853):
 * country list → mask → search → consent → $summary in French →
 * DocumentReference → the PDF bytes; then her AuditEvents.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { consentBody } from './consent-body.js';
import { DOCTOR, fhirClient, startJourneyServer, type FhirTestClient, type JourneyServer } from './harness.js';

const HR_DOMAIN = '2.16.17.710.840.1000.990.1';

let server: JourneyServer;
let doctor: FhirTestClient;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { logLines.push(chunk.toString('utf8')); cb(); } });
  server = await startJourneyServer({ logger: pino({ level: 'debug' }, sink) });
  doctor = fhirClient(server.fhir, await server.token(DOCTOR));
});

afterAll(async () => {
  await server?.close();
});

test('the journey of MARIJA BOŽIČEVIĆ, Croatia, 157601853', async () => {
  // 1. Countries.
  const countries = await doctor.get('/ValueSet/countries/$expand');
  expect(countries.status).toBe(200);
  const croatia = countries.body.expansion.contains.find((c: fhir4.ValueSetExpansionContains) => c.code === 'HR');
  expect(croatia).toEqual({ system: 'urn:iso:std:iso:3166', code: 'HR', display: 'Croatie' });

  // 2. The Croatian search mask.
  const masks = await doctor.get('/Questionnaire?jurisdiction=HR');
  expect(masks.status).toBe(200);
  expect(masks.body.total).toBe(1);
  const mask = masks.body.entry[0].resource as fhir4.Questionnaire;
  expect(mask.item).toHaveLength(1);
  const trait = mask.item![0];
  expect(trait.code![0]).toMatchObject({ system: 'urn:ietf:rfc:3986', code: `urn:oid:${HR_DOMAIN}` });
  expect(trait.required).toBe(true);
  const regex = trait.extension!.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/regex')!.valueString!;
  expect(new RegExp(regex).test('157601853')).toBe(true);

  // 3. Search.
  const search = await doctor.get(`/Patient?identifier=${encodeURIComponent(`${trait.code![0].code}|157601853`)}&address-country=HR`);
  expect(search.status).toBe(200);
  expect(search.body.type).toBe('searchset');
  expect(search.body.total).toBe(1);
  const marija = search.body.entry[0].resource as fhir4.Patient;
  expect(marija.name![0]).toMatchObject({ family: 'BOŽIČEVIĆ', given: ['MARIJA'] });
  expect(marija.gender).toBe('female');
  expect(marija.birthDate).toBe('1985-03-19');
  expect(marija.identifier).toContainEqual(expect.objectContaining({ system: `urn:oid:${HR_DOMAIN}`, value: '157601853' }));
  expect(marija.address![0].country).toBe('HR');
  expect(marija.id).toMatch(/^[a-f0-9]{40}$/);
  const read = await doctor.get(`/Patient/${marija.id}`);
  expect(read.status).toBe(200);
  expect(read.body.identifier).toEqual(marija.identifier);

  // 4. Consent.
  const consent = await doctor.post('/Consent', consentBody(server.url, marija.id!, DOCTOR));
  expect(consent.status).toBe(201);
  expect(consent.headers.get('location')).toBe(`${server.fhir}/Consent/${consent.body.id}/_history/1`);
  const end = Date.parse(consent.body.provision.period.end);
  expect(Date.parse(consent.body.provision.period.start)).toBeLessThanOrEqual(Date.now());
  expect(end).toBeGreaterThan(Date.now() + 110 * 60_000);
  expect(end).toBeLessThanOrEqual(Date.now() + 120 * 60_000);
  expect((await doctor.get(`/Consent/${consent.body.id}`)).body.status).toBe('active');
  // The Location of the created Consent can be followed (vread of version 1).
  const located = await doctor.get(`/Consent/${consent.body.id}/_history/1`);
  expect(located.status).toBe(200);
  expect(located.body.id).toBe(consent.body.id);
  expect((await doctor.get(`/Consent/${consent.body.id}/_history/2`)).status).toBe(404);
  const mine = await doctor.get(`/Consent?patient=Patient/${marija.id}`);
  expect(mine.body.entry.map((e: fhir4.BundleEntry) => e.resource!.id)).toEqual([consent.body.id]);

  // 5. The summary in French.
  const summary = await doctor.get(`/Patient/${marija.id}/$summary`);
  expect(summary.status).toBe(200);
  expect(summary.body.resourceType).toBe('Bundle');
  expect(summary.body.type).toBe('document');
  const composition = summary.body.entry[0].resource as fhir4.Composition;
  expect(composition.resourceType).toBe('Composition');
  expect(summary.body.language).toBe('fr-FR');
  expect(composition.section!.map((sec) => sec.title)).toContain('Allergies et intolérances');
  expect(composition.language).toBe('fr-FR');
  expect(composition.extension).toContainEqual({ url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/translated-from', extension: [{ url: 'language', valueCode: 'hr-HR' }, { url: 'country', valueCode: 'HR' }] });
  const patientEntry = summary.body.entry.find((e: fhir4.BundleEntry) => e.resource!.resourceType === 'Patient') as fhir4.BundleEntry;
  const patientInSummary = patientEntry.resource as fhir4.Patient;
  expect(patientInSummary.name![0].family).toBe('BOŽIČEVIĆ');
  // The Bundle's Patient is the one the professional found: same id, URL, identifiers; the Composition points at it.
  expect(patientInSummary.id).toBe(marija.id);
  expect(patientEntry.fullUrl).toBe(`${server.fhir}/Patient/${marija.id}`);
  expect(patientInSummary.identifier).toEqual(expect.arrayContaining(marija.identifier!.map((i: fhir4.Identifier) => expect.objectContaining({ system: i.system, value: i.value }))));
  expect(composition.subject!.reference).toBe(patientEntry.fullUrl);
  expect(summary.body.entry.some((e: fhir4.BundleEntry) => e.resource!.resourceType === 'AllergyIntolerance')).toBe(true);

  // 6. The originals.
  const docs = await doctor.get(`/DocumentReference?patient=Patient/${marija.id}`);
  expect(docs.status).toBe(200);
  const refs = docs.body.entry.map((e: fhir4.BundleEntry) => e.resource as fhir4.DocumentReference);
  // The originals, then the French PDF and the translated CDA (an eHDSI pivot document too), then her original clinical documents.
  expect(refs.map((r: fhir4.DocumentReference) => r.content[0].format!.code)).toEqual([
    'urn:epSOS:ps:ps:2010', 'urn:ihe:iti:xds-sd:pdf:2008', 'urn:ihe:iti:xds:2017:mimeTypeSufficient', 'urn:epSOS:ps:ps:2010',
    ...Array(6).fill('urn:eHDSI:orcd:pdf:2021'), 'urn:eHDSI:orcd:png:2021', 'urn:eHDSI:orcd:jpeg:2021',
  ]);
  const pdfRef = refs.find((r: fhir4.DocumentReference) => r.content[0].format!.code === 'urn:ihe:iti:xds-sd:pdf:2008')!;
  expect(pdfRef.subject!.reference).toBe(`Patient/${marija.id}`);
  const pdf = await doctor.get(pdfRef.content[0].attachment.url!.slice(server.fhir.length), { Accept: 'application/pdf' });
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get('content-type')).toMatch(/^application\/pdf/);
  expect(pdf.raw.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(pdf.raw.byteLength).toBe(pdfRef.content[0].attachment.size);
  const l3Ref = refs[0];
  // Every DocumentReference of the search reads back at its fullUrl.
  for (const e of docs.body.entry as fhir4.BundleEntry[]) {
    const read = await doctor.get(e.fullUrl!.slice(server.fhir.length));
    expect(read.status).toBe(200);
    expect(read.body).toEqual(e.resource);
  }
  const cda = await doctor.get(l3Ref.content[0].attachment.url!.slice(server.fhir.length), { Accept: 'application/xml' });
  expect(cda.status).toBe(200);
  expect(cda.raw.toString('utf8')).toContain('ClinicalDocument');
  const asFhir = await doctor.get(pdfRef.content[0].attachment.url!.slice(server.fhir.length));
  expect(asFhir.body).toMatchObject({ resourceType: 'Binary', contentType: 'application/pdf' });
  expect(Buffer.from(asFhir.body.data, 'base64').equals(pdf.raw)).toBe(true);

  // 7. Her audit trail.
  const audit = await doctor.get(`/AuditEvent?patient=Patient/${marija.id}`);
  expect(audit.status).toBe(200);
  const events: fhir4.AuditEvent[] = audit.body.entry.map((e: fhir4.BundleEntry) => e.resource as fhir4.AuditEvent);
  const facade = (ev: fhir4.AuditEvent) => ev.subtype!.find((s) => s.system === 'urn:ehdsi-fhir-facade:audit-interaction')!.code;
  const transaction = (ev: fhir4.AuditEvent) => ev.subtype!.find((s) => s.system === 'urn:ihe:event-type-code')?.code;
  expect(events.map(facade).sort()).toEqual(expect.arrayContaining(['search-patient', 'patient-read', 'consent-create', 'consent-read', 'consent-search', 'summary-read', 'document-search', 'document-read']));
  const searchEvent = events.find((ev) => facade(ev) === 'search-patient')!;
  expect(transaction(searchEvent)).toBe('ITI-55');
  expect(searchEvent.outcome).toBe('0');
  expect(searchEvent.agent[0].who!.identifier!.value).toBe(DOCTOR);
  expect(searchEvent.entity!.find((e) => e.what?.reference)!.what!.reference).toBe(`Patient/${marija.id}`);
  expect(searchEvent.entity!.flatMap((e) => e.detail ?? [])).toContainEqual({ type: 'country', valueString: 'HR' });
  expect(events.filter((ev) => facade(ev) === 'summary-read').map(transaction)).toContain('ITI-39');
  // Each event's outcome is its HTTP answer's: the vread of a version that does not exist (404) is a minor failure.
  const failed = events.filter((ev) => ev.outcome !== '0');
  expect(failed.map((ev) => [facade(ev), ev.outcome, ev.outcomeDesc])).toEqual([['consent-read', '4', 'client-error: http-404']]);

  // The logs (debug level included) hold the journey's technical facts, none of her data.
  const logs = logLines.join('');
  expect(logs).toContain('/fhir/Patient/{id}/$summary');
  expect(logs).not.toMatch(/BOŽIČEVIĆ|BOZICEVIC|MARIJA|157601853|1985-03-19/i);
  expect(logs).not.toContain(marija.id);
});
