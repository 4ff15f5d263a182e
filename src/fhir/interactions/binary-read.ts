import { entriesOfLevel, parseOriginalId, requireConsentedPatient, type Journey } from '../../journey/index.js';
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

/**
 * GET /fhir/Binary/{id} (MHD ITI-68) → XCA ITI-39: an original of the
 * patient summary. Level 1: the PDF (Accept: application/pdf, the default)
 * or the CDA wrapping it (application/xml); level 3: the CDA. A FHIR Accept
 * gets a Binary resource. Same consent rule as $summary.
 */
export function registerBinaryRead(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Binary',
    interaction: 'read',
    produces: PRODUCES,
    documentation: 'An original of the patient summary: application/pdf (level 1), application/xml (the CDA), or a FHIR Binary resource. Needs an active Consent.',
    handler: async (ctx) => {
      const pro = journey.professionalOf(ctx);
      return journey.audit.run(ctx, pro, 'document-read', async (audit) => {
        const ref = parseOriginalId(ctx.id!);
        if (!ref) throw FhirError.notFound(`Binary/${ctx.id} n'est pas un document connu (unknown document)`);
        audit.patientHandle = ref.handle;
        const mode = wanted(ctx);
        const consented = await requireConsentedPatient(journey.deps, pro, ref.handle, audit, journey.now());
        const docs = await journey.documents.list(consented, audit);
        const entry = entriesOfLevel(docs, ref.level)[ref.rank];
        if (!entry) throw FhirError.notFound(`Binary/${ctx.id} n'est pas un document connu (unknown document)`);
        const { cda } = await journey.documents.original(consented, docs, entry, audit);
        const asCda = { contentType: 'application/xml', data: cda };
        if (ref.level === 'L3') {
          if (mode === 'application/pdf') throw new FhirError(406, { code: 'not-supported', diagnostics: 'The structured (level 3) document is a CDA: ask for application/xml; the PDF is the level 1 document' });
          return { binary: mode === 'text/xml' ? { ...asCda, contentType: 'text/xml' } : asCda };
        }
        if (mode === 'application/xml' || mode === 'text/xml') return { binary: { ...asCda, contentType: mode } };
        const pdf = pdfOfLevel1(cda);
        if (!pdf) throw FhirError.notFound('Le document de niveau 1 envoyé par le pays ne contient pas de PDF');
        return { binary: { contentType: 'application/pdf', data: pdf } };
      });
    },
  });
}
