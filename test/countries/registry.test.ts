import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CountryConfigError, countryRegistryFromConfig, loadCountryRegistry, UnknownCountryError } from '../../src/ehdsi/countries/index.js';

const SEED = ['HR', 'MT', 'PT', 'CZ', 'ES', 'EE', 'LU', 'CY', 'GR', 'IE', 'IT', 'LV', 'SI'];

describe('country registry (shipped data)', () => {
  const registry = loadCountryRegistry({ simulatorBaseUrl: 'http://127.0.0.1:9999/' });

  it('lists the seed countries in French alphabetical order, each with distinct home community ids', () => {
    const list = registry.list();
    expect(list.map((c) => c.code).sort()).toEqual([...SEED].sort());
    expect(list[0].nameFr).toBe('Chypre');
    expect(new Set(list.map((c) => c.homeCommunityId)).size).toBe(SEED.length);
    for (const c of list) {
      expect(c.homeCommunityId).toMatch(/^[0-2](\.\d+)+$/);
      expect(c.searchMask.country).toBe(c.code);
      for (const t of c.searchMask.traits) {
        expect(t.labelFr).not.toMatch(/^label\./);
        expect(t.helpFr).toMatch(/carte|passeport|carnet/);
      }
    }
  });

  it('points endpoints at the simulator', () => {
    expect(registry.get('HR')?.endpoints).toEqual({
      xcpd: 'http://127.0.0.1:9999/HR/xcpd', xcaQuery: 'http://127.0.0.1:9999/HR/xca', xcaRetrieve: 'http://127.0.0.1:9999/HR/xca',
    });
    expect(registry.get('HR')?.simulated).toBe(true);
  });

  it('finds countries case-insensitively and by home community id', () => {
    expect(registry.get('hr')?.nameFr).toBe('Croatie');
    expect(registry.get(' pt ')?.code).toBe('PT');
    expect(registry.get('FR')).toBeUndefined();
    expect(registry.get('')).toBeUndefined();
    expect(() => registry.require('ZZ')).toThrow(UnknownCountryError);
    const hr = registry.require('HR');
    expect(registry.byHomeCommunityId(`urn:oid:${hr.homeCommunityId}`)?.code).toBe('HR');
  });

  it('validates traits: a good Croatian MBO passes', () => {
    const oid = registry.require('HR').searchMask.traits[0].domainOid;
    expect(oid).toBe('2.16.17.710.840.1000.990.1');
    expect(registry.validateTraits('HR', { [oid]: '157601853' })).toEqual([]);
    expect(registry.validateTraits('HR', { [`urn:oid:${oid}`]: ' 157601853 ' })).toEqual([]);
  });

  it('is built from the configuration (countries file, simulator address)', () => {
    const settings: Record<string, unknown> = { 'simulator.host': '127.0.0.1', 'simulator.port': 9123 };
    const config = { get: (key: string) => settings[key] as string | number | undefined };
    expect(countryRegistryFromConfig(config).require('MT').endpoints.xcpd).toBe('http://127.0.0.1:9123/MT/xcpd');
    expect(countryRegistryFromConfig(config, 'http://127.0.0.1:4000').require('MT').endpoints.xcaQuery).toBe('http://127.0.0.1:4000/MT/xca');
  });

  it('names the failing trait: missing, wrong format, unknown OID', () => {
    const oid = registry.require('HR').searchMask.traits[0].domainOid;
    expect(registry.validateTraits('HR', {})).toEqual([expect.objectContaining({ code: 'required', trait: 'healthInsuranceNumber', domainOid: oid })]);
    const bad = registry.validateTraits('HR', { [oid]: '15760185X' });
    expect(bad).toEqual([expect.objectContaining({ code: 'pattern', trait: 'healthInsuranceNumber' })]);
    expect(bad[0].message).toContain('MBO');
    expect(registry.validateTraits('HR', { [oid]: '157601853', '1.2.3': 'x' }).map((p) => p.code)).toEqual(['unknown-trait']);
    expect(() => registry.validateTraits('XX', {})).toThrow(UnknownCountryError);
    expect(registry.validateTraits('HR', { [oid]: '1'.repeat(5000) }).map((p) => p.code)).toEqual(['too-long']);
  });

  it('checks each of several traits (Spain, Italy)', () => {
    const es = registry.require('ES').searchMask.traits.map((t) => t.domainOid);
    expect(registry.validateTraits('ES', { [es[0]]: 'BBBBBBBBQR648597' }).map((p) => [p.code, p.domainOid])).toEqual([['required', es[1]]]);
    expect(registry.validateTraits('ES', { [es[0]]: 'BBBBBBBBQR648597', [es[1]]: '12345' }).map((p) => p.code)).toEqual(['pattern']);
    const it_ = registry.require('IT').searchMask.traits.map((t) => t.domainOid);
    expect(registry.validateTraits('IT', { [it_[0]]: 'RSSMRA85T10A562S', [it_[1]]: '12345' })).toEqual([]);
  });
});

