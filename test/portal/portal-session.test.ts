/**
 * A portal session outlives one access token: the portal renews it with the
 * refresh token Pro Santé Connect gave at login (the stand-in's tokens last
 * 10 s here), and ends when it cannot.
 */
import { Browser, portalLogin, startTestServices } from '../auth/http-helpers.js';

type Services = Awaited<ReturnType<typeof startTestServices>>;
let services: Services;

beforeAll(async () => {
  services = await startTestServices({ 'auth.devIdp.accessTokenTtlSeconds': 10 });
});
afterAll(async () => {
  await services?.stop();
});

test('after the access token expired, the next page renews it and the journey goes on', async () => {
  const browser = new Browser();
  const { res } = await portalLogin(browser, services.url, '899700209937');
  expect(res.status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const later = await browser.request(`${services.url}/portal/recherche?pays=PT`);
  expect(later.status).toBe(200);
  expect(await later.text()).toContain('Traits d\'identité demandés par : Portugal');
}, 30_000);

test('a session whose refresh token PSC no longer honours ends with a French notice, not an error', async () => {
  const browser = new Browser();
  await portalLogin(browser, services.url, '899700209937');
  // Forget PSC's side of the grant: the refresh token is now unknown to the stand-in.
  await services.auth.devIdp!.close();
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const later = await browser.request(`${services.url}/portal/recherche`);
  expect(later.status).toBe(401);
  const html = await later.text();
  expect(html).toContain('Votre session a expiré');
  expect(html).toContain('Se connecter avec Pro Santé Connect');
}, 30_000);
