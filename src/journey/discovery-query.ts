/**
 * What a Patient search (PDQm ITI-78 parameters) or a PDQm $match (ITI-119,
 * a Patient resource) asks for, as a DiscoveryQuery: the country, the
 * identity traits keyed by assigning authority, the demographics the
 * country's search mask takes. Checked against that mask before anything is
 * sent: eHDSI countries find patients by the identifiers of their mask, the
 * demographics (family, given, birth date, gender…) only narrow the search,
 * so a search by demographics alone is a 400 naming the identifiers the
 * country requires.
 */
import type { Country, CountryRegistry, DemographicField, FieldRule, IdentityTrait } from '../ehdsi/countries/index.js';
import type { Demographics } from '../ehdsi/xcpd/request.js';
import { FhirError, type IssueInit } from '../kernel/errors.js';
import { checkTraits, type DiscoveryQuery } from './discovery.js';

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const GENDERS = new Set(['male', 'female', 'other', 'unknown']);
const GENDER_SYSTEM = 'http://hl7.org/fhir/administrative-gender';
/** The HL7 v3 code XCPD sends for a FHIR gender: what a mask's gender format describes. */
const HL7_GENDER: Record<string, string> = { male: 'M', female: 'F', other: 'UN', unknown: 'UN' };
/** No name, street or city is longer; also bounds the work of a mask's regular expression. */
const MAX_DEMOGRAPHIC_LENGTH = 100;

type Field = Exclude<DemographicField, 'country'>;
/** Where each demographic comes from in the request (a search parameter, a FHIRPath of the $match Patient). */
type Expressions = Partial<Record<Field, string>>;

/** The demographic search parameters (CapabilityStatement); the address is not searched. */
const SEARCH_EXPRESSIONS: Expressions = { family: 'family', given: 'given', birthDate: 'birthdate', gender: 'gender' };
const MATCH_EXPRESSIONS: Expressions = {
  family: 'Patient.name.family', given: 'Patient.name.given', birthDate: 'Patient.birthDate', gender: 'Patient.gender',
  street: 'Patient.address.line', postalCode: 'Patient.address.postalCode', city: 'Patient.address.city',
};

interface IdentifierValue {
  system?: string;
  value?: string;
}

function reachable(registry: CountryRegistry): string {
  return registry.list().map((c) => c.code).join(', ');
}

/** The country asked for, or the only one whose mask knows the identifiers' authorities. */
function countryOf(registry: CountryRegistry, code: string | undefined, domains: string[], expression: string): Country {
  if (code !== undefined && code.trim() !== '') {
    const country = registry.get(code.trim());
    if (!country) {
      throw FhirError.badRequest(`Pays « ${code} » non joignable par MyHealth@EU ; pays possibles : ${reachable(registry)} `
        + `(country "${code}" is not reachable through MyHealth@EU; reachable: ${reachable(registry)})`, [expression], 'value');
    }
    return country;
  }
  const candidates = registry.list().filter((c) => domains.length > 0 && domains.every((d) => c.searchMask.traits.some((t) => t.domainOid === d)));
  if (candidates.length === 1) return candidates[0];
  throw FhirError.badRequest(`Le pays de résidence du patient est requis (${expression}, code ISO 3166 parmi ${reachable(registry)}) `
    + `(the patient's country of residence is required: ${expression}, an ISO 3166 code among ${reachable(registry)})`, [expression], 'required');
}

function traitsOf(identifiers: IdentifierValue[], expression: string): Record<string, string> {
  const traits: Record<string, string> = {};
  for (const { system, value } of identifiers) {
    const domain = system?.startsWith('urn:oid:') ? system.slice('urn:oid:'.length) : undefined;
    if (!domain || !OID.test(domain)) {
      throw FhirError.badRequest(`Identifiant « ${system ?? ''}|… » : le système doit être urn:oid:<autorité d'affectation> du masque de recherche `
        + `(identifier "${system ?? ''}|…": the system must be urn:oid:<assigning authority> of the search mask)`, [expression], 'value');
    }
    if (value === undefined || value.trim() === '') throw FhirError.badRequest(`Identifiant urn:oid:${domain} sans valeur (identifier urn:oid:${domain} has no value)`, [expression], 'required');
    if (traits[domain] !== undefined && traits[domain] !== value.trim()) {
      throw FhirError.badRequest(`Deux valeurs différentes pour l'identifiant urn:oid:${domain} (two different values for identifier urn:oid:${domain})`, [expression], 'value');
    }
    traits[domain] = value.trim();
  }
  return traits;
}

/** `identifier urn:oid:<oid>|<label>` for one trait. */
const traitAsked = (t: IdentityTrait, lang: 'fr' | 'en'): string => `identifier urn:oid:${t.domainOid}|<${lang === 'fr' ? t.labelFr : t.originalLabel ?? t.key}>`;

