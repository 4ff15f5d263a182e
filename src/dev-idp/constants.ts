/** Fixed facts of the embedded Pro Santé Connect stand-in, shared by the provider, the CLI and the tests. */

/** Path of the realm, as on the real PSC: the issuer is http://host:port + REALM_PATH. */
export const REALM_PATH = '/auth/realms/esante-wallet';
/** PSC's own discovery path (the standard /.well-known/openid-configuration is served too). */
export const PSC_DISCOVERY_SUFFIX = '/.well-known/wallet-openid-configuration';
export const OIDC_PATH = '/protocol/openid-connect';
export const ENDPOINTS = {
  authorization: `${OIDC_PATH}/auth`,
  token: `${OIDC_PATH}/token`,
  userinfo: `${OIDC_PATH}/userinfo`,
  introspection: `${OIDC_PATH}/token/introspect`,
  jwks: `${OIDC_PATH}/certs`,
  endSession: `${OIDC_PATH}/logout`,
  revocation: `${OIDC_PATH}/revoke`,
} as const;

export { PSC_SCOPE } from '../auth/psc-client.js';
export { REQUIRED_ACR as PSC_ACR } from '../auth/token-validator.js';
/** Audience of the stand-in's JWT access tokens (its single resource server: this FHIR facade). */
export const STAND_IN_AUDIENCE = 'urn:ehdsi-fhir-facade:fhir';
/** Public client of the stand-in for EHRs and scripts (azp of `npm run dev-token` tokens). */
export const DEV_EHR_CLIENT_ID = 'dev-ehr';
/**
 * Public client of the stand-in for SMART apps in a browser (SMART App Launch standalone, PKCE S256, no
 * secret): redirect URIs on loopback, any port (oidc-provider matches a native client's loopback redirect
 * URIs whatever their port, RFC 8252 §7.3), at the app's root or its index.html.
 */
export const DEV_SMART_CLIENT_ID = 'dev-smart-app';
export const DEV_SMART_REDIRECT_URIS = ['127.0.0.1', 'localhost', '[::1]']
  .flatMap((host) => [`http://${host}/`, `http://${host}/index.html`]);
/** Development secret of the portal client when no PSC_CLIENT_SECRET is set (the stand-in is loopback-only). */
export const DEV_CLIENT_SECRET = 'stand-in-development-secret-not-for-production';

export function issuerFor(origin: string): string {
  return `${origin.replace(/\/+$/, '')}${REALM_PATH}`;
}
