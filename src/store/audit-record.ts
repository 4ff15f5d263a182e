/**
 * The audit record: what the facade keeps of every call that touches patient
 * data (refused ones included). Codes only, never free patient text, so a
 * record can be shown, exported or logged without leaking a health fact.
 */

/** FHIR AuditEvent.action: C create, R read, E execute (search, operation). */
export type AuditAction = 'C' | 'R' | 'E';

/**
 * success; refused (eligibility, consent, ownership: the professional may not);
 * client-error (a bad request); gateway-error (a country's NCPeH failed or
 * answered an eHDSI error); server-error (this server failed, e.g. storage).
 */
export type AuditOutcome = 'success' | 'refused' | 'client-error' | 'gateway-error' | 'server-error';

export type EhdsiTransaction = 'ITI-55' | 'ITI-38' | 'ITI-39';

/** FHIR restful-interaction codes (http://hl7.org/fhir/restful-interaction) our interactions are. */
export type RestfulInteraction = 'read' | 'search-type' | 'create' | 'operation';

interface SubtypeDef {
  display: string;
  /** The FHIR interaction, when the event is one (AuditEvent.type rest). */
  interaction?: RestfulInteraction;
  action: AuditAction;
  /** A security event (DICOM 110114 User Authentication) rather than a RESTful one. */
  security?: 'user-authentication';
}

/**
 * The interactions of the facade that touch patient data, and what each is in
 * FHIR terms; then the security events: a refused authentication, and a
 * request refused before any processing (malformed, unsupported media type,
 * too large, not acceptable, throttled) that touches no patient data.
 */
export const AUDIT_SUBTYPES = {
  'search-patient': { display: 'Patient search (PDQm ITI-78)', interaction: 'search-type', action: 'E' },
  'match-patient': { display: 'Patient $match (PDQm ITI-119)', interaction: 'operation', action: 'E' },
  'patient-read': { display: 'Read a discovered patient', interaction: 'read', action: 'R' },
  'consent-create': { display: 'Record a consent (TRC assertion)', interaction: 'create', action: 'C' },
  'consent-read': { display: 'Read a consent', interaction: 'read', action: 'R' },
  'consent-search': { display: 'Search consents', interaction: 'search-type', action: 'E' },
  'summary-read': { display: 'Patient summary ($summary)', interaction: 'operation', action: 'E' },
  'document-search': { display: 'Document search (MHD ITI-67)', interaction: 'search-type', action: 'E' },
  'document-read': { display: 'Document retrieve (MHD ITI-68)', interaction: 'read', action: 'R' },
  'document-reference-read': { display: 'Read a document reference (MHD)', interaction: 'read', action: 'R' },
  'audit-read': { display: 'Search own audit events', interaction: 'search-type', action: 'E' },
  authentication: { display: 'User authentication (bearer token, portal login)', action: 'E', security: 'user-authentication' },
  'rejected-request': { display: 'Request refused before processing', action: 'E' },
} as const satisfies Record<string, SubtypeDef>;

/** Subtypes that are security events (audited as DICOM 110114 User Authentication). */
export function isSecuritySubtype(subtype: AuditSubtype): boolean {
  return (AUDIT_SUBTYPES[subtype] as SubtypeDef).security !== undefined;
}

/**
 * Owner of the records no professional may read: failures of anonymous
 * callers (no or refused token). Not a national id, so never a professional's.
 */
export const OPERATOR_OWNER = 'urn:ehdsi-fhir-facade:operator';

/** Agent national id of an unidentified caller (its AuditEvent names no one). */
export const UNIDENTIFIED = 'unidentified';

/** The agent of a record whose caller could not be identified. */
export const UNIDENTIFIED_AGENT: AuditAgent = {
  nationalId: UNIDENTIFIED,
  name: 'Utilisateur non identifié (unidentified user)',
  profession: { code: 'unknown' },
  practiceSituation: { organisationName: '(inconnue)', mode: '' },
};

export type AuditSubtype = keyof typeof AUDIT_SUBTYPES;

export const EHDSI_TRANSACTIONS: Record<EhdsiTransaction, string> = {
  'ITI-55': 'Cross Gateway Patient Discovery',
  'ITI-38': 'Cross Gateway Query',
  'ITI-39': 'Cross Gateway Retrieve',
};

export interface PracticeSituation {
  /** Name of the place of practice (raisonSocialeSite or the organisation). */
  organisationName: string;
  /** Identifier of the site (SIRET, FINESS…) when known. */
  siteId?: string;
  /** Practice mode, TRE_R23 code (L libéral, S salarié, B bénévole). */
  mode: string;
}

export interface AuditAgent {
  /** National id of the professional (PSC SubjectNameID: type digit + RPPS/ADELI). */
  nationalId: string;
  name: string;
  /** Profession, TRE_G15 code and display (e.g. 10 Médecin). */
  profession: { code: string; display?: string };
  practiceSituation: PracticeSituation;
}

