import { auditFilterFromSearch, dateRange } from '../../src/audit/search.js';
import { FhirError } from '../../src/kernel/errors.js';

const iso = (d?: Date) => d?.toISOString();

describe('dateRange: the instants a FHIR date value stands for', () => {
  test.each([
    ['2026', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-02', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['2026-12-31', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    ['2026-03-01T10:15Z', '2026-03-01T10:15:00.000Z', '2026-03-01T10:16:00.000Z'],
    ['2026-03-01T10:15:30+01:00', '2026-03-01T09:15:30.000Z', '2026-03-01T09:15:31.000Z'],
    ['2026-03-01T00:30:00-02:00', '2026-03-01T02:30:00.000Z', '2026-03-01T02:30:01.000Z'],
    ['2026-03-01T10:15:30.250Z', '2026-03-01T10:15:30.250Z', '2026-03-01T10:15:30.251Z'],
  ])('%s', (value, start, end) => {
    const r = dateRange(value);
    expect([iso(r.start), iso(r.end)]).toEqual([start, end]);
  });

  test.each(['2026-13', '2026-02-30', '2027-02-29', '2026-00-10', '2026-03-01T24:00Z', '2026-03-01T10:15', 'yesterday', '26-03-01', '2026-03-01T10:15:30+15:00'])(
    '%s is a 400 naming the date parameter', (value) => {
      let error: unknown;
      try {
        dateRange(value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FhirError);
      expect(error).toMatchObject({ status: 400, issues: [{ expression: ['date'] }] });
    },
  );
});

describe('auditFilterFromSearch', () => {
  test('no parameter, no restriction', () => {
    expect(auditFilterFromSearch({})).toEqual({});
  });

  test('date prefixes bound the recorded instant', () => {
    const f = (date: string | string[]) => {
      const r = auditFilterFromSearch({ date });
      return [iso(r.from), iso(r.to)];
    };
    expect(f('2026-03-01')).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z']);
    expect(f('eq2026-03')).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    expect(f('ge2026-03-01')).toEqual(['2026-03-01T00:00:00.000Z', undefined]);
    expect(f('gt2026-03-01')).toEqual(['2026-03-02T00:00:00.000Z', undefined]);
    expect(f('sa2026-03-01')).toEqual(['2026-03-02T00:00:00.000Z', undefined]);
    expect(f('le2026-03-01')).toEqual([undefined, '2026-03-02T00:00:00.000Z']);
    expect(f('lt2026-03-01')).toEqual([undefined, '2026-03-01T00:00:00.000Z']);
    expect(f('eb2026-03-01')).toEqual([undefined, '2026-03-01T00:00:00.000Z']);
    // Several values are ANDed: the tightest bounds win.
    expect(f(['ge2026-01-01', 'lt2026-02-01', 'ge2026-01-15'])).toEqual(['2026-01-15T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
    expect(f('ge2026-01-01,lt2026-02-01')).toEqual(['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
  });

  test('an unsupported prefix is a 400', () => {
    expect(() => auditFilterFromSearch({ date: 'ne2026-03-01' })).toThrow(/prefix "ne" is not supported/);
    expect(() => auditFilterFromSearch({ date: 'ap2026-03-01' })).toThrow(FhirError);
  });

  test('patient: a reference, an absolute URL or a bare id', () => {
    const h = 'a1b2'.repeat(10);
    expect(auditFilterFromSearch({ patient: `Patient/${h}` })).toEqual({ patientHandle: h });
    expect(auditFilterFromSearch({ patient: `https://facade.example/fhir/Patient/${h}` })).toEqual({ patientHandle: h });
    expect(auditFilterFromSearch({ patient: h })).toEqual({ patientHandle: h });
    expect(() => auditFilterFromSearch({ patient: `Practitioner/${h}` })).toThrow(/Patient reference/);
    expect(() => auditFilterFromSearch({ patient: "x' OR 1=1" })).toThrow(FhirError);
    expect(() => auditFilterFromSearch({ patient: ['Patient/a', 'Patient/b'] })).toThrow(/one patient/);
  });

  test('agent: a Practitioner reference, a token or a bare national id', () => {
    expect(auditFilterFromSearch({ agent: 'Practitioner/810100000001' })).toEqual({ agent: '810100000001' });
    expect(auditFilterFromSearch({ agent: 'urn:oid:1.2.250.1.71.4.2.1|810100000001' })).toEqual({ agent: '810100000001' });
    expect(auditFilterFromSearch({ agent: '810100000001' })).toEqual({ agent: '810100000001' });
    expect(() => auditFilterFromSearch({ agent: 'Organization/1' })).toThrow(/Practitioner reference/);
  });
});
