import { projectPath } from '../util/project.js';
import { SNOMED_OID } from './absence.js';
import { readDataFile, type DataFile } from './data-file.js';
import { UCUM } from './datatypes.js';
import { MapFileError } from './errors.js';
import { EXT } from './extensions.js';
import type { AbsentUnknownTable } from './map-types.js';
import { projectMaps } from './map-loader.js';
import { escapeXml, langAttr } from './narrative-writer.js';

/**
 * The narrative of a Composition section generated from its structured
 * entries, in the reader's language (docs/references.md#translation-of-the-patient-summary): one table per
 * resource type; each coded term is its translated text with the source's
 * wording beside it, untranslated terms are flagged, the project's
 * translations are marked (proposed "*", reviewed "†"), the source's free
 * text is shown as written and said to be so. Pure: FHIR in, XHTML out. The
 * words are data: mappings/narrative/labels.yaml. The helpers below the
 * labels are also those of the Composition's header (composition-narrative.ts).
 */

const DATA_ABSENT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';
const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';

export const NARRATIVE_LANGUAGES = ['fr', 'en'] as const;
export type NarrativeLanguage = (typeof NARRATIVE_LANGUAGES)[number];

export const COLUMN_KEYS = [
  'agent', 'reactions', 'severity', 'criticality', 'clinicalStatus', 'verificationStatus', 'allergyType', 'onset', 'abatement',
  'note', 'problem', 'bodySite', 'medication', 'dosage', 'period', 'reason', 'status', 'vaccine', 'date', 'doseNumber', 'lot',
  'targetDisease', 'procedure', 'device', 'observation', 'value', 'interpretation', 'referenceRange', 'assessment', 'finding',
  'resourceType', 'code',
] as const;
export type ColumnKey = (typeof COLUMN_KEYS)[number];

export const WORD_KEYS = [
  'untranslated', 'proposedTitle', 'proposedLegend', 'reviewedTitle', 'reviewedLegend', 'sourceText', 'yes', 'no', 'decimalSeparator',
  'day', 'month', 'year', 'dateTime', 'periodBoth', 'periodFrom', 'periodUntil', 'rangeBoth', 'rangeLow', 'rangeHigh', 'perDose', 'rate',
  'maxDose', 'asNeeded', 'asNeededFor', 'timesOne', 'timesMany', 'offset', 'duration', 'count', 'component', 'doseOfSeries',
] as const;
export type WordKey = (typeof WORD_KEYS)[number];

/** The words of the Composition's header (composition-narrative.ts). */
export const HEADER_KEYS = [
  'patient', 'birthDate', 'gender', 'identifier', 'documentDate', 'author', 'custodian', 'source', 'sourceLanguageCountry', 'confidentiality',
  'translated', 'untranslatedLegend', 'sourceTextLegend', 'officialLegend',
] as const;
export type HeaderKey = (typeof HEADER_KEYS)[number];

export interface NarrativeLabels {
  columns: Record<ColumnKey, string>;
  words: Record<WordKey, string>;
  header: Record<HeaderKey, string>;
  /** Timing.repeat.periodUnit → "par jour" and "tous les {n} jours". */
  periodUnits: Record<string, { per: string; every: string }>;
  /** UCUM code (a whole unit or one of its parts) → what the reader reads ("ug" → "µg"). */
  units: Record<string, string>;
  /** The heading of the Observation column: by the category all rows share, else by the section's LOINC code. */
  observationHeadings: { byCategory: Record<string, string>; bySection: Record<string, string> };
  /** data-absent-reason code → its word for a date (which the general words of codes may not agree with). */
  dateAbsentReasons: Record<string, string>;
  resourceTypes: Record<string, string>;
  /** FHIR element path (plain codes) or code system URI (concepts without text) → code → word. */
  codes: Record<string, Record<string, string>>;
}

export interface SectionNarrativeOptions {
  /** The reader's language (fr-FR…); 'en…' gives the English words. */
  language: string;
  /** The source document's language: the language of an originalText that is not the English pivot. */
  sourceLanguage?: string;
  /** The conversion's absence table (the "no known X" codes rendered as one row); default the project's. */
  absentUnknown?: AbsentUnknownTable;
}

export type ResolveReference = (reference: string) => fhir4.FhirResource | undefined;

// ---------------------------------------------------------------- labels

/**
 * Reads and checks the label file: every language has every column and word.
 * @param name the file as errors name it
 * @throws MapFileError naming the file and the line of what is wrong
 */
export function loadNarrativeLabels(file = projectPath('mappings', 'narrative', 'labels.yaml'), name?: string): Record<NarrativeLanguage, NarrativeLabels> {
  const labels = readDataFile(file, name);
  const data = labels.data as Record<string, Partial<NarrativeLabels> | undefined> | null;
  const fr = checkedLabels(data?.fr, labels, 'fr');
  const en = checkedLabels(data?.en, labels, 'en');
  return { fr, en };
}

function checkedLabels(l: Partial<NarrativeLabels> | undefined, file: DataFile, language: NarrativeLanguage): NarrativeLabels {
  const missing = [
    ...COLUMN_KEYS.filter((k) => typeof l?.columns?.[k] !== 'string').map((k) => `columns.${k}`),
    ...WORD_KEYS.filter((k) => typeof l?.words?.[k] !== 'string').map((k) => `words.${k}`),
    ...HEADER_KEYS.filter((k) => typeof l?.header?.[k] !== 'string').map((k) => `header.${k}`),
  ];
  // (the line of the first missing label's place: its block, or the language's)
  if (!l || missing.length) throw new MapFileError(file.name, file.lineOf(`/${language}/${missing[0]?.replace('.', '/') ?? ''}`), `${language}: missing ${missing.join(', ') || 'labels'}`);
  return {
    columns: l.columns!,
    words: l.words!,
    header: l.header!,
    periodUnits: l.periodUnits ?? {},
    units: l.units ?? {},
    observationHeadings: { byCategory: l.observationHeadings?.byCategory ?? {}, bySection: l.observationHeadings?.bySection ?? {} },
    dateAbsentReasons: l.dateAbsentReasons ?? {},
    resourceTypes: l.resourceTypes ?? {},
    codes: l.codes ?? {},
  };
}

