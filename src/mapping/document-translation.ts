import type { ConversionReport } from './report.js';
import { withOriginalText } from './datatypes.js';
import { EXT } from './extensions.js';
import { languageName } from '../terminology/icu-names.js';
import { escapeXml, langAttr } from './narrative-writer.js';
import { sectionNarrative, type ResolveReference, type SectionNarrativeOptions } from './section-narrative.js';

/**
 * What makes the converted document a French document and says where it
 * comes from: the Composition in the reader's language with the source's
 * language and country recorded (extension translated-from, relatesTo
 * "transforms" naming the CDA), and a Provenance with the catalogues used and
 * how many terms each translated.
 */

/** The Composition's title for a reader of this language (the source's title is kept beside it). */
const TITLES: Record<string, string> = { fr: 'Synthèse médicale du patient', en: 'Patient Summary' };

export interface SourceDocumentFacts {
  /** ClinicalDocument/languageCode */
  language?: string;
  /** The country that sent the document (ISO 3166-1 alpha-2, upper case). */
  country?: string;
  /** ClinicalDocument/id */
  identifier?: fhir4.Identifier;
  /** The source's own relations to other documents (relatedDocument), moved to the Provenance when translating. */
  relatedDocuments?: fhir4.CompositionRelatesTo[];
}

/**
 * Makes the Composition the reader's-language document it now is: its own
 * identifier (a new document), the source's language, country and identity
 * recorded (translated-from; relatesTo transforms the CDA). The source's own
 * relations (relatedDocument) describe the CDA, not this document: they go to
 * the Provenance (source.relatedDocuments).
 */
export function markTranslated(composition: fhir4.Composition, readerLanguage: string, source: SourceDocumentFacts, identifier: fhir4.Identifier): void {
  composition.identifier = identifier;
  if (composition.relatesTo?.length) {
    source.relatedDocuments = composition.relatesTo;
    delete composition.relatesTo;
  }
  const primary = readerLanguage.split('-')[0].toLowerCase();
  const title = TITLES[primary];
  if (title && composition.title !== title) {
    const sourceTitle = composition.title;
    composition.title = title;
    if (sourceTitle) (composition as fhir4.Composition & { _title?: fhir4.Element })._title = withOriginalText(sourceTitle);
  }
  composition.language = readerLanguage;
  if (source.language) {
    const parts: fhir4.Extension[] = [{ url: 'language', valueCode: source.language }];
    if (source.country) parts.push({ url: 'country', valueCode: source.country });
    (composition.extension ??= []).push({ url: EXT.translatedFrom, extension: parts });
  }
  if (source.identifier) (composition.relatesTo ??= []).push({ code: 'transforms', targetIdentifier: source.identifier });
}

const COUNT_LABELS: Array<[keyof Pick<ConversionReport['codes'], 'official' | 'reviewed' | 'proposed' | 'untranslated'>, string]> = [
  ['official', 'traduit(s) par un catalogue officiel'],
  ['reviewed', 'traduit(s) par le catalogue du projet (vérifiés)'],
  ['proposed', 'traduit(s) par le catalogue du projet (traduction non validée)'],
  ['untranslated', 'non traduit(s) (texte d’origine affiché)'],
];

/**
 * The Provenance of the translated document: the conversion of the source
 * CDA into this Composition, the catalogues that gave its French terms, and
 * the counts of terms by standing (extension translation-counts).
 */
export function translationProvenance(id: string, compositionUrl: string, recorded: string, report: ConversionReport, source: SourceDocumentFacts): fhir4.Provenance {
  const c = report.codes;
  const counts: fhir4.Extension = {
    url: EXT.translationCounts,
    extension: COUNT_LABELS.map(([k]) => ({ url: k, valueInteger: c[k] })),
  };
  const where = [source.country, source.language].filter(Boolean).join(', ');
  const entity: fhir4.ProvenanceEntity[] = [
    { role: 'source', what: { ...(source.identifier ? { identifier: source.identifier } : {}), display: `Document CDA eHDSI d’origine${where ? ` (${where})` : ''}` } },
  ];
  for (const r of source.relatedDocuments ?? []) {
    const target = r.targetIdentifier ? { identifier: r.targetIdentifier } : r.targetReference ? { reference: r.targetReference.reference } : {};
    entity.push({ role: 'source', what: { ...target, display: `Document auquel le CDA d’origine se rapporte (${r.code})` } });
  }
  for (const [label, n] of Object.entries(c.bySource)) entity.push({ role: 'source', what: { display: `Catalogue de traduction : ${label} (${n} termes)` } });
  const rows = COUNT_LABELS.map(([k, text]) => `<li>${c[k]} ${escapeXml(text)}</li>`).join('');
  const sources = Object.entries(c.bySource)
    .map(([label, n]) => `<li>${escapeXml(label)} : ${n}</li>`)
    .join('');
  return {
    resourceType: 'Provenance',
    id,
    extension: [counts],
    text: {
      status: 'generated',
      div:
        `<div xmlns="http://www.w3.org/1999/xhtml" lang="fr-FR" xml:lang="fr-FR"><p>Document converti depuis le CDA eHDSI d’origine et traduit (${escapeXml(report.language)}) : ${c.translated + c.untranslated} termes codés.</p>` +
        `<ul>${rows}</ul>${sources ? `<p>Catalogues utilisés :</p><ul>${sources}</ul>` : ''}</div>`,
    },
    target: [{ reference: compositionUrl }],
    recorded,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }], text: 'Conversion CDA eHDSI → FHIR IPS et traduction' },
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler', display: 'Assembler' }] },
        who: { display: 'ehdsi-fhir-facade (conversion et traduction automatiques)' },
      },
    ],
    entity,
  };
}

