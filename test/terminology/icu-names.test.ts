import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCountryRegistry } from '../../src/ehdsi/countries/index.js';
import { projectCatalogue, TerminologyCatalogue } from '../../src/terminology/catalogue.js';
import { BCP_47_SYSTEM, CLDR_SOURCE, countryName, icuDesignation, ISO_3166_SYSTEM, languageName } from '../../src/terminology/icu-names.js';

describe('country and language names from ICU', () => {
  it('names ISO 3166-1 alpha-2 countries in French, capitalised', () => {
    expect(countryName('HR')).toBe('Croatie');
    expect(countryName('cz')).toBe('Tchéquie');
    expect(countryName('MK')).toBe('Macédoine du Nord');
    expect(countryName('GB')).toBe('Royaume-Uni');
    expect(countryName('XK')).toBe('Kosovo');
    expect(countryName('HR', 'en')).toBe('Croatia');
  });

  it('names no code that is not an assigned country', () => {
    for (const code of ['ZZ', 'XA', 'QO', 'AA', 'HRV', '191', '', 'H1']) expect(countryName(code)).toBeUndefined();
  });

  it('names BCP 47 language tags, the first letter upper case (CLDR writes French language names in lower case)', () => {
    expect(languageName('hr')).toBe('Croate');
    expect(languageName('hr-HR')).toBe('Croate (Croatie)');
    expect(languageName('en-GB')).toBe('Anglais (Royaume-Uni)');
    expect(languageName('el-CY')).toBe('Grec (Chypre)');
    expect(languageName('ee-TG')).toBe('Éwé (Togo)');
    expect(languageName('fra')).toBe('Français');
    for (const tag of ['xx', 'qaa', 'not a tag', '']) expect(languageName(tag)).toBeUndefined();
  });

  it('gives them as official designations of CLDR, for these two systems only', () => {
    expect(icuDesignation(ISO_3166_SYSTEM, 'MT', 'fr-FR')).toEqual({ text: 'Malte', source: CLDR_SOURCE, status: 'official' });
    expect(icuDesignation(BCP_47_SYSTEM, 'mt-MT', 'fr-FR')?.text).toBe('Maltais (Malte)');
    expect(icuDesignation('http://snomed.info/sct', 'MT', 'fr-FR')).toBeUndefined();
    expect(CLDR_SOURCE).toMatchObject({ id: 'cldr', official: true, version: process.versions.cldr });
  });
});

describe('the terminology catalogue falls back on ICU for countries and languages', () => {
  it('translates ISO 3166 and BCP 47 codes without any catalogue file', () => {
    const c = projectCatalogue();
    expect(c.lookup(ISO_3166_SYSTEM, 'PT', 'fr-FR')).toMatchObject({ text: 'Portugal', status: 'official', source: { id: 'cldr' } });
    expect(c.designation(BCP_47_SYSTEM, 'pt-PT', 'fr')).toBe('Portugais (Portugal)');
    expect(c.designation(ISO_3166_SYSTEM, 'ZZ', 'fr-FR')).toBeUndefined();
  });

  it("keeps an operator's official name, and prefers ICU to a project proposal", () => {
    const c = new TerminologyCatalogue();
    c.add('fr-FR', ISO_3166_SYSTEM, 'CZ', 'République tchèque', { id: 'operator:mtc', name: 'MTC', official: true });
    c.add('fr-FR', ISO_3166_SYSTEM, 'SK', 'Slovaquie (projet)');
    expect(c.designation(ISO_3166_SYSTEM, 'CZ', 'fr-FR')).toBe('République tchèque');
    expect(c.lookup(ISO_3166_SYSTEM, 'SK', 'fr-FR')).toMatchObject({ text: 'Slovaquie', source: { id: 'cldr' } });
  });
});

describe('country registry names', () => {
  it('takes the French names of the shipped countries from ICU', () => {
    const registry = loadCountryRegistry();
    expect(registry.get('CZ')?.nameFr).toBe('Tchéquie');
    expect(registry.get('GR')?.nameFr).toBe('Grèce');
    for (const c of registry.list()) expect(c.nameFr).toBe(countryName(c.code));
  });

  it("names an operator's new country from ICU unless the file gives nameFr", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'countries-icu-'));
    try {
      for (const code of ['BE', 'LT', 'ZZ']) {
        writeFileSync(path.join(dir, `${code}.xml`), `<patientSearch><country code="${code}"><searchFields><id domain="1.2.3.4" label="label.ism.id" min="1" max="20"/></searchFields></country></patientSearch>`);
      }
      const file = path.join(dir, 'countries.json');
      writeFileSync(file, JSON.stringify({ countries: [
        { code: 'BE', homeCommunityId: '1.2.3.4.1', searchMask: 'BE.xml' },
        { code: 'LT', nameFr: 'Lituanie (essai)', homeCommunityId: '1.2.3.4.2', searchMask: 'LT.xml' },
      ] }));
      const registry = loadCountryRegistry({ countriesFile: file });
      expect(registry.require('BE').nameFr).toBe('Belgique');
      expect(registry.require('LT').nameFr).toBe('Lituanie (essai)');
      writeFileSync(file, JSON.stringify({ countries: [{ code: 'ZZ', homeCommunityId: '1.2.3.4.3', searchMask: 'ZZ.xml' }] }));
      expect(() => loadCountryRegistry({ countriesFile: file })).toThrow(/nameFr/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