let labelFile: Record<NarrativeLanguage, NarrativeLabels> | undefined;

const ENGLISH = /^en\b/i;

export function narrativeLabels(language: string): NarrativeLabels {
  labelFile ??= loadNarrativeLabels();
  return ENGLISH.test(language) ? labelFile.en : labelFile.fr;
}

/** Own keys only: codes such as "constructor" are data, not the prototype's. */
function lookup<V>(table: Record<string, V> | undefined, key: string | undefined): V | undefined {
  return table && key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

// ---------------------------------------------------------------- rendering state

/** The marks of the project's translations, in the order of their legend lines. */
const MARKS = {
  proposed: { symbol: '*', title: 'proposedTitle', legend: 'proposedLegend' },
  reviewed: { symbol: '†', title: 'reviewedTitle', legend: 'reviewedLegend' },
} as const satisfies Record<string, { symbol: string; title: WordKey; legend: WordKey }>;
type Mark = keyof typeof MARKS;
const MARK_ORDER = Object.keys(MARKS) as Mark[];

/** What one rendering needs and what it noted on the way (the marks used, for the legend). */
export interface Render {
  readonly labels: NarrativeLabels;
  readonly resolve: ResolveReference;
  readonly sourceLanguage: string | undefined;
  /** ` lang="…" xml:lang="…"` of the source's language, or nothing when unknown. */
  readonly sourceLang: string;
  /** An English reader reads an English display as it is. */
  readonly english: boolean;
  /** The source is in the reader's language: its words need no "not translated" flag. */
  readonly sourceIsReaderLanguage: boolean;
  /** The project's translations marked so far: each gets its legend line. */
  readonly marks: Set<Mark>;
  /** SNOMED CT codes of the "no known X" situations. */
  readonly knownAbsences: ReadonlySet<string>;
}

const primaryLanguage = (tag: string | undefined): string | undefined => tag?.split('-')[0].toLowerCase();

export function newRender(resolve: ResolveReference, opts: SectionNarrativeOptions): Render {
  const english = ENGLISH.test(opts.language);
  const source = primaryLanguage(opts.sourceLanguage);
  return {
    labels: narrativeLabels(opts.language),
    resolve,
    sourceLanguage: opts.sourceLanguage,
    sourceLang: langAttr(opts.sourceLanguage),
    english,
    sourceIsReaderLanguage: source !== undefined && source === primaryLanguage(opts.language),
    marks: new Set(),
    knownAbsences: knownAbsences(opts.absentUnknown ?? projectMaps().absentUnknown),
  };
}

/** The legend of the marks used, one line each. */
function legend(r: Render): string {
  return MARK_ORDER.filter((m) => r.marks.has(m))
    .map((m) => `<p class="legend">${word(r, MARKS[m].legend)}</p>`)
    .join('');
}

// ---------------------------------------------------------------- text

// Characters XML 1.0 forbids (a FHIR string may hold them; the narrative must stay well formed).
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/gu;

// eslint-disable-next-line no-control-regex
const HAS_NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

/** A string as XHTML text: escaped, without the characters XML forbids. */
export function text(s: string): string {
  // The Unicode-aware replace only when a suspect character is there (surrogates are usually pairs, and kept).
  return escapeXml(HAS_NOT_XML.test(s) ? s.replace(NOT_XML, '') : s);
}

/** A template of the label file, split once: even parts its own text (escaped), odd parts the {names}. */
const templateParts = new Map<string, string[]>();

export function fill(template: string, vars: Record<string, string>): string {
  let parts = templateParts.get(template);
  if (!parts) templateParts.set(template, (parts = template.split(/\{(\w+)\}/).map((part, i) => (i % 2 === 0 ? text(part) : part))));
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i];
    out += (Object.hasOwn(vars, name) ? vars[name] : text(`{${name}}`)) + parts[i + 1];
  }
  return out;
}

export function word(r: Render, key: WordKey, vars: Record<string, string> = {}): string {
  return fill(r.labels.words[key], vars);
}

function codeLabel(r: Render, table: string | undefined, code: string | undefined): string | undefined {
  return lookup(lookup(r.labels.codes, table), code);
}

/** The word of a plain code; a code the table lacks is shown as it is. */
export function codeWord(r: Render, table: string, code: string | undefined): string {
  return code === undefined ? '' : text(codeLabel(r, table, code) ?? code);
}

/**
 * The word of a code, with the source's concept beside it when the code says
 * less than the source did (extension source-concept: 442452003 "menace le
 * pronostic vital" behind "sévère").
 */
function codeWithSource(r: Render, table: string, code: string | undefined, element: fhir4.Element | undefined): string {
  const shown = codeWord(r, table, code);
  const source = extension(element, EXT.sourceConcept)?.valueCodeableConcept;
  return source ? `${shown} (${term(r, source)})` : shown;
}

export function join(parts: Array<string | undefined | false>, separator: string): string {
  return parts.filter(Boolean).join(separator);
}

/** One line per value of a repeated element. */
export function lines(parts: Array<string | undefined | false>): string {
  return join(parts, '<br/>');
}

