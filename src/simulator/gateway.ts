/**
 * One simulated country's responding gateway, transport-free: a request
 * (content type + bytes) in, a reply (status, content type, bytes) out.
 * Checks the WS-Addressing action against the endpoint, the assertions,
 * then hands the payload to the transaction's responder.
 */
import { buildEnvelope, buildFaultEnvelope, parseSoapEnvelope, SoapParseError, type ParsedEnvelope } from '../ehdsi/soap/envelope.js';
import { buildMtom, contentTypeParams, isMultipart, MtomError, parseMtom, type MtomAttachment } from '../ehdsi/soap/mtom.js';
import { ACTIONS } from '../ehdsi/soap/namespaces.js';
import type { Transaction } from './faults.js';
import type { PatientStore, SimulatedCountry } from './patients.js';
import { ehdsiRegistryError } from './registry-response.js';
import { RequestError } from './request-error.js';
import { checkAssertions, checkTrcPatient, SecurityRefusal } from './security.js';
import { answerFindDocuments, buildAdhocQueryResponse, readFindDocumentsQuery } from './xca-query-responder.js';
import { answerRetrieve, buildRetrieveResponse, corruptDocuments, readRetrieveRequest } from './xca-retrieve-responder.js';
import { answerXcpd, buildXcpdResponse, readXcpdQuery, type XcpdQuery } from './xcpd-responder.js';

export type EndpointKind = 'xcpd' | 'xca';

export interface GatewayContext {
  country: SimulatedCountry;
  store: PatientStore;
  /** PEM certificates whose keys may sign the assertions (the facade's). */
  trustedCertificatesPem: readonly string[];
}

export interface GatewayReply {
  status: number;
  contentType: string;
  body: Buffer;
  /** eHDSI code of a refusal or error in the answer, for the request log. */
  ehdsiCode?: string;
}

export interface IncomingSoap {
  parsed?: ParsedEnvelope;
  /** Why the request could not be read as a SOAP envelope. */
  error?: RequestError;
  /** wsa:Action, or the action parameter of the Content-Type when the envelope is unreadable. */
  action?: string;
}

const REQUEST_ACTIONS: Record<Transaction, string> = { xcpd: ACTIONS.xcpdRequest, 'xca-query': ACTIONS.xcaQuery, 'xca-retrieve': ACTIONS.xcaRetrieve };
const RESPONSE_ACTIONS: Record<Transaction, string> = { xcpd: ACTIONS.xcpdResponse, 'xca-query': ACTIONS.xcaQueryResponse, 'xca-retrieve': ACTIONS.xcaRetrieveResponse };
const ENDPOINT_TRANSACTIONS: Record<EndpointKind, Transaction[]> = { xcpd: ['xcpd'], xca: ['xca-query', 'xca-retrieve'] };

/** The transaction an action asks for on this endpoint; undefined when the endpoint does not serve it. */
export function transactionFor(endpoint: EndpointKind, action: string | undefined): Transaction | undefined {
  return ENDPOINT_TRANSACTIONS[endpoint].find((t) => REQUEST_ACTIONS[t] === action);
}

/** Reads the request bytes as a SOAP envelope (plain or MTOM), safely; never throws. */
export function readIncomingSoap(contentType: string, body: Buffer, maxChars: number): IncomingSoap {
  const headerAction = contentTypeParams(contentType).params.action;
  try {
    const xml = isMultipart(contentType) ? parseMtom(contentType, body).rootXml : body.toString('utf8');
    const parsed = parseSoapEnvelope(xml, maxChars);
    return { parsed, action: parsed.action };
  } catch (e) {
    if (e instanceof SoapParseError || e instanceof MtomError) return { error: new RequestError(`unreadable SOAP request: ${e.message}`), action: headerAction };
    throw e;
  }
}

