/**
 * The fonts embedded in the PDF: DejaVu Sans (npm package dejavu-fonts-ttf),
 * whose glyphs cover the accented Latin letters of French and of the source
 * documents (Central European, Baltic, Maltese…), Greek and Cyrillic. The
 * files are found through the package, so this works from src/ (tsx, jest)
 * and from dist/ alike, and read once per process.
 *
 * Parsing a font (fontkit, inside pdfkit) costs as much as laying out a whole
 * summary: the parsed fonts of the first document are kept and handed to the
 * next ones (pdfkit accepts a parsed font wherever it accepts font bytes).
 * A shared font must first know every glyph with its characters: fontkit
 * keeps the first glyph object it makes for an id, and when a document's
 * subset makes one for a composite glyph's component (no characters), the
 * next document that prints that glyph would get a ToUnicode entry without
 * its character, and a reader would lose it (seen: Cyrillic П after a Greek
 * summary). Making all the glyphs of the character map once, with their
 * characters, when the font is first parsed (about 40 ms a font), in
 * ascending order (a glyph shared by several characters reads as the first,
 * e.g. ";" rather than the Greek question mark), avoids that.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type PDFDocument from 'pdfkit';

type Doc = InstanceType<typeof PDFDocument>;

export type FontKey = 'regular' | 'bold' | 'italic' | 'boldItalic';

const FILES: Record<FontKey, string> = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  italic: 'DejaVuSans-Oblique.ttf',
  boldItalic: 'DejaVuSans-BoldOblique.ttf',
};

export const FONT_KEYS = Object.keys(FILES) as FontKey[];

let loaded: Record<FontKey, Buffer> | undefined;

/** Folder of the TrueType files of dejavu-fonts-ttf. */
export function fontFolder(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

/** The font files' bytes (read on first use). */
export function fontData(): Record<FontKey, Buffer> {
  if (!loaded) {
    const dir = fontFolder();
    loaded = Object.fromEntries(FONT_KEYS.map((k) => [k, readFileSync(path.join(dir, FILES[k]))])) as Record<FontKey, Buffer>;
  }
  return loaded;
}

export function fontKey(bold: boolean, italic: boolean): FontKey {
  return bold ? (italic ? 'boldItalic' : 'bold') : italic ? 'italic' : 'regular';
}

/** What pdfkit keeps of a font it parsed (a fontkit Font): only what this module relies on. */
export interface ParsedFont {
  layout: (...args: never[]) => unknown;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): unknown;
  characterSet: number[];
}

const parsed: Partial<Record<FontKey, ParsedFont>> = {};

function isParsedFont(f: unknown): f is ParsedFont {
  const o = f as Partial<ParsedFont> | undefined;
  return typeof o?.layout === 'function' && typeof o.hasGlyphForCodePoint === 'function' && typeof o.glyphForCodePoint === 'function' && Array.isArray(o.characterSet);
}

/** Registers the four fonts under their keys in a document (parsed once per process). */
export function registerFonts(doc: Doc): void {
  const data = fontData();
  for (const k of FONT_KEYS) {
    // pdfkit takes a parsed fontkit font as it takes bytes (PDFFontFactory.open); its typings only know bytes.
    doc.registerFont(k, (parsed[k] ?? data[k]) as Buffer);
    if (!parsed[k]) {
      doc.font(k);
      const font = (doc as unknown as { _font?: { font?: unknown } })._font?.font;
      if (isParsedFont(font)) {
        // Not the ligatures' own code points (ﬁ, ﬂ…): the shaper makes those glyphs from "f"+"i", and so they read back.
        for (const cp of font.characterSet) if (cp < 0xfb00 || cp > 0xfb4f) font.glyphForCodePoint(cp);
        parsed[k] = font;
      }
    }
  }
}

/** The parsed font of a key, once a document has registered the fonts. */
export function parsedFont(k: FontKey): ParsedFont | undefined {
  return parsed[k];
}