/** One line per item, kept even when empty so that columns about the same items stay aligned. */
function alignedLines(parts: string[]): string {
  return parts.some(Boolean) ? parts.join('<br/>') : '';
}

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Free text of the source document (a note, a dosage as written, a value in
 * words…): never to be read as the reader's own words, so said to be the
 * original, in the source's language, as written.
 */
function sourceText(r: Render, texts: Array<string | undefined>): string {
  const shown = texts.filter((t): t is string => !!t).map((t) => `<span class="original"${r.sourceLang}>${text(t)}</span>`);
  return shown.length ? `<i>${word(r, 'sourceText')}</i> ${shown.join('<br/>')}` : '';
}

/** A name the source gave (a product, an organisation): as written, in the source's language. */
export function sourceName(r: Render, name: string | undefined): string {
  if (!name) return '';
  return r.sourceLang ? `<span${r.sourceLang}>${text(name)}</span>` : text(name);
}

// ---------------------------------------------------------------- data types

export function extension(el: { extension?: fhir4.Extension[] } | undefined, url: string): fhir4.Extension | undefined {
  return el?.extension?.find((e) => e.url === url);
}

/** "inconnu", "masqué"… when the element only says why it is absent; a date's own words when it is one ("date inconnue"). */
function absentReason(r: Render, el: fhir4.Element | undefined, ofDate = false): string | undefined {
  const code = extension(el, EXT.dataAbsentReason)?.valueCode;
  if (code === undefined) return undefined;
  const dateWord = ofDate ? lookup(r.labels.dateAbsentReasons, code) : undefined;
  return dateWord !== undefined ? text(dateWord) : codeWord(r, DATA_ABSENT_REASON_SYSTEM, code);
}

/** A coded term, with the qualifiers the source put on it (laterality…). */
export function concept(r: Render, cc: fhir4.CodeableConcept | undefined): string {
  if (!cc) return '';
  const qualifiers = (cc.extension ?? [])
    .filter((e) => e.url === EXT.cdaQualifier)
    .map((q) => concept(r, extension(q, 'value')?.valueCodeableConcept));
  return join([term(r, cc), ...qualifiers], ', ');
}

function concepts(r: Render, list: fhir4.CodeableConcept[] | undefined): string {
  return join((list ?? []).map((cc) => concept(r, cc)), ', ');
}

function term(r: Render, cc: fhir4.CodeableConcept): string {
  const displays = (cc.coding ?? []).map((c) => c.display?.trim()).filter((d): d is string => !!d);
  if (cc.text) {
    if (extension(cc, EXT.untranslated)) return sourceTerm(r, cc.text, displays, true);
    const designation = extension(cc, EXT.designationSource);
    if (designation) return text(cc.text) + translationMark(r, designation) + beside(r, cc.text, extension(cc, EXT.originalText)?.valueString, displays);
    // No catalogue gave this text: it is the source's own (a name without code, a term left as the source wrote it).
    return sourceTerm(r, cc.text, displays, false);
  }
  // A FHIR status concept the converter left without text: its word from the label table.
  const labelled = (cc.coding ?? []).map((c) => codeLabel(r, c.system, c.code)).find(Boolean);
  if (labelled) return text(labelled);
  const absent = absentReason(r, cc);
  if (absent) return absent;
  if (displays.length) return sourceTerm(r, displays[0], displays, false);
  const code = cc.coding?.find((c) => c.code)?.code;
  return code ? text(code) : '';
}

/**
 * A term left in its original language, with its language when known, and
 * the "not translated" flag unless the reader reads that language (or the
 * converter said it found no translation).
 */
function sourceTerm(r: Render, source: string, displays: string[], untranslated: boolean): string {
  const lang = languageOf(r, source, displays);
  const shown = lang ? `<span${langAttr(lang)}>${text(source)}</span>` : text(source);
  const readable = lang === 'en' ? r.english : lang !== undefined && r.sourceIsReaderLanguage;
  const flag = untranslated || !readable ? ` <span class="untranslated">${word(r, 'untranslated')}</span>` : '';
  return shown + flag + beside(r, source, undefined, displays);
}

/** The source's text is the English pivot when a display says the same; else the document's language. */
function languageOf(r: Render, source: string, displays: string[]): string | undefined {
  return displays.some((d) => same(d, source)) ? 'en' : r.sourceLanguage;
}

/** The wording of the source beside the shown term: its originalText, else a display that says something else. */
function beside(r: Render, shown: string, originalText: string | undefined, displays: string[]): string {
  const original = originalText ?? (displays.some((d) => same(d, shown)) ? undefined : displays[0]);
  if (!original || same(original, shown)) return '';
  const lang = originalText ? languageOf(r, original, displays) : 'en';
  return ` <span class="original"${langAttr(lang)}>(${text(original)})</span>`;
}

/** "*" on a proposed project translation, "†" on a reviewed one; an official one has no mark. */
function translationMark(r: Render, designation: fhir4.Extension): string {
  const status = extension(designation, 'status')?.valueCode;
  if (status !== 'proposed' && status !== 'reviewed') return '';
  r.marks.add(status);
  const mark = MARKS[status];
  return `<sup class="${status}" title="${word(r, mark.title)}">${mark.symbol}</sup>`;
}

const DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * 12/03/2021, 03/2021, 2021; the time only when the source gave it, as
 * written, with its zone ("11:30 UTC+02:00"): a time of another country is
 * not the reader's local time.
 */
export function date(r: Render, value: string | undefined): string {
  if (!value) return '';
  const m = DATE_TIME.exec(value);
  if (!m) return text(value);
  const [, y, month, d, hours, minutes, seconds, zone] = m;
  const day = d ? word(r, 'day', { d, m: month, y }) : month ? word(r, 'month', { m: month, y }) : word(r, 'year', { y });
  if (!hours) return day;
  const time = clock(`${hours}:${minutes}:${seconds ?? '00'}`) + (zone ? ` UTC${zone === 'Z' ? '' : zone}` : '');
  return word(r, 'dateTime', { date: day, time });
}

