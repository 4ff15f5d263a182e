/**
 * The terminology operations without HTTP: expansions of the catalogue's
 * value sets (displays, provenance, untranslated flag, filter, paging, what
 * cannot be enumerated), lookups, and the display languages a request asks for.
 */
import { loadCatalogueFiles, PROJECT_SOURCE, TerminologyCatalogue } from '../../src/terminology/catalogue.js';
import { DESIGNATION_SOURCE_EXT, UNTRANSLATED_EXT } from '../../src/terminology/designation-source.js';
import { TerminologyError } from '../../src/terminology/errors.js';
import { DISPLAY_LANGUAGE_WARNING, expandValueSet, MAX_EXPANSION_COUNT, type ExpansionRequest } from '../../src/terminology/expansion.js';
import { languageTag, preferredLanguage, servingLanguage } from '../../src/terminology/language.js';
import { lookupCode } from '../../src/terminology/lookup.js';
import { packageInfo } from '../../src/util/project.js';
import { ASTHMA, MADE_UP, SNOMED, TEST_VALUE_SETS, testCatalogue } from './test-catalogue.js';

const catalogue = testCatalogue();
const now = new Date('2025-06-01T10:00:00Z');
const expand = (vs: fhir4.ValueSet, req: Partial<ExpansionRequest> = {}) => expandValueSet(vs, catalogue, { translationLanguage: 'fr-FR', now, ...req });
const snomedVs = () => catalogue.valueSets.get('https://ehdsi-fhir-facade.org/fhir/ValueSet/fr-snomed-ct')!.resource;

