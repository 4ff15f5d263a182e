import { readFileSync } from 'node:fs';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import * as oidc from 'openid-client';
import type { Logger } from '../../logging/logger.js';
import { projectPath } from '../../util/project.js';
import type { JourneyDeps } from './journey-route.js';
import { mountLogin, portalUrls, type PortalLoginAudit } from './login.js';
import { accueilPage, cguPage, errorPage, notFoundPage, refusedPage, sendPage } from './pages.js';
import { databaseBackend, memoryBackend, type WebSessionStore } from './session-backend.js';
import { mountSearch } from './search.js';
import { PORTAL_PATH, PortalSessions, bannerOf, csrfMatches, type PortalSession } from './session.js';
import { mountSummary } from './summary.js';
import { mountVerification } from './verification.js';

export { PORTAL_PATH, type PortalSession } from './session.js';
export { portalUrls, type PortalLoginAudit, type PortalLoginEvent } from './login.js';
export type { WebSessionStore } from './session-backend.js';

export interface PortalOptions {
  psc: oidc.Configuration;
  /** Origin of this server as browsers see it (http://127.0.0.1:8080, https://…). */
  publicOrigin: string;
  /** This server's FHIR base as the portal calls it (loopback): the portal's only path to patient data. */
  apiBase: string;
  sessionTtlSeconds: number;
  logger: Logger;
  /** The audit of logins, failed ones included. */
  audit?: PortalLoginAudit;
  /** Where sessions and login transactions live, shared by every instance (default: this process's memory). */
  sessionStore?: WebSessionStore;
}

export interface Portal {
  router: Router;
  /** The portal session of a request (from its cookie). */
  sessionOf: (req: Request) => Promise<PortalSession | undefined>;
}

/** The portal's two static files (its only stylesheet and script), read once. */
const STATIC: Record<string, { type: string; body: string }> = {};
function staticFile(name: 'portal.css' | 'portal.js'): { type: string; body: string } {
  STATIC[name] ??= {
    type: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
    body: readFileSync(projectPath('src', 'web', 'portal', 'static', name), 'utf8'),
  };
  return STATIC[name];
}

/**
 * Security headers of every portal answer: no inline script or style, forms
 * only to the portal and Pro Santé Connect (the login and logout redirect
 * there), never framed.
 */
function securityHeaders(pscOrigins: string[]) {
  const csp = [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    `form-action 'self' ${pscOrigins.join(' ')}`, "frame-ancestors 'none'", "base-uri 'none'",
  ].join('; ');
  return (_req: Request, res: Response, next: NextFunction) => {
    res.set({
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    next();
  };
}

/**
 * The professional's portal, in French, following the Sesali journey:
 * Accueil (terms of use, Pro Santé Connect) → Recherche du patient →
 * Vérification et consentement → Synthèse médicale, every page a client of
 * this server's FHIR API with the professional's access token.
 */
export function createPortal(opts: PortalOptions): Portal {
  const router = express.Router();
  const urls = portalUrls(opts.publicOrigin);
  const ttlMs = opts.sessionTtlSeconds * 1000;
  const backend = opts.sessionStore ? databaseBackend<PortalSession>(opts.sessionStore, 'portal-session', ttlMs) : memoryBackend<PortalSession>(ttlMs);
  const sessions = new PortalSessions(backend, opts.sessionTtlSeconds, urls.home.startsWith('https:'), async (refreshToken: string) => {
    const tokens = await oidc.refreshTokenGrant(opts.psc, refreshToken);
    return {
      accessToken: tokens.access_token,
      expiresAt: Math.floor(Date.now() / 1000) + (tokens.expiresIn() ?? 0),
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    };
  });
  const meta = opts.psc.serverMetadata();
  const pscOrigins = [...new Set([meta.authorization_endpoint, meta.end_session_endpoint].filter((u): u is string => !!u).map((u) => new URL(u).origin))];

  router.use((req, res, next) => {
    // The log's route names no patient: ids become {id}.
    res.locals.routePattern = `${PORTAL_PATH}${req.path === '/' ? '' : req.path.replace(/\/patients\/[^/]+/, '/patients/{id}').slice(0, 80)}`;
    next();
  });
  router.use(securityHeaders(pscOrigins));
  router.get('/static/:name', (req, res) => {
    const name = String(req.params.name);
    if (name !== 'portal.css' && name !== 'portal.js') return sendPage(res, 404, notFoundPage());
    const file = staticFile(name);
    res.status(200).set({ 'Content-Type': file.type, 'Cache-Control': 'no-cache' }).send(file.body);
  });
  // Forms are small (a few traits): anything larger is refused before it is read.
  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  // Every POST of a session carries its CSRF token (SameSite=Lax cookies are not enough on their own).
  router.use(async (req, res, next) => {
    if (req.method !== 'POST') return next();
    const session = await sessions.of(req);
    if (session && !csrfMatches(session, (req.body as Record<string, unknown> | undefined)?._csrf)) {
      return sendPage(res, 403, accueilPage({ notice: 'Ce formulaire a expiré ou ne vient pas de ce portail : recommencez.' }));
    }
    next();
  });

  router.get('/', async (req, res) => {
    const session = await sessions.of(req);
    if (!session) {
      if (await sessions.expired(req)) {
        sessions.forget(res);
        return sendPage(res, 200, accueilPage({ notice: 'Votre session a expiré : reconnectez-vous pour continuer.' }));
      }
      return sendPage(res, 200, accueilPage());
    }
    if (!session.outcome.allowed) return sendPage(res, 403, refusedPage(session.outcome.displayName, session.outcome.refusals, session));
    res.redirect(303, `${PORTAL_PATH}/recherche`);
  });
  router.get('/cgu', async (req, res) => {
    sendPage(res, 200, cguPage(bannerOf(await sessions.of(req))));
  });

  mountLogin(router, sessions, { sessionStore: opts.sessionStore, psc: opts.psc, publicOrigin: opts.publicOrigin, logger: opts.logger, audit: opts.audit });
  const journey: JourneyDeps = { sessions, apiBase: opts.apiBase.replace(/\/+$/, ''), logger: opts.logger };
  mountSearch(router, journey);
  mountVerification(router, journey);
  mountSummary(router, journey);

  // A guessed or mistyped URL: a French page, never JSON.
  router.use(async (req, res) => {
    sendPage(res, 404, notFoundPage(bannerOf(await sessions.of(req))));
  });
  // A body the parser refused (too large, malformed), or the sessions' database failing: a French page too.
  router.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.status && err.status >= 400 && err.status < 500) {
      return sendPage(res, err.status, accueilPage({ notice: 'Ce formulaire n\'a pas pu être lu : recommencez.' }));
    }
    opts.logger.error({ err: err.name }, 'portal unavailable');
    sendPage(res, 503, errorPage('Le service est momentanément indisponible : réessayez dans un instant.'));
  });

  return { router, sessionOf: (req) => sessions.of(req) };
}
