/**
 * The CapabilityStatement of the journey lists exactly its interactions,
 * search parameters and operations, instantiates IPS, PDQm and MHD, and every
 * definition it points to is served; the Patient Information Notice is served
 * in French with links for the other EU languages.
 */
import { CANONICAL_BASE } from '../../src/journey/index.js';
import { type FhirTestClient, type JourneyServer, withJourneyServer } from './harness.js';

let server: JourneyServer;
let doctor: FhirTestClient;
let cs: fhir4.CapabilityStatement;

withJourneyServer(async (started, client) => {
  server = started;
  doctor = client;
  cs = (await fetch(`${server.fhir}/metadata`).then((r) => r.json())) as fhir4.CapabilityStatement;
});

const resource = (type: string) => cs.rest![0].resource!.find((r) => r.type === type)!;

test('instantiates the IPS server, the PDQm supplier and the MHD document responder', () => {
  expect(cs.instantiates).toEqual(expect.arrayContaining([
    'http://hl7.org/fhir/uv/ips/CapabilityStatement/ips-server',
    'https://profiles.ihe.net/ITI/PDQm/CapabilityStatement/IHE.PDQm.PatientDemographicsSupplier',
    'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentResponder',
  ]));
});

test('lists exactly the journey\'s interactions, search parameters and operations', () => {
  const shape = (type: string) => {
    const r = resource(type);
    return {
      interactions: (r.interaction ?? []).map((i) => i.code).sort(),
      params: (r.searchParam ?? []).map((p) => p.name).sort(),
      operations: (r.operation ?? []).map((o) => o.name).sort(),
    };
  };
  expect(shape('ValueSet')).toEqual({ interactions: ['read', 'search-type'], params: ['name', 'status', 'title', 'url', 'version'], operations: ['expand'] });
  expect(shape('Questionnaire')).toEqual({ interactions: ['read', 'search-type'], params: ['jurisdiction'], operations: [] });
  expect(shape('Patient')).toEqual({ interactions: ['read', 'search-type'], params: ['address-country', 'birthdate', 'family', 'gender', 'given', 'identifier'], operations: ['match', 'summary'] });
  expect(shape('Consent')).toEqual({ interactions: ['create', 'read', 'search-type', 'vread'], params: ['patient'], operations: [] });
  expect(shape('DocumentReference')).toEqual({ interactions: ['read', 'search-type'], params: ['category', 'creation', 'patient', 'period', 'status', 'type'], operations: [] });
  expect(shape('Binary')).toEqual({ interactions: ['read'], params: [], operations: [] });
  expect(shape('AuditEvent')).toEqual({ interactions: ['read', 'search-type', 'vread'], params: ['agent', 'date', 'patient'], operations: [] });
  expect(resource('Patient').operation!.find((o) => o.name === 'summary')!.definition).toBe(`${CANONICAL_BASE}/OperationDefinition/Patient-summary`);
});

test('every definition the CapabilityStatement points to is served, and derives from the IPS and PDQm ones', async () => {
  const urls = cs.rest![0].resource!.flatMap((r) => [...(r.searchParam ?? []).map((p) => p.definition), ...(r.operation ?? []).map((o) => o.definition)])
    .filter((u): u is string => u !== undefined && u.startsWith(CANONICAL_BASE));
  expect(urls.length).toBe(19);
  for (const url of urls) {
    const res = await fetch(`${server.fhir}${url.slice(CANONICAL_BASE.length)}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { url: string }).url).toBe(url);
  }
  const summary = (await fetch(`${server.fhir}/OperationDefinition/Patient-summary`).then((r) => r.json())) as fhir4.OperationDefinition;
  expect(summary.base).toBe('http://hl7.org/fhir/uv/ips/OperationDefinition/summary');
  const match = (await fetch(`${server.fhir}/OperationDefinition/Patient-match`).then((r) => r.json())) as fhir4.OperationDefinition;
  expect(match.base).toBe('https://profiles.ihe.net/ITI/PDQm/OperationDefinition/PDQmMatch');
});

test('the journey needs an authenticated professional', async () => {
  for (const path of ['/ValueSet/countries/$expand', '/ValueSet', '/ValueSet/countries', '/Questionnaire?jurisdiction=HR', '/Patient?identifier=x', '/AuditEvent', '/Consent']) {
    expect((await fetch(`${server.fhir}${path}`)).status).toBe(401);
  }
  expect((await doctor.get('/ValueSet/other/$expand')).status).toBe(404);
});

test('every search mask is a Questionnaire an SDC renderer can draw', async () => {
  const all = await doctor.get('/Questionnaire');
  expect(all.body.total).toBe(server.countries.list().length);
  const es = (await doctor.get('/Questionnaire?jurisdiction=urn:iso:std:iso:3166|ES')).body.entry[0].resource as fhir4.Questionnaire;
  expect(es.item!.map((i) => i.code![0].code)).toEqual(['urn:oid:2.16.724.4.41', 'urn:oid:2.16.724.4.42']);
  for (const item of es.item!) {
    expect(item.type).toBe('string');
    expect(item.text).toBeTruthy();
    expect(item.item![0]).toMatchObject({ type: 'display', text: expect.any(String) });
  }
  expect((await doctor.get('/Questionnaire?jurisdiction=XX')).body.total).toBe(0);
});

test('the Patient Information Notice: French page, other EU languages linked', async () => {
  const fr = await fetch(`${server.url}/pin/fr`);
  expect(fr.status).toBe(200);
  const html = await fr.text();
  expect(html).toContain('<html lang="fr">');
  expect(html).toContain('MyHealth@EU');
  expect(html).toContain('hreflang="hr"');
  const hr = await fetch(`${server.url}/pin/hr`, { redirect: 'manual' });
  expect(hr.status).toBe(302);
  expect(hr.headers.get('location')).toMatch(/_hr$/);
  expect((await fetch(`${server.url}/pin/xx`)).status).toBe(404);
});
