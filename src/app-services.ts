import type { AddressInfo } from 'node:net';
import type { RequestListener, Server } from 'node:http';
import type { Config } from './config/config.js';
import { createLogger, type Logger } from './logging/logger.js';
import { buildRegistry } from './fhir/interactions/index.js';
import { configurePaging } from './fhir/paging.js';
import { createApp, metricsTokenFromConfig, readinessReport, type ReadinessCheck } from './server.js';
import type { CountryRegistry } from './ehdsi/countries/index.js';
import { createEhdsiTransport } from './ehdsi/soap/transport-config.js';
import { conversionFromConfig, journeyDepsFromConfig, preloadConversionCatalogues, type JourneyDeps } from './journey/index.js';
import { openStore, type FacadeStore } from './store/index.js';
import { mountPatientInformationNotice } from './web/pin/index.js';
import { AuditTrail } from './audit/index.js';
import { atnaExporterFromConfig, type AtnaExporter } from './audit/atna/index.js';
import { requestAuditor } from './fhir/request-audit.js';
import { trustedProxies } from './config/trusted-proxies.js';
import { portalLoginAuditor } from './web/login-audit.js';
import { isAuthenticatedProfessional } from './auth/professional.js';
import type { FhirRateLimits } from './fhir/throttle.js';
import { FixedWindowLimiter } from './util/rate-limit.js';
import { createPortal, portalUrls, PORTAL_PATH, type Portal, type PortalLoginAudit, type WebSessionStore } from './web/portal/index.js';
import { simulatorEnabled, startConfiguredSimulator } from './simulator/from-config.js';
import type { RunningSimulator } from './simulator/index.js';
import type { Express } from 'express';
import type { Authenticator, CapabilityContributor } from './kernel/request.js';
import { DEV_CLIENT_SECRET, DEV_EHR_CLIENT_ID, DEV_SMART_CLIENT_ID, PSC_DISCOVERY_SUFFIX, STAND_IN_AUDIENCE } from './dev-idp/constants.js';
import { startDevIdp, type RunningDevIdp } from './dev-idp/server.js';
import { pscAuthenticator } from './auth/authenticator.js';
import { discoverPsc, type ClientAuthMethod, type PscSettings } from './auth/psc-client.js';
import { securityContributor, smartConfiguration } from './auth/smart-configuration.js';
import { BearerTokenValidator } from './auth/token-validator.js';
import { corsEnabled, corsPolicyFromConfig } from './fhir/cors.js';

export interface RunningServices {
  /** The server's URL as clients see it: PUBLIC_BASE_URL, else http://host:port (the FHIR base is `${url}/fhir`). */
  url: string;
  /** Where this instance itself listens (http://127.0.0.1:port): differs from `url` behind a load balancer. */
  listenUrl: string;
  logger: Logger;
  /** Pro Santé Connect in use (issuer, embedded stand-in when no real PSC is configured). */
  auth: AuthServices;
  /** The embedded eHDSI network, unless disabled (SIMULATOR_ENABLED=false). */
  simulator?: RunningSimulator;
  /** Reachable countries, pointing at the simulator unless configured otherwise. */
  countries: CountryRegistry;
  /** Consents, discovered patients and the audit trail (SQLite by default, PostgreSQL by DATABASE_URL). */
  store: FacadeStore;
  /** The export of the audit trail to the ATNA repository (audit.atna.host), when configured. */
  atna?: AtnaExporter;
  close: () => Promise<void>;
}