const CLOCK = /^(\d{2}):(\d{2})(?::(\d{2}))?/;

/** 08:30, or 08:30:15 when the seconds say something. */
function clock(value: string): string {
  const m = CLOCK.exec(value);
  if (!m) return text(value);
  return m[3] && m[3] !== '00' ? `${m[1]}:${m[2]}:${m[3]}` : `${m[1]}:${m[2]}`;
}

function period(r: Render, p: fhir4.Period | undefined): string {
  const start = date(r, p?.start);
  const end = date(r, p?.end);
  if (start && end) return word(r, 'periodBoth', { start, end });
  if (start) return word(r, 'periodFrom', { start });
  return end ? word(r, 'periodUntil', { end }) : '';
}

/** A decimal as the source wrote it, with the reader's decimal separator. */
function decimal(r: Render, n: number | string | undefined): string {
  if (n === undefined || n === null) return '';
  return text(String(n).replace('.', r.labels.words.decimalSeparator));
}

// ---------------------------------------------------------------- units

/** The unit as the source gave it, to compare two quantities; UCUM's "1" (a plain count) is no unit. */
function unitOf(q: fhir4.Quantity): string {
  const unit = q.unit ?? q.code ?? '';
  return unit === '1' ? '' : unit;
}

/**
 * The unit the reader reads: a UCUM code (the converter puts the same in
 * unit and code) in the reader's words when the unit table renders all of it;
 * else the unit as the source gave it: its own name of the unit (a unit of
 * presentation, "Tablet", beside the code "1"), a unit of another system, a
 * code the table cannot render (never a guess).
 */
function unitWords(r: Render, q: fhir4.Quantity): string {
  // a unit of presentation (EDQM "Tablet"): its concept, translated and marked as any term
  const presentation = extension((q as { _unit?: fhir4.Element })._unit, EXT.sourceConcept)?.valueCodeableConcept;
  if (presentation) return term(r, presentation);
  const unit = unitOf(q);
  if (!unit) return '';
  const ucumCode = q.code !== undefined && (q.unit === undefined || q.unit === q.code) && (!q.system || q.system === UCUM);
  return text((ucumCode ? ucumDisplay(r.labels.units, unit) : undefined) ?? unit);
}

/**
 * A UCUM unit from the table: the whole unit, else its parts joined by "/"
 * (per) and "." (times, shown "·") when the table has every part ("{glass}/wk"
 * → "verre(s)/sem."); undefined when some part is missing. Brackets and
 * annotations ("mm[Hg]", "{1.73_m2}") are parts of their own, whatever they hold.
 */
export function ucumDisplay(table: Record<string, string>, unit: string): string | undefined {
  const whole = lookup(table, unit);
  if (whole !== undefined) return whole;
  let out = '';
  let start = 0;
  let depth = 0;
  for (let i = 0; i <= unit.length; i++) {
    const c = unit[i];
    if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if (i === unit.length || (depth === 0 && (c === '/' || c === '.'))) {
      const part = unit.slice(start, i);
      // only "/min" may start with its operator
      if (part || start !== 0 || c !== '/') {
        const shown = lookup(table, part);
        if (shown === undefined) return undefined;
        out += shown;
      }
      if (i < unit.length) out += c === '/' ? '/' : '·';
      start = i + 1;
    }
  }
  return out;
}

function quantity(r: Render, q: fhir4.Quantity | undefined, withUnit = true): string {
  if (!q) return '';
  if (q.value === undefined) return absentReason(r, q) ?? absentReason(r, q._value) ?? '';
  return join([q.comparator && text(q.comparator), decimal(r, q.value), withUnit && unitWords(r, q)], ' ');
}

/** 1 à 2 mg (the unit once when both ends share it); 2 mg when both ends are the same. */
function range(r: Render, low: fhir4.Quantity | undefined, high: fhir4.Quantity | undefined): string {
  const sharedUnit = !!low && !!high && unitOf(low) === unitOf(high);
  if (sharedUnit && low.value !== undefined && low.value === high.value && !low.comparator && !high.comparator) return quantity(r, high);
  const lo = quantity(r, low, !sharedUnit);
  const hi = quantity(r, high);
  if (lo && hi) return word(r, 'rangeBoth', { low: lo, high: hi });
  if (lo) return word(r, 'rangeLow', { low: lo });
  return hi ? word(r, 'rangeHigh', { high: hi }) : '';
}

/** 5 mg, 5 mg/mL, 8 comprimé(s)/24 h. */
function ratio(r: Render, x: fhir4.Ratio | undefined): string {
  if (!x) return '';
  const numerator = quantity(r, x.numerator);
  const den = x.denominator;
  if (!den || den.value === undefined) return numerator;
  if (den.value !== 1) return `${numerator}/${quantity(r, den)}`;
  const unit = unitWords(r, den);
  return unit ? `${numerator}/${unit}` : numerator;
}

const CHOICE_TYPES = [
  'DateTime', 'Date', 'Instant', 'Period', 'Timing', 'String', 'Age', 'Duration', 'Quantity', 'Range', 'Ratio',
  'CodeableConcept', 'Boolean', 'Integer', 'PositiveInt', 'UnsignedInt', 'Decimal', 'Time',
] as const;
type ChoiceType = (typeof CHOICE_TYPES)[number];

const DATE_TYPES: ReadonlySet<ChoiceType> = new Set(['DateTime', 'Date', 'Instant', 'Period']);

