/**
 * The terminology operations in the running journey server: a professional
 * is required, the operator's catalogue configured for the conversions
 * (conversion.terminologyPath) is the one $lookup and $expand answer from —
 * its official designation wins, named with its version — and
 * ValueSet/countries is expanded as before.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'fhir-kit-client';
import { JOURNEY_CANONICALS } from '../../src/journey/index.js';
import { DESIGNATION_SOURCE_EXT } from '../../src/terminology/designation-source.js';
import { DOCTOR, fhirClient, startJourneyServer, type FhirTestClient, type JourneyServer } from './harness.js';

const SNOMED = 'http://snomed.info/sct';
const ASTHMA = '195967001';
const SNOMED_VS = 'https://ehdsi-fhir-facade.org/fhir/ValueSet/fr-snomed-ct';

let dir: string;
let server: JourneyServer;
let doctor: FhirTestClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'operator-terminology-'));
  // A FHIR CodeSystem is its own source: named by its title, with its version.
  writeFileSync(path.join(dir, 'snomed-fr.json'), JSON.stringify({
    resourceType: 'CodeSystem', url: SNOMED, title: 'SNOMED CT édition française', version: '20250331', status: 'active', content: 'fragment',
    concept: [{ code: ASTHMA, display: 'Asthma', designation: [{ language: 'fr-FR', value: 'Asthme (édition française)' }] }],
  }));
  server = await startJourneyServer({ journey: { conversion: { terminologyPath: dir } } });
  doctor = fhirClient(server.fhir, await server.token(DOCTOR));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('terminology needs an authenticated professional', async () => {
  for (const p of [`/ValueSet/$expand?url=${encodeURIComponent(SNOMED_VS)}`, '/ValueSet/fr-snomed-ct/$expand', `/CodeSystem/$lookup?system=${encodeURIComponent(SNOMED)}&code=${ASTHMA}`]) {
    const res = await fetch(`${server.fhir}${p}`);
    expect([p, res.status]).toEqual([p, 401]);
  }
});

test('$lookup with fhir-kit-client: the operator\'s official designation wins, with its catalogue and version', async () => {
  const client = new Client({ baseUrl: server.fhir, bearerToken: await server.token(DOCTOR) });
  const p = await client.operation({ resourceType: 'CodeSystem', name: '$lookup', method: 'GET', input: { system: SNOMED, code: ASTHMA, displayLanguage: 'fr-FR' } }) as unknown as fhir4.Parameters;
  expect(p.parameter!.find((x) => x.name === 'display')!.valueString).toBe('Asthme (édition française)');
  const designation = p.parameter!.find((x) => x.name === 'designation' && x.part![0].valueCode === 'fr-FR')!;
  expect(designation.extension).toEqual([{
    url: DESIGNATION_SOURCE_EXT,
    extension: [
      { url: 'catalogue', valueString: 'SNOMED CT édition française' }, { url: 'version', valueString: '20250331' },
      { url: 'status', valueCode: 'official' }, { url: 'language', valueCode: 'fr-FR' },
    ],
  }]);
});

test('$expand of the project\'s value set shows the official designation too', async () => {
  const res = await doctor.get(`/ValueSet/fr-snomed-ct/$expand?displayLanguage=fr-FR&filter=${ASTHMA}`);
  expect(res.status).toBe(200);
  const [asthma] = (res.body as fhir4.ValueSet).expansion!.contains!;
  expect(asthma.display).toBe('Asthme (édition française)');
  expect(asthma.designation![0].extension![0].extension).toContainEqual({ url: 'status', valueCode: 'official' });
});

test('ValueSet/countries is expanded as before, also by its url', async () => {
  const byId = await doctor.get('/ValueSet/countries/$expand');
  expect(byId.status).toBe(200);
  expect(byId.body.expansion.contains).toContainEqual({ system: 'urn:iso:std:iso:3166', code: 'HR', display: 'Croatie' });
  const byUrl = await doctor.get(`/ValueSet/$expand?url=${encodeURIComponent(JOURNEY_CANONICALS.countriesValueSet)}`);
  expect(byUrl.body.expansion.contains).toEqual(byId.body.expansion.contains);
});

test('the CapabilityStatement lists ValueSet $expand and CodeSystem $lookup', async () => {
  const cs = (await fetch(`${server.fhir}/metadata`).then((r) => r.json())) as fhir4.CapabilityStatement;
  const ops = (type: string) => cs.rest![0].resource!.find((r) => r.type === type)!.operation!.map((o) => o.name);
  expect(ops('ValueSet')).toEqual(['expand']);
  expect(ops('CodeSystem')).toEqual(['lookup']);
});
