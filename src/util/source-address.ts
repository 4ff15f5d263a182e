import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * The portal calls this server's own FHIR API over loopback on behalf of a
 * browser: the browser's address travels in FORWARDED_CLIENT_HEADER, believed
 * only when the call comes from loopback with this process's key (random, never
 * leaves the process), so that audit and rate limits see the professional's
 * address rather than 127.0.0.1, and nobody else can claim another address.
 */
export const FORWARDED_CLIENT_HEADER = 'x-facade-client-address';
export const INTERNAL_KEY_HEADER = 'x-facade-internal-key';
const INTERNAL_KEY = randomBytes(32).toString('base64url');
const LOOPBACK = /^(?:127\.|::1$|::ffff:127\.)/;

/** A loopback peer: 127.0.0.0/8 or ::1 (IPv4-mapped too). */
export function isLoopbackAddress(address: string | undefined): boolean {
  return !!address && LOOPBACK.test(address);
}

/** The headers an in-process client adds to tell the browser's address. */
export function forwardedClientHeaders(clientAddress: string): Record<string, string> {
  return { [FORWARDED_CLIENT_HEADER]: clientAddress, [INTERNAL_KEY_HEADER]: INTERNAL_KEY };
}

function isInternalCall(req: Request, peer: string): boolean {
  const key = req.get(INTERNAL_KEY_HEADER);
  if (!key || !isLoopbackAddress(peer)) return false;
  const a = Buffer.from(key);
  const b = Buffer.from(INTERNAL_KEY);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The address the request came from: the socket's peer, or the client a trusted proxy names (TRUST_PROXY, req.ip). */
export function sourceAddressOf(req: Request): string {
  const forwarded = req.get(FORWARDED_CLIENT_HEADER);
  // The portal's own call is recognised by the socket (never by a proxy's X-Forwarded-For).
  if (forwarded && forwarded.length <= 64 && isInternalCall(req, req.socket?.remoteAddress ?? '')) return forwarded;
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
