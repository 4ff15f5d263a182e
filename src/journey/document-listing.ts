/**
 * A consented patient's documents as MHD serves them, whatever their kind:
 * the patient summary's (the originals and the French documents,
 * summary-documents.ts) and the original clinical documents
 * (original-documents.ts). A listing asks the country only for what its
 * scope needs: no summary query for originals only, no OrCD query for the
 * summary only.
 */
import type { OrcdKind } from '../ehdsi/xca-query/orcd.js';
import type { JourneyAuditContext } from './audit.js';
import { originalDocumentContent, originalDocumentReferenceOf, originalDocumentReferences, type ListingNote } from './original-documents.js';
import type { ConsentedPatient, PatientDocuments } from './patient-documents.js';
import { summaryDocument, summaryDocumentReference, summaryDocumentReferences, type DocumentRef, type SummaryDocumentBytes } from './summary-documents.js';

/** What a listing covers: the patient summary's documents, and which kinds of original clinical documents. */
export interface ListingScope {
  summary: boolean;
  originals: readonly OrcdKind[];
}

/** The patient summary's documents first, then the originals; with the notes of both. */
export async function patientDocumentReferences(
  documents: PatientDocuments, p: ConsentedPatient, scope: ListingScope, audit: JourneyAuditContext, baseUrl: string,
): Promise<{ references: fhir4.DocumentReference[]; notes: ListingNote[] }> {
  const [summary, originals] = await Promise.all([
    scope.summary ? summaryDocumentReferences(documents, p, audit, baseUrl) : undefined,
    scope.originals.length ? originalDocumentReferences(documents, p, scope.originals, audit, baseUrl) : undefined,
  ]);
  return {
    references: [...(summary?.references ?? []), ...(originals?.references ?? [])],
    notes: [...(summary?.warnings ?? []).map((text): ListingNote => ({ severity: 'warning', text })), ...(originals?.notes ?? [])],
  };
}

/** The DocumentReference of one document, as the listing gives it; undefined when the patient has no such document. */
export function documentReferenceOf(
  documents: PatientDocuments, p: ConsentedPatient, ref: DocumentRef, audit: JourneyAuditContext, baseUrl: string,
): Promise<fhir4.DocumentReference | undefined> {
  return ref.kind === 'orcd' ? originalDocumentReferenceOf(documents, p, ref, audit, baseUrl) : summaryDocumentReference(documents, p, ref, audit, baseUrl);
}

/** The bytes behind a document id: those of a summary document, or an original clinical document (the file and its CDA wrapper). */
export type DocumentBytes = SummaryDocumentBytes | { kind: 'orcd'; mediaType: string; data: Buffer; cda: Buffer };

/** One document by its id, fetched or made as needed; undefined when the patient has no such document. */
export async function documentBytesOf(
  documents: PatientDocuments, p: ConsentedPatient, ref: DocumentRef, audit: JourneyAuditContext, baseUrl: string,
): Promise<DocumentBytes | undefined> {
  if (ref.kind !== 'orcd') return summaryDocument(documents, p, ref, audit, baseUrl);
  const found = await originalDocumentContent(documents, p, ref, audit);
  return found && { kind: 'orcd', mediaType: found.mediaType, data: found.data, cda: found.cda };
}