/** What the mask requires, in words: the required identifiers, then "one of" the choice groups. */
function requiredTraits(country: Country, lang: 'fr' | 'en'): string {
  const traits = country.searchMask.traits;
  const parts = traits.filter((t) => t.required).map((t) => traitAsked(t, lang));
  const groups = [...new Set(traits.map((t) => t.choiceGroup).filter((g): g is string => g !== undefined))];
  if (groups.length) {
    const options = groups.map((g) => `« ${g} » (${traits.filter((t) => t.choiceGroup === g).map((t) => traitAsked(t, lang)).join(' + ')})`);
    parts.push(lang === 'fr' ? `l'une des options ${options.join(' ou ')}` : `one of ${options.join(' or ')}`);
  }
  return parts.join(lang === 'fr' ? ' et ' : ' and ');
}

/** No identifier at all: a 400 naming what the country requires (eHDSI forbids demographic-only queries). */
function requireIdentifiers(country: Country, traits: Record<string, string>, expression: string): void {
  if (Object.keys(traits).length > 0) return;
  throw new FhirError(400, {
    code: 'required',
    expression: [expression],
    diagnostics: `Le pays ${country.code} (${country.nameFr}) exige un identifiant de son masque de recherche pour retrouver un patient, `
      + `les traits démographiques seuls ne suffisent pas : ${requiredTraits(country, 'fr')} `
      + `(country ${country.code} requires an identifier of its search mask to find a patient, demographics alone are not enough: ${requiredTraits(country, 'en')})`,
  });
}

function checkFormats(d: Demographics, expressions: Expressions): void {
  const at = (field: Field): string[] => [expressions[field] ?? field];
  if (d.birthDate !== undefined && !DATE.test(d.birthDate)) {
    throw FhirError.badRequest(`Date de naissance « ${d.birthDate} » : format AAAA-MM-JJ attendu (birth date "${d.birthDate}": YYYY-MM-DD expected)`, at('birthDate'), 'value');
  }
  if (d.gender !== undefined && !GENDERS.has(d.gender)) {
    throw FhirError.badRequest(`Sexe « ${d.gender} » : male, female, other ou unknown (gender "${d.gender}": male, female, other or unknown)`, at('gender'), 'value');
  }
  for (const key of ['family', 'given', 'street', 'postalCode', 'city'] as const) {
    if ((d[key]?.length ?? 0) > MAX_DEMOGRAPHIC_LENGTH) {
      throw FhirError.badRequest(`${at(key)[0]} : au plus ${MAX_DEMOGRAPHIC_LENGTH} caractères (at most ${MAX_DEMOGRAPHIC_LENGTH} characters)`, at(key), 'too-long');
    }
  }
}

/**
 * The demographics the country's mask takes. A field it does not list is
 * refused (400) in a search, left out of the XCPD query for $match (a
 * Patient carries what it carries; the score still compares it); a field it
 * requires must be there; a value must fit the mask's format.
 */
function maskDemographics(country: Country, raw: Demographics, expressions: Expressions, unlisted: 'refuse' | 'drop'): Demographics {
  const rules = country.searchMask.demographics;
  const problems: IssueInit[] = [];
  const kept: Demographics = {};
  const asked = Object.keys(expressions) as Field[];
  const listed = asked.filter((f) => rules[f] !== undefined);
  for (const field of asked) {
    const where = expressions[field]!;
    const value = raw[field];
    const rule: FieldRule | undefined = rules[field];
    if (value === undefined || value === '') {
      if (rule?.required) {
        problems.push({ code: 'required', expression: [where],
          diagnostics: `Le pays ${country.code} exige aussi « ${rule.labelFr} » : ${where} (country ${country.code} also requires ${where})` });
      }
      continue;
    }
    if (!rule) {
      if (unlisted === 'refuse') {
        const accepted = ['identifier', ...listed.map((f) => expressions[f]!)].join(', ');
        problems.push({ code: 'not-supported', expression: [where],
          diagnostics: `Le masque de recherche du pays ${country.code} ne prévoit pas ${where} ; paramètres possibles : ${accepted} `
            + `(the search mask of country ${country.code} has no ${where}; it takes: ${accepted})` });
      }
      continue;
    }
    const checked = field === 'gender' ? HL7_GENDER[value] ?? value : value;
    if (rule.pattern && !new RegExp(rule.pattern).test(checked)) {
      problems.push({ code: 'value', expression: [where],
        diagnostics: `« ${rule.labelFr} » n'a pas le format attendu par le pays ${country.code} (${where} does not have the format country ${country.code} expects)` });
      continue;
    }
    (kept as Record<string, string>)[field] = value;
  }
  if (problems.length) throw new FhirError(400, problems);
  return kept;
}

