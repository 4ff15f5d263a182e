/**
 * The professional's portal (/portal), in a real browser: the whole server as `npm start` runs it
 * (FHIR API, the Pro Santé Connect stand-in, the simulated eHDSI network), chromium driven by
 * playwright-core. The pages are found by their accessible names (roles and labels, in French):
 * they are the contract with the pages. Every step is screenshotted (NN-step.png, in
 * PORTAL_SCREENSHOTS or <tmpdir>/portal-screenshots) and checked: axe-core (no serious or critical
 * violation), the banner naming the professional, and the pages' own Content-Security-Policy (axe
 * runs through page.evaluate, which the CSP does not govern: no test bypasses it).
 * Run by `npm run test:browser`; no chromium is a failure, never a skip.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Response } from 'playwright-core';
import { startServices, type RunningServices } from '../../src/app-services.js';
import { ruleByCode } from '../../src/auth/eligibility/index.js';
import { loadConfig } from '../../src/config/config.js';
import { memoryLogger } from '../helpers/test-app.js';
import {
  CHROMIUM, DOCTOR, DOCTOR_BANNER, NAMES, OCCUPATIONAL_PHYSICIAN, Journal, bodyText, check, expectVisible, fixturePatient,
  frenchDate, heading, maskTraits, reachableCountries, screenshotDir, sectionTitlesOf, startsWith, tokenFor,
  type FixturePatient, type MaskTrait,
} from './portal-helpers.js';

if (!existsSync(CHROMIUM)) {
  throw new Error(`No chromium at ${CHROMIUM}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium executable`);
}

/** A whole journey (login, search, verification, summary) takes longer than one request. */
const JOURNEY_TIMEOUT = 240_000;
/** Country calls (XCPD, XCA) and the conversion of a summary. */
const NETWORK_WAIT = 45_000;

const MARIJA = fixturePatient('hr-marija-bozicevic');
const MARIA_INES = fixturePatient('pt-maria-ines-simoes');
const MATHEIS = fixturePatient('lu-matheis-wagner');
const JOSIP = fixturePatient('hr-josip-kovacic-zagreb');
/** Chromium's PDF viewer (its extension id). */
const PDF_VIEWER = 'mhjfbmdgcfjbbpaeojofohoefgiehjai';
/** HR identifiers nobody holds, in the mask's format (9 digits). */
const UNKNOWN_HR_ID = '100000001';

let browser: Browser;
let services: RunningServices;
let dataDir: string;
let journal: Journal;
let token: string;
const masks = new Map<string, MaskTrait[]>();
let countries: string[];
const log = memoryLogger();

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'portal-browser-'));
  services = await startServices(loadConfig({}, { port: 0, dataDir, 'auth.devIdp.port': 0, 'simulator.port': 0 }), log.logger);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  journal = new Journal(services, screenshotDir());
  token = await tokenFor(services, DOCTOR);
  countries = await reachableCountries(services, token);
  for (const c of ['HR', 'PT', 'LU']) masks.set(c, await maskTraits(services, token, c));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (journal) process.stdout.write(`portal screenshots: ${journal.dir}\n`);
});

beforeEach(() => services.simulator?.faults.reset());

/** A fresh browser (no cookies), watched for CSP problems. */
async function newContext(viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'fr-FR' });
  context.setDefaultTimeout(15_000);
  journal.watch(context);
  return { context, page: await context.newPage() };
}

function sim() {
  const s = services.simulator;
  if (!s) throw new Error('the simulated eHDSI network is not running');
  return s;
}

function xcpdCalls(): number {
  return sim().faults.requests().filter((r) => r.transaction === 'xcpd').length;
}

/** Accueil → terms ticked → "Se connecter avec Pro Santé Connect" → the stand-in's card → back to the portal. */
async function login(page: Page, nationalId: string, shots = false): Promise<void> {
  await page.goto(`${services.url}/portal`);
  await expectVisible(page, page.getByRole('checkbox', { name: NAMES.cguCheckbox }), `checkbox "${NAMES.cguCheckbox}" on Accueil`);
  await page.getByRole('checkbox', { name: NAMES.cguCheckbox }).check();
  await page.getByRole('button', { name: NAMES.login }).click();
  await page.waitForURL((u) => u.href.startsWith(`${services.auth.issuer}/`), { timeout: 15_000 });
  if (shots) await journal.step(page, 'psc-choix-de-la-carte', { loggedIn: false, axe: false });
  await page.click(`button[value="${nationalId}"]`);
  await page.waitForURL((u) => u.href.startsWith(`${services.url}/portal`), { timeout: 15_000 });
}

