/**
 * A retrieved document against its registry entry (ITI-38): the size and
 * SHA-1 the country announced must be those of the bytes it sent. A mismatch
 * is the gateway's failure (GatewayError `integrity`): such a document is
 * never served.
 */
import { createHash } from 'node:crypto';
import { GatewayError } from '../soap/gateway-error.js';

/** What the registry said of the document. */
export interface ExpectedDocument {
  /** Bytes (XDS `size`). */
  size?: number;
  /** SHA-1, hex (XDS `hash`). */
  hash?: string;
  /** When true, an entry without size or hash is refused too (nothing to check the bytes against). */
  required?: boolean;
}

const SHA1_HEX = /^[0-9a-fA-F]{40}$/;

/** True when the registry gave a size and a well-formed SHA-1 to check the document against. */
export function isVerifiable(expected: ExpectedDocument): boolean {
  return expected.size !== undefined && expected.hash !== undefined && SHA1_HEX.test(expected.hash);
}

/** Throws GatewayError (integrity) naming the country when `data` is not the document the registry described. */
export function checkRetrievedDocument(country: string, expected: ExpectedDocument, data: Buffer): void {
  const fail = (message: string): never => {
    throw new GatewayError({ country, kind: 'integrity', message });
  };
  if (expected.required && !isVerifiable(expected)) fail('the registry entry gives no size or SHA-1 to check the document against');
  if (expected.size !== undefined && expected.size !== data.byteLength) fail(`document of ${data.byteLength} bytes, the registry announced ${expected.size}`);
  if (expected.hash !== undefined) {
    if (!SHA1_HEX.test(expected.hash)) fail('the registry entry gives a malformed SHA-1');
    const actual = createHash('sha1').update(data).digest('hex');
    if (actual !== expected.hash.toLowerCase()) fail('document SHA-1 differs from the one the registry announced');
  }
}