describe('expandValueSet', () => {
  test('without a display language: the displays as defined, no designations', () => {
    const vs = expand(TEST_VALUE_SETS.mixed);
    expect(vs.expansion!.contains).toEqual([
      { system: SNOMED, code: ASTHMA, display: 'Asthma' },
      { system: SNOMED, code: MADE_UP, display: 'Made-up disorder' },
    ]);
    expect(vs.language).toBeUndefined();
    expect(vs.expansion).toMatchObject({ total: 2, offset: 0, timestamp: now.toISOString() });
    expect(vs.expansion!.identifier).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  });

  test('in French: the French display with its provenance, the source kept; the untranslated flagged in the source words', () => {
    const [asthma, madeUp] = expand(TEST_VALUE_SETS.mixed, { displayLanguage: 'fr-FR' }).expansion!.contains!;
    expect(asthma).toEqual({
      system: SNOMED, code: ASTHMA, display: 'Asthme',
      designation: [
        {
          extension: [{ url: DESIGNATION_SOURCE_EXT, extension: [{ url: 'catalogue', valueString: 'Catalogue du projet' }, { url: 'version', valueString: packageInfo().version }, { url: 'status', valueCode: 'proposed' }, { url: 'language', valueCode: 'fr-FR' }] }],
          language: 'fr-FR', value: 'Asthme',
        },
        { language: 'en', value: 'Asthma' },
      ],
    });
    expect(madeUp).toEqual({ extension: [{ url: UNTRANSLATED_EXT, valueCode: 'fr-FR' }], system: SNOMED, code: MADE_UP, display: 'Made-up disorder' });
  });

  test('a display language no catalogue has: the displays as defined, each flagged untranslated, that language not claimed, a warning', () => {
    const vs = expand(TEST_VALUE_SETS.mixed, { displayLanguage: 'xx-YY' });
    expect(vs.language).toBeUndefined();
    expect(vs.expansion!.contains).toEqual([
      { extension: [{ url: UNTRANSLATED_EXT, valueCode: 'xx-YY' }], system: SNOMED, code: ASTHMA, display: 'Asthma' },
      { extension: [{ url: UNTRANSLATED_EXT, valueCode: 'xx-YY' }], system: SNOMED, code: MADE_UP, display: 'Made-up disorder' },
    ]);
    expect(vs.expansion!.parameter).toContainEqual({ name: DISPLAY_LANGUAGE_WARNING, valueString: expect.stringContaining('xx-YY') });
  });

  test('the language is claimed only when some displays are designations in it; French has a catalogue, so no warning', () => {
    const french = expand(TEST_VALUE_SETS.mixed, { displayLanguage: 'fr-FR' });
    expect(french.language).toBe('fr-FR');
    expect(french.expansion!.parameter!.map((p) => p.name)).not.toContain(DISPLAY_LANGUAGE_WARNING);
    const onlyUntranslated = expand(TEST_VALUE_SETS.mixed, { displayLanguage: 'fr-FR', filter: MADE_UP });
    expect(onlyUntranslated.expansion!.contains!.map((c) => c.display)).toEqual(['Made-up disorder']);
    expect(onlyUntranslated.language).toBeUndefined();
  });

  test('asking the source language is asking for the displays as defined', () => {
    expect(expand(TEST_VALUE_SETS.mixed, { displayLanguage: 'en' }).expansion!.contains![0]).toEqual({ system: SNOMED, code: ASTHMA, display: 'Asthma' });
  });

  test('an official designation wins over the project\'s and names its catalogue and version', () => {
    const withOfficial = testCatalogue();
    withOfficial.add('fr-FR', SNOMED, ASTHMA, 'Asthme (officiel)', { id: 'sct-fr', name: 'SNOMED CT édition française', version: '20250331', official: true });
    const [asthma] = expandValueSet(TEST_VALUE_SETS.mixed, withOfficial, { displayLanguage: 'fr-FR', translationLanguage: 'fr-FR', now }).expansion!.contains!;
    expect(asthma.display).toBe('Asthme (officiel)');
    expect(asthma.designation![0].extension![0].extension).toEqual([
      { url: 'catalogue', valueString: 'SNOMED CT édition française' }, { url: 'version', valueString: '20250331' },
      { url: 'status', valueCode: 'official' }, { url: 'language', valueCode: 'fr-FR' },
    ]);
  });

  test('includeDesignations: off hides them; on lists the translation language\'s without changing the displays', () => {
    expect(expand(TEST_VALUE_SETS.mixed, { displayLanguage: 'fr-FR', includeDesignations: false }).expansion!.contains![0]).toEqual({ system: SNOMED, code: ASTHMA, display: 'Asthme' });
    const [asthma] = expand(TEST_VALUE_SETS.mixed, { includeDesignations: true }).expansion!.contains!;
    expect(asthma.display).toBe('Asthma');
    expect(asthma.designation).toEqual([expect.objectContaining({ language: 'fr-FR', value: 'Asthme' })]);
  });

  test('pages: offset and count, the total of all matches, count 0 for the total alone, count capped', () => {
    const all = expand(snomedVs(), { count: MAX_EXPANSION_COUNT }).expansion!;
    const page = expand(snomedVs(), { offset: 10, count: 5 }).expansion!;
    expect(page.total).toBe(all.total);
    expect(page.contains).toEqual(all.contains!.slice(10, 15));
    expect(page.parameter).toEqual(expect.arrayContaining([{ name: 'offset', valueInteger: 10 }, { name: 'count', valueInteger: 5 }]));
    const none = expand(snomedVs(), { count: 0 }).expansion!;
    expect(none.contains).toBeUndefined();
    expect(none.total).toBe(all.total);
    expect(expand(snomedVs(), { count: 10 ** 6 }).expansion!.parameter).toContainEqual({ name: 'count', valueInteger: MAX_EXPANSION_COUNT });
    expect(expand(snomedVs(), { offset: 10 ** 6 }).expansion!.contains).toBeUndefined();
  });

  test('filter: a case-insensitive substring of the code, the defined display or the designation', () => {
    const codes = (filter: string, displayLanguage?: string) => expand(snomedVs(), { filter, displayLanguage }).expansion!.contains?.map((c) => c.code) ?? [];
    expect(codes('ASTHME')).toContain(ASTHMA);
    expect(codes('asthma')).toContain(ASTHMA);
    expect(codes(ASTHMA)).toEqual([ASTHMA]);
    expect(codes('no such words anywhere')).toEqual([]);
    const filtered = expand(snomedVs(), { filter: 'asthme', displayLanguage: 'fr-FR' }).expansion!;
    expect(filtered.total).toBe(filtered.contains!.length);
    expect(filtered.parameter).toContainEqual({ name: 'filter', valueString: 'asthme' });
    expect(() => expand(snomedVs(), { filter: 'x'.repeat(201) })).toThrow(TerminologyError);
  });

  test('a value set of filters, other value sets or whole code systems is refused, in French and English', () => {
    const refusal = (vs: fhir4.ValueSet) => {
      try {
        expand(vs);
      } catch (err) {
        return err as TerminologyError;
      }
      throw new Error('expanded');
    };
    expect(refusal(TEST_VALUE_SETS.filtered)).toMatchObject({ issue: 'not-supported', french: expect.stringMatching(/filtres/), message: expect.stringMatching(/filters/) });
    expect(refusal(TEST_VALUE_SETS.imports)).toMatchObject({ issue: 'not-supported' });
    expect(refusal(TEST_VALUE_SETS.whole)).toMatchObject({ issue: 'too-costly', french: expect.stringMatching(/tout le système/) });
  });

  test('a value set known only by its expansion is expanded from it, nested concepts included', () => {
    const expanded: fhir4.ValueSet = {
      resourceType: 'ValueSet', status: 'active',
      expansion: { timestamp: '2025-01-01', contains: [{ abstract: true, display: 'Group', contains: [{ system: SNOMED, code: ASTHMA, display: 'Asthma' }] }] },
    };
    expect(expand(expanded, { displayLanguage: 'fr' }).expansion!.contains!.map((c) => c.display)).toEqual(['Asthme']);
  });
});

