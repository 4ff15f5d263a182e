/**
 * The body of the "Synthèse médicale" page: the translated patient summary
 * (the IPS document Bundle of GET /fhir/Patient/{id}/$summary) as French HTML.
 *
 * - two information blocks read from the Bundle's resources (patient; origin,
 *   nature, language, authors and date of the summary), then the links to the
 *   documents (originals and French versions);
 * - every Composition section in the Composition's order, from its narrative
 *   (the French table written by mapping/section-narrative.ts, the legend of
 *   its marks, then the document's own narrative, untranslated, which is put
 *   in a <details> "Texte original").
 *
 * The narratives hold text of a foreign document: they are never copied as
 * they come but parsed (util/safe-xml.ts policy, saxes) and written again
 * through an allowlist of elements and attributes, every text escaped. The
 * classes of the document's own narrative (its styleCodes) are prefixed
 * "cda-" so that a document cannot pass for one of our marks.
 */
import type { SaxesTagPlain } from 'saxes';
import { parseDocumentId } from '../../journey/summary-documents.js';
import { EXT } from '../../mapping/extensions.js';
import { narrativeLabels } from '../../mapping/section-narrative.js';
import { clean, conceptText, frenchDate, humanName, residenceAddress, resolver, sexName, type Resolver } from '../../documents/index.js';
import { countryName, languageName } from '../../terminology/icu-names.js';
import { readXml } from '../../util/safe-xml.js';
import { escapeHtml as e } from '../html.js';

export interface SummaryLinks {
  originalPdf?: string;
  frenchPdf?: string;
  originalCda?: string;
  /** The original clinical documents (reports as PDF, medical images), as the DocumentReference search lists them. */
  originals?: OriginalDocumentLink[];
}

/** One original clinical document, as the view lists it. */
export interface OriginalDocumentLink {
  /** Its class (LOINC code of the DocumentReference category). */
  kind: string;
  /** Its title, as the country wrote it (in its language). */
  title?: string;
  /** When it was made (FHIR date or dateTime). */
  date?: string;
  /** Who wrote it. */
  authors: string[];
  /** application/pdf, image/png or image/jpeg. */
  mediaType: string;
  href: string;
}

export interface SummaryViewOptions {
  /**
   * The name of an identifier's system (its assigning authority), e.g. from
   * the country's search mask (Questionnaire): "Numéro d'assurance maladie
   * (MBO)" for urn:oid:2.16.17.710.840.1000.990.1. Default: the identifier's
   * type, else its OID.
   */
  identifierLabel?: (system: string) => string | undefined;
  /** Prefix of the element ids this view writes (default "synthese"). */
  idPrefix?: string;
}

const UNAVAILABLE = 'Information indisponible';

// ---------------------------------------------------------------- Bundle access

// ---------------------------------------------------------------- French words

/** list-empty-reason, when the Bundle gives no French text. */
const EMPTY_REASON: Record<string, string> = {
  nilknown: 'Rien de connu',
  notasked: 'Non demandé',
  withheld: 'Information retenue',
  unavailable: 'Information non disponible',
  notstarted: 'Non commencé',
  closed: 'Clos',
};

/** "19/03/1985"; with the time "04/11/2025 à 10:15 (UTC+01:00)": as the source wrote it, with its zone (a time of another country is not the reader's local time). */
const frenchDateTime = (value: string | undefined): string | undefined => frenchDate(value ? clean(value) : undefined);

/** "Féminin": a value starting a line. */
const capitalised = (v: string | undefined): string | undefined => (v ? v.charAt(0).toUpperCase() + v.slice(1) : undefined);

/** "croate (hr-HR)": the language by its French name (CLDR, as the narratives name it) and its tag. */
function languageLabel(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const name = languageName(tag.split('-')[0], 'fr');
  return name ? `${name.toLocaleLowerCase('fr')} (${tag})` : tag;
}

function countryLabel(code: string | undefined): string | undefined {
  if (!code) return undefined;
  return countryName(code, 'fr') ?? code;
}

