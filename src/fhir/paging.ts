/**
 * Paging of every search: how many matches a page shows (`_count`, one
 * default and one maximum for the whole server) and the cursor of the page
 * links (`_page`). The cursor is stateless: it carries the search (resource
 * type, the parameters that choose the matches), the page (offset, size), the
 * first match when the walk began (so that matches added since, listed before
 * it, neither shift nor repeat a page), whom it was issued to and until when;
 * it is signed with HMAC-SHA256 under the `fhir.pagingKey` setting. Following
 * a link runs the search again.
 *
 * Token: base64url(JSON payload) "." base64url(HMAC-SHA256(key, first part)).
 * Payload: { v: 1, t: type, q: [[name, value]…], o: offset, n: page size,
 * a?: first match, p: keyed digest of the professional's national id, e: expiry (epoch s) }.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isAuthenticatedProfessional } from '../auth/professional.js';
import { ConfigError, type Config } from '../config/config.js';
import { FhirError } from '../kernel/errors.js';
import type { FhirContext } from './registry.js';

/** Matches per page: `default` without `_count`, at most `max` (a larger `_count` is lowered to it, as FHIR allows). */
export const PAGE_SIZE = { default: 50, max: 200 } as const;
/** The search parameter of the page links. */
export const PAGE_PARAM = '_page';
/** How long a page link works (seconds); each page issues fresh links. */
export const CURSOR_LIFETIME_SECONDS = 3600;
/** The setting of the signing key (src/config/settings/fhir-paging.ts). */
export const PAGING_KEY_SETTING = 'fhir.pagingKey';
const MIN_KEY_LENGTH = 32;

/** Parameters of how a page is shown, not of what matches: outside the cursor. */
const NOT_SEARCHED = new Set(['_count', PAGE_PARAM, '_format', '_pretty', '_summary', '_elements']);
/** Of those, the ones the page links keep (they change the page's content). */
const KEPT_ON_LINKS = ['_summary', '_elements'];
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{2,6000}\.[A-Za-z0-9_-]{43}$/;
const MAX_OFFSET = 10_000_000;

/** Made at start-up; replaced by the configured key (usePagingKey). */
let signingKey: Buffer = randomBytes(32);

/** Signs page links with `secret` from now on; undefined keeps the current key (random at start-up). */
export function usePagingKey(secret: string | undefined): void {
  if (secret === undefined) return;
  if (secret.length < MIN_KEY_LENGTH) throw new ConfigError(`${PAGING_KEY_SETTING} (FHIR_PAGING_KEY)`, `must be at least ${MIN_KEY_LENGTH} characters (e.g. openssl rand -base64 32)`);
  signingKey = Buffer.from(secret, 'utf8');
}

/** The composition root's call: the key of the configuration, if set. */
export function configurePaging(config: Pick<Config, 'get'>): void {
  const secret = config.get(PAGING_KEY_SETTING);
  usePagingKey(typeof secret === 'string' ? secret : undefined);
}

/** What a page link stands for. */
export interface Cursor {
  resourceType: string;
  /** The parameters that choose the matches, normalised (sorted by name, values in order). */
  query: Array<[string, string]>;
  offset: number;
  count: number;
  /** Resource id of the first match when the walk began. */
  anchor?: string;
  /** National id of the professional it is issued to ('' for an unauthenticated caller). */
  owner: string;
  /** Epoch seconds; default: now + CURSOR_LIFETIME_SECONDS. */
  expires?: number;
}

function mac(data: string): Buffer {
  return createHmac('sha256', signingKey).update(data).digest();
}

/** The owner as the cursor names them: a keyed digest, no national id in URLs. */
function ownerDigest(nationalId: string): string {
  return mac(`owner:${nationalId}`).subarray(0, 16).toString('base64url');
}

