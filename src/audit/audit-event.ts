import { AUDIT_SUBTYPES, EHDSI_TRANSACTIONS, isSecuritySubtype, UNIDENTIFIED, type AuditOutcome, type AuditRecord } from '../store/audit-record.js';

/** Code systems of the AuditEvent (FHIR R4 terminology, DICOM, IHE, French national nomenclatures). */
export const AUDIT_SYSTEMS = {
  eventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  restfulInteraction: 'http://hl7.org/fhir/restful-interaction',
  iheTransaction: 'urn:ihe:event-type-code',
  /** The facade's own names of its interactions (search-patient, summary-read…). */
  facadeInteraction: 'urn:ehdsi-fhir-facade:audit-interaction',
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  nationalId: 'urn:oid:1.2.250.1.71.4.2.1',
  profession: 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante',
  practiceMode: 'https://mos.esante.gouv.fr/NOS/TRE_R23-ModeExercice/FHIR/TRE-R23-ModeExercice',
  uri: 'urn:ietf:rfc:3986',
  requestId: 'urn:ehdsi-fhir-facade:request-id',
  /** OAuth client ids (azp) of Pro Santé Connect access tokens. */
  clientId: 'urn:ehdsi-fhir-facade:oauth-client-id',
  networkType: 'http://hl7.org/fhir/network-type',
} as const;

/**
 * AuditEvent.outcome: 0 success, 4 minor failure (the request was refused or
 * invalid), 8 serious failure (a gateway failed), 12 major failure (this server failed).
 */
const OUTCOME_CODE: Record<AuditOutcome, fhir4.AuditEvent['outcome']> = {
  success: '0',
  refused: '4',
  'client-error': '4',
  'gateway-error': '8',
  'server-error': '12',
};

const PRACTICE_MODES: Record<string, string> = { L: 'Libéral', S: 'Salarié', B: 'Bénévole' };

/** The caller's network address (AuditEvent.agent.network, type 2 = IP address). */
function networkOf(record: AuditRecord): Pick<fhir4.AuditEventAgent, 'network'> {
  return record.sourceAddress ? { network: { address: record.sourceAddress, type: '2' } } : {};
}

function agentOf(record: AuditRecord): fhir4.AuditEventAgent {
  const { agent } = record;
  if (agent.nationalId === UNIDENTIFIED) {
    // Nobody could be identified: no identifier, the address the attempt came from.
    return {
      type: { coding: [{ system: AUDIT_SYSTEMS.dicom, code: '110153', display: 'Source Role ID' }] },
      who: { display: 'unidentified user' },
      requestor: true,
      ...networkOf(record),
    };
  }
  const roles: fhir4.CodeableConcept[] = [
    { coding: [{ system: AUDIT_SYSTEMS.profession, code: agent.profession.code, ...(agent.profession.display && { display: agent.profession.display }) }] },
  ];
  const mode = agent.practiceSituation.mode;
  if (mode) roles.push({ coding: [{ system: AUDIT_SYSTEMS.practiceMode, code: mode, ...(PRACTICE_MODES[mode] && { display: PRACTICE_MODES[mode] }) }] });
  const site = agent.practiceSituation;
  return {
    // The professional reads the information: "information recipient", as in IHE BALP.
    type: { coding: [{ system: AUDIT_SYSTEMS.participationType, code: 'IRCP', display: 'information recipient' }] },
    role: roles,
    who: { identifier: { system: AUDIT_SYSTEMS.nationalId, value: agent.nationalId }, display: agent.name },
    requestor: true,
    location: { display: site.organisationName, ...(site.siteId && { identifier: { value: site.siteId } }) },
    ...networkOf(record),
  };
}

/** The client software (the EHR) the access token was issued to. */
function clientAgent(clientId: string): fhir4.AuditEventAgent {
  return {
    type: { coding: [{ system: AUDIT_SYSTEMS.dicom, code: '110150', display: 'Application' }] },
    who: { identifier: { system: AUDIT_SYSTEMS.clientId, value: clientId } },
    requestor: false,
  };
}

function gatewayAgent(country: string): fhir4.AuditEventAgent {
  return {
    type: { coding: [{ system: AUDIT_SYSTEMS.dicom, code: '110152', display: 'Destination Role ID' }] },
    who: { display: `NCPeH ${country}` },
    requestor: false,
  };
}

