/**
 * The countries this service can reach: ISO code, French name (ICU's CLDR
 * name unless a file gives one), home community OID, XCPD/XCA endpoints and
 * search mask. Shipped data (conformance/search-masks/)
 * points every country at the embedded simulator; an operator's JSON file
 * (setting ehdsi.countriesFile) overrides endpoints and home community ids for
 * real gateways, or adds countries with their own mask.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { countryName } from '../../terminology/icu-names.js';
import { projectPath } from '../../util/project.js';
import { CountryConfigError, UnknownCountryError } from './errors.js';
import { parseSearchMask, type IdentityTrait, type SearchMask, type TraitWording } from './search-mask.js';

export interface CountryEndpoints {
  /** XCPD ITI-55 responding gateway. */
  xcpd: string;
  /** XCA ITI-38; shares the URL of retrieve on the simulator (told apart by SOAP action). */
  xcaQuery: string;
  /** XCA ITI-39. */
  xcaRetrieve: string;
}

export interface Country {
  /** ISO 3166-1 alpha-2, upper case. */
  code: string;
  nameFr: string;
  /** Home community OID of the country's NCPeH (without `urn:oid:`). */
  homeCommunityId: string;
  endpoints: CountryEndpoints;
  searchMask: SearchMask;
  /** True while the endpoints are those of the embedded simulator. */
  simulated: boolean;
}

export type TraitProblemCode = 'required' | 'too-short' | 'too-long' | 'pattern' | 'unknown-trait' | 'choice-required';

export interface TraitProblem {
  code: TraitProblemCode;
  /** The trait concerned (its key), or the unknown domain OID that was sent. */
  trait: string;
  domainOid?: string;
  /** French, for the professional; names the trait. */
  message: string;
}

export interface CountryRegistry {
  list(): Country[];
  /** Case-insensitive; undefined when the country is not reachable. */
  get(code: string): Country | undefined;
  /** Like get, but throws UnknownCountryError. */
  require(code: string): Country;
  /** The country whose NCPeH has this home community id (with or without `urn:oid:`). */
  byHomeCommunityId(oid: string): Country | undefined;
  /**
   * Checks identity trait values (keyed by domain OID, with or without urn:oid:) against the country's
   * mask; an empty list means they pass. Throws UnknownCountryError.
   */
  validateTraits(code: string, values: Record<string, string>): TraitProblem[];
}

export interface LoadCountryOptions {
  /** Base URL of the embedded simulator; endpoints default to `${base}/<CC>/xcpd` and `${base}/<CC>/xca`. */
  simulatorBaseUrl?: string;
  /** Operator's JSON file with real endpoints / home community ids / extra countries. */
  countriesFile?: string;
  /** Folder of shipped masks and countries.json (default: conformance/search-masks). */
  masksDir?: string;
}

export const DEFAULT_SIMULATOR_BASE_URL = 'http://127.0.0.1:8090';

interface ShippedCountry {
  code: string;
  /** Overrides ICU's French name. */
  nameFr?: string;
  homeCommunityId: string;
  searchMask: string;
  traits?: TraitWording;
}

interface OperatorCountry {
  code: string;
  nameFr?: string;
  homeCommunityId?: string;
  endpoints?: Partial<CountryEndpoints>;
  /** Path of a search-mask XML file, relative to the countries file. */
  searchMask?: string;
  traits?: TraitWording;
}

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;