// ---------------------------------------------------------------- information blocks

function facts(rows: Array<[string, string]>): string {
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** A value of the Bundle (escaped), or "Information indisponible". */
const shown = (v: string | undefined): string => (v ? e(v) : `<span class="unavailable">${UNAVAILABLE}</span>`);

/** "BOŽIČEVIĆ MARIJA": family name first, as a French record writes it. */
function patientName(names: fhir4.HumanName[] | undefined): string | undefined {
  const n = names?.find((x) => x.use === 'official') ?? names?.find((x) => x.use !== 'old') ?? names?.[0];
  if (!n) return undefined;
  const parts = [n.family, ...(n.given ?? [])].map(clean).filter(Boolean);
  return parts.length ? parts.join(' ') : clean(n.text) || undefined;
}

/** "Ana Perić": a person as written (prefix, given names, family name), the official name first. */
function personName(names: fhir4.HumanName[] | undefined): string | undefined {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  return n ? humanName(n) || undefined : undefined;
}

function identifierLine(i: fhir4.Identifier, opts: SummaryViewOptions): string | undefined {
  const value = clean(i.value);
  if (!value) return undefined;
  const system = i.system ? clean(i.system) : '';
  const label = (system && opts.identifierLabel?.(system)) || clean(i.type?.text) || clean(i.type?.coding?.find((c) => c.display)?.display);
  const oid = system.startsWith('urn:oid:') ? `OID ${system.slice('urn:oid:'.length)}` : system === 'urn:ietf:rfc:3986' ? 'URI' : system;
  const assigner = clean(i.assigner?.display);
  const about = [label || oid, assigner].filter(Boolean).join(', ');
  const full = label && oid && label !== oid ? `${e(about)} <span class="identifier-system">(${e(oid)})</span>` : e(about);
  return `<span class="identifier-value">${e(value)}</span>${about ? ` — ${full}` : ''}`;
}

function patientBlock(patient: fhir4.Patient | undefined, opts: SummaryViewOptions, id: string): string {
  const ids = (patient?.identifier ?? []).map((i) => identifierLine(i, opts)).filter((x): x is string => !!x);
  const rows: Array<[string, string]> = [
    ['Nom et prénom', shown(patientName(patient?.name))],
    ['Identifiant(s)', ids.length ? ids.join('<br/>') : shown(undefined)],
    ['Date de naissance', shown(frenchDateTime(patient?.birthDate))],
    ['Sexe', shown(capitalised(sexName(patient?.gender)))],
    ['Adresse de résidence', shown(residenceAddress(patient))],
  ];
  return `<section class="summary-block patient-block" aria-labelledby="${id}"><h2 id="${id}">Informations administratives du patient</h2>${facts(rows)}</section>`;
}

/** An author by what the reference leads to (Practitioner, PractitionerRole, Organization, Device…). */
function authorName(ref: fhir4.Reference, resolve: Resolver): string | undefined {
  const r = resolve(ref);
  switch (r?.resourceType) {
    case 'Practitioner': {
      const name = personName(r.name);
      const role = conceptText(r.qualification?.[0]?.code);
      return name ? (role ? `${name} (${role})` : name) : role;
    }
    case 'PractitionerRole': {
      const who = (r.practitioner && authorName(r.practitioner, resolve)) || clean(r.practitioner?.display);
      const org = (r.organization && authorName(r.organization, resolve)) || clean(r.organization?.display);
      return [who, conceptText(r.code?.[0]), org].filter(Boolean).join(', ') || undefined;
    }
    case 'Organization':
      return clean(r.name) || undefined;
    case 'Device':
      return clean(r.deviceName?.[0]?.name) || conceptText(r.type) || 'Système d’information';
    case 'Patient':
    case 'RelatedPerson':
      return personName(r.name);
    default:
      return clean(ref.display) || undefined;
  }
}

const PERSONS = new Set(['Practitioner', 'PractitionerRole', 'Patient', 'RelatedPerson']);

/**
 * « automatique » when a system (Device) wrote the summary, « manuelle » when
 * only persons did; an organisation alone says nothing of it.
 */
function nature(authors: fhir4.Reference[], resolve: Resolver): string | undefined {
  const types = authors.map((a) => resolve(a)?.resourceType ?? (a.type ? a.type : /^Device\//.test(a.reference ?? '') ? 'Device' : undefined));
  if (types.includes('Device')) return 'automatique';
  if (types.some((t) => t && PERSONS.has(t))) return 'manuelle';
  return undefined;
}

function translatedFrom(c: fhir4.Composition): { language?: string; country?: string } | undefined {
  const ext = c.extension?.find((x) => x.url === EXT.translatedFrom);
  if (!ext) return undefined;
  const part = (url: string): string | undefined => clean(ext.extension?.find((x) => x.url === url)?.valueCode) || undefined;
  return { language: part('language'), country: part('country') };
}

function summaryBlock(composition: fhir4.Composition, resolve: Resolver, id: string): string {
  const source = translatedFrom(composition);
  const custodian = resolve(composition.custodian);
  const custodianCountry = custodian?.resourceType === 'Organization' ? custodian.address?.find((a) => a.country)?.country : undefined;
  const authors = composition.author ?? [];
  const authorNames = [...new Set(authors.map((a) => authorName(a, resolve)).filter((a): a is string => !!a))];
  const rows: Array<[string, string]> = [
    ['Pays', shown(countryLabel(source?.country ?? custodianCountry))],
    ['Nature', shown(nature(authors, resolve))],
    ['Langue d’origine', shown(languageLabel(source?.language ?? composition.language))],
    ['Auteur', authorNames.length ? authorNames.map(e).join('<br/>') : shown(undefined)],
    ['Date de création', shown(frenchDateTime(composition.date))],
  ];
  const labels = narrativeLabels('fr-FR');
  const notice = source ? `<p class="translation-notice">${e(clean(labels.header.translated))}</p>` : '';
  return `<section class="summary-block document-block" aria-labelledby="${id}"><h2 id="${id}">Informations sur la synthèse médicale</h2>${facts(rows)}${notice}</section>`;
}

/** Links we write ourselves: a path of this site or an http(s) URL, nothing else (no javascript:, data:). */
function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const u = url.trim();
  if (/^\/(?!\/)/.test(u) || /^https?:\/\//i.test(u)) return u;
  if (/^[A-Za-z0-9._~-][A-Za-z0-9._~/?=&%-]*$/.test(u) && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(u)) return u;
  return undefined;
}

function linksBlock(links: SummaryLinks): string {
  const items: string[] = [];
  const pdf = (href: string | undefined, label: string, cls: string): void => {
    const h = safeHref(href);
    if (h) items.push(`<li><a class="${cls}" href="${e(h)}" target="_blank" rel="noopener" type="application/pdf">${label} <span class="new-window">(nouvel onglet)</span></a></li>`);
  };
  pdf(links.originalPdf, 'Document original (PDF)', 'document-link original-pdf');
  pdf(links.frenchPdf, 'Version française (PDF)', 'document-link french-pdf');
  const cda = safeHref(links.originalCda);
  if (cda) items.push(`<li><a class="document-link original-cda" href="${e(cda)}" type="text/xml">Document original (CDA)</a></li>`);
  return items.length ? `<ul class="summary-documents">${items.join('')}</ul>` : '';
}

/** The kinds of original clinical documents, in the order the block shows them, with their French headings. */
const ORIGINAL_KINDS: ReadonlyArray<readonly [code: string, heading: string]> = [
  ['11502-2', 'Comptes rendus d’examens biologiques'],
  ['34105-7', 'Comptes rendus d’hospitalisation'],
  ['18748-4', 'Comptes rendus d’imagerie médicale'],
  ['x-clinical-image', 'Images médicales'],
];
const FORMAT_NAMES: Record<string, string> = { 'application/pdf': 'PDF', 'image/png': 'image PNG', 'image/jpeg': 'image JPEG' };

/** A sentence pointing to the block, with the information blocks (the block itself comes after the summary). */
function originalsNotice(originals: OriginalDocumentLink[] | undefined, id: string): string {
  const n = originals?.filter((o) => safeHref(o.href)).length ?? 0;
  if (!n) return '';
  return `<p class="originals-notice no-print">Le pays a aussi transmis ${n === 1 ? 'un document d’origine' : `${n} documents d’origine`} (comptes rendus, images) : <a href="#${id}">Documents d’origine</a>.</p>`;
}

/**
 * "Documents d'origine": the country's original clinical documents by kind,
 * the most recent first, each opening (in a new tab) through the portal.
 */
function originalsBlock(originals: OriginalDocumentLink[] | undefined, id: string): string {
  const shown = (originals ?? []).filter((o) => safeHref(o.href));
  if (!shown.length) return '';
  const groups = ORIGINAL_KINDS.map(([code, heading], i) => {
    const items = shown
      .filter((o) => o.kind === code)
      .sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''))
      .map((o) => {
        const date = frenchDate(o.date ? clean(o.date) : undefined, false);
        const label = `${clean(o.title) || 'Document sans titre'}${date ? ` — ${date}` : ''}`;
        const format = FORMAT_NAMES[o.mediaType] ?? o.mediaType;
        const authors = o.authors.map(clean).filter(Boolean);
        return `<li><a class="document-link original-document" href="${e(safeHref(o.href)!)}" target="_blank" rel="noopener" type="${e(o.mediaType)}">${e(label)} <span class="document-format">(${e(format)})</span> <span class="new-window">(nouvel onglet)</span></a>${authors.length ? `<br/><span class="hint">${e(authors.join(' ; '))}</span>` : ''}</li>`;
      });
    return items.length ? `<h3 id="${id}-${i + 1}">${e(heading)}</h3><ul class="original-documents-list" aria-labelledby="${id}-${i + 1}">${items.join('')}</ul>` : '';
  }).join('');
  return `<section class="summary-block original-documents" aria-labelledby="${id}"><h2 id="${id}">Documents d’origine</h2>
<p class="hint">Les documents du pays tels qu’il les a transmis, dans leur langue (non traduits).</p>${groups}</section>`;
}

// ---------------------------------------------------------------- narrative, through an allowlist

/** The elements written again (tfoot besides the brief's list: the narrative writer emits it). */
const ALLOWED = new Set([
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'p', 'div', 'span', 'b', 'i', 'em', 'strong', 'br', 'sup', 'sub',
  'ul', 'ol', 'li', 'h3', 'h4', 'h5', 'h6', 'code',
]);
/** Headings above the section's own level become h3. */
const RENAMED: Record<string, string> = { h1: 'h3', h2: 'h3' };
/** Dropped with everything inside; any other unknown element is dropped but its text kept (a, font, u…). */
const DROPPED = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'param', 'svg', 'math', 'template', 'noscript', 'textarea',
  'select', 'option', 'button', 'input', 'form', 'head', 'title', 'link', 'meta', 'base', 'img', 'picture', 'video', 'audio', 'source',
  'track', 'canvas', 'map', 'area', 'colgroup', 'col', 'portal', 'dialog',
]);
/** The classes of our own narratives (mapping/section-narrative.ts, composition-narrative.ts, document-translation.ts). */
const OWN_CLASSES = new Set([
  'entries', 'legend', 'proposed', 'reviewed', 'original', 'untranslated', 'original-narrative', 'known-absence', 'member', 'alert',
  'translation-notice', 'document-header',
]);
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
const CLASS_TOKEN = /^[A-Za-z][\w-]{0,63}$/;

interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Array<Node | string>;
}

/** The div as a tree, read under the project's safe-XML policy; undefined when it is not XML. */
function parseDiv(div: string): Node | undefined {
  const root: Node = { name: '#root', attrs: {}, children: [] };
  const stack: Node[] = [root];
  const text = (t: string): void => {
    stack[stack.length - 1].children.push(t);
  };
  try {
    readXml(
      div,
      {
        opentag(tag: SaxesTagPlain) {
          const node: Node = { name: tag.name, attrs: tag.attributes, children: [] };
          stack[stack.length - 1].children.push(node);
          stack.push(node);
        },
        closetag() {
          stack.pop();
        },
        text,
        cdata: text,
      },
      { limits: { maxBytes: 4 * 1024 * 1024, maxDepth: 128 } },
    );
  } catch {
    return undefined;
  }
  return root.children.find((c): c is Node => typeof c !== 'string');
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1).toLowerCase();
const classesOf = (n: Node): string[] => (n.attrs.class ?? '').split(/\s+/).filter(Boolean);
const hasClass = (n: Node, cls: string): boolean => classesOf(n).includes(cls);

interface WriteState {
  idPrefix: string;
  /** Inside the document's own narrative: its classes are the source's styleCodes. */
  source: boolean;
  /** Inside a div.original-narrative, already folded in a <details>. */
  folded: boolean;
  /** Shared by the whole section. */
  seen: { untranslated: boolean; text: string[] };
}

