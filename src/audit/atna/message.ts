/**
 * An audit record as a DICOM audit message (DICOM PS3.15 A.5, the RFC 3881
 * successor IHE ATNA's Record Audit Event [ITI-20] carries): one
 * EventIdentification, the active participants (the professional or the
 * unidentified caller with its network address, the client software, this
 * server, the contacted country's gateway), the AuditSourceIdentification,
 * then the participant objects (the patient's handle, the HTTP request id).
 * Only what the record holds: codes, handles and identifiers of the
 * professional, never patient data.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { AUDIT_SUBTYPES, EHDSI_TRANSACTIONS, isSecuritySubtype, UNIDENTIFIED, type AuditOutcome, type AuditRecord } from '../../store/audit-record.js';

export interface AtnaSource {
  /** AuditSourceID (this server). */
  sourceId: string;
  /** AuditEnterpriseSiteID (France's home community id). */
  enterpriseSiteId?: string;
}

interface Code {
  code: string;
  system: string;
  text: string;
}

const DCM = 'DCM';
const OUTCOME_INDICATOR: Record<AuditOutcome, string> = {
  success: '0', refused: '4', 'client-error': '4', 'gateway-error': '8', 'server-error': '12',
};
const TRE_G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';

/** DICOM Audit Event ID (CID 400) of a record. */
function eventIdOf(r: AuditRecord): Code {
  if (isSecuritySubtype(r.subtype)) return { code: '110114', system: DCM, text: 'User Authentication' };
  if (r.subtype === 'audit-read') return { code: '110101', system: DCM, text: 'Audit Log Used' };
  if (r.ehdsiTransaction === 'ITI-39') return { code: '110107', system: DCM, text: 'Import' };
  if (r.ehdsiTransaction || r.action === 'E') return { code: '110112', system: DCM, text: 'Query' };
  return { code: '110110', system: DCM, text: 'Patient Record' };
}

function eventTypesOf(r: AuditRecord): Code[] {
  const types: Code[] = [];
  if (isSecuritySubtype(r.subtype)) types.push({ code: '110122', system: DCM, text: 'Login' });
  if (r.ehdsiTransaction) types.push({ code: r.ehdsiTransaction, system: 'IHE Transactions', text: EHDSI_TRANSACTIONS[r.ehdsiTransaction] });
  types.push({ code: r.subtype, system: 'urn:ehdsi-fhir-facade:audit-interaction', text: AUDIT_SUBTYPES[r.subtype].display });
  return types;
}

function coded(parent: XMLBuilder, name: string, c: Code): void {
  parent.ele(name, { 'csd-code': c.code, codeSystemName: c.system, originalText: c.text });
}

function participant(msg: XMLBuilder, attrs: Record<string, string | undefined>, roles: Code[]): void {
  const defined = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const p = msg.ele('ActiveParticipant', defined);
  for (const role of roles) coded(p, 'RoleIDCode', role);
}

/** The DICOM audit message of a record (UTF-8 XML with its declaration). */
export function toDicomAuditMessage(r: AuditRecord, source: AtnaSource): string {
  const msg = create({ version: '1.0', encoding: 'UTF-8' }).ele('AuditMessage');
  const event = msg.ele('EventIdentification', {
    EventActionCode: r.action,
    EventDateTime: r.recorded.toISOString(),
    EventOutcomeIndicator: OUTCOME_INDICATOR[r.outcome],
  });
  coded(event, 'EventID', eventIdOf(r));
  for (const t of eventTypesOf(r)) coded(event, 'EventTypeCode', t);
  if (r.outcome !== 'success' || r.outcomeDetail) event.ele('EventOutcomeDescription').txt(r.outcomeDetail ? `${r.outcome}: ${r.outcomeDetail}` : r.outcome);

  // The requestor: the professional, or the caller nobody could identify.
  const network = r.sourceAddress ? { NetworkAccessPointID: r.sourceAddress, NetworkAccessPointTypeCode: '2' } : {};
  const identified = r.agent.nationalId !== UNIDENTIFIED;
  participant(msg, {
    UserID: r.agent.nationalId,
    ...(identified ? { UserName: r.agent.name } : {}),
    UserIsRequestor: 'true',
    ...network,
  }, identified && r.agent.profession.code !== 'unknown'
    ? [{ code: r.agent.profession.code, system: TRE_G15, text: r.agent.profession.display ?? r.agent.profession.code }]
    : [{ code: '110153', system: DCM, text: 'Source Role ID' }]);
  if (r.clientId) participant(msg, { UserID: r.clientId, UserIsRequestor: 'false' }, [{ code: '110150', system: DCM, text: 'Application' }]);
  // This server: what the professional's software called, and what called the country's gateway.
  participant(msg, { UserID: source.sourceId, UserIsRequestor: 'false' }, [
    r.ehdsiTransaction ? { code: '110153', system: DCM, text: 'Source Role ID' } : { code: '110152', system: DCM, text: 'Destination Role ID' },
  ]);
  if (r.ehdsiTransaction && r.country) {
    participant(msg, { UserID: `NCPeH-${r.country}`, UserIsRequestor: 'false' }, [{ code: '110152', system: DCM, text: 'Destination Role ID' }]);
  }

  msg.ele('AuditSourceIdentification', {
    ...(source.enterpriseSiteId ? { AuditEnterpriseSiteID: source.enterpriseSiteId } : {}),
    AuditSourceID: source.sourceId,
  }).ele('AuditSourceTypeCode', { 'csd-code': '4' });

  if (r.patientHandle || r.country) {
    const patient = msg.ele('ParticipantObjectIdentification', {
      ParticipantObjectID: r.patientHandle ?? 'unknown',
      ParticipantObjectTypeCode: '1',
      ParticipantObjectTypeCodeRole: '1',
    });
    coded(patient, 'ParticipantObjectIDTypeCode', { code: '2', system: 'RFC-3881', text: 'Patient Number' });
    // The facade's opaque handle, not a name: nothing of the patient's identity.
    patient.ele('ParticipantObjectName').txt(r.patientHandle ? `Patient/${r.patientHandle}` : 'Patient');
    if (r.country) patient.ele('ParticipantObjectDetail', { type: 'country', value: Buffer.from(r.country).toString('base64') });
  }
  const request = msg.ele('ParticipantObjectIdentification', { ParticipantObjectID: r.requestId, ParticipantObjectTypeCode: '2' });
  coded(request, 'ParticipantObjectIDTypeCode', { code: 'request-id', system: 'urn:ehdsi-fhir-facade', text: 'HTTP request id' });
  request.ele('ParticipantObjectName').txt('X-Request-Id');
  return msg.end({ prettyPrint: false });
}