/** The search page, logged in (from wherever the login landed). */
async function gotoSearch(page: Page): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/portal/recherche')) await page.goto(`${services.url}/portal/recherche`);
  await expectVisible(page, heading(page, NAMES.searchHeading), `heading "${NAMES.searchHeading}"`);
}

async function chooseCountry(page: Page, country: string): Promise<void> {
  const select = await expectVisible(page, page.getByRole('combobox', { name: NAMES.country }), `select "${NAMES.country}"`);
  await select.selectOption({ label: country });
  await page.getByRole('button', { name: NAMES.validateCountry }).click();
}

function traitField(page: Page, trait: MaskTrait) {
  return page.getByRole('textbox', { name: startsWith(trait.text) });
}

interface Search {
  country: string;
  code: string;
  /** One value per trait of the mask, in the mask's order. */
  traits: string[];
  family?: string;
  given?: string;
  birthDate?: string;
}

/** Fills the search form of an already chosen country and submits it. */
async function fillAndSearch(page: Page, s: Search): Promise<void> {
  const traits = masks.get(s.code)!;
  for (const [i, t] of traits.entries()) {
    const field = await expectVisible(page, traitField(page, t), `text field "${t.text}" (trait of the ${s.code} search mask)`);
    await field.fill(s.traits[i] ?? '');
  }
  if (s.family !== undefined) await page.getByRole('textbox', { name: NAMES.family }).fill(s.family);
  if (s.given !== undefined) await page.getByRole('textbox', { name: NAMES.given }).fill(s.given);
  if (s.birthDate !== undefined) await page.getByLabel(NAMES.birthDate).fill(s.birthDate);
  await page.getByRole('button', { name: NAMES.search, exact: true }).click();
}

async function search(page: Page, s: Search): Promise<void> {
  await gotoSearch(page);
  await chooseCountry(page, s.country);
  await fillAndSearch(page, s);
}

/** The definition next to a term (dt/dd, or th/td) of the page's main content. */
async function termValue(page: Page, term: string): Promise<string | undefined> {
  const main = page.getByRole('main');
  const candidates = main.locator('dt, th, [role="term"], [role="rowheader"]').filter({ hasText: new RegExp(`^\\s*${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:?\\s*$`) });
  if (await candidates.count() === 0) return undefined;
  const value = candidates.first().locator('xpath=following-sibling::*[self::dd or self::td or @role="definition" or @role="cell"][1]');
  if (await value.count() === 0) return undefined;
  return (await value.innerText()).trim();
}

/** The first checkbox named so, other than `other` (a label may hold both words). */
async function checkbox(page: Page, name: RegExp, other?: Locator): Promise<Locator | undefined> {
  const otherHandle = other ? await other.elementHandle() : undefined;
  for (const c of await page.getByRole('checkbox', { name }).all()) {
    if (!otherHandle || !(await c.evaluate((el, o) => el === o, otherHandle))) return c;
  }
  return undefined;
}