function attributesOf(n: Node, tag: string, st: WriteState): string {
  let out = '';
  const classes = classesOf(n)
    .filter((c) => CLASS_TOKEN.test(c))
    .map((c) => (st.source ? `cda-${c}` : OWN_CLASSES.has(c) ? c : undefined))
    .filter((c): c is string => !!c);
  if (classes.length) out += ` class="${e(classes.join(' '))}"`;
  const lang = n.attrs.lang ?? n.attrs['xml:lang'];
  if (lang && LANGUAGE_TAG.test(lang)) out += ` lang="${e(lang)}"`;
  if (n.attrs.title) out += ` title="${e(clean(n.attrs.title))}"`;
  else if (!st.source && tag === 'span' && classes.includes('untranslated')) out += ' title="Terme non traduit : laissé dans la langue d’origine"';
  if (tag === 'td' || tag === 'th') {
    for (const k of ['colspan', 'rowspan']) {
      const v = n.attrs[k]?.trim();
      if (v && /^\d{1,3}$/.test(v) && Number(v) >= 1) out += ` ${k}="${Number(v)}"`;
    }
  }
  const id = n.attrs.id;
  if (id && id.length <= 128) out += ` id="${e(`${st.idPrefix}-${id.replace(/[^A-Za-z0-9_.:-]/g, '_')}`)}"`;
  return out;
}

