/**
 * Starts the eHDSI network simulator alone, on the configured loopback port
 * (SIMULATOR_HOST / SIMULATOR_PORT, default 127.0.0.1:8090), until Ctrl-C:
 *
 *   npm run simulator
 *   SIMULATOR_PORT=9000 npm run simulator
 *
 * Faults for manual tests: curl -X POST -H 'Content-Type: application/json'
 *   -d '{"country":"HR","transaction":"xcpd","fault":"delay","delayMs":10000}' localhost:8090/_control/faults
 */
import { loadConfigOrExit } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { stopOnSignals } from '../util/stop-on-signals.js';
import { startConfiguredSimulator } from '../simulator/from-config.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const simulator = await startConfiguredSimulator(config, logger);
  process.stdout.write(
    `eHDSI network simulator at ${simulator.url}\n` +
      simulator.countries.map((c) => `  ${c.code}  ${simulator.endpoints(c.code).xcpd}  ${simulator.endpoints(c.code).xca}`).join('\n') +
      `\nfaults: POST ${simulator.url}/_control/faults   requests: GET ${simulator.url}/_control/requests\n`,
  );
  stopOnSignals(logger, 'simulator shutting down', () => simulator.close());
}

main().catch((e: unknown) => {
  console.error('Simulator failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
