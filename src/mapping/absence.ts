import { compilePath, type CompiledPath } from './cda-path.js';
import type { ConversionContext } from './context.js';
import * as dt from './datatypes.js';
import type { AbsenceRule, AbsenceStatement, AbsentUnknownTable } from './map-types.js';
import { firstChild, type XmlElement } from './xml-tree.js';

/**
 * "No known X" and "no information about X" in a CDA statement, read with
 * the table of mappings/absence/absent-unknown.yaml. A statement is one of:
 * - present: it names what it is about; the entry map makes its resource;
 * - known-absence: it says "no known X" (a code, or negationInd on a statement
 *   naming nothing specific); it becomes the IPS 2.0 "no known" resource;
 * - no-information: it says nothing is known (a code, a nullFlavor on the
 *   statement or on what it is about, or nothing named at all); no resource,
 *   the section says it with its emptyReason when it has no other entry;
 * - unspecific-negation: negated, naming nothing specific, with no "no known"
 *   concept of its breadth; no resource (never a broader claim than the source's).
 */
export type AbsenceVerdict =
  | { kind: 'present' }
  | { kind: 'known-absence'; statement: AbsenceStatement; concept: string; source?: XmlElement; sourceSaysIt: boolean; reason: string }
  | { kind: 'no-information'; emptyReason: string; source?: XmlElement; reason: string }
  | { kind: 'unspecific-negation'; reason: string };

export const SNOMED_OID = '2.16.840.1.113883.6.96';

/** The element's code and those of its translations. */
function codesOf(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  if (el.attrs.code) out.push(el);
  for (const c of el.children) if (typeof c !== 'string' && c.name === 'translation') out.push(...codesOf(c));
  return out;
}

/** True if the element names something: a code (or translation), an originalText or its own text. */
function names(el: XmlElement, ctx: ConversionContext): boolean {
  if (codesOf(el).length) return true;
  // A null flavor names nothing, even with an originalText ("not applicable", "no information"…);
  // only OTH ("other": not codable, its originalText says what) keeps the text as the subject.
  const nf = el.attrs.nullFlavor;
  if (nf && nf !== 'OTH') return false;
  const original = firstChild(el, 'originalText');
  if (original && dt.referencedText(original, ctx)) return true;
  // playingEntity/name, manufacturedMaterial/name: a plain text element
  if (!el.attrs.nullFlavor && el.name === 'name' && el.children.some((c) => typeof c === 'string' && c.trim() !== '')) return true;
  return false;
}

const compiledPaths = new WeakMap<string[], CompiledPath[]>();

/** The elements every path reaches from the item (the paths compiled once per list). */
function elementsOf(paths: string[] | undefined, item: XmlElement): XmlElement[] {
  if (!paths) return [];
  let compiled = compiledPaths.get(paths);
  if (!compiled) compiledPaths.set(paths, (compiled = paths.map((p) => compilePath(p))));
  const out: XmlElement[] = [];
  for (const p of compiled) for (const el of p.elements(item)) out.push(el);
  return out;
}

export class AbsenceReader {
  private readonly byCode = new Map<string, AbsentUnknownTable['codes'][number]>();

  constructor(readonly table: AbsentUnknownTable) {
    for (const c of table.codes) this.byCode.set(`${c.system}|${c.code}`, c);
  }

