/**
 * Narrative XHTML (txt-1, txt-2). medplum's htmlChecks() always answers true, so the harness checks
 * what the HL7 validator checks: well-formed XHTML, a root <div> in the XHTML namespace, only the
 * elements and attributes FHIR allows (no script, no forms, no event handlers), and some content.
 */
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import type { Issue } from './issues.js';

const XHTML = 'http://www.w3.org/1999/xhtml';

// The element and attribute lists of the HL7 Java validator (InstanceValidator.checkInnerNames).
const ELEMENTS = new Set(
  ('p br div h1 h2 h3 h4 h5 h6 a span b em i strong small big tt dfn q var abbr acronym cite blockquote hr address bdo kbd sub sup ' +
    'ul ol li dl dt dd pre table caption colgroup col thead tr tfoot tbody th td code samp img map area').split(' '),
);
const ATTRIBUTES = new Set(
  'title style class id lang xml:lang dir accesskey tabindex span width align valign char charoff abbr axis headers scope rowspan colspan'.split(' '),
);
const ELEMENT_ATTRIBUTES = new Set(
  ('a.href a.name img.src img.border div.xmlns blockquote.cite q.cite a.charset a.type a.hreflang a.rel a.rev a.shape a.coords ' +
    'img.alt img.longdesc img.height img.width img.usemap img.ismap map.name area.shape area.coords area.href area.nohref area.alt ' +
    'table.summary table.width table.border table.frame table.rules table.cellspacing table.cellpadding pre.space td.nowrap').split(' '),
);

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_NODE = 4;

export function checkNarrativeDiv(div: string, path: string): Issue[] {
  const issues: Issue[] = [];
  const problem = (rule: string, message: string): void => {
    issues.push({ severity: 'error', rule, path, message });
  };
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(div)) {
    problem('txt-1', 'the narrative contains a DOCTYPE or entity declaration');
    return issues;
  }
  const parseErrors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') parseErrors.push(message.split('\n')[0]);
    },
  }).parseFromString(div, 'text/xml');
  if (parseErrors.length || !doc.documentElement) {
    problem('txt-1', `the narrative is not well-formed XHTML: ${parseErrors[0] ?? 'no root element'}`);
    return issues;
  }
  const root = doc.documentElement;
  if (root.localName !== 'div' || root.namespaceURI !== XHTML) {
    problem('txt-1', `the narrative root must be <div xmlns="${XHTML}">, found <${root.nodeName}> in namespace ${root.namespaceURI ?? 'none'}`);
  }
  let content = false;
  const reported = new Set<string>();
  const visit = (node: Node): void => {
    if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_NODE) {
      if ((node.nodeValue ?? '').trim()) content = true;
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const el = node as Element;
    if (el.namespaceURI !== XHTML && !reported.has(`ns ${el.nodeName}`)) {
      reported.add(`ns ${el.nodeName}`);
      problem('txt-1', `<${el.nodeName}> is not in the XHTML namespace`);
    }
    const name = el.localName ?? el.nodeName;
    if (!ELEMENTS.has(name) && !reported.has(name)) {
      reported.add(name);
      problem('txt-1', `element <${name}> is not allowed in a FHIR narrative`);
    }
    if (name === 'img') content = true;
    for (let i = 0; i < el.attributes.length; i++) {
      const attr = el.attributes.item(i);
      if (!attr) continue;
      const an = attr.name;
      if (an === 'xmlns' || an.startsWith('xmlns:')) continue;
      if (!ATTRIBUTES.has(an) && !ELEMENT_ATTRIBUTES.has(`${name}.${an}`) && !reported.has(`${name}.${an}`)) {
        reported.add(`${name}.${an}`);
        problem('txt-1', `attribute '${an}' is not allowed on <${name}> in a FHIR narrative`);
      }
    }
    for (let child = el.firstChild; child; child = child.nextSibling) visit(child);
  };
  visit(root);
  if (!content) problem('txt-2', 'the narrative has no non-whitespace content');
  return issues;
}
