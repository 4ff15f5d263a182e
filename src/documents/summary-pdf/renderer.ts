/**
 * Puts the blocks on A4 pages with pdfkit: paragraphs and tables flow from
 * page to page (a table's header rows are repeated, a row taller than the
 * room left is cut between lines), every text is tagged (structure elements
 * H1–H3, P, L/LI, Table/TR/TH/TD, Div with the source's language) and the
 * rest (rules, cell borders and fills, footers) is marked as artifacts.
 * Marked content never spans a page break: a block cut by a page gets one
 * piece of content per page.
 */
import type PDFDocument from 'pdfkit';
import { formatCount, run, type Block, type Cell, type Inline, type ParaBlock, type TableBlock } from './blocks.js';
import { COLORS, LINE_HEIGHT, linesHeight, type Line, type TextKit, type Token } from './text-layout.js';

type Doc = InstanceType<typeof PDFDocument>;
export type Struct = PDFKit.PDFStructureElement;
type StructOptions = NonNullable<Parameters<Doc['struct']>[1]> & { scope?: 'Row' | 'Column' };

export interface Geometry {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  /** Lowest y of the content (the footer is below). */
  bottom: number;
}

/** Tables with more columns than this are printed row by row ("a | b | c"), not as a grid. */
export const MAX_COLUMNS = 12;

const BORDER = '#9aa5b1';
const HEADER_FILL = '#e6ebf1';
const LABEL_FILL = '#f2f4f7';
const ALERT_FILL = '#fdecea';
const NOTICE_FILL = '#f3f4f6';
const CELL_PAD_X = 2.5;
const CELL_PAD_Y = 1.8;

/** Raised when the document reaches its page bound; the caller prints a notice and stops. */
export class PageLimitReached extends Error {
  constructor() {
    super('page limit reached');
  }
}

interface CellLayout {
  cell: Cell;
  x: number;
  w: number;
  lines: Line[];
}

interface RepeatedHeader {
  height: number;
  draw(): void;
}

interface RowLayout {
  cells: CellLayout[];
  height: number;
}

export class Renderer {
  y: number;
  pages = 1;
  private fillColorNow = '';

  constructor(
    readonly doc: Doc,
    readonly kit: TextKit,
    readonly g: Geometry,
    private readonly maxPages: number,
  ) {
    this.y = g.top;
  }

  get width(): number {
    return this.g.width - this.g.left - this.g.right;
  }

  newPage(): void {
    if (this.pages >= this.maxPages) throw new PageLimitReached();
    this.forcePage();
  }

  /** A new page even past the bound (for the notice that says the document stops there). */
  forcePage(): void {
    this.doc.addPage();
    this.pages++;
    this.y = this.g.top;
    this.fillColorNow = '';
  }

  private get atTop(): boolean {
    return this.y <= this.g.top + 0.5;
  }

  /** Goes to a new page unless this much room is left (or the page is still empty). */
  room(h: number): void {
    if (this.y + h > this.g.bottom && !this.atTop) this.newPage();
  }

  private fill(color: string): void {
    if (color !== this.fillColorNow) {
      this.doc.fillColor(color);
      this.fillColorNow = color;
    }
  }

  /** Draws what is no content (rules, borders, fills, page furniture), marked as an artifact. */
  artifact(draw: () => void, type?: 'Pagination' | 'Layout'): void {
    this.doc.markContent('Artifact', type ? { type } : undefined);
    draw();
    this.doc.endMarkedContent();
    this.fillColorNow = '';
  }

  /** One line of text, its top at `top`. */
  drawLine(line: Line, x: number, top: number): void {
    for (const p of line.pieces) {
      if (!p.text.trim()) continue;
      this.fill(p.color);
      this.doc
        .font(p.font)
        .fontSize(p.size)
        .text(p.text, x + p.x, top + line.baseline - p.rise, { lineBreak: false, baseline: 'alphabetic' });
    }
  }

  blocks(list: Block[], parent: Struct): void {
    for (const b of list) {
      // An alert, or a paragraph announcing what follows ("…, non traduit :"), stays with it.
      if (b.kind === 'para') this.para(b, parent, b.frame === 'alert' || announces(b) ? 36 : 0);
      else if (b.kind === 'table') this.table(b, parent);
      else {
        const el = this.doc.struct(b.role, b.lang ? { lang: b.lang } : {});
        parent.add(el);
        this.blocks(b.blocks, el);
        el.end();
      }
    }
  }

