import { countriesOfJurisdiction, searchMaskQuestionnaire, type Journey } from '../../journey/index.js';
import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry } from '../registry.js';

/**
 * GET /fhir/Questionnaire/{id}: one country's search mask, as the search
 * lists it (so that a searchset's fullUrl resolves). Public data, but the
 * caller must be a professional, as for the search.
 */
export function registerQuestionnaireRead(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Questionnaire',
    interaction: 'read',
    documentation: 'The search mask of one reachable country (search-mask-<ISO code>), as the search lists it.',
    handler: async (ctx) => {
      journey.professionalOf(ctx);
      const resource = countriesOfJurisdiction(journey.deps.countries, []).map(searchMaskQuestionnaire).find((q) => q.id === ctx.id);
      if (!resource) throw FhirError.notFound(`Questionnaire/${ctx.id} n'est le masque de recherche d'aucun pays joignable (unknown search mask)`);
      return { resource };
    },
  });
}
