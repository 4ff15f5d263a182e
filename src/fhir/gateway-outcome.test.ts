import { GatewayError } from '../ehdsi/soap/gateway-error.js';
import { EhdsiError } from '../ehdsi/errors/ehdsi-error.js';
import { EHDSI_CODE_SYSTEM, EHDSI_ERRORS, IHE_XCPD_CODE_SYSTEM } from '../ehdsi/errors/ehdsi-errors.js';
import { EHDSI_ANSWERS, ehdsiErrorToOutcome } from './gateway-outcome.js';

// Every code docs/references.md#ehdsi-error-codes names, written out here rather than derived from the table.
const SPEC_CODES = [
  'AnswerNotAvailable', 'ResponderBusy', 'InternalError',
  'AdditionalDemographicsRequested', 'DemographicsQueryNotAllowed', 'PrivacyViolation', 'InsufficientRights', 'PatientAuthenticationRequired', 'PolicyViolation',
  'ERROR_PI_NO_MATCH', 'ERROR_PI_GENERIC', 'ERROR_PI_MULTIPLE_MATCHES',
  '1001', '1002', '1102', '4201', '4202', '4203', '4206', '4701', '4702', '4703', '4704', '4705', 'XDSMissingDocument',
];

describe('eHDSI error table', () => {
  it('has one row for every code of docs/references.md#ehdsi-error-codes, each with French and English messages', () => {
    const codes = EHDSI_ERRORS.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of SPEC_CODES) expect(codes).toContain(code);
    for (const row of EHDSI_ERRORS) {
      expect(row.fr.length).toBeGreaterThan(10);
      expect(row.en.length).toBeGreaterThan(10);
      expect([403, 404, 422, 502]).toContain(EHDSI_ANSWERS[row.code]?.[0]);
    }
  });

  it('puts the IHE XCPD codes in the IHE code system and the others in the eHDSI one', () => {
    const system = (code: string) => EHDSI_ERRORS.find((r) => r.code === code)?.system;
    expect(system('ResponderBusy')).toBe(IHE_XCPD_CODE_SYSTEM);
    expect(system('AdditionalDemographicsRequested')).toBe(EHDSI_CODE_SYSTEM);
    expect(system('4701')).toBe(EHDSI_CODE_SYSTEM);
  });
});

describe('ehdsiErrorToOutcome', () => {
  it('answers a refusal the professional can act on with a 4xx naming the country and the code', () => {
    const answer = ehdsiErrorToOutcome(new EhdsiError('PT', 'xca-query', '4701', 'no consent'));
    expect(answer).toEqual({
      status: 403,
      issue: {
        severity: 'error',
        code: 'forbidden',
        details: { coding: [{ system: EHDSI_CODE_SYSTEM, code: '4701', display: 'The patient has not consented to sharing their data with other countries' }], text: 'Le patient n’a pas consenti au partage de ses données avec d’autres pays (pays : PT)' },
        diagnostics: 'PT: The patient has not consented to sharing their data with other countries (eHDSI 4701)',
      },
    });
    expect(ehdsiErrorToOutcome('ERROR_PI_MULTIPLE_MATCHES', 'HR')).toMatchObject({ status: 422, issue: { code: 'multiple-matches' } });
    expect(ehdsiErrorToOutcome('AdditionalDemographicsRequested', 'HR').status).toBe(422);
  });

  it('answers a gateway-side eHDSI error with 502', () => {
    expect(ehdsiErrorToOutcome('4704', 'MT')).toMatchObject({ status: 502, issue: { code: 'security', diagnostics: expect.stringContaining('MT') } });
    expect(ehdsiErrorToOutcome('9999', 'MT')).toMatchObject({ status: 502, issue: { code: 'exception', details: { coding: [{ code: '9999' }] } } });
  });

  it('marks 1102 (no patient summary) as information, not an error', () => {
    expect(ehdsiErrorToOutcome('1102', 'ES').issue.severity).toBe('information');
  });

  it('answers a timeout with 504 and other gateway failures with 502, naming the country', () => {
    const timeout = ehdsiErrorToOutcome(new GatewayError({ country: 'CZ', kind: 'timeout', message: 'slow' }));
    expect(timeout).toMatchObject({ status: 504, issue: { code: 'timeout', details: { text: expect.stringContaining('CZ') } } });
    for (const kind of ['connection', 'http', 'malformed'] as const) {
      const a = ehdsiErrorToOutcome(new GatewayError({ country: 'CZ', kind, message: 'x', httpStatus: 500 }));
      expect(a.status).toBe(502);
      expect(a.issue.diagnostics).toContain('CZ');
    }
  });

  it('uses the eHDSI code of a SOAP fault when it has one', () => {
    const fault = new GatewayError({ country: 'EE', kind: 'fault', message: 'f', faultCode: 'Sender', faultReason: 'no consent', ehdsiCode: '4701' });
    expect(ehdsiErrorToOutcome(fault)).toMatchObject({ status: 403, issue: { details: { coding: [{ code: '4701' }] } } });
    const generic = new GatewayError({ country: 'EE', kind: 'fault', message: 'f', faultCode: 'Receiver', faultReason: 'boom' });
    expect(ehdsiErrorToOutcome(generic)).toMatchObject({ status: 502, issue: { diagnostics: expect.stringContaining('boom') } });
  });
});
