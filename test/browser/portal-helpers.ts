/**
 * What the portal's browser tests share: the running server, the accessible names the pages
 * promise (the contract), the search masks and fixtures the pages are checked against, and a
 * journal that screenshots every step and checks it (banner, axe-core, Content-Security-Policy).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page, Response } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import type { RunningServices } from '../../src/app-services.js';
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { DEV_EHR_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { projectPath } from '../../src/util/project.js';
import { axeViolations } from './axe.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** CYRIL TOUBIB, general practitioner (fixtures/practitioners): eligible. */
export const DOCTOR = '899700209937';
export const DOCTOR_BANNER = 'CYRIL TOUBIB · ID 899700209937 · CABINET DU DR CYRIL';
/** BERNARD TRAVAILLEUR, occupational physician: refused (OCCUPATIONAL_MEDICINE). */
export const OCCUPATIONAL_PHYSICIAN = '899700302014';

/** The accessible names the pages promise, exactly. */
export const NAMES = {
  cguCheckbox: 'J\'ai lu et j\'accepte les Conditions Générales d\'Utilisation',
  cguLink: 'Conditions Générales d\'Utilisation',
  login: 'Se connecter avec Pro Santé Connect',
  logout: 'Se déconnecter',
  refused: 'Accès refusé',
  searchHeading: 'Recherche du patient',
  country: 'Pays de résidence',
  validateCountry: 'Valider le pays',
  family: /^Nom\b/,
  given: /^Prénom\b/,
  birthDate: /^Date de naissance\b/,
  help: 'Où trouver ces informations ?',
  search: 'Rechercher',
  noMatch: 'Aucun patient',
  choose: 'Choisir ce patient',
  verificationHeading: 'Vérification et consentement',
  necessary: /nécessaire/,
  consent: /consentement/,
  notice: /^Notice d'information/,
  consentSheet: 'Feuille de consentement du patient',
  consentSheetText: 'Consentement du patient',
  consult: 'Consulter la synthèse médicale',
  summaryHeading: /^Synthèse médicale/,
  adminHeading: 'Informations administratives du patient',
  aboutHeading: 'Informations sur la synthèse médicale',
  originalText: 'Texte original',
  pdf: 'Document original (PDF)',
  print: 'Imprimer',
  newSearch: 'Nouvelle recherche',
  unavailable: 'Information indisponible',
} as const;

