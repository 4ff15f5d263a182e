// Parses every InternationalSearchMask of the public samples (both generations).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSearchMask, type SearchMask } from '../../src/ehdsi/countries/index.js';

const samples = process.env.EHDSI_SAMPLES;
if (!samples) throw new Error('EHDSI_SAMPLES is not set: run with npm run test:corpus -- <folder>');
const dir = path.join(samples, 'search-masks');
const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));

function load(file: string): SearchMask {
  const country = /_([A-Z]{2})(_|\.)/.exec(file)?.[1];
  return parseSearchMask(readFileSync(path.join(dir, file), 'utf8'), { source: file, country });
}

describe('public search masks', () => {
  it('are there, in both generations', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    const generations = new Set(files.map((f) => load(f).generation));
    expect(generations).toEqual(new Set(['legacy', 'ism']));
  });

  it.each(files)('%s parses into at least one trait with an OID', (file) => {
    const mask = load(file);
    expect(mask.traits.length).toBeGreaterThan(0);
    for (const t of mask.traits) expect(t.domainOid).toMatch(/^[0-2](\.\d+)+$/);
    for (const t of mask.traits) if (t.pattern) expect(() => new RegExp(t.pattern as string)).not.toThrow();
  });

  it('reads the facts of a few masks', () => {
    expect(load('InternationalSearch_HR.xml').traits).toEqual([expect.objectContaining({ domainOid: '2.16.17.710.840.1000.990.1', required: true })]);
    const dk = load('InternationalSearch_DK_2020-format.xml');
    expect(dk).toMatchObject({ country: 'DK', generation: 'ism' });
    expect(dk.traits[0]).toMatchObject({ domainOid: '1.2.208.176.1.2', required: true, key: 'nationalIdentityCardNumber' });
    expect(new RegExp(dk.traits[0].pattern as string).test('010203-1234')).toBe(true);
    expect(new RegExp(dk.traits[0].pattern as string).test('0102031234x')).toBe(false);
    const it_ = load('InternationalSearch_IT.xml');
    expect(it_.traits.map((t) => [t.domainOid, t.minLength, t.maxLength])).toEqual([
      ['2.16.840.1.113883.2.9.4.3.2', 16, 16], ['2.16.840.1.113883.2.9.4.1.4', 5, 5],
    ]);
    expect(new RegExp(it_.traits[0].pattern as string).test('RSSMRA85T10A562S')).toBe(true);
    const es = load('InternationalSearch_ES.xml');
    expect(es.traits.map((t) => t.required)).toEqual([true, true]);
    expect(es.traits[1].pattern).toBe('^[0-9]{6}$');
    const at = load('InternationalSearch_AT.xml');
    expect(at.traits.filter((t) => t.choiceGroup).length).toBe(3);
    expect(at.demographics.birthDate?.format).toBe('YYYY-MM-DD');
    expect(at.demographics.city?.required).toBe(true);
    expect(load('InternationalSearch_LT.xml').traits[0].originalLabel).toBe('Asmens kodas');
    expect(load('InternationalSearch_EE.xml').traits[0]).toMatchObject({ minLength: 11, maxLength: 11 });
  });
});
