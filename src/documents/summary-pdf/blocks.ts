/**
 * The printable model of a narrative: paragraphs of styled text, tables of
 * such cells, and groups (a list, the source document's own narrative).
 * Built from the XHTML subset the project produces (table, thead, tbody,
 * tfoot, tr, th, td, caption, p, div, span, b/strong, i/em, sup, sub, br,
 * ul/ol/li, a); any other element gives its text.
 *
 * The source document's narrative (div class "original") is printed in a
 * smaller size and bounded per section (ORIGINAL_LIMITS): past the bound a
 * French notice says how much was left out.
 */
import { hasClass, textOf, type XElement, type XNode } from './xhtml.js';

export type Tone = 'normal' | 'original' | 'untranslated' | 'muted' | 'alert' | 'heading';

export interface InlineStyle {
  bold: boolean;
  italic: boolean;
  sup: boolean;
  tone: Tone;
}

/** A run of text in one style; `br` is a forced line break. */
export type Inline = { text: string; style: InlineStyle } | { br: true };

export type BlockRole = 'P' | 'H1' | 'H2' | 'H3' | 'LI' | 'Caption';

export interface ParaBlock {
  kind: 'para';
  role: BlockRole;
  inlines: Inline[];
  size: number;
  /** Left indent, points. */
  indent: number;
  /** Printed before the first line, in the indent ("•", "1."). */
  bullet?: string;
  spaceBefore: number;
  spaceAfter: number;
  /** A framed paragraph (alerts, notices). */
  frame?: 'alert' | 'notice';
}

export interface Cell {
  inlines: Inline[];
  header: boolean;
  colspan: number;
}

export interface TableBlock {
  kind: 'table';
  rows: Cell[][];
  /** How many of the first rows are the table's header (repeated on each page). */
  headerRows: number;
  size: number;
  /** A two-column "label: value" table (no header row, labels in the first column). */
  keyValue?: boolean;
}

export interface GroupBlock {
  kind: 'group';
  role: 'Div' | 'L' | 'Sect';
  lang?: string;
  blocks: Block[];
}

export type Block = ParaBlock | TableBlock | GroupBlock;

/** Text sizes, points. */
export const SIZES = {
  body: 9,
  cell: 8,
  legend: 7.5,
  original: 7.5,
  originalCell: 7,
} as const;

/**
 * Bounds of the source document's narrative printed per section. The largest
 * original narrative of a section in the public eHDSI samples and the
 * project's fixtures is about 7,000 characters and 110 rows/paragraphs (a
 * medication list); 30,000 characters and 600 lines are four to five times
 * that, and print in at most about ten pages at 7 pt, so a hostile narrative
 * cannot make the PDF huge while a real one is never cut.
 */
export const ORIGINAL_LIMITS = { chars: 30_000, lines: 600 } as const;

const PLAIN: InlineStyle = { bold: false, italic: false, sup: false, tone: 'normal' };

export function run(text: string, style: Partial<InlineStyle> = {}): Inline {
  return { text, style: { ...PLAIN, ...style } };
}

export function para(inlines: Inline[], opts: Partial<Omit<ParaBlock, 'kind' | 'inlines'>> = {}): ParaBlock {
  return { kind: 'para', role: 'P', inlines, size: SIZES.body, indent: 0, spaceBefore: 0, spaceAfter: 4, ...opts };
}

const BLOCK_TAGS = new Set([
  'div', 'p', 'ul', 'ol', 'li', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote', 'dl', 'dt', 'dd',
  'section', 'article', 'header', 'footer', 'address', 'figure', 'figcaption', 'hr', 'nav', 'aside', 'main',
]);
const SKIPPED = new Set(['script', 'style', 'head', 'title', 'img', 'object', 'embed', 'iframe', 'svg', 'math', 'colgroup', 'col']);
const ITALIC = new Set(['i', 'em', 'cite', 'dfn', 'var']);
const BOLD = new Set(['b', 'strong']);

/** What the source's narrative may still print in this section. */
class Budget {
  chars: number = ORIGINAL_LIMITS.chars;
  lines: number = ORIGINAL_LIMITS.lines;
  exhausted = false;
  /** Characters not printed once the budget ran out. */
  skipped = 0;

  /** Takes what may be printed of a text (whitespace collapsed, as printed), the whole text until the budget is spent. */
  take(raw: string): string {
    const text = raw.replace(/[ \t\n\r\f]+/g, ' ');
    if (this.exhausted) {
      this.skipped += text.length;
      return '';
    }
    if (text.length <= this.chars) {
      this.chars -= text.length;
      return text;
    }
    // Cut at the last space before the bound, if there is one not too far back.
    let cut = this.chars;
    const space = text.lastIndexOf(' ', cut);
    if (space > cut - 40 && space > 0) cut = space;
    this.skipped += text.length - cut;
    this.chars = 0;
    this.exhausted = true;
    return text.slice(0, cut);
  }

