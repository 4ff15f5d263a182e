/**
 * /metrics and /ready on the whole server (startServices: store, simulator,
 * PSC stand-in): after a journey over the embedded simulator — search,
 * consent, the summary twice, a country's refusals — the series are there,
 * with route patterns and closed label values only: nothing of the patient,
 * the professional or the token. /metrics is neither audited nor limited;
 * /ready fails, naming the check, when the store does not answer.
 */
import { jest } from '@jest/globals';
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { DEV_EHR_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { startTestServices } from '../auth/http-helpers.js';
import { consentBody } from '../journey/consent-body.js';
import { DOCTOR, fhirClient, findCroatian, HR_DOMAIN, MARIJA_MBO, type FhirTestClient } from '../journey/harness.js';
import { parseSamples, valueOf, type Sample } from './prometheus-text.js';

let services: Awaited<ReturnType<typeof startTestServices>>;
let doctor: FhirTestClient;
let token: string;

beforeAll(async () => {
  services = await startTestServices();
  const idp = services.auth.devIdp!;
  token = await mintAccessToken(idp.keys, idp.issuer, idp.directory.findByNationalId(DOCTOR)!, DEV_EHR_CLIENT_ID, 600);
  doctor = fhirClient(`${services.url}/fhir`, token);
});

afterAll(async () => {
  await services?.stop();
});

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${services.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parseSamples(text) };
}

