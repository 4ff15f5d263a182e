/**
 * Faults on demand, selected per request without restarting, each seen by
 * the real client as its typed error: timeout, SOAP fault, HTTP 500/503,
 * malformed XML, truncated MTOM, dropped connection, eHDSI error. Queued
 * through the returned controller and through the HTTP control API.
 */
import { EhdsiError } from '../../src/ehdsi/errors/ehdsi-error.js';
import { GatewayError } from '../../src/ehdsi/soap/gateway-error.js';
import { findPatientSummaries } from '../../src/ehdsi/xca-query/find.js';
import { retrieveDocument } from '../../src/ehdsi/xca-retrieve/retrieve.js';
import { discoverPatients, xcpdOutcomeError } from '../../src/ehdsi/xcpd/discover.js';
import type { FaultSpec } from '../../src/simulator/index.js';
import { repositoryIdFor } from '../../src/simulator/patients.js';
import { country, FRANCE_HCID, hcpAssertion, removeTempDirs, startTestBed, trcAssertion, writePatients, type TestBed, type TestPatient } from './helpers.js';

const HR = country('HR');
const DOMAIN = HR.searchMask.traits[0].domainOid;
const PATIENT: TestPatient = { slug: 'ana-kovac', country: 'HR', identifiers: [{ root: DOMAIN, extension: '900000001' }], given: 'Ana', family: 'Kovač', gender: 'female', birthDate: '1971-03-04', documents: ['L3', 'L1'] };
/** The client's timeout when the simulator delays its answer (5 s); a generous one otherwise, so a loaded machine is no failure. */
const SHORT_TIMEOUT_MS = 300;
const TIMEOUT_MS = 10_000;

let bed: TestBed;

beforeAll(async () => {
  bed = await startTestBed({ patientsDir: writePatients([PATIENT]) });
});

afterAll(async () => {
  await bed.close();
  removeTempDirs();
});

beforeEach(() => bed.sim.faults.reset());

const discover = (timeoutMs = TIMEOUT_MS) =>
  discoverPatients(bed.client, bed.xcpd('HR', timeoutMs), [{ domainOid: DOMAIN, value: '900000001' }], undefined, hcpAssertion(bed.keys).xml, { senderHomeCommunityId: FRANCE_HCID });

function assertions() {
  const hcp = hcpAssertion(bed.keys);
  return { hcp: hcp.xml, trc: trcAssertion(bed.keys, hcp, PATIENT.identifiers[0]).xml };
}
const query = (timeoutMs = TIMEOUT_MS) => findPatientSummaries(bed.client, bed.xca('HR', timeoutMs), PATIENT.identifiers[0], assertions());
const retrieve = (timeoutMs = TIMEOUT_MS) =>
  retrieveDocument(bed.client, bed.xca('HR', timeoutMs), { homeCommunityId: HR.homeCommunityId, repositoryUniqueId: repositoryIdFor(HR.homeCommunityId), documentUniqueId: `${repositoryIdFor(HR.homeCommunityId)}^ana-kovac.L3` }, assertions());

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe.each([
  ['xcpd', discover],
  ['xca-query', query],
  ['xca-retrieve', retrieve],
] as const)('faults on %s', (transaction, run) => {
  const cases: Array<[FaultSpec['fault'], Partial<FaultSpec>, Record<string, unknown>]> = [
    ['delay', { delayMs: 5000 }, { kind: 'timeout' }],
    ['soap-fault', { ehdsiCode: '4203' }, { kind: 'fault', httpStatus: 500, faultCode: 'Receiver', ehdsiCode: '4203' }],
    ['http-500', {}, { kind: 'http', httpStatus: 500 }],
    ['http-503', {}, { kind: 'http', httpStatus: 503 }],
    ['malformed-xml', {}, { kind: 'malformed' }],
    ['truncated-mtom', {}, { kind: 'malformed' }],
    ['drop-connection', {}, { kind: 'connection' }],
  ];

  it.each(cases)('%s → GatewayError', async (fault, extra, expected) => {
    bed.sim.faults.add({ country: 'HR', transaction, fault, ...extra });
    const e = await failure(run(fault === 'delay' ? SHORT_TIMEOUT_MS : TIMEOUT_MS));
    expect(e).toBeInstanceOf(GatewayError);
    expect(e).toMatchObject({ country: 'HR', ...expected });
    if (fault === 'truncated-mtom') expect(e.message).toMatch(/truncated/);
    // Consumed: the next call is answered normally.
    await expect(run()).resolves.toBeDefined();
    expect(bed.sim.faults.pending()).toEqual([]);
    expect(bed.sim.faults.requests().map((r) => [r.transaction, r.fault])).toEqual([
      [transaction, fault],
      [transaction, undefined],
    ]);
  });
});

