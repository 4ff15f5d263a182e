/**
 * What a Patient search (ITI-78 parameters) or a PDQm $match (a Patient
 * resource) asks for, as a DiscoveryQuery: the country, the identity traits
 * keyed by assigning authority, optional demographics. Checked against the
 * country's mask before anything is sent.
 */
import type { Country, CountryRegistry } from '../ehdsi/countries/index.js';
import type { Demographics } from '../ehdsi/xcpd/request.js';
import { FhirError } from '../kernel/errors.js';
import { checkTraits, type DiscoveryQuery } from './discovery.js';

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const GENDERS = new Set(['male', 'female', 'other', 'unknown']);

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
    if (!country) throw FhirError.badRequest(`Pays « ${code} » non joignable par MyHealth@EU ; pays possibles : ${reachable(registry)}`, [expression], 'value');
    return country;
  }
  const candidates = registry.list().filter((c) => domains.length > 0 && domains.every((d) => c.searchMask.traits.some((t) => t.domainOid === d)));
  if (candidates.length === 1) return candidates[0];
  throw FhirError.badRequest(`Le pays de résidence du patient est requis (${expression}, code ISO 3166 parmi ${reachable(registry)})`, [expression], 'required');
}

function traitsOf(identifiers: IdentifierValue[], expression: string): Record<string, string> {
  const traits: Record<string, string> = {};
  for (const { system, value } of identifiers) {
    const domain = system?.startsWith('urn:oid:') ? system.slice('urn:oid:'.length) : undefined;
    if (!domain || !OID.test(domain)) {
      throw FhirError.badRequest(`Identifiant « ${system ?? ''}|… » : le système doit être urn:oid:<autorité d'affectation> du masque de recherche`, [expression], 'value');
    }
    if (value === undefined || value.trim() === '') throw FhirError.badRequest(`Identifiant urn:oid:${domain} sans valeur`, [expression], 'required');
    if (traits[domain] !== undefined && traits[domain] !== value.trim()) {
      throw FhirError.badRequest(`Deux valeurs différentes pour l'identifiant urn:oid:${domain}`, [expression], 'value');
    }
    traits[domain] = value.trim();
  }
  return traits;
}

function checkDemographics(d: Demographics, expressions: Record<'birthDate' | 'gender', string>): Demographics {
  if (d.birthDate !== undefined && !DATE.test(d.birthDate)) {
    throw FhirError.badRequest(`Date de naissance « ${d.birthDate} » : format AAAA-MM-JJ attendu`, [expressions.birthDate], 'value');
  }
  if (d.gender !== undefined && !GENDERS.has(d.gender)) {
    throw FhirError.badRequest(`Sexe « ${d.gender} » : male, female, other ou unknown`, [expressions.gender], 'value');
  }
  for (const key of Object.keys(d) as (keyof Demographics)[]) if (d[key] === undefined || d[key] === '') delete d[key];
  return d;
}

function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name).flatMap((v) => v.split(','));
  if (all.length > 1) throw FhirError.badRequest(`Un seul « ${name} » est accepté`, [name], 'not-supported');
  return all[0];
}

/** GET Patient?identifier=urn:oid:<domain>|<value>&address-country=&family=&given=&birthdate=&gender= */
export function queryFromSearch(registry: CountryRegistry, params: URLSearchParams, onCountry?: (code: string) => void): DiscoveryQuery {
  const identifiers = params.getAll('identifier').flatMap((v) => v.split(',')).filter((v) => v !== '').map((v) => {
    const bar = v.indexOf('|');
    return bar < 0 ? { value: v } : { system: v.slice(0, bar), value: v.slice(bar + 1) };
  });
  const traits = traitsOf(identifiers, 'identifier');
  const country = countryOf(registry, single(params, 'address-country'), Object.keys(traits), 'address-country');
  onCountry?.(country.code);
  const birthdate = single(params, 'birthdate');
  const demographics = checkDemographics({
    family: single(params, 'family'),
    given: single(params, 'given'),
    birthDate: birthdate?.replace(/^eq/, ''),
    gender: single(params, 'gender') as Demographics['gender'],
  }, { birthDate: 'birthdate', gender: 'gender' });
  const query = { country, traits, demographics };
  checkTraits(query, () => 'identifier');
  return query;
}

/** PDQm $match: the Patient of the Parameters. */
export function queryFromPatient(registry: CountryRegistry, patient: fhir4.Patient, onCountry?: (code: string) => void): DiscoveryQuery {
  const traits = traitsOf(patient.identifier ?? [], 'Patient.identifier');
  const countries = [...new Set((patient.address ?? []).map((a) => a.country).filter((c): c is string => !!c))];
  if (countries.length > 1) throw FhirError.badRequest('Patient.address.country : un seul pays de résidence', ['Patient.address.country'], 'value');
  const country = countryOf(registry, countries[0], Object.keys(traits), 'Patient.address.country');
  onCountry?.(country.code);
  const name = patient.name?.[0];
  const address = patient.address?.[0];
  const demographics = checkDemographics({
    family: name?.family,
    given: name?.given?.join(' '),
    birthDate: patient.birthDate,
    gender: patient.gender,
    street: address?.line?.join(' '),
    postalCode: address?.postalCode,
    city: address?.city,
  }, { birthDate: 'Patient.birthDate', gender: 'Patient.gender' });
  const query = { country, traits, demographics };
  checkTraits(query, () => 'Patient.identifier');
  return query;
}
