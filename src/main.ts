import { ConfigError, loadConfigOrExit } from './config/config.js';
import { createLogger } from './logging/logger.js';
import { startServices } from './app-services.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const services = await startServices(config, logger);
  logger.info({ fhirBase: `${services.url}/fhir`, portal: `${services.url}/portal`, psc: services.auth.issuer, ehdsiSimulator: services.simulator?.url ?? 'disabled' }, 'FHIR server ready');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  // A setting found wrong while starting (a file it names, a URL): told as loadConfigOrExit tells a bad value.
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  console.error('Failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
