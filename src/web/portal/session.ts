import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Refusal } from '../../auth/eligibility/index.js';
import type { AuthenticatedProfessional } from '../../auth/professional.js';
import { SessionStore } from '../../auth/session-store.js';
import { clearCookie, readCookie, setCookie } from './cookies.js';

export const PORTAL_PATH = '/portal';
const SESSION_COOKIE = 'portal_session';

/** A portal session: who logged in, and either their practice situation or why they are refused. */
export interface PortalSession {
  idToken: string;
  /** PSC access token: the portal calls this server's FHIR API with it, on the professional's behalf. */
  accessToken: string;
  /** Epoch seconds. */
  accessTokenExpiresAt: number;
  /** The token every form of this session carries (CSRF). */
  csrf: string;
  outcome:
    | { allowed: true; professional: AuthenticatedProfessional }
    | { allowed: false; refusals: Refusal[]; displayName: string; nationalId: string };
}

/** The portal's sessions: server-side, the cookie (HttpOnly, SameSite=Lax, Secure behind https) carries a random id. */
export class PortalSessions {
  private readonly store: SessionStore<PortalSession>;
  private readonly cookie: { secure: boolean; path: string };

  constructor(private readonly ttlSeconds: number, secure: boolean) {
    this.store = new SessionStore<PortalSession>(ttlSeconds * 1000);
    this.cookie = { secure, path: PORTAL_PATH };
  }

  /** The request's session, if any and still valid (an expired access token ends it). */
  of(req: Request): PortalSession | undefined {
    const id = readCookie(req, SESSION_COOKIE);
    const session = this.store.get(id);
    if (session && session.accessTokenExpiresAt * 1000 <= Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return session;
  }

  /** True when the request carried a session cookie that no longer designates a session. */
  expired(req: Request): boolean {
    return readCookie(req, SESSION_COOKIE) !== undefined && this.of(req) === undefined;
  }

  open(res: Response, session: Omit<PortalSession, 'csrf'>): void {
    const id = this.store.create({ ...session, csrf: randomBytes(24).toString('base64url') });
    setCookie(res, SESSION_COOKIE, id, { ...this.cookie, maxAgeSeconds: this.ttlSeconds });
  }

  /** Ends the request's session; the ended session, if there was one. */
  close(req: Request, res: Response): PortalSession | undefined {
    const id = readCookie(req, SESSION_COOKIE);
    const session = this.store.get(id);
    this.store.delete(id);
    clearCookie(res, SESSION_COOKIE, this.cookie);
    return session;
  }

  /** Forgets the cookie of a session that has expired. */
  forget(res: Response): void {
    clearCookie(res, SESSION_COOKIE, this.cookie);
  }
}

/** True when a form's _csrf field is the session's token. */
export function csrfMatches(session: PortalSession, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
