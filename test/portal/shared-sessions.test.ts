/**
 * Two instances on one database behind one public URL (what a load balancer
 * makes of them): a login started on one completes on the other, and the
 * portal session is valid on both — sessions and login transactions live in
 * the store, not in a process. The second instance has no stand-in nor
 * simulator of its own: it uses the first one's, as separate processes would be.
 */
import { loadConfig } from '../../src/config/config.js';
import { startServices, type RunningServices } from '../../src/app-services.js';
import { DEV_CLIENT_SECRET } from '../../src/dev-idp/constants.js';
import { Browser, formOf, portalLogin, startTestServices } from '../auth/http-helpers.js';

type Services = Awaited<ReturnType<typeof startTestServices>>;
let a: Services;
let b: RunningServices;

beforeAll(async () => {
  a = await startTestServices();
  b = await startServices(loadConfig({}, {
    port: 0,
    logLevel: 'silent',
    dataDir: a.dataDir,
    publicBaseUrl: a.url,
    'auth.issuer': a.auth.issuer,
    'auth.clientSecret': DEV_CLIENT_SECRET,
    'simulator.enabled': false,
    'simulator.port': Number(new URL(a.simulator!.url).port),
  }));
}, 60_000);
afterAll(async () => {
  await b?.close();
  await a?.stop();
});

/** The same request on the other instance (the load balancer's choice). */
const onB = (url: string): string => url.replace(a.url, b.listenUrl);

test('a login started on one instance completes on the other; the session then works on both', async () => {
  expect(b.url).toBe(a.url);
  expect(b.listenUrl).not.toBe(a.listenUrl);
  const browser = new Browser();
  // Pro Santé Connect sends the browser back to the public URL: this time, instance B answers.
  const { res, html } = await portalLogin(browser, a.url, '899700209937', (url) => (url.startsWith(`${a.url}/portal/callback`) ? onB(url) : url));
  expect(browser.visited.some((u) => u.startsWith(`${b.listenUrl}/portal/callback`))).toBe(true);
  expect(res.status).toBe(200);
  expect(html).toContain('CYRIL TOUBIB · ID 899700209937 · CABINET DU DR CYRIL');

  // The same cookie on either instance: one session.
  for (const base of [a.url, b.listenUrl]) {
    const page = await browser.request(`${base}/portal/recherche?pays=HR`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Traits d\'identité demandés par : Croatie');
  }
  // Logged out on one, logged out on both: the old cookie, replayed, designates nothing.
  const oldCookie = browser.cookieHeader(`${a.url}/portal/recherche`);
  const search = await (await browser.request(`${a.url}/portal/recherche`)).text();
  const { fields } = formOf(search.slice(search.indexOf('<form method="post" action="/portal/logout"')), a.url);
  expect((await browser.request(`${b.listenUrl}/portal/logout`, { form: fields })).status).toBe(303);
  const after = await browser.request(`${a.url}/portal/recherche`);
  expect(after.status).toBe(303);
  expect(after.headers.get('location')).toBe('/portal');
  const replayed = await fetch(`${a.url}/portal/recherche`, { headers: { cookie: oldCookie }, redirect: 'manual' });
  expect(replayed.status).toBe(401);
  expect(await replayed.text()).toContain('Votre session a expiré');
});

test('the database keeps no cookie value, only its hash', async () => {
  const browser = new Browser();
  const start = `${a.url}/portal/login?cgu=on`;
  await browser.request(start);
  const [cookie] = browser.cookieHeader(start).split('; ');
  const value = decodeURIComponent(cookie.split('=')[1]);
  expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(await a.store.getWebSession('login', value)).toBeUndefined();
});
