/** Small helpers shared by the simulator's response builders. */
import { createHash } from 'node:crypto';

/** HL7 v3 / XDS timestamp YYYYMMDDHHMMSS (UTC). */
export function hl7Timestamp(d: Date = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * An HL7 TS with its time zone (YYYYMMDDhhmmss±zzzz, as a CDA effectiveTime)
 * as the UTC DTM XDS metadata carries; undefined when it is not a timestamp.
 */
export function hl7ToUtcTimestamp(ts: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{2})?(\d{2})?$/.exec(ts.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', se = '00', zh, zm = '00'] = m;
  const zone = zh ? `${zh}:${zm}` : 'Z';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${se}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : hl7Timestamp(date);
}

/** A stable urn:uuid derived from a text (same input, same id), shaped like a version 5 UUID. */
export function stableUuidUrn(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Lower-case, accent-free, single-spaced form of a name, for matching demographics. */
export function foldName(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