function writeChildren(children: Array<Node | string>, st: WriteState): string {
  return children.map((c) => (typeof c === 'string' ? writeText(c, st) : writeNode(c, st))).join('');
}

function writeText(t: string, st: WriteState): string {
  st.seen.text.push(t);
  return e(t);
}

/** The document's own narrative, folded: open when it is all the section has. */
function details(inner: string, open: boolean): string {
  return `<details class="original-narrative"${open ? ' open' : ''}><summary>Texte original</summary>${inner}</details>`;
}

/** The div of class "original": the document's narrative, in its language, its styleCodes prefixed. */
function writeOriginal(n: Node, st: WriteState): string {
  const source: WriteState = { ...st, source: true };
  return `<div class="original"${attributesOf({ ...n, attrs: { ...n.attrs, class: '' } }, 'div', source)}>${writeChildren(n.children, source)}</div>`;
}

function writeNode(n: Node, st: WriteState): string {
  const local = localName(n.name);
  if (DROPPED.has(local)) return '';
  if (!st.source && local === 'div') {
    if (hasClass(n, 'original-narrative')) return details(writeChildren(n.children, { ...st, folded: true }), false);
    // Alone (a section without entries), the document's narrative is all there is: shown unfolded.
    if (hasClass(n, 'original')) return st.folded ? writeOriginal(n, st) : details(writeOriginal(n, st), true);
  }
  if (!st.source && local === 'span' && hasClass(n, 'untranslated')) st.seen.untranslated = true;
  const tag = RENAMED[local] ?? (ALLOWED.has(local) ? local : undefined);
  if (!tag) return writeChildren(n.children, st);
  if (tag === 'br') return '<br/>';
  return `<${tag}${attributesOf(n, tag, st)}>${writeChildren(n.children, st)}</${tag}>`;
}

