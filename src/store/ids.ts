import { randomBytes } from 'node:crypto';

/**
 * A random, unguessable FHIR id: 160 bits as 40 lowercase hex characters
 * (FHIR ids allow [A-Za-z0-9.-], so base64url's "_" is out).
 */
export function newOpaqueId(): string {
  return randomBytes(20).toString('hex');
}

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** Ids from a URL are checked before any query: anything else cannot exist. */
export function isFhirId(value: string): boolean {
  return FHIR_ID.test(value);
}