/**
 * The narrative a reader of this language sees, section by section: the one
 * generated from the structured entries (translated terms, their original
 * wording beside them), followed by the source's own narrative as it came,
 * since it may say more than the entries (a comment, an allergy written only
 * in the text); a section with no entry says so and shows its original text.
 * The original is the div of class "original" (its lang is the source's):
 * a viewer can show or hide it, a program can take it out.
 */
export function presentSections(sections: fhir4.CompositionSection[] | undefined, resolve: ResolveReference, opts: SectionNarrativeOptions): void {
  for (const section of sections ?? []) {
    presentSections(section.section, resolve, opts);
    const original = section.text;
    // Required sections the document lacked already have a narrative in the reader's language.
    if (!original || original.status === 'generated') continue;
    const generated = sectionNarrative(section, resolve, opts);
    section.text = generated
      ? { status: 'additional', div: withOriginal(generated, original.div, opts) }
      : { status: 'additional', div: narrativeOnly(section, original.div, opts) };
  }
}

/** Sections whose free text may hold a decision the reader must not miss (advance directives). */
const ALERT_SECTIONS: Record<string, string> = {
  '42348-3': 'Directives anticipées présentes dans le document d’origine, en texte libre non traduit : à faire traduire avant toute décision (réanimation, limitation ou arrêt des traitements).',
};

/** The source's narrative as a part of another div, in its language. */
function embedded(originalDiv: string): string {
  return originalDiv.replace(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml"/, '<div class="original"');
}

/** " (croate)": the source's language as the reader names it, else its tag. */
function sourceLabel(opts: SectionNarrativeOptions): string {
  if (!opts.sourceLanguage) return '';
  const name = languageName(opts.sourceLanguage.split('-')[0], opts.language);
  return ` (${escapeXml(name ? name.toLowerCase() : opts.sourceLanguage)})`;
}

/** The generated narrative followed by the original one. */
function withOriginal(generated: string, originalDiv: string, opts: SectionNarrativeOptions): string {
  const original =
    `<div class="original-narrative"><p><b>Texte original du document${sourceLabel(opts)}, non traduit</b> — il peut contenir des précisions absentes des données ci-dessus :</p>` +
    `${embedded(originalDiv)}</div>`;
  return generated.slice(0, generated.lastIndexOf('</div>')) + original + '</div>';
}

/** A section without structured entries: why, in the reader's language, then the source's text as it came. */
function narrativeOnly(section: fhir4.CompositionSection, originalDiv: string, opts: SectionNarrativeOptions): string {
  const code = section.code?.coding?.find((c) => c.system === 'http://loinc.org')?.code;
  const alert = code ? ALERT_SECTIONS[code] : undefined;
  const why = section.emptyReason
    ? `Aucune donnée structurée : ${escapeXml(section.emptyReason.text ?? section.emptyReason.coding?.[0]?.display ?? '')}.`
    : 'Cette section ne contient que du texte libre dans le document d’origine, qui n’a pas pu être traduit : faites-le traduire si nécessaire, il peut contenir des informations importantes.';
  return (
    `<div xmlns="http://www.w3.org/1999/xhtml"${langAttr(opts.language)}>` +
    (alert ? `<p class="alert"><b>⚠ ${escapeXml(alert)}</b></p>` : '') +
    `<p>${why} Texte original${sourceLabel(opts)}, non traduit :</p>${embedded(originalDiv)}</div>`
  );
}
