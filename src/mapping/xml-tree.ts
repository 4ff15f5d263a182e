import type { SaxesTagPlain } from 'saxes';
import { readXml, XML_LIMITS, XmlPolicyError, type XmlCursor } from '../util/safe-xml.js';
import { CdaInputError } from './errors.js';
import { NarrativeWriter, type NarrativeSpan } from './narrative-writer.js';

/**
 * A minimal element tree built in one saxes pass: element local names (any
 * prefix, any namespace), unprefixed attributes as they are and xsi:type as
 * "xsi:type" whatever its prefix; text kept as mixed content in the narrative
 * (indentation elsewhere is dropped). Enough for CDA mapping and for the
 * narrative, and much lighter than a DOM.
 */
export interface XmlElement {
  name: string;
  ns: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  parent: XmlElement | undefined;
  /** Set by the engine when a rule read this coded element (loss detection). */
  consumed?: boolean;
  /** Set when a rule took only its code (as a FHIR code): its coding is then kept as an extension. */
  readAsCode?: boolean;
  /** Memo of the element's locator (engine). */
  locator?: string;
  /** Document order of the element, and of its last descendant. */
  seq: number;
  end: number;
  /** On the root: every element with @code and @codeSystem, in document order. */
  coded?: XmlElement[];
  /** On the root: the text of every narrative element with an ID. */
  narrativeIds?: Map<string, NarrativeSpan>;
  /** On a section's <text>: its narrative, already as XHTML (its children are not kept). */
  xhtml?: string;
}
export type XmlNode = XmlElement | string;

const NO_CHILDREN: XmlNode[] = Object.freeze([]) as unknown as XmlNode[];

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** The project's XML policy (util/safe-xml) for CDA documents: size and depth, refused while parsing. */
export const DEFAULT_MAX_BYTES = XML_LIMITS.maxBytes;
/** Deeper nesting than any real CDA (about 30 levels); refused so that no walk can exhaust the stack. */
export const MAX_DEPTH = XML_LIMITS.maxDepth;

/** A breach of the XML policy (or malformed XML) as the converter's own error. */
export function cdaInputErrorOf(e: XmlPolicyError, maxBytes: number): CdaInputError {
  switch (e.problem) {
    case 'doctype':
      return new CdaInputError('doctype', 'DOCTYPE declarations (DTDs, entities) are refused');
    case 'too-deep':
      return new CdaInputError('too-deep', `elements nested deeper than ${MAX_DEPTH} levels are refused`);
    case 'too-large':
      return new CdaInputError('too-large', `the document is larger than ${maxBytes} bytes`);
    case 'too-many-attributes':
    case 'attribute-too-long':
      return new CdaInputError('too-large', `${e.message} is refused`);
    case 'not-xml':
      return new CdaInputError('not-xml', `not well-formed XML: ${e.message}`);
  }
}

export interface ParseOptions {
  maxBytes?: number;
}

/** Every element gets all its fields at once: one object shape, fast property access in the mapping. */
function newElement(name: string, ns: string, attrs: Record<string, string>, children: XmlNode[], parent: XmlElement | undefined, seq: number): XmlElement {
  return { name, ns, attrs, children, parent, consumed: false, readAsCode: false, locator: undefined, seq, end: seq, coded: undefined, narrativeIds: undefined, xhtml: undefined };
}

/**
 * The prefixes a document declares (prefix → namespace), found once by a scan
 * of its text, and how many declarations there are (default ones included):
 * a parser in saxes' non-namespace mode then looks up only those few keys per
 * element, and only until every declaration has been met.
 */
