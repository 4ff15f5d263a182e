/**
 * The schema, as numbered migrations applied in order and recorded in
 * `schema_version`. One logical schema for both databases: the few words that
 * differ are written as tokens ({{timestamp}}, {{serial}}) and filled per dialect.
 * Never edit a migration once released: add the next one.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

const TOKENS: Record<Dialect, Record<string, string>> = {
  // SQLite keeps instants as ISO-8601 UTC text (fixed width, so they sort as text).
  sqlite: { timestamp: 'TEXT', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgres: { timestamp: 'TIMESTAMPTZ', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' },
};

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'discovered patients, consents, audit records',
    statements: [
      `CREATE TABLE discovered_patient (
        handle TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        country TEXT NOT NULL,
        id_root TEXT NOT NULL,
        id_extension TEXT NOT NULL,
        demographics TEXT NOT NULL,
        discovered_at {{timestamp}} NOT NULL,
        updated_at {{timestamp}} NOT NULL,
        UNIQUE (owner, country, id_root, id_extension)
      )`,
      `CREATE TABLE consent (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        patient_handle TEXT NOT NULL REFERENCES discovered_patient (handle),
        purpose TEXT NOT NULL CHECK (purpose IN ('TREATMENT', 'EMERGENCY')),
        trc_assertion_id TEXT NOT NULL,
        trc_expires_at {{timestamp}} NOT NULL,
        trc_assertion TEXT,
        resource TEXT NOT NULL,
        recorded_at {{timestamp}} NOT NULL
      )`,
      'CREATE INDEX consent_by_owner_patient ON consent (owner, patient_handle, recorded_at)',
      // No foreign key on patient_handle: a refused access to a guessed handle is audited too.
      `CREATE TABLE audit_record (
        seq {{serial}},
        id TEXT NOT NULL UNIQUE,
        recorded {{timestamp}} NOT NULL,
        owner TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('C', 'R', 'E')),
        subtype TEXT NOT NULL,
        patient_handle TEXT,
        country TEXT,
        ehdsi_transaction TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'refused', 'client-error', 'gateway-error', 'server-error')),
        outcome_detail TEXT,
        request_id TEXT NOT NULL
      )`,
      'CREATE INDEX audit_by_owner_time ON audit_record (owner, recorded)',
      'CREATE INDEX audit_by_owner_patient_time ON audit_record (owner, patient_handle, recorded)',
    ],
  },
  {
    version: 2,
    description: 'audit records: client id, source address and the document read; the operator lists by time',
    statements: [
      'ALTER TABLE audit_record ADD COLUMN client_id TEXT',
      'ALTER TABLE audit_record ADD COLUMN source_address TEXT',
      'ALTER TABLE audit_record ADD COLUMN document_id TEXT',
      'CREATE INDEX audit_by_time ON audit_record (recorded)',
    ],
  },
  {
    version: 3,
    description: 'web sessions (portal sessions, login transactions) shared by every instance',
    statements: [
      `CREATE TABLE web_session (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        data TEXT NOT NULL,
        expires_at {{timestamp}} NOT NULL,
        PRIMARY KEY (kind, key)
      )`,
      'CREATE INDEX web_session_by_expiry ON web_session (expires_at)',
    ],
  },
];

export const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

export function latestVersion(): number {
  return MIGRATIONS[MIGRATIONS.length - 1].version;
}

/** The statements of a migration in the SQL of one dialect. */
export function statementsFor(migration: Migration, dialect: Dialect): string[] {
  return migration.statements.map((s) => s.replace(/\{\{(\w+)\}\}/g, (_m, token: string) => {
    const word = TOKENS[dialect][token];
    if (word === undefined) throw new Error(`Unknown schema token ${token}`);
    return word;
  }));
}
