import { auditedDocumentRef, IMPLEMENTED, requireConsentedPatient, servedDocument, unknownDocument, type Journey } from '../../journey/index.js';
import { documentReferencesFor } from '../../mapping/index.js';
import type { HandlerRegistry } from '../registry.js';

/**
 * GET /fhir/DocumentReference/{id}: one document of the patient summary as
 * the search lists it (so that a searchset's fullUrl and a French document's
 * relatesTo resolve). Same consent rule as $summary.
 */
export function registerDocumentReferenceRead(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'DocumentReference',
    interaction: 'read',
    supportedProfiles: [IMPLEMENTED.mhdMinimalDocumentReference],
    documentation: 'One document of the patient summary (original or French), as the search lists it; needs an active Consent.',
    handler: async (ctx) => {
      const pro = journey.professionalOf(ctx);
      return journey.audit.run(ctx, pro, 'document-reference-read', async (audit) => {
        const ref = auditedDocumentRef('DocumentReference', ctx.id!, audit);
        const consented = await requireConsentedPatient(journey.deps, pro, ref.handle, audit, journey.now());
        const document = await servedDocument(journey.documents, consented, ref, audit, ctx.baseUrl);
        if (!document) throw unknownDocument('DocumentReference', ctx.id!);
        const [resource] = documentReferencesFor({ patient: { reference: `Patient/${ref.handle}` }, originals: [document] });
        return { resource };
      });
    },
  });
}