  classify(item: XmlElement, statement: XmlElement, rule: AbsenceRule, ctx: ConversionContext): AbsenceVerdict {
    const st = this.table.statements[rule.statement];
    const subject = elementsOf(rule.subject, item);
    const kind = elementsOf(rule.kind, item);

    // 1. A code that says it (IPS 1.x absent/unknown, SNOMED CT "no known" situations).
    for (const el of subject.concat(kind)) {
      for (const c of codesOf(el)) {
        const entry = this.byCode.get(`${c.attrs.codeSystem}|${c.attrs.code}`);
        if (!entry || (entry.of !== 'any' && entry.of !== rule.statement && entry.of !== st.like)) continue;
        if (entry.means === 'no-information') return { kind: 'no-information', emptyReason: 'unavailable', source: c, reason: `the source says "${c.attrs.displayName ?? c.attrs.code}" (${c.attrs.code})` };
        return { kind: 'known-absence', statement: st, concept: entry.replacedBy ?? c.attrs.code!, source: c, sourceSaysIt: true, reason: `the source says "${c.attrs.displayName ?? c.attrs.code}" (${c.attrs.code})` };
      }
    }

    const specific = subject.some((el) => names(el, ctx) && !this.isGeneric(el, st));
    // 2. A negated statement: about something named, it is refuted (the entry map says how);
    //    about nothing specific, it is a known absence of the breadth its kind says.
    if (item.attrs.negationInd === 'true' || statement.attrs.negationInd === 'true') {
      if (specific) return { kind: 'present' };
      for (const el of subject.concat(kind)) {
        for (const c of codesOf(el)) {
          const concept = c.attrs.codeSystem === SNOMED_OID ? st.generic?.[c.attrs.code!] : undefined;
          if (concept) return { kind: 'known-absence', statement: st, concept, source: c, sourceSaysIt: false, reason: `negated "${c.attrs.displayName ?? c.attrs.code}" naming no specific ${rule.statement}` };
        }
      }
      if (!subject.some((el) => names(el, ctx)) && !kind.some((el) => names(el, ctx))) {
        return { kind: 'known-absence', statement: st, concept: st.knownAbsence, sourceSaysIt: false, reason: `negated ${rule.statement} statement naming nothing` };
      }
      return { kind: 'unspecific-negation', reason: `negated ${rule.statement} statement naming nothing specific, and no IPS "no known" concept of its breadth` };
    }

    // 3. A nullFlavor on the statement itself: nothing is known.
    const flavor = item.attrs.nullFlavor ?? statement.attrs.nullFlavor;
    if (flavor) return { kind: 'no-information', emptyReason: this.emptyReason(flavor), reason: `the ${statement.name} has nullFlavor ${flavor}` };

    // 4. Nothing names what it is about: never a resource about an unknown subject.
    if (!subject.some((el) => names(el, ctx))) {
      const nf = subject.map((el) => el.attrs.nullFlavor).find(Boolean);
      return { kind: 'no-information', emptyReason: this.emptyReason(nf ?? 'NI'), reason: nf ? `what the ${rule.statement} is about has nullFlavor ${nf}` : `no code or name says what the ${rule.statement} is about` };
    }
    return { kind: 'present' };
  }

  emptyReason(flavor: string): string {
    return this.table.emptyReasons[flavor] ?? 'unavailable';
  }

  private isGeneric(el: XmlElement, st: AbsenceStatement): boolean {
    const codes = codesOf(el);
    if (!codes.length) return false;
    return codes.every((c) => c.attrs.codeSystem === SNOMED_OID && st.generic?.[c.attrs.code!] !== undefined);
  }

  /** The IPS 2.0 concept of a known absence, the source's own coding kept after it. */
  concept(verdict: Extract<AbsenceVerdict, { kind: 'known-absence' }>, ctx: ConversionContext): fhir4.CodeableConcept {
    const coding: fhir4.Coding = { system: 'http://snomed.info/sct', code: verdict.concept, display: this.table.concepts[verdict.concept] };
    const cc: fhir4.CodeableConcept = { coding: [coding] };
    // The source's code stays as a second coding when it says the same ("no known allergies");
    // a negated "Problem" says the opposite of its code: it is reported, not kept as a coding.
    // (with its translations: the same concept in other code systems)
    let src = verdict.sourceSaysIt ? verdict.source : undefined;
    while (src?.name === 'translation' && src.parent) src = src.parent;
    for (const c of src ? codesOf(src) : []) {
      c.consumed = true;
      if (c.attrs.codeSystem === SNOMED_OID && c.attrs.code === verdict.concept) continue;
      cc.coding!.push(dt.elementCoding(c));
    }
    if (verdict.source) verdict.source.consumed = true;
    ctx.translate(cc, undefined);
    return cc;
  }
}
