import express from 'express';
import request from 'supertest';
import { decodeJwt } from 'jose';
import { discoverPsc } from '../../src/auth/psc-client.js';
import { createPortal } from '../../src/web/portal/index.js';
import { memoryLogger } from '../helpers/test-app.js';
import { Browser, formOf, portalLogin, startTestServices } from './http-helpers.js';

type Services = Awaited<ReturnType<typeof startTestServices>>;
let services: Services;

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => {
  await services.stop();
});

describe('the embedded Pro Santé Connect stand-in', () => {
  test('publishes PSC-shaped discovery at the PSC path and the standard one', async () => {
    const issuer = services.auth.issuer;
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/realms\/esante-wallet$/);
    for (const suffix of ['/.well-known/wallet-openid-configuration', '/.well-known/openid-configuration']) {
      const meta = await (await fetch(`${issuer}${suffix}`)).json() as Record<string, unknown>;
      expect(meta.issuer).toBe(issuer);
      expect(meta.token_endpoint).toBe(`${issuer}/protocol/openid-connect/token`);
      expect(meta.introspection_endpoint).toBe(`${issuer}/protocol/openid-connect/token/introspect`);
      expect(meta.userinfo_endpoint).toBe(`${issuer}/protocol/openid-connect/userinfo`);
      expect(meta.jwks_uri).toBe(`${issuer}/protocol/openid-connect/certs`);
      expect(meta.end_session_endpoint).toBe(`${issuer}/protocol/openid-connect/logout`);
      expect(meta.acr_values_supported).toEqual(['eidas1']);
      expect(meta.code_challenge_methods_supported).toEqual(['S256']);
      expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'scope_all']));
    }
  });

  test('refuses an authorization request without PKCE', async () => {
    const url = `${services.auth.issuer}/protocol/openid-connect/auth?client_id=ehdsi-fhir-facade&response_type=code&scope=openid%20scope_all&redirect_uri=${encodeURIComponent(`${services.url}/portal/callback`)}&state=s&nonce=n`;
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('error=invalid_request');
  });
});

