import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../../src/store/audit-record.js';
import type { NewConsent, NewDiscoveredPatient } from '../../src/store/types.js';

/** A national id unique to the test, so tests sharing a database never see each other's rows. */
export function nationalId(): string {
  return `8${randomUUID().replace(/-/g, '').slice(0, 11)}`;
}

export function patient(owner: string, extension = 'PT-123456789', country = 'PT'): NewDiscoveredPatient {
  return {
    owner,
    country,
    patientId: { root: '2.16.17.710.850.1000.990.1', extension },
    demographics: {
      resourceType: 'Patient',
      name: [{ family: 'Synthetic', given: ['Ana'] }],
      gender: 'female',
      birthDate: '1980-02-29',
    },
  };
}

export function consentInput(owner: string, patientHandle: string, expiresAt: Date, purpose: NewConsent['purpose'] = 'TREATMENT'): NewConsent {
  return {
    owner,
    patientHandle,
    purpose,
    trc: { assertionId: `_${randomUUID()}`, expiresAt, assertion: '<saml2:Assertion ID="x"/>' },
    consent: {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      policy: [{ uri: 'https://example.org/patient-information-notice' }],
      provision: { type: 'permit', period: { start: '2026-01-01T10:00:00Z' } },
    },
  };
}

export function auditRecord(owner: string, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: randomUUID(),
    recorded: new Date(),
    owner,
    agent: {
      nationalId: owner,
      name: 'Dr Test Synthetic',
      profession: { code: '10', display: 'Médecin' },
      practiceSituation: { organisationName: 'Cabinet de test', siteId: '12345678901234', mode: 'L' },
    },
    action: 'E',
    subtype: 'search-patient',
    outcome: 'success',
    requestId: randomUUID(),
    ...over,
  };
}
