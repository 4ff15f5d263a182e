/**
 * SMART App Launch standalone, in a real browser: a public client with PKCE
 * (fhirclient's FHIR.oauth2.authorize / ready) served from another origin than
 * the FHIR server, the embedded Pro Santé Connect stand-in as the authorization
 * server, and every call to /fhir through CORS. Chromium (Debian's, or
 * CHROMIUM_PATH) is driven by playwright-core. Run by `npm run test:browser`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config.js';
import { startServices, type RunningServices } from '../../src/app-services.js';
import { createApp } from '../../src/server.js';
import { DEV_SMART_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { memoryLogger, testRegistry } from '../helpers/test-app.js';
import { probePage, startSmartApp, type RunningApp } from './smart-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** CYRIL TOUBIB, general practitioner (fixtures/practitioners/cyril-toubib-gp.json). */
const NATIONAL_ID = '899700209937';
/** What fhirclient sends for a standalone launch; PSC (and its stand-in) grant openid scope_all and ignore the rest. */
const SCOPE = 'openid fhirUser launch/patient user/*.rs scope_all';

// No chromium: the suite fails at once, saying so (it is never skipped).
if (!existsSync(CHROMIUM)) {
  throw new Error(`No chromium at ${CHROMIUM}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium executable`);
}

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
});

/** Waits for a page of the test app to tell its outcome. */
async function outcome(page: Page): Promise<{ state: string; result: string }> {
  await page.waitForSelector('body[data-state]', { timeout: 30_000 });
  return {
    state: (await page.getAttribute('body', 'data-state')) ?? '',
    result: (await page.textContent('#result')) ?? '',
  };
}

describe('SMART App Launch standalone with fhirclient, in chromium', () => {
  let services: RunningServices;
  let app: RunningApp;
  let dataDir: string;
  const log = memoryLogger();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'browser-test-'));
    // The embedded setup as `npm start` runs it: CORS for any origin (the default).
    services = await startServices(loadConfig({}, {
      port: 0, dataDir, 'auth.devIdp.port': 0, 'simulator.port': 0,
    }), log.logger);
    app = await startSmartApp({ iss: `${services.url}/fhir`, clientId: DEV_SMART_CLIENT_ID, scope: SCOPE });
  });

  afterAll(async () => {
    await app?.close();
    await services?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the app logs in through the stand-in, then reads /fhir from another origin', async () => {
    expect(new URL(app.origin).port).not.toBe(new URL(services.url).port);
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    try {
      await page.goto(`${app.origin}/launch.html`);
      // authorize() read the SMART configuration, then sent the browser to the stand-in's login page.
      await page.waitForURL((url) => url.href.startsWith(`${services.auth.issuer}/login/`), { timeout: 30_000 });
      const authorize = log.lines().find((l) => l.msg === 'request' && l.route === '/fhir/.well-known/smart-configuration');
      expect(authorize?.status).toBe(200);
      await page.click(`button[value="${NATIONAL_ID}"]`);
      const { state, result } = await outcome(page);
      expect({ state, result, messages }).toEqual({ state: 'done', result: expect.any(String), messages: expect.any(Array) });
      const r = JSON.parse(result) as Record<string, unknown>;
      // Every page of the trail walked once (its first calls left more than two events).
      expect(r.auditEvents).toBeGreaterThan(2);
      expect(r.auditDistinct).toBe(r.auditEvents);
      expect(r).toEqual({
        auditEvents: expect.any(Number),
        auditDistinct: expect.any(Number),
        roleOf: `Practitioner/psc-${NATIONAL_ID}`,
        practitionerId: `psc-${NATIONAL_ID}`,
        family: 'TOUBIB',
        requestId: expect.stringMatching(/^[A-Za-z0-9._-]{8,64}$/), // an exposed header, readable by the app
        countries: expect.arrayContaining(['HR', 'PT']),
        clientId: DEV_SMART_CLIENT_ID,
        pkce: true,
      });
      expect(page.url()).toMatch(new RegExp(`^${app.origin}/index\\.html`));
    } finally {
      await page.close();
    }
    const requests = log.lines().filter((l) => l.msg === 'request');
    // Each bearer-token call was preflighted, and the preflight answered before the FHIR router.
    const preflights = requests.filter((l) => l.method === 'OPTIONS');
    expect(preflights.length).toBeGreaterThanOrEqual(1);
    expect(preflights.every((l) => l.route === '/fhir (CORS preflight)' && l.status === 204)).toBe(true);
    // The search, the read, and the read of the reference fhirclient resolved: the browser revalidates
    // its cached copy of the same Practitioner with If-None-Match, and gets a 304.
    expect(requests.filter((l) => l.method === 'GET' && /^\/fhir\/Practitioner(\/|$)/.test(String(l.route))).map((l) => l.status)).toEqual([200, 200, 304]);
    // The SMART configuration was enough: fhirclient did not fall back to the CapabilityStatement.
    expect(requests.some((l) => l.route === '/fhir/metadata')).toBe(false);
  });
});

describe('CORS with a list of allowed origins, in chromium', () => {
  let allowedApp: RunningApp;
  let otherApp: RunningApp;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    // The apps' origins are known before the FHIR server starts: their pages name it once it listens.
    const pages: Record<string, string> = {};
    allowedApp = await startSmartApp(undefined, pages);
    otherApp = await startSmartApp(undefined, pages);
    const fhir = createApp({
      registry: testRegistry(),
      logger: memoryLogger().logger,
      maxBodyBytes: 64 * 1024,
      cors: { allow: new Set([allowedApp.origin]) },
    });
    server = createServer(fhir);
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    base = `http://127.0.0.1:${port}`;
    pages['/probe.html'] = probePage(`${base}/fhir/Basic/b1`);
  });

  afterAll(async () => {
    await allowedApp?.close();
    await otherApp?.close();
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
  });

  test('a listed origin reads the answer; another one is refused by the browser', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${allowedApp.origin}/probe.html`);
      const allowed = await outcome(page);
      expect(allowed).toEqual({ state: 'done', result: JSON.stringify({ status: 200, resourceType: 'Basic' }) });
      await page.goto(`${otherApp.origin}/probe.html`);
      const refused = await outcome(page);
      expect(refused.state).toBe('failed');
      expect(refused.result).toMatch(/Failed to fetch/);
    } finally {
      await page.close();
    }
  });
});
