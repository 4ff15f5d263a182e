import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Config } from './config/config.js';
import { createLogger, type Logger } from './logging/logger.js';
import { buildRegistry } from './fhir/interactions/index.js';
import { createApp } from './server.js';

export interface RunningServices {
  /** http://host:port of the FHIR server (the FHIR base is `${url}/fhir`). */
  url: string;
  logger: Logger;
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
  const registry = buildRegistry();
  const app = createApp({
    registry,
    logger,
    maxBodyBytes: config.fhir.maxBodyBytes,
    publicBaseUrl: config.publicBaseUrl,
  });
  const { createServer } = await import('node:http');
  const server = createServer(app);
  // Slow or stalled clients must not hold sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const port = await listen(server, config.port, config.host);
  const url = config.publicBaseUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return {
    url,
    logger,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
