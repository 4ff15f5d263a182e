export type {
  AuditFilter, ConsentFilter, ConsentPurpose, DiscoveredPatient, FacadeStore, NewConsent, NewDiscoveredPatient,
  PatientIdentifier, StoredConsent, TrcInfo,
} from './types.js';
export { StoreError, UnknownPatientError } from './errors.js';
export { isFhirId, newOpaqueId } from './ids.js';
export { openStore, SQLITE_FILE_NAME } from './open-store.js';
export { SqliteStore } from './sqlite-store.js';
export { PostgresStore, type PostgresOptions } from './postgres-store.js';