/** The rate limits of the configuration (rateLimit.*): none when disabled, a limit of 0 is no limit. */
export function rateLimitsFromConfig(config: Pick<Config, 'get'>): { fhir?: FhirRateLimits; login?: { limiter: FixedWindowLimiter; paths: string[] } } {
  if (config.get('rateLimit.enabled') !== true) return {};
  const windowMs = Number(config.get('rateLimit.windowSeconds')) * 1000;
  const limiter = (key: string) => {
    const limit = Number(config.get(key));
    return limit > 0 ? new FixedWindowLimiter({ limit, windowMs }) : undefined;
  };
  const login = limiter('rateLimit.loginPerAddress');
  return {
    fhir: {
      perAddress: limiter('rateLimit.perAddress'),
      perPrincipal: limiter('rateLimit.perProfessional'),
      principalKey: (p) => (isAuthenticatedProfessional(p) ? p.context.nationalId : undefined),
    },
    ...(login ? { login: { limiter: login, paths: [`${PORTAL_PATH}/login`, `${PORTAL_PATH}/callback`] } } : {}),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the FHIR server and the embedded services the configuration asks for. */
export async function startServices(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServices> {
  // /ready says not ready until the maps and catalogues are loaded (its check 'conversion-maps').
  const conversion = { loaded: false };
  // Before anything listens: a wrong mapping.terminologyPath stops the start, and a large
  // catalogue is read here rather than by the first request.
  preloadConversionCatalogues(conversionFromConfig(config), logger);
  conversion.loaded = true;
  // A short METRICS_TOKEN stops the start too.
  const metricsToken = metricsTokenFromConfig(config);
  // What /ready checks once the app is routed (the store is added when open).
  const readiness: ReadinessCheck[] = [{ name: 'conversion-maps', check: async () => conversion.loaded }];
  // The key signing page links (FHIR_PAGING_KEY): a wrong one stops the start here too.
  configurePaging(config);
  // A wrong TRUST_PROXY stops the start too, before anything listens.
  const trustProxy = trustedProxies(config);
  const { createServer } = await import('node:http');
  // The server listens first: its URL is the portal's redirect URI at Pro Santé Connect.
  let handler: RequestListener | undefined = undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    // Still starting: /ready names what is not ready yet (the services themselves).
    if (req.url === '/ready' && (req.method === 'GET' || req.method === 'HEAD')) {
      void readinessReport([...readiness, { name: 'services', check: async () => false }]).then(({ body }) => {
        res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
      });
      return;
    }
    res.writeHead(503, { 'Retry-After': '1' }).end();
  });
  // Slow or stalled clients must not hold sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const port = await listen(server, config.port, config.host);
  const url = config.publicBaseUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const closeServer = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  // Each started service registers its stop; a failure part-way stops what was started.
  const stops: Array<() => Promise<void>> = [closeServer];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  let auth: AuthServices;
  let simulator: RunningSimulator | undefined;
  let store: FacadeStore;
  let journey: JourneyDeps;
  let atna: AtnaExporter | undefined;
  const logins: { audit?: PortalLoginAudit } = {};
  try {
    const exporter = atnaExporterFromConfig(config, logger);
    if (exporter) {
      atna = exporter;
      stops.push(async () => {
        await exporter.flush(2000);
        await exporter.close();
      });
    }
    // The store first: the portal keeps its sessions there (every instance sees them).
    const opened = await openStore(config, logger);
    store = opened;
    stops.push(() => opened.close());
    // The portal's logins are audited once the trail exists (below); none can complete before the app is routed.
    auth = await startAuth(config, logger, url, {
      sessionStore: opened,
      portalAudit: (event) => logins.audit?.(event) ?? Promise.resolve(),
      // The portal calls this very process's FHIR API, over loopback whatever the public URL.
      apiBase: `http://${loopbackHost(config.host)}:${port}/fhir`,
    });
    stops.push(() => auth.close());
    if (simulatorEnabled(config)) {
      const sim = await startConfiguredSimulator(config, logger);
      simulator = sim;
      stops.push(() => sim.close());
    }
    const transport = createEhdsiTransport(config, logger);
    stops.push(async () => transport.client.close());
    journey = { ...journeyDepsFromConfig(config, { store, logger, simulatorBaseUrl: simulator?.url, transport }), onAuditRecorded: atna && ((r) => atna!.enqueue(r)) };
  } catch (e) {
    await stopAll();
    throw e;
  }
  const registry = buildRegistry({ security: auth.capability, journey });
  const limits = rateLimitsFromConfig(config);
  const trail = new AuditTrail(store, { logger, onRecorded: journey.onAuditRecorded });
  logins.audit = portalLoginAuditor(trail);
  handler = createApp({
    registry,
    logger,
    maxBodyBytes: config.fhir.maxBodyBytes,
    publicBaseUrl: config.publicBaseUrl,
    authenticate: auth.authenticate,
    observer: requestAuditor({ trail, authenticate: auth.authenticate }),
    rateLimits: limits.fhir,
    loginRateLimit: limits.login,
    cors: corsPolicyFromConfig(config),
    trustProxy,
    readiness: [{ name: 'store', check: () => store.ping() }, ...readiness],
    metricsToken,
    mount: (app) => {
      auth.mount(app);
      mountPatientInformationNotice(app);
    },
  });
  return {
    url,
    listenUrl: `http://${loopbackHost(config.host)}:${port}`,
    logger,
    auth,
    simulator,
    countries: journey.countries,
    store,
    atna,
    close: stopAll,
  };
}

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

/** How this process reaches itself: its own address, or loopback when it listens on every interface. */
function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '' || host === 'localhost') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The Pro Santé Connect stand-in as configured (DEV_IDP_*), with this server's
 * portal registered as its confidential client for `publicOrigin` (the load
 * balancer's URL when several instances share one stand-in: npm run dev-idp).
 */
export function startStandIn(config: Config, logger: Logger, publicOrigin: string): Promise<RunningDevIdp> {
  const urls = portalUrls(publicOrigin);
  const authMethod = config.get('auth.clientAuthMethod') as ClientAuthMethod;
  return startDevIdp({
    host: String(config.get('auth.devIdp.host')),
    port: Number(config.get('auth.devIdp.port')),
    dataDir: config.dataDir,
    practitionersDir: config.get('auth.devIdp.practitionersDir') as string | undefined,
    accessTokenTtlSeconds: Number(config.get('auth.devIdp.accessTokenTtlSeconds')),
    client: {
      clientId: String(config.get('auth.clientId')),
      clientSecret: (config.get('auth.clientSecret') as string | undefined) ?? DEV_CLIENT_SECRET,
      authMethod: authMethod === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
      redirectUris: [urls.callback],
      postLogoutRedirectUris: [urls.loggedOut],
    },
    logger,
  });
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
export async function startAuth(config: Config, logger: Logger, publicOrigin: string, options: { portalAudit?: PortalLoginAudit; apiBase?: string; sessionStore?: WebSessionStore } = {}): Promise<AuthServices> {
  const clientId = String(config.get('auth.clientId'));
  const authMethod = config.get('auth.clientAuthMethod') as ClientAuthMethod;
  let devIdp: RunningDevIdp | undefined;
  let settings: PscSettings;
  if (isEmbeddedPsc(config)) {
    const clientSecret = (config.get('auth.clientSecret') as string | undefined) ?? DEV_CLIENT_SECRET;
    devIdp = await startStandIn(config, logger, publicOrigin);
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
    const allowedClients = (config.get('auth.allowedClients') as string[] | undefined) ?? (devIdp ? [clientId, DEV_EHR_CLIENT_ID, DEV_SMART_CLIENT_ID] : [clientId]);
    const audiences = (config.get('auth.audience') as string[] | undefined) ?? (devIdp ? [STAND_IN_AUDIENCE] : undefined);
    const validator = new BearerTokenValidator(psc, {
      mode: config.get('auth.tokenValidation') === 'jwks' ? 'jwks' : 'introspection',
      allowedClients,
      audiences,
      ...(devIdp ? { issuerHint: 'npm run dev-token names the issuer from DEV_IDP_HOST and DEV_IDP_PORT: give it the values the server runs with' } : {}),
    });
    const portal = createPortal({ psc, publicOrigin, sessionStore: options.sessionStore, apiBase: options.apiBase ?? `${publicOrigin}/fhir`, sessionTtlSeconds: Number(config.get('auth.sessionTtlSeconds')), logger, audit: options.portalAudit });
    const smart = smartConfiguration(meta);
    return {
      issuer: meta.issuer,
      authenticate: pscAuthenticator(validator, logger),
      capability: securityContributor(meta, { cors: corsEnabled(corsPolicyFromConfig(config)) }),
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
