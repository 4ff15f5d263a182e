import { createJourney, type Journey, type JourneyDeps } from '../../journey/index.js';
import { projectPath } from '../../util/project.js';
import { ConformanceResources } from '../conformance-resources.js';
import type { HandlerRegistry } from '../registry.js';
import { registerAuditEventRead } from './audit-event-read.js';
import { registerAuditEventSearch } from './audit-event-search.js';
import { registerBinaryRead } from './binary-read.js';
import { registerConformanceReads } from './conformance-read.js';
import { registerConsentCreate } from './consent-create.js';
import { registerConsentRead } from './consent-read.js';
import { registerConsentSearch } from './consent-search.js';
import { registerDocumentReferenceRead } from './document-reference-read.js';
import { registerDocumentReferenceSearch } from './document-reference-search.js';
import { registerPatientMatch } from './patient-match.js';
import { registerPatientRead } from './patient-read.js';
import { registerPatientSearch } from './patient-search.js';
import { registerPatientSummary } from './patient-summary.js';
import { registerQuestionnaireRead } from './questionnaire-read.js';
import { registerQuestionnaireSearch } from './questionnaire-search.js';
import { registerTerminology } from './terminology.js';

export type { JourneyDeps };

/**
 * Registers the professional's journey (issue 6): countries and search masks,
 * patient discovery (PDQm → XCPD), consent (→ TRC), IPS $summary and MHD
 * originals (→ XCA), audit events; the terminology operations ($expand,
 * $lookup); and the OperationDefinitions and
 * SearchParameters of conformance/ they point to (when not already served).
 * Returns the journey services (cache, assertions) for tests and operators.
 */
export function registerJourney(registry: HandlerRegistry, deps: JourneyDeps & { conformance?: ConformanceResources }): Journey {
  const journey = createJourney(deps);
  registry.auditWith(journey.audit);
  const conformance = deps.conformance ?? ConformanceResources.load(projectPath('conformance'));
  // Published ValueSets are served by the terminology's ValueSet read, search and $expand.
  registerTerminology(registry, journey, conformance.list('ValueSet') as fhir4.ValueSet[]);
  registerQuestionnaireSearch(registry, journey, conformance);
  registerQuestionnaireRead(registry, journey);
  registerPatientSearch(registry, journey, conformance);
  registerPatientMatch(registry, journey);
  registerPatientRead(registry, journey);
  registerConsentCreate(registry, journey);
  registerConsentRead(registry, journey);
  registerConsentSearch(registry, journey, conformance);
  registerPatientSummary(registry, journey);
  registerDocumentReferenceSearch(registry, journey, conformance);
  registerDocumentReferenceRead(registry, journey);
  registerBinaryRead(registry, journey);
  registerAuditEventSearch(registry, journey, conformance);
  registerAuditEventRead(registry, journey);
  registerConformanceReads(registry, conformance);
  return journey;
}
