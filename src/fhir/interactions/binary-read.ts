import { auditedDocumentRef, requireConsentedPatient, summaryDocument, unknownDocument, type DocumentRef, type Journey } from '../../journey/index.js';
import { parseAccept } from '../content.js';
import { FhirError } from '../../kernel/errors.js';
import type { FhirContext, HandlerRegistry } from '../registry.js';

/** What each document can be served as, its natural type first (CDA documents as eHDSI and XCA type them). */
const OFFERED: Record<DocumentRef['kind'], string[]> = {
  L1: ['application/pdf', 'text/xml', 'application/xml'],
  L3: ['text/xml', 'application/xml'],
  'fr-L3': ['text/xml', 'application/xml'],
  'fr-PDF': ['application/pdf'],
};
const PRODUCES = ['application/pdf', 'text/xml', 'application/xml'];
const EXTENSION: Record<string, string> = { 'application/pdf': 'pdf', 'text/xml': 'xml', 'application/xml': 'xml' };

const FHIR_TYPES = new Set(['application/fhir+json', 'application/fhir+xml', 'application/json', 'application/json+fhir', 'application/xml+fhir']);

/**
 * What to answer with, among the types this document offers, in the order of
 * the client's preferences: its own type (raw), or a FHIR Binary resource for
 * an explicit FHIR type. A wildcard or no Accept is the document's natural
 * type; application/xml and text/xml name a CDA when the document is one, and
 * are passed over for a PDF (they would be FHIR XML or a browser's habit).
 * 406 before anything is fetched when nothing acceptable is offered.
 */
function mediaType(ctx: FhirContext, offered: string[]): { raw: string } | { fhir: true } {
  const format = typeof ctx.req.query._format === 'string' ? ctx.req.query._format.trim().toLowerCase() : undefined;
  if (format !== undefined) return offered.includes(format) ? { raw: format } : { fhir: true };
  const accept = parseAccept(ctx.req.headers.accept);
  if (!accept.length) return { raw: offered[0] };
  for (const { type } of accept) {
    if (offered.includes(type)) return { raw: type };
    if (type === '*/*' || type === `${offered[0].split('/')[0]}/*`) return { raw: offered[0] };
    if (FHIR_TYPES.has(type)) return { fhir: true };
  }
  throw new FhirError(406, {
    code: 'not-supported',
    diagnostics: `Ce document n’existe qu’en ${offered.join(', ')} ou comme ressource FHIR Binary (this document is only ${offered.join(', ')} or a FHIR Binary resource)`,
  });
}

/**
 * GET /fhir/Binary/{id} (MHD ITI-68) → XCA ITI-39: a document of the patient
 * summary. Level 1: the PDF (the default) or the CDA wrapping it (XML);
 * level 3: the CDA; the French PDF; the translated CDA (made on demand, then
 * cached with the summary). A FHIR Accept gets a Binary resource. Same
 * consent rule as $summary.
 */
export function registerBinaryRead(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Binary',
    interaction: 'read',
    produces: PRODUCES,
    documentation: 'A document of the patient summary: the original level 1 PDF (or, asked as XML, its CDA wrapper) and level 3 CDA, the French PDF, the CDA with French designations; application/pdf, text/xml or application/xml, or a FHIR Binary resource. Needs an active Consent.',
    audit: 'document-read',
    handler: async (ctx, audit, pro) => {
      const ref = auditedDocumentRef('Binary', ctx.id!, audit);
      const type = mediaType(ctx, OFFERED[ref.kind]);
      const consented = await requireConsentedPatient(journey.deps, pro, ref.handle, audit, journey.now());
      const found = await summaryDocument(journey.documents, consented, ref, audit, ctx.baseUrl);
      if (!found) throw unknownDocument('Binary', ctx.id!);
      let data: Buffer;
      const contentType = 'raw' in type ? type.raw : OFFERED[ref.kind][0];
      if (found.kind === 'L1' && contentType === 'application/pdf') {
        const pdf = found.pdf;
        if (!pdf) throw FhirError.notFound('Le document de niveau 1 envoyé par le pays ne contient pas de PDF (no PDF in the level 1 document)');
        data = pdf;
      } else {
        data = found.kind === 'L1' || found.kind === 'L3' ? found.cda : found.bytes;
      }
      // A browser saves it under a useful name.
      if (!('raw' in type)) return { binary: { contentType, data, asResource: true } };
      return { binary: { contentType, data, asResource: false }, headers: { 'Content-Disposition': `inline; filename="${ctx.id}.${EXTENSION[contentType]}"` } };
    },
  });
}
