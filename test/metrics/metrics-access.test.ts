/**
 * Who may read /metrics: with METRICS_TOKEN, only a caller presenting it as a
 * bearer token; without, loopback callers only (not one a proxy forwarded,
 * not another host). /metrics is outside /fhir: never limited by its rate
 * limiter. Labels are route patterns, never the URL. /ready answers 503 with
 * the failing checks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createApp, metricsTokenFromConfig, type ReadinessCheck } from '../../src/server.js';
import { isLoopbackAddress } from '../../src/util/source-address.js';
import { FixedWindowLimiter } from '../../src/util/rate-limit.js';
import { routeLabel } from '../../src/util/metrics.js';
import { memoryLogger, testRegistry } from '../helpers/test-app.js';
import { parseSamples, valueOf } from './prometheus-text.js';

const TOKEN = 'test-metrics-token-0123456789abcdef';

function app(opts: { metricsToken?: string; readiness?: ReadinessCheck[]; perAddress?: number } = {}) {
  return createApp({
    registry: testRegistry(),
    logger: memoryLogger().logger,
    maxBodyBytes: 64 * 1024,
    metricsToken: opts.metricsToken,
    readiness: opts.readiness,
    ...(opts.perAddress ? { rateLimits: { perAddress: new FixedWindowLimiter({ limit: opts.perAddress, windowMs: 60_000 }) } } : {}),
  });
}

describe('with METRICS_TOKEN', () => {
  const withToken = app({ metricsToken: TOKEN });

  test('a caller without the token, even on loopback, or with another one, is refused', async () => {
    const none = await request(withToken).get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(none.text).not.toContain('ehdsi_facade_');
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
      const res = await request(withToken).get('/metrics').set('Authorization', authorization);
      expect(res.status).toBe(401);
      expect(res.text).not.toContain('ehdsi_facade_');
    }
  });

  test('the token opens it, from anywhere (a forwarded request too)', async () => {
    const res = await request(withToken).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).set('X-Forwarded-For', '203.0.113.9');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('# TYPE ehdsi_facade_http_request_duration_seconds histogram');
  });

  test('a short token stops the start, naming the setting', () => {
    expect(() => metricsTokenFromConfig(loadConfig({ METRICS_TOKEN: 'short' }))).toThrow(ConfigError);
    expect(() => metricsTokenFromConfig(loadConfig({ METRICS_TOKEN: 'short' }))).toThrow(/metrics\.token \(METRICS_TOKEN\)/);
    expect(metricsTokenFromConfig(loadConfig({ METRICS_TOKEN: TOKEN }))).toBe(TOKEN);
    expect(metricsTokenFromConfig(loadConfig({}))).toBeUndefined();
  });
});

describe('without METRICS_TOKEN', () => {
  const loopbackOnly = app();

  test('a loopback caller reads it', async () => {
    const res = await request(loopbackOnly).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('ehdsi_facade_http_request_duration_seconds');
  });

  test('a request a proxy forwarded is refused (it may come from anywhere)', async () => {
    expect((await request(loopbackOnly).get('/metrics').set('X-Forwarded-For', '127.0.0.1')).status).toBe(403);
    expect((await request(loopbackOnly).get('/metrics').set('Forwarded', 'for=198.51.100.7')).status).toBe(403);
  });

  test('loopback is the socket peer 127.0.0.0/8 or ::1', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.20', '::ffff:10.0.0.1', 'fe80::1', '1127.0.0.1', undefined, '']) expect(isLoopbackAddress(a)).toBe(false);
  });

  test('a caller from another address is refused with 403, the same server answering loopback', async () => {
    // The socket's peer as a remote machine would have it (no second network interface needed).
    const fromElsewhere = http.createServer((req, res) => {
      Object.defineProperty(req.socket, 'remoteAddress', { value: '203.0.113.9', configurable: true });
      loopbackOnly(req, res);
    });
    const direct = http.createServer(loopbackOnly);
    await Promise.all([fromElsewhere, direct].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    try {
      const res = await fetch(`http://127.0.0.1:${(fromElsewhere.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('ehdsi_facade_');
      expect((await fetch(`http://127.0.0.1:${(direct.address() as AddressInfo).port}/metrics`)).status).toBe(200);
    } finally {
      await Promise.all([fromElsewhere, direct].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    }
  });
});

test('/metrics is not limited by the /fhir rate limiter', async () => {
  const limited = app({ perAddress: 1 });
  expect((await request(limited).get('/fhir/Basic/b1')).status).toBe(200);
  expect((await request(limited).get('/fhir/Basic/b1')).status).toBe(429);
  for (let i = 0; i < 5; i++) expect((await request(limited).get('/metrics')).status).toBe(200);
});

test('the HTTP series are by route pattern and status, never the URL', async () => {
  const a = app();
  await request(a).get('/fhir/Basic/b1');
  await request(a).get('/fhir/Basic/zz-unknown-9');
  await request(a).get('/no/such/place-4242424');
  const samples = parseSamples((await request(a).get('/metrics')).text);
  const count = 'ehdsi_facade_http_request_duration_seconds_count';
  expect(valueOf(samples, count, { method: 'GET', route: '/fhir/Basic/{id}', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(valueOf(samples, count, { method: 'GET', route: '/fhir/Basic/{id}', status: '404' })).toBeGreaterThanOrEqual(1);
  expect(valueOf(samples, count, { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
  const routes = samples.map((s) => s.labels.route).filter(Boolean);
  expect(routes.filter((r) => /b1|zz-unknown|place-/.test(r))).toEqual([]);
});

test('a route label never keeps an id-like segment, and their number is bounded', () => {
  expect(routeLabel('/portal/patients/157601853/synthese')).toBe('/portal/patients/{id}/synthese');
  expect(routeLabel('/x/0f3c9a0b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a')).toBe('/x/{id}');
  expect(routeLabel('/fhir/Patient/{id}/$summary')).toBe('/fhir/Patient/{id}/$summary');
  expect(routeLabel('/pin/{lang} <script>"')).toBe('/pin/{lang} _script__');
  const many = Array.from({ length: 300 }, (_, i) => routeLabel(`/bounded/r${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`));
  expect(many).toContain('other');
});

describe('/ready', () => {
  test('is 503 naming the failing checks (false or throwing), 200 when every check passes', async () => {
    const failing = app({
      readiness: [
        { name: 'store', check: async () => false },
        { name: 'conversion-maps', check: async () => true },
        { name: 'broken', check: async () => { throw new Error('down'); } },
      ],
    });
    const res = await request(failing).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'not ready',
      checks: [{ name: 'store', ok: false }, { name: 'conversion-maps', ok: true }, { name: 'broken', ok: false }],
      failing: ['store', 'broken'],
    });
    const conversionPending = app({ readiness: [{ name: 'store', check: async () => true }, { name: 'conversion-maps', check: async () => false }] });
    const pending = await request(conversionPending).get('/ready');
    expect(pending.status).toBe(503);
    expect(pending.body.failing).toEqual(['conversion-maps']);
    const ok = await request(app({ readiness: [{ name: 'store', check: async () => true }] })).get('/ready');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ready', checks: [{ name: 'store', ok: true }] });
  });
});
