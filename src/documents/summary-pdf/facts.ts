/**
 * What the PDF says about the patient and the document, read from the
 * translated IPS Bundle (Composition, Patient, authors, custodian,
 * Provenance), in French: dates as dd/mm/yyyy, sex, country and language
 * names (CLDR, through Intl.DisplayNames).
 */

const EXT_TRANSLATED_FROM = '/StructureDefinition/translated-from';
const EXT_TRANSLATION_COUNTS = '/StructureDefinition/translation-counts';
const EXT_ORIGINAL_TEXT = 'http://hl7.org/fhir/StructureDefinition/originalText';

export const DEFAULT_TITLE = 'Synthèse médicale du patient';

export interface SummaryFacts {
  /** Printed title, e.g. "Synthèse médicale du patient (traduction française)". */
  title: string;
  patientName: string;
  patientRows: Array<[string, string]>;
  documentRows: Array<[string, string]>;
  /** Footer, first line: the source document. */
  sourceLine: string;
  /** Running header of the pages after the first: who the patient is. */
  patientLine: string;
  /** Footer, second line: who translated, when, how much. */
  translationLine: string;
  /** Metadata */
  authors: string;
  subject: string;
  composition: fhir4.Composition;
}

export interface Producer {
  name: string;
  version: string;
}

export type Resolver = (ref: fhir4.Reference | undefined) => fhir4.FhirResource | undefined;

/** Finds a Bundle entry by the reference a Composition makes: its fullUrl (urn:uuid: or absolute), or Type/id. */
export function resolver(bundle: fhir4.Bundle): Resolver {
  const byUrl = new Map<string, fhir4.FhirResource>();
  for (const e of bundle.entry ?? []) {
    const r = e.resource as fhir4.FhirResource | undefined;
    if (!r) continue;
    if (e.fullUrl) byUrl.set(e.fullUrl, r);
    if (r.id) byUrl.set(`${r.resourceType}/${r.id}`, r);
  }
  return (ref) => {
    const key = ref?.reference;
    if (!key) return undefined;
    return byUrl.get(key) ?? byUrl.get(key.replace(/^.*\/([A-Za-z]+\/[^/]+)$/, '$1'));
  };
}

