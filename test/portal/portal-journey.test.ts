/**
 * The portal over HTTP (no browser): the Sesali journey as forms and pages,
 * every page a client of the FHIR API (audited there), CSRF on every form, the
 * security headers, French pages for every error. The same journey in
 * chromium, with axe-core, is test/browser/portal.test.ts.
 */
import { Browser, formOf, portalLogin, startTestServices } from '../auth/http-helpers.js';

type Services = Awaited<ReturnType<typeof startTestServices>>;
let services: Services;

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => {
  await services?.stop();
});


/** The POST form of a page whose action starts with `action` (its hidden fields). */
function postForm(html: string, action: string): Record<string, string> {
  const at = html.indexOf(`<form method="post" action="${action}`);
  expect(at).toBeGreaterThanOrEqual(0);
  return formOf(html.slice(at), services.url).fields;
}

/** Logs in as CYRIL TOUBIB: the search page and its CSRF token. */
async function loggedIn(nationalId = '899700209937'): Promise<{ browser: Browser; csrf: string }> {
  const browser = new Browser();
  const { html } = await portalLogin(browser, services.url, nationalId);
  return { browser, csrf: postForm(html, '/portal/logout')._csrf };
}

async function page(browser: Browser, path: string, form?: Record<string, string>): Promise<{ status: number; html: string; location: string | null }> {
  const res = await browser.request(`${services.url}${path}`, form ? { form } : {});
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

/** The trait field names of a country's search page. */
function traitFields(html: string): string[] {
  return [...html.matchAll(/name="(t_[^"]+)"/g)].map((m) => m[1]);
}

describe('the journey in the portal', () => {
  test('HR: search, verification, consent, summary and the original PDF, each through the FHIR API', async () => {
    const { browser, csrf } = await loggedIn();
    const search = await page(browser, '/portal/recherche?pays=HR');
    expect(search.status).toBe(200);
    expect(search.html).toContain('Où trouver ces informations ?');
    const [trait] = traitFields(search.html);
    expect(trait).toBeDefined();

    // A trait in the wrong format: an error next to it, no search.
    const wrong = await page(browser, '/portal/recherche', { _csrf: csrf, pays: 'HR', [trait]: '12ab' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toMatch(/class="field-error" id="trait-[^"]+-error">Format incorrect/);
    expect(wrong.html).toContain('aria-invalid="true"');
    expect(wrong.html).toContain('value="12ab"');

    // MARIJA BOŽIČEVIĆ: one match → the verification page.
    const found = await page(browser, '/portal/recherche', { _csrf: csrf, pays: 'HR', [trait]: '157601853' });
    expect(found.status).toBe(303);
    const verificationPath = found.location!;
    expect(verificationPath).toMatch(/^\/portal\/patients\/[A-Za-z0-9.-]+\/verification$/);
    const id = verificationPath.split('/')[3];
    const verification = await page(browser, verificationPath);
    expect(verification.status).toBe(200);
    expect(verification.html).toContain('<dt>Nom et prénom</dt><dd>MARIJA BOŽIČEVIĆ</dd>');
    expect(verification.html).toContain('<dt>Date de naissance</dt><dd>19/03/1985</dd>');
    expect(verification.html).toContain('<dt>Adresse de résidence</dt><dd>Information indisponible</dd>');
    expect(verification.html).toContain('href="/pin/hr"');

    // The summary before consent: the API refuses, the page says so in French and leads back.
    const early = await page(browser, `/portal/patients/${id}/synthese`);
    expect(early.status).toBe(403);
    expect(early.html).toContain('role="alert"');
    expect(early.html).not.toContain('"resourceType"');

    // Both statements are needed.
    const consentPath = `/portal/patients/${id}/consentement`;
    const half = await page(browser, consentPath, { _csrf: csrf, necessaire: 'on' });
    expect(half.status).toBe(400);
    expect(half.html).toContain('Cochez les deux cases');
    const consented = await page(browser, consentPath, { _csrf: csrf, necessaire: 'on', consentement: 'on' });
    expect(consented.status).toBe(303);
    expect(consented.location).toBe(`/portal/patients/${id}/synthese`);

    const summary = await page(browser, consented.location!);
    expect(summary.status).toBe(200);
    expect(summary.html).toContain('Informations administratives du patient');
    // The identifier named as the country's search mask names it.
    expect(summary.html).toMatch(/157601853<\/span> — Numéro d&#39;assuré \(MBO\)/);
    expect(summary.html).toContain('Informations sur la synthèse médicale');
    expect(summary.html).toContain('Allergies et intolérances');
    expect(summary.html).toContain('Texte original');
    expect(summary.html).toContain(`href="/portal/patients/${id}/documents/L1"`);

    const pdf = await browser.request(`${services.url}/portal/patients/${id}/documents/L1`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await page(browser, `/portal/patients/${id}/documents/L9`)).status).toBe(404);

    // Her original clinical documents, by kind, under the summary; each opens through the portal (Binary, with her token).
    expect(summary.html).toContain('<h2 id="synthese-originaux">Documents d’origine</h2>');
    for (const heading of ['Comptes rendus d’examens biologiques', 'Comptes rendus d’hospitalisation', 'Comptes rendus d’imagerie médicale', 'Images médicales']) expect(summary.html).toContain(heading);
    const originals = [...summary.html.matchAll(new RegExp(`href="(/portal/patients/${id}/documents/(lab|hdr|imr|img)-[0-9a-f]{12})"`, 'g'))].map((m) => m[1]);
    expect(originals).toHaveLength(8);
    const report = await browser.request(`${services.url}${originals[0]}`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(report.headers.get('content-disposition')).toBe('inline; filename="document-origine.pdf"');
    expect(report.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await report.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const image = await browser.request(`${services.url}${originals.find((h) => /\/img-/.test(h))}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\/(png|jpeg)$/);
    expect((await page(browser, `/portal/patients/${id}/documents/lab-000000000000`)).status).toBe(404);

    // The FHIR API audited each step under CYRIL TOUBIB, refused ones included, from the browser's address.
    const trail = (await services.store.listAudit('899700209937')).filter((r) => r.patientHandle === id);
    const subtypes = new Set(trail.map((r) => `${r.subtype}:${r.outcome}`));
    expect([...subtypes]).toEqual(expect.arrayContaining(['patient-read:success', 'consent-create:success', 'summary-read:success', 'document-search:success', 'document-read:success']));
    const documentsRead = trail.filter((r) => r.subtype === 'document-read' && r.outcome === 'success').map((r) => r.documentId);
    expect(documentsRead).toEqual(expect.arrayContaining([`${id}.L1`, `${id}.${originals[0].split('/').pop()}`]));
    expect(trail.some((r) => r.subtype === 'summary-read' && r.outcome !== 'success')).toBe(true);
    expect(trail.every((r) => r.sourceAddress === '127.0.0.1' || r.sourceAddress === '::ffff:127.0.0.1')).toBe(true);
  });

  test('several candidates: the country cannot tell two patients apart, the professional chooses', async () => {
    const { browser, csrf } = await loggedIn();
    const search = await page(browser, '/portal/recherche?pays=HR');
    const [trait] = traitFields(search.html);
    const several = await page(browser, '/portal/recherche', { _csrf: csrf, pays: 'HR', [trait]: '999999999', nom: 'KOVAČIĆ', naissance: '1972-06-04' });
    expect(several.status).toBe(200);
    expect(several.html).toContain('Plusieurs patients correspondent');
    expect(several.html.match(/>Choisir ce patient</g)).toHaveLength(2);
    expect(several.html).toContain('Split');
    expect(several.html).toContain('Zagreb');
    const none = await page(browser, '/portal/recherche', { _csrf: csrf, pays: 'HR', [trait]: '999999999' });
    expect(none.status).toBe(200);
    expect(none.html).toContain('Aucun patient ne correspond');
  });

  test('another professional cannot open a patient the first one found', async () => {
    const first = await loggedIn();
    const search = await page(first.browser, '/portal/recherche?pays=HR');
    const [trait] = traitFields(search.html);
    const found = await page(first.browser, '/portal/recherche', { _csrf: first.csrf, pays: 'HR', [trait]: '157601853' });
    const other = await loggedIn('899700301131');
    const foreign = await page(other.browser, found.location!);
    expect([403, 404]).toContain(foreign.status);
    expect(foreign.html).not.toContain('BOŽIČEVIĆ');
    expect(foreign.html).toContain('role="alert"');
  });

  test('every form needs the session\'s CSRF token; a search without it is refused before any call to a country', async () => {
    const { browser } = await loggedIn();
    const forged = await page(browser, '/portal/recherche', { pays: 'HR', t_x: '157601853' });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('Ce formulaire a expiré ou ne vient pas de ce portail');
  });

  test('without a session, journey pages lead to Accueil; a guessed URL is a French page, never JSON', async () => {
    const anonymous = new Browser();
    const res = await page(anonymous, '/portal/recherche');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/portal');
    const guessed = await page(anonymous, '/portal/search');
    expect(guessed.status).toBe(404);
    expect(guessed.html).toContain('<html lang="fr">');
    expect(guessed.html).toContain('Page introuvable');
    // The terms of use must be accepted before Pro Santé Connect is called.
    const noCgu = await page(anonymous, '/portal/login');
    expect(noCgu.status).toBe(400);
    expect(noCgu.html).toContain('Acceptez les Conditions Générales d\'Utilisation');
  });

  test('security headers: a strict Content-Security-Policy, and no inline script or style in any page', async () => {
    const { browser } = await loggedIn();
    for (const path of ['/portal', '/portal/cgu', '/portal/recherche?pays=PT', '/portal/nowhere']) {
      const res = await browser.request(`${services.url}${path}`);
      const html = await res.text();
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/);
    }
    const css = await browser.request(`${services.url}/portal/static/portal.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });
});
