import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readBody } from '../util/http-body.js';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import Provider, { errors as oidcErrors, type OidcToken } from 'oidc-provider';
import type { Logger } from '../logging/logger.js';
import { accessTokenClaims, verifyOwnAccessToken } from './access-token.js';
import {
  DEV_EHR_CLIENT_ID, DEV_SMART_CLIENT_ID, DEV_SMART_REDIRECT_URIS, ENDPOINTS, PSC_ACR, PSC_DISCOVERY_SUFFIX, PSC_SCOPE, REALM_PATH, STAND_IN_AUDIENCE, issuerFor,
} from './constants.js';
import { escapeHtml, page } from '../web/html.js';
import { loadOrCreateDevIdpKeys, type DevIdpKeys } from './keys.js';
import { loginPage } from './login-page.js';
import { memoryAdapterFactory } from './memory-adapter.js';
import { TestProfessionalDirectory, loadTestProfessionals } from './practitioners.js';

/** The relying party (this server's portal) registered at the stand-in. */
export interface StandInClient {
  clientId: string;
  clientSecret: string;
  authMethod: 'client_secret_basic' | 'client_secret_post';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface DevIdpOptions {
  host: string;
  port: number;
  dataDir: string;
  practitionersDir?: string;
  accessTokenTtlSeconds: number;
  client: StandInClient;
  logger: Logger;
}

export interface RunningDevIdp {
  issuer: string;
  /** PSC-style discovery URL ({issuer}/.well-known/wallet-openid-configuration). */
  discoveryUrl: string;
  directory: TestProfessionalDirectory;
  keys: DevIdpKeys;
  close: () => Promise<void>;
}

const MAX_FORM_BYTES = 16 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Client credentials of an introspection call: HTTP Basic or client_id/client_secret in the form. */
function clientCredentials(req: IncomingMessage, form: URLSearchParams): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id && secret ? { id, secret } : undefined;
}

