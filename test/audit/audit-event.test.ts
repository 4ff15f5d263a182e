import { toAuditEvent } from '../../src/audit/audit-event.js';
import { AUDIT_OUTCOMES, AUDIT_SUBTYPES, type AuditRecord, type AuditSubtype, type EhdsiTransaction } from '../../src/store/audit-record.js';
import { validateResource } from '../../src/fhir/validation.js';
import { resourceToXml, xmlToResource } from '../../src/fhir/xml.js';
import { auditRecord } from '../store/fixtures.js';

const BASE = 'https://facade.example.fr/fhir';
const OWNER = '810100000001';
const HANDLE = 'f'.repeat(40);

function documentRead(): AuditRecord {
  return auditRecord(OWNER, {
    id: '2b0d4c1e-9a53-4c1f-8d7e-0c1b2a3d4e5f',
    recorded: new Date('2026-03-01T10:00:00.123Z'),
    action: 'R',
    subtype: 'document-read',
    patientHandle: HANDLE,
    country: 'PT',
    ehdsiTransaction: 'ITI-39',
    outcome: 'gateway-error',
    outcomeDetail: '4203',
    requestId: 'req-12345678',
  });
}

test('a document read through ITI-39 becomes a BALP-shaped R4 AuditEvent', () => {
  const event = toAuditEvent(documentRead(), `${BASE}/`);
  expect(validateResource(event)).toEqual([]);
  // The check has teeth: a wrong outcome code or an unknown element is caught.
  expect(validateResource({ ...event, outcome: '3' })).not.toEqual([]);
  expect(validateResource({ ...event, patient: 'x' })).not.toEqual([]);
  expect(event).toMatchObject({
    resourceType: 'AuditEvent',
    id: '2b0d4c1e-9a53-4c1f-8d7e-0c1b2a3d4e5f',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [
      { system: 'http://hl7.org/fhir/restful-interaction', code: 'read' },
      { system: 'urn:ehdsi-fhir-facade:audit-interaction', code: 'document-read' },
      { system: 'urn:ihe:event-type-code', code: 'ITI-39', display: 'Cross Gateway Retrieve' },
    ],
    action: 'R',
    recorded: '2026-03-01T10:00:00.123Z',
    outcome: '8',
    outcomeDesc: 'gateway-error: 4203',
    source: { site: BASE, observer: { identifier: { system: 'urn:ietf:rfc:3986', value: BASE } } },
  });
  const [professional, gateway] = event.agent;
  expect(professional).toMatchObject({
    requestor: true,
    who: { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: OWNER }, display: 'Dr Test Synthetic' },
    location: { display: 'Cabinet de test', identifier: { value: '12345678901234' } },
  });
  expect(professional.role?.map((r) => r.coding?.[0].code)).toEqual(['10', 'L']);
  expect(gateway).toMatchObject({ requestor: false, who: { display: 'NCPeH PT' } });
  const patient = event.entity?.find((e) => e.role?.code === '1');
  expect(patient).toMatchObject({ what: { reference: `Patient/${HANDLE}` }, detail: [{ type: 'country', valueString: 'PT' }] });
  expect(event.entity?.some((e) => e.what?.identifier?.value === 'req-12345678')).toBe(true);
});

test('every interaction, outcome and transaction gives a valid R4 AuditEvent', () => {
  const transactions: (EhdsiTransaction | undefined)[] = [undefined, 'ITI-55', 'ITI-38', 'ITI-39'];
  let n = 0;
  for (const subtype of Object.keys(AUDIT_SUBTYPES) as AuditSubtype[]) {
    for (const outcome of AUDIT_OUTCOMES) {
      for (const ehdsiTransaction of transactions) {
        const r = auditRecord(OWNER, { subtype, action: AUDIT_SUBTYPES[subtype].action, outcome, ehdsiTransaction });
        if (n % 2) Object.assign(r, { patientHandle: HANDLE, country: 'MT' });
        if (n % 3 === 0) r.agent = { ...r.agent, profession: { code: '60' }, practiceSituation: { organisationName: 'CH', mode: '' } };
        const event = toAuditEvent(r, BASE);
        expect({ subtype, outcome, ehdsiTransaction, issues: validateResource(event) }).toEqual({ subtype, outcome, ehdsiTransaction, issues: [] });
        expect(event.action).toBe(AUDIT_SUBTYPES[subtype].action);
        n++;
      }
    }
  }
  expect(n).toBe(Object.keys(AUDIT_SUBTYPES).length * AUDIT_OUTCOMES.length * 4);
});

test('outcome codes: 0 success, 4 refused or client error, 8 gateway error, 12 server error', () => {
  const code = (outcome: AuditRecord['outcome']) => toAuditEvent(auditRecord(OWNER, { outcome }), BASE).outcome;
  expect([code('success'), code('refused'), code('client-error'), code('gateway-error'), code('server-error')]).toEqual(['0', '4', '4', '8', '12']);
  const refused = toAuditEvent(auditRecord(OWNER, { outcome: 'refused', outcomeDetail: 'eligibility.SM25' }), BASE);
  expect(refused.outcomeDesc).toBe('refused: eligibility.SM25');
  expect(toAuditEvent(auditRecord(OWNER), BASE).outcomeDesc).toBeUndefined();
});

test('no patient entity when no patient or country is concerned; the agent carries no practice mode when empty', () => {
  const r = auditRecord(OWNER, { subtype: 'audit-read' });
  r.agent = { ...r.agent, practiceSituation: { organisationName: 'Hôpital', mode: '' } };
  const event = toAuditEvent(r, BASE);
  expect(event.entity?.map((e) => e.type?.code)).toEqual(['2']);
  expect(event.agent).toHaveLength(1);
  expect(event.agent[0].role).toHaveLength(1);
  expect(event.agent[0].location).toEqual({ display: 'Hôpital' });
});

test('the AuditEvent survives the FHIR XML round trip', () => {
  const event = toAuditEvent(documentRead(), BASE);
  expect(xmlToResource(resourceToXml(event))).toEqual(event);
});
