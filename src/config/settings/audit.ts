import type { SettingDef } from '../setting-def.js';

/**
 * Settings of the audit trail's export (see src/config/settings.ts): each
 * audit record, once stored, is also sent as a DICOM audit message (IHE ATNA
 * ITI-20) over syslog over TLS to the national contact point's Audit Record
 * Repository. Off while `audit.atna.host` is unset.
 */
export const AUDIT_SETTINGS: readonly SettingDef[] = [
  { key: 'audit.atna.host', env: 'ATNA_HOST', type: 'string', optional: true, description: 'Audit Record Repository (IHE ATNA) to send every audit record to, as a DICOM audit message over syslog (RFC 5424, octet counting) over TLS (RFC 5425). Unset: no export.' },
  { key: 'audit.atna.port', env: 'ATNA_PORT', type: 'port', default: 6514, min: 1, description: 'TLS syslog port of the Audit Record Repository.' },
  { key: 'audit.atna.ca', env: 'ATNA_CA_FILE', type: 'path', optional: true, description: 'PEM bundle of the CAs the repository\'s certificate must chain to (default: the system CAs).' },
  { key: 'audit.atna.cert', env: 'ATNA_CERT_FILE', type: 'path', optional: true, description: 'PEM client certificate presented to the repository (ATNA node authentication), with audit.atna.key.' },
  { key: 'audit.atna.key', env: 'ATNA_KEY_FILE', type: 'path', optional: true, description: 'PEM private key of the client certificate.' },
  { key: 'audit.atna.serverName', env: 'ATNA_SERVER_NAME', type: 'string', optional: true, description: 'Name the repository\'s certificate must carry (TLS SNI and host name check); defaults to audit.atna.host.' },
  { key: 'audit.atna.queueSize', env: 'ATNA_QUEUE_SIZE', type: 'int', default: 10000, min: 1, max: 1000000, description: 'Audit messages kept in memory while the repository cannot be reached; beyond it the oldest are dropped (counted and logged). The store keeps every record whatever happens to the export.' },
  { key: 'audit.atna.sourceId', env: 'ATNA_AUDIT_SOURCE_ID', type: 'string', default: 'ehdsi-fhir-facade', description: 'AuditSourceID of the messages (and syslog APP-NAME); the enterprise site is ehdsi.homeCommunityId.' },
];