interface ChoiceKey {
  type: ChoiceType;
  /** onsetDateTime */
  key: string;
  /** _onsetDateTime: where a data-absent-reason says why it is absent */
  absentKey: string;
  ofDate: boolean;
}

/** The property names of each choice element, made once per element name. */
const choiceKeys = new Map<string, ChoiceKey[]>();

function keysOf(base: string): ChoiceKey[] {
  let keys = choiceKeys.get(base);
  if (!keys) choiceKeys.set(base, (keys = CHOICE_TYPES.map((type) => ({ type, key: base + type, absentKey: `_${base}${type}`, ofDate: DATE_TYPES.has(type) }))));
  return keys;
}

/** A choice element (onset[x], effective[x]…) whatever its type, or why it is absent. */
function choice(r: Render, el: object | undefined, base: string): string {
  const fields = (el ?? {}) as Record<string, unknown>;
  for (const { type, key, absentKey, ofDate } of keysOf(base)) {
    const value = fields[key];
    if (value !== undefined && value !== null) return typed(r, type, value);
    const absent = absentReason(r, fields[absentKey] as fhir4.Element | undefined, ofDate);
    if (absent) return absent;
  }
  return '';
}

function typed(r: Render, type: ChoiceType, value: unknown): string {
  switch (type) {
    case 'DateTime':
    case 'Date':
    case 'Instant':
      return date(r, String(value));
    case 'Time':
      return clock(String(value));
    case 'Period':
      return period(r, value as fhir4.Period);
    case 'Timing':
      return timing(r, value as fhir4.Timing);
    case 'String':
      // a value in words is the source's (valueString, onsetString, doseNumberString…)
      return sourceText(r, [String(value)]);
    case 'Age':
    case 'Duration':
    case 'Quantity':
      return quantity(r, value as fhir4.Quantity);
    case 'Range':
      return range(r, (value as fhir4.Range).low, (value as fhir4.Range).high);
    case 'Ratio':
      return ratio(r, value as fhir4.Ratio);
    case 'CodeableConcept':
      return concept(r, value as fhir4.CodeableConcept);
    case 'Boolean':
      return word(r, value ? 'yes' : 'no');
    default:
      return decimal(r, value as number);
  }
}

// ---------------------------------------------------------------- timing and dosage

/** "2 à 3" from a value and its optional upper bound. */
function upTo(r: Render, value: number, max: number | undefined): string {
  return max === undefined ? decimal(r, value) : word(r, 'rangeBoth', { low: decimal(r, value), high: decimal(r, max) });
}

/** 1 fois par jour, 2 fois par jour, toutes les 6 heures, 3 fois tous les 2 jours. */
function frequency(r: Render, rep: fhir4.TimingRepeat): string {
  const { frequency: f, frequencyMax, period: p, periodMax, periodUnit } = rep;
  const times = f === undefined ? '' : f === 1 && frequencyMax === undefined ? word(r, 'timesOne') : word(r, 'timesMany', { n: upTo(r, f, frequencyMax) });
  if (p === undefined) return times;
  const unit = lookup(r.labels.periodUnits, periodUnit);
  if (!unit) return join([times, `/ ${decimal(r, p)} ${text(periodUnit ?? '')}`.trim()], ' ');
  if (p === 1 && periodMax === undefined) return join([times, text(unit.per)], ' ');
  const every = fill(unit.every, { n: upTo(r, p, periodMax) });
  return f === 1 && frequencyMax === undefined ? every : join([times, every], ' ');
}

function when(r: Render, rep: fhir4.TimingRepeat): string {
  const events = join((rep.when ?? []).map((w) => codeWord(r, 'Timing.repeat.when', w)), ', ');
  return events && rep.offset !== undefined ? word(r, 'offset', { minutes: decimal(r, rep.offset), when: events }) : events;
}

function bounds(r: Render, rep: fhir4.TimingRepeat): string {
  if (rep.boundsDuration) return word(r, 'duration', { duration: quantity(r, rep.boundsDuration) });
  if (rep.boundsRange) return range(r, rep.boundsRange.low, rep.boundsRange.high);
  return period(r, rep.boundsPeriod);
}

function timing(r: Render, t: fhir4.Timing | undefined): string {
  if (!t) return '';
  const rep = t.repeat ?? {};
  return join(
    [
      concept(r, t.code),
      frequency(r, rep),
      when(r, rep),
      join((rep.dayOfWeek ?? []).map((d) => codeWord(r, 'Timing.repeat.dayOfWeek', d)), ', '),
      join((rep.timeOfDay ?? []).map(clock), ', '),
      rep.count !== undefined && word(r, 'count', { n: upTo(r, rep.count, rep.countMax) }),
      bounds(r, rep),
      join((t.event ?? []).map((e) => date(r, e)), ', '),
    ],
    ', ',
  );
}

/** "10 UI par prise"; a dose without unit stays without ("1 par prise": the source counts, it does not say what). */
function doseAndRate(r: Render, dr: fhir4.DosageDoseAndRate): string {
  const dose = dr.doseQuantity ? quantity(r, dr.doseQuantity) : range(r, dr.doseRange?.low, dr.doseRange?.high);
  const rate = dr.rateQuantity ? quantity(r, dr.rateQuantity) : dr.rateRatio ? ratio(r, dr.rateRatio) : range(r, dr.rateRange?.low, dr.rateRange?.high);
  return join([dose && word(r, 'perDose', { dose }), rate && word(r, 'rate', { rate })], ', ');
}

function asNeeded(r: Render, d: fhir4.Dosage): string {
  const reason = concept(r, d.asNeededCodeableConcept);
  if (reason) return word(r, 'asNeededFor', { reason });
  return d.asNeededBoolean || d.asNeededCodeableConcept ? word(r, 'asNeeded') : '';
}

