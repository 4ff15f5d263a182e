import { countriesExpansion, JOURNEY_CANONICALS, type Journey } from '../../journey/index.js';
import { defaultCatalogue } from '../../terminology/catalogue.js';
import type { HandlerRegistry } from '../registry.js';
import type { TerminologyDeps } from '../terminology-request.js';
import { registerCodeSystemLookup } from './codesystem-lookup.js';
import { registerValueSetExpand, type ServedValueSet } from './valueset-expand.js';
import { registerValueSetSearch } from './valueset-search.js';

/**
 * Registers the terminology operations (issue 10): ValueSet $expand (the
 * catalogue's value sets, ValueSet/countries and the ValueSets of
 * conformance/), the ValueSet search and read that list them, and CodeSystem
 * $lookup, over the catalogue the journey's conversions use
 * (mapping.terminologyPath), for the professionals the journey serves.
 */
export function registerTerminology(registry: HandlerRegistry, journey: Journey, published: fhir4.ValueSet[] = []): void {
  const deps: TerminologyDeps = {
    // Looked up per request: the catalogue is cached, and an importer installed later replaces it.
    catalogue: () => defaultCatalogue(journey.deps.conversion?.terminologyPath),
    translationLanguage: journey.deps.conversion?.language ?? 'fr-FR',
    requireCaller: journey.professionalOf,
    now: journey.now,
  };
  const served: ServedValueSet[] = [{
    id: 'countries',
    url: JOURNEY_CANONICALS.countriesValueSet,
    expansion: (now) => countriesExpansion(journey.deps.countries, now),
  }];
  registerValueSetExpand(registry, deps, served, published);
  registerValueSetSearch(registry, deps, served, published);
  registerCodeSystemLookup(registry, deps);
}
