import type { Country, CountryRegistry } from '../ehdsi/countries/index.js';
import type { IdentityTrait } from '../ehdsi/countries/search-mask.js';
import { IMPLEMENTED, JOURNEY_CANONICALS, SYSTEMS } from './canonical.js';

/** The reachable countries as a ValueSet expansion: ISO 3166 codes, French names, in French alphabetical order. */
export function countriesExpansion(registry: CountryRegistry, now: Date): fhir4.ValueSet {
  const countries = registry.list();
  return {
    resourceType: 'ValueSet',
    id: 'countries',
    url: JOURNEY_CANONICALS.countriesValueSet,
    name: 'ReachableCountries',
    title: 'Pays joignables par MyHealth@EU',
    status: 'active',
    language: 'fr-FR',
    description: 'Pays de résidence des patients dont la synthèse médicale peut être consultée (codes ISO 3166-1 alpha-2).',
    compose: { include: [{ system: SYSTEMS.iso3166, concept: countries.map((c) => ({ code: c.code, display: c.nameFr })) }] },
    expansion: {
      timestamp: now.toISOString(),
      total: countries.length,
      offset: 0,
      contains: countries.map((c) => ({ system: SYSTEMS.iso3166, code: c.code, display: c.nameFr })),
    },
  };
}

function helpItem(trait: IdentityTrait): fhir4.QuestionnaireItem {
  return {
    linkId: `${trait.key}-help`,
    text: trait.helpFr,
    type: 'display',
    extension: [{ url: SYSTEMS.itemControl, valueCodeableConcept: { coding: [{ system: SYSTEMS.itemControlCodes, code: 'help', display: 'Help-Button' }], text: 'Aide' } }],
  };
}

function traitItem(trait: IdentityTrait): fhir4.QuestionnaireItem {
  const extension: fhir4.Extension[] = [];
  if (trait.pattern) extension.push({ url: SYSTEMS.regex, valueString: trait.pattern });
  if (trait.minLength !== undefined) extension.push({ url: SYSTEMS.minLength, valueInteger: trait.minLength });
  const item: fhir4.QuestionnaireItem = {
    linkId: trait.key,
    // The assigning authority: what GET Patient?identifier=urn:oid:<domain>|<value> takes as system.
    code: [{ system: SYSTEMS.uri, code: `urn:oid:${trait.domainOid}`, display: trait.labelFr }],
    text: trait.labelFr,
    type: 'string',
    required: trait.required && !trait.choiceGroup,
    ...(trait.maxLength !== undefined ? { maxLength: trait.maxLength } : {}),
    item: [helpItem(trait)],
  };
  if (trait.choiceGroup) item.prefix = trait.choiceGroup;
  if (extension.length) item.extension = extension;
  return item;
}

/** A country's search mask as an SDC-renderable Questionnaire: one item per identity trait. */
export function searchMaskQuestionnaire(country: Country): fhir4.Questionnaire {
  return {
    resourceType: 'Questionnaire',
    id: `search-mask-${country.code.toLowerCase()}`,
    meta: { profile: [IMPLEMENTED.sdcQuestionnaire] },
    url: JOURNEY_CANONICALS.questionnaire(country.code),
    name: `SearchMask${country.code}`,
    title: `Recherche d'un patient (pays de résidence : ${country.nameFr})`,
    status: 'active',
    language: 'fr-FR',
    subjectType: ['Patient'],
    jurisdiction: [{ coding: [{ system: SYSTEMS.iso3166, code: country.code, display: country.nameFr }] }],
    description: `Traits d'identité demandés par le point de contact national (${country.nameFr}) pour retrouver un patient.`,
    item: country.searchMask.traits.map(traitItem),
  };
}

/** The countries a `jurisdiction` token designates: `HR`, `urn:iso:std:iso:3166|HR`, comma lists (OR). */
export function countriesOfJurisdiction(registry: CountryRegistry, values: string[]): Country[] {
  if (values.length === 0) return registry.list();
  const found = new Map<string, Country>();
  for (const raw of values.flatMap((v) => v.split(','))) {
    const [system, code] = raw.includes('|') ? raw.split('|', 2) : [undefined, raw];
    if (system !== undefined && system !== '' && system !== SYSTEMS.iso3166) continue;
    const country = registry.get(code.trim());
    if (country) found.set(country.code, country);
  }
  return [...found.values()];
}
