import { Writable } from 'node:stream';
import { pino } from 'pino';
import { InvalidAuditRecordError, type AuditRecord } from '../../src/store/audit-record.js';
import { AuditTrail, AuditWriteError, classifyByStatus, type AuditEntry, type AuditStore } from '../../src/audit/trail.js';
import { FhirError } from '../../src/kernel/errors.js';
import { validateResource } from '../../src/fhir/validation.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { StoreError } from '../../src/store/errors.js';
import type { FacadeStore } from '../../src/store/types.js';
import { auditRecord, nationalId } from '../store/fixtures.js';

const HANDLE = 'c'.repeat(40);

function entry(owner: string, over: Partial<AuditEntry> = {}): AuditEntry {
  const { id: _id, recorded: _recorded, action: _action, ...rest } = auditRecord(owner);
  return { ...rest, subtype: 'summary-read', patientHandle: HANDLE, country: 'HR', ehdsiTransaction: 'ITI-38', ...over };
}

/** A store whose writes fail, as a full disk or a lost database would. */
class FailingStore implements AuditStore {
  appended = 0;
  async appendAudit(): Promise<void> {
    this.appended++;
    throw new StoreError('appendAudit', 'the database did not accept the operation');
  }
  async listAudit(): Promise<AuditRecord[]> {
    return [];
  }
}

function captureLogger() {
  const chunks: string[] = [];
  const stream = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c.toString()); cb(); } });
  return { logger: pino({ level: 'info' }, stream), text: () => chunks.join('') };
}

