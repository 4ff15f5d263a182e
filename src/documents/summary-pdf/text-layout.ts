/**
 * Line breaking of styled text for the PDF: words are measured with the
 * embedded fonts (widths cached per font and word), packed into lines of a
 * given width; a word wider than the line is cut between characters, so no
 * text ever leaves its box. Whitespace collapses as in HTML.
 */
import type PDFDocument from 'pdfkit';
import type { Inline, InlineStyle, Tone } from './blocks.js';
import { fontKey, parsedFont, type FontKey, type ParsedFont } from './fonts.js';

type Doc = InstanceType<typeof PDFDocument>;

export const COLORS: Record<Tone, string> = {
  normal: '#111111',
  original: '#4d4d4d',
  untranslated: '#a33a00',
  muted: '#555555',
  alert: '#9b1c1c',
  heading: '#1f3a5f',
};

/** Line height and baseline, as fractions of the text size (DejaVu Sans: ascent 0.93, descent 0.24). */
export const LINE_HEIGHT = 1.26;
const BASELINE = 0.96;
const SUP_SCALE = 0.7;
const SUP_RISE = 0.36;

export interface Piece {
  text: string;
  font: FontKey;
  size: number;
  rise: number;
  color: string;
  /** From the line's left edge. */
  x: number;
  width: number;
}

export interface Line {
  pieces: Piece[];
  width: number;
  height: number;
  /** From the line's top to its baseline. */
  baseline: number;
}

interface Frag {
  text: string;
  font: FontKey;
  size: number;
  rise: number;
  color: string;
  width: number;
}

/** Characters printed side by side with no space between them (a word, or a word and its marker). */
export interface Word {
  frags: Frag[];
  width: number;
  /** Whitespace before it in the source (a space when not at a line start). */
  spaceBefore: boolean;
  spaceWidth: number;
}

export type Token = Word | 'br';

export interface FlowMetrics {
  /** Widest word. */
  min: number;
  /** Widest line when nothing wraps. */
  max: number;
}

const WHITESPACE = /[ \t\n\r\f]+/;
// Control characters, soft hyphens and zero-width characters print nothing useful.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ufffe\uffff]/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** A character and the combining marks after it. */
const CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;

/** Measures and breaks text with the document's registered fonts (regular, bold, italic, boldItalic). */
export class TextKit {
  private readonly widths: Record<FontKey, Map<string, number>> = { regular: new Map(), bold: new Map(), italic: new Map(), boldItalic: new Map() };
  private readonly glyphs: Record<FontKey, Map<number, boolean>> = { regular: new Map(), bold: new Map(), italic: new Map(), boldItalic: new Map() };

  constructor(private readonly doc: Doc) {}

  /**
   * Width of a text at a size, points: the sum of its characters' advance
   * widths (each measured once per font). Kerning, which pdfkit applies when
   * drawing, only narrows DejaVu Sans text, so a line never ends up wider than
   * measured; measuring whole words with the shaper cost most of the PDF's time.
   */
  width(text: string, font: FontKey, size: number): number {
    const cache = this.widths[font];
    let w = 0;
    for (const ch of text) {
      let cw = cache.get(ch);
      if (cw === undefined) {
        this.doc.font(font).fontSize(1000);
        cw = this.doc.widthOfString(ch) / 1000;
        cache.set(ch, cw);
      }
      w += cw;
    }
    return w * size;
  }