test('after a journey, /metrics has the HTTP, gateway, conversion and cache series, and nothing of the patient', async () => {
  const marija = await findCroatian(doctor, MARIJA_MBO);
  const consent = await doctor.post('/Consent', consentBody(services.url, marija.id!, DOCTOR));
  expect(consent.status).toBe(201);
  const summary = await doctor.get(`/Patient/${marija.id}/$summary`);
  expect(summary.status).toBe(200);
  // The second one is answered from the document cache.
  expect((await doctor.get(`/Patient/${marija.id}/$summary`)).status).toBe(200);
  // A country's refusal (XCA query: 4203) and a failed exchange (XCPD: HTTP 500), under a new consent.
  services.simulator!.faults.add({ country: 'HR', transaction: 'xca-query', fault: 'ehdsi-error', ehdsiCode: '4203' });
  expect((await doctor.post('/Consent', consentBody(services.url, marija.id!, DOCTOR))).status).toBe(201);
  expect((await doctor.get(`/Patient/${marija.id}/$summary`)).status).toBe(502);
  services.simulator!.faults.add({ country: 'HR', transaction: 'xcpd', fault: 'http-500' });
  expect((await doctor.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}&address-country=HR`)).status).toBe(502);

  const { text, samples } = await scrape();

  // HTTP: route patterns and statuses.
  const http = 'ehdsi_facade_http_request_duration_seconds_count';
  expect(valueOf(samples, http, { method: 'GET', route: '/fhir/Patient/{id}/$summary', status: '200' })).toBe(2);
  expect(valueOf(samples, http, { method: 'GET', route: '/fhir/Patient/{id}/$summary', status: '502' })).toBe(1);
  expect(valueOf(samples, http, { method: 'POST', route: '/fhir/Consent', status: '201' })).toBe(2);
  expect(valueOf(samples, http, { method: 'GET', route: '/fhir/Patient', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(samples.some((s) => s.name === 'ehdsi_facade_http_request_duration_seconds_bucket' && s.labels.le === '+Inf')).toBe(true);

  // Gateway calls: by country, transaction, outcome; with their durations.
  const calls = 'ehdsi_facade_ehdsi_gateway_calls_total';
  expect(valueOf(samples, calls, { country: 'HR', transaction: 'ITI-55', outcome: 'success' })).toBeGreaterThanOrEqual(1);
  expect(valueOf(samples, calls, { country: 'HR', transaction: 'ITI-55', outcome: 'http' })).toBe(1);
  expect(valueOf(samples, calls, { country: 'HR', transaction: 'ITI-38', outcome: 'success' })).toBe(1);
  expect(valueOf(samples, calls, { country: 'HR', transaction: 'ITI-38', outcome: 'ehdsi-4xxx' })).toBe(1);
  expect(valueOf(samples, calls, { country: 'HR', transaction: 'ITI-39', outcome: 'success' })).toBe(1);
  expect(valueOf(samples, 'ehdsi_facade_ehdsi_gateway_call_duration_seconds_count', { country: 'HR', transaction: 'ITI-39', outcome: 'success' })).toBe(1);
  expect(valueOf(samples, 'ehdsi_facade_ehdsi_gateway_call_duration_seconds_sum', { transaction: 'ITI-39' })).toBeGreaterThan(0);

  // One conversion (the second summary came from the cache).
  expect(valueOf(samples, 'ehdsi_facade_cda_conversion_duration_seconds_count', { level: 'L3', outcome: 'success' })).toBe(1);
  expect(valueOf(samples, 'ehdsi_facade_cda_conversion_duration_seconds_sum', { level: 'L3', outcome: 'success' })).toBeGreaterThan(0);
  expect(valueOf(samples, 'ehdsi_facade_document_cache_lookups_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);
  expect(valueOf(samples, 'ehdsi_facade_document_cache_lookups_total', { result: 'miss' })).toBeGreaterThanOrEqual(2);
  // How full the cache is, against its bounds (the load test's "warm" point: memory grows until it is full).
  const entries = valueOf(samples, 'ehdsi_facade_document_cache_entries')!;
  expect(entries).toBeGreaterThanOrEqual(1);
  expect(entries).toBeLessThanOrEqual(valueOf(samples, 'ehdsi_facade_document_cache_max_entries')!);
  expect(valueOf(samples, 'ehdsi_facade_document_cache_bytes')).toBeGreaterThan(10_000);
  expect(valueOf(samples, 'ehdsi_facade_document_cache_max_bytes')).toBeGreaterThanOrEqual(64 * 1024 * 1024);

  // prom-client's default Node.js metrics.
  expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  expect(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);

  // Nothing of the patient, the professional or the token.
  for (const secret of [MARIJA_MBO, marija.id!, 'BOŽIČEVIĆ', 'BOZICEVIC', 'MARIJA', DOCTOR, token, consent.body.id as string, HR_DOMAIN]) {
    expect(text).not.toContain(secret);
  }
  const labelValues = samples.flatMap((s) => Object.values(s.labels));
  expect(labelValues.filter((v) => /\d{6,}/.test(v))).toEqual([]);
});

test('/metrics and /ready are not audited', async () => {
  const before = (await services.store.listAuditForOperator()).length;
  for (let i = 0; i < 5; i++) {
    expect((await fetch(`${services.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${services.url}/ready`)).status).toBe(200);
  }
  expect((await services.store.listAuditForOperator()).length).toBe(before);
  const { samples } = await scrape();
  expect(valueOf(samples, 'ehdsi_facade_http_request_duration_seconds_count', { route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(5);
});

test('/ready names its checks, and is 503 naming the store when the store ping fails', async () => {
  const ok = await fetch(`${services.url}/ready`);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ status: 'ready', checks: [{ name: 'store', ok: true }, { name: 'conversion-maps', ok: true }] });

  const ping = jest.spyOn(services.store, 'ping').mockResolvedValue(false);
  try {
    const down = await fetch(`${services.url}/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not ready', checks: [{ name: 'store', ok: false }, { name: 'conversion-maps', ok: true }], failing: ['store'] });
    ping.mockRejectedValue(new Error('connection refused'));
    const thrown = await fetch(`${services.url}/ready`);
    expect(thrown.status).toBe(503);
    expect(((await thrown.json()) as { failing: string[] }).failing).toEqual(['store']);
    // Liveness is another question.
    expect((await fetch(`${services.url}/health`)).status).toBe(200);
  } finally {
    ping.mockRestore();
  }
  expect((await fetch(`${services.url}/ready`)).status).toBe(200);
});
