import { ConfigError, loadConfigOrExit, type Config } from './config/config.js';
import { createLogger } from './logging/logger.js';
import { stopOnSignals } from './util/stop-on-signals.js';
import { startServices } from './app-services.js';
import { checkPorts, describeListenError, PORT_UNAVAILABLE_EXIT_CODE } from './port-check.js';

async function main(config: Config): Promise<void> {
  // A taken port stops the start at once, naming its setting (also checked by `prestart`, before the build).
  const problems = await checkPorts(config);
  if (problems.length > 0) {
    process.stderr.write(problems.map((p) => `Cannot start: ${p}\n`).join(''));
    process.exit(PORT_UNAVAILABLE_EXIT_CODE);
  }
  const logger = createLogger(config.logLevel);
  const services = await startServices(config, logger);
  logger.info({ fhirBase: `${services.url}/fhir`, portal: `${services.url}/portal`, psc: services.auth.issuer, ehdsiSimulator: services.simulator?.url ?? 'disabled' }, 'FHIR server ready');
  stopOnSignals(logger, 'shutting down', () => services.close());
}

const config = loadConfigOrExit();
main(config).catch((e: unknown) => {
  // A setting found wrong while starting (a file it names, a URL): told as loadConfigOrExit tells a bad value.
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  // A port taken between the check and the start.
  const listen = describeListenError(config, e);
  if (listen) {
    process.stderr.write(`Cannot start: ${listen}\n`);
    process.exit(PORT_UNAVAILABLE_EXIT_CODE);
  }
  console.error('Failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