export function loadCountryRegistry(opts: LoadCountryOptions = {}): CountryRegistry {
  const masksDir = opts.masksDir ?? projectPath('conformance', 'search-masks');
  const base = (opts.simulatorBaseUrl ?? DEFAULT_SIMULATOR_BASE_URL).replace(/\/+$/, '');
  const shippedFile = path.join(masksDir, 'countries.json');
  const shipped = readCountryList<ShippedCountry>(shippedFile);
  const byCode = new Map<string, Country>();

  for (const entry of shipped) {
    checkShipped(entry, shippedFile);
    const code = entry.code.toUpperCase();
    const searchMask = loadMask(path.join(masksDir, entry.searchMask), code, entry.traits);
    byCode.set(code, {
      code,
      nameFr: entry.nameFr ?? frenchName(code, shippedFile),
      homeCommunityId: entry.homeCommunityId,
      endpoints: simulatorEndpoints(base, code),
      searchMask,
      simulated: true,
    });
  }

  if (opts.countriesFile) {
    const file = path.resolve(opts.countriesFile);
    for (const entry of readCountryList<OperatorCountry>(file)) applyOperatorEntry(byCode, entry, file, base);
  }

  const countries = [...byCode.values()].sort((a, b) => a.nameFr.localeCompare(b.nameFr, 'fr'));
  const byHcid = new Map(countries.map((c) => [c.homeCommunityId, c]));

  const get = (code: string): Country | undefined => byCode.get(String(code).trim().toUpperCase());
  const requireCountry = (code: string): Country => {
    const country = get(code);
    if (!country) throw new UnknownCountryError(String(code));
    return country;
  };
  return {
    list: () => [...countries],
    get,
    require: requireCountry,
    byHomeCommunityId: (oid) => byHcid.get(oid.replace(/^urn:oid:/, '')),
    validateTraits: (code, values) => validateTraits(requireCountry(code).searchMask, values),
  };
}

/** `${base}/<CC>/xcpd` and `${base}/<CC>/xca` (query and retrieve share it). */
export function simulatorEndpoints(baseUrl: string, code: string): CountryEndpoints {
  const base = baseUrl.replace(/\/+$/, '');
  const xca = `${base}/${code}/xca`;
  return { xcpd: `${base}/${code}/xcpd`, xcaQuery: xca, xcaRetrieve: xca };
}

/** Checks values (keyed by domain OID) against a mask's identity traits. */
export function validateTraits(mask: SearchMask, raw: Record<string, string>): TraitProblem[] {
  const problems: TraitProblem[] = [];
  // FHIR identifiers name their system urn:oid:<oid>; the mask names the bare OID.
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace(/^urn:oid:/, ''), v]));
  const known = new Set(mask.traits.map((t) => t.domainOid));
  for (const oid of Object.keys(values)) {
    if (!known.has(oid)) {
      problems.push({ code: 'unknown-trait', trait: oid, domainOid: oid, message: `L'identifiant ${oid} n'est pas un trait d'identité du masque de recherche (${mask.country}).` });
    }
  }
  const given = (t: IdentityTrait): string | undefined => {
    const v = values[t.domainOid];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  for (const trait of mask.traits) {
    const value = given(trait);
    if (value === undefined) {
      if (trait.required) problems.push(problem('required', trait, `« ${trait.labelFr} » est obligatoire.`));
      continue;
    }
    problems.push(...checkValue(trait, value));
  }
  const groups = new Map<string, IdentityTrait[]>();
  for (const t of mask.traits) if (t.choiceGroup) groups.set(t.choiceGroup, [...(groups.get(t.choiceGroup) ?? []), t]);
  if (groups.size > 0 && ![...groups.values()].some((g) => g.every((t) => given(t) !== undefined))) {
    const names = [...groups.keys()].map((g) => `« ${g} »`).join(' ou ');
    problems.push({ code: 'choice-required', trait: [...groups.keys()].join('|'), message: `Renseigner entièrement l'une des options : ${names}.` });
  }
  return problems;
}

/** No identity trait is longer; also bounds the work of a mask's regular expression. */
export const MAX_TRAIT_LENGTH = 64;

function checkValue(trait: IdentityTrait, value: string): TraitProblem[] {
  const length = [...value].length;
  if (length > MAX_TRAIT_LENGTH) {
    return [problem('too-long', trait, `« ${trait.labelFr} » doit compter au plus ${trait.maxLength ?? MAX_TRAIT_LENGTH} caractères (${length} saisis).`)];
  }
  if (trait.minLength !== undefined && length < trait.minLength) {
    return [problem('too-short', trait, `« ${trait.labelFr} » doit compter au moins ${trait.minLength} caractères (${length} saisis).`)];
  }
  if (trait.maxLength !== undefined && length > trait.maxLength) {
    return [problem('too-long', trait, `« ${trait.labelFr} » doit compter au plus ${trait.maxLength} caractères (${length} saisis).`)];
  }
  if (trait.pattern && !new RegExp(trait.pattern).test(value)) {
    return [problem('pattern', trait, `« ${trait.labelFr} » n'a pas le format attendu. ${trait.helpFr}`.trim())];
  }
  return [];
}