describe('portal login with Pro Santé Connect', () => {
  test('CYRIL TOUBIB logs in through the whole code flow and lands on the patient search, his name in the header', async () => {
    const browser = new Browser();
    const { res, url, html } = await portalLogin(browser, services.url, '899700209937');
    expect(url).toBe(`${services.url}/portal/recherche`);
    expect(res.status).toBe(200);
    expect(html).toContain('CYRIL TOUBIB · ID 899700209937 · CABINET DU DR CYRIL');
    expect(html).toContain('<label for="pays">Pays de résidence</label>');
    // The countries come from the FHIR API called with his token.
    expect(html).toContain('<option value="HR">Croatie</option>');
    // The authorization request carried PKCE S256, state, nonce, acr_values=eidas1 and PSC's scopes.
    const authRequest = new URL(browser.visited.find((u) => u.includes('/protocol/openid-connect/auth?'))!);
    expect(authRequest.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authRequest.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authRequest.searchParams.get('state')).toBeTruthy();
    expect(authRequest.searchParams.get('nonce')).toBeTruthy();
    expect(authRequest.searchParams.get('acr_values')).toBe('eidas1');
    expect(authRequest.searchParams.get('scope')).toBe('openid scope_all');

    const me = await browser.request(`${services.url}/portal/me`);
    expect(me.status).toBe(200);
    const body = await me.json() as { fhirUser: string; professional: { nationalId: string; practice: { organisationName: string; facilityType: string } } };
    expect(body.fhirUser).toBe('Practitioner/psc-899700209937');
    expect(body.professional.practice).toMatchObject({ organisationName: 'CABINET DU DR CYRIL', facilityType: 'Resident Physician' });
  });

  test('the session cookie is HttpOnly, SameSite=Lax, not Secure over http, and holds only an id', async () => {
    const start = `${services.url}/portal/login?cgu=on`;
    const res = await fetch(start, { redirect: 'manual' });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('portal_login='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).toMatch(/^portal_login=[A-Za-z0-9_-]{43};/);
  });

  test('the occupational physician is refused, with the rule and its reason', async () => {
    const browser = new Browser();
    const { res, html } = await portalLogin(browser, services.url, '899700302014');
    expect(res.status).toBe(403);
    expect(html).toContain('Accès refusé');
    expect(html).toContain('OCCUPATIONAL_MEDICINE');
    expect(html).toContain('La médecine du travail (spécialité SM25)');
    expect((await browser.request(`${services.url}/portal/me`)).status).toBe(403);
  });

  test('logout ends the portal session and the PSC session (RP-initiated logout)', async () => {
    const browser = new Browser();
    const { html } = await portalLogin(browser, services.url, '899700301131');
    // Without the session's CSRF token (a forged form), the session stays.
    const forged = await browser.request(`${services.url}/portal/logout`, { form: {} });
    expect(forged.status).toBe(403);
    expect((await browser.request(`${services.url}/portal/me`)).status).toBe(200);
    const { fields: logoutForm } = formOf(html.slice(html.indexOf('<form method="post" action="/portal/logout"')), services.url);
    expect(logoutForm._csrf).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const logout = await browser.request(`${services.url}/portal/logout`, { form: logoutForm });
    expect(logout.status).toBe(303);
    const endSession = new URL(logout.headers.get('location')!);
    expect(endSession.href.startsWith(`${services.auth.issuer}/protocol/openid-connect/logout`)).toBe(true);
    expect(decodeJwt(endSession.searchParams.get('id_token_hint')!).acr).toBe('eidas1');
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${services.url}/portal/logged-out`);
    const confirm = await browser.follow(await browser.request(endSession.href), endSession.href);
    const { action, fields } = formOf(await confirm.res.text(), confirm.url);
    const out = await browser.follow(await browser.request(action, { form: { ...fields, logout: 'yes' } }), action);
    expect(out.url).toBe(`${services.url}/portal/logged-out`);
    expect(await out.res.text()).toContain('Vous êtes déconnecté');
    expect((await browser.request(`${services.url}/portal/me`)).status).toBe(401);
    // A new login asks again which professional (the PSC session is gone).
    const again = await browser.follow(await browser.request(`${services.url}/portal/login?cgu=on`), `${services.url}/portal/login?cgu=on`);
    expect(await again.res.text()).toContain('Choisissez la carte de test');
  });

  test('cancelling at PSC, or a callback without a login in progress, gives a clear error page', async () => {
    const browser = new Browser();
    const start = `${services.url}/portal/login?cgu=on`;
    const page = await browser.follow(await browser.request(start), start);
    const { action } = formOf((await page.res.text()).replace(/<form method="post" action="[^"]+">[\s\S]*?<\/form>\s*(?=<form)/, ''), page.url);
    expect(action).toMatch(/\/abort$/);
    const back = await browser.follow(await browser.request(action, { form: {} }), action);
    expect(back.res.status).toBe(400);
    expect(await back.res.text()).toContain('access_denied');

    const stray = await fetch(`${services.url}/portal/callback?code=abc&state=def`, { redirect: 'manual' });
    expect(stray.status).toBe(400);
    expect(await stray.text()).toContain('La demande de connexion a expiré');
  });

  test('a callback whose state does not match the login in progress is refused', async () => {
    const browser = new Browser();
    const start = `${services.url}/portal/login?cgu=on`;
    const page = await browser.follow(await browser.request(start), start);
    const { action } = formOf(await page.res.text(), page.url);
    let res = await browser.request(action, { form: { nationalId: '899700209937' } });
    let url = action;
    while (res.status === 303 || res.status === 302) {
      url = new URL(res.headers.get('location')!, url).href;
      if (url.startsWith(`${services.url}/portal/callback`)) break;
      res = await browser.request(url);
    }
    const forged = new URL(url);
    forged.searchParams.set('state', 'attacker-state');
    const answer = await browser.request(forged.href);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('pas pu être vérifiée');
  });
});

test('behind https the portal cookies are Secure too', async () => {
  const idp = services.auth.devIdp!;
  const psc = await discoverPsc({ issuer: idp.issuer, discoveryUrl: idp.discoveryUrl, clientId: 'ehdsi-fhir-facade', clientSecret: 'x', clientAuthMethod: 'client_secret_basic' });
  const portal = createPortal({ psc, publicOrigin: 'https://portal.example.org', apiBase: 'https://portal.example.org/fhir', sessionTtlSeconds: 600, logger: memoryLogger().logger });
  const app = express().use('/portal', portal.router);
  const res = await request(app).get('/portal/login?cgu=on');
  expect(res.status).toBe(303);
  expect(new URL(res.headers.location).searchParams.get('redirect_uri')).toBe('https://portal.example.org/portal/callback');
  expect(res.headers['set-cookie'][0]).toMatch(/^portal_login=[^;]+; Path=\/portal; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/);
});