/** Text on one line: runs of white space as one space, trimmed. */
export const clean = (s: string | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

let regions: Intl.DisplayNames | undefined;
let languages: Intl.DisplayNames | undefined;

/** "Croatie" for HR; the code itself when CLDR does not know it. */
export function countryName(code: string | undefined): string | undefined {
  if (!code) return undefined;
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  try {
    regions ??= new Intl.DisplayNames(['fr'], { type: 'region', fallback: 'none' });
    return regions.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** "Croate (Croatie)" for hr-HR. */
export function languageName(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  try {
    languages ??= new Intl.DisplayNames(['fr'], { type: 'language', fallback: 'none', languageDisplay: 'standard' });
    const name = languages.of(tag);
    return name ? name.charAt(0).toLocaleUpperCase('fr') + name.slice(1) : tag;
  } catch {
    return tag;
  }
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** FHIR date or dateTime in French, as written (its own zone kept): "04/11/2025 à 10:15 (UTC+01:00)". */
export function frenchDate(value: string | undefined, withTime = true): string | undefined {
  if (!value) return undefined;
  const m = DATE.exec(value.trim());
  if (!m) return value;
  const [, y, mo, d, h, mi, zone] = m;
  const date = d ? `${d}/${mo}/${y}` : mo ? `${mo}/${y}` : y;
  if (!withTime || !h) return date;
  const z = zone === 'Z' ? ' (UTC)' : zone ? ` (UTC${zone})` : '';
  return `${date} à ${h}:${mi}${z}`;
}

/** A moment as read in France: "30/11/2026 à 07:45 (heure de Paris)". */
export function parisTime(at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day}/${parts.month}/${parts.year} à ${parts.hour}:${parts.minute} (heure de Paris)`;
}

const SEX: Record<string, string> = { male: 'masculin', female: 'féminin', other: 'autre', unknown: 'inconnu' };
const CONFIDENTIALITY: Record<string, string> = { U: 'non restreinte', L: 'faible', M: 'modérée', N: 'normale', R: 'restreinte', V: 'très restreinte' };

export function humanName(n: fhir4.HumanName): string {
  if (n.text) return clean(n.text);
  return clean([...(n.prefix ?? []), ...(n.given ?? []), n.family, ...(n.suffix ?? [])].filter(Boolean).join(' '));
}

function names(list: fhir4.HumanName[] | undefined): string {
  const all = [...new Set((list ?? []).map(humanName).filter(Boolean))];
  return all.join(' / ');
}

/** A concept's text, else its first display. */
export function conceptText(c: fhir4.CodeableConcept | undefined): string | undefined {
  if (!c) return undefined;
  return clean(c.text) || clean(c.coding?.find((x) => x.display)?.display) || undefined;
}

/** "masculin", "féminin"… for an administrative gender. */
export function sexName(gender: string | undefined): string | undefined {
  return gender ? SEX[gender] : undefined;
}

/**
 * Where the patient lives, on one line, when the country said more than the
 * country itself (a residence address of "Croatie" alone tells nothing).
 */
export function residenceAddress(p: fhir4.Patient | undefined): string | undefined {
  const home = p?.address?.find((a) => a.use === 'home') ?? p?.address?.find((a) => a.use !== 'old' && a.type !== 'postal') ?? p?.address?.[0];
  return home && (home.text || home.line?.length || home.city || home.postalCode) ? addressText(home) : undefined;
}

/** An address on one line, in French (country by its French name). */
export function addressText(a: fhir4.Address | undefined): string | undefined {
  if (!a) return undefined;
  if (a.text) return clean(a.text);
  const city = clean([a.postalCode, a.city].filter(Boolean).join(' '));
  const parts = [...(a.line ?? []).map(clean), city, clean(a.district), clean(a.state), countryName(a.country)].filter((p): p is string => !!p);
  return parts.length ? parts.join(', ') : undefined;
}

function actorName(r: fhir4.FhirResource | undefined, resolve: Resolver): string | undefined {
  if (!r) return undefined;
  switch (r.resourceType) {
    case 'Practitioner': {
      const role = conceptText(r.qualification?.[0]?.code);
      const name = names(r.name);
      return name ? (role ? `${name} (${role})` : name) : role;
    }
    case 'PractitionerRole': {
      const who = actorName(resolve(r.practitioner), resolve) ?? clean(r.practitioner?.display);
      const role = conceptText(r.code?.[0]);
      const org = actorName(resolve(r.organization), resolve) ?? clean(r.organization?.display);
      return [who, role, org].filter(Boolean).join(', ') || undefined;
    }
    case 'Organization':
      return clean(r.name) || undefined;
    case 'Device':
      return clean(r.deviceName?.[0]?.name) || conceptText(r.type);
    case 'Patient':
    case 'RelatedPerson':
      return names(r.name) || undefined;
    default:
      return undefined;
  }
}

function translatedFrom(c: fhir4.Composition): { language?: string; country?: string } {
  const ext = c.extension?.find((e) => e.url.endsWith(EXT_TRANSLATED_FROM));
  const part = (url: string): string | undefined => ext?.extension?.find((e) => e.url === url)?.valueCode;
  return { language: part('language'), country: part('country') };
}

function translationCounts(bundle: fhir4.Bundle, composition: fhir4.Composition, compositionUrl: string | undefined): { translated: number; untranslated: number } | undefined {
  for (const e of bundle.entry ?? []) {
    const r = e.resource as fhir4.FhirResource | undefined;
    if (r?.resourceType !== 'Provenance') continue;
    const targets = (r.target ?? []).map((t) => t.reference);
    if (targets.length && !targets.some((t) => t === compositionUrl || t === `Composition/${composition.id}`)) continue;
    const ext = r.extension?.find((x) => x.url.endsWith(EXT_TRANSLATION_COUNTS));
    if (!ext) continue;
    const n = (url: string): number => ext.extension?.find((x) => x.url === url)?.valueInteger ?? 0;
    return { translated: n('official') + n('reviewed') + n('proposed'), untranslated: n('untranslated') };
  }
  return undefined;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n > 1 ? many : one}`;

/** Reads the facts of the PDF from the Bundle. @throws TypeError when it is no document Bundle with a Composition */
export function summaryFacts(bundle: fhir4.Bundle, generatedAt: Date, producer: Producer): SummaryFacts {
  if (bundle?.resourceType !== 'Bundle') throw new TypeError('renderSummaryPdf: not a FHIR Bundle');
  const entry = bundle.entry?.find((e) => e.resource?.resourceType === 'Composition');
  const composition = entry?.resource as fhir4.Composition | undefined;
  if (!composition) throw new TypeError('renderSummaryPdf: the Bundle has no Composition');
  const resolve = resolver(bundle);
  const patientRes = resolve(composition.subject) ?? (bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as fhir4.FhirResource | undefined);
  const patient = patientRes?.resourceType === 'Patient' ? patientRes : undefined;

  const patientName = names(patient?.name) || 'Patient non nommé';
  const birth = frenchDate(patient?.birthDate, false);
  const ids = (patient?.identifier ?? [])
    .filter((i) => i.value)
    .map((i) => (i.type?.text ? `${clean(i.type.text)} : ${clean(i.value)}` : clean(i.value)));
  const home = patient?.address?.find((a) => a.use === 'home') ?? patient?.address?.[0];
  const patientRows: Array<[string, string]> = [
    ['Nom', patientName],
    ['Identifiant(s)', ids.length ? [...new Set(ids)].join(', ') : 'non renseigné'],
    ['Date de naissance', birth ?? 'non renseignée'],
    ['Sexe', sexName(patient?.gender) ?? 'non renseigné'],
    ['Adresse', addressText(home) ?? 'non renseignée'],
  ];

  const source = translatedFrom(composition);
  const custodian = resolve(composition.custodian);
  const custodianCountry = custodian?.resourceType === 'Organization' ? custodian.address?.find((a) => a.country)?.country : undefined;
  const country = countryName(source.country ?? custodianCountry);
  const sourceIdentifier = composition.relatesTo?.find((r) => r.code === 'transforms' && r.targetIdentifier?.value)?.targetIdentifier?.value;
  const authors = (composition.author ?? []).map((a) => actorName(resolve(a), resolve) ?? clean(a.display)).filter((a): a is string => !!a);
  const originalTitle = (composition as fhir4.Composition & { _title?: fhir4.Element })._title?.extension?.find((e) => e.url === EXT_ORIGINAL_TEXT)?.valueString;
  const created = frenchDate(composition.date);
  const documentRows: Array<[string, string]> = [
    ['Pays d’origine', country ?? 'non renseigné'],
    ['Nature du document', conceptText(composition.type) ?? clean(composition.title) ?? DEFAULT_TITLE],
    ['Langue d’origine', languageName(source.language) ?? 'non renseignée'],
    ['Auteur(s)', authors.length ? authors.join(' ; ') : 'non renseigné'],
    ['Date de création', created ?? 'non renseignée'],
  ];
  const custodianName = actorName(custodian, resolve);
  if (custodianName) documentRows.push(['Responsable du document', custodianName]);
  if (originalTitle) documentRows.push(['Titre d’origine', clean(originalTitle)]);
  if (sourceIdentifier) documentRows.push(['Identifiant du document d’origine', clean(sourceIdentifier)]);
  if (composition.confidentiality) documentRows.push(['Confidentialité', CONFIDENTIALITY[composition.confidentiality] ?? composition.confidentiality]);

  const counts = translationCounts(bundle, composition, entry?.fullUrl);
  const sourceParts = [country, sourceIdentifier && `identifiant ${clean(sourceIdentifier)}`, frenchDate(composition.date, false) && `du ${frenchDate(composition.date, false)}`].filter(Boolean);
  const sourceLine = `Document d’origine : ${sourceParts.length ? sourceParts.join(', ') : 'non renseigné'}`;
  const born = patient?.gender === 'female' ? 'née' : patient?.gender === 'male' ? 'né' : 'né(e)';
  const patientLine = `${patientName}${birth ? `, ${born} le ${birth}` : ''}${ids.length ? ` — ${ids[0]}` : ''}`;
  const translationLine =
    `Traduction automatique générée le ${parisTime(generatedAt)} par ${producer.name} ${producer.version}` +
    (counts ? ` — termes codés : ${plural(counts.translated, 'traduit', 'traduits')}, ${plural(counts.untranslated, 'non traduit', 'non traduits')}` : '');

  const base = clean(composition.title) || DEFAULT_TITLE;
  const title = /traduction/i.test(base) ? base : `${base} (traduction française)`;
  return {
    title,
    patientName,
    patientRows,
    documentRows,
    sourceLine,
    patientLine,
    translationLine,
    authors: authors.join(' ; '),
    subject: ['Traduction française automatique d’une synthèse médicale', country && `pays d’origine : ${country}`, sourceIdentifier && `document ${clean(sourceIdentifier)}`, created && `créé le ${created}`]
      .filter(Boolean)
      .join(' — '),
    composition,
  };
}
