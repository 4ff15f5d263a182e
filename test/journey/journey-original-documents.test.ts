/**
 * Original clinical documents (OrCD) over MHD: MARIJA BOŽIČEVIĆ's laboratory,
 * discharge and imaging reports and medical images, listed by
 * DocumentReference?patient=…&type=… (only the kinds asked are asked of the
 * country), downloaded through Binary byte for byte as the fixtures carry
 * them, after the consent only; the search parameters, the 400s, 404s, the
 * integrity check (502 naming the country), the country's faults (502/504
 * like $summary) and the audit trail.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseXml, path as xmlPath, text } from '../../src/ehdsi/soap/xml.js';
import { originalDocumentId } from '../../src/journey/index.js';
import { projectPath } from '../../src/util/project.js';
import { consentBody } from './consent-body.js';
import {
  auditTrail, DOCTOR, fhirClient, findCroatian, MARIJA_MBO, soapCalls, startJourneyServer, withJourneyServer, type FhirTestClient, type JourneyServer,
} from './harness.js';

const MARIJA_DIR = projectPath('fixtures', 'patients', 'hr-marija-bozicevic');
interface OriginalJson { file: string; kind: 'laboratory' | 'discharge' | 'imaging-report' | 'image'; classCode: string; formatCode: string; id: { root: string; extension: string } }
const ORIGINALS = (JSON.parse(readFileSync(path.join(MARIJA_DIR, 'patient.json'), 'utf8')) as { originals: OriginalJson[] }).originals;
const LOINC = (code: string) => encodeURIComponent(`http://loinc.org|${code}`);
const MEDIA: Record<string, string> = { 'urn:eHDSI:orcd:pdf:2021': 'application/pdf', 'urn:eHDSI:orcd:png:2021': 'image/png', 'urn:eHDSI:orcd:jpeg:2021': 'image/jpeg' };
const FRENCH: Record<string, string> = {
  '11502-2': 'Compte rendu d’examens biologiques', '34105-7': 'Compte rendu d’hospitalisation', '18748-4': 'Compte rendu d’imagerie médicale', 'x-clinical-image': 'Image médicale',
};

/** The wrapper file of the fixture, and the file it carries. */
function fixture(o: OriginalJson): { cda: Buffer; content: Buffer } {
  const cda = readFileSync(path.join(MARIJA_DIR, o.file));
  return { cda, content: Buffer.from(text(xmlPath(parseXml(cda.toString('utf8')).documentElement, 'component', 'nonXMLBody', 'text')) ?? '', 'base64') };
}

let server: JourneyServer;
let doctor: FhirTestClient;
let marija: string;

withJourneyServer(async (started, client) => {
  server = started;
  doctor = client;
  marija = (await findCroatian(doctor, MARIJA_MBO)).id!;
});

beforeEach(() => server.sim.faults.reset());

const refsOf = (res: { body: fhir4.Bundle }) => (res.body.entry ?? []).map((e) => e.resource!).filter((r): r is fhir4.DocumentReference => r.resourceType === 'DocumentReference');
const outcomesOf = (res: { body: fhir4.Bundle }) => (res.body.entry ?? []).filter((e) => e.search?.mode === 'outcome').map((e) => (e.resource as fhir4.OperationOutcome).issue[0]);
const idOf = (o: OriginalJson) => originalDocumentId(marija, o.kind, `${o.id.root}^${o.id.extension}`);
const newConsent = async (patient = marija) => expect((await doctor.post('/Consent', consentBody(server.url, patient, DOCTOR))).status).toBe(201);
const transactions = (since: number) => server.sim.faults.requests().slice(since).map((r) => r.transaction);

