import request from 'supertest';
import { rateLimitsFromConfig } from '../../src/app-services.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/server.js';
import { createLogger } from '../../src/logging/logger.js';
import { FixedWindowLimiter } from '../../src/util/rate-limit.js';
import { testRegistry } from '../helpers/test-app.js';

test('a fixed window counts per key and opens again when the window ends; Retry-After is what is left of it', () => {
  let now = 1_000_000;
  const limiter = new FixedWindowLimiter({ limit: 2, windowMs: 10_000, now: () => now });
  expect(limiter.take('a').allowed).toBe(true);
  now += 4_000;
  expect(limiter.take('a').allowed).toBe(true);
  expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 6 });
  expect(limiter.take('b').allowed).toBe(true);
  now += 6_000;
  expect(limiter.take('a')).toEqual({ allowed: true, retryAfterSeconds: 10 });
});

test('the limiter forgets expired windows, then the oldest, beyond maxKeys', () => {
  let now = 0;
  const limiter = new FixedWindowLimiter({ limit: 1, windowMs: 1_000, maxKeys: 2, now: () => now });
  limiter.take('a');
  limiter.take('b');
  limiter.take('c');
  expect(limiter.take('c').allowed).toBe(false);
  now = 5_000;
  expect(limiter.take('a').allowed).toBe(true);
});

test('per source address on /fhir: 429 with Retry-After and a throttled OperationOutcome, before anything else', async () => {
  const app = createApp({
    registry: testRegistry(), logger: createLogger('silent'), maxBodyBytes: 10_000,
    rateLimits: { perAddress: new FixedWindowLimiter({ limit: 2, windowMs: 60_000 }) },
  });
  expect((await request(app).get('/fhir/metadata')).status).toBe(200);
  expect((await request(app).get('/fhir/Basic/b1')).status).toBe(200);
  const res = await request(app).get('/fhir/Basic/b1');
  expect(res.status).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.body.issue[0].code).toBe('throttled');
  expect((await request(app).get('/health')).status).toBe(200);
});

test('per source address on the portal login routes: HTML for a browser, an OperationOutcome otherwise', async () => {
  const app = createApp({
    registry: testRegistry(), logger: createLogger('silent'), maxBodyBytes: 10_000,
    loginRateLimit: { limiter: new FixedWindowLimiter({ limit: 1, windowMs: 60_000 }), paths: ['/portal/login', '/portal/callback'] },
    mount: (a) => {
      a.get('/portal/login', (_req, res) => res.redirect(303, 'https://psc.example/auth'));
      a.get('/portal', (_req, res) => res.send('home'));
    },
  });
  expect((await request(app).get('/portal/login')).status).toBe(303);
  const browser = await request(app).get('/portal/login').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
  expect(browser.status).toBe(429);
  expect(browser.headers['retry-after']).toBeDefined();
  expect(browser.text).toContain('Trop de tentatives de connexion');
  const api = await request(app).get('/portal/login').set('Accept', 'application/json');
  expect([api.status, api.body.issue[0].code]).toEqual([429, 'throttled']);
  expect((await request(app).get('/portal')).status).toBe(200);
});

test('rate limits from the configuration: on and generous by default, off when disabled, 0 is no limit', () => {
  const defaults = rateLimitsFromConfig(loadConfig({}, {}));
  expect(defaults.fhir?.perPrincipal?.limit).toBe(600);
  expect(defaults.fhir?.perAddress?.limit).toBe(3000);
  expect(defaults.login?.limiter.limit).toBe(120);
  expect(defaults.login?.paths).toEqual(['/portal/login', '/portal/callback']);
  expect(defaults.fhir?.principalKey?.({ kind: 'psc-professional', context: { nationalId: '8123' } })).toBe('8123');
  expect(rateLimitsFromConfig(loadConfig({ RATE_LIMIT_ENABLED: 'false' }))).toEqual({});
  const noAddress = rateLimitsFromConfig(loadConfig({ RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_LOGIN_PER_ADDRESS: '0' }));
  expect(noAddress.fhir?.perAddress).toBeUndefined();
  expect(noAddress.login).toBeUndefined();
});