/** The verification page: identity, the notices, the consent sheet, the two ticks that enable the summary. */
async function verifyAndConsent(page: Page, p: FixturePatient, stepPrefix: string, expectations: { address?: string } = {}): Promise<void> {
  await expectVisible(page, heading(page, NAMES.verificationHeading), `heading "${NAMES.verificationHeading}"`, NETWORK_WAIT);
  await journal.step(page, `${stepPrefix}-verification`);

  const name = await termValue(page, 'Nom et prénom');
  await check(page, !!name && name.includes(p.name.family) && p.name.given.every((g) => name.includes(g)), `"Nom et prénom" showing ${p.name.given.join(' ')} ${p.name.family} (got ${JSON.stringify(name)})`);
  const sex = await termValue(page, 'Sexe');
  const expectedSex = p.gender === 'female' ? /f[ée]minin|femme/i : /masculin|homme/i;
  await check(page, !!sex && expectedSex.test(sex), `"Sexe" showing ${expectedSex} (got ${JSON.stringify(sex)})`);
  const born = await termValue(page, 'Date de naissance');
  await check(page, born === frenchDate(p.birthDate), `"Date de naissance" showing ${frenchDate(p.birthDate)} (got ${JSON.stringify(born)})`);
  const address = await termValue(page, 'Adresse de résidence');
  const expectedAddress = expectations.address ?? (p.address ? p.address.city : NAMES.unavailable);
  await check(page, !!address && address.includes(expectedAddress), `"Adresse de résidence" showing "${expectedAddress}" (got ${JSON.stringify(address)})`);

  // Patient information notices: one in French, one in the patient's language; each one serves a page.
  const lang = p.language.slice(0, 2);
  const notices = await page.getByRole('main').getByRole('link', { name: NAMES.notice }).all();
  const described: string[] = [];
  for (const n of notices) described.push(`${await n.innerText()} ${await n.getAttribute('href')} ${await n.getAttribute('hreflang') ?? ''}`);
  const inLang = (code: string) => described.some((d) => new RegExp(`(/|\\b)${code}(\\b|$)`, 'i').test(d.split(' ').slice(-2).join(' ')));
  await check(page, notices.length >= (lang === 'fr' ? 1 : 2) && inLang('fr') && inLang(lang), `links "Notice d'information…" in French and in the patient's language (${lang}); found ${JSON.stringify(described)}`);
  for (const n of notices) {
    // /pin/<lang> serves the notice, or sends to the Commission's page in that language (not followed: no Internet in tests).
    const href = new URL((await n.getAttribute('href'))!, page.url()).href;
    const res = await page.context().request.get(href, { maxRedirects: 0 });
    await check(page, res.status() === 200 || (res.status() >= 300 && res.status() < 400 && !!res.headers().location), `the notice ${href} answers 200 or a redirect (got ${res.status()})`);
  }

  // The printable consent sheet.
  const sheetLink = await expectVisible(page, page.getByRole('link', { name: NAMES.consentSheet }), `link "${NAMES.consentSheet}"`);
  const sheetHref = new URL((await sheetLink.getAttribute('href'))!, page.url()).href;
  const sheet = await page.context().newPage();
  try {
    await sheet.goto(sheetHref);
    await expectVisible(sheet, sheet.getByText(NAMES.consentSheetText).first(), `"${NAMES.consentSheetText}" on the consent sheet`);
    await journal.step(sheet, `${stepPrefix}-feuille-de-consentement`, { loggedIn: false });
  } finally {
    await sheet.close();
  }

  // The two ticks, then the summary.
  const consult = await expectVisible(page, page.getByRole('button', { name: NAMES.consult }), `button "${NAMES.consult}"`);
  const necessary = await checkbox(page, NAMES.necessary);
  await check(page, !!necessary, 'a checkbox whose label contains "nécessaire"');
  const consent = await checkbox(page, NAMES.consent, necessary);
  await check(page, !!consent, 'a second checkbox whose label contains "consentement"');
  await check(page, await consult.isDisabled(), `"${NAMES.consult}" disabled before the boxes are ticked`);
  await necessary!.check();
  await check(page, await consult.isDisabled(), `"${NAMES.consult}" still disabled with one box ticked`);
  await consent!.check();
  for (let i = 0; i < 20 && await consult.isDisabled(); i++) await page.waitForTimeout(100);
  await check(page, await consult.isEnabled(), `"${NAMES.consult}" enabled once both boxes are ticked`);
  await journal.step(page, `${stepPrefix}-verification-cochee`);
  await consult.click();
}

