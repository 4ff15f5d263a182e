import { isElement, type XmlElement } from './xml-tree.js';

/**
 * CDA section narrative (the NarrativeBlock schema) → FHIR XHTML. Only the
 * structure and a few harmless attributes pass; text is escaped; links keep
 * http(s) targets only. What the source sent stays readable as it came.
 */
const ELEMENTS: Record<string, string> = {
  paragraph: 'p', content: 'span', table: 'table', thead: 'thead', tbody: 'tbody', tfoot: 'tfoot', tr: 'tr',
  td: 'td', th: 'th', caption: 'caption', colgroup: 'colgroup', col: 'col', br: 'br', sub: 'sub', sup: 'sup',
  item: 'li', footnote: 'span', footnoteRef: 'span', linkHtml: 'a', text: 'div', renderMultiMedia: 'span',
};
const ATTRS: ReadonlyArray<[string, string]> = [
  ['ID', 'id'],
  ['colspan', 'colspan'],
  ['rowspan', 'rowspan'],
  ['align', 'align'],
  ['valign', 'valign'],
  ['span', 'span'],
  ['width', 'width'],
];
const EMPTY = new Set(['br', 'col']);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const NEEDS_ESCAPE = /[&<>"]/;

export function escapeXml(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[&<>"]/g, (c) => ESCAPES[c]) : s;
}

function attrsOf(el: XmlElement, tag: string): string {
  let out = '';
  for (const [from, to] of ATTRS) {
    const v = el.attrs[from];
    if (v !== undefined) out += ` ${to}="${escapeXml(v)}"`;
  }
  if (el.attrs.styleCode) {
    const cls = el.attrs.styleCode.split(/\s+/).filter((c) => /^[A-Za-z][\w-]*$/.test(c));
    if (cls.length) out += ` class="${cls.join(' ')}"`;
  }
  if (el.attrs.language && /^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$/.test(el.attrs.language)) out += ` lang="${el.attrs.language}" xml:lang="${el.attrs.language}"`;
  if (tag === 'a' && el.attrs.href && /^https?:\/\//i.test(el.attrs.href)) out += ` href="${escapeXml(el.attrs.href)}"`;
  return out;
}

function render(el: XmlElement, out: string[]): void {
  for (const c of el.children) {
    if (!isElement(c)) {
      out.push(escapeXml(c));
      continue;
    }
    let tag = ELEMENTS[c.name] ?? 'span';
    if (c.name === 'list') tag = c.attrs.listType === 'ordered' ? 'ol' : 'ul';
    if (c.name === 'renderMultiMedia') continue;
    if (EMPTY.has(tag)) {
      out.push(`<${tag}${attrsOf(c, tag)}/>`);
      continue;
    }
    out.push(`<${tag}${attrsOf(c, tag)}>`);
    render(c, out);
    out.push(`</${tag}>`);
  }
}

/** The section's <text> as the div of a FHIR Narrative (never empty). */
export function narrativeDiv(text: XmlElement | undefined, fallback: string): string {
  const out: string[] = [];
  if (text) render(text, out);
  const body = out.join('').trim();
  return `<div xmlns="http://www.w3.org/1999/xhtml">${body ? body : `<p>${escapeXml(fallback)}</p>`}</div>`;
}
