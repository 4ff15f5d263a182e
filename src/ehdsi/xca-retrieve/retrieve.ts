/** XCA ITI-39 RetrieveDocumentSet: request, MTOM/XOP response, end to end. */
import { create } from 'xmlbuilder2';
import { EhdsiError } from '../errors/ehdsi-error.js';
import { timedGatewayCall } from '../soap/call-metrics.js';
import type { SoapClient } from '../soap/client.js';
import { payloadOf, type SoapAnswer } from '../soap/envelope.js';
import { GatewayError } from '../soap/gateway-error.js';
import type { MimePart } from '../soap/mtom.js';
import { normaliseCid } from '../soap/mtom.js';
import { ACTIONS, NS } from '../soap/namespaces.js';
import { bareOid, type GatewayTarget } from '../soap/target.js';
import { attr, child, children, text, type Element } from '../soap/xml.js';
import type { AssertionPair } from '../xca-query/find.js';
import { registryErrors, RegistryResponseError, registryStatus, type RegistryError, type RegistryStatus } from '../xca-query/registry.js';
import { checkRetrievedDocument, type ExpectedDocument } from './integrity.js';

export interface DocumentRequest {
  homeCommunityId: string;
  repositoryUniqueId: string;
  documentUniqueId: string;
}

export interface RetrievedDocument {
  uniqueId: string;
  repositoryUniqueId?: string;
  homeCommunityId?: string;
  mimeType: string;
  data: Buffer;
}

export interface RetrieveResult {
  status: RegistryStatus;
  documents: RetrievedDocument[];
  errors: RegistryError[];
}

export function buildRetrieveRequest(requests: readonly DocumentRequest[]): string {
  if (requests.length === 0) throw new RangeError('a retrieve needs at least one document');
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.xdsb, 'xdsb:RetrieveDocumentSetRequest');
  for (const r of requests) {
    const d = root.ele(NS.xdsb, 'xdsb:DocumentRequest');
    d.ele(NS.xdsb, 'xdsb:HomeCommunityId').txt(`urn:oid:${bareOid(r.homeCommunityId)}`);
    d.ele(NS.xdsb, 'xdsb:RepositoryUniqueId').txt(r.repositoryUniqueId);
    d.ele(NS.xdsb, 'xdsb:DocumentUniqueId').txt(r.documentUniqueId);
  }
  return root.end({ headless: true });
}

/** The bytes of a Document element: an xop:Include to an MTOM part, or inline base64. */
function documentBytes(doc: Element, parts: ReadonlyMap<string, MimePart>): Buffer {
  const include = children(doc).find((c) => c.localName === 'Include' && c.namespaceURI === NS.xop);
  if (include) {
    const href = attr(include, 'href');
    const part = href ? parts.get(normaliseCid(href)) : undefined;
    if (!part) throw new RegistryResponseError(`document part ${href ?? '(no href)'} missing from the multipart message`);
    return part.data;
  }
  const b64 = (doc.textContent ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new RegistryResponseError('document content is neither an xop:Include nor base64');
  return Buffer.from(b64, 'base64');
}

/**
 * Reads a RetrieveDocumentSetResponse: the envelope the SOAP client parsed
 * (from the MTOM root part or a plain answer), or XML text (whole envelope or
 * bare), with the MTOM parts its xop:Include elements point to.
 */
export function parseRetrieveResponse(answer: SoapAnswer, parts: ReadonlyMap<string, MimePart> = new Map()): RetrieveResult {
  const res = payloadOf(answer, 'RetrieveDocumentSetResponse', (m) => new RegistryResponseError(m));
  const registryResponse = child(res, 'RegistryResponse');
  const status = registryStatus(registryResponse);
  const documents = children(res, 'DocumentResponse').map((d) => {
    const content = child(d, 'Document');
    const uniqueId = text(child(d, 'DocumentUniqueId'));
    if (!content || !uniqueId) throw new RegistryResponseError('DocumentResponse without Document or DocumentUniqueId');
    const home = text(child(d, 'HomeCommunityId'));
    return {
      uniqueId,
      repositoryUniqueId: text(child(d, 'RepositoryUniqueId')),
      homeCommunityId: home ? bareOid(home) : undefined,
      mimeType: text(child(d, 'mimeType')) ?? 'application/octet-stream',
      data: documentBytes(content, parts),
    };
  });
  return { status, documents, errors: registryErrors(registryResponse) };
}

/**
 * Retrieves one document; a missing one is XDSMissingDocument, a RegistryError its own code.
 * With `expected` (what the registry said of it), bytes of another size or SHA-1 are a GatewayError (integrity).
 */
export function retrieveDocument(client: SoapClient, target: GatewayTarget, request: DocumentRequest, assertions: AssertionPair, expected?: ExpectedDocument): Promise<RetrievedDocument> {
  // Timed with its outcome (metrics): a missing document or a RegistryError counts as the class of its code.
  return timedGatewayCall(target.country, 'ITI-39', async () => {
    const doc = await retrieveUntimed(client, target, request, assertions);
    if (expected) checkRetrievedDocument(target.country, expected, doc.data);
    return doc;
  });
}

async function retrieveUntimed(client: SoapClient, target: GatewayTarget, request: DocumentRequest, assertions: AssertionPair): Promise<RetrievedDocument> {
  const response = await client.call({
    country: target.country,
    endpoint: target.endpoint,
    action: ACTIONS.xcaRetrieve,
    bodyXml: buildRetrieveRequest([request]),
    assertions: [assertions.hcp, assertions.trc],
    timeoutMs: target.timeoutMs,
  });
  let result: RetrieveResult;
  try {
    result = parseRetrieveResponse(response.body, response.attachments);
  } catch (e) {
    if (e instanceof RegistryResponseError) throw new GatewayError({ country: target.country, kind: 'malformed', message: `unreadable XCA retrieve response: ${e.message}` });
    throw e;
  }
  const doc = result.documents.find((d) => d.uniqueId === request.documentUniqueId);
  if (doc) return doc;
  const error = result.errors.find((e) => e.severity === 'error') ?? result.errors[0];
  throw new EhdsiError(target.country, 'xca-retrieve', error?.errorCode ?? 'XDSMissingDocument', error?.codeContext);
}
