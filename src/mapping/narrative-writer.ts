/**
 * CDA section narrative (the NarrativeBlock schema) → FHIR XHTML. Only the
 * structure and a few harmless attributes pass; text is escaped; links keep
 * http(s) targets only. What the source sent stays readable as it came.
 *
 * The writer is fed while the document is parsed (no tree is built for the
 * narrative), and records the text of every element with an ID, for the
 * references of coded elements (originalText/reference) into the narrative.
 */
const ELEMENTS: Record<string, string> = {
  paragraph: 'p', content: 'span', table: 'table', thead: 'thead', tbody: 'tbody', tfoot: 'tfoot', tr: 'tr',
  td: 'td', th: 'th', caption: 'caption', colgroup: 'colgroup', col: 'col', br: 'br', sub: 'sub', sup: 'sup',
  item: 'li', footnote: 'span', footnoteRef: 'span', linkHtml: 'a', text: 'div',
};
const EMPTY = new Set(['br', 'col']);
const BLOCKS = new Set(['td', 'th', 'tr', 'paragraph', 'br', 'item', 'list', 'table', 'caption', 'thead', 'tbody', 'tfoot']);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const NEEDS_ESCAPE = /[&<>"]/;

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$/;

/** ` lang="…" xml:lang="…"` for a well-formed language tag, nothing for anything else. */
export function langAttr(lang: string | undefined): string {
  return lang && LANGUAGE_TAG.test(lang) ? ` lang="${lang}" xml:lang="${lang}"` : '';
}

export function escapeXml(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[&<>"]/g, (c) => ESCAPES[c]) : s;
}

function attributes(attrs: Record<string, string>, tag: string): string {
  let out = '';
  // Only the attributes the element has (usually none or one), in their order.
  for (const k of Object.keys(attrs)) {
    const v = attrs[k];
    switch (k) {
      case 'ID':
        out += ` id="${escapeXml(v)}"`;
        break;
      case 'colspan':
      case 'rowspan':
      case 'align':
      case 'valign':
      case 'span':
      case 'width':
        out += ` ${k}="${escapeXml(v)}"`;
        break;
      case 'styleCode': {
        const cls = v.split(/\s+/).filter((c) => /^[A-Za-z][\w-]*$/.test(c));
        if (cls.length) out += ` class="${cls.join(' ')}"`;
        break;
      }
      case 'language':
        out += langAttr(v);
        break;
      case 'href':
        if (tag === 'a' && /^https?:\/\//i.test(v)) out += ` href="${escapeXml(v)}"`;
        break;
    }
  }
  return out;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The text of a narrative element, joined only if a reference asks for it. */
export class NarrativeSpan {
  private joined: string | undefined;
  constructor(
    private readonly parts: string[],
    private readonly start: number,
    private readonly end: number,
  ) {}

  toString(): string {
    this.joined ??= collapse(this.parts.slice(this.start, this.end).join(''));
    return this.joined;
  }
}

export class NarrativeWriter {
  private readonly html: string[] = [];
  private readonly closers: string[] = [];
  private readonly plain: string[] = [];
  private readonly open: Array<{ id: string; start: number; depth: number }> = [];
  /** Depth inside the narrative block; 0 = its top. */
  depth = 0;
  private skipUntil = -1;
  private readonly blocks: boolean[] = [];

  /** @param ids receives the text of every element with an ID */
  constructor(private readonly ids: Map<string, NarrativeSpan>) {}

  start(name: string, attrs: Record<string, string>): void {
    this.depth++;
    // Cells, rows, paragraphs and items are separate words in a referenced text
    // (the plain text is only kept while an element with an ID is open).
    const block = BLOCKS.has(name);
    this.blocks.push(block);
    if (block && this.open.length) this.plain.push(' ');
    if (attrs.ID !== undefined) this.open.push({ id: attrs.ID, start: this.plain.length, depth: this.depth });
    if (this.skipUntil >= 0) {
      this.closers.push('');
      return;
    }
    if (name === 'renderMultiMedia') {
      this.skipUntil = this.depth;
      this.closers.push('');
      return;
    }
    const tag = name === 'list' ? (attrs.listType === 'ordered' ? 'ol' : 'ul') : (ELEMENTS[name] ?? 'span');
    if (EMPTY.has(tag)) {
      this.html.push(`<${tag}${attributes(attrs, tag)}/>`);
      this.closers.push('');
    } else {
      this.html.push(`<${tag}${attributes(attrs, tag)}>`);
      this.closers.push(`</${tag}>`);
    }
  }

  end(): void {
    if (this.blocks.pop() && this.open.length) this.plain.push(' ');
    const closer = this.closers.pop() ?? '';
    if (closer) this.html.push(closer);
    const top = this.open[this.open.length - 1];
    if (top && top.depth === this.depth) {
      this.open.pop();
      this.ids.set(top.id, new NarrativeSpan(this.plain, top.start, this.plain.length));
    }
    if (this.skipUntil === this.depth) this.skipUntil = -1;
    this.depth--;
  }

  text(t: string): void {
    if (this.open.length) this.plain.push(t);
    if (this.skipUntil < 0) this.html.push(escapeXml(t));
  }

  result(): string {
    return this.html.join('').trim();
  }
}