  /** Counts a line (row, paragraph, item, break); false once past the bound. */
  line(): boolean {
    if (this.exhausted) return false;
    if (--this.lines < 0) {
      this.exhausted = true;
      return false;
    }
    return true;
  }
}

interface Ctx {
  style: InlineStyle;
  size: number;
  cellSize: number;
  listDepth: number;
  budget?: Budget;
}

/** Builds the blocks of a narrative div (the tree of parseXhtml). */
export function narrativeBlocks(root: XElement): Block[] {
  const b = new Builder();
  b.container(root, { style: PLAIN, size: SIZES.body, cellSize: SIZES.cell, listDepth: 0 });
  b.flush();
  return b.out;
}

function withStyle(ctx: Ctx, style: Partial<InlineStyle>): Ctx {
  return { ...ctx, style: { ...ctx.style, ...style } };
}

/** Style of an inline element ("span class=original", "b", "sup"…). */
function inlineCtx(el: XElement, ctx: Ctx): Ctx {
  if (BOLD.has(el.tag)) return withStyle(ctx, { bold: true });
  if (ITALIC.has(el.tag)) return withStyle(ctx, { italic: true });
  if (el.tag === 'sup') return withStyle(ctx, { sup: true });
  if (hasClass(el, 'untranslated')) return withStyle(ctx, { tone: 'untranslated', bold: true });
  if (hasClass(el, 'original') && ctx.style.tone === 'normal') return withStyle(ctx, { tone: 'original' });
  return ctx;
}

class Builder {
  out: Block[] = [];
  private pending: Inline[] = [];
  private bullet: string | undefined;

  constructor(private readonly indent = 0) {}

  /** The anonymous paragraph of the text met between blocks. */
  flush(ctx?: Ctx): void {
    if (!this.pending.some((i) => 'br' in i || /\S/.test(i.text))) {
      this.pending = [];
      return;
    }
    const size = ctx?.size ?? SIZES.body;
    this.out.push(para(trimBreaks(this.pending), { size, indent: this.indent, bullet: this.takeBullet() }));
    this.pending = [];
  }

  private takeBullet(): string | undefined {
    const b = this.bullet;
    this.bullet = undefined;
    return b;
  }

  /** The children of a block container (div, li, the root). */
  container(el: XElement, ctx: Ctx): void {
    for (const child of el.children) {
      if (ctx.budget?.exhausted) {
        ctx.budget.take(textOf(child));
        continue;
      }
      if (typeof child === 'string') {
        const t = ctx.budget ? ctx.budget.take(child) : child;
        if (t) this.pending.push(run(t, ctx.style));
        continue;
      }
      if (SKIPPED.has(child.tag)) continue;
      if (!BLOCK_TAGS.has(child.tag)) {
        if (child.tag === 'br') {
          if (!ctx.budget || ctx.budget.line()) this.pending.push({ br: true });
          continue;
        }
        flattenInto(child, ctx, this.pending);
        continue;
      }
      this.flush(ctx);
      this.block(child, ctx);
    }
  }

  private block(el: XElement, ctx: Ctx): void {
    const tag = el.tag;
    if (tag === 'div' || tag === 'section' || tag === 'article' || tag === 'main' || tag === 'header' || tag === 'footer' || tag === 'nav' || tag === 'aside' || tag === 'figure') {
      this.division(el, ctx);
      return;
    }
    if (tag === 'table') {
      this.table(el, ctx);
      return;
    }
    if (tag === 'ul' || tag === 'ol' || tag === 'dl') {
      this.list(el, ctx);
      return;
    }
    if (tag === 'hr') return;
    if (ctx.budget && !ctx.budget.line()) {
      ctx.budget.take(textOf(el));
      return;
    }
    // p, h1–h6, pre, blockquote, address, li/dt/dd met outside a list…
    const heading = /^h[1-6]$/.test(tag);
    const legend = hasClass(el, 'legend');
    const notice = hasClass(el, 'translation-notice');
    const alert = hasClass(el, 'alert');
    const pctx = legend || notice ? withStyle({ ...ctx, size: Math.min(ctx.size, SIZES.legend) }, { italic: notice || ctx.style.italic }) : ctx;
    const inlines: Inline[] = [];
    flattenChildren(el, heading ? withStyle(pctx, { bold: true }) : alert ? withStyle(pctx, { tone: 'alert' }) : pctx, inlines);
    if (!inlines.some((i) => 'br' in i || /\S/.test(i.text))) return;
    this.out.push(
      para(trimBreaks(inlines), {
        size: pctx.size,
        indent: this.indent + (tag === 'blockquote' || tag === 'dd' ? 12 : 0),
        bullet: this.takeBullet(),
        spaceAfter: legend ? 1.5 : 4,
        spaceBefore: legend || notice ? 2 : 0,
        frame: alert ? 'alert' : notice ? 'notice' : undefined,
      }),
    );
  }

