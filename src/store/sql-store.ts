import { assertAuditRecord, type AuditRecord } from './audit-record.js';
import { StoreError, UnknownPatientError } from './errors.js';
import { isFhirId, newOpaqueId } from './ids.js';
import { MIGRATIONS, SCHEMA_VERSION_TABLE, latestVersion, statementsFor } from './migrations.js';
import { optionalString, toDate, type Row, type SqlDriver } from './sql.js';
import type {
  AuditFilter, ConsentFilter, ConsentPurpose, DiscoveredPatient, FacadeStore, NewConsent, NewDiscoveredPatient, OperatorAuditFilter, StoredConsent,
} from './types.js';

/** Brings the schema up to date; refuses a database written by a newer version. */
export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.exclusive(async (tx) => {
    await tx.run(SCHEMA_VERSION_TABLE);
    const [row] = await tx.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
    const current = Number(row?.v ?? 0);
    if (current > latestVersion()) {
      throw new StoreError('open', `the database schema (version ${current}) is newer than this server's (${latestVersion()})`);
    }
    for (const m of MIGRATIONS.filter((x) => x.version > current)) {
      for (const sql of statementsFor(m, driver.dialect)) await tx.run(sql);
      await tx.run('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)', [m.version, m.description, new Date().toISOString()]);
    }
  });
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${field} is required`);
}

const CONSENT_COLUMNS = 'id, owner, patient_handle, purpose, trc_assertion_id, trc_expires_at, trc_assertion, resource, recorded_at';
/** The audit records' time filter, as SQL conditions and their parameters. */
function recordedWithin(filter: { from?: Date; to?: Date }, where: string[], params: unknown[]): void {
  if (filter.from) {
    where.push('recorded >= ?');
    params.push(filter.from);
  }
  if (filter.to) {
    where.push('recorded < ?');
    params.push(filter.to);
  }
}

const AUDIT_COLUMNS = 'id, recorded, owner, agent, action, subtype, patient_handle, country, ehdsi_transaction, outcome, outcome_detail, request_id, client_id, source_address, document_id';

function consentFromRow(row: Row, now: Date): StoredConsent {
  const expiresAt = toDate(row.trc_expires_at);
  const expired = expiresAt.getTime() <= now.getTime();
  const resource = JSON.parse(String(row.resource)) as fhir4.Consent;
  // The stored status stays what was recorded; expiry is a fact of the read time, and the
  // consent's second version (so a copy cached while it was active is no longer current).
  const consent: fhir4.Consent = expired && resource.status === 'active'
    ? { ...resource, status: 'inactive', meta: { ...resource.meta, versionId: '2', lastUpdated: expiresAt.toISOString() } }
    : resource;
  const assertion = optionalString(row.trc_assertion);
  return {
    id: String(row.id),
    owner: String(row.owner),
    patientHandle: String(row.patient_handle),
    purpose: String(row.purpose) as ConsentPurpose,
    trc: { assertionId: String(row.trc_assertion_id), expiresAt, ...(assertion !== undefined && { assertion }) },
    recordedAt: toDate(row.recorded_at),
    expired,
    consent,
  };
}

function auditFromRow(row: Row): AuditRecord {
  const record: AuditRecord = {
    id: String(row.id),
    recorded: toDate(row.recorded),
    owner: String(row.owner),
    agent: JSON.parse(String(row.agent)) as AuditRecord['agent'],
    action: String(row.action) as AuditRecord['action'],
    subtype: String(row.subtype) as AuditRecord['subtype'],
    outcome: String(row.outcome) as AuditRecord['outcome'],
    requestId: String(row.request_id),
  };
  const optional = {
    patientHandle: optionalString(row.patient_handle),
    country: optionalString(row.country),
    ehdsiTransaction: optionalString(row.ehdsi_transaction) as AuditRecord['ehdsiTransaction'],
    outcomeDetail: optionalString(row.outcome_detail),
    clientId: optionalString(row.client_id),
    sourceAddress: optionalString(row.source_address),
    documentId: optionalString(row.document_id),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(record, { [k]: v });
  return record;
}

/**
 * The store over any SQL database reached through a SqlDriver: SqliteStore and
 * PostgresStore differ only by their driver. Every statement that reads
 * owned data has `owner = ?` in its WHERE clause.
 */
export abstract class SqlStore implements FacadeStore {
  abstract readonly kind: 'sqlite' | 'postgres';

  protected constructor(protected readonly db: SqlDriver) {}

  /** Runs a storage operation; failures of the database become StoreError. */
  private async guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError || e instanceof UnknownPatientError) throw e;
      throw new StoreError(operation, 'the database did not accept the operation', { cause: e });
    }
  }

  async savePatient(p: NewDiscoveredPatient): Promise<string> {
    requireText(p.owner, 'owner');
    requireText(p.country, 'country');
    requireText(p.patientId?.root, 'patientId.root');
    requireText(p.patientId?.extension, 'patientId.extension');
    const now = new Date();
    return this.guard('savePatient', async () => {
      const rows = await this.db.all<{ handle: string }>(
        `INSERT INTO discovered_patient (handle, owner, country, id_root, id_extension, demographics, discovered_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (owner, country, id_root, id_extension)
         DO UPDATE SET demographics = excluded.demographics, updated_at = excluded.updated_at
         RETURNING handle`,
        [newOpaqueId(), p.owner, p.country, p.patientId.root, p.patientId.extension, JSON.stringify(p.demographics), now, now],
      );
      return String(rows[0].handle);
    });
  }

  async getPatient(owner: string, handle: string): Promise<DiscoveredPatient | undefined> {
    if (!isFhirId(handle)) return undefined;
    return this.guard('getPatient', async () => {
      const [row] = await this.db.all(
        `SELECT handle, owner, country, id_root, id_extension, demographics, discovered_at, updated_at
         FROM discovered_patient WHERE owner = ? AND handle = ?`,
        [owner, handle],
      );
      if (!row) return undefined;
      return {
        handle: String(row.handle),
        owner: String(row.owner),
        country: String(row.country),
        patientId: { root: String(row.id_root), extension: String(row.id_extension) },
        demographics: JSON.parse(String(row.demographics)) as fhir4.Patient,
        discoveredAt: toDate(row.discovered_at),
        updatedAt: toDate(row.updated_at),
      };
    });
  }

  async saveConsent(c: NewConsent, now: Date = new Date()): Promise<StoredConsent> {
    requireText(c.owner, 'owner');
    requireText(c.trc?.assertionId, 'trc.assertionId');
    if (!(c.trc.expiresAt instanceof Date) || Number.isNaN(c.trc.expiresAt.getTime())) throw new TypeError('trc.expiresAt must be a Date');
    if (c.purpose !== 'TREATMENT' && c.purpose !== 'EMERGENCY') throw new TypeError('purpose must be TREATMENT or EMERGENCY');
    if (!isFhirId(c.patientHandle)) throw new UnknownPatientError();
    const id = newOpaqueId();
    const resource: fhir4.Consent = {
      ...c.consent,
      id,
      meta: { ...c.consent.meta, versionId: '1', lastUpdated: now.toISOString() },
      patient: { reference: `Patient/${c.patientHandle}` },
      // R4 has no Consent.period: the validity of the consent is provision.period.
      provision: { ...c.consent.provision, period: { ...c.consent.provision?.period, end: c.trc.expiresAt.toISOString() } },
    };
    return this.guard('saveConsent', async () => {
      // Patients are never deleted nor change owner, so checking then inserting cannot race.
      const owned = await this.db.all('SELECT handle FROM discovered_patient WHERE owner = ? AND handle = ?', [c.owner, c.patientHandle]);
      if (owned.length === 0) throw new UnknownPatientError();
      await this.db.run(
        `INSERT INTO consent (${CONSENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, c.owner, c.patientHandle, c.purpose, c.trc.assertionId, c.trc.expiresAt, c.trc.assertion ?? null, JSON.stringify(resource), now],
      );
      const stored = await this.getConsent(c.owner, id, now);
      if (!stored) throw new StoreError('saveConsent', 'the consent was not found after writing it');
      return stored;
    });
  }

  async getConsent(owner: string, id: string, now: Date = new Date()): Promise<StoredConsent | undefined> {
    if (!isFhirId(id)) return undefined;
    return this.guard('getConsent', async () => {
      const [row] = await this.db.all(`SELECT ${CONSENT_COLUMNS} FROM consent WHERE owner = ? AND id = ?`, [owner, id]);
      return row ? consentFromRow(row, now) : undefined;
    });
  }

  async listConsents(owner: string, filter: ConsentFilter = {}): Promise<StoredConsent[]> {
    const now = filter.now ?? new Date();
    if (filter.patientHandle !== undefined && !isFhirId(filter.patientHandle)) return [];
    return this.guard('listConsents', async () => {
      const byPatient = filter.patientHandle !== undefined;
      const rows = await this.db.all(
        `SELECT ${CONSENT_COLUMNS} FROM consent WHERE owner = ?${byPatient ? ' AND patient_handle = ?' : ''}
         ORDER BY recorded_at DESC, id`,
        byPatient ? [owner, filter.patientHandle] : [owner],
      );
      return rows.map((r) => consentFromRow(r, now));
    });
  }

  async activeConsent(owner: string, patientHandle: string, now: Date = new Date()): Promise<StoredConsent | undefined> {
    if (!isFhirId(patientHandle)) return undefined;
    return this.guard('activeConsent', async () => {
      const rows = await this.db.all(
        `SELECT ${CONSENT_COLUMNS} FROM consent WHERE owner = ? AND patient_handle = ? AND trc_expires_at > ?
         ORDER BY recorded_at DESC, trc_expires_at DESC LIMIT 1`,
        [owner, patientHandle, now],
      );
      return rows[0] ? consentFromRow(rows[0], now) : undefined;
    });
  }

  async appendAudit(r: AuditRecord): Promise<void> {
    assertAuditRecord(r);
    await this.guard('appendAudit', async () => {
      await this.db.run(
        `INSERT INTO audit_record (${AUDIT_COLUMNS}, agent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [r.id, r.recorded, r.owner, JSON.stringify(r.agent), r.action, r.subtype, r.patientHandle ?? null, r.country ?? null,
          r.ehdsiTransaction ?? null, r.outcome, r.outcomeDetail ?? null, r.requestId, r.clientId ?? null, r.sourceAddress ?? null, r.documentId ?? null, r.agent.nationalId],
      );
    });
  }

  async listAudit(owner: string, filter: AuditFilter = {}): Promise<AuditRecord[]> {
    const where = ['owner = ?'];
    const params: unknown[] = [owner];
    if (filter.id !== undefined) {
      where.push('id = ?');
      params.push(filter.id);
    }
    if (filter.patientHandle !== undefined) {
      where.push('patient_handle = ?');
      params.push(filter.patientHandle);
    }
    recordedWithin(filter, where, params);
    if (filter.agent !== undefined) {
      where.push('agent_id = ?');
      params.push(filter.agent);
    }
    let page = '';
    if (filter.limit !== undefined || filter.offset !== undefined) {
      page = ' LIMIT ? OFFSET ?';
      params.push(Math.max(0, Math.floor(filter.limit ?? 1_000_000)), Math.max(0, Math.floor(filter.offset ?? 0)));
    }
    return this.guard('listAudit', async () => {
      const rows = await this.db.all(
        `SELECT ${AUDIT_COLUMNS} FROM audit_record WHERE ${where.join(' AND ')} ORDER BY recorded DESC, seq DESC${page}`,
        params,
      );
      return rows.map(auditFromRow);
    });
  }

  async listAuditForOperator(filter: OperatorAuditFilter = {}): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    recordedWithin(filter, where, params);
    if (filter.subtypes) {
      if (!filter.subtypes.length) return [];
      where.push(`subtype IN (${filter.subtypes.map(() => '?').join(', ')})`);
      params.push(...filter.subtypes);
    }
    let page = '';
    if (filter.limit !== undefined) {
      page = ' LIMIT ?';
      params.push(Math.max(0, Math.floor(filter.limit)));
    }
    return this.guard('listAuditForOperator', async () => {
      const rows = await this.db.all(
        `SELECT ${AUDIT_COLUMNS} FROM audit_record${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY recorded, seq${page}`,
        params,
      );
      return rows.map(auditFromRow);
    });
  }

  async putWebSession(kind: string, key: string, data: string, expiresAt: Date): Promise<void> {
    requireText(kind, 'kind');
    requireText(key, 'key');
    await this.guard('putWebSession', () => this.db.run(
      `INSERT INTO web_session (kind, key, data, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
      [kind, key, data, expiresAt],
    ));
  }

  async getWebSession(kind: string, key: string, now: Date = new Date()): Promise<string | undefined> {
    return this.guard('getWebSession', async () => {
      const [row] = await this.db.all<{ data: string }>('SELECT data FROM web_session WHERE kind = ? AND key = ? AND expires_at > ?', [kind, key, now]);
      return row ? String(row.data) : undefined;
    });
  }

  async takeWebSession(kind: string, key: string, now: Date = new Date()): Promise<string | undefined> {
    return this.guard('takeWebSession', async () => {
      // One statement: two instances receiving the same callback cannot both take it.
      const [row] = await this.db.all<{ data: string; expires_at: unknown }>('DELETE FROM web_session WHERE kind = ? AND key = ? RETURNING data, expires_at', [kind, key]);
      return row && toDate(row.expires_at).getTime() > now.getTime() ? String(row.data) : undefined;
    });
  }

  async deleteWebSession(kind: string, key: string): Promise<void> {
    await this.guard('deleteWebSession', () => this.db.run('DELETE FROM web_session WHERE kind = ? AND key = ?', [kind, key]));
  }

  async sweepWebSessions(now: Date = new Date()): Promise<number> {
    return this.guard('sweepWebSessions', () => this.db.run('DELETE FROM web_session WHERE expires_at <= ?', [now]));
  }

  async ping(): Promise<boolean> {
    try {
      await this.db.ping();
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
