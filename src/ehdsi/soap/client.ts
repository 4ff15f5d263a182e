/**
 * SOAP 1.2 client for the eHDSI gateways: one POST per call over node's
 * http/https, one timer covering connect + full response, optional mutual TLS,
 * plain or MTOM responses, and every failure turned into a GatewayError.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../../logging/logger.js';
import { ehdsiErrorRow } from '../errors/ehdsi-errors.js';
import { buildEnvelope, newMessageId, parseSoapEnvelope, securityHeader, SoapParseError, type ParsedEnvelope } from './envelope.js';
import { GatewayError } from './gateway-error.js';
import { isMultipart, MtomError, parseMtom, type MimePart } from './mtom.js';

export interface TlsClientOptions {
  /** PEM client certificate (chain) for mutual TLS. */
  cert?: string;
  /** PEM private key of the client certificate. */
  key?: string;
  /** PEM CA bundle the gateways' server certificates must chain to (default: system CAs). */
  ca?: string;
}

export interface SoapClientOptions {
  /** Default per-call timeout (connect + response), milliseconds. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  tls?: TlsClientOptions;
  logger?: Logger;
}

export interface SoapCall {
  /** ISO country code of the gateway, named in every error. */
  country: string;
  endpoint: string;
  action: string;
  bodyXml: string;
  /** Signed assertions for wsse:Security, in order (HCP first, then TRC). */
  assertions: readonly string[];
  timeoutMs?: number;
}

export interface SoapResponse {
  /** The SOAP envelope as received (the root part of an MTOM message), as text: for logs and tests, never parsed again. */
  envelopeXml: string;
  /**
   * The envelope, parsed once here under the safe-XML policy (at most
   * maxResponseBytes): what the transaction's response parser reads.
   */
  body: ParsedEnvelope;
  attachments: Map<string, MimePart>;
  messageId: string;
}

export const DEFAULT_TIMEOUT_MS = 5000;
/** How a reused keep-alive connection that the other side had closed fails before any answer. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);
export const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

/** The eHDSI error code of a fault subcode ("4701", "ehdsi:4701", "ERROR_PI_GENERIC"…), when it is one. */
function ehdsiCodeIn(subcode: string | undefined): string | undefined {
  const local = subcode?.trim().split(':').pop();
  if (!local) return undefined;
  return ehdsiErrorRow(local) || /^\d{4}$/.test(local) ? local : undefined;
}

interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export class SoapClient {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;

  constructor(private readonly options: SoapClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.httpsAgent = new https.Agent({ keepAlive: true, cert: options.tls?.cert, key: options.tls?.key, ca: options.tls?.ca });
    this.httpAgent = new http.Agent({ keepAlive: true });
  }

  async call(call: SoapCall): Promise<SoapResponse> {
    const messageId = newMessageId();
    const envelope = buildEnvelope({
      action: call.action,
      to: call.endpoint,
      messageId,
      securityHeaderXml: call.assertions.length ? securityHeader(call.assertions) : undefined,
      bodyXml: call.bodyXml,
    });
    const started = Date.now();
    let raw: RawResponse;
    try {
      raw = await this.post(call, envelope);
    } catch (e) {
      // Our own words about the exchange (timeout, connection code), never the content.
      this.options.logger?.warn({ country: call.country, action: call.action, ms: Date.now() - started, kind: e instanceof GatewayError ? e.kind : 'unknown', reason: (e as Error).message }, 'eHDSI call failed');
      throw e;
    }
    const log = { country: call.country, action: call.action, status: raw.status, ms: Date.now() - started, bytes: raw.body.length };
    try {
      const result = this.interpret(call, raw, messageId);
      this.options.logger?.debug(log, 'eHDSI call answered');
      return result;
    } catch (e) {
      this.options.logger?.warn({ ...log, kind: e instanceof GatewayError ? e.kind : 'unknown' }, 'eHDSI call failed');
      throw e;
    }
  }

  private interpret(call: SoapCall, raw: RawResponse, messageId: string): SoapResponse {
    const fail = (kind: 'http' | 'malformed', message: string): GatewayError =>
      new GatewayError({ country: call.country, kind, message, httpStatus: raw.status });
    let envelopeXml: string;
    let attachments = new Map<string, MimePart>();
    try {
      if (isMultipart(raw.contentType)) {
        const mtom = parseMtom(raw.contentType, raw.body);
        envelopeXml = mtom.rootXml;
        attachments = mtom.parts;
      } else {
        envelopeXml = raw.body.toString('utf8');
      }
    } catch (e) {
      if (e instanceof MtomError) throw fail('malformed', `malformed multipart response: ${e.message}`);
      throw e;
    }
    let parsed: ParsedEnvelope;
    try {
      parsed = parseSoapEnvelope(envelopeXml, this.maxResponseBytes);
    } catch (e) {
      if (!(e instanceof SoapParseError)) throw e;
      if (raw.status < 200 || raw.status >= 300) throw fail('http', `HTTP ${raw.status}`);
      throw fail('malformed', `malformed SOAP response: ${e.message}`);
    }
    if (parsed.fault) {
      const f = parsed.fault;
      throw new GatewayError({
        country: call.country,
        kind: 'fault',
        message: `SOAP fault ${f.code}${f.subcode ? `/${f.subcode}` : ''}: ${f.reason}`,
        httpStatus: raw.status,
        faultCode: f.code,
        faultReason: f.reason,
        ehdsiCode: ehdsiCodeIn(f.subcode),
      });
    }
    if (raw.status < 200 || raw.status >= 300) throw fail('http', `HTTP ${raw.status}`);
    // An answer to another message must never be taken for ours (it could be about another patient).
    if (parsed.relatesTo && parsed.relatesTo !== messageId) throw fail('malformed', 'answer relates to another message (wsa:RelatesTo)');
    if (!parsed.payload) throw fail('malformed', 'SOAP response with an empty Body');
    return { envelopeXml, body: parsed, attachments, messageId };
  }

  private post(call: SoapCall, envelope: string): Promise<RawResponse> {
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    let url: URL;
    try {
      url = new URL(call.endpoint);
    } catch {
      return Promise.reject(new GatewayError({ country: call.country, kind: 'connection', message: 'invalid endpoint URL' }));
    }
    const secure = url.protocol === 'https:';
    const payload = Buffer.from(envelope, 'utf8');
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      let req: http.ClientRequest;
      const finish = (err: GatewayError | null, value?: RawResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(value as RawResponse);
      };
      const gatewayError = (kind: 'timeout' | 'connection' | 'malformed', message: string, httpStatus?: number): GatewayError =>
        new GatewayError({ country: call.country, kind, message, httpStatus });
      const send = (isRetry: boolean): void => {
        req = (secure ? https : http).request(url, {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: {
            'Content-Type': `application/soap+xml; charset=UTF-8; action="${call.action}"`,
            'Content-Length': payload.length,
            Accept: 'application/soap+xml, multipart/related',
          },
        });
        const sent = req;
        let answered = false;
        sent.on('error', (e: NodeJS.ErrnoException) => {
          // A kept-alive connection the gateway closed while idle, just as we reused it (it read nothing):
          // sent once more on a new connection, as node's documentation advises. Our calls are queries.
          if (!isRetry && !settled && !answered && sent.reusedSocket && STALE_CONNECTION_CODES.has(e.code ?? '')) return send(true);
          finish(gatewayError('connection', `connection failed (${e.code ?? e.message})`));
        });
        sent.on('response', (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxResponseBytes) finish(gatewayError('malformed', `response larger than ${this.maxResponseBytes} bytes`, res.statusCode));
            else chunks.push(chunk);
          });
          res.on('close', () => {
            if (!res.complete) finish(gatewayError('connection', 'connection dropped during the response', res.statusCode));
          });
          res.on('error', (e: NodeJS.ErrnoException) => finish(gatewayError('connection', `connection dropped during the response (${e.code ?? e.message})`, res.statusCode)));
          res.on('end', () => {
            if (!res.complete) finish(gatewayError('connection', 'connection dropped during the response', res.statusCode));
            else finish(null, { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
          });
        });
        sent.end(payload);
      };
      // One deadline for the call, a retry included.
      const timer = setTimeout(() => finish(gatewayError('timeout', `no complete answer within ${timeoutMs} ms`)), timeoutMs);
      send(false);
    });
  }

  /** Closes pooled keep-alive connections (tests, shutdown). */
  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }
}
