/**
 * ITI-39 for an original clinical document (docs/references.md#original-clinical-documents-orcd):
 * the CDA wrapper is retrieved, checked against its registry entry (size,
 * SHA-1), then unwrapped: its nonXMLBody must carry, in base64, a file of the
 * media type the entry's format code announced, with that type's signature.
 * Anything else is the country's failure (GatewayError naming it), never served.
 */
import type { AssertionPair } from '../xca-query/find.js';
import { orcdMediaType, type OrcdMediaType } from '../xca-query/orcd.js';
import type { DocumentEntry } from '../xca-query/response.js';
import type { SoapClient } from '../soap/client.js';
import { GatewayError } from '../soap/gateway-error.js';
import type { GatewayTarget } from '../soap/target.js';
import { attr, child, parseXml, text, XmlSafetyError, type Element } from '../soap/xml.js';
import { retrieveDocument } from './retrieve.js';

const V3 = 'urn:hl7-org:v3';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The first bytes of each media type (PDF header, PNG signature, JPEG SOI marker and the next marker's FF). */
const SIGNATURES: Record<OrcdMediaType, Buffer> = {
  'application/pdf': Buffer.from('%PDF-', 'latin1'),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
};

/** What an original clinical document wraps. */
export interface UnwrappedDocument {
  mediaType: OrcdMediaType;
  data: Buffer;
}

/** The original as retrieved: the CDA wrapper (checked against the registry) and what it wraps. */
export interface RetrievedOriginalDocument extends UnwrappedDocument {
  cda: Buffer;
}

/** True when `data` starts with the signature of `mediaType`. */
export function hasSignatureOf(mediaType: OrcdMediaType, data: Buffer): boolean {
  const signature = SIGNATURES[mediaType];
  return data.byteLength > signature.byteLength && data.subarray(0, signature.byteLength).equals(signature);
}

/**
 * The file an OrCD CDA wrapper carries, checked: a ClinicalDocument with
 * component/nonXMLBody/text in base64 (B64), of the media type `expected`
 * (the registry's), whose bytes start with that type's signature. `maxChars`
 * bounds the XML read (the project's XML policy applies in any case).
 * @throws GatewayError `malformed` (not a readable wrapper) or `integrity` (not the announced file)
 */
export function unwrapOriginalDocument(country: string, cda: Buffer, expected: OrcdMediaType, maxChars?: number): UnwrappedDocument {
  const malformed = (message: string): never => {
    throw new GatewayError({ country, kind: 'malformed', message: `original clinical document: ${message}` });
  };
  const mismatch = (message: string): never => {
    throw new GatewayError({ country, kind: 'integrity', message: `original clinical document: ${message}` });
  };
  let root: Element | null = null;
  try {
    root = parseXml(cda.toString('utf8'), maxChars).documentElement;
  } catch (e) {
    if (!(e instanceof XmlSafetyError)) throw e;
    malformed(`not readable XML (${e.message})`);
  }
  if (!root || root.localName !== 'ClinicalDocument' || root.namespaceURI !== V3) return malformed('not an HL7 CDA ClinicalDocument');
  const body = child(child(root, 'component'), 'nonXMLBody');
  if (!body) return malformed('no component/nonXMLBody');
  const content = child(body, 'text');
  if (!content) return malformed('nonXMLBody without text');
  if (attr(content, 'representation') !== 'B64') malformed(`nonXMLBody text is not base64 (representation ${attr(content, 'representation') ?? 'absent'})`);
  const declared = attr(content, 'mediaType')?.trim().toLowerCase();
  if (declared !== expected) mismatch(`wraps ${declared ?? 'an undeclared media type'}, the registry announced ${expected}`);
  const b64 = (text(content) ?? '').replace(/[\s]+/g, '');
  if (!b64) malformed('nonXMLBody text is empty');
  if (!BASE64.test(b64)) malformed('nonXMLBody text is not valid base64');
  const data = Buffer.from(b64, 'base64');
  if (!hasSignatureOf(expected, data)) mismatch(`the wrapped file is not ${expected} (its first bytes are not that format's signature)`);
  return { mediaType: expected, data };
}

/**
 * Retrieves one original clinical document listed by ITI-38 and unwraps it:
 * the entry must give its size and SHA-1 (checked against the bytes) and an
 * OrCD format code (the media type expected inside).
 */
export async function retrieveOriginalDocument(
  client: SoapClient, target: GatewayTarget, entry: DocumentEntry, assertions: AssertionPair, opts: { maxChars?: number } = {},
): Promise<RetrievedOriginalDocument> {
  const mediaType = orcdMediaType(entry.formatCode);
  if (!mediaType) throw new GatewayError({ country: target.country, kind: 'integrity', message: `format ${entry.formatCode ?? '(none)'} is not a format of original clinical documents` });
  const home = entry.homeCommunityId || target.homeCommunityId;
  const doc = await retrieveDocument(
    client,
    { ...target, homeCommunityId: home },
    { homeCommunityId: home, repositoryUniqueId: entry.repositoryUniqueId, documentUniqueId: entry.uniqueId },
    assertions,
    { size: entry.size, hash: entry.hash, required: true },
  );
  return { cda: doc.data, ...unwrapOriginalDocument(target.country, doc.data, mediaType, opts.maxChars) };
}
