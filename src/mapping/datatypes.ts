import { systemUri } from '../terminology/code-systems.js';
import type { ConversionContext } from './context.js';
import { EXT } from './extensions.js';
import { childrenNamed, firstChild, textOf, type XmlElement } from './xml-tree.js';

/**
 * Conversions of the CDA data types to FHIR (CD/CE, II, TS, IVL_TS, PQ, RTO,
 * IVL_PQ, ED/ST, PN, AD, TEL…). Code tables they use (OIDs, nullFlavors,
 * extensions) are data under mappings/.
 */

export const UCUM = 'http://unitsofmeasure.org';

/** list-empty-reason: why a section has no entry. */
export const LIST_EMPTY_REASON = 'http://terminology.hl7.org/CodeSystem/list-empty-reason';

export function dataAbsentReason(code: string): fhir4.Extension {
  return { url: EXT.dataAbsentReason, valueCode: code };
}

/** A primitive's element carrying the source's own words beside a value in the reader's language (a title). */
export function withOriginalText(text: string): fhir4.Element {
  return { extension: [{ url: EXT.originalText, valueString: text }] };
}

/** The narrative text an element points at (originalText/reference, text/reference) or its own text. */
export function referencedText(el: XmlElement | undefined, ctx: ConversionContext): string | undefined {
  if (!el) return undefined;
  const ref = firstChild(el, 'reference');
  const target = ref?.attrs.value;
  if (target) {
    const found = ctx.narrativeText(target);
    if (found) return found;
  }
  const own = el.children.filter((c) => typeof c === 'string').join('').replace(/\s+/g, ' ').trim();
  return own || undefined;
}

/** A code without a letter or digit ("...", "-") is a placeholder of the source, not a code of its system. */
export function isPlaceholderCode(code: string): boolean {
  // (an ASCII letter or digit first, as nearly every code has, settles it without the Unicode regex)
  const c = code.charCodeAt(0) | 0x20;
  if ((c >= 0x61 && c <= 0x7a) || (code.charCodeAt(0) >= 0x30 && code.charCodeAt(0) <= 0x39)) return false;
  return !/[\p{L}\p{N}]/u.test(code);
}

/** The coding a coded element (@code, @codeSystem, @displayName…) says, as it is. */
export function elementCoding(el: XmlElement): fhir4.Coding {
  const system = el.attrs.codeSystem;
  const coding: fhir4.Coding = system ? { system: systemUri(system), code: el.attrs.code } : { code: el.attrs.code };
  if (el.attrs.codeSystemVersion) coding.version = el.attrs.codeSystemVersion;
  if (el.attrs.displayName) coding.display = el.attrs.displayName.trim();
  return coding;
}

function cdCoding(el: XmlElement): fhir4.Coding | undefined {
  const code = el.attrs.code;
  return !code || isPlaceholderCode(code) ? undefined : elementCoding(el);
}

/** The coding of a CD and of its <translation> chain, in document order. */
function collectCodings(cd: XmlElement, out: fhir4.Coding[]): void {
  const c = cdCoding(cd);
  if (c) {
    out.push(c);
    cd.consumed = true;
  }
  const children = cd.children;
  for (let i = 0; i < children.length; i++) {
    const t = children[i];
    if (typeof t !== 'string' && t.name === 'translation') collectCodings(t, out);
  }
}

/** CD/CE/CV → CodeableConcept with every translation, originalText and the target-language text. */
export function codeableConcept(el: XmlElement, ctx: ConversionContext, lead?: fhir4.Coding, impliedSystem?: string): fhir4.CodeableConcept | undefined {
  const codings: fhir4.Coding[] = lead ? [{ ...lead }] : [];
  collectCodings(el, codings);
  if (impliedSystem) for (let i = 0; i < codings.length; i++) if (!codings[i].system) codings[i] = { system: impliedSystem, ...codings[i] };
  const original = referencedText(firstChild(el, 'originalText'), ctx);
  if (!codings.length && !original) {
    const nf = el.attrs.nullFlavor;
    if (nf) return { extension: [dataAbsentReason(ctx.nullFlavor(nf))] };
    // a plain name (epSOS name of a substance): free text, shown as written and flagged as not translated
    const own = referencedText(el, ctx);
    if (!own) return undefined;
    const named: fhir4.CodeableConcept = { text: own };
    ctx.translate(named, undefined);
    return named;
  }
  const cc: fhir4.CodeableConcept = {};
  if (codings.length) cc.coding = codings;
  ctx.translate(cc, original);
  qualifiers(el, cc, ctx);
  return cc;
}

