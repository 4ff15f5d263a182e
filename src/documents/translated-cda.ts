import type { SaxesTagPlain } from 'saxes';
import { CdaInputError } from '../mapping/errors.js';
import { cdaInputErrorOf, DEFAULT_MAX_BYTES, scanNamespaceDeclarations, XSI_NS } from '../mapping/xml-tree.js';
import type { TerminologyCatalogue } from '../terminology/catalogue.js';
import type { Designation } from '../terminology/designation.js';
import { systemUri } from '../terminology/code-systems.js';
import { readXml, XmlPolicyError, type XmlCursor } from '../util/safe-xml.js';

/**
 * The translated CDA ("level 3 translated"), as the eHDSI reference
 * implementation's transformation service writes it: each coded element the
 * catalogue translates shows the target-language designation as its
 * displayName, and a new <translation> child keeps what the source said
 * (code, codeSystem, codeSystemName, codeSystemVersion, displayName), with the
 * element's earlier translations nested inside it. Everything else is the
 * source document, byte for byte.
 *
 * One streaming pass: the source text is copied in slices, and only the start
 * tags of translated elements are rewritten (plus the translation elements
 * added), so comments, CDATA, entities, quoting and indentation stay as sent.
 * The input is read as UTF-8 (as parseXml reads it) and written as UTF-8.
 * An element the source wrote out of the CD order (something else after its
 * first translation) keeps that something inside the added translation.
 */

export interface TranslatedCda {
  xml: Buffer;
  counts: { translated: number; untranslated: number; official: number; reviewed: number; proposed: number };
}

export interface TranslateCdaOptions {
  catalogue: TerminologyCatalogue;
  /** Target language ("fr-FR"). An English reader gets the pivot document as it is: it is already in English. */
  language: string;
  /** Largest document accepted, bytes (default 20 MiB, as the conversion). */
  maxBytes?: number;
}

const HL7_NS = 'urn:hl7-org:v3';

/**
 * Coded elements whose datatype has no <translation> child, skipped (neither
 * translated nor counted):
 * - CS elements: languageCode, realmCode, statusCode, signatureCode (the
 *   document's languageCode also stays the source's), and regionOfInterest/code;
 * - any element typed xsi:type CS, CV, CO (and any other xsi:type that is not
 *   CD or CE: PQ, PQR…): CV and its restrictions forbid translation;
 * - qualifier/name: a CV (the qualifier's value, a CD, is translated);
 * - elements carrying @value, i.e. PQ/PQR: the <translation> children of a PQ
 *   are PQR (a CV with a value), which cannot hold a translation, and a
 *   <translation> under anything that is not a CD/CE is not one either.
 */
const CS_ELEMENTS = new Set(['languageCode', 'realmCode', 'statusCode', 'signatureCode']);
const CD_TYPES = new Set(['CD', 'CE']);

/** Attributes of the source's coding the added translation keeps, in this order. */
const KEPT = ['code', 'codeSystem', 'codeSystemName', 'codeSystemVersion', 'displayName'] as const;

interface Frame {
  local: string;
  attrs: Record<string, string>;
  parent: Frame | undefined;
  /** Whether its datatype may hold <translation> children, worked out when first asked. */
  cd: boolean | undefined;
  /** Start tag of the added translation, not yet written (written before the first old translation, or before the end tag). */
  pending: string | undefined;
  /** End tag of the added translation once it is open (old translations go inside it). */
  closeWith: string | undefined;
  /** This element opened a namespace scope. */
  scoped: boolean;
}

/** The skipped kinds above, worked out once per element and only when needed; `xsiTypeKeys` are the document's names of xsi:type. */
function acceptsTranslation(f: Frame, xsiTypeKeys: readonly string[]): boolean {
  if (f.cd !== undefined) return f.cd;
  const { local, parent, attrs } = f;
  let xsiType: string | undefined;
  for (let i = 0; i < xsiTypeKeys.length; i++) xsiType ??= attrs[xsiTypeKeys[i]];
  if (xsiType !== undefined) xsiType = xsiType.slice(xsiType.indexOf(':') + 1);
  return (f.cd =
    attrs.value === undefined &&
    (xsiType === undefined || CD_TYPES.has(xsiType)) &&
    !CS_ELEMENTS.has(local) &&
    !(local === 'name' && parent?.local === 'qualifier') &&
    !(local === 'code' && parent?.local === 'regionOfInterest') &&
    (local !== 'translation' || (!!parent && acceptsTranslation(parent, xsiTypeKeys))));
}

