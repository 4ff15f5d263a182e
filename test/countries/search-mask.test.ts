import { readdirSync, readFileSync } from 'node:fs';
import { parseSearchMask, SearchMaskError } from '../../src/ehdsi/countries/index.js';
import { regexFromIsm, regexFromLetterMask } from '../../src/ehdsi/countries/search-mask.js';
import { projectPath } from '../../src/util/project.js';

const masksDir = projectPath('conformance', 'search-masks');
const SEED = ['HR', 'MT', 'PT', 'CZ', 'ES', 'EE', 'LU', 'CY', 'GR', 'IE', 'IT', 'LV', 'SI'];

describe('shipped search masks', () => {
  const files = readdirSync(masksDir).filter((f) => f.endsWith('.xml'));

  it('exist for every seed country', () => {
    expect(files.map((f) => /_([A-Z]{2})\.xml$/.exec(f)?.[1]).sort()).toEqual([...SEED].sort());
  });

  it.each(files)('%s parses as the 2020 generation with required, anchored traits', (file) => {
    const mask = parseSearchMask(readFileSync(`${masksDir}/${file}`, 'utf8'), { source: file });
    expect(file).toContain(`_${mask.country}.xml`);
    expect(mask.generation).toBe('ism');
    expect(mask.traits.length).toBeGreaterThan(0);
    for (const t of mask.traits) {
      expect(t.required).toBe(true);
      expect(t.domainOid).toMatch(/^[0-2](\.\d+)+$/);
      expect(t.pattern).toMatch(/^\^\(\?:.*\)\$$/);
      expect(t.originalLabel).toBeTruthy();
    }
    expect(mask.demographics.family?.required).toBe(false);
    expect(mask.demographics.birthDate?.format).toBe('YYYY-MM-DD');
    expect(mask.demographics.gender?.pattern).toBeDefined();
  });
});

describe('legacy generation', () => {
  const legacy = `<?xml version="1.0"?>
<patientSearch><country code="xx"><searchFields>
  <id label="patient.search.fiscal.code" min="4" max="4" format="LLNN" domain="1.2.3.4"/>
  <id label="patient.data.region" min="-1" max="-1" domain="1.2.3.5"/>
  <id label="patient.data.other" domain="1.2.3.6"/>
</searchFields>
<validation><field label="patient.search.fiscal.code"/><field label="patient.data.region"/></validation>
<validation><field label="patient.search.fiscal.code"/><field label="patient.data.other"/></validation>
</country></patientSearch>`;

  it('reads ids, lengths, letter masks and alternative validations', () => {
    const mask = parseSearchMask(legacy);
    expect(mask).toMatchObject({ country: 'XX', generation: 'legacy' });
    const [fiscal, region, other] = mask.traits;
    expect(fiscal).toMatchObject({ domainOid: '1.2.3.4', minLength: 4, maxLength: 4, pattern: '^[A-Za-z]{2}[0-9]{2}$', required: true, labelFr: 'Code fiscal' });
    expect(region.minLength).toBeUndefined();
    expect(region.required).toBe(false);
    expect(other.required).toBe(false);
  });

  it('takes the country from the caller when the flat variant has none', () => {
    const flat = '<searchFields xmlns="http://ec.europa.eu/sante/ehncp/ism"><id domain="1.2.3" label="ID Card Number" max="11" min="11"/></searchFields>';
    expect(() => parseSearchMask(flat)).toThrow(SearchMaskError);
    const mask = parseSearchMask(flat, { country: 'ee' });
    expect(mask.country).toBe('EE');
    expect(mask.traits[0]).toMatchObject({ minLength: 11, maxLength: 11, required: true, labelFr: 'ID Card Number' });
  });
});

describe('ISM choices and demographics', () => {
  const ism = `<ism:searchFields xmlns:ism="http://ec.europa.eu/sante/ehncp/ism"><ism:country code="ZZ">
  <ism:patientSearch>
    <ism:identifier type="CHOICE">
      <ism:ids display="Regional"><ism:id domain="1.1" label="label.ism.regionalPatientIdentifier" format="^.{1,}$"/><ism:id domain="1.2" label="label.ism.regionIdentifier"/></ism:ids>
      <ism:ids display="National"><ism:id domain="1.3" label="label.ism.passportNumber" format="/^[a-z0-9]+$/i"/></ism:ids>
    </ism:identifier>
    <ism:textField contextualDescription="City" label="label.ism.addressCity" mandatory="true" format="^.+$"/>
    <ism:textField contextualDescription="Hobby" label="label.ism.hobby"/>
  </ism:patientSearch>
  <ism:nextOfKinSearch><ism:identifier type="NORMAL"><ism:id domain="9.9" label="x"/></ism:identifier></ism:nextOfKinSearch>
</ism:country></ism:searchFields>`;

  it('keeps choice groups, folds /…/i literals, maps known text fields and keeps unknown ones', () => {
    const mask = parseSearchMask(ism);
    expect(mask.traits.map((t) => [t.domainOid, t.choiceGroup, t.required])).toEqual([
      ['1.1', 'Regional', false], ['1.2', 'Regional', false], ['1.3', 'National', false],
    ]);
    expect(new RegExp(mask.traits[2].pattern ?? '').test('AB12cd')).toBe(true);
    expect(mask.demographics.city).toMatchObject({ required: true, labelFr: 'Ville' });
    expect(mask.otherFields.map((f) => f.key)).toEqual(['Hobby']);
  });
});

describe('refusals', () => {
  it.each([
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY e "boom">]><patientSearch><country code="HR"><searchFields><id domain="1.2" label="&e;"/></searchFields></country></patientSearch>', /DOCTYPE/],
    ['malformed XML', '<patientSearch><country code="HR">', /malformed/],
    ['no identity trait', '<patientSearch><country code="HR"><searchFields/></country></patientSearch>', /no identity trait/],
    ['a bad OID', '<patientSearch><country code="HR"><searchFields><id domain="urn:x" label="a"/></searchFields></country></patientSearch>', /domain OID/],
    ['a bad length', '<patientSearch><country code="HR"><searchFields><id domain="1.2" min="x"/></searchFields></country></patientSearch>', /not a length/],
    ['an unusable regex', '<patientSearch><country code="HR"><searchFields><id domain="1.2" format="(["/></searchFields></country></patientSearch>', /regular expression/],
    ['another country than expected', '<patientSearch><country code="HR"><searchFields><id domain="1.2"/></searchFields></country></patientSearch>', /expected/],
  ])('refuses %s with a SearchMaskError', (_what, xml, message) => {
    let caught: unknown;
    try {
      parseSearchMask(xml, { country: _what === 'another country than expected' ? 'MT' : undefined });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SearchMaskError);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('format conversion', () => {
  it('turns letter masks and Java-style regexes into anchored JS regexes', () => {
    expect(regexFromLetterMask('LLLLLLNNLNNLNNNL')).toBe('^[A-Za-z]{6}[0-9]{2}[A-Za-z][0-9]{2}[A-Za-z][0-9]{3}[A-Za-z]$');
    const re = new RegExp(regexFromIsm('[0-9]{6}-[0-9]{5}', 't'));
    expect(re.test('010203-12345')).toBe(true);
    expect(re.test('x010203-12345')).toBe(false);
    expect(regexFromIsm('^\\d{11}$', 't')).toBe('^(?:\\d{11})$');
  });
});
