/**
 * Done-when of the French documents: for every fixture patient with a level 3
 * summary, the client lists four documents (original CDA, original PDF,
 * French PDF, translated CDA), downloads each (size and hash as listed); the
 * French PDF reads (with an independent PDF reader) with the French section
 * titles and the patient's allergies and treatments, the translated CDA
 * carries the French designation of every term the Bundle translated.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkTranslatedCda, disagreements } from '../../src/documents/translated-cda-check.js';
import { defaultCatalogue } from '../../src/terminology/catalogue.js';
import { projectPath } from '../../src/util/project.js';
import { pdfText } from '../helpers/pdf-text.js';
import { consentBody } from './consent-body.js';
import { DOCTOR, type FhirTestClient, type JourneyServer, withJourneyServer } from './harness.js';

const DIR = projectPath('fixtures', 'patients');
interface FixtureJson { country: string; identifiers: Array<{ root: string; extension: string }>; name: { family: string; given: string[] }; birthDate: string; documents?: { L3: string | null; L1: string | null } }
const fixtures = readdirSync(DIR)
  .filter((slug) => existsSync(path.join(DIR, slug, 'patient.json')))
  .map((slug) => ({ slug, json: JSON.parse(readFileSync(path.join(DIR, slug, 'patient.json'), 'utf8')) as FixtureJson }))
  .filter((f) => f.json.documents?.L3);

/** The patient summary's type (LOINC 60591-5), as a search value. */
const SUMMARY_TYPE = encodeURIComponent('http://loinc.org|60591-5');

let server: JourneyServer;
let doctor: FhirTestClient;

withJourneyServer(async (started, client) => {
  server = started;
  doctor = client;
});

async function consentedPatient(f: FixtureJson): Promise<string> {
  const identifiers = f.identifiers.map((id) => `identifier=${encodeURIComponent(`urn:oid:${id.root}|${id.extension}`)}`).join('&');
  const search = await doctor.get(`/Patient?${identifiers}&address-country=${f.country}&birthdate=${f.birthDate}`);
  if (search.status !== 200 || !search.body.entry?.[0]) throw new Error(`search ${f.country}: ${search.status} ${JSON.stringify(search.body).slice(0, 400)}`);
  const patientId = search.body.entry[0].resource.id as string;
  expect((await doctor.post('/Consent', consentBody(server.url, patientId, DOCTOR))).status).toBe(201);
  return patientId;
}

describe.each(fixtures)('$slug', ({ json }) => {
  test('lists the original CDA and PDF, the French PDF and the translated CDA, and serves each', async () => {
    const patientId = await consentedPatient(json);
    // The patient summary's documents only (type 60591-5): the original clinical documents are journey-original-documents.test.ts's.
    const docs = await doctor.get(`/DocumentReference?patient=Patient/${patientId}&type=${SUMMARY_TYPE}`);
    expect(docs.status).toBe(200);
    const refs = (docs.body.entry as fhir4.BundleEntry[]).map((e) => e.resource as fhir4.DocumentReference).filter((r) => r.resourceType === 'DocumentReference');
    const byKind = new Map(refs.map((r) => [r.content[0].attachment.url!.split('/').pop()!.split('.').pop()!, r]));
    const expected = json.documents?.L1 ? ['L1', 'L3', 'fr-L3', 'fr-PDF'] : ['L3', 'fr-L3', 'fr-PDF'];
    expect([...byKind.keys()].sort()).toEqual(expected);
    const original = byKind.get('L3')!;
    for (const kind of ['fr-L3', 'fr-PDF']) {
      const ref = byKind.get(kind)!;
      expect(ref.type!.coding![0].code).toBe('60591-5');
      expect(ref.content[0].attachment.language).toBe('fr-FR');
      expect(ref.relatesTo).toEqual([{ code: 'transforms', target: { reference: `DocumentReference/${original.id}` } }]);
    }
    expect(byKind.get('fr-PDF')!.content[0].attachment.contentType).toBe('application/pdf');
    expect(byKind.get('fr-L3')!.content[0].attachment.contentType).toBe('text/xml');

    const bytes = new Map<string, Buffer>();
    for (const [kind, ref] of byKind) {
      const a = ref.content[0].attachment;
      const res = await doctor.get(a.url!.slice(server.fhir.length), { Accept: kind.endsWith('PDF') || kind === 'L1' ? 'application/pdf' : a.contentType! });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(a.contentType!);
      expect(res.raw.byteLength).toBe(a.size);
      expect(createHash('sha1').update(res.raw).digest('base64')).toBe(a.hash);
      bytes.set(kind, res.raw);
    }

    const summary = (await doctor.get(`/Patient/${patientId}/$summary`)).body as fhir4.Bundle;
    const composition = summary.entry![0].resource as fhir4.Composition;
    const text = await pdfText(bytes.get('fr-PDF')!);
    const flat = text.replace(/\s+/g, ' ');
    for (const section of composition.section ?? []) expect(flat).toContain(section.title!.replace(/\s+/g, ' '));
    expect(flat).toContain(json.name.family);
    for (const e of summary.entry ?? []) {
      const r = e.resource!;
      const term = r.resourceType === 'AllergyIntolerance' ? (r as fhir4.AllergyIntolerance).code?.text
        : r.resourceType === 'MedicationStatement' ? (r as fhir4.MedicationStatement).medicationCodeableConcept?.text : undefined;
      if (term) expect(flat).toContain(term.replace(/\s+/g, ' '));
    }
    for (const m of summary.entry!.filter((e) => e.resource!.resourceType === 'Medication')) {
      const name = (m.resource as fhir4.Medication).code?.text;
      if (name) expect(flat).toContain(name.replace(/\s+/g, ' '));
    }

    // Every term of the CDA the Bundle translated has its French designation in the translated CDA, and the original's languageCode stays.
    const agreement = disagreements(bytes.get('L3')!, bytes.get('fr-L3')!, summary, defaultCatalogue(), 'fr-FR');
    expect(agreement.checked).toBeGreaterThan(0);
    expect(agreement.missing).toEqual([]);
    expect(checkTranslatedCda(bytes.get('L3')!, bytes.get('fr-L3')!).problems).toEqual([]);
    const lang = (cda: Buffer) => /<languageCode[^>]*code="([^"]+)"/.exec(cda.toString('utf8'))?.[1];
    expect(lang(bytes.get('fr-L3')!)).toBe(lang(bytes.get('L3')!));
  });
});

