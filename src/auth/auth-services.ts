import type { Express } from 'express';
import type { Config } from '../config/config.js';
import type { Authenticator } from '../fhir/app.js';
import type { CapabilityContributor } from '../fhir/registry.js';
import type { Logger } from '../logging/logger.js';
import { DEV_CLIENT_SECRET, DEV_EHR_CLIENT_ID, PSC_DISCOVERY_SUFFIX, STAND_IN_AUDIENCE } from '../dev-idp/constants.js';
import { startDevIdp, type RunningDevIdp } from '../dev-idp/server.js';
import { createPortal, portalUrls, PORTAL_PATH, type Portal, type PortalLoginAudit } from '../web/portal.js';
import { pscAuthenticator } from './authenticator.js';
import { discoverPsc, type ClientAuthMethod, type PscSettings } from './psc-client.js';
import { securityContributor, smartConfiguration } from './smart-configuration.js';
import { BearerTokenValidator } from './token-validator.js';

export interface AuthServices {
  /** Issuer of the PSC in use (the stand-in's when embedded). */
  issuer: string;
  authenticate: Authenticator;
  /** Mounts the portal and the SMART discovery document on the app. */
  mount: (app: Express) => void;
  capability: CapabilityContributor;
  /** The portal (its router is mounted by `mount`; `sessionOf(req)` for other portal pages). */
  portal: Portal;
  /** The embedded stand-in, when no real PSC is configured. */
  devIdp?: RunningDevIdp;
  close: () => Promise<void>;
}

/** True when no real PSC is configured: the embedded stand-in is used. */
export function isEmbeddedPsc(config: Config): boolean {
  return config.get('auth.issuer') === undefined;
}

/**
 * Starts what authentication needs: the embedded PSC stand-in (unless a real
 * PSC is configured), discovery, the bearer-token validator and the portal.
 * `publicOrigin` is this server's origin as browsers see it (redirect URIs).
 */
export async function startAuth(config: Config, logger: Logger, publicOrigin: string, options: { portalAudit?: PortalLoginAudit } = {}): Promise<AuthServices> {
  const clientId = String(config.get('auth.clientId'));
  const authMethod = config.get('auth.clientAuthMethod') as ClientAuthMethod;
  const urls = portalUrls(publicOrigin);
  let devIdp: RunningDevIdp | undefined;
  let settings: PscSettings;
  if (isEmbeddedPsc(config)) {
    const clientSecret = (config.get('auth.clientSecret') as string | undefined) ?? DEV_CLIENT_SECRET;
    devIdp = await startDevIdp({
      host: String(config.get('auth.devIdp.host')),
      port: Number(config.get('auth.devIdp.port')),
      dataDir: config.dataDir,
      practitionersDir: config.get('auth.devIdp.practitionersDir') as string | undefined,
      accessTokenTtlSeconds: Number(config.get('auth.devIdp.accessTokenTtlSeconds')),
      client: {
        clientId,
        clientSecret,
        authMethod: authMethod === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
        redirectUris: [urls.callback],
        postLogoutRedirectUris: [urls.loggedOut],
      },
      logger,
    });
    settings = { issuer: devIdp.issuer, discoveryUrl: devIdp.discoveryUrl, clientId, clientSecret, clientAuthMethod: authMethod === 'private_key_jwt' ? 'client_secret_basic' : authMethod };
    logger.info({ issuer: devIdp.issuer }, 'embedded Pro Santé Connect stand-in ready');
  } else {
    const issuer = String(config.get('auth.issuer'));
    settings = {
      issuer,
      discoveryUrl: (config.get('auth.discoveryUrl') as string | undefined) ?? `${issuer}${PSC_DISCOVERY_SUFFIX}`,
      clientId,
      clientSecret: config.get('auth.clientSecret') as string | undefined,
      clientAuthMethod: authMethod,
      privateKeyFile: config.get('auth.privateKeyFile') as string | undefined,
    };
  }
  try {
    const psc = await discoverPsc(settings);
    const meta = psc.serverMetadata();
    const allowedClients = (config.get('auth.allowedClients') as string[] | undefined) ?? (devIdp ? [clientId, DEV_EHR_CLIENT_ID] : [clientId]);
    const audiences = (config.get('auth.audience') as string[] | undefined) ?? (devIdp ? [STAND_IN_AUDIENCE] : undefined);
    const validator = new BearerTokenValidator(psc, {
      mode: config.get('auth.tokenValidation') === 'jwks' ? 'jwks' : 'introspection',
      allowedClients,
      audiences,
      ...(devIdp ? { issuerHint: 'npm run dev-token names the issuer from DEV_IDP_HOST and DEV_IDP_PORT: give it the values the server runs with' } : {}),
    });
    const portal = createPortal({ psc, publicOrigin, sessionTtlSeconds: Number(config.get('auth.sessionTtlSeconds')), logger, audit: options.portalAudit });
    const smart = smartConfiguration(meta);
    return {
      issuer: meta.issuer,
      authenticate: pscAuthenticator(validator, logger),
      capability: securityContributor(meta),
      portal,
      mount: (app) => {
        for (const path of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
          app.get(path, (_req, res) => {
            res.locals.routePattern = path;
            res.set('Cache-Control', 'public, max-age=300').json(smart);
          });
        }
        app.get('/', (_req, res) => res.redirect(302, PORTAL_PATH));
        app.use(PORTAL_PATH, portal.router);
      },
      devIdp,
      close: async () => {
        await devIdp?.close();
      },
    };
  } catch (e) {
    await devIdp?.close();
    throw e;
  }
}
