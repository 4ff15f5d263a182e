import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair, importJWK } from 'jose';
import type { DevIdpKeys } from '../../src/dev-idp/keys.js';
import { DEV_EHR_CLIENT_ID, STAND_IN_AUDIENCE } from '../../src/dev-idp/constants.js';
import type { TestProfessional } from '../../src/dev-idp/practitioners.js';
import { accessTokenClaims } from '../../src/dev-idp/access-token.js';
import { Browser, formOf } from './http-helpers.js';

export interface TokenTweaks {
  claims?: Record<string, unknown>;
  /** Claims to remove from the normal set. */
  drop?: string[];
  expiresIn?: number;
  /** Sign with a fresh key that claims the stand-in's kid. */
  forge?: boolean;
}

/** A token like the stand-in's, with one thing changed (to test the refusals). */
export async function craftToken(keys: DevIdpKeys, issuer: string, pro: TestProfessional, t: TokenTweaks = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    ...accessTokenClaims(pro, DEV_EHR_CLIENT_ID),
    iss: issuer, sub: pro.userInfo.sub, aud: STAND_IN_AUDIENCE, iat: now - 5, exp: now + (t.expiresIn ?? 300), jti: randomUUID(),
    ...t.claims,
  };
  for (const k of t.drop ?? []) delete payload[k];
  const key = t.forge ? (await generateKeyPair('RS256')).privateKey : await importJWK(keys.signingJwk, 'RS256');
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: keys.signingJwk.kid, typ: 'at+jwt' }).sign(key);
}

/** An unsecured JWT (alg none) carrying otherwise perfect claims. */
export function unsignedToken(issuer: string, pro: TestProfessional): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({
    ...accessTokenClaims(pro, DEV_EHR_CLIENT_ID), iss: issuer, sub: pro.userInfo.sub, aud: STAND_IN_AUDIENCE, iat: now, exp: now + 300,
  })}.`;
}

async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const { createHash, randomBytes } = await import('node:crypto');
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * An access token obtained the way an EHR would: authorization code flow with
 * PKCE at the stand-in with its public client, the person picking the card.
 */
export async function ehrAccessToken(issuer: string, nationalId: string): Promise<{ accessToken: string; idToken: string }> {
  const browser = new Browser();
  const { verifier, challenge } = await pkce();
  const redirectUri = 'http://127.0.0.1/callback';
  const auth = new URL(`${issuer}/protocol/openid-connect/auth`);
  auth.search = new URLSearchParams({
    client_id: DEV_EHR_CLIENT_ID, response_type: 'code', scope: 'openid scope_all', redirect_uri: redirectUri,
    code_challenge: challenge, code_challenge_method: 'S256', state: 'st-123', nonce: 'no-456', acr_values: 'eidas1',
  }).toString();
  const login = await browser.follow(await browser.request(auth.href), auth.href);
  const { action } = formOf(await login.res.text(), login.url);
  const done = await browser.follow(await browser.request(action, { form: { nationalId } }), action);
  const callback = new URL(done.url);
  if (!callback.href.startsWith(redirectUri)) throw new Error(`expected the EHR callback, got ${done.url} (${done.res.status})`);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== 'st-123') throw new Error(`no code in ${callback.href}`);
  const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: DEV_EHR_CLIENT_ID, code_verifier: verifier }),
  });
  const body = await res.json() as { access_token?: string; id_token?: string; error?: string; error_description?: string };
  if (!body.access_token || !body.id_token) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, idToken: body.id_token };
}
