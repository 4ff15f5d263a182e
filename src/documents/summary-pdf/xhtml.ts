/**
 * A tolerant reader of the XHTML narratives of a FHIR Bundle (Narrative.div):
 * the project's own French narratives and the source document's narrative it
 * embeds. It never throws: a stray close tag is ignored, an unclosed element
 * ends with its parent, comments, processing instructions and DOCTYPEs are
 * skipped, unknown entities stay as written. One pass over the text, depth
 * bounded (deeper elements give their content to the deepest kept one), so a
 * hostile narrative costs time linear in its length and no deep recursion.
 */

export interface XElement {
  /** Local name, lower case ("td", not "h:td"). */
  tag: string;
  /** The few attributes the PDF uses: class, lang (or xml:lang), colspan. */
  cls: string;
  lang?: string;
  colspan?: number;
  children: XNode[];
}
export type XNode = XElement | string;

/** Elements deeper than this hand their content to their ancestor at this depth. */
export const MAX_DEPTH = 64;

const VOID = new Set(['br', 'col', 'img', 'hr', 'meta', 'link', 'input', 'area', 'base', 'wbr', 'source', 'param', 'embed']);

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** &amp; &#233; &#xE9; …; an unknown or malformed reference stays as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    }
    return NAMED[ref] ?? whole;
  });
}

const ATTRIBUTE = /([^\s=/>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

function element(name: string, attrText: string): XElement {
  const el: XElement = { tag: name, cls: '', children: [] };
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(attrText); m; m = ATTRIBUTE.exec(attrText)) {
    const key = m[1].toLowerCase();
    const value = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
    if (key === 'class') el.cls = value;
    else if (key === 'lang' || key === 'xml:lang') el.lang = value;
    else if (key === 'colspan') {
      const n = parseInt(value, 10);
      if (n > 1) el.colspan = n;
    }
  }
  return el;
}

const localName = (raw: string): string => {
  const i = raw.indexOf(':');
  return (i >= 0 ? raw.slice(i + 1) : raw).toLowerCase();
};

/** Parses a narrative div (or any XHTML fragment) into a tree under a synthetic "root" element. */
export function parseXhtml(text: string): XElement {
  const root: XElement = { tag: 'root', cls: '', children: [] };
  // Open elements: the element that receives children, and the name that closes it.
  const stack: Array<{ el: XElement; name: string }> = [{ el: root, name: '' }];
  let kept = 1; // elements of the stack that are real (not folded into an ancestor)
  const n = text.length;
  let i = 0;
  const addText = (t: string): void => {
    if (!t) return;
    const parent = stack[stack.length - 1].el;
    const last = parent.children[parent.children.length - 1];
    if (typeof last === 'string') parent.children[parent.children.length - 1] = last + t;
    else parent.children.push(t);
  };
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      addText(decodeEntities(text.slice(i)));
      break;
    }
    if (lt > i) addText(decodeEntities(text.slice(i, lt)));
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      addText(text.slice(lt + 9, end < 0 ? n : end));
      i = end < 0 ? n : end + 3;
      continue;
    }
    const gt = text.indexOf('>', lt + 1);
    if (gt < 0) {
      // "<" with no tag after it: text.
      addText(decodeEntities(text.slice(lt)));
      break;
    }
    const inner = text.slice(lt + 1, gt);
    i = gt + 1;
    if (inner[0] === '!' || inner[0] === '?') continue;
    if (inner[0] === '/') {
      const name = localName(inner.slice(1).trim());
      // Close the nearest open element of that name; a close tag with no open element is ignored.
      for (let k = stack.length - 1; k > 0; k--) {
        if (stack[k].name === name) {
          for (let j = stack.length - 1; j >= k; j--) if (stack[j].el !== stack[j - 1].el) kept--;
          stack.length = k;
          break;
        }
      }
      continue;
    }
    const m = /^([A-Za-z_][\w.:-]*)([\s\S]*)$/.exec(inner);
    if (!m) {
      addText(decodeEntities(`<${inner}>`));
      continue;
    }
    const name = localName(m[1]);
    const selfClosing = m[2].endsWith('/');
    const el = element(name, selfClosing ? m[2].slice(0, -1) : m[2]);
    const parent = stack[stack.length - 1].el;
    if (kept < MAX_DEPTH) parent.children.push(el);
    if (selfClosing || VOID.has(name)) {
      // An element folded for depth still keeps a line break.
      if (kept >= MAX_DEPTH && name === 'br') parent.children.push(el);
      continue;
    }
    if (kept < MAX_DEPTH) {
      stack.push({ el, name });
      kept++;
    } else {
      stack.push({ el: parent, name });
    }
  }
  return root;
}

/** The text of a subtree, as written (no whitespace collapsing). */
export function textOf(node: XNode): string {
  if (typeof node === 'string') return node;
  const parts: string[] = [];
  const walk = (el: XElement): void => {
    for (const c of el.children) {
      if (typeof c === 'string') parts.push(c);
      else walk(c);
    }
  };
  walk(node);
  return parts.join('');
}

export function hasClass(el: XElement, name: string): boolean {
  return el.cls !== '' && el.cls.split(/\s+/).includes(name);
}
