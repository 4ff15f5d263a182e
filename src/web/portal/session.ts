import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Refusal } from '../../auth/eligibility/index.js';
import type { AuthenticatedProfessional } from '../../auth/professional.js';
import { clearCookie, readCookie, setCookie } from './cookies.js';
import type { Banner } from './layout.js';
import type { SessionBackend } from './session-backend.js';

export const PORTAL_PATH = '/portal';
const SESSION_COOKIE = 'portal_session';

/** A portal session: who logged in, and either their practice situation or why they are refused. */
export interface PortalSession {
  idToken: string;
  /** PSC access token: the portal calls this server's FHIR API with it, on the professional's behalf. */
  accessToken: string;
  /** Epoch seconds. */
  accessTokenExpiresAt: number;
  /** PSC refresh token, when PSC gave one: a new access token when this one is about to expire. */
  refreshToken?: string;
  /** The token every form of this session carries (CSRF). */
  csrf: string;
  outcome:
    | { allowed: true; professional: AuthenticatedProfessional }
    | { allowed: false; refusals: Refusal[]; displayName: string; nationalId: string };
}

/** A new access token for a refresh token (PSC's token endpoint). */
export type TokenRefresher = (refreshToken: string) => Promise<{ accessToken: string; expiresAt: number; refreshToken?: string }>;

/** An access token this close to its expiry is renewed before a call to the API. */
const RENEW_BEFORE_SECONDS = 30;

/** The portal's sessions: server-side (SessionBackend), the cookie (HttpOnly, SameSite=Lax, Secure behind https) carries a random id. */
export class PortalSessions {
  private readonly cookie: { secure: boolean; path: string };

  constructor(private readonly backend: SessionBackend<PortalSession>, private readonly ttlSeconds: number, secure: boolean, private readonly refresh?: TokenRefresher) {
    this.cookie = { secure, path: PORTAL_PATH };
  }

  /** What each request's cookie designates, looked up once per request (the CSRF check and the page share it). */
  private readonly lookups = new WeakMap<Request, Promise<PortalSession | undefined>>();

  /** The request's session, if any (for pages that call no API: its access token may be stale). */
  of(req: Request): Promise<PortalSession | undefined> {
    let found = this.lookups.get(req);
    if (!found) {
      found = this.backend.get(readCookie(req, SESSION_COOKIE));
      this.lookups.set(req, found);
    }
    return found;
  }

  /**
   * The request's session with an access token good for an API call: renewed
   * with the refresh token when about to expire; a session whose token cannot
   * be renewed ends.
   */
  async active(req: Request): Promise<PortalSession | undefined> {
    const id = readCookie(req, SESSION_COOKIE);
    const session = await this.of(req);
    if (!id || !session || session.accessTokenExpiresAt - RENEW_BEFORE_SECONDS > Date.now() / 1000) return session;
    if (session.refreshToken && this.refresh) {
      try {
        const renewed = await this.refresh(session.refreshToken);
        const fresh: PortalSession = {
          ...session,
          accessToken: renewed.accessToken,
          accessTokenExpiresAt: renewed.expiresAt,
          refreshToken: renewed.refreshToken ?? session.refreshToken,
        };
        await this.backend.update(id, fresh);
        this.lookups.set(req, Promise.resolve(fresh));
        return fresh;
      } catch {
        // PSC refused (session ended there, token revoked): the portal's session ends too.
      }
    }
    if (session.accessTokenExpiresAt > Date.now() / 1000) return session;
    await this.backend.delete(id);
    this.lookups.set(req, Promise.resolve(undefined));
    return undefined;
  }

  /** True when the request carried a session cookie that no longer designates a session. */
  async expired(req: Request): Promise<boolean> {
    return readCookie(req, SESSION_COOKIE) !== undefined && (await this.of(req)) === undefined;
  }

  async open(res: Response, session: Omit<PortalSession, 'csrf'>): Promise<void> {
    const id = await this.backend.create({ ...session, csrf: randomBytes(24).toString('base64url') });
    setCookie(res, SESSION_COOKIE, id, { ...this.cookie, maxAgeSeconds: this.ttlSeconds });
  }

  /** Ends the request's session; the ended session, if there was one. */
  async close(req: Request, res: Response): Promise<PortalSession | undefined> {
    const id = readCookie(req, SESSION_COOKIE);
    const session = await this.backend.take(id);
    this.lookups.set(req, Promise.resolve(undefined));
    clearCookie(res, SESSION_COOKIE, this.cookie);
    return session;
  }

  /** Forgets the cookie of a session that has expired. */
  forget(res: Response): void {
    clearCookie(res, SESSION_COOKIE, this.cookie);
  }
}

/** The header of a logged-in, eligible professional's pages (none otherwise). */
export function bannerOf(session: PortalSession | undefined): Banner | undefined {
  return session?.outcome.allowed ? { professional: session.outcome.professional.context, csrf: session.csrf } : undefined;
}

/** True when a form's _csrf field is the session's token. */
export function csrfMatches(session: PortalSession, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