function soapReply(transaction: Transaction, relatesTo: string | undefined, bodyXml: string, ehdsiCode?: string): GatewayReply {
  const action = RESPONSE_ACTIONS[transaction];
  const envelope = buildEnvelope({ action, relatesTo, replyTo: null, bodyXml });
  return { status: 200, contentType: `application/soap+xml; charset=UTF-8; action="${action}"`, body: Buffer.from(envelope, 'utf8'), ehdsiCode };
}

function mtomReply(transaction: Transaction, relatesTo: string | undefined, bodyXml: string, attachments: MtomAttachment[], ehdsiCode?: string): GatewayReply {
  const action = RESPONSE_ACTIONS[transaction];
  const envelope = buildEnvelope({ action, relatesTo, replyTo: null, bodyXml });
  const mtom = buildMtom(envelope, attachments, action);
  return { status: 200, contentType: mtom.contentType, body: mtom.body, ehdsiCode };
}

/** A SOAP 1.2 fault reply (Sender faults are 400, Receiver faults 500, per the SOAP HTTP binding). */
export function faultReply(init: { code: 'Sender' | 'Receiver'; subcode?: string; reason: string; relatesTo?: string; httpStatus?: number }): GatewayReply {
  const envelope = buildFaultEnvelope({ code: init.code, subcode: init.subcode, reason: init.reason, relatesTo: init.relatesTo });
  return {
    status: init.httpStatus ?? (init.code === 'Sender' ? 400 : 500),
    contentType: 'application/soap+xml; charset=UTF-8',
    body: Buffer.from(envelope, 'utf8'),
    ehdsiCode: init.subcode && /^(\d{4}|XDS\w+)$/.test(init.subcode) ? init.subcode : undefined,
  };
}

function firstError<T>(read: () => T): { value?: T; error?: RequestError } {
  try {
    return { value: read() };
  } catch (e) {
    if (e instanceof RequestError) return { error: e };
    throw e;
  }
}

export interface AnswerOptions {
  /** The documents of a retrieve are sent altered (fault `corrupt-document`); other transactions are answered normally. */
  corruptDocuments?: boolean;
}

/** Answers a request as the country would; `transaction` is what transactionFor gave (or undefined: wrong action). */
export function answerRequest(ctx: GatewayContext, endpoint: EndpointKind, incoming: IncomingSoap, now = new Date(), options: AnswerOptions = {}): GatewayReply {
  const { parsed } = incoming;
  if (!parsed) return faultReply({ code: 'Sender', reason: incoming.error?.message ?? 'unreadable SOAP request' });
  const relatesTo = parsed.messageId;
  if (!parsed.action) return faultReply({ code: 'Sender', subcode: 'wsa:MessageAddressingHeaderRequired', reason: 'the wsa:Action header is required', relatesTo });
  const transaction = transactionFor(endpoint, parsed.action);
  if (!transaction) {
    return faultReply({ code: 'Sender', subcode: 'wsa:ActionNotSupported', reason: `action ${parsed.action} is not supported by the ${endpoint.toUpperCase()} endpoint of ${ctx.country.code}`, relatesTo });
  }
  const fault = (e: RequestError): GatewayReply => faultReply({ code: 'Sender', subcode: e.subcode, reason: e.message, relatesTo, httpStatus: e.httpStatus });

  if (transaction === 'xcpd') {
    const { value: query, error } = firstError(() => readXcpdQuery(parsed.payload));
    if (!query) return fault(error as RequestError);
    try {
      checkAssertions(parsed, false, ctx.trustedCertificatesPem, now);
    } catch (e) {
      if (e instanceof SecurityRefusal) return xcpdErrorReply(ctx, relatesTo, query, e.ehdsiCode, e.message);
      throw e;
    }
    const answer = answerXcpd(query, ctx.store.ofCountry(ctx.country.code));
    const code = answer.kind === 'error' ? answer.code : answer.kind === 'no-match' ? 'ERROR_PI_NO_MATCH' : undefined;
    return soapReply('xcpd', relatesTo, buildXcpdResponse(ctx.country, query, answer, now), code);
  }

  if (transaction === 'xca-query') {
    const { value: query, error } = firstError(() => readFindDocumentsQuery(parsed.payload));
    if (!query) return fault(error as RequestError);
    try {
      const security = checkAssertions(parsed, true, ctx.trustedCertificatesPem, now);
      checkTrcPatient(security, query.patientId);
    } catch (e) {
      if (e instanceof SecurityRefusal) return xcaQueryErrorReply(ctx, relatesTo, e.ehdsiCode, e.message);
      throw e;
    }
    const answer = answerFindDocuments(query, ctx.store.ofCountry(ctx.country.code));
    return soapReply('xca-query', relatesTo, buildAdhocQueryResponse(ctx.country, query.patientId, answer), answer.errors[0]?.errorCode);
  }

  const { value: requests, error } = firstError(() => readRetrieveRequest(parsed.payload));
  if (!requests) return fault(error as RequestError);
  let trcPatient;
  try {
    trcPatient = checkAssertions(parsed, true, ctx.trustedCertificatesPem, now).trc?.patientId;
  } catch (e) {
    if (e instanceof SecurityRefusal) return xcaRetrieveErrorReply(ctx, relatesTo, e.ehdsiCode, e.message);
    throw e;
  }
  if (!trcPatient) return xcaRetrieveErrorReply(ctx, relatesTo, '4701', 'no patient in the TRC assertion');
  const found = answerRetrieve(ctx.country, ctx.store, requests, trcPatient);
  const answer = options.corruptDocuments ? corruptDocuments(found) : found;
  const built = buildRetrieveResponse(ctx.country, answer);
  return mtomReply('xca-retrieve', relatesTo, built.bodyXml, built.attachments, answer.errors[0]?.errorCode);
}