export function scanNamespaceDeclarations(text: string): { declared: Map<string, string>; count: number } {
  const declared = new Map<string, string>();
  let count = 0;
  const declaration = /xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(["'])([\s\S]*?)\2/y;
  for (let i = text.indexOf('xmlns'); i >= 0; i = text.indexOf('xmlns', i + 5)) {
    declaration.lastIndex = i;
    const m = declaration.exec(text);
    if (!m) continue;
    count++;
    if (m[1]) declared.set(m[1], m[3]);
  }
  return { declared, count };
}

/** Parses XML text into an element tree; refuses DOCTYPE, non-XML and oversize input. */
export function parseXml(input: string | Buffer, opts: ParseOptions = {}): XmlElement {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size === 0) throw new CdaInputError('empty', 'the document is empty');
  if (size > maxBytes) throw new CdaInputError('too-large', `the document is larger than ${maxBytes} bytes`);
  let text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  // Non-namespace mode is much faster in saxes; prefixes are resolved here,
  // only where declared, so any prefix for the CDA, epSOS or XSI namespaces works.
  const root: XmlElement = newElement('#document', '', {}, [], undefined, -1);
  let seq = 0;
  const coded: XmlElement[] = [];
  let current = root;
  let failure: Error | undefined;
  const scopes: Array<Record<string, string>> = [{ xml: 'http://www.w3.org/XML/1998/namespace' }];
  // The default namespace of the innermost scope, kept at hand for unprefixed names (nearly all).
  const defaultNs: Array<string | undefined> = [undefined];
  const scopeDepth: number[] = [];
  // Section narrative is written straight to XHTML while parsing.
  let narrative: NarrativeWriter | undefined;
  const narrativeIds = new Map<string, NarrativeSpan>();
  const { declared, count } = scanNamespaceDeclarations(text);
  // Declarations still to meet (usually all on the root): later elements skip the check.
  let pendingDeclarations = count;
  const declKeys = [...declared.keys()].map((p) => 'xmlns:' + p);
  const xsiTypeKeys = [...declared].filter(([, uri]) => uri === XSI_NS).map(([p]) => p + ':type');
  const opentag = (tag: SaxesTagPlain, { depth }: XmlCursor): void => {
    const raw = tag.attributes as Record<string, string>;
    let scope = scopes[scopes.length - 1];
    if (pendingDeclarations > 0) {
      let declares = raw.xmlns !== undefined;
      for (let i = 0; i < declKeys.length && !declares; i++) declares = raw[declKeys[i]] !== undefined;
      if (declares) {
        scope = Object.create(scope) as Record<string, string>;
        scopes.push(scope);
        defaultNs.push(raw.xmlns ?? defaultNs[defaultNs.length - 1]);
        scopeDepth.push(depth);
        if (raw.xmlns !== undefined) {
          scope[''] = raw.xmlns;
          pendingDeclarations--;
        }
        for (const k of declKeys) {
          if (raw[k] === undefined) continue;
          scope[k.slice(6)] = raw[k];
          pendingDeclarations--;
        }
      }
    }
    // xsi:type under whatever prefix the document binds to the XSI namespace.
    for (let i = 0; i < xsiTypeKeys.length; i++) {
      const v = raw[xsiTypeKeys[i]];
      if (v !== undefined) raw['xsi:type'] = v;
    }
    const name = tag.name;
    const colon = name.indexOf(':');
    if (narrative) {
      narrative.start(colon < 0 ? name : name.slice(colon + 1), raw);
      return;
    }
    let local = name;
    let ns: string | undefined;
    if (colon < 0) ns = defaultNs[defaultNs.length - 1];
    else {
      local = name.slice(colon + 1);
      ns = scope[name.slice(0, colon)];
      if (ns === undefined) failure ??= new CdaInputError('not-xml', `unbound namespace prefix "${name.slice(0, colon)}"`);
    }
    // Empty elements (most of a CDA: templateId, code, id…) share one empty, frozen child list.
    const el = newElement(local, ns ?? '', raw, tag.isSelfClosing ? NO_CHILDREN : [], current, seq++);
    if (raw.codeSystem !== undefined && raw.code !== undefined) coded.push(el);
    if (local === 'text' && current.name === 'section') narrative = new NarrativeWriter(narrativeIds);
    current.children.push(el);
    current = el;
  };
  const closetag = (_tag: SaxesTagPlain, { depth }: XmlCursor): void => {
    if (scopeDepth[scopeDepth.length - 1] === depth) {
      scopeDepth.pop();
      scopes.pop();
      defaultNs.pop();
    }
    if (narrative) {
      if (narrative.depth > 0) return narrative.end();
      current.xhtml = narrative.result();
      narrative = undefined;
    }
    current.end = seq - 1;
    current = current.parent ?? root;
  };
  const textHandler = (t: string): void => {
    if (narrative) return narrative.text(t);
    // Indentation between structural elements means nothing: only narrative keeps it.
    if (current === root || t.trim() === '') return;
    current.children.push(t);
  };
  const cdata = (t: string): void => {
    if (narrative) narrative.text(t);
    else if (current !== root) current.children.push(t);
  };
  try {
    readXml(text, { opentag, closetag, text: textHandler, cdata }, { limits: { maxBytes } });
  } catch (err) {
    if (err instanceof XmlPolicyError) failure ??= cdaInputErrorOf(err, maxBytes);
    else if (err instanceof CdaInputError) failure ??= err;
    else failure ??= new CdaInputError('not-xml', `not well-formed XML: ${(err as Error).message}`);
  }
  if (failure) throw failure;
  const top = root.children.find((c): c is XmlElement => typeof c !== 'string');
  if (!top) throw new CdaInputError('not-xml', 'no root element');
  top.parent = undefined;
  top.coded = coded;
  top.narrativeIds = narrativeIds;
  return top;
}

export function isElement(n: XmlNode): n is XmlElement {
  return typeof n !== 'string';
}

/** Child elements with this local name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (typeof c !== 'string' && c.name === name) out.push(c);
  }
  return out;
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (typeof c !== 'string' && c.name === name) return c;
  }
  return undefined;
}

function collectText(e: XmlElement, parts: string[]): void {
  const children = e.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (typeof c === 'string') parts.push(c);
    else {
      // element parts (given, family…) are words of their own
      parts.push(' ');
      collectText(c, parts);
      parts.push(' ');
    }
  }
}

const NEEDS_COLLAPSE = /[\t\n\r]| {2}/;

/** Whitespace runs as one space, trimmed (the regex replace only when needed). */
export function collapseSpaces(s: string): string {
  return NEEDS_COLLAPSE.test(s) ? s.replace(/\s+/g, ' ').trim() : s.trim();
}

/** Text content of an element and its descendants, whitespace collapsed. */
export function textOf(el: XmlElement): string {
  const children = el.children;
  if (children.length === 0) return '';
  if (children.length === 1 && typeof children[0] === 'string') return collapseSpaces(children[0]);
  const parts: string[] = [];
  collectText(el, parts);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** The templateId roots of an element. */
export function templateIds(el: XmlElement): string[] {
  const out: string[] = [];
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (typeof c !== 'string' && c.name === 'templateId' && c.attrs.root) out.push(c.attrs.root);
  }
  return out;
}

/** The coded elements (@code and @codeSystem) of el's subtree, el included, in document order. */
export function codedWithin(doc: XmlElement, el: XmlElement): XmlElement[] {
  const list = doc.coded ?? [];
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].seq < el.seq) lo = mid + 1;
    else hi = mid;
  }
  const out: XmlElement[] = [];
  for (let i = lo; i < list.length && list[i].seq <= el.end; i++) out.push(list[i]);
  return out;
}
