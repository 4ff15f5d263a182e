/**
 * InternationalSearchMask (ISM) files → one typed model.
 *
 * Two generations exist in the field:
 * - legacy: `patientSearch/country/searchFields/id` (or bare `searchFields/id`)
 *   with `min`/`max` (-1 = no check), a letter/number mask in `format`
 *   ("LLLLLLNN…": L letter, N digit) and optional `validation/field` lists of
 *   mandatory fields;
 * - ISM (2020 schema `ehdsi-ism-2020.xsd`, and its drafts): `searchFields/country/
 *   patientSearch/identifier[@type=NORMAL|CHOICE]/(id|ids/id)` with a regex in
 *   `format`, `mandatory`, plus `textField`, `birthDate`, `gender` demographics.
 * Elements are read by local name, whatever the prefix or namespace.
 */
import { attr, children, descendants, parseXml, XmlSafetyError, type Element } from '../soap/xml.js';
import { SearchMaskError } from './errors.js';
import { frenchLabel, labelKey } from './labels-fr.js';

export interface IdentityTrait {
  /** Stable name of the trait (the mask's contextualDescription, or its label key). */
  key: string;
  /** Assigning authority of the identifier: the XCPD livingSubjectId/@root. */
  domainOid: string;
  labelFr: string;
  /** Where the patient finds the value (ID card, health insurance card…). */
  helpFr: string;
  required: boolean;
  minLength?: number;
  maxLength?: number;
  /** JavaScript regular expression source, anchored (^…$). */
  pattern?: string;
  /** The label as the mask wrote it (label key, or original-language description). */
  originalLabel?: string;
  /** For ISM CHOICE identifiers: the alternative this trait belongs to (all of one group must be given). */
  choiceGroup?: string;
}

export interface FieldRule {
  required: boolean;
  labelFr: string;
  helpFr?: string;
  pattern?: string;
  /** Non-regex format, e.g. "YYYY-MM-DD" for birth dates. */
  format?: string;
  originalLabel?: string;
}

export type DemographicField = 'family' | 'given' | 'birthDate' | 'gender' | 'street' | 'postalCode' | 'city' | 'country';

export interface SearchMask {
  /** ISO 3166-1 alpha-2 code, upper case. */
  country: string;
  generation: 'legacy' | 'ism';
  friendlyName?: string;
  traits: IdentityTrait[];
  demographics: Partial<Record<DemographicField, FieldRule>>;
  /** Free text fields the model has no slot for, kept rather than dropped. */
  otherFields: Array<FieldRule & { key: string }>;
}

/** French wording for traits of a known country mask, keyed by domain OID. */
export type TraitWording = Record<string, { labelFr: string; helpFr: string }>;

export interface ParseMaskOptions {
  /** Where the text came from (file name), for error messages. */
  source?: string;
  /** Country code to use when the file has no `country/@code` (some legacy files). */
  country?: string;
  /** Country-specific French label and help, by domain OID. */
  wording?: TraitWording;
  /** Upper bound on the file size; masks are small (PL embeds a PNG of ~400 kB). */
  maxChars?: number;
}

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const MAX_MASK_CHARS = 2 * 1024 * 1024;

const DEMOGRAPHIC_BY_LABEL: Record<string, DemographicField> = {
  firstName: 'given',
  givenName: 'given',
  familyName: 'family',
  birthDate: 'birthDate',
  gender: 'gender',
  addressStreet: 'street',
  addressPostalCode: 'postalCode',
  addressCity: 'city',
  addressCountry: 'country',
};

