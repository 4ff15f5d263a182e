import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/**
 * The stand-in's signing key and cookie keys, kept under dataDir/dev-idp so
 * that tokens survive a restart and `npm run dev-token` can mint tokens the
 * running stand-in (and the FHIR server) accept.
 */
export interface DevIdpKeys {
  /** Private signing JWK (RS256) with kid, alg and use. */
  signingJwk: JWK & { kid: string; alg: string };
  cookieKeys: string[];
}

const FILE = 'keys.json';

function isKeys(v: unknown): v is DevIdpKeys {
  const k = v as DevIdpKeys | null;
  return Boolean(k && typeof k === 'object' && k.signingJwk?.kty === 'RSA' && typeof k.signingJwk.d === 'string'
    && typeof k.signingJwk.kid === 'string' && Array.isArray(k.cookieKeys) && k.cookieKeys.length > 0);
}

export async function loadOrCreateDevIdpKeys(dataDir: string): Promise<DevIdpKeys> {
  const dir = path.join(dataDir, 'dev-idp');
  const file = path.join(dir, FILE);
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (isKeys(parsed)) return parsed;
  } catch {
    // absent or unreadable: generate below
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const keys: DevIdpKeys = {
    signingJwk: { ...jwk, kid: randomUUID(), alg: 'RS256', use: 'sig' },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

/** The public half of the signing key, as published at the JWKS endpoint. */
export function publicJwk(keys: DevIdpKeys): JWK {
  const { kty, n, e, kid, alg, use } = keys.signingJwk;
  return { kty, n, e, kid, alg, use };
}

export async function signingKey(keys: DevIdpKeys) {
  return importJWK(keys.signingJwk, 'RS256');
}
