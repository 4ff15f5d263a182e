import {
  auditedDocumentRef, documentBytesOf, originalMediaTypes, requireConsentedPatient, unknownDocument, type DocumentBytes, type DocumentRef, type Journey,
} from '../../journey/index.js';
import { parseAccept } from '../content.js';
import { FhirError } from '../../kernel/errors.js';
import type { FhirContext, HandlerRegistry } from '../registry.js';

const CDA_TYPES = ['text/xml', 'application/xml'];
/** What each summary document can be served as, its natural type first (CDA documents as eHDSI and XCA type them). */
const OFFERED: Record<Exclude<DocumentRef['kind'], 'orcd'>, string[]> = {
  L1: ['application/pdf', ...CDA_TYPES],
  L3: CDA_TYPES,
  'fr-L3': CDA_TYPES,
  'fr-PDF': ['application/pdf'],
};
const PRODUCES = ['application/pdf', 'text/xml', 'application/xml', 'image/png', 'image/jpeg'];
const EXTENSION: Record<string, string> = { 'application/pdf': 'pdf', 'text/xml': 'xml', 'application/xml': 'xml', 'image/png': 'png', 'image/jpeg': 'jpg' };

const FHIR_TYPES = new Set(['application/fhir+json', 'application/fhir+xml', 'application/json', 'application/json+fhir', 'application/xml+fhir']);

/**
 * What a document can be served as before it is fetched: a summary document
 * by its kind; an original clinical document as the media types of its kind
 * (the one it has is known once listed), or as its CDA wrapper.
 */
function offeredFor(ref: DocumentRef): string[] {
  return ref.kind === 'orcd' ? [...originalMediaTypes(ref.orcd), ...CDA_TYPES] : OFFERED[ref.kind];
}

/**
 * What to answer with, among the types this document offers, in the order of
 * the client's preferences: its own type (raw), or a FHIR Binary resource for
 * an explicit FHIR type. A wildcard or no Accept is the document's natural
 * type; application/xml and text/xml name a CDA when the document is one, and
 * are passed over for a PDF (they would be FHIR XML or a browser's habit).
 * 406 when nothing acceptable is offered: before anything is fetched, and for
 * an original image once its own type is known.
 */
function mediaType(ctx: FhirContext, offered: string[]): { raw: string } | { fhir: true } {
  const format = typeof ctx.req.query._format === 'string' ? ctx.req.query._format.trim().toLowerCase() : undefined;
  if (format !== undefined) return offered.includes(format) ? { raw: format } : { fhir: true };
  const accept = parseAccept(ctx.req.headers.accept);
  if (!accept.length) return { raw: offered[0] };
  for (const { type } of accept) {
    if (offered.includes(type)) return { raw: type };
    if (type === '*/*') return { raw: offered[0] };
    const family = offered.find((o) => type === `${o.split('/')[0]}/*`);
    if (family) return { raw: family };
    if (FHIR_TYPES.has(type)) return { fhir: true };
  }
  throw new FhirError(406, {
    code: 'not-supported',
    diagnostics: `Ce document n’existe qu’en ${offered.join(', ')} ou comme ressource FHIR Binary (this document is only ${offered.join(', ')} or a FHIR Binary resource)`,
  });
}

/** The bytes to send as `contentType`: the file or its CDA wrapper. */
function bytesAs(found: DocumentBytes, contentType: string): Buffer {
  if (found.kind === 'orcd') return CDA_TYPES.includes(contentType) ? found.cda : found.data;
  if (found.kind === 'L1' && contentType === 'application/pdf') {
    if (!found.pdf) throw FhirError.notFound('Le document de niveau 1 envoyé par le pays ne contient pas de PDF (no PDF in the level 1 document)');
    return found.pdf;
  }
  return found.kind === 'L1' || found.kind === 'L3' ? found.cda : found.bytes;
}

/**
 * GET /fhir/Binary/{id} (MHD ITI-68) → XCA ITI-39: a document of the patient.
 * Of the summary: level 1, the PDF (the default) or the CDA wrapping it (XML);
 * level 3, the CDA; the French PDF; the translated CDA (made on demand, then
 * cached with the summary). An original clinical document: the PDF or image
 * it carries (its size and SHA-1 checked against the registry, its type
 * against its signature), or the CDA wrapping it. A FHIR Accept gets a Binary
 * resource. Same consent rule as $summary.
 */
export function registerBinaryRead(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Binary',
    interaction: 'read',
    produces: PRODUCES,
    documentation: 'A document of the patient: of the summary, the original level 1 PDF (or, asked as XML, its CDA wrapper) and level 3 CDA, the French PDF, the CDA with French designations; an original clinical document, the PDF, PNG or JPEG it carries (or, asked as XML, its CDA wrapper). application/pdf, image/png, image/jpeg, text/xml or application/xml, or a FHIR Binary resource. Needs an active Consent.',
    audit: 'document-read',
    handler: async (ctx, audit, pro) => {
      const ref = auditedDocumentRef('Binary', ctx.id!, audit);
      let type = mediaType(ctx, offeredFor(ref));
      const consented = await requireConsentedPatient(journey.deps, pro, ref.handle, audit, journey.now());
      const found = await documentBytesOf(journey.documents, consented, ref, audit, ctx.baseUrl);
      if (!found) throw unknownDocument('Binary', ctx.id!);
      // An original's own type is known now: the choice is made again among what it really is.
      const offered = found.kind === 'orcd' ? [found.mediaType, ...CDA_TYPES] : offeredFor(ref);
      if (found.kind === 'orcd') type = mediaType(ctx, offered);
      const contentType = 'raw' in type ? type.raw : offered[0];
      const data = bytesAs(found, contentType);
      if (!('raw' in type)) return { binary: { contentType, data, asResource: true } };
      // A browser saves it under a useful name.
      return { binary: { contentType, data, asResource: false }, headers: { 'Content-Disposition': `inline; filename="${ctx.id}.${EXTENSION[contentType]}"` } };
    },
  });
}
