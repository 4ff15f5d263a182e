import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import type { AuditFilter } from '../store/types.js';
import { toAuditEvent } from './audit-event.js';
import {
  AUDIT_SUBTYPES, assertAuditRecord, type AuditAction, type AuditOutcome, type AuditRecord,
} from '../store/audit-record.js';

/** What the trail needs of the store (FacadeStore has it). */
export interface AuditStore {
  appendAudit(record: AuditRecord): Promise<void>;
  listAudit(owner: string, filter?: AuditFilter): Promise<AuditRecord[]>;
}

/** A record to write: id, time and action are filled in when not given (action from the subtype). */
export type AuditEntry = Omit<AuditRecord, 'id' | 'recorded' | 'action'> & { id?: string; recorded?: Date; action?: AuditAction };

/**
 * The audit record could not be written. The FHIR layer must answer 503 and
 * not serve the data: nothing reaches a professional unaudited.
 */
export class AuditWriteError extends Error {
  readonly status = 503;

  constructor(options?: { cause?: unknown }) {
    super('The access could not be audited; the service is temporarily unavailable', options);
    this.name = 'AuditWriteError';
  }
}

/** Facts only known while the call runs (the patient discovered, the eHDSI error met…). */
export type AuditContext = Partial<Pick<AuditRecord, 'patientHandle' | 'country' | 'ehdsiTransaction' | 'outcomeDetail' | 'documentId'>>;

/** How a failed call is recorded: outcome and a code, never a message. */
export type AuditClassifier = (error: unknown) => { outcome: Exclude<AuditOutcome, 'success'>; outcomeDetail?: string };

/**
 * Default classification by the HTTP status an error carries (FhirError and
 * the like): 401/403 refused, other 4xx client-error, 502/504 gateway-error,
 * anything else server-error. The detail is the status code.
 */
export const classifyByStatus: AuditClassifier = (error) => {
  const status = typeof (error as { status?: unknown })?.status === 'number' ? (error as { status: number }).status : undefined;
  if (status === undefined) return { outcome: 'server-error' };
  const outcome = outcomeOfStatus(status);
  return { outcome: outcome === 'success' ? 'server-error' : outcome, outcomeDetail: `http-${status}` };
};

/**
 * The audit outcome of an HTTP answer, so that the AuditEvent outcome is the
 * HTTP outcome: 1xx–3xx success (0), 401/403 refused and other 4xx
 * client-error (4), 502/504 gateway-error (8), any other 5xx server-error (12).
 */
export function outcomeOfStatus(status: number): AuditOutcome {
  if (status < 400) return 'success';
  if (status === 401 || status === 403) return 'refused';
  if (status < 500) return 'client-error';
  if (status === 502 || status === 504) return 'gateway-error';
  return 'server-error';
}

export interface AuditTrailOptions {
  logger?: Logger;
  /** Clock (tests). */
  now?: () => Date;
  /**
   * Told each record once it is durable (e.g. the ATNA exporter queues it).
   * Must not block; whatever it throws is logged and ignored.
   */
  onRecorded?: (record: AuditRecord) => void;
}

/**
 * The audit trail of the facade over the store. `record` resolves only once
 * the record is durable and rejects with AuditWriteError otherwise, so the
 * caller can refuse to answer rather than serve unaudited data.
 */
export class AuditTrail {
  private readonly now: () => Date;

  constructor(private readonly store: AuditStore, private readonly options: AuditTrailOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Writes one record. Rejects with InvalidAuditRecordError (a TypeError: a
   * bug of the caller) when the entry is malformed, AuditWriteError when the
   * store fails.
   */
  async record(entry: AuditEntry): Promise<AuditRecord> {
    const record: AuditRecord = {
      ...entry,
      id: entry.id ?? randomUUID(),
      recorded: entry.recorded ?? this.now(),
      action: entry.action ?? AUDIT_SUBTYPES[entry.subtype]?.action,
    };
    for (const key of Object.keys(record) as (keyof AuditRecord)[]) if (record[key] === undefined) delete record[key];
    assertAuditRecord(record);
    try {
      await this.store.appendAudit(record);
    } catch (e) {
      // Which interaction and request failed to be audited, nothing about the patient.
      this.options.logger?.error({ subtype: record.subtype, reqId: record.requestId, err: (e as Error)?.name }, 'audit record not written');
      throw new AuditWriteError({ cause: e });
    }
    try {
      this.options.onRecorded?.(record);
    } catch (e) {
      this.options.logger?.warn({ subtype: record.subtype, reqId: record.requestId, err: (e as Error)?.name }, 'audit record not passed on');
    }
    return record;
  }

  /**
   * Runs `work` and audits it: success when it resolves, the classified
   * failure when it throws (then the original error is rethrown). `work` may
   * fill the context with what it learns (patient handle, country, eHDSI
   * transaction, error code). If the record cannot be written the call
   * rejects with AuditWriteError and the result is not returned.
   */
  async around<T>(entry: AuditEntry, work: (context: AuditContext) => Promise<T>, classify: AuditClassifier = classifyByStatus): Promise<T> {
    const context: AuditContext = {};
    let result: T;
    try {
      result = await work(context);
    } catch (error) {
      const failure = classify(error);
      await this.record({ ...entry, ...context, outcome: failure.outcome, outcomeDetail: failure.outcomeDetail ?? context.outcomeDetail });
      throw error;
    }
    await this.record({ ...entry, ...context, outcome: 'success' });
    return result;
  }

  /** The owner's own records, newest first. */
  list(owner: string, filter?: AuditFilter): Promise<AuditRecord[]> {
    return this.store.listAudit(owner, filter);
  }

  /** One of the owner's own records by its id; undefined for another owner's, whatever the id. */
  async get(owner: string, id: string): Promise<AuditRecord | undefined> {
    const [record] = await this.list(owner, { id, limit: 1 });
    return record;
  }

  /** The owner's own records as FHIR AuditEvents (baseUrl: this server's FHIR base). */
  async events(owner: string, baseUrl: string, filter?: AuditFilter): Promise<fhir4.AuditEvent[]> {
    return (await this.list(owner, filter)).map((r) => toAuditEvent(r, baseUrl));
  }
}
