import type { TerminologyCatalogue } from '../terminology/catalogue.js';
import { systemUri } from '../terminology/code-systems.js';
import { DESIGNATION_SOURCE_EXT } from '../terminology/designation-source.js';
import { readXmlNS } from '../util/safe-xml.js';

/**
 * A structural check of a translated CDA against its source, independent of
 * translateCda's own code (namespace-aware parse, tree comparison): there is
 * no CDA R2 XML Schema (POCD_MT000040) on the machines, so the tests check
 * what the translation may change instead. Each translated element keeps its
 * code and code system; its added <translation> (HL7 v3 namespace, last among
 * originalText, qualifier, translation) carries the old code, code system,
 * names, version and display and holds the element's old translations;
 * nothing is added under a datatype that has no translation (CS, CV, CO, PQR
 * and the like); everything else is unchanged.
 */

const HL7 = 'urn:hl7-org:v3';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS = 'http://www.w3.org/2000/xmlns/';
const KEPT = ['code', 'codeSystem', 'codeSystemName', 'codeSystemVersion', 'displayName'];

export interface CheckedElement {
  ns: string;
  local: string;
  /** Attributes by "{uri}local" ("local" when unqualified); namespace declarations aside. */
  attrs: Map<string, string>;
  xmlns: Map<string, string>;
  children: CheckedNode[];
  parent: CheckedElement | undefined;
}
/** Text (whitespace-only text dropped), comments and processing instructions as tagged strings. */
export type CheckedNode = CheckedElement | string;

/** A namespace-aware tree of an XML document (saxes in namespace mode, under the project's XML policy); throws on malformed XML. */
export function parseForCheck(xml: string | Buffer): CheckedElement {
  const doc: CheckedElement = { ns: '', local: '#document', attrs: new Map(), xmlns: new Map(), children: [], parent: undefined };
  let current = doc;
  const text = (t: string): void => {
    if (t.trim() !== '') current.children.push('text:' + t);
  };
  let s = typeof xml === 'string' ? xml : xml.toString('utf8');
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  readXmlNS(s, {
    opentag: (tag) => {
      const el: CheckedElement = { ns: tag.uri ?? '', local: tag.local ?? tag.name, attrs: new Map(), xmlns: new Map(), children: [], parent: current };
      for (const a of Object.values(tag.attributes)) {
        if (a.uri === XMLNS || a.name === 'xmlns') el.xmlns.set(a.name, a.value);
        else el.attrs.set(a.uri ? `{${a.uri}}${a.local}` : a.local, a.value);
      }
      current.children.push(el);
      current = el;
    },
    closetag: () => {
      current = current.parent ?? doc;
    },
    text,
    cdata: text,
    comment: (c) => current.children.push('comment:' + c),
    processinginstruction: (pi) => current.children.push(`pi:${pi.target} ${pi.body}`),
  });
  return doc;
}

const isEl = (n: CheckedNode): n is CheckedElement => typeof n !== 'string';

/** Whether an element's datatype may hold <translation> children (CD, CE): the checker's own reading of the CDA schema. */
export function acceptsTranslation(el: CheckedElement): boolean {
  const type = el.attrs.get(`{${XSI}}type`)?.replace(/^.*:/, '');
  if (type !== undefined && type !== 'CD' && type !== 'CE') return false;
  if (el.attrs.has('value')) return false; // PQ, PQR
  if (['languageCode', 'realmCode', 'statusCode', 'signatureCode'].includes(el.local)) return false; // CS
  const parent = el.parent;
  if (el.local === 'name' && parent?.local === 'qualifier') return false; // CV
  if (el.local === 'code' && parent?.local === 'regionOfInterest') return false; // CS
  if (el.local === 'translation') return !!parent && acceptsTranslation(parent);
  return true;
}

/** The code system an element names, or the one its qualifier leaves implied (a qualifier's value). */
export function codeSystemOf(el: CheckedElement): string | undefined {
  const own = el.attrs.get('codeSystem');
  if (own !== undefined) return own;
  if (el.local === 'value' && el.parent?.local === 'qualifier') return el.parent.parent?.attrs.get('codeSystem');
  return undefined;
}