export interface AuditRecord {
  /** Unique, a valid FHIR id (the AuditEvent id). */
  id: string;
  recorded: Date;
  /** National id of the professional whose record this is (who may read it back). */
  owner: string;
  agent: AuditAgent;
  action: AuditAction;
  subtype: AuditSubtype;
  /** Opaque handle of the discovered patient (Patient/<handle>), when one is concerned. */
  patientHandle?: string;
  /** ISO 3166-1 alpha-2 country of the patient / contacted NCPeH. */
  country?: string;
  ehdsiTransaction?: EhdsiTransaction;
  outcome: AuditOutcome;
  /** A code (eHDSI error code, eligibility rule code, HTTP status…), never free text. */
  outcomeDetail?: string;
  /** X-Request-Id of the HTTP call, to correlate with technical logs. */
  requestId: string;
  /**
   * OAuth client (azp / client_id) of the access token; for a refused token,
   * what the token claims (read without verifying it).
   */
  clientId?: string;
  /** Network address the request came from (IPv4 or IPv6). */
  sourceAddress?: string;
  /** Id of the document read (DocumentReference and Binary ids are the same), so the trail says which of a patient's documents was seen. */
  documentId?: string;
}

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'refused', 'client-error', 'gateway-error', 'server-error'];
const ACTIONS: readonly AuditAction[] = ['C', 'R', 'E'];
const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;
/** Codes and identifiers: no spaces, so no sentence of patient text fits. */
const CODE = /^[A-Za-z0-9._:/@^&|-]{1,128}$/;
const COUNTRY = /^[A-Z]{2}$/;
/** An IPv4 or IPv6 address (IPv4-mapped included): hex digits, dots and colons only. */
const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

/** Thrown for a record the code built wrongly (a programming error, not a user error). */
export class InvalidAuditRecordError extends TypeError {
  constructor(readonly field: string, reason: string) {
    super(`Invalid audit record: ${field} ${reason}`);
    this.name = 'InvalidAuditRecordError';
  }
}

function check(ok: boolean, field: string, reason: string): void {
  if (!ok) throw new InvalidAuditRecordError(field, reason);
}

const isText = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Checks a record before it is stored; throws InvalidAuditRecordError naming the field. */
export function assertAuditRecord(r: AuditRecord): void {
  check(typeof r.id === 'string' && FHIR_ID.test(r.id), 'id', 'must be a FHIR id');
  check(r.recorded instanceof Date && !Number.isNaN(r.recorded.getTime()), 'recorded', 'must be a valid Date');
  check(isText(r.owner, 64) && CODE.test(r.owner), 'owner', 'must be a national id');
  check(isText(r.agent?.nationalId, 64) && CODE.test(r.agent.nationalId), 'agent.nationalId', 'must be a national id');
  check(isText(r.agent.name), 'agent.name', 'is required');
  check(isText(r.agent.profession?.code, 64), 'agent.profession.code', 'is required');
  check(isText(r.agent.practiceSituation?.organisationName), 'agent.practiceSituation.organisationName', 'is required');
  check(typeof r.agent.practiceSituation.mode === 'string', 'agent.practiceSituation.mode', 'must be a string');
  check(Object.prototype.hasOwnProperty.call(AUDIT_SUBTYPES, r.subtype), 'subtype', 'is not a known interaction');
  check(ACTIONS.includes(r.action), 'action', `must be one of ${ACTIONS.join(', ')}`);
  check(r.patientHandle === undefined || FHIR_ID.test(r.patientHandle), 'patientHandle', 'must be a FHIR id');
  check(r.country === undefined || COUNTRY.test(r.country), 'country', 'must be an ISO 3166-1 alpha-2 code');
  check(r.ehdsiTransaction === undefined || r.ehdsiTransaction in EHDSI_TRANSACTIONS, 'ehdsiTransaction', 'must be ITI-55, ITI-38 or ITI-39');
  check(AUDIT_OUTCOMES.includes(r.outcome), 'outcome', `must be one of ${AUDIT_OUTCOMES.join(', ')}`);
  check(r.outcomeDetail === undefined || CODE.test(r.outcomeDetail), 'outcomeDetail', 'must be a code (no spaces, at most 128 characters)');
  check(isText(r.requestId, 128), 'requestId', 'is required');
  check(r.clientId === undefined || CODE.test(r.clientId), 'clientId', 'must be a client id (no spaces, at most 128 characters)');
  check(r.sourceAddress === undefined || ADDRESS.test(r.sourceAddress), 'sourceAddress', 'must be an IP address');
  check(r.documentId === undefined || FHIR_ID.test(r.documentId), 'documentId', 'must be a FHIR id');
}

/** A value for clientId when it is one (e.g. a claim of an unverified token), else undefined. */
export function auditableClientId(value: unknown): string | undefined {
  return typeof value === 'string' && CODE.test(value) ? value : undefined;
}

/** A value for sourceAddress when it is an IP address, else undefined. */
export function auditableAddress(value: unknown): string | undefined {
  return typeof value === 'string' && ADDRESS.test(value) ? value : undefined;
}
