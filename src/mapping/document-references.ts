import { createHash } from 'node:crypto';
import { stableUuid } from './engine.js';
import { CdaInputError } from './errors.js';
import { childrenNamed, firstChild, parseXml, textOf } from './xml-tree.js';

/** What the facade serves about a patient summary: the country's originals (level 3 CDA, level 1 PDF) and the French documents made from them. */
export type DocumentKind = 'L3' | 'L1' | 'fr-L3' | 'fr-PDF';

const IHE_FORMATCODE = 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode';
/** The system of the XDS format codes eHDSI defines (the pivot document's, the original clinical documents'). */
export const EHDSI_FORMAT_SYSTEM = 'urn:oid:1.3.6.1.4.1.19376.1.2.3';
const EPSOS_PIVOT = { system: EHDSI_FORMAT_SYSTEM, code: 'urn:epSOS:ps:ps:2010', display: 'epSOS coded Patient Summary' };
/** Format codes (XDS formatCode, MHD DocumentReference.content.format): the translated CDA is still an eHDSI pivot document; the French PDF is a bare PDF. */
export const FORMAT: Record<DocumentKind, fhir4.Coding> = {
  L3: EPSOS_PIVOT,
  L1: { system: IHE_FORMATCODE, code: 'urn:ihe:iti:xds-sd:pdf:2008', display: 'PDF embedded in CDA per XDS-SD profile' },
  'fr-L3': EPSOS_PIVOT,
  'fr-PDF': { system: IHE_FORMATCODE, code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', display: 'mimeType Sufficient' },
};
const DEFAULT_CONTENT_TYPE: Record<DocumentKind, string> = { L3: 'text/xml', L1: 'application/pdf', 'fr-L3': 'text/xml', 'fr-PDF': 'application/pdf' };
export const MHD_MINIMAL = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.DocumentReference';
const PATIENT_SUMMARY = { system: 'http://loinc.org', code: '60591-5', display: 'Patient summary Document' };

export interface OriginalDocument {
  /** L3: the structured CDA as received; L1: the PDF; fr-L3: the CDA with French designations; fr-PDF: the French summary as PDF. */
  level: DocumentKind;
  bytes: Buffer;
  /** URL of the Binary that serves these bytes. */
  url: string;
  /** Id of the DocumentReference (default: a stable UUID from the document). */
  id?: string;
  /** Defaults: text/xml for the CDAs, application/pdf for the PDFs. */
  contentType?: string;
  language?: string;
  /** When the document was created (FHIR dateTime). */
  created?: string;
  /** The document's unique id (XDS uniqueId), e.g. "2.999^abc" or an OID. */
  uniqueId?: string;
  title?: string;
  /** A French document: the DocumentReference of the original it translates. */
  transforms?: fhir4.Reference;
  /** An original: the XDS entryUUID of the document in the country's registry (MHD: DocumentReference.identifier). */
  entryUuid?: string;
}

export interface DocumentReferenceOptions {
  patient: fhir4.Reference;
  originals: OriginalDocument[];
  /** Identifiers of the source (home community, repository) kept as DocumentReference.identifier. */
  identifiers?: fhir4.Identifier[];
}

/** One MHD DocumentReference per document, each pointing at its Binary. */
export function documentReferencesFor(opts: DocumentReferenceOptions): fhir4.DocumentReference[] {
  return opts.originals.map((o) => {
    const hash = createHash('sha1').update(o.bytes).digest();
    const attachment: fhir4.Attachment = {
      contentType: o.contentType ?? DEFAULT_CONTENT_TYPE[o.level],
      url: o.url,
      size: o.bytes.byteLength,
      hash: hash.toString('base64'),
    };
    if (o.language) attachment.language = o.language;
    if (o.created) attachment.creation = o.created;
    if (o.title) attachment.title = o.title;
    const translated = o.level === 'fr-L3' || o.level === 'fr-PDF';
    const dr: fhir4.DocumentReference = {
      resourceType: 'DocumentReference',
      id: o.id ?? stableUuid(`DocumentReference|${o.level}|${o.uniqueId ?? o.url}|${hash.toString('hex')}`),
      meta: { profile: [MHD_MINIMAL] },
      status: 'current',
      type: { coding: [{ ...PATIENT_SUMMARY }], text: translated ? 'Synthèse médicale du patient (traduction française)' : 'Synthèse médicale du patient' },
      category: [{ coding: [{ ...PATIENT_SUMMARY }] }],
      subject: opts.patient,
      content: [{ attachment, format: { ...FORMAT[o.level] } }],
    };
    if (o.uniqueId) dr.masterIdentifier = uniqueIdentifier(o.uniqueId);
    if (o.entryUuid) dr.identifier = [{ use: 'official', system: 'urn:ietf:rfc:3986', value: o.entryUuid }];
    else if (opts.identifiers?.length) dr.identifier = opts.identifiers;
    if (o.created && /T/.test(o.created)) dr.date = o.created;
    if (o.transforms) dr.relatesTo = [{ code: 'transforms', target: o.transforms }];
    return dr;
  });
}

/** The MHD masterIdentifier of an XDS uniqueId (root^extension, an OID or a URI). */
export function uniqueIdentifier(id: string): fhir4.Identifier {
  const [root, ext] = id.split('^');
  if (ext) return { system: `urn:oid:${root}`, value: ext };
  return { system: 'urn:ietf:rfc:3986', value: /^[0-9.]+$/.test(root) ? `urn:oid:${root}` : root };
}

/** The PDF carried by a level 1 CDA (nonXMLBody/text, base64), if any. */
export function pdfOfLevel1(cda: string | Buffer, maxBytes?: number): Buffer | undefined {
  const doc = parseXml(cda, { maxBytes });
  if (doc.name !== 'ClinicalDocument') throw new CdaInputError('not-cda', 'not an HL7 CDA document');
  const body = firstChild(doc, 'component');
  const nonXml = body && firstChild(body, 'nonXMLBody');
  const text = nonXml && firstChild(nonXml, 'text');
  if (!text) return undefined;
  if (text.attrs.representation !== 'B64') return Buffer.from(textOf(text), 'utf8');
  return Buffer.from(textOf(text).replace(/\s+/g, ''), 'base64');
}

/** Small helper: the language and creation time in a CDA header, for its DocumentReference. */
export function cdaHeaderFacts(cda: string | Buffer, maxBytes?: number): { language?: string; created?: string; uniqueId?: string } {
  const doc = parseXml(cda, { maxBytes });
  const lang = firstChild(doc, 'languageCode')?.attrs.code;
  const time = firstChild(doc, 'effectiveTime')?.attrs.value;
  const id = childrenNamed(doc, 'id')[0];
  const created = time ? toDateTime(time) : undefined;
  return { language: lang, created, uniqueId: id ? (id.attrs.extension ? `${id.attrs.root}^${id.attrs.extension}` : id.attrs.root) : undefined };
}

function toDateTime(v: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(?:\.\d+)?([+-]\d{4}|Z)?$/.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, tz] = m;
  if (!h || !tz) return `${y}-${mo}-${d}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${tz === 'Z' ? 'Z' : `${tz.slice(0, 3)}:${tz.slice(3)}`}`;
}
