/**
 * "Où trouver ces informations ?": for the search page of the portal, per identity
 * trait of a country's search mask, the French help text, the kind of document the
 * patient finds it on (trait-documents.json) and a schematic illustration of that
 * document with the zone of the trait highlighted.
 *
 * The illustrations are our own, deliberately generic drawings (no emblem, flag or
 * layout of a real document). They are inline SVG with presentation attributes only:
 * no <style>, no style attribute, no script, so the portal's Content-Security-Policy
 * (style-src 'self') lets them through. Each is role="img" with a French <title>
 * referenced by aria-labelledby; the help text is its <figcaption>.
 */
import { readFileSync } from 'node:fs';
import { projectPath } from '../../util/project.js';
import { escapeHtml } from '../html.js';

export interface TraitHelpItem {
  /** The Questionnaire item's linkId (the trait key of the search mask). */
  linkId: string;
  /** The item's text: French label of the trait. */
  label: string;
  /** The text of the item's `-help` display item: where the patient finds the trait. */
  help?: string;
}

export const DOCUMENT_KINDS = ['identity-card', 'health-insurance-card', 'passport', 'residence-permit', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export type DocumentSide = 'front' | 'back';

export interface TraitDocument {
  document: DocumentKind;
  side?: DocumentSide;
}

export const TRAIT_HELP_SUMMARY = 'Où trouver ces informations ?';

type RawEntry = string | { document?: unknown; side?: unknown };
type Table = Record<string, Record<string, RawEntry>>;

let table: Table | undefined;

/** trait-documents.json, read once (from src/ whether running from src/ with tsx or from dist/src/). */
function documentsTable(): Table {
  table ??= JSON.parse(readFileSync(projectPath('src', 'web', 'portal', 'trait-documents.json'), 'utf8')) as Table;
  return table;
}

function isKind(value: unknown): value is DocumentKind {
  return typeof value === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(value);
}

/** The document a country's trait is found on, or undefined when the table does not list it (or lists it wrongly). */
export function traitDocument(country: string, linkId: string): TraitDocument | undefined {
  const code = String(country).trim().toUpperCase();
  const all = documentsTable();
  if (!/^[A-Z]{2}$/.test(code) || !Object.hasOwn(all, code)) return undefined;
  const byTrait = all[code];
  if (byTrait === null || typeof byTrait !== 'object' || !Object.hasOwn(byTrait, linkId)) return undefined;
  const entry = byTrait[linkId];
  if (isKind(entry)) return { document: entry };
  if (entry !== null && typeof entry === 'object' && isKind(entry.document)) {
    const side = entry.side === 'front' || entry.side === 'back' ? entry.side : undefined;
    return side ? { document: entry.document, side } : { document: entry.document };
  }
  return undefined;
}

const DOCUMENT_NAMES: Record<DocumentKind, string> = {
  'identity-card': "Carte d'identité",
  'health-insurance-card': "Carte d'assurance maladie",
  passport: "Passeport (page d'identité)",
  'residence-permit': 'Titre de séjour',
  other: 'Autre document',
};

const SIDE_NAMES: Record<DocumentSide, string> = { front: 'recto', back: 'verso' };

function documentName(doc: TraitDocument | undefined): string {
  if (!doc) return 'Document';
  const name = DOCUMENT_NAMES[doc.document];
  return doc.side && doc.document !== 'passport' && doc.document !== 'other' ? `${name}, ${SIDE_NAMES[doc.side]}` : name;
}

// ---------------------------------------------------------------------------
// Illustrations: 240×152 (the ID-1 card ratio), presentation attributes only.

const INK = '#5b6b7f';
const LINE = '#b8c2cc';
/** The highlighted zone: yellow with a dark red border, visible in greyscale too (thick dashed border). */
const mark = (x: number, y: number, w: number, h: number): string =>
  `<rect x="${x - 3}" y="${y - 3}" width="${w + 6}" height="${h + 6}" rx="4" fill="#ffe066" stroke="#b3001b" stroke-width="3" stroke-dasharray="6 3"/>` +
  `<rect x="${x + 4}" y="${y + h / 2 - 2}" width="${w - 8}" height="4" rx="2" fill="#1b1b35"/>`;
const bar = (x: number, y: number, w: number): string => `<rect x="${x}" y="${y}" width="${w}" height="5" rx="2" fill="${LINE}"/>`;
const card = (fill: string, band: string): string =>
  `<rect x="2" y="2" width="236" height="148" rx="12" fill="${fill}" stroke="${INK}" stroke-width="2"/>` +
  `<path d="M14 3h212a11 11 0 0 1 11 11v12H3V14A11 11 0 0 1 14 3z" fill="${band}"/>`;
const photo = (x: number, y: number): string =>
  `<rect x="${x}" y="${y}" width="50" height="64" rx="3" fill="#d5dce4"/>` +
  `<circle cx="${x + 25}" cy="${y + 22}" r="11" fill="#9aa7b6"/><path d="M${x + 7} ${y + 64}c2-20 34-20 36 0z" fill="#9aa7b6"/>`;
const chip = `<rect x="16" y="44" width="32" height="25" rx="4" fill="#e0b84f" stroke="#a07d22"/><path d="M16 56h32M32 44v25" stroke="#a07d22"/>`;
/** A neutral care symbol (a plus sign in a circle), not any insurer's logo. */
const care = `<circle cx="214" cy="46" r="13" fill="#2f7d6d"/><path d="M214 38v16M206 46h16" stroke="#fff" stroke-width="4"/>`;
const mrz = `<rect x="10" y="114" width="220" height="30" rx="2" fill="#eef1f4"/>` + [120, 128, 136].map((y) => `<rect x="16" y="${y}" width="208" height="3" fill="${LINE}"/>`).join('');

type Drawing = () => string;

const DRAWINGS: Record<string, Drawing> = {
  'identity-card/front': () => card('#f4f7fb', '#c9d6e8') + photo(14, 36) + bar(76, 40, 110) + bar(76, 54, 90) + bar(76, 68, 120) + bar(76, 82, 70) + mark(76, 104, 120, 14),
  'identity-card/back': () => card('#f4f7fb', '#c9d6e8') + bar(14, 36, 100) + mark(14, 54, 130, 14) + bar(14, 80, 150) + bar(14, 94, 90) + mrz,
  'health-insurance-card/front': () => card('#f2f8f5', '#b9dccf') + chip + care + bar(62, 44, 100) + bar(62, 58, 80) + bar(16, 84, 140) + mark(16, 106, 150, 14),
  'health-insurance-card/back': () =>
    card('#f2f8f5', '#b9dccf') + `<rect x="3" y="30" width="234" height="22" fill="#3d3d3d"/>` + bar(16, 64, 120) + bar(16, 78, 90) + mark(16, 100, 150, 14) + bar(180, 126, 44),
  'residence-permit/front': () => card('#f7f4fb', '#d8cce8') + photo(14, 36) + bar(76, 40, 110) + bar(76, 54, 90) + bar(76, 82, 70) + bar(76, 96, 110) + mark(150, 116, 74, 12),
  'residence-permit/back': () => card('#f7f4fb', '#d8cce8') + bar(14, 36, 100) + mark(14, 54, 130, 14) + bar(14, 80, 150) + bar(14, 94, 90) + mrz,
  passport: () =>
    `<rect x="2" y="2" width="236" height="148" rx="4" fill="#fbfaf5" stroke="${INK}" stroke-width="2"/>` +
    bar(14, 12, 90) + photo(14, 28) + bar(76, 34, 60) + bar(76, 48, 100) + bar(76, 62, 80) + bar(76, 76, 110) + mark(160, 14, 66, 12) + mrz,
  other: () =>
    `<path d="M70 4h78l24 24v120H70z" fill="#fff" stroke="${INK}" stroke-width="2"/><path d="M148 4v24h24" fill="#e6eaef" stroke="${INK}" stroke-width="2"/>` +
    bar(82, 18, 50) + bar(82, 40, 76) + bar(82, 54, 66) + mark(84, 76, 74, 12) + bar(82, 102, 76) + bar(82, 116, 56) + bar(82, 130, 70),
  /** No entry in the table: a neutral document with a question mark, no zone claimed. */
  unknown: () =>
    `<path d="M70 4h78l24 24v120H70z" fill="#fff" stroke="${INK}" stroke-width="2"/><path d="M148 4v24h24" fill="#e6eaef" stroke="${INK}" stroke-width="2"/>` +
    `<circle cx="121" cy="84" r="26" fill="#e6eaef"/><path d="M111 76a10 10 0 1 1 14 9c-3 2-4 4-4 8" fill="none" stroke="${INK}" stroke-width="5" stroke-linecap="round"/><circle cx="121" cy="102" r="3.5" fill="${INK}"/>`,
};

function drawing(doc: TraitDocument | undefined): string {
  if (!doc) return DRAWINGS.unknown();
  if (doc.document === 'passport' || doc.document === 'other') return DRAWINGS[doc.document]();
  return DRAWINGS[`${doc.document}/${doc.side ?? 'front'}`]();
}

function illustration(id: string, title: string, doc: TraitDocument | undefined): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}" width="240" height="152" viewBox="0 0 240 152" focusable="false">` +
    `<title id="${id}">${escapeHtml(title)}</title>${drawing(doc)}</svg>`
  );
}

