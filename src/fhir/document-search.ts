/**
 * The search parameters of MHD ITI-67 (DocumentReference) beyond `patient`:
 * type and category (LOINC token), creation (content.attachment.creation) and
 * period (context.period) as FHIR dates with prefixes, status. Read and
 * checked before anything is asked of a country (a bad value is a 400 in
 * French and English), they choose what the country is asked (the scope) and
 * which of the listed documents match.
 */
import { ORCD_KINDS, type OrcdKind } from '../ehdsi/xca-query/orcd.js';
import type { ListingScope } from '../journey/index.js';
import { FhirError } from '../kernel/errors.js';
import { parseToken } from './token.js';
import { DATE_PREFIXES, dateMatches, datePrefixOf, fhirDateRange, type DatePrefix, type DateRange, type TargetRange } from '../kernel/fhir-date.js';

const PATIENT_SUMMARY = '60591-5';
const LOINC_SYSTEMS = new Set(['http://loinc.org', 'urn:oid:2.16.840.1.113883.6.1']);
const STATUS_SYSTEM = 'http://hl7.org/fhir/document-reference-status';
const STATUSES = new Set(['current', 'superseded', 'entered-in-error']);
/** The types (and categories) the facade serves: the patient summary's, then the kinds of original clinical documents. */
export const SERVED_TYPES: readonly string[] = [PATIENT_SUMMARY, ...ORCD_KINDS.map((k) => k.classCode)];

interface DateValue {
  prefix: DatePrefix;
  range: DateRange;
}

/** What a DocumentReference search asks for; each list is ANDed (the parameter repeated), each inner list ORed (values after commas). */
export interface DocumentSearch {
  types?: ReadonlySet<string>;
  categories?: ReadonlySet<string>;
  creation: DateValue[][];
  period: DateValue[][];
  /** false when the statuses asked leave out `current`, the only one the facade's documents have. */
  current: boolean;
}

function invalid(param: string, value: string, fr: string, en: string): FhirError {
  const shown = value.slice(0, 80);
  return new FhirError(400, {
    code: 'value',
    diagnostics: `DocumentReference ${param} « ${shown} » : ${fr} (${en})`,
    details: { text: `Paramètre ${param} « ${shown} » : ${fr}` },
    expression: [param],
  });
}

/** The values of a parameter: one list per occurrence, its comma-separated values. */
function occurrences(params: URLSearchParams, name: string): string[][] {
  return params.getAll(name).map((v) => v.split(',').map((x) => x.trim()));
}

/** A LOINC token (system|code, or code alone) among the served types; the intersection over occurrences. */
function codes(params: URLSearchParams, name: 'type' | 'category'): ReadonlySet<string> | undefined {
  const lists = occurrences(params, name);
  if (!lists.length) return undefined;
  const sets = lists.map((list) => new Set(list.map((raw) => {
    const { system, value: code } = parseToken(raw);
    if (system !== undefined && !LOINC_SYSTEMS.has(system)) {
      throw invalid(name, raw, 'seuls les codes LOINC sont reconnus (http://loinc.org|<code>)', 'only LOINC codes are known: http://loinc.org|<code>');
    }
    if (!SERVED_TYPES.includes(code)) {
      throw invalid(name, raw, `ce type de document n’est pas servi ; types servis : ${SERVED_TYPES.join(', ')}`, `not a type of document served here; served: ${SERVED_TYPES.join(', ')}`);
    }
    return code;
  })));
  return new Set(SERVED_TYPES.filter((c) => sets.every((s) => s.has(c))));
}

function dates(params: URLSearchParams, name: 'creation' | 'period'): DateValue[][] {
  return occurrences(params, name).map((list) => list.map((raw) => {
    const bad = (why: string) => invalid(name, raw, `date FHIR attendue, préfixée par ${DATE_PREFIXES.join(', ')}`, why);
    const { prefix, value } = datePrefixOf(raw, DATE_PREFIXES, bad);
    return { prefix, range: fhirDateRange(value, bad) };
  }));
}

function status(params: URLSearchParams): boolean {
  const lists = occurrences(params, 'status');
  return lists.every((list) => list.some((raw) => {
    const { system, value: code } = parseToken(raw);
    if ((system !== undefined && system !== STATUS_SYSTEM) || !STATUSES.has(code)) {
      throw invalid('status', raw, 'statut attendu : current, superseded ou entered-in-error', 'expected current, superseded or entered-in-error');
    }
    return code === 'current';
  }));
}

/** The search a request's parameters (or its page link's) describe; 400 on any value the facade cannot search by. */
export function documentSearch(params: URLSearchParams): DocumentSearch {
  return { types: codes(params, 'type'), categories: codes(params, 'category'), creation: dates(params, 'creation'), period: dates(params, 'period'), current: status(params) };
}

/**
 * What the country must be asked for the search: nothing when no served
 * document can match (a status other than current, types that exclude each
 * other); the patient summary only when its type is asked and no period is
 * (its documents have no care period); the kinds of originals asked.
 */
export function documentScope(search: DocumentSearch): ListingScope {
  if (!search.current) return { summary: false, originals: [] };
  const wanted = (code: string) => (!search.types || search.types.has(code)) && (!search.categories || search.categories.has(code));
  return {
    summary: wanted(PATIENT_SUMMARY) && search.period.length === 0,
    originals: ORCD_KINDS.filter((k) => wanted(k.classCode)).map((k): OrcdKind => k.kind),
  };
}

/** The range of a FHIR date or dateTime value of a resource; undefined when it cannot be read. */
function rangeOf(value: string | undefined): DateRange | undefined {
  if (!value) return undefined;
  try {
    return fhirDateRange(value, () => new Error('unreadable'));
  } catch {
    return undefined;
  }
}

function matchesDates(groups: DateValue[][], target: TargetRange | undefined): boolean {
  return groups.every((group) => target !== undefined && group.some((v) => dateMatches(v.prefix, v.range, target)));
}

const hasCode = (cc: fhir4.CodeableConcept | undefined, set: ReadonlySet<string>): boolean =>
  (cc?.coding ?? []).some((c) => c.code !== undefined && (c.system === undefined || LOINC_SYSTEMS.has(c.system)) && set.has(c.code));

/** Whether a listed DocumentReference matches the search (a document without the element searched on does not). */
export function matchesDocument(dr: fhir4.DocumentReference, search: DocumentSearch): boolean {
  if (!search.current || dr.status !== 'current') return false;
  if (search.types && !hasCode(dr.type, search.types)) return false;
  if (search.categories && !(dr.category ?? []).some((c) => hasCode(c, search.categories!))) return false;
  if (!matchesDates(search.creation, rangeOf(dr.content[0]?.attachment.creation))) return false;
  const period = dr.context?.period;
  const start = rangeOf(period?.start);
  const end = rangeOf(period?.end);
  return matchesDates(search.period, period && (start || end) ? { start: start?.start, end: end?.end } : undefined);
}