/** The structured dosage in the reader's words; the source's own instructions below, said to be the original. */
function dosage(r: Render, d: fhir4.Dosage): string {
  const structured = join(
    [
      ...(d.doseAndRate ?? []).map((dr) => doseAndRate(r, dr)),
      timing(r, d.timing),
      asNeeded(r, d),
      d.maxDosePerPeriod && word(r, 'maxDose', { dose: ratio(r, d.maxDosePerPeriod) }),
      concepts(r, d.additionalInstruction),
      concept(r, d.route),
      concept(r, d.site),
    ],
    ', ',
  );
  return lines([structured, sourceText(r, [d.text])]);
}

// ---------------------------------------------------------------- resources

/** Notes are the source's free text (MedicationStatement.note holds the source's narrative row). */
function notes(r: Render, list: fhir4.Annotation[] | undefined): string {
  return sourceText(r, (list ?? []).map((n) => n.text));
}

export function referenced<T extends fhir4.FhirResource>(r: Render, ref: fhir4.Reference | undefined, type: T['resourceType']): T | undefined {
  const found = ref?.reference ? r.resolve(ref.reference) : undefined;
  return found?.resourceType === type ? (found as T) : undefined;
}

function productName(r: Render, el: fhir4.DomainResource): string {
  const name = extension(el, EXT.productName)?.valueString;
  return name ? `<b${r.sourceLang}>${text(name)}</b>` : '';
}

/** Product name, substance, form, then each ingredient with its strength. */
function medication(r: Render, ms: fhir4.MedicationStatement): string {
  if (ms.medicationCodeableConcept) return concept(r, ms.medicationCodeableConcept);
  const med = referenced<fhir4.Medication>(r, ms.medicationReference, 'Medication');
  if (!med) return sourceName(r, ms.medicationReference?.display);
  const ingredients = (med.ingredient ?? []).map((i) =>
    join([i.itemCodeableConcept ? concept(r, i.itemCodeableConcept) : sourceName(r, i.itemReference?.display), ratio(r, i.strength)], ' '),
  );
  // The substance is not repeated when an ingredient line already names it, nor the product's
  // name when an uncoded code only repeats it.
  const code = concept(r, med.code);
  const name = extension(med, EXT.productName)?.valueString;
  const repeatsIngredient = !!med.code?.text && (med.ingredient ?? []).some((i) => i.itemCodeableConcept?.text === med.code?.text);
  const repeatsName = !med.code?.coding?.length && !!name && med.code?.text === name;
  const codeLine = repeatsIngredient || repeatsName ? '' : code;
  return lines([productName(r, med), codeLine, concept(r, med.form), ...ingredients]);
}

function device(r: Render, use: fhir4.DeviceUseStatement): string {
  const dev = referenced<fhir4.Device>(r, use.device, 'Device');
  if (!dev) return sourceName(r, use.device?.display);
  return concept(r, dev.type) || lines((dev.deviceName ?? []).map((n) => sourceName(r, n.name)));
}

function observationValue(r: Render, o: fhir4.Observation | fhir4.ObservationComponent): string {
  return choice(r, o, 'value') || concept(r, o.dataAbsentReason);
}

/** The value, or the value of each component (blood pressure). */
function observationValues(r: Render, o: fhir4.Observation): string {
  const components = (o.component ?? []).map((c) => word(r, 'component', { code: concept(r, c.code), value: observationValue(r, c) }));
  return lines([observationValue(r, o), ...components]);
}

function referenceRanges(r: Render, o: fhir4.Observation): string {
  return lines((o.referenceRange ?? []).map((rr) => join([range(r, rr.low, rr.high), sourceText(r, [rr.text])], ' ')));
}

function doseNumber(r: Render, p: fhir4.ImmunizationProtocolApplied): string {
  const dose = choice(r, p, 'doseNumber');
  const series = choice(r, p, 'seriesDoses');
  return dose && series ? word(r, 'doseOfSeries', { dose, series }) : dose;
}

interface Column<R> {
  key: ColumnKey;
  cell: (r: Render, resource: R) => string;
}

/** Columns of one resource type (the table is chosen by resourceType, so the cast holds). */
function columns<R extends fhir4.FhirResource>(list: Array<Column<R>>): Array<Column<fhir4.FhirResource>> {
  return list as unknown as Array<Column<fhir4.FhirResource>>;
}

/** The last columns of most tables: the status (a code of `<type>.status`) and the notes. */
function statusAndNotes<R extends { status?: string; note?: fhir4.Annotation[] }>(type: string): Array<Column<R>> {
  return [
    { key: 'status', cell: (r, res) => codeWord(r, `${type}.status`, res.status) },
    { key: 'note', cell: (r, res) => notes(r, res.note) },
  ];
}

