/**
 * ValueSet $expand and CodeSystem $lookup over HTTP (the FHIR layer: routes,
 * parameters from the URL or a Parameters body, Accept-Language, XML, and
 * every user error as a 4xx OperationOutcome).
 */
import request from 'supertest';
import { registerCodeSystemLookup } from '../../src/fhir/interactions/codesystem-lookup.js';
import { registerValueSetExpand, type ServedValueSet } from '../../src/fhir/interactions/valueset-expand.js';
import { registerValueSetSearch } from '../../src/fhir/interactions/valueset-search.js';
import { HandlerRegistry } from '../../src/fhir/registry.js';
import type { TerminologyDeps } from '../../src/fhir/terminology-request.js';
import { validateResource } from '../../src/fhir/validation.js';
import { packageInfo } from '../../src/util/project.js';
import { DESIGNATION_SOURCE_EXT, UNTRANSLATED_EXT } from '../../src/terminology/designation-source.js';
import { DISPLAY_LANGUAGE_WARNING } from '../../src/terminology/expansion.js';
import { testApp } from '../helpers/test-app.js';
import { ASTHMA, MADE_UP, SNOMED, TEST_VALUE_SETS, testCatalogue } from '../terminology/test-catalogue.js';

const SNOMED_VS = 'https://ehdsi-fhir-facade.org/fhir/ValueSet/fr-snomed-ct';
const catalogue = testCatalogue();
const deps: TerminologyDeps = { catalogue: () => catalogue, translationLanguage: 'fr-FR', requireCaller: () => undefined, now: () => new Date('2025-06-01T10:00:00Z') };
const registry = new HandlerRegistry();
const served: ServedValueSet[] = [{ id: 'served', url: 'https://example.org/fhir/ValueSet/served', expansion: () => ({ resourceType: 'ValueSet', id: 'served', url: 'https://example.org/fhir/ValueSet/served', status: 'active' }) }];
registerValueSetExpand(registry, deps, served);
registerValueSetSearch(registry, deps, served);
registerCodeSystemLookup(registry, deps);
const app = testApp({ registry });

