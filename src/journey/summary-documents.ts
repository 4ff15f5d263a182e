/**
 * The documents of a patient's summary as MHD serves them: the country's
 * originals (level 3 CDA, level 1 PDF) and, made from the level 3 one, the
 * French PDF and the translated CDA. Ids are opaque to clients but carry the
 * patient's handle (owner-checked in the store before anything is fetched);
 * the id scheme covers the original clinical documents too (original-documents.ts).
 */
import { createHash } from 'node:crypto';
import { EhdsiError } from '../ehdsi/errors/ehdsi-error.js';
import type { OrcdKind } from '../ehdsi/xca-query/orcd.js';
import { FhirError } from '../kernel/errors.js';
import type { DocumentEntry } from '../ehdsi/xca-query/response.js';
import { cdaHeaderFacts, documentReferencesFor, type DocumentKind, type OriginalDocument } from '../mapping/index.js';
import type { JourneyAuditContext } from './audit.js';
import type { CachedDocuments, RetrievedOriginal } from './document-cache.js';
import { entriesOfLevel, pdfOf, type ConsentedPatient, type PatientDocuments } from './patient-documents.js';

/** A document served at Binary/{id}, with what its DocumentReference says. */
export interface ServedDocument extends OriginalDocument {
  id: string;
}

/** A document of the patient summary: its kind and rank among those of its kind. */
export interface SummaryDocumentRef {
  handle: string;
  kind: DocumentKind;
  rank: number;
}

/** An original clinical document: its kind and a digest of its XDS uniqueId. */
export interface OriginalDocumentRef {
  handle: string;
  kind: 'orcd';
  orcd: OrcdKind;
  key: string;
}

export type DocumentRef = SummaryDocumentRef | OriginalDocumentRef;

/** The country has no such original: a warning of the listing, not a failure. */
const ABSENT_ORIGINAL = new Set(['4201', 'XDSMissingDocument']);
const KINDS: readonly DocumentKind[] = ['L3', 'L1', 'fr-L3', 'fr-PDF'];
const TITLES: Partial<Record<DocumentKind, string>> = {
  'fr-PDF': 'Synthèse médicale du patient — traduction française (PDF)',
  'fr-L3': 'Synthèse médicale du patient — CDA avec les désignations françaises',
};

export function documentId(handle: string, kind: DocumentKind, rank = 0): string {
  return `${handle}.${kind}${rank > 0 ? `-${rank}` : ''}`;
}

/** The id segment of each kind of original clinical document. */
const ORCD_ID_KINDS: Readonly<Record<OrcdKind, string>> = { laboratory: 'lab', discharge: 'hdr', 'imaging-report': 'imr', image: 'img' };

/**
 * The id of an original clinical document: `<handle>.<kind>-<12 hex>`, the
 * hex a digest of its XDS uniqueId (stable across consents, not revealing it).
 */
export function originalDocumentId(handle: string, kind: OrcdKind, uniqueId: string): string {
  return `${handle}.${ORCD_ID_KINDS[kind]}-${originalDocumentKey(uniqueId)}`;
}

/** The digest of an XDS uniqueId an original's id ends with. */
export function originalDocumentKey(uniqueId: string): string {
  return createHash('sha256').update(uniqueId).digest('hex').slice(0, 12);
}

/**
 * The document an id names, told to the audit record (patient and document);
 * 404 in French when the id cannot be one of ours (`what`: how the client
 * named it, e.g. "Binary").
 */
export function auditedDocumentRef(what: string, id: string, audit: JourneyAuditContext): DocumentRef {
  const ref = parseDocumentId(id);
  if (!ref) throw unknownDocument(what, id);
  audit.patientHandle = ref.handle;
  audit.documentId = id;
  return ref;
}

export function unknownDocument(what: string, id: string): FhirError {
  return FhirError.notFound(`${what}/${id} n'est pas un document connu (unknown document)`);
}