  private division(el: XElement, ctx: Ctx): void {
    const original = hasClass(el, 'original') && !ctx.budget;
    if (!original) {
      this.container(el, ctx);
      this.flush(ctx);
      return;
    }
    // The source document's own narrative: smaller, in its language, bounded.
    const budget = new Budget();
    const octx: Ctx = { ...ctx, size: SIZES.original, cellSize: SIZES.originalCell, style: { ...ctx.style, tone: 'original' }, budget };
    const inner = new Builder(this.indent);
    inner.container(el, octx);
    inner.flush(octx);
    if (budget.exhausted) {
      const left = budget.skipped > 0 ? `environ ${formatCount(budget.skipped)} caractères non imprimés` : 'la suite n’est pas imprimée';
      inner.out.push(
        para(
          [
            run(
              `[Texte d’origine tronqué : ${left} (limite de ${formatCount(ORIGINAL_LIMITS.chars)} caractères et ${formatCount(ORIGINAL_LIMITS.lines)} lignes par section, pour que le PDF reste imprimable). Le texte complet figure dans le document électronique.]`,
              { bold: true, tone: 'alert' },
            ),
          ],
          { size: SIZES.legend, indent: this.indent, spaceBefore: 2, frame: 'notice' },
        ),
      );
    }
    this.out.push({ kind: 'group', role: 'Div', lang: el.lang, blocks: inner.out });
  }

  private list(el: XElement, ctx: Ctx): void {
    const ordered = el.tag === 'ol';
    const depth = Math.min(ctx.listDepth + 1, 6);
    const inner = new Builder(this.indent + 12);
    const lctx = { ...ctx, listDepth: depth };
    let n = 0;
    for (const child of el.children) {
      if (ctx.budget?.exhausted) {
        ctx.budget.take(textOf(child));
        continue;
      }
      if (typeof child === 'string') {
        if (/\S/.test(child)) inner.pending.push(run(ctx.budget ? ctx.budget.take(child) : child, ctx.style));
        continue;
      }
      if (child.tag === 'li' || child.tag === 'dt' || child.tag === 'dd') {
        inner.flush(lctx);
        if (child.tag === 'li') inner.bullet = ordered ? `${++n}.` : depth % 2 ? '•' : '–';
        if (ctx.budget && !ctx.budget.line()) {
          ctx.budget.take(textOf(child));
          continue;
        }
        inner.container(child, child.tag === 'dt' ? withStyle(lctx, { bold: true }) : lctx);
        inner.flush(lctx);
        inner.bullet = undefined;
        continue;
      }
      inner.container({ ...el, children: [child] }, lctx);
    }
    inner.flush(lctx);
    if (!inner.out.length) return;
    for (const b of inner.out) if (b.kind === 'para' && b.bullet) b.role = 'LI';
    this.out.push({ kind: 'group', role: 'L', blocks: inner.out });
  }

