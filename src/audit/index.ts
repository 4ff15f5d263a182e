export {
  AUDIT_OUTCOMES, AUDIT_SUBTYPES, EHDSI_TRANSACTIONS, InvalidAuditRecordError, assertAuditRecord,
  OPERATOR_OWNER, UNIDENTIFIED, UNIDENTIFIED_AGENT, auditableAddress, auditableClientId, isSecuritySubtype,
  type AuditAction, type AuditAgent, type AuditOutcome, type AuditRecord, type AuditSubtype, type EhdsiTransaction,
  type PracticeSituation, type RestfulInteraction,
} from '../store/audit-record.js';
export { AUDIT_SYSTEMS, toAuditEvent } from './audit-event.js';
export {
  AuditTrail, AuditWriteError, classifyByStatus, outcomeOfStatus,
  type AuditClassifier, type AuditContext, type AuditEntry, type AuditStore, type AuditTrailOptions,
} from './trail.js';
export { auditFilterFromSearch, dateRange, type QueryValue } from './search.js';
