/**
 * Issue 12, item 3: failed authentications and refused tokens are audited
 * (DICOM 110114 User Authentication, outcome 4, reason, claimed client id,
 * source address — never the token), owned by the operator so no
 * professional sees them; malformed requests of an identified professional
 * are audited under their name. Through the whole server (startServices).
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { OPERATOR_OWNER, toAuditEvent } from '../../src/audit/index.js';
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { DEV_EHR_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { professional } from './fixtures.js';
import { Browser, portalLogin, startTestServices } from './http-helpers.js';
import { craftToken } from './tokens.js';

type Services = Awaited<ReturnType<typeof startTestServices>>;

const CYRIL = professional('cyril-toubib-gp');
const BERNARD = professional('occupational-physician');
const HR_SEARCH = `/fhir/Patient?identifier=${encodeURIComponent('urn:oid:2.16.17.710.840.1000.990.1|157601853')}&address-country=HR`;

let services: Services;
let cyril: string;

beforeAll(async () => {
  services = await startTestServices();
  const idp = services.auth.devIdp!;
  cyril = await mintAccessToken(idp.keys, idp.issuer, CYRIL, DEV_EHR_CLIENT_ID, 600);
});

afterAll(async () => {
  await services?.stop();
});

async function call(method: string, url: string, opts: { token?: string; authorization?: string; body?: string; type?: string } = {}) {
  const headers: Record<string, string> = { Accept: 'application/fhir+json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.authorization) headers.Authorization = opts.authorization;
  if (opts.type) headers['Content-Type'] = opts.type;
  const res = await fetch(`${services.url}${url}`, { method, headers, body: opts.body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) as Record<string, any> : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const myEvents = async (token: string) => ((await call('GET', '/fhir/AuditEvent', { token })).body!.entry ?? [])
  .map((e: fhir4.BundleEntry) => e.resource as fhir4.AuditEvent)
  .map((ev: fhir4.AuditEvent) => [ev.subtype!.find((s) => s.system === 'urn:ehdsi-fhir-facade:audit-interaction')!.code, ev.outcome, ev.outcomeDesc]);

test('no token, a malformed header, an expired and a forged token: 401, each audited as a failed User Authentication, never the token', async () => {
  const keys = services.auth.devIdp!.keys;
  const expired = await craftToken(keys, services.auth.issuer, CYRIL, { expiresIn: -60 });
  const forged = await craftToken(keys, services.auth.issuer, CYRIL, { forge: true, claims: { azp: 'forging-ehr' } });
  const since = new Date();
  expect((await call('GET', '/fhir/Practitioner/psc-899700209937')).status).toBe(401);
  expect((await call('GET', '/fhir/Practitioner/psc-899700209937', { authorization: 'Basic Zm9vOmJhcg==' })).status).toBe(401);
  expect((await call('GET', HR_SEARCH, { token: expired })).status).toBe(401);
  expect((await call('GET', HR_SEARCH, { token: forged })).status).toBe(401);

  const records = await services.store.listAuditForOperator({ from: since, subtypes: ['authentication'] });
  expect(records).toHaveLength(4);
  expect(records.map((r) => r.outcomeDetail)).toEqual(['no-token', 'malformed-authorization', expect.stringMatching(/^token-(inactive|expired)$/), expect.stringMatching(/^token-(inactive|signature)$/)]);
  expect(records.map((r) => r.clientId)).toEqual([undefined, undefined, DEV_EHR_CLIENT_ID, 'forging-ehr']);
  for (const r of records) {
    expect(r).toMatchObject({ owner: OPERATOR_OWNER, outcome: 'refused', agent: { nationalId: 'unidentified' } });
    expect(r.sourceAddress).toMatch(/127\.0\.0\.1$/);
    expect(r.patientHandle).toBeUndefined();
  }
  const event = toAuditEvent(records[3], `${services.url}/fhir`);
  expect(event.type).toEqual({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' });
  expect(event.subtype).toContainEqual({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122', display: 'Login' });
  expect(event.outcome).toBe('4');
  expect(event.agent[0]).toMatchObject({ requestor: true, who: { display: 'unidentified user' }, network: { type: '2' } });
  expect(event.agent[0].who!.identifier).toBeUndefined();
  expect(event.agent[1].who!.identifier!.value).toBe('forging-ehr');

  // Neither the tokens nor the patient's identifier are anywhere in the stored trail.
  const db = new Database(path.join(services.dataDir, 'facade.sqlite'), { readonly: true });
  try {
    const dump = JSON.stringify(db.prepare('SELECT * FROM audit_record').all());
    for (const token of [expired, forged]) {
      for (const part of token.split('.')) expect(dump).not.toContain(part);
    }
    expect(dump).not.toContain('157601853');
  } finally {
    db.close();
  }
});

test('a professional does not see the failed authentications in their own AuditEvent search', async () => {
  expect((await call('GET', '/fhir/Practitioner/psc-899700209937')).status).toBe(401);
  const events = await myEvents(cyril);
  expect(events.some(([interaction]: string[]) => interaction === 'authentication')).toBe(false);
});

test('malformed requests of an identified professional are audited under their name with their HTTP outcome', async () => {
  expect((await call('POST', '/fhir/Consent', { token: cyril, body: '{broken', type: 'application/fhir+json' })).status).toBe(400);
  expect((await myEvents(cyril))[0]).toEqual(['consent-create', '4', 'client-error: http-400']);
  expect((await call('POST', '/fhir/Consent', { token: cyril, body: 'consent', type: 'text/plain' })).status).toBe(415);
  expect((await myEvents(cyril))[0]).toEqual(['consent-create', '4', 'client-error: http-415']);
  expect((await call('POST', '/fhir/Practitioner', { token: cyril, body: '{broken', type: 'application/fhir+json' })).status).toBe(400);
  expect((await myEvents(cyril))[0]).toEqual(['rejected-request', '4', 'client-error: http-400']);
  // Without a token the same request is nobody's: not in the professional's trail.
  const before = (await myEvents(cyril)).length;
  expect((await call('POST', '/fhir/Consent', { body: '{broken', type: 'application/fhir+json' })).status).toBe(400);
  expect((await myEvents(cyril)).length).toBe(before + 1); // the audit-read of the line above only
});

test('an ineligible professional\'s attempt on patient data is still audited as refused under their name, nothing sent', async () => {
  const idp = services.auth.devIdp!;
  const token = await mintAccessToken(idp.keys, idp.issuer, BERNARD, DEV_EHR_CLIENT_ID, 600);
  const res = await call('GET', HR_SEARCH, { token });
  expect(res.status).toBe(403);
  const [record] = await services.store.listAudit('899700302014');
  expect(record).toMatchObject({ subtype: 'search-patient', outcome: 'refused', outcomeDetail: 'OCCUPATIONAL_MEDICINE' });
  expect(services.simulator!.faults.requests()).toHaveLength(0);
});

test('portal logins are audited: a completed login under the professional\'s name, a refused one with its rule, a broken one for the operator', async () => {
  const since = new Date();
  expect((await portalLogin(new Browser(), services.url, '899700209937')).url).toBe(`${services.url}/portal/recherche`);
  await portalLogin(new Browser(), services.url, '899700302014');
  const stale = await fetch(`${services.url}/portal/callback?code=abc&state=def`, { redirect: 'manual' });
  expect(stale.status).toBe(400);
  const records = await services.store.listAuditForOperator({ from: since, subtypes: ['authentication'] });
  expect(records.map((r) => [r.owner, r.outcome, r.outcomeDetail])).toEqual([
    ['899700209937', 'success', undefined],
    ['899700302014', 'refused', 'OCCUPATIONAL_MEDICINE'],
    [OPERATOR_OWNER, 'client-error', 'login-expired'],
  ]);
  expect(records[0].clientId).toBe('ehdsi-fhir-facade');
  // CYRIL sees his own login in his trail, not the others.
  const events = await myEvents(cyril);
  expect(events.filter(([i]: string[]) => i === 'authentication')).toEqual([['authentication', '0', undefined]]);
});
