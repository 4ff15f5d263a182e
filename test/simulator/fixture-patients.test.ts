/**
 * Every synthetic patient of fixtures/patients (read dynamically) is served
 * by its country's simulated gateway, through the real client: XCPD finds
 * them by their identifiers, XCA lists exactly the documents they have
 * (1102 when no summary), retrieve returns the files byte for byte, and a
 * missing PDF is 4201. MARIJA BOŽIČEVIĆ (HR, 157601853) of the user guide is one of them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EhdsiError } from '../../src/ehdsi/errors/ehdsi-error.js';
import type { PatientId } from '../../src/ehdsi/saml/types.js';
import { findPatientSummaries } from '../../src/ehdsi/xca-query/find.js';
import { retrieveDocument } from '../../src/ehdsi/xca-retrieve/retrieve.js';
import { discoverPatients } from '../../src/ehdsi/xcpd/discover.js';
import { loadPatients, repositoryIdFor } from '../../src/simulator/patients.js';
import { projectPath } from '../../src/util/project.js';
import { countries, FRANCE_HCID, hcpAssertion, startTestBed, trcAssertion, type TestBed } from './helpers.js';

const DIR = projectPath('fixtures', 'patients');

interface FixtureJson {
  country: string;
  identifiers: PatientId[];
  name: { family: string; given: string[] };
  birthDate: string;
  documents?: { L3: string | null; L1: string | null };
}

const fixtures = (existsSync(DIR) ? readdirSync(DIR) : [])
  .filter((slug) => existsSync(path.join(DIR, slug, 'patient.json')))
  .map((slug) => ({ slug, json: JSON.parse(readFileSync(path.join(DIR, slug, 'patient.json'), 'utf8')) as FixtureJson }));
const file = (slug: string, level: 'L3' | 'L1'): Buffer | undefined => {
  const f = path.join(DIR, slug, `${level}.xml`);
  return existsSync(f) ? readFileSync(f) : undefined;
};

let bed: TestBed;

beforeAll(async () => {
  bed = await startTestBed();
});

afterAll(() => bed.close());

function assertionsFor(patientId: PatientId) {
  const hcp = hcpAssertion(bed.keys);
  return { hcp: hcp.xml, trc: trcAssertion(bed.keys, hcp, patientId).xml };
}

const sameId = (a: PatientId, b: PatientId) => a.root === b.root && a.extension === b.extension;

it('serves MARIJA BOŽIČEVIĆ, Croatia, 157601853 (the user guide patient)', async () => {
  const outcome = await discoverPatients(bed.client, bed.xcpd('HR'), [{ domainOid: countries().find((c) => c.code === 'HR')!.searchMask.traits[0].domainOid, value: '157601853' }], undefined, hcpAssertion(bed.keys).xml, {
    senderHomeCommunityId: FRANCE_HCID,
  });
  expect(outcome.kind).toBe('matches');
  if (outcome.kind !== 'matches') return;
  expect(outcome.patients).toHaveLength(1);
  expect(outcome.patients[0]).toMatchObject({ id: { extension: '157601853' }, gender: 'female', birthDate: '1985-03-19' });
  expect(outcome.patients[0].names[0].family.join(' ')).toBe('BOŽIČEVIĆ');
  expect(outcome.patients[0].names[0].given).toContain('MARIJA');
});

it('finds every fixture patient by its identifiers (XCPD)', async () => {
  expect(fixtures.length).toBeGreaterThan(0);
  for (const { slug, json } of fixtures) {
    const traits = json.identifiers.map((i) => ({ domainOid: i.root, value: i.extension }));
    const outcome = await discoverPatients(bed.client, bed.xcpd(json.country), traits, undefined, hcpAssertion(bed.keys).xml, { senderHomeCommunityId: FRANCE_HCID });
    expect({ slug, kind: outcome.kind }).toEqual({ slug, kind: 'matches' });
    if (outcome.kind === 'matches') expect({ slug, found: outcome.patients.some((p) => sameId(p.id, json.identifiers[0])) }).toEqual({ slug, found: true });
  }
});

it('returns every patient sharing name and birth date when the identifier given matches none (several subjects)', async () => {
  const groups = new Map<string, typeof fixtures>();
  for (const f of fixtures) {
    const key = `${f.json.country}|${f.json.name.family}|${f.json.birthDate}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const ambiguous = [...groups.values()].filter((g) => g.length > 1);
  expect(ambiguous.length).toBeGreaterThan(0);
  for (const group of ambiguous) {
    const { json } = group[0];
    const unknownId = [{ domainOid: json.identifiers[0].root, value: '000000000' }];
    const demographics = { family: json.name.family, birthDate: json.birthDate };
    const outcome = await discoverPatients(bed.client, bed.xcpd(json.country), unknownId, demographics, hcpAssertion(bed.keys).xml, { senderHomeCommunityId: FRANCE_HCID });
    expect(outcome.kind).toBe('matches');
    if (outcome.kind !== 'matches') continue;
    expect(outcome.patients.map((p) => p.id.extension).sort()).toEqual(group.map((g) => g.json.identifiers[0].extension).sort());
    // With one of them's own identifier, only that one.
    const own = await discoverPatients(bed.client, bed.xcpd(json.country), [{ domainOid: json.identifiers[0].root, value: json.identifiers[0].extension }], demographics, hcpAssertion(bed.keys).xml, { senderHomeCommunityId: FRANCE_HCID });
    expect(own.kind === 'matches' && own.patients.map((p) => p.id.extension)).toEqual([json.identifiers[0].extension]);
  }
});

it('lists and returns exactly the documents of every fixture patient, 4201 for an absent PDF (XCA query + MTOM retrieve)', async () => {
  const all = countries();
  const hcidOf = (code: string): string => all.find((c) => c.code === code)!.homeCommunityId;
  const store = loadPatients(DIR, all.map((c) => ({ code: c.code, homeCommunityId: c.homeCommunityId, repositoryUniqueId: repositoryIdFor(c.homeCommunityId) })));
  for (const { slug, json } of fixtures) {
    const patientId = json.identifiers[0];
    const assertions = assertionsFor(patientId);
    const list = await findPatientSummaries(bed.client, bed.xca(json.country), patientId, assertions);
    const l3 = file(slug, 'L3');
    const l1 = file(slug, 'L1');
    expect({ slug, levels: list.entries.map((e) => e.level).sort() }).toEqual({ slug, levels: [l1 && 'L1', l3 && 'L3'].filter(Boolean) });
    expect({ slug, warnings: list.warnings.map((w) => w.errorCode) }).toEqual({ slug, warnings: l3 ? [] : ['1102'] });
    if (!l1) {
      // The country has no PDF for this patient: asking for it anyway is 4201.
      const request = { homeCommunityId: hcidOf(json.country), repositoryUniqueId: repositoryIdFor(hcidOf(json.country)), documentUniqueId: store.ofCountry(json.country).find((p) => p.slug === slug)!.documents.L1.uniqueId };
      const e = await retrieveDocument(bed.client, bed.xca(json.country), request, assertions).catch((err: unknown) => err);
      expect({ slug, error: e instanceof EhdsiError ? e.code : String(e) }).toEqual({ slug, error: '4201' });
    }
    for (const entry of list.entries) {
      const doc = await retrieveDocument(bed.client, bed.xca(json.country), { homeCommunityId: entry.homeCommunityId, repositoryUniqueId: entry.repositoryUniqueId, documentUniqueId: entry.uniqueId }, assertions);
      const expected = entry.level === 'L3' ? l3 : l1;
      expect({ slug, level: entry.level, same: expected !== undefined && doc.data.equals(expected) }).toEqual({ slug, level: entry.level, same: true });
    }
  }
});