describe('AuditTrail', () => {
  let store: FacadeStore;
  beforeAll(async () => {
    store = await SqliteStore.open(':memory:');
  });
  afterAll(() => store.close());

  test('record fills id, time and action, and the record is in the store when it resolves', async () => {
    const owner = nationalId();
    const at = new Date('2026-05-01T12:00:00.000Z');
    const trail = new AuditTrail(store, { now: () => at });
    const written = await trail.record({ ...entry(owner), outcome: 'success' });
    expect(written.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(written.recorded).toEqual(at);
    expect(written.action).toBe('E'); // $summary is an operation
    expect(await store.listAudit(owner)).toEqual([written]);
    expect((await trail.record({ ...entry(owner), subtype: 'consent-create', outcome: 'success' })).action).toBe('C');
    expect((await trail.record({ ...entry(owner), subtype: 'document-read', outcome: 'success' })).action).toBe('R');
  });

  test('a store failure is an AuditWriteError (503) that keeps the cause, logged without patient data', async () => {
    const failing = new FailingStore();
    const { logger, text } = captureLogger();
    const trail = new AuditTrail(failing, { logger });
    const attempt = trail.record({ ...entry(nationalId()), outcome: 'success' });
    await expect(attempt).rejects.toThrow(AuditWriteError);
    const error = (await attempt.catch((e: unknown) => e)) as AuditWriteError;
    expect(error.status).toBe(503);
    expect(error.cause).toBeInstanceOf(StoreError);
    expect(failing.appended).toBe(1);
    expect(text()).toContain('audit record not written');
    expect(text()).not.toContain(HANDLE);
    expect(text()).not.toContain('HR');
  });

  test('a malformed entry is refused before reaching the store', async () => {
    const failing = new FailingStore();
    const trail = new AuditTrail(failing);
    await expect(trail.record({ ...entry(nationalId()), outcome: 'success', outcomeDetail: 'free text about the patient' })).rejects.toThrow(InvalidAuditRecordError);
    await expect(trail.record({ ...entry(nationalId()), outcome: 'success', subtype: 'unknown' as never })).rejects.toThrow(/subtype/);
    expect(failing.appended).toBe(0);
  });

  describe('around', () => {
    test('a successful call is recorded with what it learnt, and its result returned', async () => {
      const owner = nationalId();
      const trail = new AuditTrail(store);
      const result = await trail.around({ ...entry(owner), patientHandle: undefined, country: 'PT', ehdsiTransaction: 'ITI-55', subtype: 'search-patient' }, async (ctx) => {
        ctx.patientHandle = HANDLE;
        return 'bundle';
      });
      expect(result).toBe('bundle');
      const [r] = await store.listAudit(owner);
      expect(r).toMatchObject({ subtype: 'search-patient', outcome: 'success', patientHandle: HANDLE, country: 'PT', ehdsiTransaction: 'ITI-55' });
    });

    test('a refused call is recorded as refused and its error rethrown', async () => {
      const owner = nationalId();
      const trail = new AuditTrail(store);
      const refusal = FhirError.forbidden('not your patient');
      await expect(trail.around(entry(owner), async () => { throw refusal; })).rejects.toBe(refusal);
      expect(await store.listAudit(owner)).toEqual([expect.objectContaining({ outcome: 'refused', outcomeDetail: 'http-403', patientHandle: HANDLE })]);
    });

    test('a custom classifier records the eHDSI error code of a failing gateway', async () => {
      const owner = nationalId();
      const trail = new AuditTrail(store);
      const gatewayFailure = Object.assign(new Error('gateway'), { ehdsiCode: '4701' });
      const classify = (e: unknown) => ({ outcome: 'gateway-error' as const, outcomeDetail: (e as { ehdsiCode: string }).ehdsiCode });
      await expect(trail.around(entry(owner), async () => { throw gatewayFailure; }, classify)).rejects.toBe(gatewayFailure);
      expect((await store.listAudit(owner))[0]).toMatchObject({ outcome: 'gateway-error', outcomeDetail: '4701' });
    });

    test('when the record cannot be written, the data is not returned', async () => {
      const trail = new AuditTrail(new FailingStore());
      let ran = false;
      await expect(trail.around(entry(nationalId()), async () => { ran = true; return 'patient data'; })).rejects.toThrow(AuditWriteError);
      expect(ran).toBe(true);
      // A failure that cannot be audited is reported as the audit failure.
      await expect(trail.around(entry(nationalId()), async () => { throw FhirError.forbidden('no'); })).rejects.toThrow(AuditWriteError);
    });
  });

  test('classifyByStatus', () => {
    expect(classifyByStatus(FhirError.forbidden('x'))).toEqual({ outcome: 'refused', outcomeDetail: 'http-403' });
    expect(classifyByStatus(new FhirError(401, { code: 'login' }))).toEqual({ outcome: 'refused', outcomeDetail: 'http-401' });
    expect(classifyByStatus(FhirError.notFound('x'))).toEqual({ outcome: 'client-error', outcomeDetail: 'http-404' });
    expect(classifyByStatus(new FhirError(504, { code: 'timeout' }))).toEqual({ outcome: 'gateway-error', outcomeDetail: 'http-504' });
    expect(classifyByStatus(new AuditWriteError())).toEqual({ outcome: 'server-error', outcomeDetail: 'http-503' });
    expect(classifyByStatus(new Error('bug'))).toEqual({ outcome: 'server-error' });
    expect(classifyByStatus(undefined)).toEqual({ outcome: 'server-error' });
  });

  test('events returns the owner\'s own records as valid AuditEvents, filtered', async () => {
    const a = nationalId();
    const b = nationalId();
    const trail = new AuditTrail(store);
    await trail.record({ ...entry(a), outcome: 'success', recorded: new Date('2026-06-01T00:00:00Z') });
    await trail.record({ ...entry(a), outcome: 'refused', outcomeDetail: 'no-consent', recorded: new Date('2026-06-02T00:00:00Z'), patientHandle: 'd'.repeat(40) });
    await trail.record({ ...entry(b), outcome: 'success' });
    const events = await trail.events(a, 'http://127.0.0.1:8080/fhir');
    expect(events).toHaveLength(2);
    for (const e of events) expect(validateResource(e)).toEqual([]);
    expect(events.map((e) => e.outcome)).toEqual(['4', '0']);
    expect(events.every((e) => e.agent[0].who?.identifier?.value === a)).toBe(true);
    expect(await trail.events(a, 'http://x/fhir', { patientHandle: 'd'.repeat(40) })).toHaveLength(1);
    expect(await trail.events(a, 'http://x/fhir', { from: new Date('2026-06-02T00:00:00Z') })).toHaveLength(1);
  });
});
