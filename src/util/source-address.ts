import type { Request } from 'express';

/** The address the request came from (the socket's peer; a reverse proxy's own address behind one). */
export function sourceAddressOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