export function issueCursor(cursor: Cursor): string {
  const payload = {
    v: 1,
    t: cursor.resourceType,
    q: cursor.query,
    o: cursor.offset,
    n: cursor.count,
    ...(cursor.anchor !== undefined ? { a: cursor.anchor } : {}),
    p: ownerDigest(cursor.owner),
    e: cursor.expires ?? Math.floor(Date.now() / 1000) + CURSOR_LIFETIME_SECONDS,
  };
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${mac(body).toString('base64url')}`;
}

function badCursor(french: string, english: string): FhirError {
  return new FhirError(400, { code: 'invalid', diagnostics: `${PAGE_PARAM}: ${english}`, details: { text: french }, expression: [PAGE_PARAM] });
}

const malformed = () => badCursor('Lien de page invalide ou altéré : relancez la recherche.', 'the page link is malformed or was altered; run the search again');

interface Payload { v: number; t: string; q: Array<[string, string]>; o: number; n: number; a?: string; p: string; e: number }

function isPayload(v: unknown): v is Payload {
  const p = v as Payload;
  const count = (n: unknown, max: number) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= max;
  return p !== null && typeof p === 'object' && p.v === 1 && typeof p.t === 'string' && typeof p.p === 'string' && Number.isInteger(p.e)
    && count(p.o, MAX_OFFSET) && count(p.n, PAGE_SIZE.max) && (p.a === undefined || typeof p.a === 'string')
    && Array.isArray(p.q) && p.q.every((kv) => Array.isArray(kv) && kv.length === 2 && typeof kv[0] === 'string' && typeof kv[1] === 'string');
}

/**
 * The cursor of a page link, checked: tampered, malformed or expired → 400;
 * issued to another professional → 404 (nothing says it exists); issued for
 * another resource type → 400.
 */
export function readCursor(token: string, resourceType: string, owner: string, nowSeconds = Math.floor(Date.now() / 1000)): Cursor {
  if (!TOKEN_FORMAT.test(token)) throw malformed();
  const [body, signature] = token.split('.');
  const expected = mac(body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw malformed();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (!isPayload(payload)) throw malformed();
  if (payload.p !== ownerDigest(owner)) {
    throw new FhirError(404, { code: 'not-found', diagnostics: `${PAGE_PARAM}: no such page of results`, details: { text: 'Page de résultats introuvable.' }, expression: [PAGE_PARAM] });
  }
  if (payload.e <= nowSeconds) {
    throw badCursor('Lien de page expiré (valable 1 h) : relancez la recherche.', 'the page link has expired (page links are valid for 1 hour); run the search again');
  }
  if (payload.t !== resourceType) {
    throw badCursor(`Ce lien de page est celui d'une recherche de ${payload.t}, pas de ${resourceType}.`, `the page link belongs to a ${payload.t} search, not a ${resourceType} one`);
  }
  return { resourceType, query: payload.q, offset: payload.o, count: payload.n, anchor: payload.a, owner, expires: payload.e };
}

/**
 * The router's check of `_page`, before any handler runs: given once, well
 * formed, and alone but for `alongside` (the parameters of how a page is
 * shown): a page link carries its whole search.
 */
export function checkPageParam(params: URLSearchParams, alongside: ReadonlySet<string>): void {
  const pages = params.getAll(PAGE_PARAM);
  if (!pages.length) return;
  if (pages.length > 1 || !TOKEN_FORMAT.test(pages[0])) throw malformed();
  const other = [...params.keys()].find((k) => k !== PAGE_PARAM && !alongside.has(k));
  if (other !== undefined) {
    throw new FhirError(400, {
      code: 'invalid',
      diagnostics: `"${other.slice(0, 64)}" cannot be given with ${PAGE_PARAM}: a page link carries its whole search (only ${[...alongside].join(', ')} may be added)`,
      details: { text: `Un lien de page contient toute la recherche : « ${other.slice(0, 64)} » ne peut pas lui être ajouté.` },
      expression: [other],
    });
  }
}

/** The page a search request asks for: its own parameters and `_count`, or those of its cursor. */
export interface SearchPage {
  resourceType: string;
  /** The parameters that choose the matches: the handler filters by these, never by the request's. */
  params: URLSearchParams;
  offset: number;
  count: number;
  anchor?: string;
  owner: string;
  baseUrl: string;
  /** The request's own parameters (the self link, and _summary/_elements for the other links). */
  request: URLSearchParams;
}

