/**
 * The translated patient summary as a French PDF, as a professional files it
 * in the patient's record: made from the translated FHIR IPS Bundle (its
 * Composition's French narratives, the source document's own narrative after
 * them in a smaller size), A4, fonts embedded (DejaVu Sans: accents, Greek,
 * Cyrillic, Baltic and Central European letters), tagged for accessibility
 * (structure tree, language fr-FR, title shown), every page footed with the
 * source document, the translation's origin and "page N / M".
 *
 * Bounded cost: every step is linear in the Bundle's size, the source's
 * narrative is bounded per section (ORIGINAL_LIMITS) and the whole document
 * to MAX_PAGES pages.
 */
import PDFDocument from 'pdfkit';
import { summaryFacts, type Producer, type SummaryFacts } from './summary-pdf/facts.js';
import { narrativeBlocks, para, run, SIZES, type Block, type ParaBlock, type TableBlock } from './summary-pdf/blocks.js';
import { registerFonts } from './summary-pdf/fonts.js';
import { PageLimitReached, Renderer, type Geometry, type Struct } from './summary-pdf/renderer.js';
import { TextKit, linesHeight, type Line } from './summary-pdf/text-layout.js';
import { hasClass, parseXhtml, textOf, type XElement } from './summary-pdf/xhtml.js';
import { packageInfo } from '../util/project.js';

export interface SummaryPdfOptions {
  generatedAt: Date;
  /** where the PDF is served, for its metadata */
  title?: string;
}

export { ORIGINAL_LIMITS } from './summary-pdf/blocks.js';

/**
 * Pages at most. A real patient summary prints in 1 to 7 pages (the largest
 * public eHDSI sample, PS_L3_W6: 7); 100 pages (under 3 s of work)
 * leave room for a patient with hundreds of entries, and past them the PDF
 * ends with a French notice sending the reader to the electronic document.
 */
export const MAX_PAGES = 100;

/** A4 portrait, points. */
const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { left: 42, right: 42, top: 40 };
const FOOTER_SIZE = 6.8;
const FOOTER_BOTTOM = 24;
const HEADER_TOP = 20;
const MAX_SECTION_DEPTH = 4;
const EXT_ORIGINAL_TEXT = 'http://hl7.org/fhir/StructureDefinition/originalText';

/** Renders the translated patient summary Bundle as a French PDF. @throws TypeError when the Bundle has no Composition */
export async function renderSummaryPdf(bundle: fhir4.Bundle, opts: SummaryPdfOptions): Promise<Buffer> {
  const producer: Producer = packageInfo();
  const facts = summaryFacts(bundle, opts.generatedAt, producer);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 0, bottom: 0, left: 0, right: 0 },
    bufferPages: true,
    autoFirstPage: true,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'fr-FR',
    displayTitle: true,
    info: {
      Title: opts.title ?? `${facts.title} – ${facts.patientName}`,
      Author: facts.authors ? `${facts.authors} (traduction automatique : ${producer.name})` : producer.name,
      Subject: facts.subject,
      Keywords: 'synthèse médicale, patient summary, eHDSI, MyHealth@EU, IPS, traduction',
      Creator: `${producer.name} ${producer.version}`,
      CreationDate: opts.generatedAt,
      ModDate: opts.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  registerFonts(doc);
  const kit = new TextKit(doc);

  const width = A4.width - MARGIN.left - MARGIN.right;
  // At most three lines each (a hostile identifier is cut, not allowed to eat the page).
  // (the first line leaves room for "page N / M").
  const footerLines = (t: string, w: number): Line[] => kit.lines(kit.tokens([run(t, { tone: 'muted' })], FOOTER_SIZE), w, FOOTER_SIZE).slice(0, 3);
  const footer = [...footerLines(facts.sourceLine, width - 56), ...footerLines(facts.translationLine, width)];
  const footerTop = A4.height - FOOTER_BOTTOM - linesHeight(footer);
  const geometry: Geometry = { ...A4, ...MARGIN, bottom: footerTop - 10 };
  const r = new Renderer(doc, kit, geometry, MAX_PAGES);

  const root = doc.struct('Document', { lang: 'fr-FR' });
  doc.addStructure(root);
  try {
    body(r, facts, root);
  } catch (err) {
    if (!(err instanceof PageLimitReached)) throw err;
    r.forcePage();
    r.para(
      para([run(`Impression arrêtée après ${MAX_PAGES} pages : le document est plus long que ce qu’un PDF imprimable peut contenir. Consultez la synthèse complète dans le logiciel (document électronique).`, { bold: true, tone: 'alert' })], {
        frame: 'alert',
      }),
      root,
    );
  }
  root.end();
  pageFurniture(r, facts, footer, footerTop);
  doc.end();
  return finished;
}

/** A heading; `original`: the source's own wording, printed after it. */
function heading(r: Renderer, text: string, role: 'H1' | 'H2' | 'H3', parent: Struct, original?: string): void {
  const size = role === 'H1' ? 15 : role === 'H2' ? 11.5 : 10;
  const inlines = [run(text, { bold: true, tone: 'heading' })];
  if (original && original !== text) inlines.push(run(` (${original})`, { tone: 'original' }));
  r.para(para(inlines, { role, size, spaceBefore: role === 'H1' ? 0 : 9, spaceAfter: 2 }), parent, 48);
  if (role !== 'H3') r.rule();
}