  /**
   * The text as it can be printed in this font: invisible characters removed,
   * a character the font has no glyph for replaced by U+FFFD (a missing glyph
   * would print as an empty box and be read back as another character).
   */
  printable(text: string, font: FontKey): string {
    if (PRINTABLE_ASCII.test(text)) return text;
    text = text.replace(INVISIBLE, '');
    const table: ParsedFont | undefined = parsedFont(font);
    if (!table) return text;
    const known = this.glyphs[font];
    let out = '';
    let changed = false;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x7f) {
        out += ch;
        continue;
      }
      let ok = known.get(cp);
      if (ok === undefined) {
        ok = table.hasGlyphForCodePoint(cp);
        known.set(cp, ok);
      }
      if (ok) out += ch;
      else {
        out += '\ufffd';
        changed = true;
      }
    }
    return changed ? out : text;
  }

  private frag(text: string, style: InlineStyle, size: number): Frag {
    const font = fontKey(style.bold, style.italic);
    const fsize = style.sup ? size * SUP_SCALE : size;
    const printed = this.printable(text, font);
    return { text: printed, font, size: fsize, rise: style.sup ? size * SUP_RISE : 0, color: COLORS[style.tone], width: this.width(printed, font, fsize) };
  }

  /** The words of a flow of styled text at a size. */
  tokens(inlines: Inline[], size: number): Token[] {
    const out: Token[] = [];
    let word: Word | undefined;
    let space = false;
    const end = (): void => {
      if (word) out.push(word);
      word = undefined;
    };
    for (const inline of inlines) {
      if ('br' in inline) {
        end();
        out.push('br');
        space = false;
        continue;
      }
      const parts = inline.text.split(WHITESPACE);
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) {
          end();
          space = true;
        }
        const part = parts[i];
        if (!part) continue;
        const f = this.frag(part, inline.style, size);
        if (!f.text) continue;
        if (!word) {
          word = { frags: [], width: 0, spaceBefore: space, spaceWidth: this.width(' ', f.font, size) };
          space = false;
        }
        word.frags.push(f);
        word.width += f.width;
      }
    }
    end();
    return out;
  }

  /** Narrowest and widest widths of a flow (for table columns). */
  metrics(tokens: Token[]): FlowMetrics {
    let min = 0;
    let max = 0;
    let line = 0;
    for (const t of tokens) {
      if (t === 'br') {
        line = 0;
        continue;
      }
      min = Math.max(min, t.width);
      line += (line > 0 && t.spaceBefore ? t.spaceWidth : 0) + t.width;
      max = Math.max(max, line);
    }
    return { min, max };
  }

  /** Breaks the words into lines no wider than maxWidth; an empty flow gives no line. */
  lines(tokens: Token[], maxWidth: number, size: number): Line[] {
    const height = size * LINE_HEIGHT;
    const baseline = size * BASELINE;
    const out: Line[] = [];
    let pieces: Piece[] = [];
    let x = 0;
    const endLine = (): void => {
      out.push({ pieces, width: x, height, baseline });
      pieces = [];
      x = 0;
    };
    const put = (f: Frag, text: string, width: number): void => {
      const last = pieces[pieces.length - 1];
      if (last && last.font === f.font && last.size === f.size && last.rise === f.rise && last.color === f.color) {
        last.text += text;
        last.width += width;
      } else {
        pieces.push({ text, font: f.font, size: f.size, rise: f.rise, color: f.color, x, width });
      }
      x += width;
    };
    const width = Math.max(maxWidth, size); // at least one character fits
    for (const t of tokens) {
      if (t === 'br') {
        endLine();
        continue;
      }
      const space = pieces.length && t.spaceBefore ? t.spaceWidth : 0;
      if (x + space + t.width <= width + 0.01) {
        this.place(t, space, put);
        continue;
      }
      if (t.width <= width) {
        if (pieces.length) {
          // The space the line breaks at stays at the line's end (unseen), so copied or read-aloud text keeps its words apart.
          if (t.spaceBefore) pieces[pieces.length - 1].text += ' ';
          endLine();
        }
        this.place(t, 0, put);
        continue;
      }
      // Wider than a line: cut between characters, starting on the current line if much of it is left.
      if (pieces.length && width - x - space < width / 4) {
        if (t.spaceBefore) pieces[pieces.length - 1].text += ' ';
        endLine();
      }
      let lead = pieces.length && t.spaceBefore ? t.spaceWidth : 0;
      for (const f of t.frags) {
        for (const m of f.text.matchAll(CLUSTER)) {
          const ch = m[0];
          const w = this.width(ch, f.font, f.size);
          if (x + lead + w > width + 0.01 && pieces.length) {
            endLine();
            lead = 0;
          }
          if (lead) {
            put(f, ' ', lead);
            lead = 0;
          }
          put(f, ch, w);
        }
      }
    }
    if (pieces.length) endLine();
    return out;
  }

  private place(t: Word, space: number, put: (f: Frag, text: string, width: number) => void): void {
    t.frags.forEach((f, i) => {
      if (i === 0 && space) put(f, ' ' + f.text, space + f.width);
      else put(f, f.text, f.width);
    });
  }
}

export function linesHeight(lines: Line[]): number {
  let h = 0;
  for (const l of lines) h += l.height;
  return h;
}