/** Where the screenshots go: PORTAL_SCREENSHOTS, else <tmpdir>/portal-screenshots; never inside the repository. */
export function screenshotDir(): string {
  const dir = path.resolve(process.env.PORTAL_SCREENSHOTS ?? path.join(tmpdir(), 'portal-screenshots'));
  const repo = path.resolve(projectPath());
  if (dir === repo || dir.startsWith(`${repo}${path.sep}`)) {
    throw new Error(`PORTAL_SCREENSHOTS=${dir} is inside the repository (${repo}): choose a folder outside it`);
  }
  mkdirSync(dir, { recursive: true });
  // The folder shows the last run only: the previous run's NN-step.png go.
  for (const f of readdirSync(dir)) if (/^\d{2,}-.+\.png$/.test(f)) rmSync(path.join(dir, f), { force: true });
  return dir;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A name that starts with the text (a label may add "(obligatoire)" or a star). */
export function startsWith(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}`);
}

/** The page's visible text (for failure messages). */
export async function bodyText(page: Page): Promise<string> {
  try {
    return String(await page.evaluate('document.body ? document.body.innerText : ""'));
  } catch {
    return '(page text unavailable)';
  }
}

async function describeFailure(page: Page, what: string): Promise<Error> {
  const text = (await bodyText(page)).replace(/\n{3,}/g, '\n\n').slice(0, 2500);
  return new Error(`${what}\n  page: ${page.url()}\n  --- page text ---\n${text}\n  --- end ---`);
}

/** Waits for the locator to be visible; fails naming what was expected, with the page's URL and text. */
export async function expectVisible(page: Page, locator: Locator, what: string, timeout = 15_000): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw await describeFailure(page, `Expected ${what}`);
  }
  return locator.first();
}

/** Fails with the page's text when the condition does not hold. */
export async function check(page: Page, ok: boolean, what: string): Promise<void> {
  if (!ok) throw await describeFailure(page, what);
}

/** A heading by its accessible name (exact unless a RegExp). */
export function heading(scope: Page | Locator, name: string | RegExp): Locator {
  return scope.getByRole('heading', typeof name === 'string' ? { name, exact: true } : { name });
}

// ---------------------------------------------------------------------------------------------
// The server's data the pages are checked against

/** A PSC access token of the stand-in for a test professional (for the test's own FHIR calls). */
export async function tokenFor(services: RunningServices, nationalId: string): Promise<string> {
  const idp = services.auth.devIdp;
  if (!idp) throw new Error('the embedded Pro Santé Connect stand-in is not running');
  const pro = idp.directory.findByNationalId(nationalId);
  if (!pro) throw new Error(`no test professional ${nationalId}`);
  return mintAccessToken(idp.keys, idp.issuer, pro, DEV_EHR_CLIENT_ID, 600);
}

async function fhirGet(services: RunningServices, token: string, pathAndQuery: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${services.url}/fhir/${pathAndQuery}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' } });
  if (res.status !== 200) throw new Error(`GET /fhir/${pathAndQuery}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** The reachable countries' French names (ValueSet/countries/$expand). */
export async function reachableCountries(services: RunningServices, token: string): Promise<string[]> {
  const vs = await fhirGet(services, token, 'ValueSet/countries/$expand');
  const contains = (vs.expansion as { contains?: Array<{ display?: string }> } | undefined)?.contains ?? [];
  return contains.map((c) => c.display ?? '').filter(Boolean);
}

export interface MaskTrait {
  text: string;
  pattern?: string;
  required: boolean;
}

interface QuestionnaireItem {
  text?: string;
  type: string;
  required?: boolean;
  extension?: Array<{ url: string; valueString?: string }>;
  item?: QuestionnaireItem[];
}

/** The identity traits of a country's search mask, as its Questionnaire names them (GET /fhir/Questionnaire?jurisdiction=XX). */
export async function maskTraits(services: RunningServices, token: string, country: string): Promise<MaskTrait[]> {
  const bundle = await fhirGet(services, token, `Questionnaire?jurisdiction=${country}`);
  const q = (bundle.entry as Array<{ resource: { item?: QuestionnaireItem[] } }> | undefined)?.[0]?.resource;
  if (!q) throw new Error(`no search mask for ${country}`);
  return (q.item ?? [])
    .filter((i) => i.type !== 'display' && i.type !== 'group' && i.text)
    .map((i) => ({
      text: i.text!,
      pattern: i.extension?.find((x) => x.url === 'http://hl7.org/fhir/StructureDefinition/regex')?.valueString,
      required: i.required === true,
    }));
}

export interface FixturePatient {
  slug: string;
  country: string;
  identifiers: Array<{ root: string; extension: string }>;
  name: { family: string; given: string[] };
  gender: string;
  birthDate: string;
  address: { street: string; city: string; postalCode: string; country: string } | null;
  language: string;
}

export function fixturePatient(slug: string): FixturePatient {
  return JSON.parse(readFileSync(projectPath('fixtures', 'patients', slug, 'patient.json'), 'utf8')) as FixturePatient;
}

/** dd/mm/yyyy */
export function frenchDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}

/** French titles (mappings/sections/*.yaml) of the sections the patient's level 3 document holds. */
export function sectionTitlesOf(slug: string): string[] {
  const l3 = projectPath('fixtures', 'patients', slug, 'L3.xml');
  if (!existsSync(l3)) return [];
  const byCode = new Map<string, string>();
  const dir = projectPath('mappings', 'sections');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const doc = parseYaml(readFileSync(path.join(dir, f), 'utf8')) as { code?: string; title?: string };
    if (doc.code && doc.title) byCode.set(String(doc.code), doc.title);
  }
  const titles = new Set<string>();
  const xml = readFileSync(l3, 'utf8');
  for (const m of xml.matchAll(/<section\b[^>]*>(?:\s*<(?:templateId|id)\b[^>]*\/>)*\s*<code\b[^>]*\bcode="([^"]+)"/g)) {
    const title = byCode.get(m[1]);
    if (title) titles.add(title);
  }
  return [...titles];
}

