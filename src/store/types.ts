import type { AuditRecord } from './audit-record.js';

/** A patient identifier as XCPD returns it (reused in XCA and in the TRC). */
export interface PatientIdentifier {
  root: string;
  extension: string;
}

export interface NewDiscoveredPatient {
  /** National id of the professional who discovered the patient. */
  owner: string;
  /** ISO 3166-1 alpha-2 country of the patient. */
  country: string;
  patientId: PatientIdentifier;
  /** The patient as the facade shows it (FHIR Patient JSON, without id). */
  demographics: fhir4.Patient;
}

export interface DiscoveredPatient extends NewDiscoveredPatient {
  /** Opaque id of the patient for this owner (Patient/<handle>). */
  handle: string;
  discoveredAt: Date;
  /** Last time a discovery returned this patient (demographics are the latest). */
  updatedAt: Date;
}

export type ConsentPurpose = 'TREATMENT' | 'EMERGENCY';

export interface TrcInfo {
  /** ID of the signed TRC assertion. */
  assertionId: string;
  expiresAt: Date;
  /** The signed TRC assertion (XML), so any instance can use it for XCA until it expires. */
  assertion?: string;
}

export interface NewConsent {
  owner: string;
  patientHandle: string;
  /** The Consent as accepted; the store sets id, meta, patient and provision.period.end. */
  consent: fhir4.Consent;
  trc: TrcInfo;
  purpose: ConsentPurpose;
}

export interface StoredConsent {
  id: string;
  owner: string;
  patientHandle: string;
  purpose: ConsentPurpose;
  trc: TrcInfo;
  recordedAt: Date;
  /** Whether the TRC had expired at the time of reading. */
  expired: boolean;
  /**
   * The Consent resource with id, meta.versionId/lastUpdated, patient =
   * Patient/<handle>, provision.period.end = TRC expiry (R4 has no Consent.period); an expired active consent reads
   * back with status "inactive".
   */
  consent: fhir4.Consent;
}

export interface ConsentFilter {
  patientHandle?: string;
  /** The time expiry is judged against (default: now). */
  now?: Date;
}

export interface AuditFilter {
  /** One record by its id (AuditEvent/{id}). */
  id?: string;
  patientHandle?: string;
  /** Inclusive lower bound on `recorded`. */
  from?: Date;
  /** Exclusive upper bound on `recorded`. */
  to?: Date;
  /** National id of the agent. */
  agent?: string;
  /** Newest first; at most `limit` records after skipping `offset`. */
  limit?: number;
  offset?: number;
}

/** The operator's view of the audit trail: every owner's records, the operator's own included. */
export interface OperatorAuditFilter {
  /** Inclusive lower bound on `recorded`. */
  from?: Date;
  /** Exclusive upper bound on `recorded`. */
  to?: Date;
  /** Only these interactions (e.g. authentication). */
  subtypes?: readonly string[];
  /** Oldest first; at most `limit` records. */
  limit?: number;
}

/**
 * Persistence of the facade: discovered patients (opaque handles), consents
 * and audit records. Every read takes the owner (the professional's national
 * id) and returns nothing of another owner's, whatever id it is given.
 * Failures of the storage itself reject with StoreError.
 */
export interface FacadeStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Returns the owner's handle for this patient, the same one on every rediscovery. */
  savePatient(patient: NewDiscoveredPatient): Promise<string>;
  getPatient(owner: string, handle: string): Promise<DiscoveredPatient | undefined>;
  /** Rejects with UnknownPatientError when the handle is not one of the owner's patients. */
  saveConsent(consent: NewConsent, now?: Date): Promise<StoredConsent>;
  getConsent(owner: string, id: string, now?: Date): Promise<StoredConsent | undefined>;
  /** Newest first. */
  listConsents(owner: string, filter?: ConsentFilter): Promise<StoredConsent[]>;
  /** The newest consent for this patient whose TRC has not expired at `now`. */
  activeConsent(owner: string, patientHandle: string, now?: Date): Promise<StoredConsent | undefined>;
  /** Resolves once the record is durably committed. */
  appendAudit(record: AuditRecord): Promise<void>;
  listAudit(owner: string, filter?: AuditFilter): Promise<AuditRecord[]>;
  /** Every owner's records, oldest first: for the operator's command line only, never for a professional. */
  listAuditForOperator(filter?: OperatorAuditFilter): Promise<AuditRecord[]>;
  /**
   * Server-side web sessions (portal sessions, login transactions) by kind and
   * key, shared by every instance on the same database; an expired one is never
   * returned. Keys are what the web layer chooses (a hash of the cookie).
   */
  putWebSession(kind: string, key: string, data: string, expiresAt: Date): Promise<void>;
  getWebSession(kind: string, key: string, now?: Date): Promise<string | undefined>;
  /** Reads and removes at once (one-time values: a login transaction is used once, on one instance). */
  takeWebSession(kind: string, key: string, now?: Date): Promise<string | undefined>;
  deleteWebSession(kind: string, key: string): Promise<void>;
  /** Removes the expired sessions; how many. */
  sweepWebSessions(now?: Date): Promise<number>;
  /** True when the storage answers (for /ready); never rejects. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
