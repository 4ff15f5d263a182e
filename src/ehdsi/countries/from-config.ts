import type { Config } from '../../config/config.js';
import { loadCountryRegistry, type CountryRegistry } from './registry.js';

/**
 * The registry as configured: the operator's countries file (ehdsi.countriesFile)
 * and, for countries left on the simulator, the simulator's address. Pass the
 * simulator's real base URL when it listens on a port chosen at start (port 0).
 */
export function countryRegistryFromConfig(config: Pick<Config, 'get'>, simulatorBaseUrl?: string): CountryRegistry {
  const countriesFile = config.get('ehdsi.countriesFile');
  const host = String(config.get('simulator.host') ?? '127.0.0.1');
  const port = config.get('simulator.port');
  const base = simulatorBaseUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${typeof port === 'number' ? port : 8090}`;
  return loadCountryRegistry({ simulatorBaseUrl: base, countriesFile: typeof countriesFile === 'string' ? countriesFile : undefined });
}