describe('operator countries file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'countries-'));
  const write = (name: string, content: unknown): string => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('overrides endpoints and home community id of a shipped country, and adds a new one with its mask', () => {
    write('FR.xml', '<patientSearch><country code="FR"><searchFields><id domain="1.2.250.1.213.1.4.8" label="label.ism.nationalSocialSecurityNumber" min="15" max="15"/></searchFields></country></patientSearch>');
    const file = write('countries.json', {
      countries: [
        { code: 'hr', homeCommunityId: 'urn:oid:1.2.3.4.5', endpoints: { xcpd: 'https://ncp.example.hr/xcpd', xcaQuery: 'https://ncp.example.hr/xca-q', xcaRetrieve: 'https://ncp.example.hr/xca-r' } },
        { code: 'FR', nameFr: 'France', homeCommunityId: '1.2.250.1', searchMask: 'FR.xml' },
      ],
    });
    const registry = loadCountryRegistry({ countriesFile: file });
    expect(registry.require('HR')).toMatchObject({ homeCommunityId: '1.2.3.4.5', simulated: false, endpoints: { xcaRetrieve: 'https://ncp.example.hr/xca-r' } });
    expect(registry.require('HR').searchMask.traits[0].labelFr).toBe("Numéro d'assuré (MBO)");
    const fr = registry.require('FR');
    expect(fr.endpoints.xcpd).toBe('http://127.0.0.1:8090/FR/xcpd');
    expect(fr.searchMask.traits[0]).toMatchObject({ minLength: 15, labelFr: 'Numéro de sécurité sociale' });
    expect(registry.validateTraits('FR', { '1.2.250.1.213.1.4.8': '123' }).map((p) => p.code)).toEqual(['too-short']);
  });

  it.each([
    ['not JSON', '{', /JSON/],
    ['no countries array', { list: [] }, /countries/],
    ['a bad code', { countries: [{ code: 'HRV' }] }, /two-letter/],
    ['a bad endpoint', { countries: [{ code: 'HR', endpoints: { xcpd: 'ftp://x' } }] }, /http/],
    ['an unknown endpoint', { countries: [{ code: 'HR', endpoints: { pdq: 'http://x' } }] }, /unknown endpoint/],
    ['a bad OID', { countries: [{ code: 'HR', homeCommunityId: 'abc' }] }, /OID/],
    ['an incomplete new country', { countries: [{ code: 'DE', nameFr: 'Allemagne' }] }, /new country/],
  ])('refuses %s with a CountryConfigError', (name, content, message) => {
    const file = write(`${name.replace(/\W/g, '_')}.json`, content);
    expect(() => loadCountryRegistry({ countriesFile: file })).toThrow(CountryConfigError);
    expect(() => loadCountryRegistry({ countriesFile: file })).toThrow(message);
  });
});
