import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import { importJWK, importPKCS8, type JWK } from 'jose';

/** Scopes PSC grants to relying parties (docs/references.md#pro-santé-connect-authentication-level-and-scopes). */
export const PSC_SCOPE = 'openid scope_all';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** How this server reaches Pro Santé Connect (the real one or the embedded stand-in). */
export interface PscSettings {
  issuer: string;
  /** PSC publishes its discovery at {issuer}/.well-known/wallet-openid-configuration. */
  discoveryUrl: string;
  clientId: string;
  clientSecret?: string;
  clientAuthMethod: ClientAuthMethod;
  privateKeyFile?: string;
}

export class PscConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PscConfigurationError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

async function clientAuth(s: PscSettings): Promise<oidc.ClientAuth> {
  if (s.clientAuthMethod === 'private_key_jwt') {
    if (!s.privateKeyFile) throw new PscConfigurationError('auth.privateKeyFile (PSC_PRIVATE_KEY_FILE) is required for private_key_jwt');
    const text = readFileSync(s.privateKeyFile, 'utf8').trim();
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JWK;
      const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : 'RS256');
      const key = await importJWK(jwk, alg);
      if (key instanceof Uint8Array) throw new PscConfigurationError('the private_key_jwt key must be an asymmetric private key');
      return oidc.PrivateKeyJwt({ key, kid: jwk.kid });
    }
    return oidc.PrivateKeyJwt(await importPKCS8(text, 'RS256'));
  }
  if (!s.clientSecret) throw new PscConfigurationError('auth.clientSecret (PSC_CLIENT_SECRET) is required for client_secret_basic/post');
  return s.clientAuthMethod === 'client_secret_post' ? oidc.ClientSecretPost(s.clientSecret) : oidc.ClientSecretBasic(s.clientSecret);
}

/**
 * Discovers PSC and returns the openid-client configuration used by the
 * portal login, introspection and UserInfo. Plain http is allowed only for a
 * loopback issuer (the embedded stand-in).
 */
export async function discoverPsc(s: PscSettings): Promise<oidc.Configuration> {
  const url = new URL(s.discoveryUrl);
  const insecure = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (url.protocol === 'http:' && !insecure) throw new PscConfigurationError('Pro Santé Connect must be reached over https');
  const config = await oidc.discovery(url, s.clientId, undefined, await clientAuth(s), {
    execute: insecure ? [oidc.allowInsecureRequests] : [],
    timeout: 10,
  });
  if (config.serverMetadata().issuer !== s.issuer) {
    throw new PscConfigurationError(`discovery at ${s.discoveryUrl} announces issuer ${config.serverMetadata().issuer}, expected ${s.issuer}`);
  }
  return config;
}
