import { FhirError } from '../kernel/errors.js';
import { datePrefixOf, fhirDateRange, type DatePrefix, type DateRange } from '../kernel/fhir-date.js';
import type { AuditFilter } from '../store/types.js';

/** A search parameter as Express's simple query parser gives it. */
export type QueryValue = string | string[] | undefined;

const PREFIXES = ['eq', 'gt', 'ge', 'lt', 'le', 'sa', 'eb'] as const satisfies readonly DatePrefix[];

function values(v: QueryValue): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

function badDate(value: string, why: string): FhirError {
  return FhirError.badRequest(`AuditEvent date parameter "${value}": ${why}`, ['date'], 'value');
}

/**
 * The instant range [start, end) a FHIR date value stands for, by its
 * precision: 2026 → the year, 2026-03 → the month, 2026-03-01 → the day,
 * a time → that second (or millisecond). Dates without a time zone are UTC days.
 */
export function dateRange(value: string): DateRange {
  return fhirDateRange(value, (why) => badDate(value, why));
}

/**
 * Narrows [from, to) by one `date` value. The event's `recorded` is an
 * instant: eq = inside the value's range, ge = from its start, le = up to its
 * end, gt/sa = after the range, lt/eb = before it.
 */
function applyDate(filter: AuditFilter, raw: string): void {
  const { prefix, value: rest } = datePrefixOf(raw, PREFIXES, (why) => badDate(raw, why));
  const { start, end } = dateRange(rest);
  const later = (a: Date | undefined, b: Date) => (a && a > b ? a : b);
  const earlier = (a: Date | undefined, b: Date) => (a && a < b ? a : b);
  switch (prefix) {
    case 'eq':
      filter.from = later(filter.from, start);
      filter.to = earlier(filter.to, end);
      break;
    case 'ge':
      filter.from = later(filter.from, start);
      break;
    case 'gt':
    case 'sa':
      filter.from = later(filter.from, end);
      break;
    case 'le':
      filter.to = earlier(filter.to, end);
      break;
    case 'lt':
    case 'eb':
      filter.to = earlier(filter.to, start);
      break;
  }
}

/** `Patient/<id>`, a full URL ending so, or a bare id → the id. */
function patientHandle(raw: string): string {
  const m = /^(?:.*\/)?(?:Patient\/)?([A-Za-z0-9.-]{1,64})$/.exec(raw);
  if (!m || (raw.includes('/') && !/(^|\/)Patient\/[^/]+$/.test(raw))) {
    throw FhirError.badRequest(`AuditEvent patient parameter must be a Patient reference (Patient/<id>), got "${raw}"`, ['patient'], 'value');
  }
  return m[1];
}

/** `Practitioner/<id>`, `<system>|<value>` or a bare value → the national id to match. */
function agentId(raw: string): string {
  if (raw.includes('|')) return raw.slice(raw.indexOf('|') + 1);
  const m = /^(?:.*\/)?(?:Practitioner\/)?([^/]+)$/.exec(raw);
  if (!m || (raw.includes('/') && !/(^|\/)Practitioner\/[^/]+$/.test(raw))) {
    throw FhirError.badRequest(`AuditEvent agent parameter must be a Practitioner reference or a national id, got "${raw}"`, ['agent'], 'value');
  }
  return m[1];
}

/**
 * The store filter of `GET AuditEvent?patient=&date=&agent=`: several `date`
 * values combine (AND), e.g. date=ge2026-01-01&date=lt2026-02-01. Bad values
 * are 400 FhirErrors naming the parameter. One patient and one agent at most
 * (a comma list would be OR, which the store does not do).
 */
export function auditFilterFromSearch(query: { patient?: QueryValue; date?: QueryValue; agent?: QueryValue }): AuditFilter {
  const filter: AuditFilter = {};
  for (const raw of values(query.date)) applyDate(filter, raw);
  const patients = values(query.patient);
  if (patients.length > 1) throw FhirError.badRequest('AuditEvent search takes one patient', ['patient'], 'not-supported');
  if (patients[0]) filter.patientHandle = patientHandle(patients[0]);
  const agents = values(query.agent);
  if (agents.length > 1) throw FhirError.badRequest('AuditEvent search takes one agent', ['agent'], 'not-supported');
  if (agents[0]) filter.agent = agentId(agents[0]);
  return filter;
}
