import type { Request, Response, Router } from 'express';
import * as oidc from 'openid-client';
import { admitProfessional } from '../../auth/authenticator.js';
import type { Refusal } from '../../auth/eligibility/index.js';
import type { AuthenticatedProfessional } from '../../auth/professional.js';
import { PSC_SCOPE } from '../../auth/psc-client.js';
import { parsePscUserInfo, type PscUserInfo } from '../../auth/psc-userinfo.js';
import { REQUIRED_ACR } from '../../auth/token-validator.js';
import type { Logger } from '../../logging/logger.js';
import { clearCookie, readCookie, setCookie } from './cookies.js';
import { accueilPage, errorPage, sendPage } from './pages.js';
import { databaseBackend, memoryBackend, type WebSessionStore } from './session-backend.js';
import { PORTAL_PATH, type PortalSession, type PortalSessions } from './session.js';

const LOGIN_COOKIE = 'portal_login';
const LOGIN_TTL_MS = 10 * 60_000;

/** A portal login's outcome, told to the audit trail (never a token). */
export interface PortalLoginEvent {
  req: Request;
  /** HTTP status of the answer the browser gets (303 once logged in). */
  status: number;
  /** success: logged in and eligible; refused: not eligible; failed: the login did not complete. */
  outcome: 'success' | 'refused' | 'failed';
  /** Why it failed, as a code (login-expired, psc-<OAuth error>, login-unverified, no-id-token, acr, userinfo-unavailable). */
  reason?: string;
  /** Who logged in, once PSC said so. */
  userInfo?: PscUserInfo;
  professional?: AuthenticatedProfessional;
  refusals?: Refusal[];
  /** This server's client id at PSC. */
  clientId?: string;
}

/** Records a portal login; rejecting makes the portal answer 503 rather than log in unaudited. */
export type PortalLoginAudit = (event: PortalLoginEvent) => Promise<void>;

export interface LoginOptions {
  psc: oidc.Configuration;
  /** Origin of this server as browsers see it (http://127.0.0.1:8080, https://…). */
  publicOrigin: string;
  logger: Logger;
  /** The audit of logins, failed ones included. */
  audit?: PortalLoginAudit;
  /** Where login transactions wait for their callback (any instance may receive it); default: memory. */
  sessionStore?: WebSessionStore;
}

interface LoginTransaction {
  codeVerifier: string;
  state: string;
  nonce: string;
}

export function portalUrls(publicOrigin: string) {
  const base = `${publicOrigin.replace(/\/+$/, '')}${PORTAL_PATH}`;
  return { home: base, callback: `${base}/callback`, loggedOut: `${base}/logged-out` };
}

/**
 * The portal's login: OpenID Connect with Pro Santé Connect (authorization
 * code + PKCE S256 + state + nonce, acr_values=eidas1), ID token and acr
 * checks, UserInfo, eligibility, a server-side session, and RP-initiated
 * logout. The login starts only once the terms of use are accepted.
 */