  /** A paragraph (or heading, list item); `keep` = room wanted after it on the same page (headings). */
  para(b: ParaBlock, parent: Struct, keep = 0): void {
    const pad = b.frame ? 3.5 : 0;
    const bulletWidth = b.bullet ? Math.max(10, this.kit.width(b.bullet, 'regular', b.size) + 4) : 0;
    const x = this.g.left + b.indent;
    const textWidth = this.width - b.indent - bulletWidth - 2 * pad;
    const lines = this.kit.lines(this.kit.tokens(b.inlines, b.size), textWidth, b.size);
    if (!lines.length) return;
    if (!this.atTop) this.y += b.spaceBefore;
    if (keep) this.room(Math.min(linesHeight(lines), 3 * lines[0].height) + keep);
    const el = this.doc.struct(b.role);
    parent.add(el);
    let i = 0;
    while (i < lines.length) {
      const avail = this.g.bottom - this.y - 2 * pad;
      let h = 0;
      let j = i;
      while (j < lines.length && h + lines[j].height <= avail) h += lines[j++].height;
      // Not a lone first line at the foot of a page.
      if (!this.atTop && (j === i || (i === 0 && j === 1 && lines.length > 1))) {
        this.newPage();
        continue;
      }
      if (j === i) h += lines[j++].height; // a line taller than a page: cannot happen with these sizes
      const top = this.y;
      if (b.frame) {
        const color = b.frame === 'alert' ? ALERT_FILL : NOTICE_FILL;
        this.artifact(() => {
          this.doc.rect(x, top, this.width - b.indent, h + 2 * pad).fill(color);
          if (b.frame === 'alert') this.doc.rect(x, top, 2, h + 2 * pad).fill(COLORS.alert);
        });
      }
      const mc = this.doc.markStructureContent(b.role);
      if (b.bullet && i === 0) {
        this.drawLine(this.kit.lines(this.kit.tokens([run(b.bullet)], b.size), bulletWidth, b.size)[0], x + pad, top + pad);
      }
      let lineTop = top + pad;
      for (let k = i; k < j; k++) {
        this.drawLine(lines[k], x + pad + bulletWidth, lineTop);
        lineTop += lines[k].height;
      }
      this.doc.endMarkedContent();
      el.add(mc);
      this.y = top + h + 2 * pad;
      i = j;
      if (i < lines.length) this.newPage();
    }
    el.end();
    this.y += b.spaceAfter;
  }

  /** A horizontal rule under a heading. */
  rule(color = COLORS.heading, width = 0.8): void {
    const y = this.y;
    this.artifact(() => {
      this.doc
        .moveTo(this.g.left, y)
        .lineTo(this.g.width - this.g.right, y)
        .lineWidth(width)
        .strokeColor(color)
        .stroke();
    });
    this.y += 3;
  }