  private table(el: XElement, ctx: Ctx): void {
    const head: Cell[][] = [];
    const body: Cell[][] = [];
    const foot: Cell[][] = [];
    const captions: Inline[][] = [];
    const rowOf = (tr: XElement): Cell[] | undefined => {
      if (ctx.budget && !ctx.budget.line()) {
        ctx.budget.take(textOf(tr));
        return undefined;
      }
      const cells: Cell[] = [];
      for (const c of tr.children) {
        if (typeof c === 'string') continue;
        if (c.tag !== 'td' && c.tag !== 'th') {
          // Stray content in a row: its own cell, so nothing is lost.
          const inlines: Inline[] = [];
          flattenInto(c, ctx, inlines);
          if (inlines.length) cells.push({ inlines, header: false, colspan: 1 });
          continue;
        }
        const inlines: Inline[] = [];
        const header = c.tag === 'th';
        flattenChildren(c, { ...ctx, size: ctx.cellSize, style: header ? { ...ctx.style, bold: true } : ctx.style }, inlines);
        cells.push({ inlines: trimBreaks(inlines), header, colspan: c.colspan ?? 1 });
      }
      return cells.length ? cells : undefined;
    };
    const rows = (group: XElement, into: Cell[][]): void => {
      for (const c of group.children) {
        if (typeof c === 'string') continue;
        if (ctx.budget?.exhausted) {
          ctx.budget.take(textOf(c));
          continue;
        }
        if (c.tag === 'tr') {
          const r = rowOf(c);
          if (r) into.push(r);
        } else if (c.tag === 'td' || c.tag === 'th') {
          // Cells without a row.
          const r = rowOf({ tag: 'tr', cls: '', children: [c] });
          if (r) into.push(r);
        }
      }
    };
    for (const c of el.children) {
      if (typeof c === 'string') continue;
      if (ctx.budget?.exhausted) {
        ctx.budget.take(textOf(c));
        continue;
      }
      if (c.tag === 'thead') rows(c, head);
      else if (c.tag === 'tbody') rows(c, body);
      else if (c.tag === 'tfoot') rows(c, foot);
      else if (c.tag === 'tr' || c.tag === 'td' || c.tag === 'th') rows({ tag: 'tbody', cls: '', children: [c] }, body);
      else if (c.tag === 'caption') {
        const inlines: Inline[] = [];
        flattenChildren(c, withStyle(ctx, { bold: true }), inlines);
        if (inlines.length) captions.push(inlines);
      }
    }
    for (const cap of captions) this.out.push(para(trimBreaks(cap), { role: 'Caption', size: ctx.size, indent: this.indent, spaceAfter: 2 }));
    // With no thead, leading rows made only of th cells are the header.
    let headerRows = head.length;
    const all = [...head, ...body, ...foot];
    if (!headerRows) while (headerRows < all.length - 1 && all[headerRows].every((c) => c.header)) headerRows++;
    if (all.length) this.out.push({ kind: 'table', rows: all, headerRows, size: ctx.cellSize });
  }
}

/** The inline content of an element, its block descendants as line breaks. */
function flattenChildren(el: XElement, ctx: Ctx, out: Inline[]): void {
  for (const c of el.children) flattenInto(c, ctx, out);
}

/** Inline content: text, styles; blocks inside become line breaks, items get a bullet, nested tables "a | b" lines. */
function flattenInto(node: XNode, ctx: Ctx, out: Inline[]): void {
  if (typeof node === 'string') {
    const t = ctx.budget ? ctx.budget.take(node) : node;
    if (t) out.push(run(t, ctx.style));
    return;
  }
  if (ctx.budget?.exhausted) {
    ctx.budget.take(textOf(node));
    return;
  }
  const tag = node.tag;
  if (SKIPPED.has(tag)) return;
  if (tag === 'br') {
    if (!ctx.budget || ctx.budget.line()) out.push({ br: true });
    return;
  }
  const block = BLOCK_TAGS.has(tag) || tag === 'tr' || tag === 'caption';
  if (block) {
    if (ctx.budget && !ctx.budget.line()) {
      ctx.budget.take(textOf(node));
      return;
    }
    breakLine(out);
    if (tag === 'li') out.push(run('• ', ctx.style));
  }
  const inner = block ? ctx : inlineCtx(node, ctx);
  let first = true;
  for (const c of node.children) {
    // Cells of a nested table's row, side by side.
    if (tag === 'tr' && typeof c !== 'string' && (c.tag === 'td' || c.tag === 'th')) {
      if (!first) out.push(run(' | ', ctx.style));
      first = false;
      flattenChildren(c, c.tag === 'th' ? withStyle(inner, { bold: true }) : inner, out);
      continue;
    }
    flattenInto(c, inner, out);
  }
  if (block) breakLine(out);
}

/** A line break, unless the flow is empty or already ends with one. */
function breakLine(out: Inline[]): void {
  // Looks back over a few blank runs only (a hostile run of empty blocks stays linear).
  for (let i = out.length - 1; i >= Math.max(0, out.length - 16); i--) {
    const x = out[i];
    if ('br' in x) return;
    if (/\S/.test(x.text)) {
      out.push({ br: true });
      return;
    }
  }
}

/** Without leading and trailing line breaks. */
function trimBreaks(inlines: Inline[]): Inline[] {
  let s = 0;
  let e = inlines.length;
  while (s < e && 'br' in inlines[s]) s++;
  while (e > s && 'br' in inlines[e - 1]) e--;
  return s === 0 && e === inlines.length ? inlines : inlines.slice(s, e);
}

export function formatCount(n: number): string {
  return n.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');
}