/**
 * The qualifiers of a CD (e.g. laterality 272741003 = 7771000 Left on a body
 * site) refine the concept: kept on the CodeableConcept, name and value coded,
 * the value translated (R4 has no element for a post-coordinated qualifier).
 */
function qualifiers(el: XmlElement, cc: fhir4.CodeableConcept, ctx: ConversionContext): void {
  for (const q of childrenNamed(el, 'qualifier')) {
    const nameEl = firstChild(q, 'name');
    const valueEl = firstChild(q, 'value');
    // CDA leaves the system of a qualifier's name and value implied by the qualified concept's
    const implied = el.attrs.codeSystem ? systemUri(el.attrs.codeSystem) : undefined;
    const coded = nameEl && cdCoding(nameEl);
    const name = coded && !coded.system && implied ? { system: implied, ...coded } : coded;
    const value = valueEl && codeableConcept(valueEl, ctx, undefined, implied);
    if (!value) continue;
    if (nameEl) nameEl.consumed = true;
    const parts: fhir4.Extension[] = [];
    if (name) parts.push({ url: 'name', valueCoding: name });
    parts.push({ url: 'value', valueCodeableConcept: value });
    (cc.extension ??= []).push({ url: EXT.cdaQualifier, extension: parts });
  }
}

export function coding(el: XmlElement, ctx: ConversionContext): fhir4.Coding | undefined {
  const cc = codeableConcept(el, ctx);
  return cc?.coding?.[0];
}

/** II → Identifier: OIDs as urn:oid:, root-only ids as the value of an RFC 3986 identifier. */
export function identifier(el: XmlElement): fhir4.Identifier | undefined {
  const { root, extension, nullFlavor } = el.attrs;
  if (!root) return nullFlavor ? undefined : undefined;
  const sys = /^[0-9.]+$/.test(root) ? 'urn:oid:' + root : /^[0-9a-f-]{36}$/i.test(root) ? 'urn:uuid:' + root.toLowerCase() : root;
  if (extension) return { system: sys, value: extension };
  return { system: 'urn:ietf:rfc:3986', value: sys };
}

const TS_RE = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(\.\d+)?)?([+-]\d{4}|Z)?$/;

/**
 * TS → FHIR date or dateTime keeping the source's precision and time zone.
 * FHIR needs a zone with a time of day: a time without zone keeps its date only.
 */
export function timestamp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = TS_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  let out = y;
  if (mo) out += '-' + mo;
  if (mo && d) out += '-' + d;
  if (!(mo && d && h && tz)) return out;
  out += `T${h}:${mi ?? '00'}:${s ?? '00'}${s && frac ? frac : ''}`;
  out += tz === 'Z' ? 'Z' : `${tz.slice(0, 3)}:${tz.slice(3)}`;
  return out;
}

/** The date part of a TS (for FHIR `date` elements such as birthDate). */
export function dateOnly(value: string | undefined): string | undefined {
  const ts = timestamp(value);
  return ts?.slice(0, 10);
}

export function period(el: XmlElement): fhir4.Period | undefined {
  const low = timestamp(firstChild(el, 'low')?.attrs.value);
  const high = timestamp(firstChild(el, 'high')?.attrs.value);
  const center = timestamp(firstChild(el, 'center')?.attrs.value ?? el.attrs.value);
  const p: fhir4.Period = {};
  if (low) p.start = low;
  if (high) p.end = high;
  if (!low && !high && center) {
    p.start = center;
    p.end = center;
  }
  return p.start || p.end ? p : undefined;
}