function xcpdErrorReply(ctx: GatewayContext, relatesTo: string | undefined, query: XcpdQuery | undefined, code: string, text: string): GatewayReply {
  const answer = code === 'AnswerNotAvailable' || code === 'ERROR_PI_NO_MATCH' ? ({ kind: 'no-match' } as const) : ({ kind: 'error', code, text } as const);
  return soapReply('xcpd', relatesTo, buildXcpdResponse(ctx.country, query, answer), code);
}

function xcaQueryErrorReply(ctx: GatewayContext, relatesTo: string | undefined, code: string, text: string): GatewayReply {
  return soapReply('xca-query', relatesTo, buildAdhocQueryResponse(ctx.country, undefined, { documents: [], errors: [ehdsiRegistryError(code, text)] }), code);
}

function xcaRetrieveErrorReply(ctx: GatewayContext, relatesTo: string | undefined, code: string, text: string): GatewayReply {
  const built = buildRetrieveResponse(ctx.country, { documents: [], errors: [ehdsiRegistryError(code, text)] });
  return mtomReply('xca-retrieve', relatesTo, built.bodyXml, built.attachments, code);
}

/** The answer to an `ehdsi-error` fault: the transaction's own error format carrying `code`. */
export function ehdsiErrorReply(ctx: GatewayContext, transaction: Transaction | undefined, incoming: IncomingSoap, code: string): GatewayReply {
  const relatesTo = incoming.parsed?.messageId;
  const text = `Simulated eHDSI error ${code}`;
  if (transaction === 'xcpd') {
    const query = firstError(() => readXcpdQuery(incoming.parsed?.payload)).value;
    return xcpdErrorReply(ctx, relatesTo, query, code, text);
  }
  if (transaction === 'xca-query') return xcaQueryErrorReply(ctx, relatesTo, code, text);
  if (transaction === 'xca-retrieve') return xcaRetrieveErrorReply(ctx, relatesTo, code, text);
  return faultReply({ code: 'Receiver', subcode: code, reason: text, relatesTo });
}
