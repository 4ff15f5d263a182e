/**
 * The project's one safe-XML policy. Every XML text the project reads goes
 * through `readXml` / `readXmlNS` (a streaming saxes pass), or `checkXml` (the
 * same pass without handlers, before a DOM parser builds a tree of it):
 *
 * - FHIR XML request bodies (fhir/xml.ts), before anything else reads them;
 * - CDA documents (mapping/xml-tree.ts, documents/translated-cda.ts);
 * - SOAP messages, SAML assertions and search masks (ehdsi/soap/xml.ts, in
 *   front of @xmldom/xmldom), and so what reaches the simulated gateways.
 *
 * The limits hold while streaming: the pass throws at the first breach (a
 * DOCTYPE as soon as it ends, the start of an element one level too deep, the
 * end of a start tag with too many attributes or too long a value, the first
 * well-formedness error), so a hostile text costs at most time linear in its
 * size up to that point, never the whole document, and
 * no DTD, entity declaration or external resource is ever processed (saxes
 * expands none; a DOCTYPE is refused as soon as it ends). Callers turn an
 * `XmlPolicyError` into their own error (FhirError, CdaInputError,
 * XmlSafetyError) by its `problem`.
 */
import { SaxesParser, type SaxesTagNS, type SaxesTagPlain } from 'saxes';

export interface XmlLimits {
  /** Longest text accepted (UTF-16 code units of the decoded text; callers holding bytes check bytes first). */
  maxBytes: number;
  /** Deepest element nesting: far beyond any real document (a CDA: about 30), well within what recursive walks survive. */
  maxDepth: number;
  /** Most attributes on one element, namespace declarations included. */
  maxAttributes: number;
  /** Longest attribute value (FHIR's own ceiling on a string: 1 MB). */
  maxAttributeChars: number;
}

export const XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxDepth: 256,
  maxAttributes: 256,
  maxAttributeChars: 1024 * 1024,
});

export type XmlPolicyProblem = 'too-large' | 'doctype' | 'too-deep' | 'too-many-attributes' | 'attribute-too-long' | 'not-xml';

/** A breach of the policy, or XML that is not well-formed ('not-xml': the message is the parser's). */
export class XmlPolicyError extends Error {
  constructor(readonly problem: XmlPolicyProblem, message: string, readonly limit?: number) {
    super(message);
    this.name = 'XmlPolicyError';
  }
}

/** Where the pass is, for the handlers: depth of the current element (1 = root) and offset in the text. */
export interface XmlCursor {
  readonly depth: number;
  readonly position: number;
}

export interface XmlHandlers<Tag> {
  opentag?(tag: Tag, at: XmlCursor): void;
  closetag?(tag: Tag, at: XmlCursor): void;
  text?(text: string): void;
  cdata?(text: string): void;
  comment?(text: string): void;
  processinginstruction?(pi: { target: string; body: string }): void;
}

export interface XmlReadOptions {
  /** Limits tighter (or, for a caller that knows better, looser) than XML_LIMITS. */
  limits?: Partial<XmlLimits>;
  /** Line and column in the parser's error messages (slower; default false). */
  position?: boolean;
}

/** The limits in force: XML_LIMITS, overridden by `limits`. */
export function xmlLimits(limits?: Partial<XmlLimits>): XmlLimits {
  return limits ? { ...XML_LIMITS, ...limits } : XML_LIMITS;
}

/** The policy's own words for a breach (callers may word it their way). */
export function policyMessage(problem: Exclude<XmlPolicyProblem, 'not-xml'>, limits: XmlLimits): string {
  switch (problem) {
    case 'too-large':
      return `XML text longer than ${limits.maxBytes} characters`;
    case 'doctype':
      return 'a DOCTYPE declaration (DTD, entities) is refused';
    case 'too-deep':
      return `elements nested deeper than ${limits.maxDepth} levels`;
    case 'too-many-attributes':
      return `an element with more than ${limits.maxAttributes} attributes`;
    case 'attribute-too-long':
      return `an attribute value longer than ${limits.maxAttributeChars} characters`;
  }
}

