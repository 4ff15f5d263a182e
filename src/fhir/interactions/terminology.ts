import { countriesExpansion, JOURNEY_CANONICALS, type Journey } from '../../journey/index.js';
import { defaultCatalogue } from '../../terminology/catalogue.js';
import type { HandlerRegistry } from '../registry.js';
import type { TerminologyDeps } from '../terminology-request.js';
import { registerCodeSystemLookup } from './codesystem-lookup.js';
import { registerValueSetExpand } from './valueset-expand.js';

/**
 * Registers the terminology operations (issue 10): ValueSet $expand (the
 * catalogue's value sets and ValueSet/countries) and CodeSystem $lookup, over
 * the catalogue the journey's conversions use (mapping.terminologyPath), for
 * the professionals the journey serves.
 */
export function registerTerminology(registry: HandlerRegistry, journey: Journey): void {
  const deps: TerminologyDeps = {
    // Looked up per request: the catalogue is cached, and an importer installed later replaces it.
    catalogue: () => defaultCatalogue(journey.deps.conversion?.terminologyPath),
    translationLanguage: journey.deps.conversion?.language ?? 'fr-FR',
    requireCaller: journey.professionalOf,
    now: journey.now,
  };
  registerValueSetExpand(registry, deps, [{
    id: 'countries',
    url: JOURNEY_CANONICALS.countriesValueSet,
    expansion: (now) => countriesExpansion(journey.deps.countries, now),
  }]);
  registerCodeSystemLookup(registry, deps);
}
