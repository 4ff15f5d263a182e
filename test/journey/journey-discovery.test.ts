/**
 * Patient discovery details: PDQm $match grades (a shared number gives
 * probable matches), onlyCertainMatches and count, one audit record per
 * patient returned, handles stable per professional, FHIR XML answers.
 */
import { FAMILY_CARD_MBO, HR_DOMAIN, MARIJA_MBO, auditTrail, type FhirTestClient, withJourneyServer } from './harness.js';

let doctor: FhirTestClient;

withJourneyServer(async (_server, client) => {
  doctor = client;
});

const match = (mbo: string, extra: fhir4.ParametersParameter[] = [], patient: Partial<fhir4.Patient> = {}) => doctor.post('/Patient/$match', {
  resourceType: 'Parameters',
  parameter: [
    { name: 'resource', resource: { resourceType: 'Patient', identifier: [{ system: `urn:oid:${HR_DOMAIN}`, value: mbo }], address: [{ country: 'HR' }], ...patient } },
    ...extra,
  ],
});
const grade = (e: fhir4.BundleEntry) => e.search!.extension!.find((x) => x.url === 'http://hl7.org/fhir/StructureDefinition/match-grade')!.valueCode;

test('$match: a single match is certain; onlyCertainMatches and count apply', async () => {
  const one = await match(MARIJA_MBO);
  expect(one.status).toBe(200);
  expect(one.body.entry).toHaveLength(1);
  expect(one.body.entry[0].search).toMatchObject({ mode: 'match', score: 1 });
  expect(grade(one.body.entry[0])).toBe('certain');
  expect((await match(MARIJA_MBO, [{ name: 'onlyCertainMatches', valueBoolean: true }, { name: 'count', valueInteger: 1 }])).body.total).toBe(1);
});

test('one number shared by several people (a family card): 422 asking for more traits, then the given name finds one', async () => {
  const family = await match(FAMILY_CARD_MBO);
  expect(family.status).toBe(422);
  expect(family.body.issue[0].code).toBe('multiple-matches');
  expect(family.body.issue[0].details.coding[0].code).toBe('ERROR_PI_MULTIPLE_MATCHES');
  const search = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${FAMILY_CARD_MBO}`)}&address-country=HR`);
  expect(search.status).toBe(422);
  const mia = await match(FAMILY_CARD_MBO, [], { name: [{ given: ['MIA'] }] });
  expect(mia.status).toBe(200);
  expect(mia.body.total).toBe(1);
  expect(grade(mia.body.entry[0])).toBe('certain');
  const luka = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${FAMILY_CARD_MBO}`)}&address-country=HR&given=LUKA&birthdate=2010-06-01`);
  expect(luka.body.entry[0].resource.name[0].given).toEqual(['LUKA']);
  const trail = await auditTrail(doctor);
  expect(trail.slice(0, 4).map((e) => [e.interaction, e.outcome, e.detail])).toEqual([
    ['search-patient', '0', undefined],
    ['match-patient', '0', undefined],
    ['search-patient', '4', 'client-error: ERROR_PI_MULTIPLE_MATCHES'],
    ['match-patient', '4', 'client-error: ERROR_PI_MULTIPLE_MATCHES'],
  ]);
});

test('$match refuses what is not PDQm', async () => {
  expect((await doctor.post('/Patient/$match', { resourceType: 'Patient' })).status).toBe(400);
  expect((await match(MARIJA_MBO, [{ name: 'count', valueInteger: 0 }])).status).toBe(400);
  expect((await match(MARIJA_MBO, [{ name: 'colour', valueString: 'blue' }])).status).toBe(400);
  const twoCountries = await match(MARIJA_MBO, [], { address: [{ country: 'HR' }, { country: 'PT' }] });
  expect(twoCountries.status).toBe(400);
  expect(twoCountries.body.issue[0].expression).toEqual(['Patient.address.country']);
});

test('the same patient keeps its id for the same professional; the country is inferred from the mask', async () => {
  const a = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}`);
  const b = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}&address-country=hr&gender=female&birthdate=1985-03-19`);
  expect(a.status).toBe(200);
  expect(b.status).toBe(200);
  expect(a.body.entry[0].resource.id).toBe(b.body.entry[0].resource.id);
  expect((await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}&birthdate=19-03-1985`)).status).toBe(400);
  expect((await doctor.get(`/Patient?identifier=${MARIJA_MBO}&address-country=HR`)).status).toBe(400);
});

test('answers in FHIR XML as well', async () => {
  const res = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}&address-country=HR`, { Accept: 'application/fhir+xml' });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/fhir+xml');
  const xml = res.raw.toString('utf8');
  expect(xml).toContain('<Bundle xmlns="http://hl7.org/fhir">');
  expect(xml).toContain('<family value="BOŽIČEVIĆ"/>');
  const mask = await doctor.get('/Questionnaire?jurisdiction=HR&_format=xml');
  expect(mask.raw.toString('utf8')).toContain('<extension url="http://hl7.org/fhir/StructureDefinition/regex"><valueString value="^(?:\\d{9})$"/></extension>');
});