const LIMIT_OF: Record<Exclude<XmlPolicyProblem, 'not-xml' | 'doctype'>, keyof XmlLimits> = {
  'too-large': 'maxBytes',
  'too-deep': 'maxDepth',
  'too-many-attributes': 'maxAttributes',
  'attribute-too-long': 'maxAttributeChars',
};

function breach(problem: Exclude<XmlPolicyProblem, 'not-xml'>, limits: XmlLimits): XmlPolicyError {
  return new XmlPolicyError(problem, policyMessage(problem, limits), problem === 'doctype' ? undefined : limits[LIMIT_OF[problem]]);
}

/**
 * Attributes are checked when their start tag ends, and only in a start tag
 * long enough to breach a limit (each attribute takes at least 5 characters,
 * ` a=""`; a value longer than the limit makes the tag longer still): nearly
 * every element costs a subtraction. (saxes' own "attribute" event, even with
 * an empty handler, made a CDA parse twice as slow.)
 */
function checkAttributes(attributes: Record<string, string | { value: string }>, limits: XmlLimits): void {
  let n = 0;
  for (const name in attributes) {
    if (++n > limits.maxAttributes) throw breach('too-many-attributes', limits);
    const a = attributes[name];
    if ((typeof a === 'string' ? a : a.value).length > limits.maxAttributeChars) throw breach('attribute-too-long', limits);
  }
}

/**
 * The handlers' XmlCursor. (A class, not an object literal with getters: such
 * a literal, made anew per document, kept the previous document's whole tree
 * alive through the closures of its getters, and made a CDA parse 3 times slower.)
 */
class Cursor implements XmlCursor {
  depth = 0;
  constructor(private readonly parser: { readonly position: number }) {}
  get position(): number {
    return this.parser.position;
  }
}

function run<Tag extends { attributes: Record<string, string | { value: string }> }>(xmlns: boolean, text: string, handlers: XmlHandlers<Tag>, options: XmlReadOptions): void {
  const limits = xmlLimits(options.limits);
  if (text.length > limits.maxBytes) throw breach('too-large', limits);
  const parser = new SaxesParser({ xmlns, position: options.position ?? false });
  const attributeScan = Math.min(5 * limits.maxAttributes, limits.maxAttributeChars);
  let tagStart = 0;
  const at = new Cursor(parser);
  // Each breach throws out of parser.write: saxes stops where it is.
  parser.on('error', (err) => {
    throw new XmlPolicyError('not-xml', err.message);
  });
  parser.on('doctype', () => {
    throw breach('doctype', limits);
  });
  parser.on('opentagstart', () => {
    if (at.depth >= limits.maxDepth) throw breach('too-deep', limits);
    tagStart = parser.position;
  });
  const { opentag, closetag } = handlers;
  parser.on('opentag', (tag) => {
    at.depth++;
    if (parser.position - tagStart > attributeScan) checkAttributes(tag.attributes, limits);
    opentag?.(tag as unknown as Tag, at);
  });
  parser.on('closetag', closetag
    ? (tag) => {
      closetag(tag as unknown as Tag, at);
      at.depth--;
    }
    : () => {
      at.depth--;
    });
  if (handlers.text) parser.on('text', handlers.text);
  if (handlers.cdata) parser.on('cdata', handlers.cdata);
  if (handlers.comment) parser.on('comment', handlers.comment);
  if (handlers.processinginstruction) parser.on('processinginstruction', handlers.processinginstruction);
  parser.write(text).close();
}

/**
 * Streams `text` through saxes in its fast non-namespace mode (tag names as
 * written, attributes as a name → value record) under the policy.
 * @throws XmlPolicyError at the first breach or well-formedness error; whatever a handler throws, as it is
 */
export function readXml(text: string, handlers: XmlHandlers<SaxesTagPlain>, options: XmlReadOptions = {}): void {
  run(false, text, handlers, options);
}

/** As readXml, namespace-aware (tag.uri, tag.local, attributes with their namespace). */
export function readXmlNS(text: string, handlers: XmlHandlers<SaxesTagNS>, options: XmlReadOptions = {}): void {
  run(true, text, handlers, options);
}

/** The policy and well-formedness alone, before a parser that builds a tree (xmldom). */
export function checkXml(text: string, options: XmlReadOptions = {}): void {
  run(false, text, {}, options);
}