export interface TranslatedElementFact {
  /** Location, as a path of local names. */
  path: string;
  code: string;
  codeSystem: string;
  displayName: string;
  previousDisplayName: string | undefined;
}

export interface CheckResult {
  problems: string[];
  /** The elements given a new displayName and a translation child. */
  translated: TranslatedElementFact[];
}

function pathOf(el: CheckedElement): string {
  const parts: string[] = [];
  for (let e: CheckedElement | undefined = el; e && e.local !== '#document'; e = e.parent) parts.unshift(e.local);
  return '/' + parts.join('/');
}

function sameMap(a: Map<string, string>, b: Map<string, string>, except?: string): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  for (const k of keys) if (k !== except && a.get(k) !== b.get(k)) return false;
  return true;
}

/** Compares a translated CDA with its source; an empty problem list when it holds. */
export function checkTranslatedCda(source: string | Buffer, translated: string | Buffer): CheckResult {
  const problems: string[] = [];
  const facts: TranslatedElementFact[] = [];
  const compare = (o: CheckedElement, t: CheckedElement): void => {
    const where = pathOf(o);
    if (o.ns !== t.ns || o.local !== t.local) {
      problems.push(`${where}: became {${t.ns}}${t.local}`);
      return;
    }
    if (!sameMap(o.xmlns, t.xmlns)) problems.push(`${where}: namespace declarations changed`);
    if (!sameMap(o.attrs, t.attrs, 'displayName')) problems.push(`${where}: attributes other than displayName changed`);
    const oText = o.children.filter((c) => !isEl(c));
    const oKids = o.children.filter(isEl);
    const tKids = t.children.filter(isEl);
    const oOld = oKids.filter((k) => k.ns === HL7 && k.local === 'translation');
    const added = tKids.length === oKids.length - oOld.length + 1 ? tKids[tKids.length - 1] : undefined;
    const isAdded = !!added && added.ns === HL7 && added.local === 'translation' && t.attrs.get('displayName') !== o.attrs.get('displayName');
    if (!isAdded) {
      if (t.attrs.get('displayName') !== o.attrs.get('displayName')) problems.push(`${where}: displayName changed without a translation added`);
      if (tKids.length !== oKids.length) problems.push(`${where}: ${tKids.length} child elements instead of ${oKids.length}`);
      if (oText.join('\u0000') !== t.children.filter((c) => !isEl(c)).join('\u0000')) problems.push(`${where}: text, comments or PIs changed`);
      for (let i = 0; i < Math.min(oKids.length, tKids.length); i++) compare(oKids[i], tKids[i]);
      return;
    }
    // A translated element: its code kept, a translation of the right kind added last, the old ones inside it.
    const codeSystem = codeSystemOf(o);
    if (o.attrs.get('code') === undefined || codeSystem === undefined) problems.push(`${where}: translated without a code and code system`);
    facts.push({ path: where, code: o.attrs.get('code') ?? '', codeSystem: codeSystem ?? '', displayName: t.attrs.get('displayName') ?? '', previousDisplayName: o.attrs.get('displayName') });
    if (!acceptsTranslation(o)) problems.push(`${where}: translation added under a datatype that has none (CS, CV, CO, PQR…)`);
    for (const k of KEPT) {
      const want = k === 'codeSystem' ? codeSystem : o.attrs.get(k);
      if (added.attrs.get(k) !== want) problems.push(`${where}: added translation has ${k}=${added.attrs.get(k)}, the source ${want}`);
    }
    for (const k of added.attrs.keys()) if (!KEPT.includes(k)) problems.push(`${where}: added translation has an unexpected attribute ${k}`);
    if (added.children.some((c) => !isEl(c))) problems.push(`${where}: added translation holds text`);
    const rest = tKids.slice(0, -1);
    const others = oKids.filter((k) => !oOld.includes(k));
    for (let i = 0; i < others.length; i++) compare(others[i], rest[i]);
    const moved = added.children.filter(isEl);
    if (moved.length !== oOld.length) problems.push(`${where}: ${moved.length} nested translations instead of ${oOld.length}`);
    for (let i = 0; i < Math.min(moved.length, oOld.length); i++) compare(oOld[i], moved[i]);
    const tText = [...t.children, ...added.children].filter((c) => !isEl(c));
    if (oText.join('\u0000') !== tText.join('\u0000')) problems.push(`${where}: text, comments or PIs changed`);
    // CD content model: originalText, qualifier*, translation*.
    const rank = (k: CheckedElement): number => (k.ns !== HL7 ? -1 : k.local === 'originalText' ? 0 : k.local === 'qualifier' ? 1 : k.local === 'translation' ? 2 : -1);
    let last = 0;
    for (const k of tKids) {
      const r = rank(k);
      if (r < 0) continue;
      if (r < last) problems.push(`${where}: ${k.local} after a later part of the CD content model`);
      last = Math.max(last, r);
    }
  };
  const o = parseForCheck(source);
  let t: CheckedElement;
  try {
    t = parseForCheck(translated);
  } catch (err) {
    return { problems: [`the translated document is not well-formed: ${(err as Error).message}`], translated: [] };
  }
  compare(o, t);
  return { problems, translated: facts };
}