/** Where the narrative's top-level children end up: the legend line of "[non traduit]" goes after the last legend line. */
function writeNarrative(root: Node, st: WriteState): string {
  const parts: string[] = [];
  let afterLegend = -1;
  let firstDetails = -1;
  for (const child of root.children) {
    if (typeof child === 'string') {
      parts.push(writeText(child, st));
      continue;
    }
    const html = writeNode(child, st);
    parts.push(html);
    if (localName(child.name) === 'p' && hasClass(child, 'legend')) afterLegend = parts.length;
    if (firstDetails < 0 && html.startsWith('<details')) firstDetails = parts.length - 1;
  }
  if (st.seen.untranslated) {
    const at = afterLegend >= 0 ? afterLegend : firstDetails >= 0 ? firstDetails : parts.length;
    parts.splice(at, 0, untranslatedLegend());
  }
  const lang = root.attrs.lang ?? root.attrs['xml:lang'];
  return `<div class="narrative"${lang && LANGUAGE_TAG.test(lang) ? ` lang="${e(lang)}"` : ''}>${parts.join('')}</div>`;
}

/** "[non traduit] : terme laissé dans la langue d’origine, faute de traduction.", the flag as the table shows it. */
function untranslatedLegend(): string {
  const labels = narrativeLabels('fr-FR');
  const flag = labels.words.untranslated;
  const line = clean(labels.header.untranslatedLegend);
  const rest = line.startsWith(flag) ? line.slice(flag.length) : ` : ${line}`;
  return `<p class="legend legend-untranslated"><span class="untranslated">${e(flag)}</span>${e(rest)}</p>`;
}

// ---------------------------------------------------------------- sections

function emptyReasonText(cc: fhir4.CodeableConcept): string {
  const code = cc.coding?.find((c) => c.code)?.code;
  const translated = cc.text && !cc.extension?.some((x) => x.url === EXT.untranslated);
  return (translated ? clean(cc.text) : undefined) ?? (code ? EMPTY_REASON[code] : undefined) ?? conceptText(cc) ?? EMPTY_REASON.unavailable;
}

function sectionView(section: fhir4.CompositionSection, path: string, level: number, idPrefix: string): string {
  const id = `${idPrefix}-section-${path}`;
  const title = clean(section.title) || conceptText(section.code) || 'Section sans titre';
  const heading = `h${Math.min(level, 6)}`;
  const st: WriteState = { idPrefix: `${idPrefix}-n${path}`, source: false, folded: false, seen: { untranslated: false, text: [] } };
  let body = '';
  const div = section.text?.div;
  if (div) {
    const root = parseDiv(div);
    body = root
      ? writeNarrative(root, st)
      : '<p class="alert narrative-error">Le texte de cette section n’a pas pu être affiché. Consultez le document original.</p>';
  }
  if (section.emptyReason) {
    const reason = emptyReasonText(section.emptyReason);
    const said = st.seen.text.join('').replace(/\s+/g, ' ');
    if (!said.includes(reason)) body = `<p class="empty-reason">Aucune donnée structurée : ${e(reason)}.</p>${body}`;
  } else if (!body && !section.section?.length) {
    body = '<p class="empty-reason">Cette section est vide.</p>';
  }
  const sub = (section.section ?? []).map((s, i) => sectionView(s, `${path}-${i + 1}`, level + 1, idPrefix)).join('');
  const cls = `summary-section${section.emptyReason ? ' empty' : ''}${st.seen.untranslated ? ' has-untranslated' : ''}`;
  return `<section class="${cls}" aria-labelledby="${id}"><${heading} id="${id}">${e(title)}</${heading}>${body}${sub}</section>`;
}