function keyValues(rows: Array<[string, string]>): TableBlock {
  return {
    kind: 'table',
    keyValue: true,
    headerRows: 0,
    size: SIZES.cell + 0.5,
    rows: rows.map(([k, v]) => [
      { inlines: [run(k, { bold: true })], header: true, colspan: 1 },
      { inlines: [run(v)], header: false, colspan: 1 },
    ]),
  };
}

function body(r: Renderer, facts: SummaryFacts, root: Struct): void {
  heading(r, facts.title, 'H1', root);
  const patient = r.doc.struct('Sect');
  root.add(patient);
  heading(r, 'Patient', 'H2', patient);
  r.table(keyValues(facts.patientRows), patient);
  patient.end();

  const document = r.doc.struct('Sect');
  root.add(document);
  heading(r, 'Document', 'H2', document);
  r.table(keyValues(facts.documentRows), document);
  // The Composition's own narrative, less its header table (printed above): the translation notice and legend.
  const div = facts.composition.text?.div;
  if (div) {
    const tree = withoutClass(parseXhtml(div), 'document-header');
    r.blocks(narrativeBlocks(tree), document);
  }
  document.end();

  const sections = facts.composition.section ?? [];
  if (!sections.length) r.para(para([run('Le document ne contient aucune section.', { italic: true })]), root);
  for (const s of sections) section(r, s, root, r.doc.outline, 1);
}

function section(r: Renderer, s: fhir4.CompositionSection, parent: Struct, outline: PDFKit.PDFOutline, depth: number): void {
  const el = r.doc.struct('Sect');
  parent.add(el);
  const title = (s.title ?? s.code?.text ?? s.code?.coding?.find((c) => c.display)?.display ?? 'Section sans titre').replace(/\s+/g, ' ').trim();
  const original = (s as fhir4.CompositionSection & { _title?: fhir4.Element })._title?.extension?.find((e) => e.url === EXT_ORIGINAL_TEXT)?.valueString;
  heading(r, title, depth === 1 ? 'H2' : 'H3', el, original?.replace(/\s+/g, ' ').trim());
  const item = outline.addItem(title);
  const div = s.text?.div;
  const tree = div ? parseXhtml(div) : undefined;
  const blocks: Block[] = tree ? narrativeBlocks(tree) : [];
  const said = tree ? textOf(tree).replace(/\s+/g, ' ') : '';
  const reason = s.emptyReason ? (s.emptyReason.text ?? s.emptyReason.coding?.find((c) => c.display)?.display ?? s.emptyReason.coding?.[0]?.code) : undefined;
  const notes: ParaBlock[] = [];
  if (s.emptyReason && !(reason && said.includes(reason))) notes.push(para([run('Section sans données', { bold: true }), run(reason ? ` : ${reason}.` : '.')]));
  if (!blocks.length && !s.emptyReason && !s.section?.length) notes.push(para([run(s.entry?.length ? 'Cette section n’a pas de texte : ses données ne sont pas imprimables ici.' : 'Aucune information dans cette section.', { italic: true })]));
  r.blocks([...notes, ...blocks], el);
  if (depth < MAX_SECTION_DEPTH) for (const sub of s.section ?? []) section(r, sub, el, item, depth + 1);
  else {
    // Deeper sections (no IPS has them) are printed one after the other, never dropped, without recursion.
    const stack = [...(s.section ?? [])].reverse();
    for (let sub = stack.pop(); sub; sub = stack.pop()) {
      section(r, { ...sub, section: undefined }, el, item, depth + 1);
      const children = sub.section ?? [];
      for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]);
    }
  }
  el.end();
}

/** The tree without the elements of a class (and their content). */
function withoutClass(el: XElement, cls: string): XElement {
  return { ...el, children: el.children.filter((c) => typeof c === 'string' || !hasClass(c, cls)).map((c) => (typeof c === 'string' ? c : withoutClass(c, cls))) };
}

/**
 * At the foot of every page "Document d'origine…", "Traduction automatique…"
 * and "page N / M"; at the head of the pages after the first, the title and
 * the patient (a page filed alone still says whose it is).
 */
function pageFurniture(r: Renderer, facts: SummaryFacts, footer: Line[], top: number): void {
  const { doc, kit, g } = r;
  const range = doc.bufferedPageRange();
  const total = range.count;
  const line = (text: string, bold: boolean, width: number): Line =>
    kit.lines(kit.tokens([run(text, { bold, tone: 'muted' })], FOOTER_SIZE), width, FOOTER_SIZE)[0] ?? { pieces: [], width: 0, height: 0, baseline: 0 };
  const half = (g.width - g.left - g.right) / 2 - 6;
  const [titleLine, patientLine] = [line(facts.title, false, half), line(facts.patientLine, true, half)];
  for (let i = 0; i < total; i++) {
    doc.switchToPage(range.start + i);
    r.artifact(() => {
      const rule = (y: number): void => {
        doc.moveTo(g.left, y).lineTo(g.width - g.right, y).lineWidth(0.4).strokeColor('#9aa5b1').stroke();
      };
      if (i > 0) {
        r.drawLine(titleLine, g.left, HEADER_TOP);
        r.drawLine(patientLine, g.width - g.right - patientLine.width, HEADER_TOP);
        rule(HEADER_TOP + FOOTER_SIZE * 1.5);
      }
      rule(top - 4);
      let y = top;
      for (const l of footer) {
        r.drawLine(l, g.left, y);
        y += l.height;
      }
      const pageLine = line(`page ${i + 1} / ${total}`, true, 100);
      r.drawLine(pageLine, g.width - g.right - pageLine.width, top);
    }, 'Pagination');
  }
}
