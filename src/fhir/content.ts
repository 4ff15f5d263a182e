import type { Request, Response } from 'express';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../util/json-depth.js';
import { FhirError } from '../kernel/errors.js';
import type { Resource } from '../kernel/types.js';
import { checkXmlResource, resourceToXml, xmlToResource } from './xml.js';

export type FhirFormat = 'json' | 'xml';

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_XML = 'application/fhir+xml';

const FORMAT_ALIASES: Record<string, FhirFormat> = {
  json: 'json',
  'application/fhir+json': 'json',
  'application/json': 'json',
  'application/json+fhir': 'json',
  xml: 'xml',
  'application/fhir+xml': 'xml',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/xml+fhir': 'xml',
};

interface AcceptEntry {
  type: string;
  q: number;
}

/** Parses an Accept header into media types (without parameters) ordered by preference. */
export function parseAccept(header: string | undefined): AcceptEntry[] {
  if (!header || !header.trim()) return [];
  return header.split(',').map((part, index) => {
    const [type, ...params] = part.trim().split(';').map((s) => s.trim());
    let q = 1;
    for (const p of params) {
      const m = /^q=([0-9.]+)$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    return { type: type.toLowerCase(), q: Number.isFinite(q) ? q : 0, index };
  }).filter((e) => e.type && e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map(({ type, q }) => ({ type, q }));
}

function formatOfMediaType(type: string): FhirFormat | undefined {
  if (type === '*/*' || type === 'application/*') return 'json';
  return FORMAT_ALIASES[type];
}

/**
 * Chooses the response format: `_format` wins over `Accept`; JSON by default.
 * `extraTypes` are non-FHIR media types the handler can also produce (e.g. application/pdf).
 * Throws 406 when nothing acceptable can be produced.
 */
export function negotiate(req: Request, extraTypes: readonly string[] = []): { format: FhirFormat; raw?: string } {
  const formatParam = typeof req.query._format === 'string' ? req.query._format.trim().toLowerCase().split(';')[0] : undefined;
  if (formatParam !== undefined) {
    const f = FORMAT_ALIASES[formatParam];
    if (f) return { format: f };
    if (extraTypes.includes(formatParam)) return { format: 'json', raw: formatParam };
    throw new FhirError(406, { code: 'not-supported', diagnostics: `_format "${formatParam}" is not supported; use json or xml` });
  }
  const accepted = parseAccept(req.headers.accept);
  if (!accepted.length) return extraTypes.length ? { format: 'json', raw: extraTypes[0] } : { format: 'json' };
  for (const { type } of accepted) {
    if (extraTypes.includes(type)) return { format: 'json', raw: type };
    if (extraTypes.length && type === '*/*') return { format: 'json', raw: extraTypes[0] };
    const family = extraTypes.find((t) => type === `${t.split('/')[0]}/*`);
    if (family) return { format: 'json', raw: family };
    const f = formatOfMediaType(type);
    if (f) return { format: f };
  }
  throw new FhirError(406, {
    code: 'not-supported',
    diagnostics: `None of the media types in Accept can be served; use ${[FHIR_JSON, FHIR_XML, ...extraTypes].join(', ')}`,
  });
}

export function isPretty(req: Request): boolean {
  return req.query._pretty === 'true';
}

export function serialise(resource: Resource, format: FhirFormat, pretty: boolean): { contentType: string; body: string } {
  if (format === 'xml') return { contentType: `${FHIR_XML}; charset=utf-8`, body: resourceToXml(resource, pretty) };
  return { contentType: `${FHIR_JSON}; charset=utf-8`, body: JSON.stringify(resource, null, pretty ? 2 : undefined) };
}

export function sendResource(req: Request, res: Response, resource: Resource, status = 200, format?: FhirFormat): void {
  let chosen = format;
  if (!chosen) {
    try {
      chosen = negotiate(req).format;
    } catch {
      chosen = 'json'; // an error answer must still be readable
    }
  }
  const { contentType, body } = serialise(resource, chosen, isPretty(req));
  res.status(status).type(contentType).send(body);
}

/** Media types of request bodies, by what we parse them as. */
export function bodyKind(contentTypeHeader: string | undefined): 'json' | 'xml' | 'form' | undefined {
  if (!contentTypeHeader) return undefined;
  const [type, ...params] = contentTypeHeader.toLowerCase().split(';').map((s) => s.trim());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new FhirError(415, { code: 'not-supported', diagnostics: `Charset "${charset}" is not supported; send UTF-8` });
  }
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return FORMAT_ALIASES[type];
}

/** Parses a request body into a resource, per its Content-Type. */
export function parseResourceBody(contentType: string | undefined, raw: Buffer): Resource {
  const kind = bodyKind(contentType);
  if (kind !== 'json' && kind !== 'xml') {
    throw new FhirError(415, {
      code: 'not-supported',
      diagnostics: `Content-Type "${contentType ?? '(none)'}" is not supported; send ${FHIR_JSON} or ${FHIR_XML}`,
    });
  }
  const text = raw.toString('utf8');
  if (!text.trim()) throw FhirError.badRequest('Request body is empty', undefined, 'required');
  if (kind === 'xml') return notTooDeep(xmlToResource(text));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw FhirError.badRequest(`Malformed JSON: ${(e as Error).message}`, undefined, 'structure');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw FhirError.badRequest('JSON body must be a FHIR resource object', undefined, 'structure');
  }
  return notTooDeep(parsed as Resource);
}

