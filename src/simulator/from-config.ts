/**
 * The simulator as the configuration describes it (src/config/settings/simulator.ts):
 * what `npm start` and `npm run simulator` both start. It trusts the facade's
 * own SAML signing certificate (the same ehdsi.signing.* settings, or the
 * development key generated in DATA_DIR) and simulates every country of the
 * registry that still points at the simulator.
 */
import type { Config } from '../config/config.js';
import { countryRegistryFromConfig, type Country } from '../ehdsi/countries/index.js';
import { loadOrCreateSigningKeys } from '../ehdsi/saml/keys.js';
import type { Logger } from '../logging/logger.js';
import { startSimulator, type RunningSimulator } from './index.js';

export interface ConfiguredSimulatorOverrides {
  /** Countries to simulate; default: the registry's countries whose endpoints are the simulator's. */
  countries?: ReadonlyArray<Pick<Country, 'code' | 'homeCommunityId'>>;
  /** Certificates trusted for assertions; default: the facade's signing certificate. */
  trustedCertificatesPem?: readonly string[];
}

export function simulatorEnabled(config: Config): boolean {
  return config.get('simulator.enabled') !== false;
}

export async function startConfiguredSimulator(config: Config, logger: Logger, overrides: ConfiguredSimulatorOverrides = {}): Promise<RunningSimulator> {
  const str = (key: string): string | undefined => config.get(key) as string | undefined;
  const trusted =
    overrides.trustedCertificatesPem ?? [loadOrCreateSigningKeys({ dataDir: config.dataDir, keyFile: str('ehdsi.signing.keyFile'), certFile: str('ehdsi.signing.certFile') }).certificatePem];
  const countries = overrides.countries ?? countryRegistryFromConfig(config).list().filter((c) => c.simulated);
  return startSimulator({
    host: str('simulator.host'),
    port: config.get('simulator.port') as number | undefined,
    patientsDir: str('simulator.patientsDir'),
    countries,
    trustedCertificatesPem: trusted,
    logger,
  });
}
