/**
 * Safe XML reading for everything received from a gateway (or, in the
 * simulator, from a client): the project's XML policy (util/safe-xml) is
 * checked by a streaming pass before xmldom builds a DOM, so a DOCTYPE is
 * refused outright (no DTD, no entity declaration, no external resource is
 * ever processed) and depth, size and attributes are bounded; the helpers
 * below navigate by local name, because real messages use any prefix.
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { checkXml, XML_LIMITS, XmlPolicyError } from '../../util/safe-xml.js';

export class XmlSafetyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSafetyError';
  }
}

/** Default ceiling on a message we agree to parse (characters): the project's XML policy (util/safe-xml). */
export const DEFAULT_MAX_XML_CHARS = XML_LIMITS.maxBytes;

/** Deepest element nesting accepted: far beyond any real message, well below what recursive tree walks survive. */
export const MAX_XML_DEPTH = XML_LIMITS.maxDepth;

/**
 * Throws XmlSafetyError when the text breaches the project's XML policy: a
 * DOCTYPE (so no DTD, entity declaration or external resource), more than
 * `maxChars`, nesting deeper than MAX_XML_DEPTH, too many or too long
 * attributes, or malformed XML. One streaming pass that stops at the first
 * breach, before xmldom builds a whole DOM of it.
 */
export function assertSafeXml(text: string, maxChars = DEFAULT_MAX_XML_CHARS): void {
  try {
    checkXml(text, { limits: { maxBytes: maxChars } });
  } catch (e) {
    if (!(e instanceof XmlPolicyError)) throw e;
    switch (e.problem) {
      case 'too-large':
        throw new XmlSafetyError(`XML document larger than ${maxChars} characters`);
      case 'doctype':
        throw new XmlSafetyError('XML with a DOCTYPE or entity declaration is refused');
      case 'too-deep':
        throw new XmlSafetyError(`XML nested deeper than ${MAX_XML_DEPTH} elements is refused`);
      case 'not-xml':
        throw new XmlSafetyError(`malformed XML: ${e.message}`);
      default:
        throw new XmlSafetyError(`XML with ${e.message} is refused`);
    }
  }
}

/** Parses XML into a DOM after the safety checks; any well-formedness error throws XmlSafetyError. */
export function parseXml(text: string, maxChars = DEFAULT_MAX_XML_CHARS): Document {
  assertSafeXml(text, maxChars);
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new XmlSafetyError(`malformed XML: ${message}`);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (e) {
    if (e instanceof XmlSafetyError) throw e;
    throw new XmlSafetyError(`malformed XML: ${(e as Error).message}`);
  }
  if (!doc.documentElement) throw new XmlSafetyError('malformed XML: no root element');
  return doc;
}

const ELEMENT_NODE = 1;

function isElement(node: Node | null): node is Element {
  return node !== null && node.nodeType === ELEMENT_NODE;
}

/** Child elements, optionally only those with the given local name. */
export function children(el: Element | null | undefined, localName?: string): Element[] {
  if (!el) return [];
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (isElement(n) && (!localName || n.localName === localName)) out.push(n);
  }
  return out;
}

/** First child element with the given local name. */
export function child(el: Element | null | undefined, localName: string): Element | undefined {
  return children(el, localName)[0];
}

/** Walks down a path of local names, taking the first match at each step. */
export function path(el: Element | null | undefined, ...names: string[]): Element | undefined {
  let cur: Element | undefined = el ?? undefined;
  for (const name of names) {
    cur = child(cur, name);
    if (!cur) return undefined;
  }
  return cur;
}

/** Every descendant element with the given local name, in document order. */
export function descendants(el: Element | null | undefined, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (e: Element): void => {
    for (const c of children(e)) {
      if (c.localName === localName) out.push(c);
      walk(c);
    }
  };
  if (el) walk(el);
  return out;
}

/** Trimmed text content, or undefined when empty or absent. */
export function text(el: Element | null | undefined): string | undefined {
  const t = el?.textContent?.trim();
  return t ? t : undefined;
}

/** Attribute by local name (whatever its prefix), or undefined. */
export function attr(el: Element | null | undefined, localName: string): string | undefined {
  if (!el) return undefined;
  if (el.hasAttribute(localName)) return el.getAttribute(localName) ?? undefined;
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (a && a.localName === localName && a.prefix !== 'xmlns') return a.value;
  }
  return undefined;
}

/** Escapes a value for use in XML text or a double-quoted attribute. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Removes a leading XML declaration so a document can be embedded in another. */
export function stripXmlDeclaration(xml: string): string {
  return xml.replace(/^\uFEFF?\s*<\?xml[^?]*\?>\s*/, '');
}

export type { Document, Element };
