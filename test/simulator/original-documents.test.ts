/**
 * Original clinical documents (OrCD) of the fixture patients, served by the
 * simulated gateways through the real client: for each patient and kind,
 * XCA lists exactly the originals patient.json announces (with format,
 * service period and author), 1104 when the patient has none of an offered
 * kind, 4202 when the country offers no such kind; the retrieve returns each
 * wrapper byte for byte, and unwrapped, the file it carries. A
 * `corrupt-document` fault sends altered bytes, which the client refuses.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PatientId } from '../../src/ehdsi/saml/types.js';
import { GatewayError } from '../../src/ehdsi/soap/gateway-error.js';
import { parseXml, path as xmlPath, text } from '../../src/ehdsi/soap/xml.js';
import { findOriginalClinicalDocuments } from '../../src/ehdsi/xca-query/find.js';
import { ORCD_KINDS } from '../../src/ehdsi/xca-query/orcd.js';
import { retrieveOriginalDocument } from '../../src/ehdsi/xca-retrieve/orcd.js';
import { projectPath } from '../../src/util/project.js';
import { hcpAssertion, startTestBed, trcAssertion, type TestBed } from './helpers.js';

const DIR = projectPath('fixtures', 'patients');

interface FixtureJson {
  country: string;
  identifiers: PatientId[];
  originals?: Array<{ file: string; kind: string; classCode: string; formatCode: string; id: { root: string; extension: string } }>;
}

const fixtures = readdirSync(DIR)
  .filter((slug) => existsSync(path.join(DIR, slug, 'patient.json')))
  .map((slug) => ({ slug, json: JSON.parse(readFileSync(path.join(DIR, slug, 'patient.json'), 'utf8')) as FixtureJson }));
/** The kinds each country offers: those one of its fixture patients holds. */
const offered = (country: string) => new Set(fixtures.filter((f) => f.json.country === country).flatMap((f) => (f.json.originals ?? []).map((o) => o.kind)));

let bed: TestBed;

beforeAll(async () => {
  bed = await startTestBed();
});

afterAll(() => bed.close());

beforeEach(() => bed.sim.faults.reset());

function assertionsFor(patientId: PatientId) {
  const hcp = hcpAssertion(bed.keys);
  return { hcp: hcp.xml, trc: trcAssertion(bed.keys, hcp, patientId).xml };
}

it('the fixtures hold originals of every kind for MARIJA BOŽIČEVIĆ, several of each, and some for patients of other countries', () => {
  const marija = fixtures.find((f) => f.slug === 'hr-marija-bozicevic')!.json.originals ?? [];
  for (const { kind } of ORCD_KINDS) expect({ kind, count: marija.filter((o) => o.kind === kind).length }).toEqual({ kind, count: 2 });
  expect(new Set(marija.filter((o) => o.kind === 'image').map((o) => o.formatCode))).toEqual(new Set(['urn:eHDSI:orcd:png:2021', 'urn:eHDSI:orcd:jpeg:2021']));
  expect(new Set(fixtures.filter((f) => f.json.originals?.length).map((f) => f.json.country)).size).toBeGreaterThanOrEqual(3);
});

