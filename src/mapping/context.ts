import type { TerminologyCatalogue } from '../terminology/catalogue.js';
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
    let chosen: string | undefined;
    for (const c of codings) {
      if (!c.system || !c.code) continue;
      chosen = this.catalogue.designation(c.system, c.code, this.language);
      if (chosen) break;
    }
    if (chosen) {
      this.report.codes.translated++;
      cc.text = chosen;
      if (sourceText && sourceText !== chosen) (cc.extension ??= []).push({ url: EXT.originalText, valueString: sourceText });
      return;
    }
    this.report.codes.untranslated++;
    const first = codings[0];
    this.report.untranslated.push({ system: first.system, code: first.code ?? '', display: first.display, locator: this.locator });
    if (sourceText) cc.text = sourceText;
    (cc.extension ??= []).push({ url: EXT.untranslated, valueCode: this.language });
  }
}