export function parseDocumentId(id: string): DocumentRef | undefined {
  const orcd = /^([A-Za-z0-9-]{1,50})\.(lab|hdr|imr|img)-([0-9a-f]{12})$/.exec(id);
  if (orcd) {
    const kind = (Object.keys(ORCD_ID_KINDS) as OrcdKind[]).find((k) => ORCD_ID_KINDS[k] === orcd[2]) as OrcdKind;
    return { handle: orcd[1], kind: 'orcd', orcd: kind, key: orcd[3] };
  }
  const m = /^([A-Za-z0-9-]{1,50})\.(L3|L1|fr-L3|fr-PDF)(?:-(\d{1,3}))?$/.exec(id);
  if (!m || !KINDS.includes(m[2] as DocumentKind)) return undefined;
  return { handle: m[1], kind: m[2] as DocumentKind, rank: m[3] ? Number(m[3]) : 0 };
}

/** One original as served: the CDA (level 3) or the PDF it wraps (level 1); a French warning when there is none. */
async function servedOriginal(
  documents: PatientDocuments, p: ConsentedPatient, docs: CachedDocuments, entry: DocumentEntry, rank: number, audit: JourneyAuditContext, baseUrl: string,
): Promise<ServedDocument | string> {
  const level = entry.level as 'L3' | 'L1';
  let original: RetrievedOriginal;
  try {
    original = await documents.original(p, docs, entry, audit);
  } catch (e) {
    if (e instanceof EhdsiError && ABSENT_ORIGINAL.has(e.code)) return `Le pays ne fournit pas le document ${level === 'L1' ? 'PDF' : 'structuré'} (eHDSI ${e.code})`;
    throw e;
  }
  const bytes = level === 'L1' ? pdfOf(original) : original.cda;
  if (!bytes) return 'Le document de niveau 1 envoyé par le pays ne contient pas de PDF';
  const id = documentId(p.patient.handle, level, rank);
  const facts = (original.facts ??= cdaHeaderFacts(original.cda));
  return {
    id,
    entryUuid: entry.entryUuid,
    level,
    bytes,
    url: `${baseUrl}/Binary/${id}`,
    contentType: level === 'L1' ? 'application/pdf' : 'text/xml',
    language: facts.language ?? entry.languageCode,
    created: facts.created,
    uniqueId: entry.uniqueId,
    title: entry.title,
  };
}

/** A French document made from the summary's level 3 original (undefined when the country sent none). */
async function servedTranslation(
  documents: PatientDocuments, p: ConsentedPatient, docs: CachedDocuments, kind: 'fr-L3' | 'fr-PDF', audit: JourneyAuditContext, baseUrl: string,
): Promise<ServedDocument | undefined> {
  const made = kind === 'fr-PDF' ? await documents.frenchPdf(p, docs, audit, baseUrl) : await documents.translatedCda(p, docs, audit);
  if (!made) return undefined;
  const id = documentId(p.patient.handle, kind);
  return {
    id,
    level: kind,
    bytes: made.bytes,
    url: `${baseUrl}/Binary/${id}`,
    contentType: kind === 'fr-PDF' ? 'application/pdf' : 'text/xml',
    language: 'fr-FR',
    created: made.created,
    uniqueId: made.uniqueId,
    title: TITLES[kind],
    transforms: { reference: `DocumentReference/${documentId(p.patient.handle, 'L3')}` },
  };
}

/**
 * Every document of the patient's summary, originals first (retrieved over
 * XCA unless cached), then the French ones when a level 3 original exists;
 * with a French warning for each one the country does not provide.
 */
export async function listSummaryDocuments(
  documents: PatientDocuments, p: ConsentedPatient, audit: JourneyAuditContext, baseUrl: string,
): Promise<{ documents: ServedDocument[]; warnings: string[] }> {
  const docs = await documents.list(p, audit);
  const served: ServedDocument[] = [];
  const warnings: string[] = [];
  for (const level of ['L3', 'L1'] as const) {
    for (const [rank, entry] of entriesOfLevel(docs, level).entries()) {
      const one = await servedOriginal(documents, p, docs, entry, rank, audit, baseUrl);
      if (typeof one === 'string') warnings.push(one);
      else served.push(one);
    }
  }
  // The translations need the level 3 original itself, not only its listing.
  if (served.some((d) => d.level === 'L3' && d.id === documentId(p.patient.handle, 'L3'))) {
    for (const kind of ['fr-PDF', 'fr-L3'] as const) {
      const one = await servedTranslation(documents, p, docs, kind, audit, baseUrl);
      if (one) served.push(one);
    }
  } else if (docs.entries.length) {
    warnings.push('Pas de traduction française : le pays n’a pas envoyé de document structuré (niveau 3), seulement le PDF d’origine');
  }
  return { documents: served, warnings };
}

