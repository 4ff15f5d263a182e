import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { parsePscUserInfo, PscUserInfoError, type PscUserInfo } from './psc-userinfo.js';

/** Minimum authentication level PSC must assert (docs/references.md#pro-santé-connect-authentication-level-and-scopes). */
export const REQUIRED_ACR = 'eidas1';
/** Signature algorithms accepted on PSC JWTs; `none` and HMAC never. */
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** Why a token was refused, as a code (the audit record keeps it; never the token). */
export type TokenRefusal =
  | 'inactive' | 'expired' | 'other-issuer' | 'no-issuer' | 'no-expiry' | 'acr' | 'client' | 'audience' | 'no-subject'
  | 'claim' | 'signature' | 'userinfo';

/** The token is missing, malformed, forged, expired or not meant for us: a 401. */
export class TokenRejected extends Error {
  constructor(readonly reason: string, readonly code: TokenRefusal = 'signature') {
    super(reason);
    this.name = 'TokenRejected';
  }
}

/** PSC could not be asked (network, 5xx, malformed answer): a 502. */
export class PscUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PscUnavailable';
  }
}

export interface ValidatedToken {
  userInfo: PscUserInfo;
  clientId?: string;
  expiresAt: number;
  acr?: string;
  scope?: string;
}

export interface TokenValidatorOptions {
  mode: 'introspection' | 'jwks';
  /** Client ids whose tokens are accepted (azp, else client_id). */
  allowedClients: readonly string[];
  /** When set, the token's aud must contain one of them. */
  audiences?: readonly string[];
  /** Added to the refusal of a token of another issuer: what the caller should check (e.g. the stand-in's port). */
  issuerHint?: string;
  clockSkewSeconds?: number;
  /** Largest number of cached validations (oldest dropped first). */
  maxCacheEntries?: number;
  now?: () => number;
}

interface CacheEntry {
  value: ValidatedToken;
  expiresAt: number;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** An issuer echoed in a refusal: printable ASCII, bounded (it goes into a WWW-Authenticate header). */
const PRINTABLE_ISSUER = /^[\x21-\x7e]{1,200}$/;

/** The iss claim of a JWT, read without verifying it: only to explain a refusal. */
function unverifiedIssuer(token: string): string | undefined {
  try {
    return asString(decodeJwt(token).iss);
  } catch {
    return undefined;
  }
}

function audiencesOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string') : [];
}

/**
 * Validates PSC access tokens presented by EHRs: by introspection or by local
 * JWT verification against the issuer's JWKS, then the common checks (active,
 * issuer, expiry, acr, client, audience), then UserInfo. A result is cached
 * for the token's remaining life only.
 */