  table(b: TableBlock, parent: Struct): void {
    const ncols = b.rows.reduce((n, r) => Math.max(n, r.reduce((k, c) => k + c.colspan, 0)), 0);
    if (!ncols) return;
    if (ncols > MAX_COLUMNS) {
      this.linearTable(b, parent);
      return;
    }
    const kit = this.kit;
    // Cells placed on the grid (a short row gets empty cells), their words measured once.
    const rows = b.rows.map((r) => {
      const out: Array<{ cell: Cell; tokens: Token[]; col: number; span: number }> = [];
      let col = 0;
      for (const cell of r) {
        if (col >= ncols) break;
        const span = Math.min(cell.colspan, ncols - col);
        out.push({ cell, tokens: kit.tokens(cell.inlines, b.size), col, span });
        col += span;
      }
      for (; col < ncols; col++) out.push({ cell: { inlines: [], header: false, colspan: 1 }, tokens: [], col, span: 1 });
      return out;
    });
    const widths = this.columnWidths(rows, ncols, b.keyValue === true);
    const starts: number[] = [];
    widths.reduce((x, w, i) => ((starts[i] = x), x + w), this.g.left);
    const lineHeight = b.size * LINE_HEIGHT;
    const layoutRow = (row: (typeof rows)[number]): RowLayout => {
      let height = lineHeight;
      const cells = row.map((pc) => {
        let w = 0;
        for (let k = pc.col; k < pc.col + pc.span; k++) w += widths[k];
        const lines = kit.lines(pc.tokens, w - 2 * CELL_PAD_X, b.size);
        height = Math.max(height, linesHeight(lines));
        return { cell: pc.cell, x: starts[pc.col], w, lines };
      });
      return { cells, height: height + 2 * CELL_PAD_Y };
    };

    const table = this.doc.struct('Table');
    parent.add(table);
    const head = rows.slice(0, b.headerRows).map(layoutRow);
    const headHeight = head.reduce((h, r) => h + r.height, 0);
    // Header rows repeated on the following pages, unless they would take much of a page.
    const repeat = headHeight > 0 && headHeight < (this.g.bottom - this.g.top) / 3;
    const repeatHeader: RepeatedHeader | undefined = repeat
      ? {
          height: headHeight,
          draw: (): void => {
            for (const r of head) {
              this.rowSlice(r, r.cells.map((c) => ({ from: 0, to: c.lines.length })), r.height, null);
              this.y += r.height;
            }
          },
        }
      : undefined;
    const first = rows.length > b.headerRows ? layoutRow(rows[b.headerRows]) : undefined;
    this.room(headHeight + Math.min(first?.height ?? 0, 3 * lineHeight + 2 * CELL_PAD_Y));
    for (const r of head) this.row(r, table, undefined, true);
    for (let i = b.headerRows; i < rows.length; i++) this.row(i === b.headerRows && first ? first : layoutRow(rows[i]), table, repeatHeader, false);
    table.end();
    this.y += 5;
  }

  /** Column widths: each column between its widest word and its unwrapped width, the table filling the line. */
  private columnWidths(rows: Array<Array<{ tokens: Token[]; col: number; span: number }>>, ncols: number, keyValue: boolean): number[] {
    const total = this.width;
    const min = new Array<number>(ncols).fill(0);
    const max = new Array<number>(ncols).fill(0);
    for (const row of rows)
      for (const pc of row) {
        if (pc.span !== 1) continue;
        const m = this.kit.metrics(pc.tokens);
        // A very long word is cut rather than given the whole table.
        min[pc.col] = Math.max(min[pc.col], Math.min(m.min, total * 0.25) + 2 * CELL_PAD_X);
        max[pc.col] = Math.max(max[pc.col], m.max + 2 * CELL_PAD_X);
      }
    const floor = Math.min(28, total / ncols);
    for (let i = 0; i < ncols; i++) {
      min[i] = Math.max(min[i], floor);
      max[i] = Math.max(max[i], min[i]);
    }
    if (keyValue && ncols === 2) {
      const label = Math.min(max[0], total * 0.32);
      return [label, total - label];
    }
    const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
    const sMin = sum(min);
    const sMax = sum(max);
    if (sMax <= total) return max.map((m) => m + ((total - sMax) * m) / sMax);
    if (sMin >= total) return min.map((m) => (m * total) / sMin);
    const share = (total - sMin) / (sMax - sMin);
    return min.map((m, i) => m + (max[i] - m) * share);
  }

