import type { TerminologyCatalogue } from '../terminology/catalogue.js';
import type { Designation } from '../terminology/designation.js';
import { designationSourceExtension, untranslatedExtension } from '../terminology/designation-source.js';
import { EXT } from './extensions.js';
import type { ConversionReport, FlaggedCoding } from './report.js';
import { codedWithin, type XmlElement } from './xml-tree.js';

/** State of one conversion: narrative lookups, translation, counters. */
export class ConversionContext {
  /** Where in the CDA the rule being run reads (for flags in the report). */
  locator = '';
  /** The language of the source's narrative (ClinicalDocument/languageCode). */
  sourceLanguage: string | undefined;
  /** False for an English reader: the pivot CDA is already in English. */
  readonly translating: boolean;

  constructor(
    private readonly document: XmlElement,
    readonly language: string,
    private readonly catalogue: TerminologyCatalogue,
    readonly report: ConversionReport,
    private readonly nullFlavors: Record<string, string>,
  ) {
    // The pivot CDA is in English: nothing to translate for an English reader.
    this.translating = !/^en\b/i.test(language);
  }

  /** Text of the narrative element with this ID ("#id" or "id"), from the index built while parsing. */
  narrativeText(ref: string): string | undefined {
    const t = this.document.narrativeIds?.get(ref.startsWith('#') ? ref.slice(1) : ref)?.toString();
    return t || undefined;
  }

  /** The coded elements of an element's subtree (from the index built while parsing). */
  codedWithin(el: XmlElement): XmlElement[] {
    return codedWithin(this.document, el);
  }

  /** One provenance extension per catalogue and status, shared by the concepts it translated (never mutated). */
  private readonly sourceExtensions = new Map<string, fhir4.Extension>();

  private sourceExtension(d: Designation): fhir4.Extension {
    const key = `${d.source.id}|${d.source.version ?? ''}|${d.status}`;
    let ext = this.sourceExtensions.get(key);
    if (!ext) {
      ext = designationSourceExtension(d, this.language);
      this.sourceExtensions.set(key, ext);
    }
    return ext;
  }

  nullFlavor(nf: string): string {
    return this.nullFlavors[nf] ?? 'unknown';
  }

  /** Every concept translate() saw, with what it got: counted at the end over what the Bundle still holds. */
  private readonly translations = new Map<fhir4.CodeableConcept, { designation?: Designation; flagged?: FlaggedCoding }>();

  /**
   * Puts the target-language designation first (CodeableConcept.text), keeps
   * every original coding with its display and the source's original text
   * (extension originalText, only when the source gave one: a coding's
   * display is no original text); flags what has no designation. Among
   * several codings, the best standing wins (official, then reviewed, then
   * proposed), the first coding among equals. Once per concept.
   */
  translate(cc: fhir4.CodeableConcept, originalText: string | undefined): void {
    const codings = cc.coding ?? [];
    const sourceText = originalText ?? codings.find((c) => c.display)?.display ?? cc.text;
    if (!this.translating) {
      if (sourceText) cc.text = sourceText;
      return;
    }
    // (a concept named only by the source's words, with no code, is one without designation too)
    if (this.translations.has(cc) || (!codings.length && !sourceText)) return;
    const chosen = this.bestDesignation(codings);
    const ext = (cc.extension ??= []);
    if (codings.length && originalText && originalText !== chosen?.text) ext.push({ url: EXT.originalText, valueString: originalText });
    if (chosen) {
      cc.text = chosen.text;
      ext.push(this.sourceExtension(chosen));
      this.translations.set(cc, { designation: chosen });
      return;
    }
    if (sourceText) cc.text = sourceText;
    ext.push(untranslatedExtension(this.language));
    const first = codings[0];
    this.translations.set(cc, { flagged: { system: first?.system, code: first?.code ?? '', display: first ? first.display : cc.text, locator: this.locator } });
  }

  /** The designation of best standing among the codings (official, reviewed, proposed), the first coding among equals. */
  private bestDesignation(codings: fhir4.Coding[]): Designation | undefined {
    let chosen: Designation | undefined;
    for (const c of codings) {
      if (!c.system || !c.code) continue;
      const d = this.catalogue.lookup(c.system, c.code, this.language);
      if (d && (!chosen || STANDING[d.status] < STANDING[chosen.status])) chosen = d;
      if (chosen?.status === 'official') break;
    }
    return chosen;
  }

  /**
   * The report's counts of translated and untranslated terms, over the
   * concepts the finished Bundle still holds (a rule may have dropped one, a
   * resource may have been discarded).
   */
  countTranslations(resources: readonly object[]): void {
    const held = new Set<object>();
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      // (extensions that never hold a concept: most of the objects of a Bundle)
      if (LEAF_EXTENSIONS.has((v as { url?: string }).url as string)) return;
      if (this.translations.has(v as fhir4.CodeableConcept)) held.add(v);
      if (Array.isArray(v)) for (const x of v) walk(x);
      else for (const k in v) walk((v as Record<string, unknown>)[k]);
    };
    for (const r of resources) walk(r);
    const codes = this.report.codes;
    for (const [cc, t] of this.translations) {
      if (!held.has(cc)) continue;
      if (t.designation) {
        codes.translated++;
        codes[t.designation.status]++;
        const label = designationSourceLabel(t.designation);
        codes.bySource[label] = (codes.bySource[label] ?? 0) + 1;
      } else if (t.flagged) {
        codes.untranslated++;
        this.report.untranslated.push(t.flagged);
      }
    }
  }
}

/** Extensions whose content is never a translated concept. */
const LEAF_EXTENSIONS = new Set<string>([EXT.designationSource, EXT.untranslated, EXT.originalText, EXT.cdaSource, EXT.dataAbsentReason, EXT.unmappedCoding]);

/** Order of preference of designations. */
const STANDING: Record<Designation['status'], number> = { official: 0, reviewed: 1, proposed: 2 };

/** "Catalogue du projet", "SNOMED CT édition française 20250331": a catalogue as people name it. */
export function designationSourceLabel(d: Designation): string {
  return d.source.version ? `${d.source.name} ${d.source.version}` : d.source.name;
}
