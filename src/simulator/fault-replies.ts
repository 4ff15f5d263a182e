/** The replies of the faults that replace a gateway's answer (see faults.ts for how they are queued). */
import { buildMtom, contentTypeParams, isMultipart } from '../ehdsi/soap/mtom.js';
import { faultReply, type GatewayReply } from './gateway.js';

export function soapFaultReply(ehdsiCode: string | undefined, relatesTo: string | undefined): GatewayReply {
  return faultReply({ code: 'Receiver', subcode: ehdsiCode, reason: 'Simulated fault at the responding gateway', relatesTo });
}

export function httpErrorReply(status: 500 | 503): GatewayReply {
  const text = status === 503 ? 'Service Unavailable: the national contact point is under maintenance' : 'Internal Server Error';
  return { status, contentType: 'text/html; charset=UTF-8', body: Buffer.from(`<html><head><title>${status}</title></head><body><h1>${text}</h1></body></html>`, 'utf8') };
}

/** A 200 "SOAP" answer that is not well-formed XML (cut in the middle of an element). */
export function malformedXmlReply(): GatewayReply {
  const body = '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header/><env:Body><PRPA_IN201306UV02 xmlns="urn:hl7-org:v3"><id root="1.2.3"></env:Body>';
  return { status: 200, contentType: 'application/soap+xml; charset=UTF-8', body: Buffer.from(body, 'utf8') };
}

/**
 * The normal answer as MTOM (wrapped if it was plain SOAP), cut before its
 * closing boundary and in the middle of its last part: a complete HTTP
 * message whose multipart content is truncated.
 */
export function truncateAsMtom(reply: GatewayReply): GatewayReply {
  const mtom = isMultipart(reply.contentType) ? { contentType: reply.contentType, body: reply.body } : buildMtom(reply.body.toString('utf8'), []);
  const boundary = contentTypeParams(mtom.contentType).params.boundary;
  const closing = mtom.body.lastIndexOf(Buffer.from(`\r\n--${boundary}--`));
  const lastPart = mtom.body.lastIndexOf(Buffer.from(`--${boundary}\r\n`), closing);
  const cut = lastPart + Math.floor((closing - lastPart) * 0.6);
  return { status: 200, contentType: mtom.contentType, body: mtom.body.subarray(0, cut) };
}
