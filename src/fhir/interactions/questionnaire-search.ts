import { countriesOfJurisdiction, searchMaskQuestionnaire, type Journey } from '../../journey/index.js';
import { searchPage } from '../paging.js';
import { pagedSearchset } from '../searchset.js';
import type { ConformanceResources } from '../conformance-resources.js';
import type { HandlerRegistry } from '../registry.js';

/** GET /fhir/Questionnaire?jurisdiction=<ISO code>: the country's search mask as an SDC Questionnaire. */
export function registerQuestionnaireSearch(registry: HandlerRegistry, journey: Journey, published: ConformanceResources): void {
  registry.register({
    resourceType: 'Questionnaire',
    interaction: 'search-type',
    searchParams: published.searchParams('Questionnaire', 'jurisdiction'),
    supportedProfiles: ['http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire'],
    documentation: 'The search masks of the reachable countries: one item per identity trait (French label and help, required, maxLength, regex, assigning authority in item.code).',
    handler: async (ctx) => {
      const page = searchPage(ctx, 'Questionnaire', journey.professionalOf(ctx).nationalId);
      // Each jurisdiction parameter is an OR list; repeated parameters are ANDed.
      const lists = page.params.getAll('jurisdiction').map((v) => countriesOfJurisdiction(journey.deps.countries, [v]).map((c) => c.code));
      const countries = countriesOfJurisdiction(journey.deps.countries, [])
        .filter((c) => lists.every((codes) => codes.includes(c.code)));
      return { resource: pagedSearchset(page, countries.map((c) => ({ resource: searchMaskQuestionnaire(c) })), journey.now()) };
    },
  });
}