const get = (path: string, headers: Record<string, string> = {}) => request(app).get(`/fhir${path}`).set(headers);
const post = (path: string, body: unknown) => request(app).post(`/fhir${path}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify(body));
const contains = (body: fhir4.ValueSet, code: string) => body.expansion!.contains!.find((c) => c.code === code)!;
const expandUrl = (query: string) => `/ValueSet/$expand?url=${encodeURIComponent(SNOMED_VS)}${query}`;

describe('ValueSet $expand', () => {
  test('by url, without a display language: the English displays, the total, identifier, timestamp, parameters', async () => {
    const res = await get(expandUrl('&count=1000'));
    expect(res.status).toBe(200);
    const vs = res.body as fhir4.ValueSet;
    expect(vs).toMatchObject({ resourceType: 'ValueSet', id: 'fr-snomed-ct', url: SNOMED_VS });
    expect(contains(vs, ASTHMA)).toEqual({ system: SNOMED, code: ASTHMA, display: 'Asthma' });
    expect(vs.expansion!.total).toBe(catalogue.valueSets.get(SNOMED_VS)!.resource.compose!.include[0].concept!.length);
    expect(vs.expansion!.identifier).toMatch(/^urn:uuid:/);
    expect(vs.expansion!.timestamp).toBe('2025-06-01T10:00:00.000Z');
  });

  test('displayLanguage=fr-FR: French displays with the designation\'s provenance', async () => {
    const vs = (await get(expandUrl('&displayLanguage=fr-FR&filter=asthme'))).body as fhir4.ValueSet;
    const asthma = contains(vs, ASTHMA);
    expect(asthma.display).toBe('Asthme');
    const source = asthma.designation!.find((d) => d.language === 'fr-FR')!.extension!.find((e) => e.url === DESIGNATION_SOURCE_EXT)!;
    expect(source.extension).toEqual([{ url: 'catalogue', valueString: 'Catalogue du projet' }, { url: 'version', valueString: packageInfo().version }, { url: 'status', valueCode: 'proposed' }, { url: 'language', valueCode: 'fr-FR' }]);
    expect(vs.expansion!.parameter).toEqual(expect.arrayContaining([{ name: 'displayLanguage', valueCode: 'fr-FR' }, { name: 'filter', valueString: 'asthme' }]));
    expect(validateResource(vs, 'ValueSet')).toEqual([]);
  });

  test('displayLanguage a catalogue lacks (xx-YY): 200 with the displays as defined, flagged untranslated, xx-YY not claimed, a warning', async () => {
    const res = await get(expandUrl(`&displayLanguage=xx-YY&filter=${ASTHMA}`));
    expect(res.status).toBe(200);
    const vs = res.body as fhir4.ValueSet;
    expect(vs.language).toBeUndefined();
    expect(contains(vs, ASTHMA)).toEqual({ extension: [{ url: UNTRANSLATED_EXT, valueCode: 'xx-YY' }], system: SNOMED, code: ASTHMA, display: 'Asthma' });
    expect(vs.expansion!.parameter).toContainEqual({ name: DISPLAY_LANGUAGE_WARNING, valueString: expect.stringContaining('No terminology catalogue of this server is in xx-YY') });
    expect(validateResource(vs, 'ValueSet')).toEqual([]);
  });

  test('Accept-Language selects French when no displayLanguage is given; the parameter wins over it', async () => {
    expect(contains((await get(expandUrl(`&filter=${ASTHMA}`), { 'Accept-Language': 'fr-FR,fr;q=0.9,en;q=0.8' })).body, ASTHMA).display).toBe('Asthme');
    expect(contains((await get(expandUrl(`&filter=${ASTHMA}`), { 'Accept-Language': 'en-GB,fr;q=0.5' })).body, ASTHMA).display).toBe('Asthma');
    expect(contains((await get(expandUrl(`&filter=${ASTHMA}&displayLanguage=en`), { 'Accept-Language': 'fr' })).body, ASTHMA).display).toBe('Asthma');
  });

  test('the instance level, url|version and valueSetVersion', async () => {
    const byId = await get('/ValueSet/test-mixed/$expand?displayLanguage=fr-FR');
    expect(byId.status).toBe(200);
    expect(byId.body.expansion.contains.map((c: fhir4.ValueSetExpansionContains) => c.code)).toEqual([ASTHMA, MADE_UP]);
    expect(contains(byId.body, MADE_UP).extension).toEqual([{ url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/untranslated', valueCode: 'fr-FR' }]);
    expect(validateResource(byId.body, 'ValueSet')).toEqual([]);
    const url = encodeURIComponent(TEST_VALUE_SETS.mixed.url!);
    expect((await get(`/ValueSet/$expand?url=${url}|1.0`)).status).toBe(200);
    expect((await get(`/ValueSet/$expand?url=${url}&valueSetVersion=1.0`)).status).toBe(200);
    expect((await get(`/ValueSet/$expand?url=${url}&valueSetVersion=2.0`)).status).toBe(404);
  });

  test('paging through the URL', async () => {
    const all = (await get(expandUrl(''))).body.expansion;
    const page = (await get(expandUrl('&offset=3&count=4'))).body.expansion;
    expect(page.contains).toEqual(all.contains.slice(3, 7));
    expect(page.total).toBe(all.total);
  });

  test('POST with a Parameters body', async () => {
    const res = await post('/ValueSet/$expand', {
      resourceType: 'Parameters',
      parameter: [{ name: 'url', valueUri: SNOMED_VS }, { name: 'displayLanguage', valueCode: 'fr-FR' }, { name: 'filter', valueString: ASTHMA }, { name: 'count', valueInteger: 10 }],
    });
    expect(res.status).toBe(200);
    expect(res.body.expansion.contains).toEqual([expect.objectContaining({ code: ASTHMA, display: 'Asthme' })]);
  });

  test('XML', async () => {
    const res = await get(expandUrl(`&displayLanguage=fr-FR&filter=${ASTHMA}&_format=xml`));
    expect(res.status).toBe(200);
    expect(res.text).toContain('<display value="Asthme"/>');
    expect(res.text).toContain(`<extension url="${DESIGNATION_SOURCE_EXT}">`);
  });

  test('a served value set is served as computed', async () => {
    expect((await get('/ValueSet/served/$expand?count=abc')).body).toEqual({ resourceType: 'ValueSet', id: 'served', url: 'https://example.org/fhir/ValueSet/served', status: 'active' });
    expect((await get('/ValueSet/$expand?url=https://example.org/fhir/ValueSet/served')).body.id).toBe('served');
  });

  test.each([
    ['an unknown url', 404, 'not-found', '/ValueSet/$expand?url=https://example.org/none'],
    ['an unknown id', 404, 'not-found', '/ValueSet/none/$expand'],
    ['no url', 400, 'required', '/ValueSet/$expand'],
    ['a malformed displayLanguage', 400, 'value', expandUrl('&displayLanguage=fr_FR!')],
    ['a negative count', 400, 'value', expandUrl('&count=-1')],
    ['a count that is not a number', 400, 'value', expandUrl('&count=ten')],
    ['two filters', 400, 'invalid', expandUrl('&filter=a&filter=b')],
    ['includeDesignations not a boolean', 400, 'value', expandUrl('&includeDesignations=yes')],
    ['a filter too long', 400, 'invalid', expandUrl(`&filter=${'x'.repeat(300)}`)],
    ['a value set of filters', 422, 'not-supported', '/ValueSet/test-filtered/$expand'],
    ['a value set of other value sets', 422, 'not-supported', '/ValueSet/test-imports/$expand'],
    ['a whole code system', 422, 'too-costly', '/ValueSet/test-whole/$expand'],
  ])('%s → %i %s', async (_what, status, code, path) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].code).toBe(code);
  });

  test('what cannot be enumerated is told in French and English', async () => {
    const issue = (await get('/ValueSet/test-whole/$expand')).body.issue[0];
    expect(issue.details.text).toMatch(/trop volumineux/);
    expect(issue.diagnostics).toMatch(/too costly/);
  });

  test('a ValueSet in the request, or a body that is not Parameters, is refused', async () => {
    const withValueSet = await post('/ValueSet/$expand', { resourceType: 'Parameters', parameter: [{ name: 'valueSet', resource: TEST_VALUE_SETS.mixed }] });
    expect([withValueSet.status, withValueSet.body.issue[0].code]).toEqual([400, 'not-supported']);
    expect((await post('/ValueSet/$expand', { resourceType: 'Basic', code: { text: 'x' } })).status).toBe(400);
  });
});

describe('CodeSystem $lookup', () => {
  const parameter = (p: fhir4.Parameters, name: string) => p.parameter!.filter((x) => x.name === name);

  test('195967001 in French: the project\'s proposed "Asthme" with its provenance', async () => {
    const res = await get(`/CodeSystem/$lookup?system=${encodeURIComponent(SNOMED)}&code=${ASTHMA}&displayLanguage=fr-FR`);
    expect(res.status).toBe(200);
    const p = res.body as fhir4.Parameters;
    expect(p.resourceType).toBe('Parameters');
    expect(parameter(p, 'name')[0].valueString).toBe('SNOMED CT');
    expect(parameter(p, 'display')[0].valueString).toBe('Asthme');
    const fr = parameter(p, 'designation').find((d) => d.part![0].valueCode === 'fr-FR')!;
    expect(fr.extension).toEqual([{ url: DESIGNATION_SOURCE_EXT, extension: [{ url: 'catalogue', valueString: 'Catalogue du projet' }, { url: 'version', valueString: packageInfo().version }, { url: 'status', valueCode: 'proposed' }, { url: 'language', valueCode: 'fr-FR' }] }]);
    expect(validateResource(p, 'Parameters')).toEqual([]);
    const xml = await get(`/CodeSystem/$lookup?system=${encodeURIComponent(SNOMED)}&code=${ASTHMA}&displayLanguage=fr-FR&_format=xml`);
    expect(xml.text).toContain('<valueString value="Asthme"/>');
  });

  test('Accept-Language, an urn:oid: system, a POST with a coding', async () => {
    const byHeader = await get(`/CodeSystem/$lookup?system=urn:oid:2.16.840.1.113883.6.96&code=${ASTHMA}`, { 'Accept-Language': 'fr' });
    expect(parameter(byHeader.body, 'display')[0].valueString).toBe('Asthme');
    const posted = await post('/CodeSystem/$lookup', { resourceType: 'Parameters', parameter: [{ name: 'coding', valueCoding: { system: SNOMED, code: ASTHMA } }, { name: 'displayLanguage', valueCode: 'fr-FR' }] });
    expect(posted.status).toBe(200);
    expect(parameter(posted.body, 'display')[0].valueString).toBe('Asthme');
  });

  test('GET with coding=system|code, as FHIR writes a Coding in a URL', async () => {
    const res = await get(`/CodeSystem/$lookup?coding=${encodeURIComponent(SNOMED)}|${ASTHMA}&displayLanguage=fr-FR`);
    expect(res.status).toBe(200);
    expect(parameter(res.body, 'display')[0].valueString).toBe('Asthme');
    const literal = await get(`/CodeSystem/$lookup?coding=${SNOMED}|${ASTHMA}`);
    expect([literal.status, parameter(literal.body, 'name')[0].valueString]).toEqual([200, 'SNOMED CT']);
  });

  test('a coding in the URL that is not system|code, or given twice, is a 400 saying the form', async () => {
    for (const query of [`?coding=${ASTHMA}`, `?coding=|${ASTHMA}`, `?coding=${encodeURIComponent(SNOMED)}|`]) {
      const res = await get(`/CodeSystem/$lookup${query}`);
      expect([res.status, res.body.issue[0].code]).toEqual([400, 'value']);
      expect(res.body.issue[0].diagnostics).toContain('system|code');
    }
    const twice = await get(`/CodeSystem/$lookup?coding=${encodeURIComponent(SNOMED)}|${ASTHMA}&coding=${encodeURIComponent(SNOMED)}|${MADE_UP}`);
    expect([twice.status, twice.body.issue[0].code]).toEqual([400, 'invalid']);
    expect((await get('/CodeSystem/$lookup')).body.issue[0].diagnostics).toContain('coding=system|code');
  });

  test('a code without a French designation: the source display, "non traduit"', async () => {
    const p = (await get(`/CodeSystem/$lookup?system=${encodeURIComponent(SNOMED)}&code=${MADE_UP}&displayLanguage=fr-FR`)).body as fhir4.Parameters;
    expect(parameter(p, 'display')[0].valueString).toBe('Made-up disorder');
    expect(parameter(p, 'property')[0].part).toContainEqual({ name: 'description', valueString: 'non traduit' });
  });

  test.each([
    ['an unknown code', 404, 'not-found', `?system=${encodeURIComponent(SNOMED)}&code=1`],
    ['an unknown system', 404, 'not-found', `?system=https://example.org/none&code=${ASTHMA}`],
    ['no system', 400, 'required', `?code=${ASTHMA}`],
    ['no code', 400, 'required', `?system=${encodeURIComponent(SNOMED)}`],
    ['a malformed displayLanguage', 400, 'value', `?system=${encodeURIComponent(SNOMED)}&code=${ASTHMA}&displayLanguage=%20`],
  ])('%s → %i %s', async (_what, status, code, query) => {
    const res = await get(`/CodeSystem/$lookup${query}`);
    expect(res.status).toBe(status);
    expect(res.body.issue[0].code).toBe(code);
  });

  test('a coding that is not a Coding is refused', async () => {
    const res = await post('/CodeSystem/$lookup', { resourceType: 'Parameters', parameter: [{ name: 'coding', valueString: ASTHMA }] });
    expect([res.status, res.body.issue[0].code]).toEqual([400, 'value']);
  });
});

