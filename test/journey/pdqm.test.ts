/**
 * IHE PDQm as its test plan drives it, against the simulated countries:
 * ITI-78 by family, given, birthdate and gender — with the identifier the
 * country's mask requires they narrow the XCPD query, alone they are a 400
 * naming the identifiers required —, ITI-119 $match with onlyCertainMatches,
 * count, search.score in [0, 1] and the match-grade extension.
 */
import type { Country, CountryRegistry } from '../../src/ehdsi/countries/index.js';
import { queryFromSearch } from '../../src/journey/index.js';
import { HR_DOMAIN, MARIJA_MBO, MARIJA_QUERY, type FhirTestClient, type JourneyServer, withJourneyServer } from './harness.js';

const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const PT_DOMAIN = '2.16.17.710.820.1000.990.1';
const JOSIP_ZAGREB = '298314765';

let server: JourneyServer;
let doctor: FhirTestClient;

withJourneyServer(async (started, client) => {
  server = started;
  doctor = client;
});

const marija = MARIJA_QUERY;
const matchesOf = (bundle: fhir4.Bundle) => (bundle.entry ?? []).filter((e) => e.search?.mode === 'match');
const gradeOf = (e: fhir4.BundleEntry) => e.search?.extension?.find((x) => x.url === MATCH_GRADE)?.valueCode;
const match = (patient: fhir4.Patient, extra: fhir4.ParametersParameter[] = []) =>
  doctor.post('/Patient/$match', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }, ...extra] });

describe('ITI-78 Patient search', () => {
  test('family, given, birthdate and gender with the identifier: one match, search.score 1', async () => {
    for (const demographics of ['family=BOZICEVIC', 'given=marija', 'birthdate=1985-03-19', 'birthdate=1985', 'gender=female', 'gender=http://hl7.org/fhir/administrative-gender|female',
      'family=Božičević&given=MARIJA&birthdate=eq1985-03-19&gender=female']) {
      const res = await doctor.get(`/Patient?${marija}&${demographics}`);
      expect([demographics, res.status, res.body.total]).toEqual([demographics, 200, 1]);
      expect(res.body.entry[0].search).toEqual({ mode: 'match', score: 1 });
      expect(res.body.entry[0].resource.name[0]).toMatchObject({ family: 'BOŽIČEVIĆ', given: ['MARIJA'] });
    }
  });

  test('the demographics go to the country: one it contradicts finds nobody', async () => {
    for (const demographics of ['family=HORVAT', 'given=ANA', 'birthdate=1985-03-20', 'gender=male']) {
      const res = await doctor.get(`/Patient?${marija}&${demographics}`);
      expect([demographics, res.status, res.body.total]).toEqual([demographics, 200, 0]);
      expect(res.body.entry[0].resource.issue[0].code).toBe('not-found');
    }
  });

  test('several given names (repeated) and a family name in part, accents aside: MARIA INÊS SIMÕES CONCEIÇÃO', async () => {
    const res = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${PT_DOMAIN}|284193706`)}&address-country=PT&given=Maria&given=Ines&family=Simoes`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(res.body.entry[0].resource.name[0]).toMatchObject({ family: 'SIMÕES CONCEIÇÃO', given: ['MARIA', 'INÊS'] });
  });

  test('demographics alone: 400 naming the identifier the country requires, in French and English, and nothing sent', async () => {
    const before = server.sim.faults.requests().length;
    for (const demographics of ['family=BOZICEVIC', 'given=MARIJA', 'birthdate=1985-03-19', 'gender=female', 'family=BOZICEVIC&given=MARIJA&birthdate=1985-03-19&gender=female']) {
      const res = await doctor.get(`/Patient?address-country=HR&${demographics}`);
      expect([demographics, res.status]).toEqual([demographics, 400]);
      const [issue] = res.body.issue as fhir4.OperationOutcomeIssue[];
      expect([issue.code, issue.expression]).toEqual(['required', ['identifier']]);
      expect(issue.diagnostics).toContain(`Le pays HR (Croatie) exige un identifiant de son masque de recherche`);
      expect(issue.diagnostics).toContain(`identifier urn:oid:${HR_DOMAIN}|<`);
      expect(issue.diagnostics).toContain('(country HR requires an identifier of its search mask to find a patient');
    }
    const spain = await doctor.get('/Patient?address-country=ES&family=NUNEZ');
    expect(spain.status).toBe(400);
    expect(spain.body.issue[0].diagnostics).toMatch(/identifier urn:oid:2\.16\.724\.4\.41\|<.*> et identifier urn:oid:2\.16\.724\.4\.42\|</);
    const noCountry = await doctor.get('/Patient?family=BOZICEVIC');
    expect([noCountry.status, noCountry.body.issue[0].expression]).toEqual([400, ['address-country']]);
    expect(server.sim.faults.requests().length).toBe(before);
  });

  test('what XCPD cannot ask: a birthdate range, alternatives (comma), an unknown gender system: 400 naming the parameter', async () => {
    for (const [query, parameter] of [['birthdate=ge1985-01-01', 'birthdate'], ['family=A,B', 'family'], ['gender=urn:x|female', 'gender'], ['gender=woman', 'gender']]) {
      const res = await doctor.get(`/Patient?${marija}&${query}`);
      expect([query, res.status, res.body.issue[0].expression]).toEqual([query, 400, [parameter]]);
    }
  });

  test('a demographic the country\'s mask does not take: 400 naming it and what the mask takes', () => {
    const hr = server.countries.get('HR')!;
    const country: Country = { ...hr, searchMask: { ...hr.searchMask, demographics: { birthDate: { required: true, labelFr: 'Date de naissance' } } } };
    const registry = { list: () => [country], get: () => country } as unknown as CountryRegistry;
    const params = (q: string) => new URLSearchParams(`identifier=urn:oid:${HR_DOMAIN}|${MARIJA_MBO}&address-country=HR&${q}`);
    expect(queryFromSearch(registry, params('birthdate=1985-03-19')).demographics).toEqual({ birthDate: '1985-03-19' });
    const refusal = (q: string) => {
      try {
        queryFromSearch(registry, params(q));
      } catch (e) {
        return (e as { status: number; issues: Array<{ code: string; expression: string[]; diagnostics: string }> });
      }
      throw new Error('expected a refusal');
    };
    const family = refusal('birthdate=1985-03-19&family=BOZICEVIC');
    expect([family.status, family.issues[0].code, family.issues[0].expression]).toEqual([400, 'not-supported', ['family']]);
    expect(family.issues[0].diagnostics).toContain('paramètres possibles : identifier, birthdate');
    const noBirthDate = refusal('gender=female');
    expect(noBirthDate.issues.map((i) => [i.code, i.expression[0]])).toEqual([['required', 'birthdate'], ['not-supported', 'gender']]);
    expect(noBirthDate.issues[0].diagnostics).toContain('Le pays HR exige aussi « Date de naissance »');
  });
});