export function mountLogin(router: Router, sessions: PortalSessions, opts: LoginOptions): void {
  const urls = portalUrls(opts.publicOrigin);
  const cookie = { secure: urls.home.startsWith('https:'), path: PORTAL_PATH };
  const logins = opts.sessionStore ? databaseBackend<LoginTransaction>(opts.sessionStore, 'login', LOGIN_TTL_MS) : memoryBackend<LoginTransaction>(LOGIN_TTL_MS);

  router.get('/login', async (req, res) => {
    // Sesali's first step: the terms of use, accepted before Pro Santé Connect is even called.
    if (req.query.cgu !== 'on') return sendPage(res, 400, accueilPage({ cguMissing: true }));
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const tx: LoginTransaction = { codeVerifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(opts.psc, {
      redirect_uri: urls.callback,
      response_type: 'code',
      scope: PSC_SCOPE,
      acr_values: REQUIRED_ACR,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: tx.state,
      nonce: tx.nonce,
    });
    setCookie(res, LOGIN_COOKIE, await logins.create(tx), { ...cookie, maxAgeSeconds: LOGIN_TTL_MS / 1000 });
    res.redirect(303, url.href);
  });

  const clientId = opts.psc.clientMetadata().client_id;
  /** Audits the login's outcome, then answers; an unaudited login is a 503. */
  const answer = async (req: Request, res: Response, status: number, body: () => void | Promise<void>, event: Omit<PortalLoginEvent, 'req' | 'status' | 'clientId'>) => {
    try {
      await opts.audit?.({ req, status, clientId, ...event });
    } catch (e) {
      opts.logger.error({ err: (e as Error).name }, 'portal login not audited');
      return sendPage(res, 503, errorPage('La connexion n\'a pas pu être tracée : le service est momentanément indisponible.'));
    }
    await body();
  };
  const failed = (req: Request, res: Response, status: number, reason: string, message: string) =>
    answer(req, res, status, () => sendPage(res, status, errorPage(message)), { outcome: 'failed', reason });

  router.get('/callback', async (req, res) => {
    const tx = await logins.take(readCookie(req, LOGIN_COOKIE));
    clearCookie(res, LOGIN_COOKIE, cookie);
    if (!tx) return failed(req, res, 400, 'login-expired', 'La demande de connexion a expiré ou vient d\'un autre navigateur ; recommencez.');
    let tokens;
    try {
      const current = new URL(req.originalUrl, opts.publicOrigin);
      tokens = await oidc.authorizationCodeGrant(opts.psc, current, {
        pkceCodeVerifier: tx.codeVerifier, expectedState: tx.state, expectedNonce: tx.nonce, idTokenExpected: true,
      }, { redirect_uri: urls.callback });
    } catch (e) {
      if (e instanceof oidc.AuthorizationResponseError) {
        const reason = /^[a-z_]{1,64}$/.test(e.error) ? `psc-${e.error}` : 'psc-error';
        return failed(req, res, 400, reason, `Pro Santé Connect a répondu : ${e.error}${e.error_description ? ` (${e.error_description})` : ''}.`);
      }
      opts.logger.warn({ err: (e as Error).name, msg: (e as Error).message }, 'portal login failed');
      return failed(req, res, 400, 'login-unverified', 'La réponse de Pro Santé Connect n\'a pas pu être vérifiée.');
    }
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) return failed(req, res, 400, 'no-id-token', 'Pro Santé Connect n\'a pas fourni de jeton d\'identité.');
    if (claims.acr !== REQUIRED_ACR) return failed(req, res, 403, 'acr', `Niveau d'authentification insuffisant (${REQUIRED_ACR} requis).`);
    let userInfo;
    try {
      userInfo = parsePscUserInfo(await oidc.fetchUserInfo(opts.psc, tokens.access_token, claims.sub));
    } catch (e) {
      opts.logger.warn({ err: (e as Error).name }, 'portal UserInfo failed');
      return failed(req, res, 502, 'userinfo-unavailable', 'Les informations du professionnel n\'ont pas pu être obtenues de Pro Santé Connect.');
    }
    const expiresAt = Math.floor(Date.now() / 1000) + (tokens.expiresIn() ?? 0);
    const admitted = admitProfessional(userInfo, { clientId: opts.psc.clientMetadata().client_id, expiresAt, acr: REQUIRED_ACR, scope: tokens.scope });
    const displayName = [userInfo.given_name, userInfo.family_name].filter(Boolean).join(' ') || userInfo.SubjectNameID;
    const outcome: PortalSession['outcome'] = admitted.allowed
      ? { allowed: true, professional: admitted.professional }
      : { allowed: false, refusals: admitted.refusals, displayName, nationalId: userInfo.SubjectNameID };
    if (!admitted.allowed) opts.logger.info({ rules: admitted.refusals.map((r) => r.code) }, 'portal login refused by eligibility');
    const idToken = tokens.id_token;
    const accessToken = tokens.access_token;
    const refreshToken = tokens.refresh_token;
    await answer(req, res, 303, async () => {
      await sessions.open(res, { idToken, accessToken, accessTokenExpiresAt: expiresAt, ...(refreshToken ? { refreshToken } : {}), outcome });
      res.redirect(303, urls.home);
    }, admitted.allowed
      ? { outcome: 'success', userInfo, professional: admitted.professional }
      : { outcome: 'refused', userInfo, refusals: admitted.refusals });
  });

  /** The session as JSON: fhirUser and the practice situation (for scripts and SMART-style clients). */
  router.get('/me', async (req, res) => {
    const session = await sessions.of(req);
    res.set('Cache-Control', 'no-store');
    if (!session) return void res.status(401).json({ error: 'not logged in' });
    if (!session.outcome.allowed) return void res.status(403).json({ refusals: session.outcome.refusals });
    const p = session.outcome.professional;
    res.json({ fhirUser: `Practitioner/${p.practitionerId}`, professional: p.context });
  });

  // The CSRF check of every POST (index.ts) has run: a forged logout cannot end a session.
  router.post('/logout', async (req, res) => {
    const session = await sessions.close(req, res);
    if (!session || !opts.psc.serverMetadata().end_session_endpoint) return res.redirect(303, urls.home);
    const url = oidc.buildEndSessionUrl(opts.psc, { id_token_hint: session.idToken, post_logout_redirect_uri: urls.loggedOut });
    res.redirect(303, url.href);
  });

  router.get('/logged-out', (_req, res) => sendPage(res, 200, accueilPage({ notice: 'Vous êtes déconnecté.' })));
}
