import { IMPLEMENTED, parseDocumentId, requireConsentedPatient, servedDocument, type Journey } from '../../journey/index.js';
import { documentReferencesFor } from '../../mapping/index.js';
import { FhirError } from '../errors.js';
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
        const unknown = FhirError.notFound(`DocumentReference/${ctx.id} n'est pas un document connu (unknown document)`);
        const ref = parseDocumentId(ctx.id!);
        if (!ref) throw unknown;
        audit.patientHandle = ref.handle;
        audit.documentId = ctx.id;
        const consented = await requireConsentedPatient(journey.deps, pro, ref.handle, audit, journey.now());
        const document = await servedDocument(journey.documents, consented, ref, audit, ctx.baseUrl);
        if (!document) throw unknown;
        const [resource] = documentReferencesFor({ patient: { reference: `Patient/${ref.handle}` }, originals: [document] });
        return { resource };
      });
    },
  });
}