  /** Draws a row, tagged (TR, TH/TD), cut between lines across pages when it does not fit. */
  private row(r: RowLayout, table: Struct, repeatHeader: RepeatedHeader | undefined, inHeader: boolean): void {
    const tr = this.doc.struct('TR');
    table.add(tr);
    const els = r.cells.map((c) => {
      const options: StructOptions = c.cell.header ? { scope: inHeader ? 'Column' : 'Row' } : {};
      const el = this.doc.struct(c.cell.header ? 'TH' : 'TD', options);
      tr.add(el);
      return el;
    });
    const pageRoom = this.g.bottom - this.g.top - (repeatHeader?.height ?? 0);
    let moved = false;
    if (this.y + r.height > this.g.bottom && r.height <= pageRoom && !this.atTop) {
      this.newPage();
      repeatHeader?.draw();
      moved = true;
    }
    const done = r.cells.map(() => 0);
    // A page just begun (its repeated header drawn): what does not fit there fits nowhere.
    let fresh = moved || this.atTop;
    for (;;) {
      const avail = this.g.bottom - this.y - 2 * CELL_PAD_Y;
      const slice = r.cells.map((c, k) => {
        let h = 0;
        let j = done[k];
        while (j < c.lines.length && h + c.lines[j].height <= avail) h += c.lines[j++].height;
        return { from: done[k], to: j, h };
      });
      const finished = slice.every((s, k) => s.to === r.cells[k].lines.length);
      const progress = slice.some((s) => s.to > s.from);
      if (!finished && !progress) {
        if (fresh || this.atTop) {
          // Cannot happen with these sizes (a line taller than a page); print one line anyway.
          slice.forEach((s, k) => {
            if (s.to < r.cells[k].lines.length) s.to++;
          });
        } else {
          this.newPage();
          repeatHeader?.draw();
          fresh = true;
          continue;
        }
      }
      const whole = finished && done.every((d) => d === 0);
      const height = whole ? r.height : Math.max(...slice.map((s) => s.h)) + 2 * CELL_PAD_Y;
      this.rowSlice(r, slice, height, els);
      this.y += height;
      slice.forEach((s, k) => (done[k] = s.to));
      if (finished) break;
      this.newPage();
      repeatHeader?.draw();
      fresh = true;
    }
    for (const el of els) el.end();
    tr.end();
  }

  /** A piece of a row: fills, text lines [from, to) of each cell, borders. `els` null: repeated header (artifact). */
  private rowSlice(r: RowLayout, slice: Array<{ from: number; to: number }>, height: number, els: Struct[] | null): void {
    const top = this.y;
    const filled = r.cells.filter((c) => c.cell.header);
    if (filled.length) {
      this.artifact(() => {
        for (const c of filled) this.doc.rect(c.x, top, c.w, height).fill(els && !this.isColumnHeader(r) ? LABEL_FILL : HEADER_FILL);
      });
    }
    r.cells.forEach((c, k) => {
      const { from, to } = slice[k];
      if (to <= from) return;
      const draw = (): void => {
        let lineTop = top + CELL_PAD_Y;
        for (let i = from; i < to; i++) {
          this.drawLine(c.lines[i], c.x + CELL_PAD_X, lineTop);
          lineTop += c.lines[i].height;
        }
      };
      if (!els) {
        this.artifact(draw);
        return;
      }
      const tag = c.cell.header ? 'TH' : 'TD';
      const mc = this.doc.markStructureContent(tag);
      draw();
      this.doc.endMarkedContent();
      els[k].add(mc);
    });
    this.artifact(() => {
      this.doc.lineWidth(0.4).strokeColor(BORDER);
      for (const c of r.cells) this.doc.rect(c.x, top, c.w, height);
      this.doc.stroke();
    });
  }

  private isColumnHeader(r: RowLayout): boolean {
    return r.cells.every((c) => c.cell.header);
  }

  /** A table too wide for a grid: one paragraph per row, cells separated by " | ". */
  private linearTable(b: TableBlock, parent: Struct): void {
    const group = this.doc.struct('Div');
    parent.add(group);
    this.para(
      {
        kind: 'para',
        role: 'P',
        inlines: [run(`[Tableau de plus de ${formatCount(MAX_COLUMNS)} colonnes, imprimé ligne par ligne]`, { italic: true, tone: 'muted' })],
        size: b.size,
        indent: 0,
        spaceBefore: 0,
        spaceAfter: 1,
      },
      group,
    );
    for (const row of b.rows) {
      const inlines: Inline[] = [];
      row.forEach((c, i) => {
        if (i) inlines.push(run(' | ', { tone: 'muted' }));
        inlines.push(...c.inlines.map((x) => ('br' in x ? run(' ') : x)));
      });
      this.para({ kind: 'para', role: 'P', inlines, size: b.size, indent: 0, spaceBefore: 0, spaceAfter: 1.5 }, group);
    }
    group.end();
    this.y += 4;
  }
}

/** A paragraph ending with a colon introduces the next block. */
function announces(b: ParaBlock): boolean {
  for (let i = b.inlines.length - 1; i >= 0; i--) {
    const x = b.inlines[i];
    if ('br' in x) return false;
    const t = x.text.trimEnd();
    if (t) return t.endsWith(':');
  }
  return false;
}
