/**
 * Issue 12, item 3: the IHE ATNA export. Each audit record becomes a DICOM
 * audit message (PS3.15 A.5) in an RFC 5424 syslog message, octet-counted
 * (RFC 5425) over TLS to the repository; a repository that is down or
 * untrusted never blocks nor fails anything, messages wait in a bounded queue
 * and are retried with backoff, and what is dropped is counted and logged.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {
  AtnaExporter, octetCountedFrame, readOctetCountedFrames, syslogMessage, toDicomAuditMessage,
} from '../../src/audit/atna/index.js';
import { AuditTrail, OPERATOR_OWNER, UNIDENTIFIED_AGENT, type AuditRecord } from '../../src/audit/index.js';
import { createSelfSignedCertificate } from '../../src/ehdsi/saml/x509.js';
import { SqliteStore } from '../../src/store/index.js';
import { startTestServices } from '../auth/http-helpers.js';
import { memoryLogger } from '../helpers/test-app.js';

const SOURCE = { sourceId: 'ehdsi-fhir-facade', enterpriseSiteId: '2.999.250.1.1' };
const DOCTOR = '899700209937';

function serverPair() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = createSelfSignedCertificate({ privateKey, subject: { cn: 'arr.test' }, validDays: 1, usage: 'tls', altNames: { dns: ['localhost'], ip: ['127.0.0.1'] } });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert };
}
const pair = serverPair();

/** A TLS syslog receiver (RFC 5425 octet counting), as an Audit Record Repository. */
async function repository(port = 0) {
  const messages: string[] = [];
  const waiters: Array<() => void> = [];
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ key: pair.key, cert: pair.cert }, (socket) => {
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const read = readOctetCountedFrames(Buffer.concat([buffer, chunk]));
      buffer = Buffer.from(read.rest);
      messages.push(...read.messages);
      for (const w of waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    messages,
    async waitFor(n: number, ms = 5000): Promise<string[]> {
      const until = Date.now() + ms;
      while (messages.length < n && Date.now() < until) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
      return messages;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

async function freePort(): Promise<number> {
  const r = await repository();
  await r.close();
  return r.port;
}

function search(id: string, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id, recorded: new Date('2026-03-01T09:00:00.000Z'), owner: DOCTOR, action: 'E', subtype: 'search-patient', outcome: 'success',
    patientHandle: 'h4nd1e', country: 'HR', ehdsiTransaction: 'ITI-55', requestId: 'req-12345678', sourceAddress: '192.0.2.10', clientId: 'ehr-client',
    agent: { nationalId: DOCTOR, name: 'CYRIL TÖUBIB', profession: { code: '10', display: 'Médecin' }, practiceSituation: { organisationName: 'CABINET', mode: 'L' } },
    ...over,
  };
}

const authFailure: AuditRecord = {
  id: 'auth1', recorded: new Date('2026-03-01T10:00:00.000Z'), owner: OPERATOR_OWNER, agent: UNIDENTIFIED_AGENT, action: 'E', subtype: 'authentication',
  outcome: 'refused', outcomeDetail: 'token-expired', requestId: 'req-87654321', sourceAddress: '::ffff:127.0.0.1', clientId: 'forging-ehr',
};

const children = (el: Element): Element[] => Array.from(el.childNodes).filter((n) => n.nodeType === 1) as Element[];
const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml').documentElement!;

describe('the DICOM audit message', () => {
  test('a patient search (ITI-55): Query, the transaction, the professional with their address, the client, this server, the country, the patient handle', () => {
    const root = parse(toDicomAuditMessage(search('s1'), SOURCE));
    expect(root.tagName).toBe('AuditMessage');
    const names = children(root).map((e) => e.tagName);
    // The schema's order: one EventIdentification, ActiveParticipant+, AuditSourceIdentification, ParticipantObjectIdentification*.
    expect(names).toEqual(['EventIdentification', 'ActiveParticipant', 'ActiveParticipant', 'ActiveParticipant', 'ActiveParticipant', 'AuditSourceIdentification', 'ParticipantObjectIdentification', 'ParticipantObjectIdentification']);
    const event = children(root)[0];
    expect([event.getAttribute('EventActionCode'), event.getAttribute('EventDateTime'), event.getAttribute('EventOutcomeIndicator')]).toEqual(['E', '2026-03-01T09:00:00.000Z', '0']);
    expect(children(event).map((c) => [c.tagName, c.getAttribute('csd-code'), c.getAttribute('codeSystemName')])).toEqual([
      ['EventID', '110112', 'DCM'],
      ['EventTypeCode', 'ITI-55', 'IHE Transactions'],
      ['EventTypeCode', 'search-patient', 'urn:ehdsi-fhir-facade:audit-interaction'],
    ]);
    const [pro, client, facade, gateway] = children(root).slice(1, 5);
    expect([pro.getAttribute('UserID'), pro.getAttribute('UserIsRequestor'), pro.getAttribute('NetworkAccessPointID'), pro.getAttribute('NetworkAccessPointTypeCode')]).toEqual([DOCTOR, 'true', '192.0.2.10', '2']);
    expect([client.getAttribute('UserID'), children(client)[0].getAttribute('csd-code')]).toEqual(['ehr-client', '110150']);
    expect([facade.getAttribute('UserID'), children(facade)[0].getAttribute('csd-code')]).toEqual(['ehdsi-fhir-facade', '110153']);
    expect([gateway.getAttribute('UserID'), children(gateway)[0].getAttribute('csd-code')]).toEqual(['NCPeH-HR', '110152']);
    const sourceId = children(root)[5];
    expect([sourceId.getAttribute('AuditSourceID'), sourceId.getAttribute('AuditEnterpriseSiteID'), children(sourceId)[0].getAttribute('csd-code')]).toEqual(['ehdsi-fhir-facade', '2.999.250.1.1', '4']);
    const patient = children(root)[6];
    expect([patient.getAttribute('ParticipantObjectID'), patient.getAttribute('ParticipantObjectTypeCode'), patient.getAttribute('ParticipantObjectTypeCodeRole')]).toEqual(['h4nd1e', '1', '1']);
    expect(children(patient).map((c) => c.tagName)).toEqual(['ParticipantObjectIDTypeCode', 'ParticipantObjectName', 'ParticipantObjectDetail']);
    expect(Buffer.from(children(patient)[2].getAttribute('value')!, 'base64').toString()).toBe('HR');
  });

  test('a failed authentication: User Authentication / Login, minor failure (4), the unidentified caller, its address and claimed client', () => {
    const root = parse(toDicomAuditMessage(authFailure, SOURCE));
    const event = children(root)[0];
    expect(event.getAttribute('EventOutcomeIndicator')).toBe('4');
    expect(children(event).map((c) => [c.tagName, c.getAttribute('csd-code')])).toEqual([
      ['EventID', '110114'], ['EventTypeCode', '110122'], ['EventTypeCode', 'authentication'], ['EventOutcomeDescription', null],
    ]);
    expect(children(event)[3].textContent).toBe('refused: token-expired');
    const [caller, client] = children(root).slice(1, 3);
    expect([caller.getAttribute('UserID'), caller.getAttribute('UserName'), caller.getAttribute('NetworkAccessPointID')]).toEqual(['unidentified', null, '::ffff:127.0.0.1']);
    expect(client.getAttribute('UserID')).toBe('forging-ehr');
    expect(children(root).filter((e) => e.tagName === 'ParticipantObjectIdentification')).toHaveLength(1);
  });

  test('syslog: RFC 5424 header (PRI 85, MSGID IHE+RFC-3881, no structured data, no BOM), octet counting in bytes', () => {
    const xml = toDicomAuditMessage(search('s1'), SOURCE);
    const message = syslogMessage(xml, { hostname: 'facade host', appName: 'ehdsi-fhir-facade', procId: '42', timestamp: new Date('2026-03-01T09:00:00.000Z') });
    expect(message.startsWith('<85>1 2026-03-01T09:00:00.000Z facadehost ehdsi-fhir-facade 42 IHE+RFC-3881 - <?xml version="1.0" encoding="UTF-8"?><AuditMessage>')).toBe(true);
    const frame = octetCountedFrame(message);
    const length = Buffer.byteLength(message, 'utf8');
    expect(length).toBeGreaterThan(message.length); // "TÖUBIB", "Médecin": bytes, not characters
    expect(frame.subarray(0, String(length).length + 1).toString()).toBe(`${length} `);
    expect(readOctetCountedFrames(Buffer.concat([frame, frame.subarray(0, 10)]))).toEqual({ messages: [message], rest: frame.subarray(0, 10) });
  });
});

describe('the exporter', () => {
  test('sends each record, in order, over TLS to the repository it trusts', async () => {
    const arr = await repository();
    const exporter = new AtnaExporter({ host: '127.0.0.1', port: arr.port, ca: pair.cert, source: SOURCE });
    try {
      for (const id of ['s1', 's2', 's3']) exporter.enqueue(search(id, { requestId: `req-${id}-000000` }));
      expect(await exporter.flush(5000)).toBe(true);
      const received = await arr.waitFor(3);
      expect(received.map((m) => /ParticipantObjectID="(req-[^"]+)"/.exec(m)![1])).toEqual(['req-s1-000000', 'req-s2-000000', 'req-s3-000000']);
      expect(received.every((m) => m.startsWith('<85>1 '))).toBe(true);
      expect(exporter.stats()).toEqual({ queued: 0, sent: 3, dropped: 0, failures: 0 });
    } finally {
      await exporter.close();
      await arr.close();
    }
  });

  test('a repository that is down: enqueue returns at once, the messages wait and go once it is back (retry with backoff)', async () => {
    const port = await freePort();
    const { logger, lines } = memoryLogger();
    const exporter = new AtnaExporter({ host: '127.0.0.1', port, ca: pair.cert, source: SOURCE, backoffMs: { initial: 50, max: 200 }, logger });
    try {
      const started = process.hrtime.bigint();
      exporter.enqueue(search('s1'));
      exporter.enqueue(search('s2'));
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(exporter.stats().failures).toBeGreaterThan(0);
      expect(exporter.stats().queued).toBe(2);
      const arr = await repository(port);
      try {
        expect(await exporter.flush(5000)).toBe(true);
        expect(await arr.waitFor(2)).toHaveLength(2);
      } finally {
        await arr.close();
      }
      const logged = JSON.stringify(lines());
      expect(logged).toContain('ATNA repository unreachable');
      expect(logged).not.toContain('h4nd1e');
    } finally {
      await exporter.close();
    }
  });

  test('a full queue drops the oldest messages, counted and logged without patient data', async () => {
    const port = await freePort();
    const { logger, lines } = memoryLogger();
    const exporter = new AtnaExporter({ host: '127.0.0.1', port, ca: pair.cert, source: SOURCE, queueSize: 2, backoffMs: { initial: 10_000, max: 10_000 }, logger });
    try {
      for (const id of ['s1', 's2', 's3', 's4', 's5']) exporter.enqueue(search(id));
      expect(exporter.stats()).toMatchObject({ queued: 2, dropped: 3 });
      const dropped = lines().find((l) => l.msg === 'ATNA audit messages dropped');
      expect(dropped).toMatchObject({ reason: 'queue-full', dropped: expect.any(Number) });
      expect(JSON.stringify(lines())).not.toMatch(/h4nd1e|TÖUBIB|899700209937/);
    } finally {
      await exporter.close();
    }
  });

  test('a repository whose certificate is not trusted gets nothing', async () => {
    const arr = await repository();
    const exporter = new AtnaExporter({ host: '127.0.0.1', port: arr.port, source: SOURCE, backoffMs: { initial: 10_000, max: 10_000 } });
    try {
      exporter.enqueue(search('s1'));
      expect(await exporter.flush(500)).toBe(false);
      expect(exporter.stats()).toMatchObject({ sent: 0, queued: 1 });
      expect(exporter.stats().failures).toBeGreaterThan(0);
      expect(arr.messages).toEqual([]);
    } finally {
      await exporter.close();
      await arr.close();
    }
  });

  test('the trail passes each stored record on; an unreachable repository fails no write', async () => {
    const store = await SqliteStore.open(':memory:');
    const exporter = new AtnaExporter({ host: '127.0.0.1', port: await freePort(), ca: pair.cert, source: SOURCE, backoffMs: { initial: 10_000, max: 10_000 } });
    try {
      const trail = new AuditTrail(store, { onRecorded: (r) => exporter.enqueue(r) });
      await trail.record({ ...search('x'), id: undefined, recorded: undefined });
      expect(await store.listAudit(DOCTOR)).toHaveLength(1);
      expect(exporter.stats().queued).toBe(1);
    } finally {
      await exporter.close();
      await store.close();
    }
  });
});

test('the server exports its audit (here a refused token) to the configured repository (audit.atna.*)', async () => {
  const arr = await repository();
  const dir = mkdtempSync(path.join(tmpdir(), 'atna-ca-'));
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, pair.cert);
  const services = await startTestServices({ 'audit.atna.host': '127.0.0.1', 'audit.atna.port': arr.port, 'audit.atna.ca': caFile });
  try {
    expect(services.atna).toBeDefined();
    const res = await fetch(`${services.url}/fhir/Practitioner/psc-${DOCTOR}`, { headers: { Authorization: 'Bearer not.a.token' } });
    expect(res.status).toBe(401);
    const [message] = await arr.waitFor(1);
    expect(message).toContain('<EventID csd-code="110114" codeSystemName="DCM" originalText="User Authentication"/>');
    expect(message).toContain('EventOutcomeIndicator="4"');
    expect(message).not.toContain('not.a.token');
  } finally {
    await services.stop();
    await arr.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
