/**
 * Assertions already verified, by the digest of their exact bytes and of the
 * checks asked for. A gateway receives the same signed HCP assertion and TRC
 * on every call of a consultation; their signatures (XML canonicalisation and
 * RSA, most of a simulated country's work) are checked once. What depends on
 * the time — the validity window — is checked again on every use.
 */
import { createHash } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import type { Element } from '../soap/xml.js';
import { checkValidityWindow, verifyAssertion, type VerifiedAssertion, type VerifyOptions } from './verify.js';

const DEFAULT_MAX_ENTRIES = 5000;

export class VerifiedAssertions {
  private readonly byDigest = new Map<string, VerifiedAssertion>();

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** verifyAssertion's answer (or its AssertionError), without re-checking a signature seen before. */
  verify(input: string | Element, opts: VerifyOptions): VerifiedAssertion {
    const xml = typeof input === 'string' ? input : new XMLSerializer().serializeToString(input);
    const { now, clockSkewSeconds, ...checks } = opts;
    const key = createHash('sha256').update(JSON.stringify(checks)).update('\u0000').update(xml).digest('base64');
    const known = this.byDigest.get(key);
    if (known) {
      checkValidityWindow(known, { now, clockSkewSeconds });
      return known;
    }
    // Refusals are not kept: only what verified in full is.
    const verified = verifyAssertion(xml, opts);
    this.byDigest.set(key, verified);
    if (this.byDigest.size > this.maxEntries) this.byDigest.delete(this.byDigest.keys().next().value as string);
    return verified;
  }

  get size(): number {
    return this.byDigest.size;
  }
}
