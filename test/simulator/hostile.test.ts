/**
 * What reaches the simulated gateways that is not a proper request: DOCTYPE
 * and entities, broken XML, no SOAP, no wsa:Action, oversized bodies, other
 * methods. Each gets a SOAP Sender fault or a 4xx, never a 500 or a hang.
 */
import { buildEnvelope, parseSoapEnvelope, securityHeader } from '../../src/ehdsi/soap/envelope.js';
import { ACTIONS } from '../../src/ehdsi/soap/namespaces.js';
import { buildXcpdRequest } from '../../src/ehdsi/xcpd/request.js';
import { country, FRANCE_HCID, hcpAssertion, removeTempDirs, startTestBed, writePatients, type TestBed } from './helpers.js';

const HR = country('HR');
const DOMAIN = HR.searchMask.traits[0].domainOid;
let bed: TestBed;

beforeAll(async () => {
  bed = await startTestBed({
    maxRequestBytes: 256 * 1024,
    patientsDir: writePatients([{ slug: 'ana', country: 'HR', identifiers: [{ root: DOMAIN, extension: '900000001' }], given: 'Ana', family: 'Kovač', gender: 'female', birthDate: '1971-03-04', documents: ['L3'] }]),
  });
});

afterAll(async () => {
  await bed.close();
  removeTempDirs();
});

const post = (body: string | Buffer, contentType = 'application/soap+xml; charset=UTF-8', path = '/HR/xcpd') =>
  fetch(`${bed.sim.url}${path}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });

async function senderFault(res: Response): Promise<{ subcode?: string; reason: string }> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/soap\+xml/);
  const parsed = parseSoapEnvelope(await res.text());
  expect(parsed.fault?.code).toBe('Sender');
  return { subcode: parsed.fault?.subcode, reason: parsed.fault?.reason ?? '' };
}

const xcpdBody = () => buildXcpdRequest({ country: 'HR', senderHomeCommunityId: FRANCE_HCID, receiverHomeCommunityId: HR.homeCommunityId, traits: [{ domainOid: DOMAIN, value: '900000001' }] });

it('refuses a DOCTYPE with entities (billion laughs) without expanding it', async () => {
  const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>&lol2;</env:Body></env:Envelope>`;
  expect((await senderFault(await post(lol))).reason).toMatch(/DOCTYPE/);
});

it('refuses an external entity (XXE)', async () => {
  const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>&xxe;</env:Body></env:Envelope>`;
  const fault = await senderFault(await post(xxe));
  expect(fault.reason).not.toContain('root:');
});

it('refuses malformed XML and a non-SOAP document', async () => {
  expect((await senderFault(await post('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'))).reason).toMatch(/malformed|unreadable/);
  expect((await senderFault(await post('<hello/>'))).reason).toMatch(/not a SOAP envelope/);
  expect((await senderFault(await post('not xml at all', 'text/plain'))).reason).toMatch(/unreadable/);
});

it('refuses an envelope without wsa:Action', async () => {
  const env = `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header/><env:Body>${xcpdBody()}</env:Body></env:Envelope>`;
  expect((await senderFault(await post(env))).subcode).toBe('wsa:MessageAddressingHeaderRequired');
});

it('refuses the XCPD action on the XCA endpoint (wsa:ActionNotSupported)', async () => {
  const env = buildEnvelope({ action: ACTIONS.xcpdRequest, bodyXml: xcpdBody(), securityHeaderXml: securityHeader([hcpAssertion(bed.keys).xml]) });
  expect((await senderFault(await post(env, undefined, '/HR/xca'))).subcode).toBe('wsa:ActionNotSupported');
});

it('refuses a body that is not the transaction payload', async () => {
  const env = buildEnvelope({ action: ACTIONS.xcpdRequest, bodyXml: '<foo xmlns="urn:x"/>', securityHeaderXml: securityHeader([hcpAssertion(bed.keys).xml]) });
  expect((await senderFault(await post(env))).reason).toMatch(/PRPA_IN201305UV02/);
});

it('answers 413 to an oversized request', async () => {
  const res = await post(Buffer.alloc(300 * 1024, 'a'));
  expect(res.status).toBe(413);
});

it('answers 405 to another method and 404 elsewhere', async () => {
  const get = await fetch(`${bed.sim.url}/HR/xcpd`);
  expect(get.status).toBe(405);
  expect(get.headers.get('allow')).toBe('POST');
  expect((await fetch(`${bed.sim.url}/HR/other`)).status).toBe(404);
  expect((await fetch(`${bed.sim.url}/_control/nothing`)).status).toBe(404);
});

it('still answers normally afterwards, and describes itself at /', async () => {
  const env = buildEnvelope({ action: ACTIONS.xcpdRequest, bodyXml: xcpdBody(), securityHeaderXml: securityHeader([hcpAssertion(bed.keys).xml]) });
  const res = await post(env);
  expect(res.status).toBe(200);
  expect(parseSoapEnvelope(await res.text()).payload?.localName).toBe('PRPA_IN201306UV02');
  const index = (await (await fetch(bed.sim.url)).json()) as { countries: Array<{ code: string; xcpd: string; patients: number }> };
  expect(index.countries.find((c) => c.code === 'HR')).toMatchObject({ xcpd: `${bed.sim.url}/HR/xcpd`, patients: 1 });
});