it('lists, kind by kind, exactly the originals of every fixture patient, and retrieves each byte for byte', async () => {
  for (const { slug, json } of fixtures) {
    const patientId = json.identifiers[0];
    const assertions = assertionsFor(patientId);
    for (const { kind, classCode } of ORCD_KINDS) {
      const expected = (json.originals ?? []).filter((o) => o.kind === kind);
      const list = await findOriginalClinicalDocuments(bed.client, bed.xca(json.country), patientId, kind, assertions);
      if (!offered(json.country).has(kind)) {
        expect({ slug, kind, notOffered: list.notOffered, entries: list.entries }).toEqual({ slug, kind, notOffered: '4202', entries: [] });
        continue;
      }
      expect(list.notOffered).toBeUndefined();
      expect({ slug, kind, ids: list.entries.map((e) => e.uniqueId) }).toEqual({ slug, kind, ids: expected.map((o) => `${o.id.root}^${o.id.extension}`) });
      expect({ slug, kind, warnings: list.warnings.map((w) => w.errorCode) }).toEqual({ slug, kind, warnings: expected.length ? [] : ['1104'] });
      for (const [i, entry] of list.entries.entries()) {
        expect(entry).toMatchObject({ classCode, typeCode: classCode, formatCode: expected[i].formatCode, mimeType: 'text/xml' });
        expect(entry.creationTime).toMatch(/^\d{14}$/);
        expect(entry.serviceStartTime).toMatch(/^\d{14}$/);
        expect(entry.authors?.[0]?.person).toMatch(/^\^.+\^.+$/);
        const cda = readFileSync(path.join(DIR, slug, expected[i].file));
        const doc = await retrieveOriginalDocument(bed.client, bed.xca(json.country), entry, assertions);
        expect(doc.cda.equals(cda)).toBe(true);
        const carried = Buffer.from(text(xmlPath(parseXml(cda.toString('utf8')).documentElement, 'component', 'nonXMLBody', 'text')) ?? '', 'base64');
        expect({ slug, file: expected[i].file, same: doc.data.equals(carried), mediaType: doc.mediaType }).toEqual({
          slug, file: expected[i].file, same: true, mediaType: { 'urn:eHDSI:orcd:pdf:2021': 'application/pdf', 'urn:eHDSI:orcd:png:2021': 'image/png', 'urn:eHDSI:orcd:jpeg:2021': 'image/jpeg' }[expected[i].formatCode],
        });
      }
    }
  }
});

it('answers 1104 to a patient of a country offering the kind who holds none, 4202 to a country that does not offer it; logged', async () => {
  const josip = fixtures.find((f) => f.slug === 'hr-josip-kovacic-zagreb')!.json;
  expect(josip.originals).toBeUndefined();
  const none = await findOriginalClinicalDocuments(bed.client, bed.xca('HR'), josip.identifiers[0], 'laboratory', assertionsFor(josip.identifiers[0]));
  expect(none).toEqual({ entries: [], warnings: [expect.objectContaining({ errorCode: '1104', severity: 'warning' })] });
  const maria = fixtures.find((f) => f.slug === 'pt-maria-ines-simoes')!.json;
  const refused = await findOriginalClinicalDocuments(bed.client, bed.xca('PT'), maria.identifiers[0], 'image', assertionsFor(maria.identifiers[0]));
  expect(refused).toMatchObject({ entries: [], notOffered: '4202' });
  expect(bed.sim.faults.requests().slice(-2).map((r) => [r.country, r.transaction, r.ehdsiCode])).toEqual([['HR', 'xca-query', '1104'], ['PT', 'xca-query', '4202']]);
});

it('a corrupt-document fault sends altered bytes: the client refuses them as an integrity failure naming the country', async () => {
  const marija = fixtures.find((f) => f.slug === 'hr-marija-bozicevic')!.json;
  const patientId = marija.identifiers[0];
  const assertions = assertionsFor(patientId);
  const [entry] = (await findOriginalClinicalDocuments(bed.client, bed.xca('HR'), patientId, 'laboratory', assertions)).entries;
  bed.sim.faults.add({ country: 'HR', transaction: 'xca-retrieve', fault: 'corrupt-document' });
  const e = await retrieveOriginalDocument(bed.client, bed.xca('HR'), entry, assertions).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(GatewayError);
  expect(e).toMatchObject({ kind: 'integrity', country: 'HR', message: expect.stringMatching(/SHA-1/) });
  // The fault is used up: the next retrieve is the document.
  expect((await retrieveOriginalDocument(bed.client, bed.xca('HR'), entry, assertions)).mediaType).toBe('application/pdf');
  expect(bed.sim.faults.requests().filter((r) => r.fault).map((r) => r.fault)).toEqual(['corrupt-document']);
});