/** Parses one search-mask file (either generation). Throws SearchMaskError. */
export function parseSearchMask(xml: string, opts: ParseMaskOptions = {}): SearchMask {
  const source = opts.source ?? 'search mask';
  let root: Element;
  try {
    root = parseXml(xml, opts.maxChars ?? MAX_MASK_CHARS).documentElement as Element;
  } catch (e) {
    if (e instanceof XmlSafetyError) throw new SearchMaskError(source, e.message);
    throw e;
  }
  const countryEl = root.localName === 'country' ? root : descendants(root, 'country')[0];
  const country = (attr(countryEl, 'code') ?? opts.country ?? '').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new SearchMaskError(source, 'no two-letter country code (country/@code)');
  if (opts.country && opts.country.toUpperCase() !== country) {
    throw new SearchMaskError(source, `declares country ${country} where ${opts.country.toUpperCase()} was expected`);
  }

  const patientSearch = descendants(root, 'patientSearch').find((ps) => children(ps, 'identifier').length > 0);
  const mask = patientSearch ? readIsm(patientSearch, country, source, opts.wording) : readLegacy(root, country, source, opts.wording);
  const friendlyName = attr(countryEl, 'friendlyName');
  if (friendlyName) mask.friendlyName = friendlyName;
  if (mask.traits.length === 0) throw new SearchMaskError(source, 'no identity trait (id element) for patient search');
  return mask;
}

function readIsm(patientSearch: Element, country: string, source: string, wording?: TraitWording): SearchMask {
  const traits: IdentityTrait[] = [];
  for (const identifier of children(patientSearch, 'identifier')) {
    const choice = (attr(identifier, 'type') ?? 'NORMAL').toUpperCase() === 'CHOICE';
    for (const id of children(identifier, 'id')) traits.push(readIsmId(id, undefined, source, wording));
    for (const [i, group] of children(identifier, 'ids').entries()) {
      const groupName = attr(group, 'display') || `choice ${i + 1}`;
      for (const id of children(group, 'id')) traits.push(readIsmId(id, choice ? groupName : undefined, source, wording));
    }
  }
  const demographics: SearchMask['demographics'] = {};
  const otherFields: SearchMask['otherFields'] = [];
  for (const field of children(patientSearch)) {
    if (!['textField', 'birthDate', 'gender'].includes(field.localName ?? '')) continue;
    const label = attr(field, 'label') ?? '';
    const key = DEMOGRAPHIC_BY_LABEL[labelKey(label)] ?? DEMOGRAPHIC_BY_LABEL[field.localName ?? ''];
    const rule = readFieldRule(field, source);
    if (key && !demographics[key]) demographics[key] = rule;
    else otherFields.push({ ...rule, key: attr(field, 'contextualDescription') || labelKey(label) || field.localName || 'field' });
  }
  return { country, generation: 'ism', traits, demographics, otherFields };
}

function readIsmId(id: Element, choiceGroup: string | undefined, source: string, wording?: TraitWording): IdentityTrait {
  const trait = baseTrait(id, source, wording);
  const format = attr(id, 'format');
  if (format) trait.pattern = regexFromIsm(format, source);
  const mandatory = attr(id, 'mandatory');
  // Absent `mandatory` on a NORMAL identifier: the mask asks for it, so it is required.
  trait.required = choiceGroup ? false : mandatory === undefined ? true : mandatory.trim() === 'true';
  if (choiceGroup) trait.choiceGroup = choiceGroup;
  return trait;
}

function readLegacy(root: Element, country: string, source: string, wording?: TraitWording): SearchMask {
  const ids = descendants(root, 'id').filter((el) => !hasAncestor(el, 'nextOfKinSearch') && !hasAncestor(el, 'documentSearch'));
  const validations = descendants(root, 'validation').map((v) => new Set(children(v, 'field').map((f) => attr(f, 'label') ?? '')));
  const traits = ids.map((id) => {
    const trait = baseTrait(id, source, wording);
    const format = attr(id, 'format');
    if (format) trait.pattern = /^[LNA]+$/.test(format) ? regexFromLetterMask(format) : regexFromIsm(format, source);
    const label = attr(id, 'label') ?? '';
    // Several <validation> blocks are alternatives: a field is required only when every block lists it.
    trait.required = validations.length === 0 ? true : validations.every((v) => v.has(label));
    return trait;
  });
  return { country, generation: 'legacy', traits, demographics: {}, otherFields: [] };
}