function problem(code: TraitProblemCode, trait: IdentityTrait, message: string): TraitProblem {
  return { code, trait: trait.key, domainOid: trait.domainOid, message };
}

function loadMask(file: string, code: string, wording?: TraitWording): SearchMask {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CountryConfigError(file, `cannot read the search mask of ${code}: ${(e as Error).message}`);
  }
  return parseSearchMask(xml, { source: file, country: code, wording });
}

function readCountryList<T>(file: string): T[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CountryConfigError(file, `not a readable JSON file: ${(e as Error).message}`);
  }
  const list = (doc as { countries?: unknown } | null)?.countries;
  if (!Array.isArray(list)) throw new CountryConfigError(file, 'expected an object with a "countries" array');
  for (const [i, entry] of list.entries()) {
    if (entry === null || typeof entry !== 'object' || typeof (entry as { code?: unknown }).code !== 'string' || !/^[A-Za-z]{2}$/.test((entry as { code: string }).code)) {
      throw new CountryConfigError(file, `countries[${i}]: "code" must be a two-letter ISO 3166 code`);
    }
  }
  return list as T[];
}

function checkShipped(entry: ShippedCountry, file: string): void {
  for (const field of ['homeCommunityId', 'searchMask'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '') throw new CountryConfigError(file, `${entry.code}: "${field}" is required`);
  }
  if (!OID.test(entry.homeCommunityId)) throw new CountryConfigError(file, `${entry.code}: homeCommunityId "${entry.homeCommunityId}" is not an OID`);
}

function applyOperatorEntry(byCode: Map<string, Country>, entry: OperatorCountry, file: string, base: string): void {
  const code = entry.code.toUpperCase();
  const existing = byCode.get(code);
  const where = `${code} in ${path.basename(file)}`;
  if (entry.homeCommunityId !== undefined && (typeof entry.homeCommunityId !== 'string' || !OID.test(entry.homeCommunityId.replace(/^urn:oid:/, '')))) {
    throw new CountryConfigError(file, `${where}: homeCommunityId must be an OID`);
  }
  const endpoints = { ...(existing?.endpoints ?? simulatorEndpoints(base, code)) };
  for (const [key, value] of Object.entries(entry.endpoints ?? {})) {
    if (!['xcpd', 'xcaQuery', 'xcaRetrieve'].includes(key)) throw new CountryConfigError(file, `${where}: unknown endpoint "${key}"`);
    if (typeof value !== 'string' || !isHttpUrl(value)) throw new CountryConfigError(file, `${where}: endpoint ${key} must be an http(s) URL`);
    endpoints[key as keyof CountryEndpoints] = value;
  }
  let searchMask = existing?.searchMask;
  if (entry.searchMask !== undefined) {
    if (typeof entry.searchMask !== 'string') throw new CountryConfigError(file, `${where}: searchMask must be a file path`);
    searchMask = loadMask(path.resolve(path.dirname(file), entry.searchMask), code, entry.traits);
  }
  const homeCommunityId = entry.homeCommunityId?.replace(/^urn:oid:/, '') ?? existing?.homeCommunityId;
  if (!searchMask || !homeCommunityId) {
    throw new CountryConfigError(file, `${where}: a new country needs homeCommunityId and searchMask`);
  }
  const nameFr = entry.nameFr ?? existing?.nameFr ?? frenchName(code, file);
  byCode.set(code, {
    code,
    nameFr,
    homeCommunityId,
    endpoints,
    searchMask,
    simulated: (existing?.simulated ?? true) && entry.endpoints === undefined,
  });
}

/** ICU's French name of a country code; a code ICU does not name needs nameFr in the file. */
function frenchName(code: string, file: string): string {
  const name = countryName(code, 'fr');
  if (!name) throw new CountryConfigError(file, `${code}: no French name known for this code, give "nameFr"`);
  return name;
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