/** The summary page: headings, French sections each with its original text, the PDF, print, new search. */
async function checkSummary(page: Page, p: FixturePatient, stepPrefix: string, mustHave: string[]): Promise<void> {
  await expectVisible(page, heading(page, NAMES.summaryHeading), `heading "Synthèse médicale"`, NETWORK_WAIT);
  await journal.step(page, `${stepPrefix}-synthese`);
  const main = page.getByRole('main');
  await expectVisible(page, heading(main, NAMES.adminHeading), `heading "${NAMES.adminHeading}"`);
  await expectVisible(page, heading(main, NAMES.aboutHeading), `heading "${NAMES.aboutHeading}"`);
  await check(page, (await bodyText(page)).includes(p.name.family), `the summary names the patient ${p.name.family}`);

  const sections = sectionTitlesOf(p.slug);
  const headings = (await main.getByRole('heading').allInnerTexts()).map((h) => h.trim());
  const missing = [...new Set([...mustHave, ...sections])].filter((t) => !headings.some((h) => h === t || h.startsWith(t)));
  await check(page, missing.length === 0, `French section headings ${JSON.stringify(missing)} (sections of the document; headings found: ${JSON.stringify(headings)})`);

  const originals = main.locator('summary, button[aria-expanded]').filter({ hasText: NAMES.originalText });
  const shown = headings.filter((h) => sections.some((t) => h === t || h.startsWith(t))).length;
  const count = await originals.count();
  await check(page, count >= Math.max(1, shown), `a "${NAMES.originalText}" disclosure in each section (${shown} sections, ${count} disclosures)`);
  await originals.first().click();
  await page.waitForTimeout(200);
  const opened = originals.first().locator('xpath=ancestor::details[1]');
  if (await opened.count()) {
    const text = (await opened.innerText()).replace(NAMES.originalText, '').trim();
    await check(page, await opened.getAttribute('open') !== null && text.length > 0, `the first "${NAMES.originalText}" opens on the document's own text (got ${JSON.stringify(text.slice(0, 80))})`);
  }
  await journal.step(page, `${stepPrefix}-texte-original`);

  // The original PDF, in a new tab.
  const pdfLink = await expectVisible(page, main.getByRole('link', { name: NAMES.pdf }), `link "${NAMES.pdf}"`);
  const context = page.context();
  const href = new URL((await pdfLink.getAttribute('href'))!, page.url()).href;
  // What the new tab receives from this server. Chromium hands a PDF to its viewer (an extension), and
  // then reports the response without its headers: the viewer taking it over is the browser's own
  // proof that the response was application/pdf; the same request outside the tab shows the header.
  const responses: Response[] = [];
  let viewer = false;
  const onResponse = (r: Response) => {
    try {
      if (r.frame().page() === page) return;
      if (r.url().startsWith(services.url)) responses.push(r);
      if (r.url().startsWith(`chrome-extension://${PDF_VIEWER}/`)) viewer = true;
    } catch {
      // a response of no frame (a service worker): not the tab's
    }
  };
  const pdfOf = () => responses.find((r) => r.status() === 200);
  context.on('response', onResponse);
  try {
    const [tab] = await Promise.all([context.waitForEvent('page', { timeout: NETWORK_WAIT }), pdfLink.click()]);
    for (let i = 0; i < NETWORK_WAIT / 200 && !pdfOf() && !responses.some((r) => r.status() >= 400); i++) await page.waitForTimeout(200);
    await tab.waitForLoadState('load').catch(() => undefined);
    const final = pdfOf();
    const got: string[] = [];
    for (const r of responses) got.push(`${r.status()} ${(await r.allHeaders())['content-type'] ?? '(headers hidden)'} ${r.url()}`);
    const direct = final ? await context.request.get(final.url()) : undefined;
    const tabType = final ? (await final.allHeaders())['content-type'] : undefined;
    const isPdf = tabType ? tabType.startsWith('application/pdf') : viewer && (direct?.headers()['content-type'] ?? '').startsWith('application/pdf');
    await check(page, !!final && isPdf,
      `the new tab of "${NAMES.pdf}" (${href}) receives 200 application/pdf (tab got ${JSON.stringify(got)}, PDF viewer ${viewer ? 'opened' : 'not opened'}, direct GET ${direct?.status()} ${direct?.headers()['content-type']})`);
    await check(page, (await direct!.body()).subarray(0, 5).toString('latin1') === '%PDF-', 'the original document is a PDF (%PDF-)');
    await tab.close();
  } finally {
    context.off('response', onResponse);
  }

  await expectVisible(page, page.getByRole('button', { name: NAMES.print }), `button "${NAMES.print}"`);
}