function baseTrait(id: Element, source: string, wording?: TraitWording): IdentityTrait {
  const domainOid = (attr(id, 'domain') ?? '').trim();
  if (!OID.test(domainOid)) throw new SearchMaskError(source, `identifier with a missing or malformed domain OID "${domainOid}"`);
  const label = attr(id, 'label')?.trim() ?? '';
  const key = attr(id, 'contextualDescription')?.trim() || attr(id, 'friendlyName')?.trim() || labelKey(label) || 'identifier';
  const fr = wording?.[domainOid] ?? frenchLabel(label) ?? frenchLabel(key);
  const trait: IdentityTrait = {
    key,
    domainOid,
    labelFr: fr?.labelFr ?? (label || key),
    helpFr: fr?.helpFr ?? '',
    required: true,
  };
  const original = attr(id, 'originalContextualDescription')?.trim() || label;
  if (original) trait.originalLabel = original;
  const min = lengthAttr(id, 'min', source);
  const max = lengthAttr(id, 'max', source);
  if (min !== undefined) trait.minLength = min;
  if (max !== undefined) trait.maxLength = max;
  if (min !== undefined && max !== undefined && min > max) throw new SearchMaskError(source, `identifier ${domainOid}: min ${min} > max ${max}`);
  return trait;
}

function readFieldRule(field: Element, source: string): FieldRule {
  const label = attr(field, 'label') ?? '';
  const fr = frenchLabel(label) ?? frenchLabel(field.localName ?? undefined);
  const rule: FieldRule = {
    required: (attr(field, 'mandatory') ?? 'false').trim() === 'true',
    labelFr: fr?.labelFr ?? (attr(field, 'contextualDescription') || label),
  };
  if (fr?.helpFr) rule.helpFr = fr.helpFr;
  if (label) rule.originalLabel = label;
  const format = attr(field, 'format');
  if (format) {
    if (/^[YMD]{2,4}([-/.][YMD]{2,4})+$/.test(format)) rule.format = format;
    else rule.pattern = regexFromIsm(format, source);
  }
  return rule;
}

/** `min`/`max` attributes: -1 (or absent) means no check. */
function lengthAttr(el: Element, name: string, source: string): number | undefined {
  const raw = attr(el, name)?.trim();
  if (raw === undefined || raw === '' || raw === '-1') return undefined;
  if (!/^\d+$/.test(raw)) throw new SearchMaskError(source, `${name}="${raw}" is not a length`);
  return Number(raw);
}

/** "LLNN" → ^[A-Za-z]{2}[0-9]{2}$ (L letter, N digit, A letter or digit). */
export function regexFromLetterMask(mask: string): string {
  const classes: Record<string, string> = { L: '[A-Za-z]', N: '[0-9]', A: '[A-Za-z0-9]' };
  let out = '';
  for (let i = 0; i < mask.length; ) {
    let j = i;
    while (j < mask.length && mask[j] === mask[i]) j++;
    out += classes[mask[i]] + (j - i > 1 ? `{${j - i}}` : '');
    i = j;
  }
  return `^${out}$`;
}

/**
 * An ISM `format` regex (written for Java's whole-string `matches`, sometimes
 * as a JavaScript literal `/…/i`) → an anchored JavaScript regex source.
 */
export function regexFromIsm(format: string, source: string): string {
  let body = format.trim();
  let flags = '';
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(body);
  if (literal) {
    body = literal[1];
    flags = literal[2];
  }
  if (body.startsWith('^')) body = body.slice(1);
  if (body.endsWith('$') && !body.endsWith('\\$')) body = body.slice(0, -1);
  // The model keeps a bare source, so a case-insensitive literal folds its a-z ranges.
  if (flags.includes('i')) body = body.replace(/a-z(?!A-Z)/g, 'a-zA-Z');
  const anchored = `^(?:${body})$`;
  try {
    new RegExp(anchored);
  } catch {
    throw new SearchMaskError(source, `format "${format}" is not a usable regular expression`);
  }
  return anchored;
}

function hasAncestor(el: Element, localName: string): boolean {
  for (let p = el.parentNode; p; p = p.parentNode) {
    if ((p as Element).localName === localName) return true;
  }
  return false;
}
