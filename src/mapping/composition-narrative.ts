import { countryName, languageName } from '../terminology/icu-names.js';
import { EXT } from './extensions.js';
import { langAttr } from './narrative-writer.js';
import {
  codeWord,
  concept,
  date,
  extension,
  fill,
  join,
  lines,
  newRender,
  referenced,
  sourceName,
  text,
  word,
  type HeaderKey,
  type Render,
  type ResolveReference,
  type SectionNarrativeOptions,
} from './section-narrative.js';

/**
 * The narrative of the Composition itself, in the reader's language: who the
 * summary is about, when and by whom it was written, where it comes from
 * (language, country), its confidentiality, and that it was translated
 * automatically, with what the marks of the section narratives mean. Same
 * words and helpers as the section narratives (section-narrative.ts).
 */

function headerWord(r: Render, key: HeaderKey, vars: Record<string, string> = {}): string {
  return fill(r.labels.header[key], vars);
}

/** The reader's language for ICU names ("fr" of "fr-FR"). */
function nameLanguage(opts: SectionNarrativeOptions): string {
  return opts.language.split('-')[0];
}

/** "Marija BOŽIČEVIĆ": the name as the source wrote it. */
function personName(names: fhir4.HumanName[] | undefined): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return '';
  return text(n.text ?? join([...(n.prefix ?? []), ...(n.given ?? []), n.family, ...(n.suffix ?? [])], ' '));
}

/** A country as ISO 3166 code (what the converter keeps) gets its name; anything else is shown as written. */
function country(code: string | undefined, opts: SectionNarrativeOptions): string {
  return code ? text(countryName(code, nameLanguage(opts)) ?? code) : '';
}

function organisation(r: Render, org: fhir4.Organization | undefined, opts: SectionNarrativeOptions): string {
  if (!org) return '';
  const where = country(org.address?.find((a) => a.country)?.country, opts);
  const name = sourceName(r, org.name);
  return name && where ? `${name} (${where})` : name || where;
}

/** "Ana Perić, Médecins généralistes": a person with the first (most specific) qualification the source gave. */
function practitioner(r: Render, p: fhir4.Practitioner | undefined): string {
  if (!p) return '';
  const qualification = concept(r, p.qualification?.[0]?.code);
  const name = personName(p.name);
  return join([name, qualification], ', ');
}

/** One author or the custodian, whatever kind of resource the reference leads to. */
function party(r: Render, ref: fhir4.Reference | undefined, opts: SectionNarrativeOptions): string {
  const found = ref?.reference ? r.resolve(ref.reference) : undefined;
  switch (found?.resourceType) {
    case 'Practitioner':
      return practitioner(r, found);
    case 'PractitionerRole':
      return join(
        [
          practitioner(r, referenced<fhir4.Practitioner>(r, found.practitioner, 'Practitioner')) || concept(r, found.code?.[0]),
          organisation(r, referenced<fhir4.Organization>(r, found.organization, 'Organization'), opts),
        ],
        ', ',
      );
    case 'Organization':
      return organisation(r, found, opts);
    case 'Patient':
    case 'RelatedPerson':
      return personName(found.name);
    case 'Device':
      return concept(r, found.type) || sourceName(r, found.deviceName?.[0]?.name);
    default:
      return sourceName(r, ref?.display);
  }
}

function patient(r: Render, p: fhir4.Patient | undefined): string {
  if (!p) return '';
  const name = personName(p.name);
  const identifiers = join((p.identifier ?? []).map((i) => i.value && text(i.value)), ', ');
  return join(
    [
      name && `<b>${name}</b>`,
      p.birthDate && headerWord(r, 'birthDate', { date: date(r, p.birthDate) }),
      p.gender && headerWord(r, 'gender', { gender: codeWord(r, 'Patient.gender', p.gender) }),
      identifiers && headerWord(r, 'identifier', { identifiers }),
    ],
    ', ',
  );
}

/** Language and country of the source (extension translated-from, else the options), by their names. */
function origin(composition: fhir4.Composition, opts: SectionNarrativeOptions): { languageCode?: string; language?: string; country?: string; translated: boolean } {
  const from = extension(composition, EXT.translatedFrom);
  const languageCode = extension(from, 'language')?.valueCode ?? opts.sourceLanguage;
  // the language alone: its region is the country's, said beside it
  const primary = languageCode?.split('-')[0];
  const language = primary ? text(languageName(primary, nameLanguage(opts)) ?? languageCode!) : undefined;
  return { languageCode, language, country: country(extension(from, 'country')?.valueCode, opts) || undefined, translated: !!from };
}

/**
 * The XHTML narrative (a FHIR Narrative div) of the Composition: its header
 * in the reader's language, for Composition.text (status generated).
 * @param resolve finds a resource of the Bundle by its reference (fullUrl)
 */
export function compositionNarrative(composition: fhir4.Composition, resolve: ResolveReference, opts: SectionNarrativeOptions): string {
  const source = origin(composition, opts);
  const r = newRender(resolve, { ...opts, sourceLanguage: opts.sourceLanguage ?? source.languageCode });
  const rows: Array<[HeaderKey, string]> = [
    ['patient', patient(r, referenced<fhir4.Patient>(r, composition.subject, 'Patient'))],
    ['documentDate', date(r, composition.date)],
    ['author', lines((composition.author ?? []).map((a) => party(r, a, opts)))],
    ['custodian', party(r, composition.custodian, opts)],
    [
      'source',
      source.language && source.country ? headerWord(r, 'sourceLanguageCountry', { language: source.language, country: source.country }) : (source.language ?? source.country ?? ''),
    ],
    ['confidentiality', codeWord(r, 'Composition.confidentiality', composition.confidentiality)],
  ];
  const body = rows
    .filter(([, value]) => value)
    .map(([key, value]) => `<tr><th>${text(r.labels.header[key])}</th><td>${value}</td></tr>`)
    .join('');
  // The notice and the meaning of the marks only when the document was translated.
  const notice = source.translated
    ? `<p class="translation-notice">${headerWord(r, 'translated')}</p>` +
      '<ul class="legend">' +
      [headerWord(r, 'officialLegend'), word(r, 'proposedLegend'), word(r, 'reviewedLegend'), headerWord(r, 'untranslatedLegend'), headerWord(r, 'sourceTextLegend')]
        .map((l) => `<li>${l}</li>`)
        .join('') +
      '</ul>'
    : '';
  return `<div xmlns="http://www.w3.org/1999/xhtml"${langAttr(opts.language)}><table class="document-header"><tbody>${body}</tbody></table>${notice}</div>`;
}