/** A value of a FHIR choice element with its suffix ("Quantity" for value[x] → valueQuantity), nothing for no value. */
function choice<S extends string, T>(suffix: S, value: T | undefined): { suffix: S; value: T } | undefined {
  return value ? { suffix, value } : undefined;
}

/** effectiveTime as a dateTime when it is a point (@value), as a Period when it is an interval (low/high). */
export function dateTimeOrPeriod(el: XmlElement): { suffix: 'DateTime' | 'Period'; value: string | fhir4.Period } | undefined {
  const point = timestamp(el.attrs.value);
  if (point) return { suffix: 'DateTime', value: point };
  // An interval stays an interval (IVL_TS → Period), even when open-ended ("since …").
  return choice('Period', period(el));
}

export function quantity(el: XmlElement, ctx?: ConversionContext): fhir4.Quantity | undefined {
  const v = el.attrs.value;
  if (v === undefined || v === '' || Number.isNaN(Number(v))) return undefined;
  const q: fhir4.Quantity = { value: Number(v) };
  const unit = el.attrs.unit;
  if (unit) {
    q.unit = unit;
    q.system = UCUM;
    q.code = unit;
  } else {
    q.system = UCUM;
    q.code = '1';
  }
  // A count ("1", no unit) whose translation names what is counted (EDQM unit of presentation:
  // tablet, actuation): that name, translated, is the unit people read, and its concept stays on
  // the unit (extension source-concept); without a conversion context, the source's name.
  if (q.code === '1') {
    const presentation = firstChild(el, 'translation');
    const concept = ctx && presentation?.attrs.code && presentation.attrs.codeSystem ? codeableConcept(presentation, ctx) : undefined;
    if (concept?.text) {
      q.unit = concept.text;
      (q as fhir4.Quantity & { _unit?: fhir4.Element })._unit = { extension: [{ url: EXT.sourceConcept, valueCodeableConcept: concept }] };
    } else {
      const name = presentation?.attrs.displayName?.trim();
      if (name) q.unit = name;
    }
  }
  return q;
}

export function range(el: XmlElement, ctx?: ConversionContext): fhir4.Range | undefined {
  const low = firstChild(el, 'low');
  const high = firstChild(el, 'high');
  const r: fhir4.Range = {};
  const lq = low && quantity(low, ctx);
  const hq = high && quantity(high, ctx);
  if (lq) r.low = lq;
  if (hq) r.high = hq;
  return lq || hq ? r : undefined;
}

export function ratio(el: XmlElement): fhir4.Ratio | undefined {
  const num = firstChild(el, 'numerator');
  const den = firstChild(el, 'denominator');
  const r: fhir4.Ratio = {};
  const nq = num && quantity(num);
  const dq = den && quantity(den);
  if (nq) r.numerator = nq;
  if (dq) r.denominator = dq;
  return nq || dq ? r : undefined;
}

/** A dose that may be a PQ or an IVL_PQ: a Quantity, or a Range. */
export function quantityOrRange(el: XmlElement, ctx?: ConversionContext): { suffix: 'Quantity' | 'Range'; value: fhir4.Quantity | fhir4.Range } | undefined {
  const q = quantity(el, ctx);
  if (q) return { suffix: 'Quantity', value: q };
  return choice('Range', range(el, ctx));
}

