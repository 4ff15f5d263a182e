/** Where a transaction goes: one country's gateway endpoint for that transaction. */
export interface GatewayTarget {
  /** ISO 3166-1 alpha-2 code, named in every error. */
  country: string;
  /** URL of the country's endpoint for this transaction (XCPD, XCA query or XCA retrieve). */
  endpoint: string;
  /** The country's home community OID (without urn:oid:). */
  homeCommunityId: string;
  timeoutMs?: number;
}

/** Removes a urn:oid: prefix. */
export function bareOid(value: string): string {
  return value.replace(/^urn:oid:/i, '');
}