test('a document is refused (406) in a media type it does not have, before any eHDSI call; unknown kinds are 404', async () => {
  const f = fixtures.find((x) => x.slug === 'hr-marija-bozicevic')!;
  const patientId = await consentedPatient(f.json);
  const before = server.sim.faults.requests().length;
  // Refused before anything is asked of the country.
  expect((await doctor.get(`/Binary/${patientId}.fr-PDF`, { Accept: 'text/html' })).status).toBe(406);
  expect((await doctor.get(`/Binary/${patientId}.fr-L3`, { Accept: 'application/pdf' })).status).toBe(406);
  expect(server.sim.faults.requests().length).toBe(before);
  expect((await doctor.get(`/Binary/${patientId}.fr-PDF`, { Accept: 'application/xml' })).status).toBe(406);
  // A FHIR type gets the PDF as a FHIR Binary resource.
  const asXml = await doctor.get(`/Binary/${patientId}.fr-PDF`, { Accept: 'application/fhir+xml' });
  expect(asXml.status).toBe(200);
  expect(asXml.raw.toString('utf8')).toMatch(/^(<\?xml[^>]*>)?<Binary xmlns="http:\/\/hl7.org\/fhir"><contentType value="application\/pdf"\/>/);
  expect((await doctor.get(`/Binary/${patientId}.fr-L3-1`, { Accept: 'text/xml' })).status).toBe(404);
  expect((await doctor.get(`/Binary/${patientId}.fr-XML`, { Accept: 'text/xml' })).status).toBe(404);
  const asFhir = await doctor.get(`/Binary/${patientId}.fr-PDF`);
  expect(asFhir.body).toMatchObject({ resourceType: 'Binary', contentType: 'application/pdf' });
});

test('a browser\'s Accept gets the document, and concurrent first requests share one retrieval and one rendering', async () => {
  const f = fixtures.find((x) => x.slug === 'it-niccolo-rossi')!;
  const patientId = await consentedPatient(f.json);
  const before = server.sim.faults.requests().length;
  const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  const [a, b, c, list] = await Promise.all([
    doctor.get(`/Binary/${patientId}.fr-PDF`, { Accept: browser }),
    doctor.get(`/Binary/${patientId}.fr-PDF`, { Accept: 'text/xml, application/pdf;q=0.5' }),
    doctor.get(`/Binary/${patientId}.fr-PDF`, { Accept: 'application/pdf' }),
    doctor.get(`/DocumentReference?patient=Patient/${patientId}&type=${SUMMARY_TYPE}`),
  ]);
  for (const res of [a, b, c]) {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="${patientId}.fr-PDF.pdf"`);
  }
  expect(b.raw.equals(a.raw) && c.raw.equals(a.raw)).toBe(true);
  const ref = (list.body.entry as fhir4.BundleEntry[]).map((e) => e.resource as fhir4.DocumentReference).find((r) => r.id === `${patientId}.fr-PDF`)!;
  expect(createHash('sha1').update(a.raw).digest('base64')).toBe(ref.content[0].attachment.hash);
  // One query, one retrieve per original (L3 and L1): nothing asked twice of the country (and, for the summary's type, nothing of the original clinical documents).
  const calls = server.sim.faults.requests().slice(before).map((r) => r.transaction);
  expect(calls.sort()).toEqual(['xca-query', 'xca-retrieve', 'xca-retrieve']);
  const cda = await doctor.get(`/Binary/${patientId}.fr-L3`, { Accept: 'application/pdf, text/*;q=0.2' });
  expect(cda.status).toBe(200);
  expect(cda.headers.get('content-type')).toMatch(/^text\/xml/);
  // The trail says which document each read was.
  const audit = await doctor.get(`/AuditEvent?patient=Patient/${patientId}`);
  const read = (audit.body.entry as fhir4.BundleEntry[]).map((e) => e.resource as fhir4.AuditEvent)
    .flatMap((ev) => (ev.entity ?? []).map((x) => x.what?.reference)).filter((r) => r?.startsWith('DocumentReference/'));
  expect(read).toEqual(expect.arrayContaining([`DocumentReference/${patientId}.fr-PDF`, `DocumentReference/${patientId}.fr-L3`]));
  expect(read.every((r) => /\.(L1|L3|fr-L3|fr-PDF)$/.test(r!))).toBe(true);
});
