/**
 * MTOM/XOP multipart (multipart/related) reading and writing. Retrieve
 * responses carry the documents as binary parts referenced by xop:Include;
 * a multipart without its closing boundary is truncated and refused.
 */
import { randomUUID } from 'node:crypto';

export class MtomError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MtomError';
  }
}

export interface MimePart {
  contentType: string;
  data: Buffer;
}

export interface MtomMessage {
  rootXml: string;
  rootContentType: string;
  /** Attachments by Content-ID (without angle brackets or "cid:"). */
  parts: Map<string, MimePart>;
}

/** Parameters of a Content-Type header value (lower-cased names, unquoted values). */
export function contentTypeParams(header: string): { mediaType: string; params: Record<string, string> } {
  const [first, ...rest] = splitHeaderParams(header);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let value = p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    params[name] = value;
  }
  return { mediaType: (first ?? '').trim().toLowerCase(), params };
}

/** Splits on ';' outside double quotes. */
function splitHeaderParams(header: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '\\' && quoted && i + 1 < header.length) {
      cur += c + header[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function isMultipart(contentTypeHeader: string | undefined): boolean {
  return !!contentTypeHeader && contentTypeParams(contentTypeHeader).mediaType.startsWith('multipart/');
}

/** Normalises a Content-ID or a cid: URL to the bare id. */
export function normaliseCid(value: string): string {
  let v = value.trim();
  if (v.toLowerCase().startsWith('cid:')) {
    v = v.slice(4);
    try {
      v = decodeURIComponent(v);
    } catch {
      // keep as is: a malformed escape is compared literally
    }
  }
  return v.replace(/^<|>$/g, '');
}

function parsePartHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  // Unfold continuation lines, then split name: value.
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Parses an MTOM/XOP multipart body. Throws MtomError on anything malformed or truncated. */
export function parseMtom(contentTypeHeader: string, body: Buffer): MtomMessage {
  const { mediaType, params } = contentTypeParams(contentTypeHeader);
  if (!mediaType.startsWith('multipart/')) throw new MtomError(`not a multipart message (${mediaType})`);
  const boundary = params.boundary;
  if (!boundary) throw new MtomError('multipart Content-Type without boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const rawParts: Buffer[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MtomError('multipart boundary not found');
  let closed = false;
  while (pos >= 0) {
    const afterDelim = pos + delimiter.length;
    if (body.subarray(afterDelim, afterDelim + 2).toString('latin1') === '--') {
      closed = true;
      break;
    }
    // A delimiter line ends with CRLF (transport padding tolerated).
    const lineEnd = body.indexOf('\r\n', afterDelim);
    if (lineEnd < 0) break;
    const start = lineEnd + 2;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), start);
    if (next < 0) break;
    rawParts.push(body.subarray(start, next));
    pos = next + 2;
  }
  if (!closed) throw new MtomError('multipart message truncated (no closing boundary)');
  if (rawParts.length === 0) throw new MtomError('multipart message without parts');

  const parsed = rawParts.map((raw) => {
    const sep = raw.indexOf('\r\n\r\n');
    const headerBlock = sep < 0 ? raw.toString('latin1') : raw.subarray(0, sep).toString('latin1');
    if (sep < 0) throw new MtomError('multipart part without header separator');
    const headers = parsePartHeaders(headerBlock);
    let data: Buffer = raw.subarray(sep + 4);
    const encoding = (headers['content-transfer-encoding'] ?? 'binary').toLowerCase();
    if (encoding === 'base64') data = Buffer.from(data.toString('latin1').replace(/\s+/g, ''), 'base64');
    else if (!['binary', '8bit', '7bit'].includes(encoding)) throw new MtomError(`unsupported Content-Transfer-Encoding ${encoding}`);
    return { cid: headers['content-id'] ? normaliseCid(headers['content-id']) : undefined, contentType: headers['content-type'] ?? 'application/octet-stream', data };
  });

  const startCid = params.start ? normaliseCid(params.start) : undefined;
  const rootIndex = startCid ? parsed.findIndex((p) => p.cid === startCid) : 0;
  if (rootIndex < 0) throw new MtomError('multipart root part (start) not found');
  const root = parsed[rootIndex];
  const parts = new Map<string, MimePart>();
  parsed.forEach((p, i) => {
    if (i !== rootIndex && p.cid) parts.set(p.cid, { contentType: p.contentType, data: p.data });
  });
  return { rootXml: root.data.toString('utf8'), rootContentType: root.contentType, parts };
}

export interface MtomAttachment {
  cid: string;
  contentType: string;
  data: Buffer;
}

/** Builds an MTOM/XOP multipart message around a SOAP 1.2 envelope. */
export function buildMtom(rootXml: string, attachments: readonly MtomAttachment[], action?: string): { contentType: string; body: Buffer } {
  const boundary = `MIMEBoundary_${randomUUID().replace(/-/g, '')}`;
  const rootCid = `root.${randomUUID()}@ehdsi-fhir-facade`;
  const startInfo = 'application/soap+xml';
  const actionParam = action ? `; action="${action.replace(/"/g, '')}"` : '';
  const chunks: Buffer[] = [];
  const part = (headers: string[], data: Buffer): void => {
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'), data, Buffer.from('\r\n'));
  };
  part([`Content-Type: application/xop+xml; charset=UTF-8; type="${startInfo}"${actionParam}`, 'Content-Transfer-Encoding: binary', `Content-ID: <${rootCid}>`], Buffer.from(rootXml, 'utf8'));
  for (const a of attachments) {
    part([`Content-Type: ${a.contentType}`, 'Content-Transfer-Encoding: binary', `Content-ID: <${a.cid}>`], a.data);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const contentType = `multipart/related; boundary="${boundary}"; type="application/xop+xml"; start="<${rootCid}>"; start-info="${startInfo}"`;
  return { contentType, body: Buffer.concat(chunks) };
}
