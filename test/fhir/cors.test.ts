import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/server.js';
import { corsPolicy, corsPolicyFromConfig, type CorsPolicy } from '../../src/fhir/cors.js';
import { restSecurity } from '../../src/auth/smart-configuration.js';
import { DEV_SMART_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { memoryLogger, testRegistry } from '../helpers/test-app.js';
import { Browser, formOf, startTestServices } from '../auth/http-helpers.js';
import { professional } from '../auth/fixtures.js';

const APP = 'https://app.example.org';
const EXPOSED = ['Location', 'ETag', 'Last-Modified', 'Content-Location', 'X-Request-Id', 'WWW-Authenticate', 'Retry-After'];

function app(cors?: CorsPolicy) {
  return createApp({ registry: testRegistry(), logger: memoryLogger().logger, maxBodyBytes: 64 * 1024, ...(cors ? { cors } : {}) });
}

function preflight(target: ReturnType<typeof app>, path: string, origin: string, method = 'GET') {
  return request(target).options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method)
    .set('Access-Control-Request-Headers', 'authorization, content-type');
}

function list(header: string | undefined): string[] {
  return (header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

describe('CORS by default: any origin', () => {
  const fhir = app();

  test('a preflight is answered 204 before the FHIR router, with the methods, headers and max age', async () => {
    const res = await preflight(fhir, '/fhir/Basic/b1', APP);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(list(res.headers['access-control-allow-methods'])).toEqual(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']);
    expect(list(res.headers['access-control-allow-headers'])).toEqual(expect.arrayContaining(
      ['Authorization', 'Content-Type', 'Accept', 'Prefer', 'If-None-Match', 'If-Modified-Since', 'X-Request-Id'],
    ));
    expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.text).toBe('');
  });

  test('whatever the path under /fhir, and for the SMART configuration at both places', async () => {
    for (const path of ['/fhir/Patient', '/fhir/Patient/x/$summary', '/fhir/metadata', '/fhir/.well-known/smart-configuration', '/.well-known/smart-configuration']) {
      const res = await preflight(fhir, path, 'http://127.0.0.1:5173', 'POST');
      expect([path, res.status, res.headers['access-control-allow-origin']]).toEqual([path, 204, '*']);
    }
  });

  test('a real GET exposes the headers a browser app needs', async () => {
    const res = await request(fhir).get('/fhir/Basic/b1').set('Origin', APP);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(list(res.headers['access-control-expose-headers'])).toEqual(EXPOSED);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  test('errors carry them too (the app can read the OperationOutcome), and a client without Origin is served alike', async () => {
    const missing = await request(fhir).get('/fhir/Basic/nope').set('Origin', APP);
    expect(missing.status).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe('*');
    const plain = await request(fhir).get('/fhir/Basic/b1');
    expect(plain.status).toBe(200);
    expect(plain.body.resourceType).toBe('Basic');
  });

  test('an OPTIONS that is no preflight still reaches the router (405 with Allow)', async () => {
    const res = await request(fhir).options('/fhir/Basic/b1').set('Origin', APP);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBeDefined();
  });

  test('nothing outside /fhir and the SMART configuration gets CORS headers', async () => {
    for (const path of ['/health', '/portal', '/nowhere']) {
      const res = await request(fhir).get(path).set('Origin', APP);
      expect([path, res.headers['access-control-allow-origin']]).toEqual([path, undefined]);
    }
    const res = await preflight(fhir, '/health', APP);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with configured origins', () => {
  const fhir = app(corsPolicy(['https://app.example.org', 'http://127.0.0.1:5173']));

  test('a listed origin is echoed, with Vary: Origin', async () => {
    const pre = await preflight(fhir, '/fhir/Basic/b1', APP);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(APP);
    expect(list(pre.headers.vary)).toContain('Origin');
    const res = await request(fhir).get('/fhir/Basic/b1').set('Origin', 'http://127.0.0.1:5173');
    expect(res.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173');
    expect(list(res.headers['access-control-expose-headers'])).toEqual(EXPOSED);
    expect(list(res.headers.vary)).toContain('Origin');
  });

  test('another origin gets no CORS headers (the browser refuses), and never an error', async () => {
    for (const origin of ['https://evil.example.org', 'http://127.0.0.1:5174', 'null']) {
      const pre = await preflight(fhir, '/fhir/Basic/b1', origin);
      expect(pre.status).toBe(204);
      for (const h of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age']) {
        expect([origin, h, pre.headers[h]]).toEqual([origin, h, undefined]);
      }
      const res = await request(fhir).get('/fhir/Basic/b1').set('Origin', origin);
      expect(res.status).toBe(200);
      expect(res.body.resourceType).toBe('Basic');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-expose-headers']).toBeUndefined();
    }
  });

  test('none turns CORS off: no headers, and OPTIONS is the router\'s 405', async () => {
    const off = app(corsPolicy(['none']));
    const pre = await preflight(off, '/fhir/Basic/b1', APP);
    expect(pre.status).toBe(405);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect((await request(off).get('/fhir/Basic/b1').set('Origin', APP)).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the fhir.corsOrigins setting', () => {
  test('default *, a list from FHIR_CORS_ORIGINS, none, [] in the file', () => {
    expect(corsPolicyFromConfig(loadConfig({})).allow).toBe('*');
    const listed = corsPolicyFromConfig(loadConfig({ FHIR_CORS_ORIGINS: 'https://App.Example.org/, http://localhost:8000' })).allow;
    expect([...listed]).toEqual(['https://app.example.org', 'http://localhost:8000']);
    expect([...corsPolicyFromConfig(loadConfig({ FHIR_CORS_ORIGINS: 'none' })).allow]).toEqual([]);
    expect([...corsPolicy([]).allow]).toEqual([]);
    expect(corsPolicy(['https://app.example.org:443']).allow).toEqual(new Set(['https://app.example.org']));
  });

  test('anything but origins is refused, naming the setting', () => {
    for (const bad of [['https://app.example.org/path'], ['app.example.org'], ['ftp://app.example.org'], ['*', 'https://app.example.org'], ['https://u:p@app.example.org']]) {
      expect(() => corsPolicy(bad)).toThrow(ConfigError);
      expect(() => corsPolicy(bad)).toThrow(/fhir\.corsOrigins \(FHIR_CORS_ORIGINS\)/);
    }
  });

  test('rest.security.cors says whether CORS is on', () => {
    const meta = { issuer: 'https://psc.example', authorization_endpoint: 'https://psc.example/auth', token_endpoint: 'https://psc.example/token' };
    expect(restSecurity(meta, { cors: true }).cors).toBe(true);
    expect(restSecurity(meta, { cors: false }).cors).toBe(false);
  });
});

describe('the embedded setup: CORS, SMART configuration and the public SMART client', () => {
  let services: Awaited<ReturnType<typeof startTestServices>>;
  beforeAll(async () => {
    services = await startTestServices();
  });
  afterAll(async () => {
    await services.stop();
  });

  test('/fhir/metadata says rest.security.cors true', async () => {
    const res = await request(services.url).get('/fhir/metadata').set('Origin', APP);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body.rest[0].security.cors).toBe(true);
  });

  test('the SMART configuration, readable cross-origin at both places, advertises what fhirclient needs', async () => {
    for (const path of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const res = await request(services.url).get(path).set('Origin', APP);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).toMatchObject({
        issuer: services.auth.issuer,
        authorization_endpoint: `${services.auth.issuer}/protocol/openid-connect/auth`,
        token_endpoint: `${services.auth.issuer}/protocol/openid-connect/token`,
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code'],
        response_types_supported: ['code'],
      });
      expect(res.body.capabilities).toEqual(expect.arrayContaining(['launch-standalone', 'client-public', 'sso-openid-connect']));
      expect(res.body.token_endpoint_auth_methods_supported).toContain('none');
    }
  });

  test('a 401 is readable cross-origin, its WWW-Authenticate exposed', async () => {
    const res = await request(services.url).get('/fhir/Practitioner').set('Origin', APP);
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(list(res.headers['access-control-expose-headers'])).toContain('WWW-Authenticate');
  });

  test('the portal gets no CORS headers', async () => {
    const res = await request(services.url).get('/portal').set('Origin', APP);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('standalone launch without a browser: public client, PKCE, SMART scopes and aud, a loopback redirect on any port', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = 'http://127.0.0.1:51789/index.html';
    const auth = new URL(`${services.auth.issuer}/protocol/openid-connect/auth`);
    // As fhirclient's FHIR.oauth2.authorize sends it.
    auth.search = new URLSearchParams({
      response_type: 'code', client_id: DEV_SMART_CLIENT_ID, scope: 'openid fhirUser launch/patient user/*.rs scope_all',
      redirect_uri: redirectUri, aud: `${services.url}/fhir`, state: 'st-smart',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    const browser = new Browser();
    const login = await browser.follow(await browser.request(auth.href), auth.href);
    expect(login.res.status).toBe(200);
    const { action } = formOf(await login.res.text(), login.url);
    let res = await browser.request(action, { form: { nationalId: '899700209937' } });
    let url = action;
    while (res.status >= 300 && res.status < 400 && !res.headers.get('location')!.startsWith(redirectUri)) {
      url = new URL(res.headers.get('location')!, url).href;
      res = await browser.request(url);
    }
    const back = new URL(res.headers.get('location') ?? 'http://nowhere/');
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('st-smart');
    const token = await fetch(`${services.auth.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://127.0.0.1:51789' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: redirectUri, client_id: DEV_SMART_CLIENT_ID, code_verifier: verifier }),
    });
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:51789');
    const { access_token: accessToken } = await token.json() as { access_token: string };
    const me = await request(services.url).get('/fhir/Practitioner/psc-899700209937').set('Authorization', `Bearer ${accessToken}`).set('Origin', 'http://127.0.0.1:51789');
    expect(me.status).toBe(200);
    expect(me.headers['access-control-allow-origin']).toBe('*');
  });

  test('the stand-in refuses the public SMART client without PKCE, or with a redirect URI off loopback', async () => {
    for (const [params, error] of [
      [{ redirect_uri: 'http://127.0.0.1:51789/index.html' }, /requires\+PKCE/],
      [{ redirect_uri: 'https://app.example.org/index.html', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }, /redirect_uri/],
    ] as const) {
      const auth = new URL(`${services.auth.issuer}/protocol/openid-connect/auth`);
      auth.search = new URLSearchParams({ response_type: 'code', client_id: DEV_SMART_CLIENT_ID, scope: 'openid scope_all', state: 's', ...params }).toString();
      const res = await fetch(auth, { redirect: 'manual' });
      const where = res.headers.get('location') ?? await res.text();
      expect(where).toMatch(error);
    }
  });

  test('the token of the public SMART client is accepted, another client\'s is not', async () => {
    const keys = services.auth.devIdp!.keys;
    const cyril = professional('cyril-toubib-gp');
    const smart = await mintAccessToken(keys, services.auth.issuer, cyril, DEV_SMART_CLIENT_ID, 60);
    expect((await request(services.url).get('/fhir/Practitioner/psc-899700209937').set('Authorization', `Bearer ${smart}`)).status).toBe(200);
    const other = await mintAccessToken(keys, services.auth.issuer, cyril, 'some-other-app', 60);
    expect((await request(services.url).get('/fhir/Practitioner/psc-899700209937').set('Authorization', `Bearer ${other}`)).status).toBe(401);
  });
});