function subtypesOf(record: AuditRecord): fhir4.Coding[] {
  const def: { display: string; interaction?: string } = AUDIT_SUBTYPES[record.subtype];
  const codings: fhir4.Coding[] = [];
  if (isSecuritySubtype(record.subtype)) codings.push({ system: AUDIT_SYSTEMS.dicom, code: '110122', display: 'Login' });
  if (def.interaction) codings.push({ system: AUDIT_SYSTEMS.restfulInteraction, code: def.interaction });
  codings.push({ system: AUDIT_SYSTEMS.facadeInteraction, code: record.subtype, display: def.display });
  if (record.ehdsiTransaction) {
    codings.push({ system: AUDIT_SYSTEMS.iheTransaction, code: record.ehdsiTransaction, display: EHDSI_TRANSACTIONS[record.ehdsiTransaction] });
  }
  return codings;
}

function patientEntity(record: AuditRecord): fhir4.AuditEventEntity {
  const entity: fhir4.AuditEventEntity = {
    type: { system: AUDIT_SYSTEMS.entityType, code: '1', display: 'Person' },
    role: { system: AUDIT_SYSTEMS.objectRole, code: '1', display: 'Patient' },
  };
  if (record.patientHandle) entity.what = { reference: `Patient/${record.patientHandle}` };
  // The patient's country of affiliation: the NCPeH the request went to.
  if (record.country) entity.detail = [{ type: 'country', valueString: record.country }];
  return entity;
}

function outcomeDescription(record: AuditRecord): string | undefined {
  if (record.outcome === 'success' && !record.outcomeDetail) return undefined;
  return record.outcomeDetail ? `${record.outcome}: ${record.outcomeDetail}` : record.outcome;
}

/**
 * The FHIR R4 AuditEvent of a record, shaped like IHE BALP's RESTful events:
 * type `rest`, subtype the FHIR interaction, the facade's interaction and the
 * eHDSI transaction (urn:ihe:event-type-code); the professional as requesting
 * agent (national id, profession, practice mode, place of practice); the
 * contacted NCPeH as destination agent; this server as source observer; the
 * patient (Patient/<handle>) and its country as entity.
 * `baseUrl` is this server's FHIR base (e.g. https://facade.example/fhir).
 */
export function toAuditEvent(record: AuditRecord, baseUrl: string): fhir4.AuditEvent {
  const base = baseUrl.replace(/\/+$/, '');
  const event: fhir4.AuditEvent = {
    resourceType: 'AuditEvent',
    id: record.id,
    // A record is never changed: version 1 is the record itself (AuditEvent/{id}/_history/1).
    meta: { versionId: '1', lastUpdated: record.recorded.toISOString() },
    // A security event is DICOM's User Authentication (R4 AuditEvent.type value set: audit-event-type + DCM codes).
    type: isSecuritySubtype(record.subtype)
      ? { system: AUDIT_SYSTEMS.dicom, code: '110114', display: 'User Authentication' }
      : { system: AUDIT_SYSTEMS.eventType, code: 'rest', display: 'RESTful Operation' },
    subtype: subtypesOf(record),
    action: record.action,
    recorded: record.recorded.toISOString(),
    outcome: OUTCOME_CODE[record.outcome],
    agent: [agentOf(record)],
    source: {
      site: base,
      observer: { identifier: { system: AUDIT_SYSTEMS.uri, value: base }, display: 'eHDSI FHIR facade' },
      type: [{ system: AUDIT_SYSTEMS.sourceType, code: '4', display: 'Application Server' }],
    },
    entity: [],
  };
  const desc = outcomeDescription(record);
  if (desc) event.outcomeDesc = desc;
  if (record.clientId) event.agent.push(clientAgent(record.clientId));
  if (record.ehdsiTransaction && record.country) event.agent.push(gatewayAgent(record.country));
  if (record.patientHandle || record.country) event.entity!.push(patientEntity(record));
  // Which of the patient's documents was read (the original or a French one).
  if (record.documentId) {
    event.entity!.push({
      what: { reference: `DocumentReference/${record.documentId}` },
      type: { system: AUDIT_SYSTEMS.entityType, code: '2', display: 'System Object' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3', display: 'Report' },
      description: 'document',
    });
  }
  // The HTTP request, so an operator can join the event with the technical logs.
  event.entity!.push({
    what: { identifier: { system: AUDIT_SYSTEMS.requestId, value: record.requestId } },
    type: { system: AUDIT_SYSTEMS.entityType, code: '2', display: 'System Object' },
    description: 'HTTP request id',
  });
  return event;
}
