/**
 * Safe XML reading for everything received from a gateway (or, in the
 * simulator, from a client). A DOCTYPE is refused outright, so no DTD, no
 * entity declaration and no external resource can ever be processed; the
 * helpers below navigate by local name, because real messages use any prefix.
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';

export class XmlSafetyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSafetyError';
  }
}

/** Default ceiling on a message we agree to parse (characters). */
export const DEFAULT_MAX_XML_CHARS = 20 * 1024 * 1024;

const DTD_PATTERN = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

/** Deepest element nesting accepted: far beyond any real message, well below what recursive tree walks survive. */
export const MAX_XML_DEPTH = 200;

/**
 * Deepest element nesting of a document, by a linear scan of its tags
 * (comments, CDATA, processing instructions and quoted attribute values skipped).
 * Stops as soon as `limit` is exceeded.
 */
export function elementDepth(text: string, limit = MAX_XML_DEPTH): number {
  let depth = 0;
  let max = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    if (text.startsWith('<!--', i)) i = text.indexOf('-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) i = text.indexOf(']]>', i + 9);
    else if (text[i + 1] === '?' || text[i + 1] === '!') i = text.indexOf('>', i + 2);
    else if (text[i + 1] === '/') {
      depth--;
      i = text.indexOf('>', i + 2);
    } else {
      let j = i + 1;
      let quote = '';
      for (; j < text.length; j++) {
        const c = text[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (text[j - 1] !== '/') {
        depth++;
        if (depth > max) max = depth;
        if (max > limit) return max;
      }
      i = j;
    }
    if (i < 0) break;
    i = text.indexOf('<', i + 1);
  }
  return max;
}

/** Throws XmlSafetyError when the text carries a DTD, is larger than allowed or nested absurdly deep. */
export function assertSafeXml(text: string, maxChars = DEFAULT_MAX_XML_CHARS): void {
  if (text.length > maxChars) throw new XmlSafetyError(`XML document larger than ${maxChars} characters`);
  if (DTD_PATTERN.test(text)) throw new XmlSafetyError('XML with a DOCTYPE or entity declaration is refused');
  if (elementDepth(text) > MAX_XML_DEPTH) throw new XmlSafetyError(`XML nested deeper than ${MAX_XML_DEPTH} elements is refused`);
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
