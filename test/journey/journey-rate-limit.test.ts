/**
 * Issue 12, item 4: a professional over their rate limit gets 429 with
 * Retry-After and an OperationOutcome (throttled) in French and English,
 * nothing is sent to a country, and the 429 is audited under their name.
 */
import { isAuthenticatedProfessional } from '../../src/auth/professional.js';
import { FixedWindowLimiter } from '../../src/util/rate-limit.js';
import {
  CARDIOLOGIST, DOCTOR, fhirClient, HR_DOMAIN, MARIJA_MBO, soapCalls, startJourneyServer, type JourneyServer,
} from './harness.js';

let server: JourneyServer;

beforeAll(async () => {
  server = await startJourneyServer({
    app: {
      rateLimits: {
        perPrincipal: new FixedWindowLimiter({ limit: 3, windowMs: 60_000 }),
        principalKey: (p) => (isAuthenticatedProfessional(p) ? p.context.nationalId : undefined),
      },
    },
  });
});

afterAll(async () => {
  await server?.close();
});

test('the 4th request of a professional in the window is a 429, audited for them; another professional is not held back', async () => {
  const doctor = fhirClient(server.fhir, await server.token(DOCTOR));
  for (let i = 0; i < 3; i++) expect((await doctor.get(`/Practitioner/psc-${DOCTOR}`)).status).toBe(200);
  const before = soapCalls(server);
  const res = await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}&address-country=HR`);
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0]).toMatchObject({ severity: 'error', code: 'throttled' });
  expect(res.body.issue[0].details.text).toMatch(/^Trop de requêtes : réessayez dans \d+ s\.$/);
  expect(res.body.issue[0].diagnostics).toMatch(/too many requests; retry in \d+ s/);
  expect(soapCalls(server)).toBe(before);
  const [record] = await server.store.listAudit(DOCTOR);
  expect(record).toMatchObject({ subtype: 'search-patient', outcome: 'client-error', outcomeDetail: 'http-429' });

  const cardiologist = fhirClient(server.fhir, await server.token(CARDIOLOGIST));
  expect((await cardiologist.get(`/Practitioner/psc-${CARDIOLOGIST}`)).status).toBe(200);
});
