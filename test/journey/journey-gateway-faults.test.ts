/**
 * Every fault the simulator can be told to produce, on the transaction it
 * applies to, surfaces as the OperationOutcome of the eHDSI error table
 * (502/504 naming the country and the code, 4xx when the country refused
 * for a reason the professional can act on) and as a gateway-error audit
 * record; never a 500, never a hang.
 */
import type { FaultSpec } from '../../src/simulator/index.js';
import { memoryLogger } from '../helpers/test-app.js';
import { consentBody } from './consent-body.js';
import { auditTrail, DOCTOR, findCroatian, HR_DOMAIN, MARIJA_MBO, type FhirTestClient, type JourneyServer, withJourneyServer } from './harness.js';

let server: JourneyServer;
let doctor: FhirTestClient;
let marijaId: string;
const log = memoryLogger();

withJourneyServer(async (started, client) => {
  server = started;
  doctor = client;
  marijaId = (await findCroatian(doctor, MARIJA_MBO)).id!;
}, { logger: log.logger });

/** The operator's log line of a failing country: country, code, status; never the patient. */
function expectGatewayFailureLogged(c: Case): void {
  const failures = log.lines().filter((l) => l.msg === 'country gateway failure');
  if (c.status < 500) return;
  const last = failures.at(-1)!;
  expect(last).toMatchObject({ level: 40, country: 'HR', status: c.status });
  expect(c.code === undefined || last.ehdsiCode === c.code).toBe(true);
  expect(JSON.stringify(log.lines())).not.toMatch(/BOŽIČEVIĆ|BOZICEVIC|MARIJA|157601853/i);
}

beforeEach(() => server.sim.faults.reset());

interface Case {
  fault: Omit<FaultSpec, 'country'>;
  status: number;
  issue: string;
  /** eHDSI code in OperationOutcome.issue.details, when the table gives one. */
  code?: string;
  audit: { outcome: string; detail: string };
}