describe('eHDSI errors on demand', () => {
  it('XCPD: AE with the code', async () => {
    bed.sim.faults.add({ transaction: 'xcpd', fault: 'ehdsi-error', ehdsiCode: 'ResponderBusy' });
    const outcome = await discover();
    expect(outcome.kind).toBe('error');
    if (outcome.kind === 'error') expect(xcpdOutcomeError(outcome, 'HR').code).toBe('ResponderBusy');
  });

  it('XCA query: RegistryError with the code', async () => {
    bed.sim.faults.add({ transaction: 'xca-query', fault: 'ehdsi-error', ehdsiCode: '4203' });
    await expect(query()).rejects.toMatchObject({ name: 'EhdsiError', code: '4203', transaction: 'xca-query' });
  });

  it('XCA query: 1102 on demand is a warning with an empty list', async () => {
    bed.sim.faults.add({ transaction: 'xca-query', fault: 'ehdsi-error', ehdsiCode: '1102' });
    const list = await query();
    expect(list.entries).toEqual([]);
    expect(list.warnings.map((w) => w.errorCode)).toEqual(['1102']);
  });

  it('XCA retrieve: RegistryError with the code', async () => {
    bed.sim.faults.add({ transaction: 'xca-retrieve', fault: 'ehdsi-error', ehdsiCode: '4703' });
    const e = await failure(retrieve());
    expect(e).toBeInstanceOf(EhdsiError);
    expect(e).toMatchObject({ code: '4703', transaction: 'xca-retrieve' });
  });
});

describe('fault selection', () => {
  it('a fault for another country or transaction leaves this request alone', async () => {
    bed.sim.faults.add({ country: 'PT', fault: 'http-500' });
    bed.sim.faults.add({ country: 'HR', transaction: 'xca-retrieve', fault: 'http-500' });
    await expect(discover()).resolves.toMatchObject({ kind: 'matches' });
    await expect(query()).resolves.toMatchObject({ warnings: [] });
    expect(bed.sim.faults.pending().map((f) => [f.country, f.transaction])).toEqual([
      ['PT', undefined],
      ['HR', 'xca-retrieve'],
    ]);
  });

  it('a fault without country nor transaction hits the next request; times counts the requests it hits', async () => {
    bed.sim.faults.add({ fault: 'http-503', times: 2 });
    await expect(discover()).rejects.toMatchObject({ kind: 'http', httpStatus: 503 });
    await expect(query()).rejects.toMatchObject({ kind: 'http', httpStatus: 503 });
    await expect(discover()).resolves.toMatchObject({ kind: 'matches' });
  });

  it('faults are consumed in the order they were queued', async () => {
    bed.sim.faults.add({ fault: 'http-500' });
    bed.sim.faults.add({ fault: 'malformed-xml' });
    await expect(discover()).rejects.toMatchObject({ kind: 'http' });
    await expect(discover()).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('refuses an invalid fault, naming the field', () => {
    expect(() => bed.sim.faults.add({ fault: 'explode' } as unknown as FaultSpec)).toThrow(/"fault" must be one of/);
    expect(() => bed.sim.faults.add({ fault: 'ehdsi-error' })).toThrow(/needs "ehdsiCode"/);
    expect(() => bed.sim.faults.add({ fault: 'delay', country: 'ZZ' })).toThrow(/ZZ is not simulated/);
    expect(() => bed.sim.faults.add({ fault: 'delay', delayMs: -1 })).toThrow(/"delayMs"/);
  });
});

describe('control API over HTTP', () => {
  const control = (path: string, init?: RequestInit) => fetch(`${bed.sim.url}/_control/${path}`, init);
  const post = (body: unknown) => control('faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('queues a fault (object or array), lists and clears them', async () => {
    const res = await post([{ country: 'hr', transaction: 'xcpd', fault: 'http-500' }, { fault: 'delay', delayMs: 10, times: 3 }]);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { queued: unknown[] }).queued).toEqual([
      { country: 'HR', transaction: 'xcpd', fault: 'http-500', remaining: 1 },
      { fault: 'delay', delayMs: 10, times: 3, remaining: 3 },
    ]);
    expect(((await (await control('faults')).json()) as { pending: unknown[] }).pending).toHaveLength(2);
    expect((await control('faults', { method: 'DELETE' })).status).toBe(204);
    expect(bed.sim.faults.pending()).toEqual([]);
  });

  it('a fault queued over HTTP is applied to the next matching request', async () => {
    expect((await post({ transaction: 'xcpd', fault: 'drop-connection' })).status).toBe(201);
    await expect(discover()).rejects.toMatchObject({ name: 'GatewayError', kind: 'connection' });
  });

  it('answers 400 with the reason for an invalid fault or body', async () => {
    const bad = await post({ fault: 'soap-fault', ehdsiCode: 'not a code!' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/ehdsiCode/);
    const notJson = await control('faults', { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(bed.sim.faults.pending()).toEqual([]);
  });

  it('lists the received requests (action, country, time), so a test can tell no SOAP call was made', async () => {
    const empty = (await (await control('requests')).json()) as { requests: unknown[] };
    expect(empty.requests).toEqual([]);
    await discover();
    const log = (await (await control('requests')).json()) as { requests: Array<Record<string, unknown>> };
    expect(log.requests).toEqual([expect.objectContaining({ country: 'HR', endpoint: 'xcpd', transaction: 'xcpd', action: 'urn:hl7-org:v3:PRPA_IN201305UV02:CrossGatewayPatientDiscovery', status: 200 })]);
    expect(Date.parse(log.requests[0].time as string)).not.toBeNaN();
    expect((await control('requests', { method: 'DELETE' })).status).toBe(204);
    expect(bed.sim.faults.requests()).toEqual([]);
  });

  it('does not log patient identifiers or names', async () => {
    await discover();
    await query();
    const text = await (await control('requests')).text();
    expect(text).not.toContain('900000001');
    expect(text).not.toContain('Kova');
  });
});