// ---------------------------------------------------------------- the view

/** HTML fragment (no <html>/<head>): the two information blocks and the French sections. */
export function summaryView(bundle: fhir4.Bundle, links: SummaryLinks, opts: SummaryViewOptions = {}): string {
  const idPrefix = opts.idPrefix && /^[A-Za-z][\w-]*$/.test(opts.idPrefix) ? opts.idPrefix : 'synthese';
  const composition = bundle.entry?.find((x) => x.resource?.resourceType === 'Composition')?.resource as fhir4.Composition | undefined;
  if (!composition) return '<p class="alert">La synthèse médicale reçue ne contient pas de document (Composition) : elle ne peut pas être affichée.</p>';
  const resolve = resolver(bundle);
  const subject = resolve(composition.subject);
  const patient = (subject?.resourceType === 'Patient' ? subject : bundle.entry?.find((x) => x.resource?.resourceType === 'Patient')?.resource) as fhir4.Patient | undefined;
  const sections = (composition.section ?? []).map((s, i) => sectionView(s, String(i + 1), 2, idPrefix)).join('\n');
  return [
    patientBlock(patient, opts, `${idPrefix}-patient`),
    summaryBlock(composition, resolve, `${idPrefix}-document`),
    linksBlock(links),
    originalsNotice(links.originals, `${idPrefix}-originaux`),
    `<div class="summary-sections">\n${sections}\n</div>`,
    originalsBlock(links.originals, `${idPrefix}-originaux`),
  ]
    .filter(Boolean)
    .join('\n');
}

/** An original clinical document of the search as the view lists it. */
function originalLink(dr: fhir4.DocumentReference, href: string): OriginalDocumentLink | undefined {
  const kind = dr.category?.flatMap((c) => c.coding ?? []).find((c) => c.code)?.code;
  const file = dr.content[0]?.attachment;
  if (!kind || !file?.contentType) return undefined;
  return {
    kind,
    title: file.title ?? dr.description,
    date: file.creation ?? dr.date,
    authors: (dr.author ?? []).map((a) => a.display ?? '').filter(Boolean),
    mediaType: file.contentType,
    href,
  };
}

/**
 * The links of the view from the patient's DocumentReference search (GET
 * /fhir/DocumentReference?patient=Patient/{id}), by the kind their ids name
 * ({handle}.L1, .L3, .fr-PDF; the first of a kind), and every original
 * clinical document ({handle}.lab-…, .hdr-…, .imr-…, .img-…); `href` makes
 * the portal's URL of a document from its id.
 */
export function summaryLinksFrom(documents: fhir4.Bundle | fhir4.DocumentReference[], href: (id: string) => string): SummaryLinks {
  const list = Array.isArray(documents) ? documents : (documents.entry ?? []).map((x) => x.resource).filter((r): r is fhir4.DocumentReference => r?.resourceType === 'DocumentReference');
  const best = new Map<string, { id: string; rank: number }>();
  const originals: OriginalDocumentLink[] = [];
  for (const dr of list) {
    const ref = dr.id ? parseDocumentId(dr.id) : undefined;
    if (!ref || !dr.id) continue;
    if (ref.kind === 'orcd') {
      const link = originalLink(dr, href(dr.id));
      if (link) originals.push(link);
      continue;
    }
    const known = best.get(ref.kind);
    if (!known || ref.rank < known.rank) best.set(ref.kind, { id: dr.id, rank: ref.rank });
  }
  const link = (kind: string): string | undefined => {
    const found = best.get(kind);
    return found ? href(found.id) : undefined;
  };
  const links: SummaryLinks = {};
  const originalPdf = link('L1');
  const frenchPdf = link('fr-PDF');
  const originalCda = link('L3');
  if (originalPdf) links.originalPdf = originalPdf;
  if (frenchPdf) links.frenchPdf = frenchPdf;
  if (originalCda) links.originalCda = originalCda;
  if (originals.length) links.originals = originals;
  return links;
}
