export { NS, ACTIONS } from './namespaces.js';
export { assertSafeXml, parseXml, children, child, path, descendants, text, attr, escapeXml, stripXmlDeclaration, XmlSafetyError, DEFAULT_MAX_XML_CHARS } from './xml.js';
export { buildEnvelope, buildFaultEnvelope, parseSoapEnvelope, payloadOf, securityHeader, assertionsIn, newMessageId, SoapParseError, type EnvelopeInit, type FaultInit, type ParsedEnvelope, type SoapAnswer, type SoapFault } from './envelope.js';
export { parseMtom, buildMtom, isMultipart, contentTypeParams, normaliseCid, MtomError, type MimePart, type MtomMessage, type MtomAttachment } from './mtom.js';
export { GatewayError, type GatewayErrorKind, type GatewayErrorInit } from './gateway-error.js';
export { SoapClient, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_BYTES, type SoapCall, type SoapClientOptions, type SoapResponse, type TlsClientOptions } from './client.js';
export { bareOid, type GatewayTarget } from './target.js';
export { createEhdsiTransport, type EhdsiTransport } from './transport-config.js';
