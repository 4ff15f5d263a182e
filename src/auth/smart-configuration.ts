import type { ServerMetadata } from 'openid-client';
import type { CapabilityContributor } from '../kernel/request.js';
import type { CapabilityStatementRestSecurity } from '../kernel/types.js';

/**
 * How clients authenticate, published two ways from the configured PSC's
 * metadata: the SMART App Launch discovery document
 * (/.well-known/smart-configuration) and CapabilityStatement.rest.security.
 */

const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';
const SECURITY_SERVICE = 'http://terminology.hl7.org/CodeSystem/restful-security-service';

export function smartConfiguration(meta: ServerMetadata): Record<string, unknown> {
  return {
    issuer: meta.issuer,
    jwks_uri: meta.jwks_uri,
    authorization_endpoint: meta.authorization_endpoint,
    token_endpoint: meta.token_endpoint,
    ...(meta.introspection_endpoint ? { introspection_endpoint: meta.introspection_endpoint } : {}),
    ...(meta.revocation_endpoint ? { revocation_endpoint: meta.revocation_endpoint } : {}),
    ...(meta.userinfo_endpoint ? { userinfo_endpoint: meta.userinfo_endpoint } : {}),
    ...(meta.end_session_endpoint ? { end_session_endpoint: meta.end_session_endpoint } : {}),
    token_endpoint_auth_methods_supported: meta.token_endpoint_auth_methods_supported ?? ['client_secret_basic'],
    grant_types_supported: ['authorization_code'],
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'scope_all'],
    acr_values_supported: ['eidas1'],
    code_challenge_methods_supported: ['S256'],
    capabilities: ['launch-standalone', 'client-public', 'client-confidential-symmetric', 'sso-openid-connect'],
  };
}

/** What rest.security says besides PSC's metadata: whether browser apps may call (CORS, src/fhir/cors.ts). */
export interface SecurityOptions {
  cors: boolean;
}

export function restSecurity(meta: ServerMetadata, options: SecurityOptions): CapabilityStatementRestSecurity {
  const uris: Array<[string, string | undefined]> = [
    ['authorize', meta.authorization_endpoint],
    ['token', meta.token_endpoint],
    ['introspect', meta.introspection_endpoint],
    ['revoke', meta.revocation_endpoint],
  ];
  return {
    cors: options.cors,
    service: [{
      coding: [{ system: SECURITY_SERVICE, code: 'SMART-on-FHIR', display: 'SMART-on-FHIR' }, { system: SECURITY_SERVICE, code: 'OAuth', display: 'OAuth' }],
      text: 'OAuth 2.0 / OpenID Connect with Pro Santé Connect',
    }],
    description: `Every interaction except metadata needs Authorization: Bearer <access token of Pro Santé Connect (issuer ${meta.issuer}, scope "openid scope_all", acr eidas1)>. `
      + 'Professionals outside the eligibility rules get 403 with the rule\'s code. See /.well-known/smart-configuration.',
    extension: [{
      url: OAUTH_URIS,
      extension: uris.filter((u): u is [string, string] => Boolean(u[1])).map(([url, valueUri]) => ({ url, valueUri })),
    }],
  };
}

export function securityContributor(meta: ServerMetadata, options: SecurityOptions): CapabilityContributor {
  return { security: () => restSecurity(meta, options) };
}
