/**
 * FHIR date search values (http://hl7.org/fhir/R4/search.html#date): the
 * range of instants a value stands for by its precision, its prefix, and
 * whether a target's range matches, as the specification defines each prefix.
 */

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

export const DATE_PREFIXES = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sa', 'eb'] as const;
export type DatePrefix = (typeof DATE_PREFIXES)[number];

/** [start, end): the instants a value stands for. */
export interface DateRange {
  start: Date;
  end: Date;
}

/** A target's range; an open end (an ongoing period, one without a start) is absent. */
export interface TargetRange {
  start?: Date;
  end?: Date;
}

function tzOffsetMs(tz: string): number {
  if (tz === 'Z') return 0;
  const sign = tz.startsWith('-') ? -1 : 1;
  return sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
}

/**
 * The instant range [start, end) a FHIR date, dateTime or instant value stands
 * for, by its precision: 2026 → the year, 2026-03 → the month, 2026-03-01 →
 * the day (UTC), a time → that minute, second or millisecond. `invalid` makes
 * the error thrown for a value that is none of these (why it is refused).
 */
export function fhirDateRange(value: string, invalid: (why: string) => Error): DateRange {
  const m = DATE.exec(value);
  if (!m) throw invalid('expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]] with a time zone');
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  if (month > 11 || day > 31) throw invalid('not a real date');
  if (h) {
    const offset = tzOffsetMs(tz);
    if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59 || Math.abs(offset) > 14 * 3_600_000) throw invalid('not a real time');
    const ms = frac ? Math.floor(Number(frac) * 1000) : 0;
    const local = new Date(Date.UTC(year, month, day, Number(h), Number(mi), Number(s ?? 0), ms));
    if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month || local.getUTCDate() !== day) throw invalid('not a real date');
    const start = new Date(local.getTime() - offset);
    const step = frac ? 1 : s ? 1000 : 60_000;
    return { start, end: new Date(start.getTime() + step) };
  }
  const start = new Date(Date.UTC(year, month, day));
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month || start.getUTCDate() !== day) throw invalid('not a real date');
  const end = d ? new Date(Date.UTC(year, month, day + 1)) : mo ? new Date(Date.UTC(year, month + 1, 1)) : new Date(Date.UTC(year + 1, 0, 1));
  return { start, end };
}

/** A search value split into its prefix (default eq) and date; a prefix outside `allowed` is refused through `invalid`. */
export function datePrefixOf(raw: string, allowed: readonly DatePrefix[], invalid: (why: string) => Error): { prefix: DatePrefix; value: string } {
  const [, given, value] = /^([a-z]{2})?(.*)$/.exec(raw)!;
  if (given !== undefined && !(allowed as readonly string[]).includes(given)) throw invalid(`prefix "${given}" is not supported (use ${allowed.join(', ')})`);
  return { prefix: (given ?? 'eq') as DatePrefix, value };
}

/**
 * Whether a target's range matches a search value's range under a prefix:
 * eq the search range contains the target's, ne it does not, gt/lt the range
 * above/below the search value intersects the target's, ge/le the same or eq,
 * sa the target starts after the search range, eb it ends before it.
 */
export function dateMatches(prefix: DatePrefix, search: DateRange, target: TargetRange): boolean {
  const start = target.start?.getTime() ?? -Infinity;
  const end = target.end?.getTime() ?? Infinity;
  const s = search.start.getTime();
  const e = search.end.getTime();
  const eq = start >= s && end <= e;
  switch (prefix) {
    case 'eq':
      return eq;
    case 'ne':
      return !eq;
    case 'gt':
      return end > e;
    case 'lt':
      return start < s;
    case 'ge':
      return end > e || eq;
    case 'le':
      return start < s || eq;
    case 'sa':
      return start >= e;
    case 'eb':
      return end <= s;
  }
}
