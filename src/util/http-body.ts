/** Reading a plain node:http request body with a ceiling (the embedded stand-ins' servers). */
import type http from 'node:http';

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
