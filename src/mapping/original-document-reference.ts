/**
 * The MHD DocumentReference of an original clinical document (OrCD): type and
 * category the kind's LOINC code with its French name, the care period, the
 * authors, and two contents at the same Binary: the file itself (PDF, PNG or
 * JPEG) and the CDA wrapper the country sent, whose size and SHA-1 are the
 * registry's (checked against the bytes when they are retrieved). The file's
 * own size and hash are not declared: the listing does not retrieve it.
 */
import { EHDSI_FORMAT_SYSTEM, MHD_MINIMAL, uniqueIdentifier } from './document-references.js';

const LOINC = 'http://loinc.org';

/** The French name of each kind of original clinical document (DocumentReference type.text and category.text). */
export const ORIGINAL_DOCUMENT_KINDS_FR: Readonly<Record<string, string>> = {
  '11502-2': 'Compte rendu d’examens biologiques',
  '34105-7': 'Compte rendu d’hospitalisation',
  '18748-4': 'Compte rendu d’imagerie médicale',
  'x-clinical-image': 'Image médicale',
};

/** What the registry (ITI-38) says of an original clinical document, and where the facade serves it. */
export interface OriginalDocumentFacts {
  id: string;
  /** URL of the Binary serving it (the file; asked as XML, the CDA wrapper). */
  url: string;
  subject: fhir4.Reference;
  classCode: string;
  /** English designation of the class (the eHDSI value set's). */
  classDisplay: string;
  typeCode?: string;
  formatCode: string;
  /** The wrapped file's media type. */
  mediaType: string;
  /** The CDA wrapper as the registry described it: bytes and SHA-1 (hex). */
  wrapper: { size?: number; sha1?: string };
  /** XDS DTM (UTC), as the registry gives them. */
  creationTime?: string;
  serviceStartTime?: string;
  serviceStopTime?: string;
  language?: string;
  title?: string;
  /** XDS authorPerson (XCN) and authorInstitution (XON) values. */
  authors?: Array<{ person?: string; institutions: string[] }>;
  uniqueId: string;
  entryUuid: string;
}

/** An XDS DTM (YYYY[MM[DD[hh[mm[ss]]]]], UTC) as a FHIR dateTime; undefined when it is not one. */
export function xdsDateTime(dtm: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?)?$/.exec(dtm?.trim() ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi = '00', s = '00'] = m;
  if ((mo && (Number(mo) < 1 || Number(mo) > 12)) || (d && (Number(d) < 1 || Number(d) > 31))) return undefined;
  if (!mo) return y;
  if (!d) return `${y}-${mo}`;
  if (!h) return `${y}-${mo}-${d}`;
  const value = `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
  return Number.isNaN(Date.parse(value)) ? undefined : value;
}

/** "Ivana Babić" from an XCN (id^family^given^…) or a plain name. */
function personName(xcn: string): string | undefined {
  if (!xcn.includes('^')) return xcn.trim() || undefined;
  const [, family, given, middle, , prefix] = xcn.split('^').map((p) => p.split('&')[0].trim());
  return [prefix, given, middle, family].filter(Boolean).join(' ') || undefined;
}

/** "KBC Zagreb" from an XON (name^^^^^^^^^id) or a plain name. */
function institutionName(xon: string): string | undefined {
  return xon.split('^')[0].trim() || undefined;
}

function authorReferences(authors: OriginalDocumentFacts['authors']): fhir4.Reference[] {
  return (authors ?? [])
    .map((a) => [a.person ? personName(a.person) : undefined, ...a.institutions.map(institutionName)].filter(Boolean).join(', '))
    .filter(Boolean)
    .map((display) => ({ display }));
}

function concept(code: string, display: string | undefined): fhir4.CodeableConcept {
  return { coding: [{ system: LOINC, code, ...(display ? { display } : {}) }], ...(ORIGINAL_DOCUMENT_KINDS_FR[code] ? { text: ORIGINAL_DOCUMENT_KINDS_FR[code] } : {}) };
}

export function originalDocumentReference(o: OriginalDocumentFacts): fhir4.DocumentReference {
  const created = xdsDateTime(o.creationTime);
  const format: fhir4.Coding = { system: EHDSI_FORMAT_SYSTEM, code: o.formatCode };
  const common: fhir4.Attachment = { url: o.url };
  if (o.language) common.language = o.language;
  if (created) common.creation = created;
  const file: fhir4.Attachment = { contentType: o.mediaType, ...common, ...(o.title ? { title: o.title } : {}) };
  const wrapper: fhir4.Attachment = { contentType: 'text/xml', ...common, ...(o.title ? { title: `${o.title} (CDA)` } : {}) };
  if (o.wrapper.size !== undefined) wrapper.size = o.wrapper.size;
  if (o.wrapper.sha1 && /^[0-9a-fA-F]{40}$/.test(o.wrapper.sha1)) wrapper.hash = Buffer.from(o.wrapper.sha1, 'hex').toString('base64');
  const dr: fhir4.DocumentReference = {
    resourceType: 'DocumentReference',
    id: o.id,
    meta: { profile: [MHD_MINIMAL] },
    masterIdentifier: uniqueIdentifier(o.uniqueId),
    identifier: [{ use: 'official', system: 'urn:ietf:rfc:3986', value: o.entryUuid }],
    status: 'current',
    type: concept(o.typeCode ?? o.classCode, (o.typeCode ?? o.classCode) === o.classCode ? o.classDisplay : undefined),
    category: [concept(o.classCode, o.classDisplay)],
    subject: o.subject,
    content: [{ attachment: file, format }, { attachment: wrapper, format }],
  };
  if (created && created.includes('T')) dr.date = created;
  const authors = authorReferences(o.authors);
  if (authors.length) dr.author = authors;
  if (o.title) dr.description = o.title;
  const start = xdsDateTime(o.serviceStartTime);
  const end = xdsDateTime(o.serviceStopTime);
  if (start || end) dr.context = { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } };
  return dr;
}