/** National id of the caller, as the cursor binds it ('' without an authenticated professional). */
function callerOf(principal: unknown): string {
  return isAuthenticatedProfessional(principal) ? principal.context.nationalId : '';
}

/** `_count` as a page size: PAGE_SIZE.default when absent, at most PAGE_SIZE.max; 400 when not a non-negative integer. */
function pageSize(params: URLSearchParams): number {
  const raw = params.get('_count');
  if (raw === null) return PAGE_SIZE.default;
  if (!/^\d{1,6}$/.test(raw)) throw FhirError.badRequest(`_count must be a non-negative integer, got "${raw.slice(0, 32)}"`, ['_count'], 'value');
  return Math.min(Number(raw), PAGE_SIZE.max);
}

/**
 * Reads the page of a search request. `owner` is the professional's national
 * id (default: the authenticated professional's). Read it before anything is
 * asked of a country: a bad cursor is refused here.
 */
export function searchPage(ctx: Pick<FhirContext, 'params' | 'baseUrl' | 'principal'>, resourceType: string, owner = callerOf(ctx.principal)): SearchPage {
  const common = { resourceType, owner, baseUrl: ctx.baseUrl, request: ctx.params };
  const token = ctx.params.get(PAGE_PARAM);
  if (token !== null) {
    const cursor = readCursor(token, resourceType, owner);
    return { ...common, params: new URLSearchParams(cursor.query), offset: cursor.offset, count: cursor.count, anchor: cursor.anchor };
  }
  const query = [...ctx.params].filter(([k]) => !NOT_SEARCHED.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { ...common, params: new URLSearchParams(query), offset: 0, count: pageSize(ctx.params) };
}

/** What a page shows of the matches (ids in search order), its total and its links. */
export interface PageWindow {
  /** Indices into the matches. */
  start: number;
  end: number;
  total: number;
  links: fhir4.BundleLink[];
}

function url(baseUrl: string, resourceType: string, params: Array<[string, string]>): string {
  const query = new URLSearchParams(params).toString();
  return `${baseUrl}/${resourceType}${query ? `?${query}` : ''}`;
}

/** The URL of a search with these parameters, without _format and _pretty. */
export function searchUrl(baseUrl: string, resourceType: string, params: URLSearchParams): string {
  return url(baseUrl, resourceType, [...params].filter(([k]) => k !== '_format' && k !== '_pretty'));
}

/**
 * The page of `ids` (the matches' ids in search order; undefined for one
 * without an id): matches listed before the walk's first one are newer and
 * left out; `total` counts the rest; links self, first, previous (not on the
 * first page) and next (when more).
 */
export function pageWindow(page: SearchPage, ids: Array<string | undefined>): PageWindow {
  const found = page.anchor === undefined ? -1 : ids.indexOf(page.anchor);
  const first = found < 0 ? 0 : found;
  const total = ids.length - first;
  const start = Math.min(ids.length, first + page.offset);
  const end = Math.min(ids.length, start + page.count);
  const anchor = ids[first];
  const kept = [...page.request].filter(([k]) => KEPT_ON_LINKS.includes(k));
  const link = (relation: string, offset: number): fhir4.BundleLink => {
    const token = issueCursor({ resourceType: page.resourceType, query: [...page.params] as Array<[string, string]>, offset, count: page.count, anchor, owner: page.owner });
    return { relation, url: url(page.baseUrl, page.resourceType, [[PAGE_PARAM, token], ...kept]) };
  };
  const links: fhir4.BundleLink[] = [{ relation: 'self', url: searchUrl(page.baseUrl, page.resourceType, page.request) }, link('first', 0)];
  if (page.offset > 0) links.push(link('previous', Math.max(0, page.offset - page.count)));
  if (page.count > 0 && page.offset + page.count < total) links.push(link('next', page.offset + page.count));
  return { start, end, total, links };
}
