/**
 * Conditional reads (FHIR http.html#cread, RFC 9110 §13): every read and
 * vread answers an ETag and, when known, a Last-Modified; a client whose copy
 * is current gets 304 Not Modified, without a body. The dispatcher asks once
 * the answer is serialised (src/fhir/app.ts), for every read alike.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Resource } from '../kernel/types.js';

/** The validators of one answer, as response headers. */
export interface Validators {
  ETag: string;
  'Last-Modified'?: string;
}

function headerOf(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/**
 * The validators of a read's answer: the handler's own when it gives them;
 * else a weak ETag W/"<versionId>" when the resource has meta.versionId, a
 * hash of the bytes served otherwise (a resource computed on each read, a
 * document), and Last-Modified from meta.lastUpdated.
 */
export function validatorsOf(resource: Resource | undefined, served: string | Buffer, headers: Record<string, string> = {}): Validators {
  const meta = (resource as { meta?: fhir4.Meta } | undefined)?.meta;
  const etag = headerOf(headers, 'ETag')
    ?? `W/"${meta?.versionId ?? createHash('sha256').update(served).digest('base64url').slice(0, 27)}"`;
  const lastUpdated = meta?.lastUpdated !== undefined && !Number.isNaN(Date.parse(meta.lastUpdated)) ? new Date(meta.lastUpdated).toUTCString() : undefined;
  const lastModified = headerOf(headers, 'Last-Modified') ?? lastUpdated;
  return { ETag: etag, ...(lastModified !== undefined ? { 'Last-Modified': lastModified } : {}) };
}

/** An entity tag without its weakness and quotes: what the weak comparison compares. */
function opaqueTag(tag: string): string {
  return tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * Whether the client's copy is current: If-None-Match names the ETag (weak
 * comparison) or is `*`; without it, Last-Modified is not after
 * If-Modified-Since. `Cache-Control: no-cache` does not change it: it asks
 * caches to validate with the origin, which is what this is (and fetch()
 * adds it to every request with a validator). At least as lenient as
 * Express's own freshness test (the `fresh` package, run by res.send): an
 * answer judged modified here is never turned into a 304 behind the audit's back.
 */
export function isNotModified(req: Request, validators: Validators): boolean {
  const noneMatch = req.headers['if-none-match'];
  const modifiedSince = req.headers['if-modified-since'];
  if (noneMatch) {
    const tags = noneMatch.split(',').map(opaqueTag);
    return tags.includes('*') || tags.includes(opaqueTag(validators.ETag));
  }
  if (!modifiedSince || validators['Last-Modified'] === undefined) return false;
  const since = Date.parse(modifiedSince);
  const modified = Date.parse(validators['Last-Modified']);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}