test('before the consent: the same refusal as $summary, and nothing asked of the country', async () => {
  const cardiologist = fhirClient(server.fhir, await server.token('899700301115'));
  const hers = (await findCroatian(cardiologist, MARIJA_MBO)).id!;
  const before = soapCalls(server);
  const summary = await cardiologist.get(`/Patient/${hers}/$summary`);
  for (const res of [
    await cardiologist.get(`/DocumentReference?patient=Patient/${hers}&type=${LOINC('11502-2')}`),
    await cardiologist.get(`/Binary/${originalDocumentId(hers, 'laboratory', `${ORIGINALS[0].id.root}^${ORIGINALS[0].id.extension}`)}`, { Accept: 'application/pdf' }),
    await cardiologist.get(`/DocumentReference/${originalDocumentId(hers, 'image', `${ORIGINALS[6].id.root}^${ORIGINALS[6].id.extension}`)}`),
  ]) {
    expect(res.status).toBe(403);
    expect(res.body.issue[0]).toEqual(summary.body.issue[0]);
    expect(res.body.issue[0].details.coding[0].code).toBe('consent-required');
  }
  expect(soapCalls(server)).toBe(before);
});

test('lists each kind with type=, asking the country that kind only, and serves every PDF and image byte for byte', async () => {
  await newConsent();
  for (const kind of ['11502-2', '34105-7', '18748-4', 'x-clinical-image']) {
    const expected = ORIGINALS.filter((o) => o.classCode === kind);
    const since = server.sim.faults.requests().length;
    const res = await doctor.get(`/DocumentReference?patient=Patient/${marija}&type=${LOINC(kind)}`);
    expect(res.status).toBe(200);
    // One query of that kind: no patient summary, no other kind, nothing retrieved.
    expect(transactions(since)).toEqual(['xca-query']);
    const refs = refsOf(res);
    expect(refs.map((r) => r.id)).toEqual(expected.map(idOf));
    expect(res.body.total).toBe(expected.length);
    for (const [i, ref] of refs.entries()) {
      const o = expected[i];
      expect(ref).toMatchObject({
        status: 'current',
        subject: { reference: `Patient/${marija}` },
        type: { coding: [{ system: 'http://loinc.org', code: kind }], text: FRENCH[kind] },
        category: [{ coding: [{ system: 'http://loinc.org', code: kind }], text: FRENCH[kind] }],
        masterIdentifier: { system: `urn:oid:${o.id.root}`, value: o.id.extension },
      });
      expect(ref.author?.[0]?.display).toBeTruthy();
      expect(ref.context?.period?.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      const [file, wrapper] = ref.content;
      expect(file.attachment).toMatchObject({ contentType: MEDIA[o.formatCode], url: `${server.fhir}/Binary/${ref.id}`, language: 'hr-HR' });
      expect(file.format).toEqual({ system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3', code: o.formatCode });
      expect(wrapper.attachment.contentType).toBe('text/xml');

      const { cda, content } = fixture(o);
      const since2 = server.sim.faults.requests().length;
      const bytes = await doctor.get(`/Binary/${ref.id}`, { Accept: MEDIA[o.formatCode] });
      expect(bytes.status).toBe(200);
      expect(bytes.headers.get('content-type')).toMatch(new RegExp(`^${MEDIA[o.formatCode]}`));
      expect(bytes.headers.get('content-disposition')).toBe(`inline; filename="${ref.id}.${{ 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' }[MEDIA[o.formatCode]]}"`);
      expect(bytes.raw.equals(content)).toBe(true);
      expect(transactions(since2)).toEqual(['xca-retrieve']);
      // The CDA wrapper, as the country sent it: the size and SHA-1 the DocumentReference declares (the registry's).
      const xml = await doctor.get(`/Binary/${ref.id}`, { Accept: 'text/xml' });
      expect(xml.raw.equals(cda)).toBe(true);
      expect(xml.raw.length).toBe(wrapper.attachment.size);
      expect(createHash('sha1').update(xml.raw).digest('base64')).toBe(wrapper.attachment.hash);
      // Read twice, retrieved once (the cache of the consent).
      expect(transactions(since2)).toEqual(['xca-retrieve']);
      // Every DocumentReference of the search reads back.
      const read = await doctor.get(`/DocumentReference/${ref.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(ref);
    }
  }
});

test('Binary negotiates like today: a browser gets the file, a FHIR Accept a Binary resource, an image in another type is a 406', async () => {
  await newConsent();
  const png = ORIGINALS.find((o) => o.formatCode === 'urn:eHDSI:orcd:png:2021')!;
  const pdf = ORIGINALS[0];
  const browser = await doctor.get(`/Binary/${idOf(png)}`, { Accept: 'image/avif,image/webp,image/*,*/*;q=0.8' });
  expect([browser.status, browser.headers.get('content-type')]).toEqual([200, 'image/png']);
  expect(browser.raw.equals(fixture(png).content)).toBe(true);
  const resource = await doctor.get(`/Binary/${idOf(pdf)}`, { Accept: 'application/fhir+json' });
  expect(resource.body).toMatchObject({ resourceType: 'Binary', contentType: 'application/pdf' });
  expect(Buffer.from(resource.body.data, 'base64').equals(fixture(pdf).content)).toBe(true);
  expect((await doctor.get(`/Binary/${idOf(png)}`, { Accept: 'image/jpeg' })).status).toBe(406);
  const before = soapCalls(server);
  expect((await doctor.get(`/Binary/${idOf(pdf)}`, { Accept: 'image/png' })).status).toBe(406);
  // A report is never an image: refused before anything is asked of the country.
  expect(soapCalls(server)).toBe(before);
});

test('filters: category, several types, creation and period with prefixes, status; the patient summary is not asked for what it cannot match', async () => {
  await newConsent();
  const ids = async (query: string) => {
    const res = await doctor.get(`/DocumentReference?patient=Patient/${marija}&${query}`);
    expect(res.status).toBe(200);
    return refsOf(res).map((r) => r.id);
  };
  const of = (...files: string[]) => files.map((f) => idOf(ORIGINALS.find((o) => o.file === f)!));
  expect(await ids(`category=${LOINC('34105-7')}`)).toEqual(of('OrCD-3.xml', 'OrCD-4.xml'));
  expect(await ids(`type=${encodeURIComponent('urn:oid:2.16.840.1.113883.6.1|18748-4')},x-clinical-image`)).toEqual(of('OrCD-5.xml', 'OrCD-6.xml', 'OrCD-7.xml', 'OrCD-8.xml'));
  // type AND category: nothing can match both, nothing is asked.
  let since = server.sim.faults.requests().length;
  expect(await ids(`type=${LOINC('11502-2')}&category=${LOINC('34105-7')}`)).toEqual([]);
  expect(transactions(since)).toEqual([]);
  const originalsOnly = ['11502-2', '34105-7', '18748-4', 'x-clinical-image'].map(LOINC).join(',');
  expect(await ids(`type=${originalsOnly}&creation=ge2025-01-01`)).toEqual(of('OrCD-1.xml'));
  expect(await ids(`type=${originalsOnly}&creation=lt2020`)).toEqual(of('OrCD-4.xml', 'OrCD-6.xml', 'OrCD-8.xml'));
  expect(await ids(`type=${originalsOnly}&creation=ge2023-04-15&creation=le2023-04-18`)).toEqual(of('OrCD-3.xml', 'OrCD-5.xml', 'OrCD-7.xml'));
  expect(await ids(`type=${originalsOnly}&creation=eq2024-03,eq1999`)).toEqual(of('OrCD-2.xml', 'OrCD-4.xml'));
  // A period search leaves the patient summary out (its documents have no period of care): only the originals are asked.
  since = server.sim.faults.requests().length;
  await newConsent();
  expect(await ids('period=2023-04')).toEqual(of('OrCD-3.xml', 'OrCD-5.xml', 'OrCD-7.xml'));
  expect(transactions(since)).toEqual(['xca-query', 'xca-query', 'xca-query', 'xca-query']);
  expect(await ids('period=sa2025-09-01')).toEqual(of('OrCD-1.xml'));
  expect(await ids('period=eb2000-01-01')).toEqual(of('OrCD-4.xml'));
  // status=current is every document; another status none, asking nothing.
  const all = await ids('status=current');
  expect(all).toHaveLength(4 + ORIGINALS.length);
  since = server.sim.faults.requests().length;
  const superseded = await doctor.get(`/DocumentReference?patient=Patient/${marija}&status=superseded`);
  expect([superseded.status, superseded.body.total]).toEqual([200, 0]);
  expect(outcomesOf(superseded)[0].diagnostics).toMatch(/Aucun document ne correspond à cette recherche/);
  expect(transactions(since)).toEqual([]);
  // The summary's own documents by their type; their creation is the document's.
  expect(await ids(`type=${LOINC('60591-5')}&creation=eq2025-11-04`)).toEqual([`${marija}.L3`, `${marija}.L1`]);
});

test('filters carry over to the page links', async () => {
  await newConsent();
  const first = await doctor.get(`/DocumentReference?patient=Patient/${marija}&type=${LOINC('11502-2')}&_count=1`);
  expect([first.body.total, refsOf(first).length]).toEqual([2, 1]);
  const next = first.body.link.find((l: fhir4.BundleLink) => l.relation === 'next').url as string;
  const second = await doctor.get(next.slice(server.fhir.length));
  expect(refsOf(second).map((r) => r.id)).toEqual([idOf(ORIGINALS[1])]);
});

test.each([
  ['type of another system', `type=${encodeURIComponent('http://snomed.info/sct|371530004')}`, 'type'],
  ['a LOINC type the facade does not serve', `type=${LOINC('11488-4')}`, 'type'],
  ['a category it does not serve', 'category=18842-5', 'category'],
  ['a creation that is no date', 'creation=yesterday', 'creation'],
  ['an unknown date prefix', 'creation=ap2025-01-01', 'creation'],
  ['an impossible period', 'period=2025-13', 'period'],
  ['an unknown status', 'status=bogus', 'status'],
  ['a status of another system', `status=${encodeURIComponent('http://example.org|current')}`, 'status'],
])('%s is a 400 in French and English, before anything is asked', async (_what, query, param) => {
  await newConsent();
  const before = soapCalls(server);
  const res = await doctor.get(`/DocumentReference?patient=Patient/${marija}&${query}`);
  expect(res.status).toBe(400);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0]).toMatchObject({ severity: 'error', code: 'value', expression: [param], details: { text: expect.stringContaining(`Paramètre ${param}`) } });
  expect(res.body.issue[0].diagnostics).toMatch(/\(.+\)$/);
  expect(soapCalls(server)).toBe(before);
});

test('a modifier the CapabilityStatement does not name is a 400', async () => {
  expect((await doctor.get(`/DocumentReference?patient=Patient/${marija}&type:not=11502-2`)).status).toBe(400);
});

test('an unknown original is a 404, another professional\'s a 404 with nothing asked', async () => {
  await newConsent();
  for (const id of [`${marija}.lab-000000000000`, `${marija}.img-${'a'.repeat(12)}`]) {
    for (const what of ['Binary', 'DocumentReference']) {
      const res = await doctor.get(`/${what}/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.issue[0].diagnostics).toContain(`${what}/${id} n'est pas un document connu`);
    }
  }
  const stranger = fhirClient(server.fhir, await server.token('899700301164'));
  const before = soapCalls(server);
  for (const what of ['Binary', 'DocumentReference']) {
    const res = await stranger.get(`/${what}/${idOf(ORIGINALS[0])}`, { Accept: '*/*' });
    expect(res.status).toBe(404);
    expect(res.raw.toString('utf8')).not.toMatch(/%PDF|MARIJA/);
  }
  expect(soapCalls(server)).toBe(before);
});

test('a document whose bytes do not match the registry\'s size and SHA-1 is never served: 502 naming the country, audited', async () => {
  await newConsent();
  const lab = ORIGINALS[0];
  expect((await doctor.get(`/DocumentReference?patient=Patient/${marija}&type=${LOINC('11502-2')}`)).status).toBe(200);
  server.sim.faults.add({ country: 'HR', transaction: 'xca-retrieve', fault: 'corrupt-document' });
  const res = await doctor.get(`/Binary/${idOf(lab)}`, { Accept: 'application/pdf' });
  expect(res.status).toBe(502);
  expect(res.body.issue[0].diagnostics).toMatch(/^HR: the document the country sent does not match the one it announced/);
  expect(res.body.issue[0].details.text).toMatch(/^Pays HR : le document reçu du pays ne correspond pas/);
  expect(res.raw.toString('latin1')).not.toContain('%PDF');
  const [event] = await auditTrail(doctor, `?patient=Patient/${marija}`);
  expect(event).toMatchObject({ interaction: 'document-read', outcome: '8', detail: 'gateway-error: gateway-integrity', transaction: 'ITI-39', country: 'HR' });
  // The altered copy was not kept: the next read retrieves the document again, as it is.
  const again = await doctor.get(`/Binary/${idOf(lab)}`, { Accept: 'application/pdf' });
  expect(again.status).toBe(200);
  expect(again.raw.equals(fixture(lab).content)).toBe(true);
});

test.each([
  [{ transaction: 'xca-query', fault: 'delay', delayMs: 4000 }, 504, 'timeout', undefined],
  [{ transaction: 'xca-query', fault: 'ehdsi-error', ehdsiCode: '4203' }, 502, 'exception', '4203'],
  [{ transaction: 'xca-query', fault: 'ehdsi-error', ehdsiCode: '4701' }, 403, 'forbidden', '4701'],
  [{ transaction: 'xca-query', fault: 'malformed-xml' }, 502, 'transient', undefined],
  [{ transaction: 'xca-retrieve', fault: 'http-503' }, 502, 'transient', undefined],
  [{ transaction: 'xca-retrieve', fault: 'ehdsi-error', ehdsiCode: 'XDSRepositoryError' }, 502, 'exception', 'XDSRepositoryError'],
] as const)('the country\'s fault %j is answered like $summary\'s', async (fault, status, issue, code) => {
  await newConsent();
  const lab = ORIGINALS[0];
  if (fault.transaction === 'xca-retrieve') expect((await doctor.get(`/DocumentReference?patient=Patient/${marija}&type=${LOINC('11502-2')}`)).status).toBe(200);
  server.sim.faults.add({ country: 'HR', ...fault });
  const res = fault.transaction === 'xca-query'
    ? await doctor.get(`/DocumentReference?patient=Patient/${marija}&type=${LOINC('11502-2')}`)
    : await doctor.get(`/Binary/${idOf(lab)}`, { Accept: 'application/pdf' });
  expect(res.status).toBe(status);
  expect(res.body.issue[0].code).toBe(issue);
  expect(res.body.issue[0].diagnostics).toMatch(/^HR: /);
  if (code) expect(res.body.issue[0].details.coding[0].code).toBe(code);
  const [event] = await auditTrail(doctor, `?patient=Patient/${marija}`);
  expect(event).toMatchObject({ interaction: fault.transaction === 'xca-query' ? 'document-search' : 'document-read', country: 'HR', transaction: fault.transaction === 'xca-query' ? 'ITI-38' : 'ITI-39' });
  expect(event.outcome).toBe(status === 403 ? '4' : '8');
});

test('every access is audited, naming the document read', async () => {
  await newConsent();
  const image = ORIGINALS[7];
  expect((await doctor.get(`/DocumentReference?patient=Patient/${marija}&type=x-clinical-image`)).status).toBe(200);
  expect((await doctor.get(`/DocumentReference/${idOf(image)}`)).status).toBe(200);
  expect((await doctor.get(`/Binary/${idOf(image)}`, { Accept: 'image/jpeg' })).status).toBe(200);
  const audit = await doctor.get(`/AuditEvent?patient=Patient/${marija}&_count=3`);
  const events = (audit.body.entry as fhir4.BundleEntry[]).map((e) => e.resource as fhir4.AuditEvent);
  const interaction = (ev: fhir4.AuditEvent) => ev.subtype!.find((s) => s.system === 'urn:ehdsi-fhir-facade:audit-interaction')!.code;
  const document = (ev: fhir4.AuditEvent) => ev.entity!.map((x) => x.what?.reference).find((r) => r?.startsWith('DocumentReference/'));
  expect(events.map((ev) => [interaction(ev), ev.outcome, document(ev)])).toEqual([
    ['document-read', '0', `DocumentReference/${idOf(image)}`],
    ['document-reference-read', '0', `DocumentReference/${idOf(image)}`],
    ['document-search', '0', undefined],
  ]);
});

test('a country that does not offer a kind says so in the listing; a patient with none of a kind gets an empty list', async () => {
  const pt = JSON.parse(readFileSync(projectPath('fixtures', 'patients', 'pt-maria-ines-simoes', 'patient.json'), 'utf8')) as { identifiers: Array<{ root: string; extension: string }> };
  const found = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${pt.identifiers[0].root}|${pt.identifiers[0].extension}`)}&address-country=PT`);
  const maria = found.body.entry[0].resource.id as string;
  await newConsent(maria);
  const images = await doctor.get(`/DocumentReference?patient=Patient/${maria}&type=x-clinical-image`);
  expect([images.status, images.body.total]).toEqual([200, 0]);
  expect(outcomesOf(images)).toEqual([expect.objectContaining({ severity: 'information', diagnostics: expect.stringMatching(/ne propose pas ces documents d’origine : image médicale \(eHDSI 4202\)/) })]);
  const labs = await doctor.get(`/DocumentReference?patient=Patient/${maria}&type=${LOINC('11502-2')}`);
  expect(refsOf(labs)).toHaveLength(1);
  const josip = await findCroatian(doctor, '298314765');
  await newConsent(josip.id!);
  const none = await doctor.get(`/DocumentReference?patient=Patient/${josip.id}&type=${LOINC('34105-7')}`);
  expect([none.status, none.body.total]).toEqual([200, 0]);
  expect(outcomesOf(none)[0]).toMatchObject({ severity: 'information', diagnostics: expect.stringContaining('Aucun document ne correspond à cette recherche pour ce patient (Croatie)') });
});

describe('an original larger than the bound of the CDA documents the facade reads (mapping.maxDocumentBytes)', () => {
  let small: JourneyServer;
  beforeAll(async () => {
    small = await startJourneyServer({ journey: { conversion: { maxBytes: 4096 } } });
  });
  afterAll(() => small.close());

  test('is listed, and refused with a 502 naming the country before it is retrieved', async () => {
    const client = fhirClient(small.fhir, await small.token(DOCTOR));
    const id = (await findCroatian(client, MARIJA_MBO)).id!;
    expect((await client.post('/Consent', consentBody(small.url, id, DOCTOR))).status).toBe(201);
    const listed = await client.get(`/DocumentReference?patient=Patient/${id}&type=${LOINC('11502-2')}`);
    expect(refsOf(listed)).toHaveLength(2);
    const before = small.sim.faults.requests().length;
    const res = await client.get(`/Binary/${refsOf(listed)[0].id}`, { Accept: 'application/pdf' });
    expect(res.status).toBe(502);
    expect(res.body.issue[0]).toMatchObject({ code: 'too-costly', diagnostics: expect.stringMatching(/^HR: .* more than this service accepts \(4096\)/), details: { text: expect.stringContaining('Croatie') } });
    expect(small.sim.faults.requests().length).toBe(before);
  });
});
