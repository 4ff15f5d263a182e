/**
 * The original clinical documents (OrCD) of a consented patient as MHD serves
 * them: listed kind by kind from the registry's metadata (ITI-38, no document
 * fetched), each one retrieved only when its Binary is read (ITI-39, checked
 * and unwrapped). docs/references.md#original-clinical-documents-orcd
 */
import { ORCD_KINDS, orcdKind, orcdMediaType, type OrcdKind, type OrcdKindDef } from '../ehdsi/xca-query/orcd.js';
import type { DocumentEntry } from '../ehdsi/xca-query/response.js';
import { isVerifiable } from '../ehdsi/xca-retrieve/integrity.js';
import type { RetrievedOriginalDocument } from '../ehdsi/xca-retrieve/orcd.js';
import { ORIGINAL_DOCUMENT_KINDS_FR, originalDocumentReference } from '../mapping/index.js';
import type { JourneyAuditContext } from './audit.js';
import type { ConsentedPatient, PatientDocuments } from './patient-documents.js';
import { originalDocumentId, originalDocumentKey, type OriginalDocumentRef } from './summary-documents.js';

/** A note of the listing, in French, for the professional. */
export interface ListingNote {
  severity: 'information' | 'warning';
  text: string;
}

const nameOf = (def: OrcdKindDef): string => (ORIGINAL_DOCUMENT_KINDS_FR[def.classCode] ?? def.display).toLocaleLowerCase('fr');

/**
 * Why an entry is not served (undefined when it is): its format must be an
 * OrCD one allowed for its kind, and the registry must give the size and
 * SHA-1 its bytes will be checked against.
 */
function refusal(entry: DocumentEntry, def: OrcdKindDef): string | undefined {
  const mediaType = orcdMediaType(entry.formatCode);
  if (!mediaType || !def.formats.some((f) => f === entry.formatCode)) return `au format ${entry.formatCode ?? 'non précisé'}, qui n’est pas un format autorisé pour ce type`;
  if (!isVerifiable(entry)) return 'sans taille ni empreinte SHA-1 permettant de vérifier son contenu';
  return undefined;
}

function reference(p: ConsentedPatient, def: OrcdKindDef, entry: DocumentEntry, baseUrl: string): fhir4.DocumentReference {
  const id = originalDocumentId(p.patient.handle, def.kind, entry.uniqueId);
  return originalDocumentReference({
    id,
    url: `${baseUrl}/Binary/${id}`,
    subject: { reference: `Patient/${p.patient.handle}` },
    classCode: def.classCode,
    classDisplay: def.display,
    typeCode: entry.typeCode,
    formatCode: entry.formatCode as string,
    mediaType: orcdMediaType(entry.formatCode) as string,
    wrapper: { size: entry.size, sha1: entry.hash },
    creationTime: entry.creationTime,
    serviceStartTime: entry.serviceStartTime,
    serviceStopTime: entry.serviceStopTime,
    language: entry.languageCode,
    title: entry.title,
    authors: entry.authors,
    uniqueId: entry.uniqueId,
    entryUuid: entry.entryUuid,
  });
}

/**
 * The DocumentReferences of the patient's original clinical documents of
 * these kinds (one ITI-38 per kind, unless cached), in the kinds' order then
 * the country's; with a note for the kinds the country does not offer and a
 * warning for each document it lists but that cannot be served.
 */
export async function originalDocumentReferences(
  documents: PatientDocuments, p: ConsentedPatient, kinds: readonly OrcdKind[], audit: JourneyAuditContext, baseUrl: string,
): Promise<{ references: fhir4.DocumentReference[]; notes: ListingNote[] }> {
  const asked = ORCD_KINDS.filter((k) => kinds.includes(k.kind));
  const lists = await Promise.all(asked.map((k) => documents.originalsOfKind(p, k.kind, audit)));
  const references: fhir4.DocumentReference[] = [];
  const notes: ListingNote[] = [];
  const seen = new Set<string>();
  const notOffered: OrcdKindDef[] = [];
  asked.forEach((def, i) => {
    if (lists[i].notOffered) notOffered.push(def);
    for (const entry of lists[i].entries) {
      const why = refusal(entry, def);
      if (why) {
        notes.push({ severity: 'warning', text: `Un document d’origine (${nameOf(def)}) envoyé par le pays ${p.country.nameFr} n’est pas affiché : il est ${why}` });
        continue;
      }
      const dr = reference(p, def, entry, baseUrl);
      // The same document listed twice is shown once.
      if (seen.has(dr.id!)) continue;
      seen.add(dr.id!);
      references.push(dr);
    }
  });
  const code = lists.find((l) => l.notOffered)?.notOffered;
  if (notOffered.length) notes.push({ severity: 'information', text: `Le pays ${p.country.nameFr} ne propose pas ces documents d’origine : ${notOffered.map(nameOf).join(', ')} (eHDSI ${code})` });
  return { references, notes };
}

/** The entry an id names among the patient's originals of its kind (that listing asked unless cached); undefined when none is served under that id. */
async function entryOf(documents: PatientDocuments, p: ConsentedPatient, ref: OriginalDocumentRef, audit: JourneyAuditContext): Promise<DocumentEntry | undefined> {
  const def = orcdKind(ref.orcd);
  const listed = await documents.originalsOfKind(p, ref.orcd, audit);
  return listed.entries.find((e) => originalDocumentKey(e.uniqueId) === ref.key && !refusal(e, def));
}

/** The DocumentReference of one original clinical document, as the listing gives it; undefined when the patient has no such document. */
export async function originalDocumentReferenceOf(
  documents: PatientDocuments, p: ConsentedPatient, ref: OriginalDocumentRef, audit: JourneyAuditContext, baseUrl: string,
): Promise<fhir4.DocumentReference | undefined> {
  const entry = await entryOf(documents, p, ref, audit);
  return entry && reference(p, orcdKind(ref.orcd), entry, baseUrl);
}

/** One original clinical document, retrieved (unless cached), checked and unwrapped; undefined when the patient has no such document. */
export async function originalDocumentContent(
  documents: PatientDocuments, p: ConsentedPatient, ref: OriginalDocumentRef, audit: JourneyAuditContext,
): Promise<RetrievedOriginalDocument | undefined> {
  const entry = await entryOf(documents, p, ref, audit);
  return entry && documents.originalDocument(p, entry, audit);
}

/** The media types an original of this kind may be, before its listing is known (the Binary's negotiation). */
export function originalMediaTypes(kind: OrcdKind): string[] {
  return [...new Set(orcdKind(kind).formats.map((f) => orcdMediaType(f) as string))];
}