function values(params: URLSearchParams, name: string): string[] {
  const all = params.getAll(name).map((v) => v.trim()).filter((v) => v !== '');
  if (all.some((v) => v.includes(','))) {
    throw FhirError.badRequest(`« ${name} » : une seule valeur par paramètre, pas d'alternative (,) (${name}: one value, no alternatives)`, [name], 'not-supported');
  }
  return all;
}

function single(params: URLSearchParams, name: string): string | undefined {
  const all = values(params, name);
  if (all.length > 1) throw FhirError.badRequest(`Un seul « ${name} » est accepté (only one ${name} is accepted)`, [name], 'not-supported');
  return all[0];
}

/** birthdate=[eq]YYYY[-MM[-DD]]: the country is asked for that date; other prefixes are not searchable in XCPD. */
function birthDateParam(params: URLSearchParams): string | undefined {
  const raw = single(params, 'birthdate');
  if (raw === undefined) return undefined;
  const prefix = /^([a-z]{2})(?=\d)/.exec(raw)?.[1];
  if (prefix !== undefined && prefix !== 'eq') {
    throw FhirError.badRequest(`birthdate : seul le préfixe eq est possible, le pays cherche une date (birthdate: only the eq prefix, the country searches one date), reçu « ${prefix} »`, ['birthdate'], 'not-supported');
  }
  return prefix === 'eq' ? raw.slice(2) : raw;
}

/** gender=<code> or http://hl7.org/fhir/administrative-gender|<code>. */
function genderParam(params: URLSearchParams): string | undefined {
  const raw = single(params, 'gender');
  if (raw === undefined || !raw.includes('|')) return raw;
  const [system, code] = [raw.slice(0, raw.indexOf('|')), raw.slice(raw.indexOf('|') + 1)];
  if (system !== '' && system !== GENDER_SYSTEM) throw FhirError.badRequest(`gender : système ${GENDER_SYSTEM} attendu (gender: system ${GENDER_SYSTEM} expected)`, ['gender'], 'value');
  return code;
}

/** GET Patient?identifier=urn:oid:<domain>|<value>&address-country=&family=&given=&birthdate=&gender= */
export function queryFromSearch(registry: CountryRegistry, params: URLSearchParams, onCountry?: (code: string) => void): DiscoveryQuery {
  // Several identifiers, repeated or comma-separated, are the traits of one mask (all of them).
  const identifiers = params.getAll('identifier').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '').map((v) => {
    const bar = v.indexOf('|');
    return bar < 0 ? { value: v } : { system: v.slice(0, bar), value: v.slice(bar + 1) };
  });
  const traits = traitsOf(identifiers, 'identifier');
  const country = countryOf(registry, single(params, 'address-country'), Object.keys(traits), 'address-country');
  onCountry?.(country.code);
  // Repeated family or given (FHIR: all of them) are the parts of one name.
  const joined = (name: string) => values(params, name).join(' ') || undefined;
  const asked: Demographics = {
    family: joined('family'),
    given: joined('given'),
    birthDate: birthDateParam(params),
    gender: genderParam(params) as Demographics['gender'],
  };
  checkFormats(asked, SEARCH_EXPRESSIONS);
  requireIdentifiers(country, traits, 'identifier');
  const query = { country, traits, demographics: maskDemographics(country, asked, SEARCH_EXPRESSIONS, 'refuse'), asked };
  checkTraits(query, () => 'identifier');
  return query;
}

/** PDQm $match: the Patient of the Parameters. */
export function queryFromPatient(registry: CountryRegistry, patient: fhir4.Patient, onCountry?: (code: string) => void): DiscoveryQuery {
  const traits = traitsOf(patient.identifier ?? [], 'Patient.identifier');
  const countries = [...new Set((patient.address ?? []).map((a) => a.country).filter((c): c is string => !!c))];
  if (countries.length > 1) throw FhirError.badRequest('Patient.address.country : un seul pays de résidence (one country of residence)', ['Patient.address.country'], 'value');
  const country = countryOf(registry, countries[0], Object.keys(traits), 'Patient.address.country');
  onCountry?.(country.code);
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  const address = patient.address?.[0];
  const asked: Demographics = {
    family: name?.family || undefined,
    given: name?.given?.join(' ') || undefined,
    birthDate: patient.birthDate,
    gender: patient.gender,
    street: address?.line?.join(' ') || undefined,
    postalCode: address?.postalCode || undefined,
    city: address?.city || undefined,
  };
  checkFormats(asked, MATCH_EXPRESSIONS);
  requireIdentifiers(country, traits, 'Patient.identifier');
  const query = { country, traits, demographics: maskDemographics(country, asked, MATCH_EXPRESSIONS, 'drop'), asked };
  checkTraits(query, () => 'Patient.identifier');
  return query;
}