/** One document as listed (its DocumentReference's facts), fetched or made as needed; undefined when the patient has no such document. */
export async function servedDocument(
  documents: PatientDocuments, p: ConsentedPatient, ref: SummaryDocumentRef, audit: JourneyAuditContext, baseUrl: string,
): Promise<ServedDocument | undefined> {
  const docs = await documents.list(p, audit);
  if (ref.kind === 'fr-L3' || ref.kind === 'fr-PDF') return ref.rank === 0 ? servedTranslation(documents, p, docs, ref.kind, audit, baseUrl) : undefined;
  const entry = entriesOfLevel(docs, ref.kind)[ref.rank];
  const one = entry && (await servedOriginal(documents, p, docs, entry, ref.rank, audit, baseUrl));
  return typeof one === 'object' ? one : undefined;
}

/**
 * The MHD listing of the patient's summary documents (ITI-67): a
 * DocumentReference for each, and a French warning for each one the country
 * does not provide.
 */
export async function summaryDocumentReferences(
  documents: PatientDocuments, p: ConsentedPatient, audit: JourneyAuditContext, baseUrl: string,
): Promise<{ references: fhir4.DocumentReference[]; warnings: string[] }> {
  const listed = await listSummaryDocuments(documents, p, audit, baseUrl);
  return { references: documentReferencesFor({ patient: { reference: `Patient/${p.patient.handle}` }, originals: listed.documents }), warnings: listed.warnings };
}

/** The DocumentReference of one document, as the listing gives it; undefined when the patient has no such document. */
export async function summaryDocumentReference(
  documents: PatientDocuments, p: ConsentedPatient, ref: SummaryDocumentRef, audit: JourneyAuditContext, baseUrl: string,
): Promise<fhir4.DocumentReference | undefined> {
  const document = await servedDocument(documents, p, ref, audit, baseUrl);
  return document && documentReferencesFor({ patient: { reference: `Patient/${ref.handle}` }, originals: [document] })[0];
}

/** The bytes behind one document id: an original's CDA as received, or a French document. */
export type SummaryDocumentBytes = { kind: 'L3'; cda: Buffer } | { kind: 'L1'; cda: Buffer; pdf: Buffer | undefined } | { kind: 'fr-L3'; bytes: Buffer } | { kind: 'fr-PDF'; bytes: Buffer };

/** One document by its reference, fetched or made as needed; undefined when the patient has no such document. */
export async function summaryDocument(
  documents: PatientDocuments, p: ConsentedPatient, ref: SummaryDocumentRef, audit: JourneyAuditContext, baseUrl: string,
): Promise<SummaryDocumentBytes | undefined> {
  const docs = await documents.list(p, audit);
  if (ref.kind === 'fr-L3' || ref.kind === 'fr-PDF') {
    if (ref.rank > 0) return undefined;
    const made = ref.kind === 'fr-PDF' ? await documents.frenchPdf(p, docs, audit, baseUrl) : await documents.translatedCda(p, docs, audit);
    return made && (ref.kind === 'fr-PDF' ? { kind: 'fr-PDF', bytes: made.bytes } : { kind: 'fr-L3', bytes: made.bytes });
  }
  const entry = entriesOfLevel(docs, ref.kind)[ref.rank];
  if (!entry) return undefined;
  const original = await documents.original(p, docs, entry, audit);
  return ref.kind === 'L3' ? { kind: 'L3', cda: original.cda } : { kind: 'L1', cda: original.cda, pdf: pdfOf(original) };
}