function bearer(req: IncomingMessage): string | undefined {
  return /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/**
 * Starts the embedded Pro Santé Connect stand-in: a real OpenID Provider
 * (oidc-provider) under the PSC realm path, with PSC's endpoints, scopes,
 * acr, PKCE and claims. oidc-provider does not introspect nor accept at
 * UserInfo the JWT access tokens it issues for a resource server, which PSC
 * (Keycloak) does; those two endpoints are served here, for the stand-in's
 * own tokens, from its signing key.
 */
export async function startDevIdp(opts: DevIdpOptions): Promise<RunningDevIdp> {
  const keys = await loadOrCreateDevIdpKeys(opts.dataDir);
  const directory = new TestProfessionalDirectory(loadTestProfessionals(opts.practitionersDir));
  const server: Server = createServer();
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
      ? new Error(`The embedded Pro Santé Connect stand-in cannot listen on ${opts.host}:${opts.port} (in use); set DEV_IDP_PORT`)
      : err));
    server.listen(opts.port, opts.host, () => resolve((server.address() as AddressInfo).port));
  });
  const origin = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  const issuer = issuerFor(origin);
  const loginPath = `${REALM_PATH}/login`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.client.clientId,
        client_secret: opts.client.clientSecret,
        redirect_uris: opts.client.redirectUris,
        post_logout_redirect_uris: opts.client.postLogoutRedirectUris,
        // The portal keeps its session beyond one access token's life with refresh tokens, as with PSC.
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: opts.client.authMethod,
      },
      {
        client_id: DEV_EHR_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        // A SMART app in a browser (e.g. fhirclient's FHIR.oauth2.authorize): public, PKCE (required of
        // every client), its token request cross-origin (clientBasedCORS). The SMART scopes it asks
        // (fhirUser, launch/patient, user/*.rs…) are ignored, as PSC ignores scopes it does not know.
        client_id: DEV_SMART_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: DEV_SMART_REDIRECT_URIS,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    adapter: memoryAdapterFactory(),
    jwks: { keys: [keys.signingJwk] },
    cookies: { keys: keys.cookieKeys },
    scopes: PSC_SCOPE.split(' '),
    claims: {
      openid: ['sub'],
      scope_all: ['SubjectNameID', 'SubjectRefPro', 'SubjectOrganization', 'SubjectRole', 'given_name', 'family_name', 'preferred_username', 'otherIds', 'cardStatus'],
    },
    acrValues: [PSC_ACR],
    pkce: { required: () => true },
    routes: {
      authorization: ENDPOINTS.authorization,
      token: ENDPOINTS.token,
      userinfo: ENDPOINTS.userinfo,
      introspection: ENDPOINTS.introspection,
      jwks: ENDPOINTS.jwks,
      end_session: ENDPOINTS.endSession,
      revocation: ENDPOINTS.revocation,
    },
    ttl: { AccessToken: opts.accessTokenTtlSeconds, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600, RefreshToken: 8 * 3600 },
    // PSC (Keycloak) gives a refresh token with every code grant, without offline_access: so does the stand-in, to the clients allowed to use one.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed: (type: string) => boolean }) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: { body: string }, form: string) => {
          ctx.body = page('Pro Santé Connect — déconnexion', `${form}
<p>Voulez-vous vous déconnecter de Pro Santé Connect ?</p>
<p><button autofocus type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<button class="secondary" type="submit" form="op.logoutForm">Rester connecté</button></p>`);
        },
        postLogoutSuccessSource: async (ctx: { body: string }) => {
          ctx.body = page('Pro Santé Connect — déconnecté', '<p>Vous êtes déconnecté de Pro Santé Connect.</p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => STAND_IN_AUDIENCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          if (resource !== STAND_IN_AUDIENCE) throw new oidcErrors.InvalidTarget();
          return {
            scope: 'scope_all',
            audience: STAND_IN_AUDIENCE,
            accessTokenTTL: opts.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    formats: {
      customizers: {
        jwt: async (_ctx: unknown, token: OidcToken, jwt: { payload: Record<string, unknown> }) => {
          const pro = token.accountId ? directory.findBySub(token.accountId) : undefined;
          if (pro) Object.assign(jwt.payload, accessTokenClaims(pro, token.clientId));
        },
      },
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const pro = directory.findBySub(sub);
      return pro ? { accountId: sub, claims: async () => ({ ...pro.userInfo }) } : undefined;
    },
    interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `${loginPath}/${interaction.uid}` },
    clientBasedCORS: () => true,
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Pro Santé Connect — erreur', `<p>${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`);
    },
  });
  provider.on('server_error', (_ctx: unknown, err: unknown) => {
    opts.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'dev-idp server error');
  });
  const oidc = provider.callback();

  async function finishWithGrant(req: IncomingMessage, res: ServerResponse, accountId: string, clientId: string, login: boolean): Promise<void> {
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope(PSC_SCOPE);
    grant.addResourceScope(STAND_IN_AUDIENCE, 'scope_all');
    const grantId = await grant.save();
    const result: Record<string, unknown> = { consent: { grantId } };
    if (login) result.login = { accountId, acr: PSC_ACR, amr: ['pop', 'mfa'] };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  async function interaction(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const [uid, action] = rest.split('/').filter(Boolean);
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      send(res, 400, 'text/html; charset=utf-8', page('Pro Santé Connect — erreur', '<p>Cette demande de connexion a expiré ou est inconnue. Recommencez depuis l\'application.</p>'));
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, 'text/html; charset=utf-8', page('Pro Santé Connect — erreur', '<p>Demande de connexion inconnue.</p>'));
      return;
    }
    const clientId = details.params.client_id;
    if (req.method === 'GET' && !action) {
      if (details.prompt.name === 'consent' && details.session?.accountId) {
        await finishWithGrant(req, res, details.session.accountId, clientId, false);
        return;
      }
      send(res, 200, 'text/html; charset=utf-8', loginPage(`${loginPath}/${uid}`, clientId, directory.all));
      return;
    }
    if (req.method === 'POST' && action === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'Connexion annulée par l\'utilisateur' }, { mergeWithLastSubmission: false });
      return;
    }
    if (req.method === 'POST' && !action) {
      const form = await readForm(req);
      const pro = directory.findByNationalId(form.get('nationalId') ?? '');
      if (!pro) {
        send(res, 400, 'text/html; charset=utf-8', page('Pro Santé Connect — erreur', '<p>Professionnel de test inconnu.</p>'));
        return;
      }
      await finishWithGrant(req, res, pro.userInfo.sub, clientId, true);
      return;
    }
    send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed');
  }

  async function userinfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearer(req);
    const payload = token ? await verifyOwnAccessToken(keys, issuer, token) : undefined;
    const pro = typeof payload?.sub === 'string' ? directory.findBySub(payload.sub) : undefined;
    if (!pro) {
      sendJson(res, 401, { error: 'invalid_token', error_description: 'invalid or expired access token' },
        { 'WWW-Authenticate': 'Bearer realm="esante-wallet", error="invalid_token"' });
      return;
    }
    sendJson(res, 200, pro.userInfo);
  }

  async function introspect(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'invalid_request' });
      return;
    }
    const form = await readForm(req);
    const creds = clientCredentials(req, form);
    if (!creds || creds.id !== opts.client.clientId || !sameSecret(creds.secret, opts.client.clientSecret)) {
      sendJson(res, 401, { error: 'invalid_client' }, { 'WWW-Authenticate': 'Basic realm="esante-wallet"' });
      return;
    }
    const token = form.get('token') ?? '';
    const payload = await verifyOwnAccessToken(keys, issuer, token);
    if (!payload || typeof payload.sub !== 'string' || !directory.findBySub(payload.sub)) {
      sendJson(res, 200, { active: false });
      return;
    }
    sendJson(res, 200, { ...payload, active: true, token_type: 'Bearer' });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (!url.pathname.startsWith(`${REALM_PATH}/`)) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    let rest = url.pathname.slice(REALM_PATH.length);
    if (rest === PSC_DISCOVERY_SUFFIX) rest = '/.well-known/openid-configuration';
    const handled = rest === ENDPOINTS.userinfo ? userinfo(req, res)
      : rest === ENDPOINTS.introspection ? introspect(req, res)
        : rest.startsWith('/login/') ? interaction(req, res, rest.slice('/login/'.length))
          : undefined;
    if (handled) {
      handled.catch((err: unknown) => {
        opts.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'dev-idp request failed');
        if (!res.headersSent) sendJson(res, 400, { error: 'invalid_request' });
        else res.end();
      });
      return;
    }
    // Mounted under the realm path: oidc-provider derives its URLs from originalUrl vs url.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = `${REALM_PATH}${rest}${url.search}`;
    req.url = `${rest}${url.search}`;
    oidc(req, res);
  });

  return {
    issuer,
    discoveryUrl: `${issuer}${PSC_DISCOVERY_SUFFIX}`,
    directory,
    keys,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