/** Every element of a tree, depth first. */
export function* elementsOf(el: CheckedElement): Iterable<CheckedElement> {
  yield el;
  for (const c of el.children) if (isEl(c)) yield* elementsOf(c);
}

/** "system|code" of every coded element of a tree (a qualifier's value with its implied code system), FHIR system URIs. */
export function codingsOf(tree: CheckedElement): Set<string> {
  const out = new Set<string>();
  for (const e of elementsOf(tree)) {
    const code = e.attrs.get('code');
    const cs = codeSystemOf(e);
    if (code !== undefined && cs !== undefined) out.add(`${systemUri(cs)}|${code}`);
  }
  return out;
}

export interface BundleTranslation {
  system: string;
  code: string;
  text: string;
}

/**
 * The codings whose designation became a concept's text in a converted
 * Bundle: every CodeableConcept marked with the designation-source extension,
 * and among its codings those whose designation is that text.
 */
export function bundleTranslations(bundle: unknown, catalogue: TerminologyCatalogue, language: string): BundleTranslation[] {
  const out: BundleTranslation[] = [];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    const cc = v as fhir4.CodeableConcept;
    if (cc.text && Array.isArray(cc.coding) && cc.extension?.some((x) => x.url === DESIGNATION_SOURCE_EXT)) {
      for (const c of cc.coding) {
        if (c.system && c.code && catalogue.lookup(c.system, c.code, language)?.text === cc.text) out.push({ system: c.system, code: c.code, text: cc.text });
      }
    }
    for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
  };
  walk(bundle);
  return out;
}

/**
 * The Bundle's translations of codes the source CDA carries that the
 * translated CDA does not show on an element of that code with that
 * designation as displayName (the two translations must agree). Codes the
 * conversion derived (a status, an IPS "no known" concept) are not the CDA's
 * and are left out; `checked` says how many were compared.
 */
export function disagreements(source: string | Buffer, translated: string | Buffer, bundle: unknown, catalogue: TerminologyCatalogue, language: string): { checked: number; missing: string[] } {
  const inSource = codingsOf(parseForCheck(source));
  const shown = new Set<string>();
  for (const e of elementsOf(parseForCheck(translated))) {
    const code = e.attrs.get('code');
    const cs = codeSystemOf(e);
    if (code !== undefined && cs !== undefined) shown.add(`${systemUri(cs)}|${code}|${e.attrs.get('displayName') ?? ''}`);
  }
  let checked = 0;
  const missing = new Set<string>();
  for (const t of bundleTranslations(bundle, catalogue, language)) {
    if (!inSource.has(`${t.system}|${t.code}`)) continue;
    checked++;
    if (!shown.has(`${t.system}|${t.code}|${t.text}`)) missing.add(`${t.system}|${t.code} "${t.text}"`);
  }
  return { checked, missing: [...missing].sort() };
}
