/**
 * SOAP 1.2 envelopes with WS-Addressing and a WS-Security header. Signed
 * assertions are embedded verbatim (re-serialising them could change the
 * signed bytes), so the envelope is assembled as text around escaped values.
 */
import { randomUUID } from 'node:crypto';
import { NS } from './namespaces.js';
import { attr, child, children, escapeXml, parseXml, path, stripXmlDeclaration, text, XmlSafetyError, type Document, type Element } from './xml.js';

const WSA_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

export interface EnvelopeInit {
  action: string;
  /** Endpoint URL (wsa:To). */
  to?: string;
  /** Defaults to a fresh urn:uuid. */
  messageId?: string;
  /** Defaults to the anonymous address (synchronous answer). Responses leave it out. */
  replyTo?: string | null;
  /** For responses: the MessageID of the request answered. */
  relatesTo?: string;
  /** A complete wsse:Security element (see securityHeader), or nothing. */
  securityHeaderXml?: string;
  bodyXml: string;
}

export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** The wsse:Security header carrying the given signed assertions, in order. */
export function securityHeader(assertions: readonly string[]): string {
  return `<wsse:Security xmlns:wsse="${NS.wsse}" env:mustUnderstand="1">${assertions.map(stripXmlDeclaration).join('')}</wsse:Security>`;
}

export function buildEnvelope(init: EnvelopeInit): string {
  const messageId = init.messageId ?? newMessageId();
  const header = [
    `<wsa:Action env:mustUnderstand="1">${escapeXml(init.action)}</wsa:Action>`,
    `<wsa:MessageID>${escapeXml(messageId)}</wsa:MessageID>`,
    init.relatesTo ? `<wsa:RelatesTo>${escapeXml(init.relatesTo)}</wsa:RelatesTo>` : '',
    init.replyTo === null || init.relatesTo ? '' : `<wsa:ReplyTo><wsa:Address>${escapeXml(init.replyTo ?? WSA_ANONYMOUS)}</wsa:Address></wsa:ReplyTo>`,
    init.to ? `<wsa:To env:mustUnderstand="1">${escapeXml(init.to)}</wsa:To>` : '',
    init.securityHeaderXml ?? '',
  ].join('');
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>${header}</env:Header><env:Body>${stripXmlDeclaration(init.bodyXml)}</env:Body></env:Envelope>`;
}

export interface FaultInit {
  /** SOAP 1.2 fault code: Sender (the caller's fault) or Receiver. */
  code: 'Sender' | 'Receiver';
  /** Optional subcode value, e.g. an eHDSI error code. */
  subcode?: string;
  reason: string;
  relatesTo?: string;
  /** Reason language (xml:lang). */
  lang?: string;
}

/** A SOAP 1.2 Fault envelope (used by the simulator to answer, and by tests). */
export function buildFaultEnvelope(init: FaultInit): string {
  const subcode = init.subcode ? `<env:Subcode><env:Value>${escapeXml(init.subcode)}</env:Value></env:Subcode>` : '';
  const body = `<env:Fault><env:Code><env:Value>env:${init.code}</env:Value>${subcode}</env:Code><env:Reason><env:Text xml:lang="${escapeXml(init.lang ?? 'en')}">${escapeXml(init.reason)}</env:Text></env:Reason></env:Fault>`;
  return buildEnvelope({ action: `${NS.wsa}/soap/fault`, relatesTo: init.relatesTo, replyTo: null, bodyXml: body });
}

export interface SoapFault {
  code: string;
  subcode?: string;
  reason: string;
}

export interface ParsedEnvelope {
  document: Document;
  envelope: Element;
  header?: Element;
  body: Element;
  /** First element inside Body (the transaction payload or the Fault). */
  payload?: Element;
  fault?: SoapFault;
  action?: string;
  messageId?: string;
  relatesTo?: string;
  to?: string;
  /** wsse:Security element, when present. */
  security?: Element;
}

export class SoapParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoapParseError';
  }
}

function readFault(fault: Element): SoapFault {
  // SOAP 1.2 (Code/Value, Reason/Text) first, SOAP 1.1 (faultcode, faultstring) as a fallback.
  const code = text(path(fault, 'Code', 'Value')) ?? text(child(fault, 'faultcode')) ?? 'unknown';
  const subcode = text(path(fault, 'Code', 'Subcode', 'Value'));
  const reason = text(path(fault, 'Reason', 'Text')) ?? text(child(fault, 'faultstring')) ?? '';
  return { code: code.replace(/^[^:]*:/, ''), subcode, reason };
}

/** Parses a SOAP envelope safely (no DTD); throws SoapParseError when it is not one. */
export function parseSoapEnvelope(xml: string, maxChars?: number): ParsedEnvelope {
  let document: Document;
  try {
    document = parseXml(xml, maxChars);
  } catch (e) {
    if (e instanceof XmlSafetyError) throw new SoapParseError(e.message);
    throw e;
  }
  const envelope = document.documentElement as Element;
  if (envelope.localName !== 'Envelope' || (envelope.namespaceURI !== NS.soap12 && envelope.namespaceURI !== 'http://schemas.xmlsoap.org/soap/envelope/')) {
    throw new SoapParseError(`not a SOAP envelope (root element ${envelope.localName})`);
  }
  const header = child(envelope, 'Header');
  const body = child(envelope, 'Body');
  if (!body) throw new SoapParseError('SOAP envelope without Body');
  const payload = children(body)[0];
  const result: ParsedEnvelope = { document, envelope, header, body, payload };
  if (payload && payload.localName === 'Fault') result.fault = readFault(payload);
  result.action = text(child(header, 'Action'));
  result.messageId = text(child(header, 'MessageID'));
  result.relatesTo = text(child(header, 'RelatesTo'));
  result.to = text(child(header, 'To'));
  result.security = child(header, 'Security');
  return result;
}

/** The signed assertions found in a wsse:Security header, as their own XML text. */
export function assertionsIn(parsed: ParsedEnvelope): Element[] {
  return children(parsed.security, 'Assertion').filter((a) => a.namespaceURI === NS.saml || attr(a, 'ID') !== undefined);
}

/**
 * A transaction's answer as its response parser takes it: the envelope the
 * SOAP client already parsed (the one parse of an answer), or XML text, a
 * whole envelope or the bare payload (tests, tools), parsed here under the
 * same safe-XML policy.
 */
export type SoapAnswer = ParsedEnvelope | string;

/**
 * The payload element of an answer (the first element inside Body, or the
 * root of a bare payload); checks its local name. A parsed envelope is read as
 * it is, never parsed again. Every failure is thrown as `fail` makes it from
 * its message (a SoapParseError by default; the response parsers give their own).
 */
export function payloadOf(answer: SoapAnswer, expectedLocalName: string, fail: (message: string) => Error = (m) => new SoapParseError(m)): Element {
  let el: Element | undefined;
  if (typeof answer === 'string') {
    try {
      el = parseXml(answer).documentElement as Element;
    } catch (e) {
      throw fail((e as Error).message);
    }
    if (el.localName === 'Envelope') el = children(child(el, 'Body'))[0];
  } else {
    el = answer.payload;
  }
  if (!el) throw fail('SOAP envelope with an empty Body');
  if (el.localName !== expectedLocalName) throw fail(`expected ${expectedLocalName}, got ${el.localName}`);
  return el;
}
