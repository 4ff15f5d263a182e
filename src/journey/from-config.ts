import type { Config } from '../config/config.js';
import { countryRegistryFromConfig } from '../ehdsi/countries/index.js';
import { createEhdsiTransport, type EhdsiTransport } from '../ehdsi/soap/transport-config.js';
import type { Logger } from '../logging/logger.js';
import type { FacadeStore } from '../store/index.js';
import type { JourneyDeps } from './deps.js';

export interface JourneyParts {
  store: FacadeStore;
  logger: Logger;
  /** URL of the embedded simulator when it runs (countries point at it unless ehdsi.countriesFile says otherwise). */
  simulatorBaseUrl?: string;
  /** An already created transport (its signing certificate is the one the simulator must trust). */
  transport?: EhdsiTransport;
}

/** The options of the CDA → IPS conversion from the configuration (mapping.*). */
export function conversionFromConfig(config: Pick<Config, 'get'>): NonNullable<JourneyDeps['conversion']> {
  const str = (key: string): string | undefined => {
    const v = config.get(key);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const num = (key: string): number | undefined => {
    const v = config.get(key);
    return typeof v === 'number' ? v : undefined;
  };
  return {
    ...(str('mapping.language') ? { language: str('mapping.language') } : {}),
    ...(str('mapping.terminologyPath') ? { terminologyPath: str('mapping.terminologyPath') } : {}),
    ...(num('mapping.maxDocumentBytes') ? { maxBytes: num('mapping.maxDocumentBytes') } : {}),
  };
}

/** The journey's dependencies from the configuration (ehdsi.*, mapping.*) and the services already started. */
export function journeyDepsFromConfig(config: Config, parts: JourneyParts): JourneyDeps {
  return {
    store: parts.store,
    logger: parts.logger,
    countries: countryRegistryFromConfig(config, parts.simulatorBaseUrl),
    transport: parts.transport ?? createEhdsiTransport(config, parts.logger),
    conversion: conversionFromConfig(config),
  };
}
