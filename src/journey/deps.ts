import type { CountryRegistry } from '../ehdsi/countries/index.js';
import type { EhdsiTransport } from '../ehdsi/soap/transport-config.js';
import type { Logger } from '../logging/logger.js';
import type { FacadeStore } from '../store/index.js';
import type { ConvertPatientSummaryOptions } from '../mapping/index.js';
import type { ProfessionalResolver } from './professional.js';
import type { AuditRecord } from '../audit/index.js';

export interface SummaryCacheOptions {
  /** Most patients whose documents are kept in memory (default 200). */
  maxEntries?: number;
  /** Most bytes of documents kept in memory (default 64 MiB). */
  maxBytes?: number;
}

/** What the FHIR journey needs from the lower layers. */
export interface JourneyDeps {
  store: FacadeStore;
  countries: CountryRegistry;
  /** SOAP client, SAML signing keys, France's home community id, assertion settings. */
  transport: Pick<EhdsiTransport, 'client' | 'keys' | 'homeCommunityId' | 'assertionIssuer' | 'hcpAssertionMinutes' | 'trcAssertionMinutes'>;
  logger: Logger;
  /** Who is calling (default: the principal is, or carries as `professional`, a ProfessionalContext). */
  professionalOf?: ProfessionalResolver;
  summaryCache?: SummaryCacheOptions;
  /** Options of the CDA → IPS conversion (operator's terminology…). */
  conversion?: Pick<ConvertPatientSummaryOptions, 'language' | 'terminologyPath' | 'maxBytes'>;
  /** Told each audit record once stored (the ATNA export); must not block. */
  onAuditRecorded?: (record: AuditRecord) => void;
  /** Clock (tests). */
  now?: () => Date;
}
