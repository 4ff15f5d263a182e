import type { SettingDef } from '../setting-def.js';

/**
 * Settings of the auth layer (see src/config/settings.ts). With `auth.issuer`
 * unset, the embedded Pro Santé Connect stand-in is started and used; set it
 * (and the client credentials) to point at the real PSC, no code change.
 */
export const AUTH_SETTINGS: readonly SettingDef[] = [
  { key: 'auth.issuer', env: 'PSC_ISSUER', type: 'url', optional: true, description: 'Issuer of Pro Santé Connect (e.g. https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet). Unset: the embedded PSC stand-in is started and used.' },
  { key: 'auth.discoveryUrl', env: 'PSC_DISCOVERY_URL', type: 'url', optional: true, description: 'OpenID discovery document of PSC; defaults to {issuer}/.well-known/wallet-openid-configuration.' },
  { key: 'auth.clientId', env: 'PSC_CLIENT_ID', type: 'string', default: 'ehdsi-fhir-facade', description: 'Client id of this server at PSC (the portal logs in with it, introspection authenticates with it).' },
  { key: 'auth.clientSecret', env: 'PSC_CLIENT_SECRET', type: 'string', optional: true, description: 'Client secret at PSC (client_secret_basic/post). The embedded stand-in uses its own development secret when unset.' },
  { key: 'auth.clientAuthMethod', env: 'PSC_CLIENT_AUTH_METHOD', type: 'enum', values: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'], default: 'client_secret_basic', description: 'How this server authenticates to the PSC token and introspection endpoints.' },
  { key: 'auth.privateKeyFile', env: 'PSC_PRIVATE_KEY_FILE', type: 'path', optional: true, description: 'Private key (PKCS#8 PEM or JWK JSON) for private_key_jwt client authentication.' },
  { key: 'auth.tokenValidation', env: 'PSC_TOKEN_VALIDATION', type: 'enum', values: ['introspection', 'jwks'], default: 'introspection', description: 'How bearer tokens from EHRs are validated: PSC introspection endpoint, or local JWT verification against the issuer\'s JWKS.' },
  { key: 'auth.allowedClients', env: 'PSC_ALLOWED_CLIENTS', type: 'list', optional: true, description: 'Client ids (azp/client_id) whose access tokens are accepted on /fhir. Unset: this server\'s own client id (and, embedded, the stand-in\'s EHR client).' },
  { key: 'auth.audience', env: 'PSC_AUDIENCE', type: 'list', optional: true, description: 'Accepted audiences of access tokens (one must match). Unset: not checked against a real PSC; the stand-in\'s audience when embedded.' },
  { key: 'auth.sessionTtlSeconds', env: 'PORTAL_SESSION_TTL_SECONDS', type: 'int', default: 3600, min: 60, max: 86400, description: 'Lifetime of a portal session (seconds).' },
  { key: 'auth.devIdp.host', env: 'DEV_IDP_HOST', type: 'string', default: '127.0.0.1', description: 'Interface the embedded PSC stand-in listens on (keep it on loopback).' },
  { key: 'auth.devIdp.port', env: 'DEV_IDP_PORT', type: 'port', default: 8081, min: 0, description: 'Port of the embedded PSC stand-in (0 = any free port).' },
  { key: 'auth.devIdp.accessTokenTtlSeconds', env: 'DEV_IDP_ACCESS_TOKEN_TTL', type: 'int', default: 600, min: 10, max: 86400, description: 'Lifetime of the access tokens the stand-in issues (seconds).' },
  { key: 'auth.devIdp.practitionersDir', env: 'DEV_IDP_PRACTITIONERS_DIR', type: 'path', optional: true, description: 'Folder of test professionals (PSC UserInfo documents) of the stand-in; defaults to the project\'s fixtures/practitioners.' },
];
