/**
 * The professional's journey over eHDSI, without HTTP: discovery (XCPD),
 * consent (TRC), patient summary and originals (XCA) with their bounded
 * cache, and the audit of every step. The FHIR interactions
 * (src/fhir/interactions/journey.ts) call these services.
 */
import { AuditTrail } from '../audit/index.js';
import { ConsentAssertions } from './assertions.js';
import { JourneyAudit } from './audit.js';
import type { JourneyDeps } from './deps.js';
import { PatientDocuments } from './patient-documents.js';
import { professionalFromPrincipal, type ProfessionalResolver } from './professional.js';

export interface Journey {
  deps: JourneyDeps;
  audit: JourneyAudit;
  assertions: ConsentAssertions;
  documents: PatientDocuments;
  professionalOf: ProfessionalResolver;
  now: () => Date;
}

export function createJourney(deps: JourneyDeps): Journey {
  const now = deps.now ?? (() => new Date());
  const assertions = new ConsentAssertions(deps);
  const professionalOf = deps.professionalOf ?? professionalFromPrincipal;
  return {
    deps,
    audit: new JourneyAudit(new AuditTrail(deps.store, { logger: deps.logger, now, onRecorded: deps.onAuditRecorded }), professionalOf),
    assertions,
    documents: new PatientDocuments(deps, assertions),
    professionalOf,
    now,
  };
}

export type { JourneyDeps, SummaryCacheOptions } from './deps.js';
export { hcpIdentityOf } from './hcp-identity.js';
export { professionalFromPrincipal, auditAgentOf, refusedAgentOf, type ProfessionalResolver } from './professional.js';
export { countriesExpansion, searchMaskQuestionnaire, countriesOfJurisdiction } from './countries.js';
export { discover, checkTraits, patientResource, auditMatches, type DiscoveryQuery, type DiscoveredMatch } from './discovery.js';
export { checkConsent, recordConsent, referencedId, VERIFICATION_KINDS, type AcceptedConsent } from './consent.js';
export { requireConsentedPatient, type ConsentedPatient } from './patient-documents.js';
export {
  auditedDocumentRef, unknownDocument, listSummaryDocuments, servedDocument, summaryDocument, summaryDocumentReference, summaryDocumentReferences,
  documentId, originalDocumentId, parseDocumentId, type ServedDocument, type DocumentRef, type SummaryDocumentRef, type OriginalDocumentRef, type SummaryDocumentBytes,
} from './summary-documents.js';
export { originalDocumentReferences, originalMediaTypes, type ListingNote } from './original-documents.js';
export { patientDocumentReferences, documentReferenceOf, documentBytesOf, type ListingScope, type DocumentBytes } from './document-listing.js';
export { DocumentCache } from './document-cache.js';
export { isPinUrl, pinUrl } from './pin.js';
export { JOURNEY_CANONICALS, IMPLEMENTED, CANONICAL_BASE, SYSTEMS } from './canonical.js';
export { auditablePatient, JourneyAudit } from './audit.js';
export { queryFromSearch, queryFromPatient } from './discovery-query.js';
export { conversionFromConfig, journeyDepsFromConfig, type JourneyParts } from './from-config.js';
export { preloadConversionCatalogues, catalogueSourceSummaries, type CatalogueSourceSummary } from './conversion-startup.js';