/** A value safe in an id attribute and CSS selector: letters, digits and hyphens. */
function idPart(s: string): string {
  return String(s).replace(/[^A-Za-z0-9-]/g, '').slice(0, 8) || 'x';
}

/** The HTML fragment (a <details> whose <summary> reads "Où trouver ces informations ?") for a country's traits. */
export function traitHelp(country: string, countryName: string, items: readonly TraitHelpItem[]): string {
  const prefix = `trait-help-${idPart(String(country).toUpperCase())}`;
  const entries = items.map((item, i) => {
    const label = String(item.label ?? '');
    const help = typeof item.help === 'string' ? item.help.trim() : '';
    const doc = traitDocument(country, String(item.linkId ?? ''));
    const where = documentName(doc);
    const title = `${where} : emplacement de « ${label} »`;
    const caption = help || (doc ? `Se trouve sur : ${where.toLowerCase()}.` : 'Pas d’indication sur le document : demandez au patient où figure cette information.');
    return (
      `<li class="trait-help-item">` +
      `<p class="trait-help-label"><strong>${escapeHtml(label)}</strong>` +
      (doc ? ` <span class="trait-help-document">(${escapeHtml(where)})</span>` : '') +
      `</p>` +
      `<figure class="trait-help-figure">${illustration(`${prefix}-${i}-title`, title, doc)}` +
      `<figcaption>${escapeHtml(caption)}</figcaption></figure>` +
      `</li>`
    );
  });
  const intro = `Pays de résidence : ${countryName}. Pour chaque information demandée, le document du patient où elle figure ; la zone à lire est encadrée et surlignée en jaune.`;
  const body = entries.length
    ? `<ul class="trait-help-list">${entries.join('')}</ul>`
    : `<p>Aucune information d’identité n’est demandée pour ce pays.</p>`;
  return `<details class="trait-help"><summary>${escapeHtml(TRAIT_HELP_SUMMARY)}</summary><p>${escapeHtml(intro)}</p>${body}</details>`;
}