describe('the professional\'s portal, in chromium', () => {
  test('Accueil: the terms must be accepted, then Pro Santé Connect logs the professional in', async () => {
    const { context, page } = await newContext();
    try {
      await page.goto(`${services.url}/portal`);
      const cgu = await expectVisible(page, page.getByRole('checkbox', { name: NAMES.cguCheckbox }), `checkbox "${NAMES.cguCheckbox}"`);
      await expectVisible(page, page.getByRole('button', { name: NAMES.login }), `button "${NAMES.login}"`);
      await journal.step(page, 'accueil', { loggedIn: false });
      // The label holds the link to the terms.
      const labelLink = page.locator('label').getByRole('link', { name: NAMES.cguLink });
      await check(page, await labelLink.count() === 1, `the checkbox's label holds a link "${NAMES.cguLink}"`);
      const terms = await context.newPage();
      const termsRes = await terms.goto(new URL((await labelLink.getAttribute('href'))!, page.url()).href);
      await check(terms, termsRes?.status() === 200, `the terms page answers 200 (got ${termsRes?.status()})`);
      await journal.step(terms, 'conditions-generales', { loggedIn: false });
      await terms.close();

      // Without the tick: no login.
      const toPsc: string[] = [];
      page.on('request', (r) => {
        if (r.url().startsWith(services.auth.issuer)) toPsc.push(r.url());
      });
      await check(page, !(await cgu.isChecked()), 'the terms box starts unticked');
      await page.getByRole('button', { name: NAMES.login }).click();
      await page.waitForLoadState('load');
      await page.waitForTimeout(1000);
      await check(page, toPsc.length === 0 && !page.url().startsWith(services.auth.issuer), `no login without ticking the terms (went to ${toPsc[0] ?? page.url()})`);
      await check(page, await page.getByRole('banner').filter({ hasText: DOCTOR_BANNER }).count() === 0, 'nobody logged in');
      await journal.step(page, 'accueil-sans-cgu', { loggedIn: false });

      await login(page, DOCTOR, true);
      await journal.step(page, 'connecte');
    } finally {
      await context.close();
    }
  }, JOURNEY_TIMEOUT);

  test('Croatia end to end: MARIJA BOŽIČEVIĆ (157601853), from the search to her summary, then a new search', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, DOCTOR);
      await gotoSearch(page);
      await journal.step(page, 'hr-recherche');
      // The reachable countries, in French.
      const select = page.getByRole('combobox', { name: NAMES.country });
      const options: string[] = [];
      for (const o of await select.locator('option').all()) if (await o.getAttribute('value')) options.push((await o.innerText()).trim());
      await check(page, JSON.stringify([...options].sort()) === JSON.stringify([...countries].sort()), `the options of "${NAMES.country}" are the reachable countries ${JSON.stringify(countries)} (got ${JSON.stringify(options)})`);
      await expectVisible(page, page.getByRole('button', { name: NAMES.validateCountry }), `button "${NAMES.validateCountry}"`);
      await chooseCountry(page, 'Croatie');

      // The Croatian mask's traits, the optional demographics, the help.
      const traits = masks.get('HR')!;
      for (const t of traits) await expectVisible(page, traitField(page, t), `text field "${t.text}"`);
      await expectVisible(page, page.getByRole('textbox', { name: NAMES.family }), 'text field "Nom"');
      await expectVisible(page, page.getByRole('textbox', { name: NAMES.given }), 'text field "Prénom"');
      const birth = await expectVisible(page, page.getByLabel(NAMES.birthDate), 'field "Date de naissance"');
      await check(page, await birth.getAttribute('type') === 'date', '"Date de naissance" is a date field (type="date")');
      const help = page.locator('details').filter({ has: page.locator('summary').filter({ hasText: NAMES.help }) });
      await expectVisible(page, help.locator('summary'), `a <details> whose summary is "${NAMES.help}"`);
      await help.first().locator('summary').click();
      await check(page, await help.first().getAttribute('open') !== null, 'the help opens');
      const images = help.first().locator('svg, img[src*=".svg"], object[type="image/svg+xml"]');
      let visible = 0;
      for (const img of await images.all()) if (await img.isVisible()) visible += 1;
      await check(page, visible >= traits.length, `an SVG per trait in the opened help (${traits.length} trait(s), ${visible} visible SVG)`);
      await journal.step(page, 'hr-recherche-aide');

      // A trait in the wrong format: an error next to the field, and nothing asked of the country.
      const field = traitField(page, traits[0]);
      const describedBefore = await describedText(page, field);
      const calls = xcpdCalls();
      await field.fill('12AB');
      await page.getByRole('button', { name: NAMES.search, exact: true }).click();
      await page.waitForLoadState('load');
      await expectVisible(page, traitField(page, traits[0]), `the field "${traits[0].text}" still shown with its error`);
      const alerts = (await page.getByRole('alert').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
      const describedAfter = await describedText(page, traitField(page, traits[0]));
      const nativeMessage = await traitField(page, traits[0]).evaluate((el) => (el as unknown as { validationMessage: string }).validationMessage);
      // Next to the field: its aria-describedby gained the error, or an alert names the field.
      const tied = (!!describedAfter && describedAfter !== describedBefore) || alerts.some((a) => a.includes(traits[0].text));
      await check(page, tied,
        `an error message for "${traits[0].text}" (role "alert" or aria-describedby); alerts ${JSON.stringify(alerts)}, described by ${JSON.stringify(describedAfter)}${nativeMessage ? `, only the browser's own validation bubble: ${JSON.stringify(nativeMessage)}` : ''}`);
      await check(page, xcpdCalls() === calls, `no search sent to the country with a malformed trait (${xcpdCalls() - calls} XCPD request(s))`);
      await journal.step(page, 'hr-trait-mal-forme');

      // The right identifier: one match, straight to the verification.
      await chooseCountryIfAsked(page, 'Croatie');
      await fillAndSearch(page, { country: 'Croatie', code: 'HR', traits: [MARIJA.identifiers[0].extension] });
      await verifyAndConsent(page, MARIJA, 'hr');
      await checkSummary(page, MARIJA, 'hr', ['Allergies et intolérances', 'Vaccinations']);

      // New search: back to the search page.
      await page.getByRole('link', { name: NAMES.newSearch }).first().click();
      await expectVisible(page, heading(page, NAMES.searchHeading), `heading "${NAMES.searchHeading}" after "${NAMES.newSearch}"`);
      await journal.step(page, 'hr-nouvelle-recherche');
    } finally {
      await context.close();
    }
  }, JOURNEY_TIMEOUT);

  test('Portugal end to end: MARIA INÊS SIMÕES CONCEIÇÃO, notices in French and Portuguese', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, DOCTOR);
      await search(page, { country: 'Portugal', code: 'PT', traits: [MARIA_INES.identifiers[0].extension] });
      await verifyAndConsent(page, MARIA_INES, 'pt');
      await checkSummary(page, MARIA_INES, 'pt', ['Grossesses']);
      await page.getByRole('link', { name: NAMES.newSearch }).first().click();
      await expectVisible(page, heading(page, NAMES.searchHeading), `heading "${NAMES.searchHeading}" after "${NAMES.newSearch}"`);
    } finally {
      await context.close();
    }
  }, JOURNEY_TIMEOUT);

  test('several candidates (two JOSIP KOVAČIĆ born 1972-06-04): a list to choose from', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, DOCTOR);
      await search(page, { country: 'Croatie', code: 'HR', traits: [UNKNOWN_HR_ID], family: JOSIP.name.family, birthDate: JOSIP.birthDate });
      const choose = page.getByRole('button', { name: NAMES.choose });
      await expectVisible(page, choose, `buttons "${NAMES.choose}"`, NETWORK_WAIT);
      await check(page, await choose.count() === 2, `two candidates, each with "${NAMES.choose}" (got ${await choose.count()})`);
      await journal.step(page, 'plusieurs-candidats');
      await choose.first().click();
      await expectVisible(page, heading(page, NAMES.verificationHeading), `heading "${NAMES.verificationHeading}" for the chosen candidate`, NETWORK_WAIT);
      const name = await termValue(page, 'Nom et prénom');
      const born = await termValue(page, 'Date de naissance');
      await check(page, !!name?.includes(JOSIP.name.family) && born === frenchDate(JOSIP.birthDate), `the chosen JOSIP KOVAČIĆ, born ${frenchDate(JOSIP.birthDate)} (got ${name}, ${born})`);
      await journal.step(page, 'candidat-choisi');
    } finally {
      await context.close();
    }
  }, JOURNEY_TIMEOUT);

  test('no match, and a country that fails: French messages, never JSON', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, DOCTOR);
      await search(page, { country: 'Croatie', code: 'HR', traits: ['100000002'] });
      await expectVisible(page, page.getByText(NAMES.noMatch), `text "${NAMES.noMatch}…"`, NETWORK_WAIT);
      await journal.step(page, 'aucun-patient');

      sim().faults.add({ country: 'HR', transaction: 'xcpd', fault: 'http-503', times: 5 });
      await search(page, { country: 'Croatie', code: 'HR', traits: [MARIJA.identifiers[0].extension] });
      const alert = await expectVisible(page, page.getByRole('alert'), 'an error message (role "alert") when the country fails', NETWORK_WAIT);
      await expectNoJson(page, (await alert.innerText()).trim());
      await journal.step(page, 'erreur-pays');
    } finally {
      sim().faults.reset();
      await context.close();
    }
  }, JOURNEY_TIMEOUT);

  test('a patient found without a summary (Luxembourg, XCA 1102): a French message on the summary step', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, DOCTOR);
      await search(page, { country: 'Luxembourg', code: 'LU', traits: [MATHEIS.identifiers[0].extension] });
      await verifyAndConsent(page, MATHEIS, 'lu');
      const alert = await expectVisible(page, page.getByRole('alert'), 'an error message (role "alert") for a patient without a summary', NETWORK_WAIT);
      await expectNoJson(page, (await alert.innerText()).trim());
      await journal.step(page, 'lu-sans-synthese');
    } finally {
      await context.close();
    }
  }, JOURNEY_TIMEOUT);

  test('"Se déconnecter" ends the session: back to Accueil, and the search page no longer shows patient data', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, DOCTOR);
      await search(page, { country: 'Croatie', code: 'HR', traits: [MARIJA.identifiers[0].extension] });
      await expectVisible(page, heading(page, NAMES.verificationHeading), `heading "${NAMES.verificationHeading}"`, NETWORK_WAIT);
      await page.getByRole('button', { name: NAMES.logout, exact: true }).click();
      // The stand-in asks to confirm the end of the Pro Santé Connect session (RP-initiated logout).
      await page.waitForURL((u) => u.href.startsWith(`${services.url}/portal`) || u.href.startsWith(services.auth.issuer));
      if (page.url().startsWith(services.auth.issuer)) {
        await journal.step(page, 'psc-deconnexion', { loggedIn: false, axe: false });
        await page.getByRole('button', { name: NAMES.logout, exact: true }).click();
        await page.waitForURL((u) => u.href.startsWith(`${services.url}/portal`));
      }
      await expectVisible(page, page.getByRole('button', { name: NAMES.login }), `Accueil (button "${NAMES.login}") after logout`);
      await check(page, await page.getByRole('banner').filter({ hasText: DOCTOR_BANNER }).count() === 0, 'the banner no longer names the professional');
      await journal.step(page, 'deconnecte', { loggedIn: false });
      await page.goto(`${services.url}/portal/recherche`);
      const text = await bodyText(page);
      const leaks = [MARIJA.name.family, MARIJA.identifiers[0].extension, 'CYRIL TOUBIB'].filter((s) => text.includes(s));
      await check(page, leaks.length === 0, `no patient or professional data on /portal/recherche after logout (found ${JSON.stringify(leaks)})`);
      await check(page, await page.getByRole('combobox', { name: NAMES.country }).count() === 0, 'no search form after logout');
      await journal.step(page, 'recherche-apres-deconnexion', { loggedIn: false });
    } finally {
      await context.close();
    }
  }, JOURNEY_TIMEOUT);

  test('a refused professional (occupational physician): "Accès refusé" and the rule\'s reason', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, OCCUPATIONAL_PHYSICIAN);
      const refused = page.getByRole('heading', { name: NAMES.refused }).or(page.locator('strong').filter({ hasText: NAMES.refused }));
      await expectVisible(page, refused, `"${NAMES.refused}" (heading or strong)`);
      const reason = ruleByCode('OCCUPATIONAL_MEDICINE')!.messages.fr;
      await check(page, (await bodyText(page)).includes(reason), `the reason "${reason}"`);
      await journal.step(page, 'acces-refuse', { loggedIn: false });
      await page.goto(`${services.url}/portal/recherche`);
      await check(page, await page.getByRole('combobox', { name: NAMES.country }).count() === 0, 'a refused professional gets no search form');
    } finally {
      await context.close();
    }
  }, JOURNEY_TIMEOUT);

  test('at 390 px wide, the search, verification and summary pages do not scroll sideways', async () => {
    const { context, page } = await newContext({ width: 390, height: 844 });
    // Every page is measured before the test fails, so one run tells all the pages that scroll sideways.
    const wide: string[] = [];
    const noSideScroll = async (what: string) => {
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      if (width > 390) wide.push(`${what}: scrollWidth ${width} (elements past 390 px: ${String(await page.evaluate(OVERFLOWING))})`);
    };
    try {
      await login(page, DOCTOR);
      await gotoSearch(page);
      await chooseCountry(page, 'Croatie');
      await expectVisible(page, traitField(page, masks.get('HR')![0]), `text field "${masks.get('HR')![0].text}"`);
      await journal.step(page, 'mobile-recherche');
      await noSideScroll('search page');
      const help = page.locator('details').filter({ has: page.locator('summary').filter({ hasText: NAMES.help }) }).first();
      if (await help.count()) await help.locator('summary').click();
      await journal.step(page, 'mobile-recherche-aide');
      await noSideScroll('search page, help opened');
      await fillAndSearch(page, { country: 'Croatie', code: 'HR', traits: [MARIJA.identifiers[0].extension] });
      await expectVisible(page, heading(page, NAMES.verificationHeading), `heading "${NAMES.verificationHeading}"`, NETWORK_WAIT);
      await journal.step(page, 'mobile-verification');
      await noSideScroll('verification page');
      await (await checkbox(page, NAMES.necessary))?.check();
      await (await checkbox(page, NAMES.consent, await checkbox(page, NAMES.necessary)))?.check();
      await page.getByRole('button', { name: NAMES.consult }).click();
      await expectVisible(page, heading(page, NAMES.summaryHeading), 'heading "Synthèse médicale"', NETWORK_WAIT);
      const originals = page.getByRole('main').locator('summary, button[aria-expanded]').filter({ hasText: NAMES.originalText });
      if (await originals.count()) await originals.first().click();
      await journal.step(page, 'mobile-synthese');
      await noSideScroll('summary page, original text opened');
      await check(page, wide.length === 0, `no horizontal scroll at 390 px wide:\n  ${wide.join('\n  ')}`);
    } finally {
      await context.close();
    }
  }, JOURNEY_TIMEOUT);
});

