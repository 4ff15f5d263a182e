import type { AddressInfo } from 'node:net';
import type { RequestListener, Server } from 'node:http';
import type { Config } from './config/config.js';
import { createLogger, type Logger } from './logging/logger.js';
import { buildRegistry } from './fhir/interactions/index.js';
import { createApp } from './server.js';
import { startAuth, type AuthServices } from './auth/auth-services.js';
import { countryRegistryFromConfig, type CountryRegistry } from './ehdsi/countries/index.js';
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
  close: () => Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the FHIR server and the embedded services the configuration asks for. */
export async function startServices(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServices> {
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
  let auth: AuthServices;
  let simulator: RunningSimulator | undefined;
  try {
    auth = await startAuth(config, logger, url);
  } catch (e) {
    await closeServer();
    throw e;
  }
  try {
    if (simulatorEnabled(config)) simulator = await startConfiguredSimulator(config, logger);
  } catch (e) {
    await closeServer();
    await auth.close();
    throw e;
  }
  const countries = countryRegistryFromConfig(config, simulator?.url);
  const registry = buildRegistry({ security: auth.capability });
  handler = createApp({
    registry,
    logger,
    maxBodyBytes: config.fhir.maxBodyBytes,
    publicBaseUrl: config.publicBaseUrl,
    authenticate: auth.authenticate,
    mount: auth.mount,
  });
  return {
    url,
    logger,
    auth,
    simulator,
    countries,
    close: async () => {
      await closeServer();
      await simulator?.close();
      await auth.close();
    },
  };
}