/** ANY-typed `value` by its xsi:type → the FHIR choice suffix and value. */
export function anyValue(el: XmlElement, ctx: ConversionContext): { suffix: string; value: unknown } | undefined {
  const type = (el.attrs['xsi:type'] ?? '').replace(/^.*:/, '');
  switch (type) {
    case 'PQ':
      return choice('Quantity', quantity(el));
    case 'IVL_PQ':
      return choice('Range', range(el));
    case 'RTO':
    case 'RTO_PQ_PQ':
      return choice('Ratio', ratio(el));
    case 'INT':
      return el.attrs.value !== undefined && /^-?\d+$/.test(el.attrs.value) ? { suffix: 'Integer', value: Number(el.attrs.value) } : undefined;
    case 'REAL':
      return el.attrs.value !== undefined ? { suffix: 'Quantity', value: { value: Number(el.attrs.value) } } : undefined;
    case 'BL':
      return el.attrs.value !== undefined ? { suffix: 'Boolean', value: el.attrs.value === 'true' } : undefined;
    case 'TS':
      return choice('DateTime', timestamp(el.attrs.value));
    case 'IVL_TS':
      return choice('Period', period(el));
    case 'ST':
    case 'ED':
      return choice('String', referencedText(el, ctx) ?? textOf(el));
    default: {
      if (el.attrs.code || firstChild(el, 'originalText') || firstChild(el, 'translation') || el.attrs.nullFlavor) return choice('CodeableConcept', codeableConcept(el, ctx));
      if (el.attrs.value !== undefined && el.attrs.unit !== undefined) return choice('Quantity', quantity(el));
      return choice('String', textOf(el));
    }
  }
}

export function humanName(el: XmlElement): fhir4.HumanName | undefined {
  const n: fhir4.HumanName = {};
  const family = childrenNamed(el, 'family').map(textOf).filter(Boolean);
  const given = childrenNamed(el, 'given').map(textOf).filter(Boolean);
  const prefix = childrenNamed(el, 'prefix').map(textOf).filter(Boolean);
  const suffix = childrenNamed(el, 'suffix').map(textOf).filter(Boolean);
  if (family.length) n.family = family.join(' ');
  if (given.length) n.given = given;
  if (prefix.length) n.prefix = prefix;
  if (suffix.length) n.suffix = suffix;
  if (!family.length && !given.length) {
    const t = textOf(el);
    if (t) n.text = t;
  }
  return Object.keys(n).length ? n : undefined;
}

const ADDRESS_USE: Record<string, fhir4.Address['use']> = { H: 'home', HP: 'home', HV: 'home', WP: 'work', DIR: 'work', PUB: 'work', TMP: 'temp', OLD: 'old', BAD: 'old' };

export function address(el: XmlElement): fhir4.Address | undefined {
  const a: fhir4.Address = {};
  const use = el.attrs.use?.split(/\s+/).map((u) => ADDRESS_USE[u]).find(Boolean);
  const lines = childrenNamed(el, 'streetAddressLine').map(textOf).filter(Boolean);
  const street = [firstChild(el, 'houseNumber'), firstChild(el, 'streetName')].filter((x): x is XmlElement => !!x).map(textOf).join(' ');
  if (lines.length) a.line = lines;
  else if (street) a.line = [street];
  const set = (k: 'city' | 'postalCode' | 'state' | 'country', name: string): void => {
    const e = firstChild(el, name);
    const t = e && textOf(e);
    if (t) a[k] = t;
  };
  set('city', 'city');
  set('postalCode', 'postalCode');
  set('state', 'state');
  set('country', 'country');
  if (!Object.keys(a).length) return undefined;
  if (use) a.use = use;
  return a;
}

const TELECOM_USE: Record<string, fhir4.ContactPoint['use']> = { H: 'home', HP: 'home', HV: 'home', WP: 'work', MC: 'mobile', TMP: 'temp', BAD: 'old' };

export function contactPoint(el: XmlElement): fhir4.ContactPoint | undefined {
  const v = el.attrs.value;
  if (!v) return undefined;
  const m = /^(tel|fax|mailto|http|https):(.*)$/i.exec(v.trim());
  const cp: fhir4.ContactPoint = {};
  if (m) {
    const scheme = m[1].toLowerCase();
    cp.system = scheme === 'tel' ? 'phone' : scheme === 'fax' ? 'fax' : scheme === 'mailto' ? 'email' : 'url';
    cp.value = scheme.startsWith('http') ? v.trim() : m[2].trim();
  } else {
    cp.system = 'other';
    cp.value = v.trim();
  }
  const use = el.attrs.use?.split(/\s+/).map((u) => TELECOM_USE[u]).find(Boolean);
  if (use) cp.use = use;
  return cp;
}