const TABLES: Record<string, Array<Column<fhir4.FhirResource>>> = {
  AllergyIntolerance: columns<fhir4.AllergyIntolerance>([
    { key: 'agent', cell: (r, a) => concept(r, a.code) },
    { key: 'reactions', cell: (r, a) => alignedLines((a.reaction ?? []).map((x) => concepts(r, x.manifestation))) },
    {
      key: 'severity',
      cell: (r, a) => alignedLines((a.reaction ?? []).map((x) => codeWithSource(r, 'AllergyIntolerance.reaction.severity', x.severity, (x as { _severity?: fhir4.Element })._severity))),
    },
    { key: 'criticality', cell: (r, a) => codeWithSource(r, 'AllergyIntolerance.criticality', a.criticality, (a as { _criticality?: fhir4.Element })._criticality) },
    { key: 'clinicalStatus', cell: (r, a) => concept(r, a.clinicalStatus) },
    { key: 'verificationStatus', cell: (r, a) => concept(r, a.verificationStatus) },
    {
      key: 'allergyType',
      cell: (r, a) => join([codeWord(r, 'AllergyIntolerance.type', a.type), ...(a.category ?? []).map((c) => codeWord(r, 'AllergyIntolerance.category', c))], ', '),
    },
    { key: 'onset', cell: (r, a) => choice(r, a, 'onset') },
    { key: 'note', cell: (r, a) => notes(r, a.note) },
  ]),
  Condition: columns<fhir4.Condition>([
    { key: 'problem', cell: (r, c) => concept(r, c.code) },
    { key: 'clinicalStatus', cell: (r, c) => concept(r, c.clinicalStatus) },
    { key: 'verificationStatus', cell: (r, c) => concept(r, c.verificationStatus) },
    { key: 'severity', cell: (r, c) => concept(r, c.severity) },
    { key: 'bodySite', cell: (r, c) => concepts(r, c.bodySite) },
    { key: 'onset', cell: (r, c) => choice(r, c, 'onset') },
    { key: 'abatement', cell: (r, c) => choice(r, c, 'abatement') },
    { key: 'note', cell: (r, c) => notes(r, c.note) },
  ]),
  MedicationStatement: columns<fhir4.MedicationStatement>([
    { key: 'medication', cell: medication },
    { key: 'dosage', cell: (r, m) => lines((m.dosage ?? []).map((d) => dosage(r, d))) },
    { key: 'period', cell: (r, m) => choice(r, m, 'effective') },
    { key: 'status', cell: (r, m) => codeWord(r, 'MedicationStatement.status', m.status) },
    { key: 'reason', cell: (r, m) => concepts(r, m.reasonCode) },
    { key: 'note', cell: (r, m) => notes(r, m.note) },
  ]),
  Immunization: columns<fhir4.Immunization>([
    { key: 'vaccine', cell: (r, i) => lines([productName(r, i), concept(r, i.vaccineCode)]) },
    { key: 'date', cell: (r, i) => choice(r, i, 'occurrence') },
    { key: 'doseNumber', cell: (r, i) => alignedLines((i.protocolApplied ?? []).map((p) => doseNumber(r, p))) },
    { key: 'lot', cell: (_r, i) => (i.lotNumber ? text(i.lotNumber) : '') },
    { key: 'targetDisease', cell: (r, i) => alignedLines((i.protocolApplied ?? []).map((p) => concepts(r, p.targetDisease))) },
    ...statusAndNotes('Immunization'),
  ]),
  Procedure: columns<fhir4.Procedure>([
    { key: 'procedure', cell: (r, p) => concept(r, p.code) },
    { key: 'date', cell: (r, p) => choice(r, p, 'performed') },
    { key: 'bodySite', cell: (r, p) => concepts(r, p.bodySite) },
    ...statusAndNotes('Procedure'),
  ]),
  DeviceUseStatement: columns<fhir4.DeviceUseStatement>([
    { key: 'device', cell: device },
    { key: 'date', cell: (r, d) => choice(r, d, 'timing') },
    ...statusAndNotes('DeviceUseStatement'),
  ]),
  Observation: columns<fhir4.Observation>([
    { key: 'observation', cell: (r, o) => concept(r, o.code) },
    { key: 'value', cell: observationValues },
    { key: 'interpretation', cell: (r, o) => concepts(r, o.interpretation) },
    { key: 'referenceRange', cell: referenceRanges },
    { key: 'date', cell: (r, o) => choice(r, o, 'effective') },
    ...statusAndNotes('Observation'),
  ]),
  ClinicalImpression: columns<fhir4.ClinicalImpression>([
    { key: 'assessment', cell: (r, c) => concept(r, c.code) },
    { key: 'finding', cell: (r, c) => lines((c.finding ?? []).map((f) => concept(r, f.itemCodeableConcept) || sourceName(r, f.itemReference?.display))) },
    { key: 'date', cell: (r, c) => choice(r, c, 'effective') },
    ...statusAndNotes('ClinicalImpression'),
  ]),
};

/** Any other resource: its type, its code and its status, as they are. */
const GENERIC: Array<Column<fhir4.FhirResource>> = [
  { key: 'resourceType', cell: (r, res) => text(lookup(r.labels.resourceTypes, res.resourceType) ?? res.resourceType) },
  { key: 'code', cell: (r, res) => concept(r, (res as { code?: fhir4.CodeableConcept }).code) },
  { key: 'status', cell: (r, res) => codeWord(r, `${res.resourceType}.status`, (res as { status?: string }).status) },
];

// ---------------------------------------------------------------- known absences

const knownAbsenceCodes = new WeakMap<AbsentUnknownTable, ReadonlySet<string>>();

/**
 * The SNOMED CT "no known X" situations (IPS 2.0) and the codes of that
 * meaning the absence table lists (mappings/absence/absent-unknown.yaml), once per table.
 */
function knownAbsences(table: AbsentUnknownTable): ReadonlySet<string> {
  const known = knownAbsenceCodes.get(table);
  if (known) return known;
  const set = new Set(Object.keys(table.concepts));
  for (const c of table.codes) {
    if (c.means !== 'known-absence') continue;
    if (c.system === SNOMED_OID) set.add(c.code);
    if (c.replacedBy) set.add(c.replacedBy);
  }
  knownAbsenceCodes.set(table, set);
  return set;
}

