/** Reading request bodies with a ceiling (src/util/http-body.ts) and writing answers, for the simulator's HTTP server. */
import type http from 'node:http';
import type { GatewayReply } from './gateway.js';

export { BodyTooLargeError, readBody } from '../util/http-body.js';

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(JSON.stringify(value, null, 2));
}

export function sendReply(res: http.ServerResponse, reply: GatewayReply): void {
  res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': reply.body.length }).end(reply.body);
}
