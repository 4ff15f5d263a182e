import { createRequire } from 'node:module';
import { readXmlNS, XmlPolicyError, xmlLimits } from '../util/safe-xml.js';
import { FhirError } from '../kernel/errors.js';
import type { Resource } from '../kernel/types.js';

// FHIR.js (npm "fhir") serialises R4 JSON <-> XML from the official structure
// definitions (element order, value attributes, primitive extensions, xhtml).
// It is lenient on input, so incoming XML is first checked by a strict parser.
const require = createRequire(import.meta.url);
const { Fhir } = require('fhir') as typeof import('fhir');
const fhirJs = new Fhir();

const FHIR_NS = 'http://hl7.org/fhir';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/**
 * Serialises any R4 resource to FHIR XML. Narrative divs are written as they
 * are: FHIR.js re-serialises them and drops the whitespace-only text between
 * two tags ("Comprimé</sup> <span>" became "Comprimé</sup><span>"), so each
 * div goes through as a placeholder and is put back verbatim (it is already
 * XHTML, checked when it was made or received).
 */
export function resourceToXml(resource: Resource, pretty = false): string {
  const divs: string[] = [];
  const withPlaceholders = JSON.parse(JSON.stringify(resource), (key, value: unknown) => {
    if (key !== 'div' || typeof value !== 'string') return value;
    divs.push(value);
    return `<div xmlns="${XHTML_NS}">${NARRATIVE_PLACEHOLDER}${divs.length - 1}</div>`;
  }) as object;
  let xml = fhirJs.objToXml(withPlaceholders);
  if (divs.length) xml = xml.replace(PLACEHOLDER_DIV, (_m, n: string) => divs[Number(n)]);
  return pretty ? indentXml(xml) : xml;
}

const NARRATIVE_PLACEHOLDER = 'ehdsi-facade-narrative-';
const PLACEHOLDER_DIV = new RegExp(`<div xmlns="${XHTML_NS.replace(/[./]/g, '\\$&')}">${NARRATIVE_PLACEHOLDER}(\\d+)</div>`, 'g');

interface XmlScan {
  root: string;
  /** Count of FHIR elements by local name (xhtml content excluded). */
  counts: Map<string, number>;
}

/** How a FHIR XML body breaching the project's XML policy is refused (400, the limit named). */
function policyRefusal(e: XmlPolicyError): FhirError {
  const limits = xmlLimits();
  switch (e.problem) {
    case 'doctype':
      return FhirError.badRequest('XML body must not contain a DOCTYPE declaration (DTDs and entities are refused)', undefined, 'structure');
    case 'too-deep':
      return FhirError.badRequest(`XML body nested deeper than ${limits.maxDepth} elements`, undefined, 'too-costly');
    case 'too-many-attributes':
      return FhirError.badRequest(`XML body has an element with more than ${limits.maxAttributes} attributes`, undefined, 'too-costly');
    case 'attribute-too-long':
      return FhirError.badRequest(`XML body has an attribute value longer than ${limits.maxAttributeChars} characters`, undefined, 'too-costly');
    case 'too-large':
      return FhirError.badRequest(`XML body longer than ${limits.maxBytes} characters`, undefined, 'too-costly');
    case 'not-xml':
      return FhirError.badRequest(`Malformed XML: ${e.message}`, undefined, 'structure');
  }
}

/**
 * Strict, non-validating scan under the project's XML policy (util/safe-xml:
 * no DTD, so no entity expansion of any kind; depth, attribute and size limits
 * enforced while streaming, the scan stopping at the first breach), FHIR
 * namespace on the root, and a census of element names used to detect elements
 * the converter silently dropped.
 */
function scanXml(text: string): XmlScan {
  const counts = new Map<string, number>();
  let root = '';
  let xhtmlDepth = 0;
  try {
    readXmlNS(text, {
      opentag: (tag, at) => {
        if (at.depth === 1) {
          root = tag.local;
          if (tag.uri !== FHIR_NS) throw FhirError.badRequest(`Root element <${tag.name}> is not in the FHIR namespace ${FHIR_NS}`, undefined, 'structure');
        }
        if (xhtmlDepth > 0 || tag.uri === XHTML_NS) {
          xhtmlDepth++;
          return;
        }
        if (tag.uri !== FHIR_NS) throw FhirError.badRequest(`Element <${tag.name}> is not in the FHIR namespace`, undefined, 'structure');
        counts.set(tag.local, (counts.get(tag.local) ?? 0) + 1);
      },
      closetag: () => {
        if (xhtmlDepth > 0) xhtmlDepth--;
      },
    }, { position: true });
  } catch (e) {
    if (e instanceof XmlPolicyError) throw policyRefusal(e);
    if (e instanceof FhirError) throw e;
    throw FhirError.badRequest(`Malformed XML: ${(e as Error).message}`, undefined, 'structure');
  }
  if (!root) throw FhirError.badRequest('XML body has no root element', undefined, 'structure');
  return { root, counts };
}

/**
 * The cheap part of xmlToResource: the XML policy, well-formedness and the
 * FHIR namespace, in one streaming pass (tens of milliseconds per MiB, where
 * the conversion by FHIR.js takes seconds): what is checked of a body before
 * its sender is authenticated.
 */
export function checkXmlResource(text: string): void {
  scanXml(text.replace(/^\uFEFF/, ''));
}

/** Parses a FHIR XML resource, refusing anything it cannot represent faithfully. */
export function xmlToResource(text: string): Resource {
  const body = text.replace(/^\uFEFF/, '');
  const scanned = scanXml(body);
  let resource: Resource;
  try {
    resource = fhirJs.xmlToObj(body) as Resource;
  } catch (e) {
    throw FhirError.badRequest(`XML body is not a FHIR resource: ${(e as Error).message}`, undefined, 'structure');
  }
  if (!resource || resource.resourceType !== scanned.root) {
    throw FhirError.badRequest(`<${scanned.root}> is not a FHIR R4 resource type`, undefined, 'structure');
  }
  // Elements unknown to R4 are dropped by the converter: detect and refuse them.
  const again = scanXml(fhirJs.objToXml(resource as object));
  for (const [name, n] of scanned.counts) {
    if ((again.counts.get(name) ?? 0) < n) {
      throw FhirError.badRequest(`Unknown or misplaced element <${name}> in ${scanned.root}`, [scanned.root], 'structure');
    }
  }
  return resource;
}

/** Indents serialised XML, leaving xhtml narrative untouched. */
function indentXml(xml: string): string {
  const out: string[] = [];
  let depth = 0;
  let inXhtml = 0;
  // Tokens: tags, or text between them. Our own serialiser never emits text
  // outside xhtml, so indenting between tags is safe.
  const tokens = xml.match(/<[^>]+>|[^<]+/g) ?? [];
  let line = '';
  for (const tok of tokens) {
    const isClose = tok.startsWith('</');
    const isSelf = tok.endsWith('/>') || tok.startsWith('<?');
    const opensXhtml = !isClose && tok.includes(`xmlns="${XHTML_NS}"`);
    if (inXhtml > 0 || opensXhtml) {
      line += tok;
      if (tok.startsWith('<') && !tok.startsWith('<?')) {
        if (isClose) inXhtml--;
        else if (!isSelf) inXhtml++;
      }
      if (inXhtml === 0) {
        out.push('  '.repeat(depth) + line);
        line = '';
      }
      continue;
    }
    if (isClose) depth--;
    out.push('  '.repeat(Math.max(depth, 0)) + tok);
    if (!isClose && !isSelf && tok.startsWith('<')) depth++;
  }
  return out.join('\n');
}