/** The concept that says what the resource is about, where a known absence puts its "no known" situation. */
function subjectConcept(r: Render, res: fhir4.FhirResource): fhir4.CodeableConcept | undefined {
  switch (res.resourceType) {
    case 'AllergyIntolerance':
    case 'Condition':
    case 'Procedure':
      return res.code;
    case 'MedicationStatement':
      return res.medicationCodeableConcept ?? referenced<fhir4.Medication>(r, res.medicationReference, 'Medication')?.code;
    case 'Immunization':
      return res.vaccineCode;
    case 'DeviceUseStatement':
      return referenced<fhir4.Device>(r, res.device, 'Device')?.type;
    default:
      return undefined;
  }
}

/** The "no known X" concept of a known absence (a statement, not a finding: its statuses and dates say nothing). */
function knownAbsence(r: Render, res: fhir4.FhirResource): fhir4.CodeableConcept | undefined {
  const cc = subjectConcept(r, res);
  const codes = r.knownAbsences;
  return cc?.coding?.some((c) => c.system === SNOMED && c.code !== undefined && codes.has(c.code)) ? cc : undefined;
}

// ---------------------------------------------------------------- section

interface Row {
  resource: fhir4.FhirResource;
  /** A member of a panel listed above it (Observation.hasMember). */
  member: boolean;
}

/** The group of the resources without a table of their own (they share the generic one). */
const GENERIC_KEY = '*';

/**
 * The section's entries grouped by resource type in order of appearance,
 * each panel followed by its members. Each reference is resolved once (no
 * cycle, no duplicate); an iterative walk, so no member chain exhausts the stack.
 */
function rowsByType(section: fhir4.CompositionSection, resolve: ResolveReference): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  const seen = new Set<string>();
  const shown = new Set<fhir4.FhirResource>();
  const pending = (section.entry ?? []).map((e) => ({ reference: e.reference, member: false })).reverse();
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (!next.reference || seen.has(next.reference)) continue;
    seen.add(next.reference);
    const resource = resolve(next.reference);
    // (two references may lead to one resource: a panel's member also listed in the section)
    if (!resource || shown.has(resource)) continue;
    shown.add(resource);
    const key = Object.hasOwn(TABLES, resource.resourceType) ? resource.resourceType : GENERIC_KEY;
    const group = groups.get(key) ?? [];
    if (!group.length) groups.set(key, group);
    group.push({ resource, member: next.member });
    if (resource.resourceType === 'Observation') {
      const members = resource.hasMember ?? [];
      for (let i = members.length - 1; i >= 0; i--) pending.push({ reference: members[i].reference, member: true });
    }
  }
  return groups;
}

/**
 * The heading of the Observation column: what the rows are ("Mesure" for
 * vital signs…) by the category they all share, else by the section, else
 * the column's own word.
 */
function observationHeading(r: Render, rows: Row[], sectionCode: string | undefined): string {
  const headings = r.labels.observationHeadings;
  let shared: string | undefined;
  for (const row of rows) {
    const categories = (row.resource as fhir4.Observation).category ?? [];
    const heading = categories
      .flatMap((cc) => cc.coding ?? [])
      .map((c) => (c.system === OBSERVATION_CATEGORY_SYSTEM ? lookup(headings.byCategory, c.code) : undefined))
      .find((h) => h !== undefined);
    if (heading === undefined || (shared !== undefined && heading !== shared)) {
      shared = undefined;
      break;
    }
    shared = heading;
  }
  return shared ?? lookup(headings.bySection, sectionCode) ?? r.labels.columns.observation;
}

/** One table; a column no row fills is left out; a known absence is one row saying it across the columns. */
function table(r: Render, group: string, rows: Row[], sectionCode: string | undefined): string {
  const cols = group === GENERIC_KEY ? GENERIC : TABLES[group];
  const absences = rows.map((row) => knownAbsence(r, row.resource));
  const cells = rows.map((row, j) => (absences[j] ? [] : cols.map((c) => c.cell(r, row.resource))));
  const kept = cols.map((_, i) => i).filter((i) => cells.some((row) => row[i]));
  if (!kept.length) kept.push(0);
  const heading = (key: ColumnKey): string => (key === 'observation' ? observationHeading(r, rows, sectionCode) : r.labels.columns[key]);
  const head = kept.map((i) => `<th>${text(heading(cols[i].key))}</th>`).join('');
  const body = rows
    .map((row, j) => {
      const absence = absences[j];
      if (absence) return `<tr class="known-absence"><td${kept.length > 1 ? ` colspan="${kept.length}"` : ''}>${concept(r, absence)}</td></tr>`;
      const tds = kept.map((i, k) => `<td>${row.member && k === 0 ? '↳ ' : ''}${cells[j][i]}</td>`).join('');
      return `<tr${row.member ? ' class="member"' : ''}>${tds}</tr>`;
    })
    .join('');
  return `<table class="entries"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The section's LOINC code. */
function loincCode(section: fhir4.CompositionSection): string | undefined {
  return section.code?.coding?.find((c) => c.system === LOINC)?.code;
}

/**
 * The XHTML narrative (a FHIR Narrative div) of a Composition section, from
 * its entries: undefined when it has none to show (the caller keeps the
 * original narrative).
 * @param resolve finds a resource of the Bundle by its reference (fullUrl)
 */
export function sectionNarrative(section: fhir4.CompositionSection, resolve: ResolveReference, opts: SectionNarrativeOptions): string | undefined {
  if (!section.entry?.length) return undefined;
  const groups = rowsByType(section, resolve);
  if (!groups.size) return undefined;
  const r = newRender(resolve, opts);
  const sectionCode = loincCode(section);
  const tables = [...groups].map(([group, rows]) => table(r, group, rows, sectionCode)).join('');
  return `<div xmlns="http://www.w3.org/1999/xhtml"${langAttr(opts.language)}>${tables}${legend(r)}</div>`;
}