describe('ITI-119 $match', () => {
  const hrPatient = (mbo: string, more: Partial<fhir4.Patient> = {}): fhir4.Patient => ({
    resourceType: 'Patient', identifier: [{ system: `urn:oid:${HR_DOMAIN}`, value: mbo }], address: [{ country: 'HR' }], ...more,
  });

  test('identifier and agreeing demographics: certain, score 1; onlyCertainMatches and count keep it', async () => {
    const patient = hrPatient(MARIJA_MBO, { name: [{ family: 'Bozicevic', given: ['Marija'] }], birthDate: '1985-03-19', gender: 'female' });
    const res = await match(patient, [{ name: 'onlyCertainMatches', valueBoolean: true }, { name: 'count', valueInteger: 1 }]);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(res.body.entry[0].search.score).toBe(1);
    expect(gradeOf(res.body.entry[0])).toBe('certain');
  });

  test('a Patient posted alone (without Parameters) is matched', async () => {
    const res = await doctor.post('/Patient/$match', hrPatient(MARIJA_MBO));
    expect(res.status).toBe(200);
    expect(gradeOf(res.body.entry[0])).toBe('certain');
  });

  test('what the mask does not take is not sent, but weighs on the score: JOSIP KOVAČIĆ of Zagreb asked living in Split is probable, 0.75', async () => {
    const res = await match(hrPatient(JOSIP_ZAGREB, { address: [{ country: 'HR', city: 'Split' }] }));
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(res.body.entry[0].resource.address[0].city).toBe('Zagreb');
    expect(res.body.entry[0].search.score).toBe(0.75);
    expect(gradeOf(res.body.entry[0])).toBe('probable');
    const certainOnly = await match(hrPatient(JOSIP_ZAGREB, { address: [{ country: 'HR', city: 'Split' }] }), [{ name: 'onlyCertainMatches', valueBoolean: true }]);
    expect(certainOnly.body.total).toBe(0);
    expect(certainOnly.body.entry[0].resource.issue[0]).toMatchObject({ code: 'not-found', diagnostics: expect.stringContaining('no certain match among 1') });
  });

  test('an unknown number with a name and birth date two people share: two possible matches (0.5), none certain; count keeps one', async () => {
    const josip = hrPatient('999999999', { name: [{ family: 'KOVAČIĆ', given: ['JOSIP'] }], birthDate: '1972-06-04', gender: 'male' });
    const all = await match(josip);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(2);
    expect(matchesOf(all.body).map((e) => [e.search!.score, gradeOf(e)])).toEqual([[0.5, 'possible'], [0.5, 'possible']]);
    expect(matchesOf(all.body).map((e) => (e.resource as fhir4.Patient).address![0].city).sort()).toEqual(['Split', 'Zagreb']);
    const one = await match(josip, [{ name: 'count', valueInteger: 1 }]);
    expect(one.body.total).toBe(1);
    const certain = await match(josip, [{ name: 'onlyCertainMatches', valueBoolean: true }]);
    expect([certain.status, certain.body.total, certain.body.entry[0].resource.issue[0].code]).toEqual([200, 0, 'multiple-matches']);
  });

  test('demographics alone: 400 naming Patient.identifier and the identifier HR requires', async () => {
    const res = await match({ resourceType: 'Patient', name: [{ family: 'BOZICEVIC' }], birthDate: '1985-03-19', address: [{ country: 'HR' }] });
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['Patient.identifier']);
    expect(res.body.issue[0].diagnostics).toContain(`identifier urn:oid:${HR_DOMAIN}|<`);
  });
});