export class BearerTokenValidator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;
  private readonly issuer: string;
  private readonly now: () => number;

  constructor(private readonly config: oidc.Configuration, private readonly opts: TokenValidatorOptions) {
    const meta = config.serverMetadata();
    this.issuer = meta.issuer;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    if (opts.mode === 'jwks') {
      if (!meta.jwks_uri) throw new Error('PSC discovery has no jwks_uri: local JWT verification is impossible');
      this.jwks = createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: 10_000 });
    } else if (!meta.introspection_endpoint) {
      throw new Error('PSC discovery has no introspection_endpoint');
    }
  }

  async validate(token: string): Promise<ValidatedToken> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    if (hit) this.cache.delete(key);
    const claims = this.opts.mode === 'jwks' ? await this.verifyLocally(token) : await this.introspect(token);
    const checked = this.check(claims, now);
    const userInfo = await this.fetchUserInfo(token, checked.sub);
    const value: ValidatedToken = { userInfo, clientId: checked.clientId, expiresAt: checked.exp, acr: checked.acr, scope: asString(claims.scope) };
    this.remember(key, value);
    return value;
  }

  private remember(key: string, value: ValidatedToken): void {
    const max = this.opts.maxCacheEntries ?? 10_000;
    if (this.cache.size >= max) {
      const now = this.now();
      for (const [k, v] of this.cache) if (v.expiresAt <= now) this.cache.delete(k);
      while (this.cache.size >= max) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(key, { value, expiresAt: value.expiresAt });
  }

  private async introspect(token: string): Promise<Record<string, unknown>> {
    let res: oidc.IntrospectionResponse;
    try {
      res = await oidc.tokenIntrospection(this.config, token, { token_type_hint: 'access_token' });
    } catch (e) {
      throw new PscUnavailable(`introspection failed: ${(e as Error).message}`);
    }
    if (res.active !== true) {
      // PSC only says "inactive"; a token of another issuer (a stand-in on another port) is the usual cause worth telling.
      const iss = unverifiedIssuer(token);
      throw iss !== undefined && iss !== this.issuer ? new TokenRejected(this.otherIssuer(iss), 'other-issuer') : new TokenRejected('the token is not active', 'inactive');
    }
    return res as Record<string, unknown>;
  }

  private async verifyLocally(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.jwks!, {
        issuer: this.issuer,
        algorithms: ASYMMETRIC_ALGS,
        clockTolerance: this.opts.clockSkewSeconds ?? 30,
        ...(this.opts.audiences?.length ? { audience: [...this.opts.audiences] } : {}),
      });
      return payload;
    } catch (e) {
      if (e instanceof joseErrors.JWKSTimeout || (e instanceof Error && /fetch|ECONN|network/i.test(e.message) && !(e instanceof joseErrors.JOSEError))) {
        throw new PscUnavailable(`JWKS unavailable: ${e.message}`);
      }
      if (e instanceof joseErrors.JWTExpired) throw new TokenRejected('the token has expired', 'expired');
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'iss') throw new TokenRejected(this.otherIssuer(unverifiedIssuer(token)), 'other-issuer');
      if (e instanceof joseErrors.JWTClaimValidationFailed) throw new TokenRejected(`the token's ${e.claim} claim is not accepted`, e.claim === 'aud' ? 'audience' : 'claim');
      throw new TokenRejected('the token is not a valid signed JWT of the issuer', 'signature');
    }
  }

  private check(claims: Record<string, unknown>, now: number): { sub: string; clientId?: string; exp: number; acr?: string } {
    const iss = asString(claims.iss);
    if (iss !== undefined && iss !== this.issuer) throw new TokenRejected(this.otherIssuer(iss), 'other-issuer');
    if (this.opts.mode === 'jwks' && iss === undefined) throw new TokenRejected('the token names no issuer', 'no-issuer');
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    if (exp === undefined) throw new TokenRejected('the token has no expiry', 'no-expiry');
    if (exp <= now) throw new TokenRejected('the token has expired', 'expired');
    const acr = asString(claims.acr);
    if (acr !== REQUIRED_ACR) throw new TokenRejected(`the authentication level (acr) must be ${REQUIRED_ACR}`, 'acr');
    const clientId = asString(claims.azp) ?? asString(claims.client_id);
    if (!clientId || !this.opts.allowedClients.includes(clientId)) throw new TokenRejected('the token was issued to a client this server does not accept', 'client');
    if (this.opts.audiences?.length && !audiencesOf(claims.aud).some((a) => this.opts.audiences!.includes(a))) {
      throw new TokenRejected('the token is meant for another audience', 'audience');
    }
    const sub = asString(claims.sub);
    if (!sub) throw new TokenRejected('the token has no subject', 'no-subject');
    return { sub, clientId, exp, acr };
  }

  /** The refusal of a token of another issuer, naming both issuers (they are public URLs, not secrets). */
  private otherIssuer(tokenIssuer: string | undefined): string {
    const shown = tokenIssuer !== undefined && PRINTABLE_ISSUER.test(tokenIssuer) ? tokenIssuer : 'an unreadable issuer';
    return `the token was issued by ${tokenIssuer === undefined ? 'no named issuer' : shown}, this server accepts tokens of ${this.issuer} only`
      + (this.opts.issuerHint ? ` (${this.opts.issuerHint})` : '');
  }

  private async fetchUserInfo(token: string, sub: string): Promise<PscUserInfo> {
    let raw: unknown;
    try {
      raw = await oidc.fetchUserInfo(this.config, token, sub);
    } catch (e) {
      if (e instanceof oidc.WWWAuthenticateChallengeError || (e instanceof oidc.ResponseBodyError && e.status === 401)) {
        throw new TokenRejected('Pro Santé Connect refused the token at UserInfo', 'userinfo');
      }
      throw new PscUnavailable(`UserInfo failed: ${(e as Error).message}`);
    }
    try {
      return parsePscUserInfo(raw);
    } catch (e) {
      if (e instanceof PscUserInfoError) throw new PscUnavailable(`UserInfo unusable: ${e.message}`);
      throw e;
    }
  }
}
