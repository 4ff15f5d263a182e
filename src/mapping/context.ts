import type { Designation, TerminologyCatalogue } from '../terminology/catalogue.js';
import { designationSourceExtension } from '../terminology/designation-source.js';
import { EXT } from './datatypes.js';
import type { ConversionReport } from './report.js';
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

  /**
   * Puts the target-language designation first (CodeableConcept.text), keeps
   * every original coding with its display and the original text (extension
   * originalText); flags and counts what has no designation.
   */
  translate(cc: fhir4.CodeableConcept, originalText: string | undefined): void {
    const codings = cc.coding ?? [];
    const sourceText = originalText ?? codings.find((c) => c.display)?.display;
    if (!this.translating || !codings.length) {
      if (sourceText) cc.text = sourceText;
      return;
    }
    let chosen: Designation | undefined;
    for (const c of codings) {
      if (!c.system || !c.code) continue;
      chosen = this.catalogue.lookup(c.system, c.code, this.language);
      if (chosen) break;
    }
    if (chosen) {
      const codes = this.report.codes;
      codes.translated++;
      codes[chosen.status]++;
      const key = designationSourceLabel(chosen);
      codes.bySource[key] = (codes.bySource[key] ?? 0) + 1;
      cc.text = chosen.text;
      const ext = (cc.extension ??= []);
      if (sourceText && sourceText !== chosen.text) ext.push({ url: EXT.originalText, valueString: sourceText });
      ext.push(this.sourceExtension(chosen));
      return;
    }
    this.report.codes.untranslated++;
    const first = codings[0];
    this.report.untranslated.push({ system: first.system, code: first.code ?? '', display: first.display, locator: this.locator });
    if (sourceText) cc.text = sourceText;
    (cc.extension ??= []).push({ url: EXT.untranslated, valueCode: this.language });
  }
}

/** "Catalogue du projet", "SNOMED CT édition française 20250331": a catalogue as people name it. */
export function designationSourceLabel(d: Designation): string {
  return d.source.version ? `${d.source.name} ${d.source.version}` : d.source.name;
}

/** What a reader is told of a designation's standing. */
export const DESIGNATION_STATUS_TEXT: Record<Designation['status'], string> = {
  official: 'catalogue officiel',
  reviewed: 'traduction du projet, vérifiée',
  proposed: 'traduction du projet, non validée',
};