/** Escapes an attribute value for a double-quoted attribute; tab, CR and LF as references so that they survive normalisation. */
function escapeAttr(v: string): string {
  return /[&<>"\t\n\r]/.test(v)
    ? v.replace(/[&<>"\t\n\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : `&#${c.charCodeAt(0)};`))
    : v;
}

/**
 * Translates the coded elements of a CDA document into `language`.
 * @throws CdaInputError for what parseXml refuses (empty, too large, too deep, not XML, DOCTYPE) and a root that is not an HL7 ClinicalDocument
 */
export function translateCda(cda: string | Buffer, opts: TranslateCdaOptions): TranslatedCda {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof cda === 'string' ? cda.length : cda.byteLength;
  if (size === 0) throw new CdaInputError('empty', 'the document is empty');
  if (size > maxBytes) throw new CdaInputError('too-large', `the document is larger than ${maxBytes} bytes`);
  let text = typeof cda === 'string' ? cda : cda.toString('utf8');
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  const { catalogue, language } = opts;
  // As the Bundle conversion: the pivot document is in English, nothing to translate for an English reader.
  const translating = !/^en\b/i.test(language);
  const counts = { translated: 0, untranslated: 0, official: 0, reviewed: 0, proposed: 0 };

  // Output: the source in slices up to `copied`, with rewritten pieces between them, encoded
  // as they come into one buffer that grows by doubling (linear; and no array of pieces
  // kept alive: on a document where most elements are translated, that array made the
  // garbage collector the main cost).
  let buf = Buffer.allocUnsafe(size + (size >> 2) + 4096);
  let at = 0;
  const emit = (s: string): void => {
    // (3 bytes per UTF-16 unit at most: the exact length is computed only near the end of the buffer)
    if (at + s.length * 3 > buf.length) {
      const need = at + Buffer.byteLength(s, 'utf8');
      if (need > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
        buf.copy(bigger, 0, 0, at);
        buf = bigger;
      }
    }
    at += buf.write(s, at, 'utf8');
  };
  if (bom) emit('\ufeff');
  let copied = 0;
  const copyTo = (i: number): void => {
    if (i > copied) emit(text.slice(copied, i));
    copied = i;
  };

  // Namespaces (saxes in non-namespace mode, as xml-tree; the prefix of HL7 v3 is resolved here): the
  // prefixes the document declares are found by one scan, then only those keys are looked up,
  // and only until every declaration has been met (usually all on the root).
  const { declared, count } = scanNamespaceDeclarations(text);
  let pendingDeclarations = count;
  const prefixes = [...declared.keys()];
  const declKeys = prefixes.map((p) => 'xmlns:' + p);
  const xsiTypeKeys = [...declared].filter(([, uri]) => uri === XSI_NS).map(([p]) => p + ':type');
  // (no prototype: a prefix named "constructor" is not bound)
  const scopes: Array<Record<string, string>> = [Object.assign(Object.create(null) as Record<string, string>, { xml: 'http://www.w3.org/XML/1998/namespace' })];
  const defaultNs: Array<string | undefined> = [undefined];
  // A prefix no declaration of the document uses, for the rare document that binds none to HL7 v3 where it is needed.
  let fresh = 'hl7';
  for (let n = 1; declared.has(fresh); n++) fresh = `hl7_${n}`;

  /** Qualified name of a new HL7 v3 element (and the declaration it needs) where `scope` is in force. */
  const hl7Name = (local: string, scope: Record<string, string>): string => {
    if (defaultNs[defaultNs.length - 1] === HL7_NS) return local;
    for (const p of prefixes) if (scope[p] === HL7_NS) return `${p}:${local}`;
    // (a fresh prefix rather than xmlns="…": the nested old translations keep the default namespace they had)
    return `${fresh}:${local} xmlns:${fresh}="${HL7_NS}"`;
  };

  // The same code in the same code system is looked up once per document.
  const looked = new Map<string, Designation | null>();
  const frames: Frame[] = [];
  let failure: CdaInputError | undefined;
  const fail = (problem: CdaInputError['problem'], message: string): never => {
    failure ??= new CdaInputError(problem, message);
    throw failure;
  };

  // (the project's XML policy, util/safe-xml, refuses DOCTYPEs and limits depth and attributes while streaming)
  const opentag = (tag: SaxesTagPlain, parser: XmlCursor): void => {
    const raw = tag.attributes as Record<string, string>;
    let scope = scopes[scopes.length - 1];
    let scoped = false;
    if (pendingDeclarations > 0) {
      let declares = raw.xmlns !== undefined;
      for (let i = 0; i < declKeys.length && !declares; i++) declares = raw[declKeys[i]] !== undefined;
      if (declares) {
        scope = Object.create(scope) as Record<string, string>;
        if (raw.xmlns !== undefined) pendingDeclarations--;
        for (let i = 0; i < declKeys.length; i++) {
          if (raw[declKeys[i]] === undefined) continue;
          scope[prefixes[i]] = raw[declKeys[i]];
          pendingDeclarations--;
        }
        scopes.push(scope);
        defaultNs.push(raw.xmlns ?? defaultNs[defaultNs.length - 1]);
        scoped = true;
      }
    }
    const name = tag.name;
    const colon = name.indexOf(':');
    const local = colon < 0 ? name : name.slice(colon + 1);
    const parent = frames.length ? frames[frames.length - 1] : undefined;
    if (colon >= 0 && scope[name.slice(0, colon)] === undefined) fail('not-xml', `unbound namespace prefix "${name.slice(0, colon)}"`);
    if (!parent) {
      const ns = colon < 0 ? defaultNs[defaultNs.length - 1] : scope[name.slice(0, colon)];
      if (local !== 'ClinicalDocument' || ns !== HL7_NS) fail('not-cda', `not an HL7 CDA document (root element ${local} in namespace "${ns ?? ''}")`);
    }
    const frame: Frame = { local, attrs: raw, parent, cd: undefined, pending: undefined, closeWith: undefined, scoped };
    frames.push(frame);

    // The source's first translation child (HL7 v3's): the added translation opens just before it, and holds it.
    if (parent?.pending !== undefined && local === 'translation' && (colon < 0 ? defaultNs[defaultNs.length - 1] : scope[name.slice(0, colon)]) === HL7_NS) {
      copyTo(text.lastIndexOf('<', parser.position - 1));
      emit(parent.pending + '>');
      parent.pending = undefined;
    }
    // A qualifier's value may leave its code system implied by the qualified concept's (as the Bundle conversion reads it).
    const codeSystem = raw.codeSystem ?? (local === 'value' && parent?.local === 'qualifier' ? parent.parent?.attrs.codeSystem : undefined);
    const code = raw.code;
    if (code === undefined || codeSystem === undefined || !translating || !acceptsTranslation(frame, xsiTypeKeys)) return;

    const key = codeSystem + '|' + code;
    let designation = looked.get(key);
    if (designation === undefined) looked.set(key, (designation = catalogue.lookup(systemUri(codeSystem), code, language) ?? null));
    if (!designation) {
      counts.untranslated++;
      return;
    }
    counts.translated++;
    counts[designation.status]++;
    if (designation.text === raw.displayName) return;

    // The element's start tag again, its displayName now the designation (added last when it had none).
    let start = '<' + name;
    for (const k in raw) start += ` ${k}="${escapeAttr(k === 'displayName' ? designation.text : raw[k])}"`;
    if (raw.displayName === undefined) start += ` displayName="${escapeAttr(designation.text)}"`;
    // The added translation: what the source said (an implied code system written out: the translation stands on its own).
    const tName = hl7Name('translation', scope);
    let added = '<' + tName;
    for (const k of KEPT) {
      const v = k === 'codeSystem' ? codeSystem : raw[k];
      if (v !== undefined) added += ` ${k}="${escapeAttr(v)}"`;
    }
    copyTo(text.lastIndexOf('<', parser.position - 1));
    copied = parser.position;
    if (tag.isSelfClosing) emit(`${start}>${added}/></${name}>`);
    else {
      emit(start + '>');
      frame.pending = added;
      frame.closeWith = `</${tName.split(' ')[0]}>`;
    }
  };

  const closetag = (_tag: SaxesTagPlain, parser: XmlCursor): void => {
    const frame = frames.pop()!;
    if (frame.closeWith !== undefined) {
      // (the end tag's '<' is the last one before its '>': an end tag holds none)
      copyTo(text.lastIndexOf('<', parser.position - 1));
      // no old translation: the added one, empty, last among the children (after originalText and qualifiers)
      emit(frame.pending !== undefined ? frame.pending + '/>' : frame.closeWith);
    }
    if (frame.scoped) {
      scopes.pop();
      defaultNs.pop();
    }
  };

  try {
    readXml(text, { opentag, closetag }, { limits: { maxBytes } });
  } catch (err) {
    if (err instanceof XmlPolicyError) failure ??= cdaInputErrorOf(err, maxBytes);
    else failure ??= new CdaInputError('not-xml', `not well-formed XML: ${(err as Error).message}`);
  }
  if (failure) throw failure;
  copyTo(text.length);
  // (an exact-size copy, so that the spare room is not kept alive with the result)
  const xml = Buffer.allocUnsafe(at);
  buf.copy(xml, 0, 0, at);
  return { xml, counts };
}