// ---------------------------------------------------------------------------------------------
// The journal: every step screenshotted, then checked

export interface StepOptions {
  /** A page after login: the banner names the professional, with a logout button (default true). */
  loggedIn?: boolean;
  /** Run axe-core (default true; false for pages that are not the portal's, such as the stand-in's login). */
  axe?: boolean;
}

export class Journal {
  private n = 0;
  /** Content-Security-Policy violations the browser reported (console), by page URL. */
  private cspViolations: string[] = [];
  /** Portal documents served without a strict CSP. */
  private weakCsp: string[] = [];

  constructor(private readonly services: RunningServices, readonly dir: string) {}

  /** Watches a context: CSP violations on its pages, and the CSP header of every portal document. */
  watch(context: BrowserContext): void {
    const portal = `${this.services.url}/portal`;
    const onPage = (page: Page) => {
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) this.cspViolations.push(`${page.url()}: ${m.text()}`);
      });
    };
    context.pages().forEach(onPage);
    context.on('page', onPage);
    context.on('response', (r: Response) => {
      const req = r.request();
      if (req.resourceType() !== 'document' || !r.url().startsWith(portal)) return;
      const type = r.headers()['content-type'] ?? '';
      if (!type.startsWith('text/html') || r.status() >= 300 && r.status() < 400) return;
      const csp = r.headers()['content-security-policy'] ?? '';
      const scriptSrc = /(?:^|;)\s*script-src\s+([^;]*)/.exec(csp)?.[1] ?? /(?:^|;)\s*default-src\s+([^;]*)/.exec(csp)?.[1];
      if (!csp) this.weakCsp.push(`${r.url()}: no Content-Security-Policy header`);
      else if (scriptSrc === undefined) this.weakCsp.push(`${r.url()}: CSP without script-src or default-src (${csp})`);
      else if (/'unsafe-inline'|'unsafe-eval'|\*/.test(scriptSrc)) this.weakCsp.push(`${r.url()}: script-src allows inline or any script (${scriptSrc})`);
    });
  }

  /** Screenshots the page as NN-step.png, then checks it; throws listing every problem found. */
  async step(page: Page, name: string, opts: StepOptions = {}): Promise<void> {
    this.n += 1;
    const file = path.join(this.dir, `${String(this.n).padStart(2, '0')}-${name}.png`);
    await page.waitForLoadState('load').catch(() => undefined);
    await page.screenshot({ path: file, fullPage: true });
    const problems: string[] = [];
    if (opts.loggedIn !== false) {
      const banner = page.getByRole('banner').filter({ hasText: DOCTOR_BANNER });
      if (await banner.count() === 0) {
        const banners = await page.getByRole('banner').allInnerTexts();
        problems.push(`no banner landmark containing "${DOCTOR_BANNER}" (banners: ${JSON.stringify(banners)})`);
      }
      if (await page.getByRole('button', { name: NAMES.logout, exact: true }).count() === 0) problems.push(`no button "${NAMES.logout}"`);
    }
    if (opts.axe !== false) {
      const violations = await axeViolations(page);
      if (violations.length) problems.push(`axe-core: ${violations.length} serious or critical violation(s)\n${violations.join('\n')}`);
    }
    if (this.cspViolations.length) problems.push(`Content-Security-Policy violations:\n  ${this.cspViolations.join('\n  ')}`);
    if (this.weakCsp.length) problems.push(`portal pages without a strict Content-Security-Policy:\n  ${this.weakCsp.join('\n  ')}`);
    this.cspViolations = [];
    this.weakCsp = [];
    if (problems.length) throw await describeFailure(page, `Step "${name}" (${path.basename(file)}):\n- ${problems.join('\n- ')}`);
  }
}
