import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { PSC_ACR, PSC_SCOPE, STAND_IN_AUDIENCE } from './constants.js';
import { publicJwk, signingKey, type DevIdpKeys } from './keys.js';
import type { TestProfessional } from './practitioners.js';

/**
 * Claims the stand-in puts in its JWT access tokens, like PSC's (Keycloak)
 * ones: the national id travels as SubjectNameID, the client as azp.
 */
export function accessTokenClaims(pro: TestProfessional, clientId: string): Record<string, unknown> {
  return {
    typ: 'Bearer',
    azp: clientId,
    client_id: clientId,
    scope: PSC_SCOPE,
    acr: PSC_ACR,
    SubjectNameID: pro.userInfo.SubjectNameID,
    preferred_username: pro.userInfo.SubjectNameID,
  };
}

/** Mints an access token exactly as the running stand-in would (used by `npm run dev-token` and tests). */
export async function mintAccessToken(keys: DevIdpKeys, issuer: string, pro: TestProfessional, clientId: string, ttlSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...accessTokenClaims(pro, clientId), auth_time: now })
    .setProtectedHeader({ alg: 'RS256', kid: keys.signingJwk.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setSubject(pro.userInfo.sub)
    .setAudience(STAND_IN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(randomUUID())
    .sign(await signingKey(keys));
}

/**
 * Verifies one of the stand-in's own access tokens (for its introspection and
 * UserInfo endpoints); undefined when it is not one, or no longer valid.
 */
export async function verifyOwnAccessToken(keys: DevIdpKeys, issuer: string, token: string): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [publicJwk(keys)] }), {
      issuer,
      audience: STAND_IN_AUDIENCE,
      algorithms: ['RS256'],
      typ: 'at+jwt',
    });
    return payload;
  } catch {
    return undefined;
  }
}
