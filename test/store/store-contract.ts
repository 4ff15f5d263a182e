// The behaviour every FacadeStore must have, run against each implementation
// (sqlite.test.ts, postgres.test.ts).
import { InvalidAuditRecordError } from '../../src/store/audit-record.js';
import { StoreError, UnknownPatientError } from '../../src/store/errors.js';
import type { FacadeStore } from '../../src/store/types.js';
import { auditRecord, consentInput, nationalId, patient } from './fixtures.js';

/** One empty database of the implementation under test. */
export interface TestDatabase {
  /** Opens (again) a store on this database; each call is a new connection. */
  open(): Promise<FacadeStore>;
  /** Runs raw SQL on the database (to tamper with it). */
  exec(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

const HOUR = 3_600_000;

export function storeContract(name: string, newDatabase: () => Promise<TestDatabase>): void {
  describe(`${name} store`, () => {
    let db: TestDatabase;
    let store: FacadeStore;
    const opened: FacadeStore[] = [];
    const open = async () => {
      const s = await db.open();
      opened.push(s);
      return s;
    };

    beforeAll(async () => {
      db = await newDatabase();
      store = await open();
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
      await db.dispose();
    });

    describe('web sessions', () => {
      test('are shared by every connection (instance) on the database, until they expire', async () => {
        const other = await open();
        const now = new Date();
        await store.putWebSession('portal', 'k1', '{"a":1}', new Date(now.getTime() + HOUR));
        expect(await other.getWebSession('portal', 'k1')).toBe('{"a":1}');
        expect(await other.getWebSession('login', 'k1')).toBeUndefined();
        // Written again (a renewed access token): the new data, the same key.
        await other.putWebSession('portal', 'k1', '{"a":2}', new Date(now.getTime() + HOUR));
        expect(await store.getWebSession('portal', 'k1')).toBe('{"a":2}');
        expect(await store.getWebSession('portal', 'k1', new Date(now.getTime() + 2 * HOUR))).toBeUndefined();
        await store.deleteWebSession('portal', 'k1');
        expect(await other.getWebSession('portal', 'k1')).toBeUndefined();
      });

      test('a one-time value is taken once, whoever asks second gets nothing', async () => {
        const other = await open();
        await store.putWebSession('login', 'once', 'tx', new Date(Date.now() + HOUR));
        const [a, b] = await Promise.all([store.takeWebSession('login', 'once'), other.takeWebSession('login', 'once')]);
        expect([a, b].filter((x) => x === 'tx')).toHaveLength(1);
        expect([a, b].filter((x) => x === undefined)).toHaveLength(1);
      });

      test('expired sessions are swept, and an expired one is never taken', async () => {
        const past = new Date(Date.now() - 1000);
        await store.putWebSession('login', 'old', 'x', past);
        await store.putWebSession('login', 'old2', 'y', past);
        expect(await store.takeWebSession('login', 'old')).toBeUndefined();
        expect(await store.sweepWebSessions()).toBeGreaterThanOrEqual(1);
        expect(await store.getWebSession('login', 'old2', new Date(0))).toBeUndefined();
      });
    });

    describe('discovered patients', () => {
      test('a handle is a random, unguessable FHIR id that says nothing of the patient', async () => {
        const owner = nationalId();
        const handles = await Promise.all(Array.from({ length: 40 }, (_, i) => store.savePatient(patient(owner, `ID-${i}`))));
        for (const h of handles) {
          expect(h).toMatch(/^[a-f0-9]{40}$/); // 160 bits, valid FHIR id (≤ 64, [A-Za-z0-9.-])
          expect(h).not.toContain('ID-');
        }
        expect(new Set(handles).size).toBe(40);
      });

      test('rediscovering the same patient gives the same handle and the latest demographics', async () => {
        const owner = nationalId();
        const first = await store.savePatient(patient(owner));
        const again = patient(owner);
        again.demographics = { ...again.demographics, name: [{ family: 'Renamed' }] };
        expect(await store.savePatient(again)).toBe(first);
        const read = await store.getPatient(owner, first);
        expect(read).toMatchObject({
          handle: first,
          owner,
          country: 'PT',
          patientId: { root: '2.16.17.710.850.1000.990.1', extension: 'PT-123456789' },
          demographics: { resourceType: 'Patient', name: [{ family: 'Renamed' }] },
        });
        expect(read!.discoveredAt).toBeInstanceOf(Date);
        expect(read!.updatedAt.getTime()).toBeGreaterThanOrEqual(read!.discoveredAt.getTime());
        // Same identifier in another country is another patient.
        expect(await store.savePatient(patient(owner, 'PT-123456789', 'ES'))).not.toBe(first);
      });

      test('another professional never reads a patient, even with the exact handle', async () => {
        const a = nationalId();
        const b = nationalId();
        const handleA = await store.savePatient(patient(a));
        expect(await store.getPatient(b, handleA)).toBeUndefined();
        // B discovering the same person gets a handle of their own.
        const handleB = await store.savePatient(patient(b));
        expect(handleB).not.toBe(handleA);
        expect((await store.getPatient(b, handleB))?.owner).toBe(b);
        expect((await store.getPatient(a, handleA))?.owner).toBe(a);
        expect(await store.getPatient(a, handleB)).toBeUndefined();
      });

      test('unknown or malformed handles read as absent, never as an error', async () => {
        const owner = nationalId();
        for (const h of ['0'.repeat(40), '', "x' OR '1'='1", '../etc/passwd', 'a'.repeat(65)]) {
          await expect(store.getPatient(owner, h)).resolves.toBeUndefined();
        }
      });

      test('a patient without owner or identifier is refused', async () => {
        await expect(store.savePatient({ ...patient(''), owner: '' })).rejects.toThrow(TypeError);
        const p = patient(nationalId());
        await expect(store.savePatient({ ...p, patientId: { root: p.patientId.root, extension: '' } })).rejects.toThrow(/extension/);
      });
    });

    describe('consents', () => {
      test('a stored consent has its id, meta, patient and provision.period.end set from the TRC', async () => {
        const owner = nationalId();
        const handle = await store.savePatient(patient(owner));
        const now = new Date('2026-03-01T10:00:00.000Z');
        const expiresAt = new Date(now.getTime() + 2 * HOUR);
        const saved = await store.saveConsent(consentInput(owner, handle, expiresAt), now);
        expect(saved.id).toMatch(/^[a-f0-9]{40}$/);
        expect(saved).toMatchObject({ owner, patientHandle: handle, purpose: 'TREATMENT', expired: false, recordedAt: now });
        expect(saved.trc.expiresAt).toEqual(expiresAt);
        expect(saved.trc.assertion).toBe('<saml2:Assertion ID="x"/>');
        expect(saved.consent).toMatchObject({
          resourceType: 'Consent',
          id: saved.id,
          status: 'active',
          meta: { versionId: '1', lastUpdated: now.toISOString() },
          patient: { reference: `Patient/${handle}` },
          provision: { type: 'permit', period: { start: '2026-01-01T10:00:00Z', end: expiresAt.toISOString() } },
        });
        expect(await store.getConsent(owner, saved.id, now)).toEqual(saved);
      });

      test('consents expire: readable afterwards as inactive, no longer the active one; a new one can be recorded', async () => {
        const owner = nationalId();
        const handle = await store.savePatient(patient(owner));
        const t0 = new Date('2026-03-01T10:00:00.000Z');
        const first = await store.saveConsent(consentInput(owner, handle, new Date(t0.getTime() + 2 * HOUR)), t0);
        expect((await store.activeConsent(owner, handle, new Date(t0.getTime() + HOUR)))?.id).toBe(first.id);

        const later = new Date(t0.getTime() + 2 * HOUR); // exactly at expiry: expired
        expect(await store.activeConsent(owner, handle, later)).toBeUndefined();
        const expired = await store.getConsent(owner, first.id, later);
        expect(expired).toMatchObject({ expired: true, consent: { status: 'inactive' } });

        const second = await store.saveConsent(consentInput(owner, handle, new Date(later.getTime() + 2 * HOUR), 'EMERGENCY'), later);
        expect((await store.activeConsent(owner, handle, later))?.id).toBe(second.id);
        const listed = await store.listConsents(owner, { now: later });
        expect(listed.map((c) => [c.id, c.consent.status, c.purpose])).toEqual([
          [second.id, 'active', 'EMERGENCY'],
          [first.id, 'inactive', 'TREATMENT'],
        ]);
      });

      test('a consent that is not active when recorded keeps its own status', async () => {
        const owner = nationalId();
        const handle = await store.savePatient(patient(owner));
        const input = consentInput(owner, handle, new Date(Date.now() + HOUR));
        input.consent.status = 'rejected';
        const saved = await store.saveConsent(input);
        expect((await store.getConsent(owner, saved.id, new Date(Date.now() + 2 * HOUR)))?.consent.status).toBe('rejected');
      });

      test('listConsents filters by patient', async () => {
        const owner = nationalId();
        const h1 = await store.savePatient(patient(owner, 'P1'));
        const h2 = await store.savePatient(patient(owner, 'P2'));
        const exp = new Date(Date.now() + HOUR);
        const c1 = await store.saveConsent(consentInput(owner, h1, exp));
        const c2 = await store.saveConsent(consentInput(owner, h2, exp));
        expect((await store.listConsents(owner, { patientHandle: h1 })).map((c) => c.id)).toEqual([c1.id]);
        expect((await store.listConsents(owner, { patientHandle: h2 })).map((c) => c.id)).toEqual([c2.id]);
        expect((await store.listConsents(owner)).map((c) => c.id).sort()).toEqual([c1.id, c2.id].sort());
        expect(await store.listConsents(owner, { patientHandle: 'not a handle' })).toEqual([]);
      });

      test('another professional never reads, lists or uses a consent or patient of someone else', async () => {
        const a = nationalId();
        const b = nationalId();
        const handleA = await store.savePatient(patient(a));
        const consentA = await store.saveConsent(consentInput(a, handleA, new Date(Date.now() + HOUR)));
        expect(await store.getConsent(b, consentA.id)).toBeUndefined();
        expect(await store.listConsents(b)).toEqual([]);
        expect(await store.listConsents(b, { patientHandle: handleA })).toEqual([]);
        expect(await store.activeConsent(b, handleA)).toBeUndefined();
        await expect(store.saveConsent(consentInput(b, handleA, new Date(Date.now() + HOUR)))).rejects.toThrow(UnknownPatientError);
        await expect(store.saveConsent(consentInput(a, '0'.repeat(40), new Date(Date.now() + HOUR)))).rejects.toThrow(UnknownPatientError);
        expect((await store.listConsents(a)).map((c) => c.id)).toEqual([consentA.id]);
      });

      test('a consent with a bad purpose or expiry is refused', async () => {
        const owner = nationalId();
        const handle = await store.savePatient(patient(owner));
        const bad = consentInput(owner, handle, new Date('invalid'));
        await expect(store.saveConsent(bad)).rejects.toThrow(/expiresAt/);
        const badPurpose = { ...consentInput(owner, handle, new Date()), purpose: 'RESEARCH' } as unknown as Parameters<FacadeStore['saveConsent']>[0];
        await expect(store.saveConsent(badPurpose)).rejects.toThrow(/purpose/);
      });
    });

    describe('audit records', () => {
      test('a record reads back exactly, optional fields absent when not given', async () => {
        const owner = nationalId();
        const full = auditRecord(owner, {
          recorded: new Date('2026-03-01T10:00:00.123Z'),
          action: 'R',
          subtype: 'document-read',
          patientHandle: 'a'.repeat(40),
          country: 'PT',
          ehdsiTransaction: 'ITI-39',
          outcome: 'gateway-error',
          outcomeDetail: '4203',
        });
        const bare = auditRecord(owner, { recorded: new Date('2026-03-01T09:00:00.000Z') });
        await store.appendAudit(full);
        await store.appendAudit(bare);
        const listed = await store.listAudit(owner);
        expect(listed).toEqual([full, bare]);
        expect(Object.keys(listed[1])).not.toContain('patientHandle');
      });

      test('another professional never sees someone else\'s audit records, whatever the filter', async () => {
        const a = nationalId();
        const b = nationalId();
        const handle = 'b'.repeat(40);
        await store.appendAudit(auditRecord(a, { patientHandle: handle }));
        expect(await store.listAudit(b)).toEqual([]);
        expect(await store.listAudit(b, { patientHandle: handle })).toEqual([]);
        expect(await store.listAudit(b, { agent: a })).toEqual([]);
        expect(await store.listAudit(a, { patientHandle: handle })).toHaveLength(1);
      });

      test('filters: patient, date range (from inclusive, to exclusive), agent, paging, newest first', async () => {
        const owner = nationalId();
        const deputy = nationalId();
        const at = (iso: string) => new Date(iso);
        const r1 = auditRecord(owner, { recorded: at('2026-01-10T08:00:00.000Z'), patientHandle: 'p1' });
        const r2 = auditRecord(owner, { recorded: at('2026-01-11T08:00:00.000Z'), patientHandle: 'p2' });
        const r3 = auditRecord(owner, { recorded: at('2026-01-12T08:00:00.000Z'), patientHandle: 'p1' });
        const r4 = auditRecord(owner, { recorded: at('2026-01-13T08:00:00.000Z') });
        r4.agent = { ...r4.agent, nationalId: deputy };
        for (const r of [r3, r1, r4, r2]) await store.appendAudit(r);
        const ids = async (f: Parameters<FacadeStore['listAudit']>[1]) => (await store.listAudit(owner, f)).map((r) => r.id);

        expect(await ids({})).toEqual([r4.id, r3.id, r2.id, r1.id]);
        expect(await ids({ patientHandle: 'p1' })).toEqual([r3.id, r1.id]);
        expect(await ids({ from: r2.recorded })).toEqual([r4.id, r3.id, r2.id]);
        expect(await ids({ to: r2.recorded })).toEqual([r1.id]);
        expect(await ids({ from: at('2026-01-11T00:00:00Z'), to: at('2026-01-13T00:00:00Z') })).toEqual([r3.id, r2.id]);
        expect(await ids({ from: at('2026-01-10T00:00:00Z'), to: at('2026-01-13T00:00:00Z'), patientHandle: 'p1' })).toEqual([r3.id, r1.id]);
        expect(await ids({ agent: deputy })).toEqual([r4.id]);
        expect(await ids({ agent: owner })).toEqual([r3.id, r2.id, r1.id]);
        expect(await ids({ limit: 2 })).toEqual([r4.id, r3.id]);
        expect(await ids({ limit: 2, offset: 2 })).toEqual([r2.id, r1.id]);
        expect(await ids({ offset: 3 })).toEqual([r1.id]);
      });

      test('concurrent appends are all kept', async () => {
        const owner = nationalId();
        const records = Array.from({ length: 200 }, (_, i) => auditRecord(owner, { recorded: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }));
        await Promise.all(records.map((r) => store.appendAudit(r)));
        const listed = await store.listAudit(owner);
        expect(listed).toHaveLength(200);
        expect(new Set(listed.map((r) => r.id))).toEqual(new Set(records.map((r) => r.id)));
      });

      test('an invalid record or a reused id is refused and nothing is stored', async () => {
        const owner = nationalId();
        await expect(store.appendAudit(auditRecord(owner, { outcomeDetail: 'patient said something' }))).rejects.toThrow(InvalidAuditRecordError);
        await expect(store.appendAudit(auditRecord(owner, { country: 'Portugal' }))).rejects.toThrow(/country/);
        await expect(store.appendAudit({ ...auditRecord(owner), subtype: 'delete-everything' as never })).rejects.toThrow(/subtype/);
        expect(await store.listAudit(owner)).toEqual([]);
        const r = auditRecord(owner);
        await store.appendAudit(r);
        await expect(store.appendAudit({ ...r, requestId: 'other' })).rejects.toThrow(StoreError);
        expect(await store.listAudit(owner)).toHaveLength(1);
      });

      test('values that look like SQL are stored as plain values', async () => {
        const owner = "8x'); DROP TABLE audit_record; --";
        await expect(store.appendAudit(auditRecord(owner))).rejects.toThrow(InvalidAuditRecordError);
        const sneaky = nationalId();
        const r = auditRecord(sneaky, { requestId: "r'); DELETE FROM audit_record; --" });
        await store.appendAudit(r);
        expect((await store.listAudit(sneaky))[0].requestId).toBe(r.requestId);
        expect(await store.listAudit(sneaky, { patientHandle: "' OR 1=1 --" })).toEqual([]);
      });
    });

    describe('lifecycle', () => {
      test('everything is still there when the database is opened again (migrations are idempotent)', async () => {
        const owner = nationalId();
        const handle = await store.savePatient(patient(owner));
        const consent = await store.saveConsent(consentInput(owner, handle, new Date(Date.now() + HOUR)));
        const record = auditRecord(owner, { patientHandle: handle });
        await store.appendAudit(record);

        const second = await open();
        expect((await second.getPatient(owner, handle))?.handle).toBe(handle);
        expect((await second.getConsent(owner, consent.id))?.id).toBe(consent.id);
        expect(await second.listAudit(owner)).toEqual([record]);
        // Both connections see each other's writes at once.
        const more = auditRecord(owner, { recorded: new Date(record.recorded.getTime() + 1) });
        await second.appendAudit(more);
        expect((await store.listAudit(owner)).map((r) => r.id)).toEqual([more.id, record.id]);
      });

      test('a database written by a newer version of the server is refused', async () => {
        await db.exec("INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'from the future', '2030-01-01')");
        try {
          await expect(db.open()).rejects.toThrow(/newer than this server/);
        } finally {
          await db.exec('DELETE FROM schema_version WHERE version = 999');
        }
      });

      test('ping answers true while open; after close ping is false and calls reject with StoreError', async () => {
        const s = await db.open();
        expect(await s.ping()).toBe(true);
        await s.close();
        expect(await s.ping()).toBe(false);
        await expect(s.appendAudit(auditRecord(nationalId()))).rejects.toThrow(StoreError);
        await expect(s.getPatient(nationalId(), 'a'.repeat(40))).rejects.toThrow(StoreError);
      });
    });
  });
}
