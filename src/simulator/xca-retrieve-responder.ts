/**
 * The XCA ITI-39 responding side of a simulated country: each requested
 * document comes back as an MTOM/XOP attachment referenced by xop:Include;
 * a PDF the country does not hold is 4201, an unknown document
 * XDSMissingDocument, a document of another patient than the TRC's 4206.
 */
import { randomUUID } from 'node:crypto';
import { create } from 'xmlbuilder2';
import type { PatientId } from '../ehdsi/saml/types.js';
import type { MtomAttachment } from '../ehdsi/soap/mtom.js';
import { NS } from '../ehdsi/soap/namespaces.js';
import { bareOid } from '../ehdsi/soap/target.js';
import { child, children, text, type Element } from '../ehdsi/soap/xml.js';
import type { PatientStore, SimulatedCountry, SimulatedDocument } from './patients.js';
import { appendRegistryErrors, ehdsiRegistryError, RESPONSE_STATUS, statusFor, type RegistryErrorInit } from './registry-response.js';
import { RequestError } from './request-error.js';

export interface DocumentRequest {
  homeCommunityId?: string;
  repositoryUniqueId?: string;
  documentUniqueId?: string;
}

const MAX_DOCUMENT_REQUESTS = 50;

/** Reads a RetrieveDocumentSetRequest; throws RequestError when it is not one. */
export function readRetrieveRequest(payload: Element | undefined): DocumentRequest[] {
  if (!payload || payload.localName !== 'RetrieveDocumentSetRequest' || payload.namespaceURI !== NS.xdsb) throw new RequestError('the XCA retrieve body must be an xdsb:RetrieveDocumentSetRequest');
  const requests = children(payload, 'DocumentRequest').map((r) => ({
    homeCommunityId: text(child(r, 'HomeCommunityId')),
    repositoryUniqueId: text(child(r, 'RepositoryUniqueId')),
    documentUniqueId: text(child(r, 'DocumentUniqueId')),
  }));
  if (requests.length === 0) throw new RequestError('RetrieveDocumentSetRequest without DocumentRequest');
  if (requests.length > MAX_DOCUMENT_REQUESTS) throw new RequestError(`at most ${MAX_DOCUMENT_REQUESTS} documents per request`);
  return requests;
}

export interface RetrievedDocument {
  request: Required<Pick<DocumentRequest, 'documentUniqueId'>>;
  document: SimulatedDocument;
  data: Buffer;
}

export interface RetrieveAnswer {
  documents: RetrievedDocument[];
  errors: RegistryErrorInit[];
}

const samePatient = (a: PatientId, b: PatientId): boolean => a.root === b.root && a.extension === b.extension;

/** Finds each requested document; `trcPatient` is the patient the TRC confirms (each document must be theirs). */
export function answerRetrieve(country: SimulatedCountry, store: PatientStore, requests: readonly DocumentRequest[], trcPatient: PatientId): RetrieveAnswer {
  const answer: RetrieveAnswer = { documents: [], errors: [] };
  for (const r of requests) {
    const where = r.documentUniqueId ?? '(no DocumentUniqueId)';
    if (r.homeCommunityId && bareOid(r.homeCommunityId) !== country.homeCommunityId) {
      answer.errors.push({ errorCode: 'XDSUnknownCommunity', codeContext: `Unknown home community ${r.homeCommunityId}`, severity: 'error', location: where });
      continue;
    }
    if (r.repositoryUniqueId !== country.repositoryUniqueId) {
      answer.errors.push({ errorCode: 'XDSUnknownRepositoryId', codeContext: `Unknown repository ${r.repositoryUniqueId ?? '(none)'}`, severity: 'error', location: where });
      continue;
    }
    const found = r.documentUniqueId ? store.findDocument(country.code, r.documentUniqueId) : undefined;
    if (!found) {
      answer.errors.push({ errorCode: 'XDSMissingDocument', codeContext: `Document ${where} not found`, severity: 'error', location: where });
      continue;
    }
    if (!found.patient.identifiers.some((i) => samePatient(i, trcPatient))) {
      answer.errors.push(ehdsiRegistryError('4206', 'The requested document is not of the patient of the TRC assertion', where));
      continue;
    }
    if (!found.document.data) {
      answer.errors.push(
        found.document.level === 'L1'
          ? ehdsiRegistryError('4201', 'The PDF (level 1) version of the patient summary is not provided', where)
          : { errorCode: 'XDSMissingDocument', codeContext: `Document ${where} not found`, severity: 'error', location: where },
      );
      continue;
    }
    answer.documents.push({ request: { documentUniqueId: found.document.uniqueId }, document: found.document, data: found.document.data });
  }
  return answer;
}

/**
 * The same answer with each document's bytes altered (one byte in the middle
 * flipped: same size, another SHA-1), as a faulty repository or a damaged
 * transfer would send them (fault `corrupt-document`).
 */
export function corruptDocuments(answer: RetrieveAnswer): RetrieveAnswer {
  return {
    ...answer,
    documents: answer.documents.map((d) => {
      const data = Buffer.from(d.data);
      if (data.length) data[Math.floor(data.length / 2)] ^= 0x01;
      return { ...d, data };
    }),
  };
}

/** The RetrieveDocumentSetResponse body and the MTOM attachments it references. */
export function buildRetrieveResponse(country: SimulatedCountry, answer: RetrieveAnswer): { bodyXml: string; attachments: MtomAttachment[] } {
  const res = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.xdsb, 'xdsb:RetrieveDocumentSetResponse');
  const registry = res.ele(NS.rs, 'rs:RegistryResponse', { status: RESPONSE_STATUS[statusFor(answer.errors, answer.documents.length)] });
  appendRegistryErrors(registry, answer.errors, `${country.code} responding gateway`);
  const attachments: MtomAttachment[] = [];
  for (const d of answer.documents) {
    const cid = `${d.document.level}.${randomUUID()}@simulator.${country.code.toLowerCase()}`;
    attachments.push({ cid, contentType: 'text/xml', data: d.data });
    const dr = res.ele(NS.xdsb, 'xdsb:DocumentResponse');
    dr.ele(NS.xdsb, 'xdsb:HomeCommunityId').txt(`urn:oid:${country.homeCommunityId}`);
    dr.ele(NS.xdsb, 'xdsb:RepositoryUniqueId').txt(country.repositoryUniqueId);
    dr.ele(NS.xdsb, 'xdsb:DocumentUniqueId').txt(d.document.uniqueId);
    dr.ele(NS.xdsb, 'xdsb:mimeType').txt('text/xml');
    dr.ele(NS.xdsb, 'xdsb:Document').ele(NS.xop, 'xop:Include', { href: `cid:${encodeURIComponent(cid)}` });
  }
  return { bodyXml: res.end({ headless: true }), attachments };
}
