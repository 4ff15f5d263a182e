import { countriesExpansion, type Journey } from '../../journey/index.js';
import { FhirError } from '../errors.js';
import type { HandlerRegistry } from '../registry.js';

/** GET /fhir/ValueSet/countries/$expand: the countries reachable through MyHealth@EU (ISO 3166, French names). */
export function registerCountriesExpand(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'ValueSet',
    interaction: 'operation',
    operation: {
      name: 'expand',
      level: 'instance',
      methods: ['GET'],
      definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand',
      documentation: 'Only ValueSet/countries: the patient\'s possible countries of residence (ISO 3166-1 alpha-2, French names).',
    },
    handler: async (ctx) => {
      journey.professionalOf(ctx);
      if (ctx.id !== 'countries') throw FhirError.notFound(`ValueSet/${ctx.id} is not expanded by this server; use ValueSet/countries/$expand`);
      return { resource: countriesExpansion(journey.deps.countries, journey.now()) };
    },
  });
}
