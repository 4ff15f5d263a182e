import { auditedDocumentRef, documentReferenceOf, IMPLEMENTED, requireConsentedPatient, unknownDocument, type Journey } from '../../journey/index.js';
import type { HandlerRegistry } from '../registry.js';

/**
 * GET /fhir/DocumentReference/{id}: one document of the patient (of the
 * summary, original or French; an original clinical document) as the search
 * lists it (so that a searchset's fullUrl and a French document's relatesTo
 * resolve). Same consent rule as $summary.
 */
export function registerDocumentReferenceRead(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'DocumentReference',
    interaction: 'read',
    supportedProfiles: [IMPLEMENTED.mhdMinimalDocumentReference],
    documentation: 'One document of the patient (of the patient summary, original or French; an original clinical document), as the search lists it; needs an active Consent.',
    audit: 'document-reference-read',
    handler: async (ctx, audit, pro) => {
      const ref = auditedDocumentRef('DocumentReference', ctx.id!, audit);
      const consented = await requireConsentedPatient(journey.deps, pro, ref.handle, audit, journey.now());
      const resource = await documentReferenceOf(journey.documents, consented, ref, audit, ctx.baseUrl);
      if (!resource) throw unknownDocument('DocumentReference', ctx.id!);
      return { resource };
    },
  });
}