describe('ValueSet search and read: the value sets $expand knows can be found', () => {
  const urls = (bundle: fhir4.Bundle) => bundle.entry!.map((e) => (e.resource as fhir4.ValueSet).url);

  test('GET /ValueSet: a searchset of the served value sets and the catalogue\'s, each with its fullUrl', async () => {
    const res = await get('/ValueSet');
    expect(res.status).toBe(200);
    const bundle = res.body as fhir4.Bundle;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: catalogue.valueSets.size + 1 });
    expect(urls(bundle)).toEqual(expect.arrayContaining(['https://example.org/fhir/ValueSet/served', SNOMED_VS, TEST_VALUE_SETS.mixed.url]));
    expect(bundle.entry!.find((e) => e.resource!.id === 'fr-snomed-ct')!.fullUrl).toMatch(/\/fhir\/ValueSet\/fr-snomed-ct$/);
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
  });

  test('?url= finds one value set; _elements lists the URLs alone; _count pages, _summary=count counts', async () => {
    const one = (await get(`/ValueSet?url=${encodeURIComponent(SNOMED_VS)}`)).body as fhir4.Bundle;
    expect([one.total, one.entry![0].resource!.id]).toEqual([1, 'fr-snomed-ct']);
    expect((await get('/ValueSet?url=https://example.org/none')).body).toMatchObject({ total: 0 });
    const listed = (await get('/ValueSet?_elements=url,title')).body as fhir4.Bundle;
    const snomed = listed.entry!.map((e) => e.resource as fhir4.ValueSet).find((v) => v.url === SNOMED_VS)!;
    expect(snomed.title).toBeDefined();
    expect(snomed.compose).toBeUndefined();
    const page = (await get('/ValueSet?_count=2')).body as fhir4.Bundle;
    expect([page.entry!.length, page.total]).toEqual([2, catalogue.valueSets.size + 1]);
    const counted = (await get('/ValueSet?_summary=count')).body as fhir4.Bundle;
    expect([counted.entry, counted.total]).toEqual([undefined, catalogue.valueSets.size + 1]);
  });

  test('name and title: starts with, ignoring case and accents; :exact, :contains; status and version', async () => {
    const total = async (query: string) => ((await get(`/ValueSet?${query}`)).body as fhir4.Bundle).total;
    const snomed = catalogue.valueSets.get(SNOMED_VS)!.resource;
    expect(await total(`title=${encodeURIComponent(snomed.title!.slice(0, 5).toUpperCase())}`)).toBeGreaterThan(0);
    expect(await total(`name:exact=${encodeURIComponent(snomed.name!)}`)).toBe(1);
    expect(await total(`name:contains=${encodeURIComponent(snomed.name!.slice(3))}`)).toBe(1);
    expect(await total('name=no-such-name')).toBe(0);
    expect(await total('status=retired')).toBe(0);
    expect(await total('version=1.0')).toBe(1);
  });

  test('GET /ValueSet/{id}: the definition, or the served one as computed; 404 otherwise', async () => {
    const read = await get('/ValueSet/fr-snomed-ct');
    expect([read.status, read.body.url]).toEqual([200, SNOMED_VS]);
    expect((await get('/ValueSet/served')).body.id).toBe('served');
    const missing = await get('/ValueSet/none');
    expect([missing.status, missing.body.issue[0].code]).toEqual([404, 'not-found']);
    expect(missing.body.issue[0].diagnostics).toContain('GET ValueSet lists');
  });

  test('an unsupported modifier is a 400', async () => {
    const res = await get('/ValueSet?url:below=https://example.org');
    expect([res.status, res.body.issue[0].code]).toEqual([400, 'not-supported']);
  });
});

test('the CapabilityStatement lists $expand once, the ValueSet search and read, and $lookup', async () => {
  const cs = (await get('/metadata')).body as fhir4.CapabilityStatement;
  const resource = (type: string) => cs.rest![0].resource!.find((r) => r.type === type)!;
  const ops = (type: string) => resource(type).operation!.map((o) => [o.name, o.definition]);
  expect(ops('ValueSet')).toEqual([['expand', 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand']]);
  expect(resource('ValueSet').interaction!.map((i) => i.code).sort()).toEqual(['read', 'search-type']);
  expect(resource('ValueSet').searchParam!.find((p) => p.name === 'url')).toMatchObject({ type: 'uri', definition: 'http://hl7.org/fhir/SearchParameter/conformance-url' });
  expect(ops('CodeSystem')).toEqual([['lookup', 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup']]);
});
