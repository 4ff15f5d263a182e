/** Reading request bodies with a ceiling and writing answers, for the simulator's HTTP server. */
import type http from 'node:http';
import type { GatewayReply } from './gateway.js';

export class BodyTooLargeError extends Error {
  constructor(max: number) {
    super(`request larger than ${max} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The whole request body; rejects with BodyTooLargeError beyond `max` bytes (the rest is drained, not kept). */
export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(max));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(JSON.stringify(value, null, 2));
}

export function sendReply(res: http.ServerResponse, reply: GatewayReply): void {
  res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': reply.body.length }).end(reply.body);
}
