import type { AddressInfo } from 'node:net';
import type { RequestListener, Server } from 'node:http';
import type { Config } from './config/config.js';
import { createLogger, type Logger } from './logging/logger.js';
import { buildRegistry } from './fhir/interactions/index.js';
import { createApp } from './server.js';
import { startAuth, type AuthServices } from './auth/auth-services.js';
import type { CountryRegistry } from './ehdsi/countries/index.js';
import { createEhdsiTransport } from './ehdsi/soap/transport-config.js';
import { conversionFromConfig, journeyDepsFromConfig, preloadConversionCatalogues, type JourneyDeps } from './journey/index.js';
import { openStore, type FacadeStore } from './store/index.js';
import { mountPatientInformationNotice } from './web/pin/index.js';
import { AuditTrail } from './audit/index.js';
import { atnaExporterFromConfig, type AtnaExporter } from './audit/atna/index.js';
import { portalLoginAuditor, requestAuditor } from './journey/refusal-audit.js';
import { isAuthenticatedProfessional } from './auth/professional.js';
import type { FhirRateLimits } from './fhir/throttle.js';
import { FixedWindowLimiter } from './util/rate-limit.js';
import { PORTAL_PATH, type PortalLoginAudit } from './web/portal.js';
import { simulatorEnabled, startConfiguredSimulator } from './simulator/from-config.js';
import type { RunningSimulator } from './simulator/index.js';

export interface RunningServices {
  /** http://host:port of the FHIR server (the FHIR base is `${url}/fhir`). */
  url: string;
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
  // Before anything listens: a wrong mapping.terminologyPath stops the start, and a large
  // catalogue is read here rather than by the first request.
  preloadConversionCatalogues(conversionFromConfig(config), logger);
  const { createServer } = await import('node:http');
  // The server listens first: its URL is the portal's redirect URI at Pro Santé Connect.
  let handler: RequestListener | undefined = undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
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
    // The portal's logins are audited once the store is open (below); none can complete before the app is routed.
    auth = await startAuth(config, logger, url, { portalAudit: (event) => logins.audit?.(event) ?? Promise.resolve() });
    stops.push(() => auth.close());
    if (simulatorEnabled(config)) {
      const sim = await startConfiguredSimulator(config, logger);
      simulator = sim;
      stops.push(() => sim.close());
    }
    const opened = await openStore(config, logger);
    store = opened;
    stops.push(() => opened.close());
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
    readiness: [{ name: 'store', check: () => store.ping() }],
    mount: (app) => {
      auth.mount(app);
      mountPatientInformationNotice(app);
    },
  });
  return {
    url,
    logger,
    auth,
    simulator,
    countries: journey.countries,
    store,
    atna,
    close: stopAll,
  };
}