const search = () => doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}&address-country=HR`);

/** A fresh consent, so the XCA calls are not answered from the cache. */
async function summaryUnderNewConsent() {
  expect((await doctor.post('/Consent', consentBody(server.url, marijaId, DOCTOR))).status).toBe(201);
  return doctor.get(`/Patient/${marijaId}/$summary`);
}

const XCPD: Case[] = [
  { fault: { transaction: 'xcpd', fault: 'delay', delayMs: 4000 }, status: 504, issue: 'timeout', audit: { outcome: '8', detail: 'gateway-error: gateway-timeout' } },
  { fault: { transaction: 'xcpd', fault: 'soap-fault' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-fault' } },
  { fault: { transaction: 'xcpd', fault: 'soap-fault', ehdsiCode: 'InternalError' }, status: 502, issue: 'exception', code: 'InternalError', audit: { outcome: '8', detail: 'gateway-error: InternalError' } },
  { fault: { transaction: 'xcpd', fault: 'http-500' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-http' } },
  { fault: { transaction: 'xcpd', fault: 'http-503' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-http' } },
  { fault: { transaction: 'xcpd', fault: 'malformed-xml' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-malformed' } },
  { fault: { transaction: 'xcpd', fault: 'drop-connection' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-connection' } },
  { fault: { transaction: 'xcpd', fault: 'ehdsi-error', ehdsiCode: 'ERROR_PI_GENERIC' }, status: 502, issue: 'exception', code: 'ERROR_PI_GENERIC', audit: { outcome: '8', detail: 'gateway-error: ERROR_PI_GENERIC' } },
  { fault: { transaction: 'xcpd', fault: 'ehdsi-error', ehdsiCode: 'ResponderBusy' }, status: 502, issue: 'transient', code: 'ResponderBusy', audit: { outcome: '8', detail: 'gateway-error: ResponderBusy' } },
  { fault: { transaction: 'xcpd', fault: 'ehdsi-error', ehdsiCode: 'InsufficientRights' }, status: 403, issue: 'forbidden', code: 'InsufficientRights', audit: { outcome: '4', detail: 'refused: InsufficientRights' } },
];

const XCA: Case[] = [
  { fault: { transaction: 'xca-query', fault: 'delay', delayMs: 4000 }, status: 504, issue: 'timeout', audit: { outcome: '8', detail: 'gateway-error: gateway-timeout' } },
  { fault: { transaction: 'xca-query', fault: 'soap-fault', ehdsiCode: '1001' }, status: 502, issue: 'security', code: '1001', audit: { outcome: '8', detail: 'gateway-error: 1001' } },
  { fault: { transaction: 'xca-query', fault: 'http-500' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-http' } },
  { fault: { transaction: 'xca-query', fault: 'malformed-xml' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-malformed' } },
  { fault: { transaction: 'xca-query', fault: 'drop-connection' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-connection' } },
  { fault: { transaction: 'xca-query', fault: 'ehdsi-error', ehdsiCode: '4203' }, status: 502, issue: 'exception', code: '4203', audit: { outcome: '8', detail: 'gateway-error: 4203' } },
  { fault: { transaction: 'xca-query', fault: 'ehdsi-error', ehdsiCode: 'XDSRegistryError' }, status: 502, issue: 'exception', code: 'XDSRegistryError', audit: { outcome: '8', detail: 'gateway-error: XDSRegistryError' } },
  { fault: { transaction: 'xca-query', fault: 'ehdsi-error', ehdsiCode: '4701' }, status: 403, issue: 'forbidden', code: '4701', audit: { outcome: '4', detail: 'refused: 4701' } },
  { fault: { transaction: 'xca-retrieve', fault: 'truncated-mtom' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-malformed' } },
  { fault: { transaction: 'xca-retrieve', fault: 'http-503' }, status: 502, issue: 'transient', audit: { outcome: '8', detail: 'gateway-error: gateway-http' } },
  { fault: { transaction: 'xca-retrieve', fault: 'delay', delayMs: 4000 }, status: 504, issue: 'timeout', audit: { outcome: '8', detail: 'gateway-error: gateway-timeout' } },
  { fault: { transaction: 'xca-retrieve', fault: 'ehdsi-error', ehdsiCode: 'XDSRepositoryError' }, status: 502, issue: 'exception', code: 'XDSRepositoryError', audit: { outcome: '8', detail: 'gateway-error: XDSRepositoryError' } },
];

function expectOutcome(res: { status: number; body: fhir4.OperationOutcome }, c: Case): void {
  expect(res.status).toBe(c.status);
  expect(res.body.resourceType).toBe('OperationOutcome');
  const issue = res.body.issue[0];
  expect(issue.code).toBe(c.issue);
  expect(issue.diagnostics).toMatch(/^HR: /);
  expect(issue.details!.text).toMatch(/HR/);
  if (c.code) expect(issue.details!.coding![0].code).toBe(c.code);
}

test.each(XCPD.map((c) => [`${c.fault.fault}${c.fault.ehdsiCode ? ` ${c.fault.ehdsiCode}` : ''}`, c] as const))('XCPD %s', async (_name, c) => {
  server.sim.faults.add({ ...c.fault, country: 'HR' });
  expectOutcome(await search(), c);
  const [event] = await auditTrail(doctor);
  expect(event).toMatchObject({ interaction: 'search-patient', outcome: c.audit.outcome, detail: c.audit.detail, transaction: 'ITI-55', country: 'HR' });
  expectGatewayFailureLogged(c);
});

test.each(XCA.map((c) => [`${c.fault.transaction} ${c.fault.fault}${c.fault.ehdsiCode ? ` ${c.fault.ehdsiCode}` : ''}`, c] as const))('XCA %s', async (_name, c) => {
  server.sim.faults.add({ ...c.fault, country: 'HR' });
  expectOutcome(await summaryUnderNewConsent(), c);
  const [event] = await auditTrail(doctor, `?patient=Patient/${marijaId}`);
  expect(event).toMatchObject({
    interaction: 'summary-read', outcome: c.audit.outcome, detail: c.audit.detail, country: 'HR',
    transaction: c.fault.transaction === 'xca-query' ? 'ITI-38' : 'ITI-39', patient: `Patient/${marijaId}`,
  });
  expectGatewayFailureLogged(c);
});

test('the same document again under the same consent comes from the cache: no second XCA call', async () => {
  const first = await summaryUnderNewConsent();
  expect(first.status).toBe(200);
  const calls = server.sim.faults.requests().length;
  const again = await doctor.get(`/Patient/${marijaId}/$summary`);
  expect(again.status).toBe(200);
  expect(again.body).toEqual(first.body);
  expect(server.sim.faults.requests().length).toBe(calls);
  const [event] = await auditTrail(doctor, `?patient=Patient/${marijaId}`);
  expect(event).toMatchObject({ interaction: 'summary-read', outcome: '0', country: 'HR' });
  expect(event.transaction).toBeUndefined();
});