/** The outermost elements whose right edge passes the viewport (for the failure message of a sideways scroll). */
const OVERFLOWING = `(() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const parent = el.parentElement;
    if (r.right > w + 0.5 && r.width > 0 && parent && parent.getBoundingClientRect().right <= w + 0.5) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' (right ' + Math.round(r.right) + ' px, width ' + Math.round(r.width) + ' px)');
    }
  }
  return out.slice(0, 8).join('; ') || 'none found';
})()`;

/** Text of the elements a field's aria-describedby names. */
async function describedText(page: Page, field: Locator): Promise<string> {
  const ids = ((await field.first().getAttribute('aria-describedby').catch(() => null)) ?? '').split(/\s+/).filter(Boolean);
  const texts: string[] = [];
  for (const id of ids) {
    const el = page.locator(`[id="${id}"]`);
    if (await el.count()) texts.push((await el.first().innerText()).trim());
  }
  return texts.join(' ');
}

/** After an error, the page may ask for the country again. */
async function chooseCountryIfAsked(page: Page, country: string): Promise<void> {
  const trait = traitField(page, masks.get('HR')![0]);
  if (await trait.count() === 0) await chooseCountry(page, country);
}

/** An error shown to the professional is a sentence, not the API's JSON. */
async function expectNoJson(page: Page, message: string): Promise<void> {
  const all = await bodyText(page);
  await check(page, message.length > 10 && !/^[[{]/.test(message) && !/resourceType|OperationOutcome|"issue"|"diagnostics"/.test(all),
    `a French message, not JSON (got ${JSON.stringify(message)})`);
  await check(page, /[a-zàâçéèêëîïôûùüÿœ]{3,}/i.test(message) && !/^(error|failed|internal server error)/i.test(message), `a readable message (got ${JSON.stringify(message)})`);
}
