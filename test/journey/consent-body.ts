import { JOURNEY_CANONICALS } from '../../src/journey/index.js';

/** A complete Consent as an EHR would send it after the patient's agreement. */
export function consentBody(serverUrl: string, patientId: string, nationalId: string, purpose: 'TREAT' | 'ETREAT' = 'TREAT'): fhir4.Consent {
  const kind = (code: string): fhir4.Extension[] => [{ url: JOURNEY_CANONICALS.verificationKind, valueCode: code }];
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patientId}` },
    performer: [{ reference: `Practitioner/psc-${nationalId}` }],
    policy: [{ uri: `${serverUrl}/pin/fr` }],
    provision: { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: purpose }] },
    verification: [
      { extension: kind('identity-checked'), verified: true, verifiedWith: { reference: `Patient/${patientId}` } },
      { extension: kind('consent-obtained'), verified: true, verifiedWith: { reference: `Patient/${patientId}` } },
    ],
  };
}
