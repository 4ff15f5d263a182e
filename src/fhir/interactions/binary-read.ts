import { parseDocumentId, requireConsentedPatient, summaryDocument, type Journey } from '../../journey/index.js';
import { pdfOfLevel1 } from '../../mapping/index.js';
import { negotiate, parseAccept } from '../content.js';
import { FhirError } from '../errors.js';
import type { HandlerRegistry } from '../registry.js';

const PRODUCES = ['application/pdf', 'application/xml', 'text/xml'];

/** What the client asked for: FHIR (a Binary resource), a raw media type, or the document's own type. */
function wanted(ctx: Parameters<Parameters<HandlerRegistry['register']>[0]['handler']>[0]): 'fhir' | 'natural' | string {
  const negotiated = negotiate(ctx.req, PRODUCES);
  if (negotiated.raw === undefined) return 'fhir';
  const accept = parseAccept(ctx.req.headers.accept);
  const explicitFormat = typeof ctx.req.query._format === 'string';
  if (!explicitFormat && (accept.length === 0 || accept.every((a) => a.type === '*/*'))) return 'natural';
  return negotiated.raw;
}

const UNKNOWN = (id: string | undefined): FhirError => FhirError.notFound(`Binary/${id} n'est pas un document connu (unknown document)`);

/**
 * GET /fhir/Binary/{id} (MHD ITI-68) → XCA ITI-39: a document of the patient
 * summary. Level 1: the PDF (Accept: application/pdf, the default) or the
 * CDA wrapping it (application/xml); level 3: the CDA; the French PDF; the
 * translated CDA (made on demand, then cached with the summary). A FHIR
 * Accept gets a Binary resource. Same consent rule as $summary.
 */
export function registerBinaryRead(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Binary',
    interaction: 'read',
    produces: PRODUCES,
    documentation: 'A document of the patient summary: the original level 1 PDF (or its CDA wrapper) and level 3 CDA, the French PDF, the CDA with French designations; application/pdf, application/xml or text/xml, or a FHIR Binary resource. Needs an active Consent.',
    handler: async (ctx) => {
      const pro = journey.professionalOf(ctx);
      return journey.audit.run(ctx, pro, 'document-read', async (audit) => {
        const ref = parseDocumentId(ctx.id!);
        if (!ref) throw UNKNOWN(ctx.id);
        audit.patientHandle = ref.handle;
        const mode = wanted(ctx);
        const consented = await requireConsentedPatient(journey.deps, pro, ref.handle, audit, journey.now());
        const found = await summaryDocument(journey.documents, consented, ref, audit, ctx.baseUrl);
        if (!found) throw UNKNOWN(ctx.id);
        if (found.kind === 'fr-PDF') {
          if (mode === 'application/xml' || mode === 'text/xml') throw new FhirError(406, { code: 'not-supported', diagnostics: 'La synthèse traduite en PDF n’existe qu’en application/pdf ; le CDA traduit est un autre document (the French PDF is only application/pdf)' });
          return { binary: { contentType: 'application/pdf', data: found.bytes } };
        }
        if (found.kind === 'fr-L3' || found.kind === 'L3') {
          if (mode === 'application/pdf') throw new FhirError(406, { code: 'not-supported', diagnostics: 'The structured (level 3) document is a CDA: ask for application/xml or text/xml; the PDFs are other documents' });
          const data = found.kind === 'L3' ? found.cda : found.bytes;
          // The translated CDA is served as eHDSI and XCA type CDA documents; the original keeps the project's historical default.
          const natural = found.kind === 'L3' ? 'application/xml' : 'text/xml';
          return { binary: { contentType: mode === 'text/xml' || mode === 'application/xml' ? mode : natural, data } };
        }
        if (mode === 'application/xml' || mode === 'text/xml') return { binary: { contentType: mode, data: found.cda } };
        const pdf = pdfOfLevel1(found.cda);
        if (!pdf) throw FhirError.notFound('Le document de niveau 1 envoyé par le pays ne contient pas de PDF');
        return { binary: { contentType: 'application/pdf', data: pdf } };
      });
    },
  });
}