describe('lookupCode', () => {
  const parameter = (p: fhir4.Parameters, name: string) => p.parameter!.filter((x) => x.name === name);

  test('a SNOMED CT code in French: name, display, designation with its provenance and the source display', () => {
    const p = lookupCode(catalogue, { system: SNOMED, code: ASTHMA, displayLanguage: 'fr-FR', translationLanguage: 'fr-FR' });
    expect(parameter(p, 'name')).toEqual([{ name: 'name', valueString: 'SNOMED CT' }]);
    expect(parameter(p, 'display')).toEqual([{ name: 'display', valueString: 'Asthme' }]);
    const [fr, en] = parameter(p, 'designation');
    expect(fr.part).toEqual([{ name: 'language', valueCode: 'fr-FR' }, { name: 'value', valueString: 'Asthme' }]);
    expect(fr.extension![0].extension).toContainEqual({ url: 'status', valueCode: 'proposed' });
    expect(en.part).toEqual([{ name: 'language', valueCode: 'en' }, { name: 'value', valueString: 'Asthma' }]);
    expect(parameter(p, 'property')).toEqual([]);
  });

  test('without a display language: the source display, the French designation still listed; an urn:oid: system is mapped', () => {
    const p = lookupCode(catalogue, { system: 'urn:oid:2.16.840.1.113883.6.96', code: ASTHMA, translationLanguage: 'fr-FR' });
    expect(parameter(p, 'display')[0].valueString).toBe('Asthma');
    expect(parameter(p, 'designation')[0].part![1].valueString).toBe('Asthme');
  });

  test('a known code without French designation is "non traduit"', () => {
    const p = lookupCode(catalogue, { system: SNOMED, code: MADE_UP, displayLanguage: 'fr-FR', translationLanguage: 'fr-FR' });
    expect(parameter(p, 'display')[0].valueString).toBe('Made-up disorder');
    expect(parameter(p, 'designation')).toEqual([]);
    expect(parameter(p, 'property')).toEqual([{ name: 'property', part: [{ name: 'code', valueCode: 'untranslated' }, { name: 'value', valueCode: 'fr-FR' }, { name: 'description', valueString: 'non traduit' }] }]);
    expect(parameter(lookupCode(catalogue, { system: SNOMED, code: MADE_UP, translationLanguage: 'fr-FR', properties: ['designation'] }), 'property')).toEqual([]);
  });

  test('an unknown code is not found', () => {
    expect(() => lookupCode(catalogue, { system: SNOMED, code: '1', translationLanguage: 'fr-FR' })).toThrow(expect.objectContaining({ issue: 'not-found' }));
    expect(() => lookupCode(catalogue, { system: 'https://example.org/none', code: ASTHMA, translationLanguage: 'fr-FR' })).toThrow(TerminologyError);
  });

  test('a display from an operator CodeSystem catalogue', () => {
    const own = new TerminologyCatalogue();
    own.addFhirResource({
      resourceType: 'CodeSystem', url: 'https://example.org/cs', status: 'active', content: 'complete',
      concept: [{ code: 'a', display: 'Alpha', designation: [{ language: 'fr-FR', value: 'Alpha (fr)' }] }],
    }, 'cs.json', PROJECT_SOURCE);
    const p = lookupCode(own, { system: 'https://example.org/cs', code: 'a', translationLanguage: 'fr-FR' });
    expect(parameter(p, 'name')[0].valueString).toBe('https://example.org/cs');
    expect(parameter(p, 'display')[0].valueString).toBe('Alpha');
  });
});

describe('display languages', () => {
  test('BCP 47 tags as the catalogue keys them; malformed ones refused', () => {
    expect(languageTag('fr')).toBe('fr-FR');
    expect(languageTag('fr-fr')).toBe('fr-FR');
    expect(languageTag('de-AT')).toBe('de-AT');
    for (const bad of ['', '!!', 'fr_FR_x', 'x'.repeat(40)]) expect(languageTag(bad)).toBeUndefined();
  });

  test('a regional variant the catalogue lacks is served by its language', () => {
    expect(servingLanguage(catalogue, 'fr-BE')).toBe('fr-FR');
    expect(servingLanguage(catalogue, 'de-AT')).toBe('de-AT');
  });

  test('Accept-Language: the most preferred language the catalogue has; English or * first means as defined', () => {
    expect(preferredLanguage('fr-CH, fr;q=0.9, en;q=0.8', catalogue)).toBe('fr-FR');
    expect(preferredLanguage('de;q=0.9, fr;q=0.5', catalogue)).toBe('fr-FR');
    expect(preferredLanguage('en-GB, fr;q=0.5', catalogue)).toBeUndefined();
    expect(preferredLanguage('fr;q=0.2, en;q=0.8', catalogue)).toBeUndefined();
    expect(preferredLanguage('*', catalogue)).toBeUndefined();
    expect(preferredLanguage('de', catalogue)).toBeUndefined();
    expect(preferredLanguage(';;, !!, fr;q=abc', catalogue)).toBeUndefined();
  });

  test('an empty catalogue folder serves no language', () => {
    const empty = new TerminologyCatalogue();
    loadCatalogueFiles(empty, '/no/such/folder');
    expect(preferredLanguage('fr', empty)).toBeUndefined();
  });
});