/**
 * What is made of a request body before authentication (every body is read and
 * checked before routing, so that a malformed one is a 400 whatever its
 * target), at a cost linear in its size and small: JSON is parsed (and its
 * depth checked); XML only goes through checkXmlResource (the XML policy,
 * well-formedness, the FHIR namespace), as its conversion by FHIR.js costs
 * seconds per MiB and waits until the caller is authenticated
 * (parseResourceBody then). Returns the resource when it is already parsed.
 */
export function precheckResourceBody(contentType: string | undefined, raw: Buffer): Resource | undefined {
  if (bodyKind(contentType) !== 'xml') return parseResourceBody(contentType, raw);
  const text = raw.toString('utf8');
  if (!text.trim()) throw FhirError.badRequest('Request body is empty', undefined, 'required');
  checkXmlResource(text);
  return undefined;
}

/**
 * Refuses a resource nested deeper than MAX_JSON_DEPTH (checked without
 * recursion), before the schema validation or anything else walks it
 * recursively: a body is parsed before authentication, so this bounds what an
 * anonymous request can cost.
 */
function notTooDeep(resource: Resource): Resource {
  if (exceedsJsonDepth(resource, MAX_JSON_DEPTH)) {
    throw FhirError.badRequest(`Request body nested deeper than ${MAX_JSON_DEPTH} levels (JSON objects and arrays) is refused`, undefined, 'too-costly');
  }
  return resource;
}

/**
 * A body on a method that takes none (GET, HEAD, DELETE…): refused rather
 * than ignored (it has no meaning, RFC 9110 §9.3.1, and is never read).
 */
export function hasUnexpectedBody(req: Request): boolean {
  if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') return false;
  const length = req.headers['content-length'];
  return (length !== undefined && length.trim() !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * An error while reading a request body, as the client's fault where it is:
 * a body that does not decode as its Content-Encoding says (not compressed at
 * all, corrupt, truncated: zlib's errors carry no body-parser `type`) is a 400,
 * not a 500. The decoded size is bounded by the body limit (413) as it is read.
 */
export function bodyReadError(err: unknown, req: Request): unknown {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && err instanceof Error && typeof (err as { type?: unknown }).type !== 'string') {
    return FhirError.badRequest(`Request body is not valid "${encoding}" data as its Content-Encoding says (${err.message})`, undefined, 'invalid');
  }
  return err;
}
